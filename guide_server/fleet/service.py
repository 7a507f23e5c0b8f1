"""The kiosk fleet as a domain service: enrollment, device tokens, heartbeats, events,
hall queue tickets and the fleet's alerts. No Flask import: guide_server.fleet.device_api,
guide_server.fleet.views and guide_server.cli.fleet translate to and from it.

Secrets are never stored: a device token is ``<kiosk id>.<random>`` and the server keeps
the SHA-256 of it, compared in constant time; an enrollment code is kept as its SHA-256,
is used at most once, and expires (24 h by default).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.exc import IntegrityError

from guides.release import CHINA_TZ
from guide_server.db import Database
from guide_server.fleet.models import EnrollmentCode, IssuedTicket, Kiosk, KioskEvent, TicketCounter

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"   # no 0/O, 1/I/L: read aloud and typed by hand
CODE_TTL = dt.timedelta(hours=24)
OFFLINE_AFTER = dt.timedelta(minutes=10)
BACKLOG_SAMPLES = 6
EVENT_KINDS = ("rating", "ticket", "print", "fault", "search_nohit")
BATCH_MAX = 200
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
KEY_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
QUEUE_RE = re.compile(r"^[A-Z]{1,2}$")
# Personal data that must never reach the server: ID numbers, and fields named for it.
_ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)|(?<!\d)\d{15}(?!\d)")
_PERSONAL_KEYS = {"name", "id_number", "idnumber", "photo", "address", "birth_date", "holder"}

PRINTER_STATES = {"ok": "正常", "near_end": "纸将用完", "out": "缺纸", "cover_open": "机盖打开",
                  "offline": "脱机", "error": "故障", "unknown": "无应答", "unconfigured": "未配置"}
READER_STATES = {"ok": "正常", "fault": "故障", "unknown": "无应答", "unconfigured": "未配置"}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite gives naive datetimes back: they were stored as UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None else value.astimezone(dt.timezone.utc)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def local_label(value: dt.datetime | None) -> str:
    v = _utc(value)
    return v.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M") if v else "从未"


class FleetError(Exception):
    """A request the fleet service refuses; `message` is Chinese and says why, `status`
    is the HTTP status the API answers with."""

    status = 400

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status


class EnrollmentError(FleetError):
    pass


class Unauthorized(FleetError):
    status = 401


class Revoked(FleetError):
    status = 403


def normalize_code(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").upper()


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


@dataclass
class EventResult:
    stored: int = 0
    duplicates: int = 0
    rejected: list[dict[str, str]] = field(default_factory=list)

    @property
    def replay(self) -> bool:
        return self.stored == 0 and self.duplicates > 0 and not self.rejected

    def as_dict(self) -> dict[str, Any]:
        if self.replay:
            message = f"这批 {self.duplicates} 个事件此前已全部收到，未重复保存。"
        else:
            message = f"已保存 {self.stored} 个事件" + (f"，{self.duplicates} 个此前已收到" if self.duplicates else "") \
                + (f"，{len(self.rejected)} 个被拒收" if self.rejected else "") + "。"
        return {"stored": self.stored, "duplicates": self.duplicates, "rejected": self.rejected,
                "replay": self.replay, "message": message}


@dataclass(frozen=True)
class IssuedNumber:
    number: str
    seq: int
    waiting: int
    day: str


def _comment_has_phone(comment: Any) -> bool:
    """True when a kiosk rating's comment holds a phone or ID number (guides.personal_data): the
    kiosk refuses such a comment on screen, so one arriving here is not stored at all."""
    from guides.personal_data import find_personal_data

    return isinstance(comment, str) and bool(find_personal_data(comment))


def _personal(value: Any) -> bool:
    """True when an event's data looks like it carries personal data."""
    if isinstance(value, dict):
        return any(str(k).lower() in _PERSONAL_KEYS or _personal(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_personal(v) for v in value)
    return isinstance(value, str) and bool(_ID_NUMBER.search(value))


class FleetService:
    """Kiosks, their events and tickets. `listeners`: callables ``fn(s, kiosk, kind, at, data)``
    called inside the storing transaction for every event stored for the first time (never for
    a replay), e.g. the 好差评 figures counting kiosk ratings, prints, tickets and searches."""

    def __init__(self, db: Database):
        self.db = db
        self.listeners: list = []

    # -- enrollment ------------------------------------------------------------------
    def enroll(self, hall: str, name: str, now: dt.datetime | None = None,
               ttl: dt.timedelta = CODE_TTL) -> tuple[str, dt.datetime]:
        """A one-time enrollment code for kiosk `name` in `hall`: (code, expires_at)."""
        hall = (hall or "").strip()
        if not NAME_RE.match(name or ""):
            raise EnrollmentError("终端名称只能用字母、数字和 . _ -，以字母或数字开头，最多 64 个字符，"
                                  f"例如 yq-smzx-01；收到的是 {name!r}。")
        if not hall or len(hall) > 100:
            raise EnrollmentError("请填写终端所在的大厅或网点（最多 100 个字符）。")
        self.db.ready()
        now = now or utcnow()
        with self.db.session.begin() as s:
            kiosk = s.scalar(select(Kiosk).where(Kiosk.name == name))
            if kiosk is not None and kiosk.token_hash and kiosk.revoked_at is None:
                raise EnrollmentError(f"终端 {name} 已在使用中。若要换机或重新登记，请先停用："
                                      f"guide-server kiosks revoke {name}")
            if kiosk is not None and kiosk.hall != hall:
                raise EnrollmentError(f"终端 {name} 登记在“{kiosk.hall}”，不是“{hall}”。"
                                      "同一名称不能换大厅，请换一个终端名称。")
            code = new_code()
            s.add(EnrollmentCode(code_hash=_sha(normalize_code(code)), kiosk_name=name, hall=hall,
                                 created=now, expires_at=now + ttl))
        return code, now + ttl

    def redeem(self, code: str, hardware: dict | None = None,
               now: dt.datetime | None = None) -> tuple[Kiosk, str]:
        """Exchange an enrollment code for a new device token (returned once, never stored)."""
        self.db.ready()
        now = now or utcnow()
        code_hash = _sha(normalize_code(code))
        for attempt in range(3):
            try:
                return self._redeem(code_hash, hardware, now)
            except IntegrityError:
                # Two kiosks of one hall redeemed at the same moment and chose the same free tag
                # (PostgreSQL lets both transactions run); the loser starts again and takes the next.
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _redeem(self, code_hash: str, hardware: dict | None, now: dt.datetime) -> tuple[Kiosk, str]:
        with self.db.session.begin() as s:
            used = s.execute(update(EnrollmentCode)
                             .where(EnrollmentCode.code_hash == code_hash, EnrollmentCode.used_at.is_(None),
                                    EnrollmentCode.expires_at > now)
                             .values(used_at=now))
            row = s.scalar(select(EnrollmentCode).where(EnrollmentCode.code_hash == code_hash))
            if used.rowcount != 1:
                if row is None:
                    raise EnrollmentError("登记码不正确。请核对后重新输入，或请管理员重新生成：guide-server "
                                          "kiosks enroll --hall 大厅 --name 终端名称", 403)
                if row.used_at is not None:
                    raise EnrollmentError(f"登记码已于 {local_label(row.used_at)} 使用过，每个登记码只能用一次。"
                                          "请管理员重新生成登记码。", 403)
                raise EnrollmentError(f"登记码已于 {local_label(row.expires_at)} 过期（有效期 24 小时）。"
                                      "请管理员重新生成登记码。", 403)
            kiosk = s.scalar(select(Kiosk).where(Kiosk.name == row.kiosk_name))
            if kiosk is None:
                kiosk = Kiosk(name=row.kiosk_name, hall=row.hall, tag=self._free_tag(s, row.hall), created=now)
                s.add(kiosk)
                s.flush()
            secret = secrets.token_urlsafe(32)
            token = f"{kiosk.id}.{secret}"
            kiosk.token_hash = _sha(token)
            kiosk.enrolled_at = now
            kiosk.revoked_at = None
            kiosk.hardware = json.dumps(hardware or {}, ensure_ascii=False)[:4000]
        return kiosk, token

    @staticmethod
    def _free_tag(s, hall: str) -> str:
        """The lowest free tag K<n> of a hall. On PostgreSQL a transaction-scoped advisory lock per
        hall makes concurrent enrolments of one hall choose one after the other."""
        if s.get_bind().dialect.name == "postgresql":
            s.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"kiosk-tag:{hall}"})
        used = set(s.scalars(select(Kiosk.tag).where(Kiosk.hall == hall)))
        n = 1
        while f"K{n}" in used:
            n += 1
        return f"K{n}"

    def authenticate(self, token: str | None) -> Kiosk:
        """The kiosk a bearer token belongs to; Unauthorized or Revoked otherwise."""
        if not token or "." not in token:
            raise Unauthorized("缺少终端凭证，或凭证格式不对。请在终端上重新运行 kiosk provision。")
        kid, _, _secret = token.partition(".")
        if not re.fullmatch(r"[0-9]{1,9}", kid, re.ASCII) or len(token) > 200:
            raise Unauthorized("终端凭证格式不对。请在终端上重新运行 kiosk provision。")
        self.db.ready()
        with self.db.session() as s:
            kiosk = s.get(Kiosk, int(kid))
        stored = kiosk.token_hash if kiosk is not None and kiosk.token_hash else "0" * 64
        if not hmac.compare_digest(_sha(token), stored) or kiosk is None:
            raise Unauthorized("终端凭证无效。请在终端上用新的登记码重新运行 kiosk provision。")
        if kiosk.revoked_at is not None:
            raise Revoked(f"终端 {kiosk.name} 已于 {local_label(kiosk.revoked_at)} 被停用，不能再同步或上传。"
                          "如需恢复，请管理员重新登记。")
        return kiosk

    def revoke(self, name: str, now: dt.datetime | None = None) -> Kiosk:
        self.db.ready()
        now = now or utcnow()
        with self.db.session.begin() as s:
            kiosk = s.scalar(select(Kiosk).where(Kiosk.name == name))
            if kiosk is None:
                raise FleetError(f"没有名为 {name} 的终端。用 guide-server kiosks list 查看全部终端。", 404)
            if kiosk.revoked_at is None:
                kiosk.revoked_at = now
            # unused codes for this name die with it
            s.execute(update(EnrollmentCode).where(EnrollmentCode.kiosk_name == name,
                                                   EnrollmentCode.used_at.is_(None)).values(used_at=now))
        return kiosk

    def kiosks(self) -> list[Kiosk]:
        self.db.ready()
        with self.db.session() as s:
            return list(s.scalars(select(Kiosk).order_by(Kiosk.hall, Kiosk.name)))

    def pending_enrollments(self, now: dt.datetime | None = None) -> list[EnrollmentCode]:
        self.db.ready()
        now = now or utcnow()
        with self.db.session() as s:
            return list(s.scalars(select(EnrollmentCode).where(EnrollmentCode.used_at.is_(None),
                                                               EnrollmentCode.expires_at > now)
                                  .order_by(EnrollmentCode.created)))

    # -- heartbeat --------------------------------------------------------------------------
    def heartbeat(self, kiosk: Kiosk, data: dict, now: dt.datetime | None = None) -> None:
        if not isinstance(data, dict):
            raise FleetError("心跳数据应为 JSON 对象。")
        now = now or utcnow()

        def num(key: str) -> int | None:
            v = data.get(key)
            return int(v) if isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v < 2**31 else None

        def device(key: str, states: dict) -> tuple[str, str]:
            d = data.get(key)
            if not isinstance(d, dict):
                return "", ""
            state = d.get("state") if d.get("state") in states else "unknown"
            return state, str(d.get("text") or states[state])[:200]

        backlog = num("outbox_backlog")
        with self.db.session.begin() as s:
            k = s.get(Kiosk, kiosk.id)
            k.last_seen = now
            k.release_number = num("release")
            k.app_version = str(data.get("app_version") or "")[:40]
            k.uptime_s = num("uptime")
            k.disk_free_mb = num("disk_free_mb")
            k.outbox_backlog = backlog
            trend = [x for x in (k.backlog_trend or "").split(",") if x.isdigit()]
            if backlog is not None:
                trend = (trend + [str(backlog)])[-BACKLOG_SAMPLES:]
            k.backlog_trend = ",".join(trend)
            k.printer_state, k.printer_text = device("printer", PRINTER_STATES)
            k.reader_state, k.reader_text = device("reader", READER_STATES)
            k.offline_since = str(data.get("offline_since") or "")[:40]
            k.content_refused = str(data.get("content_refused") or "")[:400]

    def touch(self, kiosk: Kiosk, now: dt.datetime | None = None) -> None:
        """Any authenticated call counts as seen."""
        with self.db.session.begin() as s:
            s.execute(update(Kiosk).where(Kiosk.id == kiosk.id).values(last_seen=now or utcnow()))

    # -- events -------------------------------------------------------------------------------
    def store_events(self, kiosk: Kiosk, events: Any, now: dt.datetime | None = None) -> EventResult:
        """Store each event once per (kiosk, key); replays are counted, not stored again."""
        if not isinstance(events, list) or not events:
            raise FleetError("请求中没有事件（events 应为非空列表）。")
        if len(events) > BATCH_MAX:
            raise FleetError(f"一批最多 {BATCH_MAX} 个事件，收到 {len(events)} 个。", 413)
        now = now or utcnow()
        result = EventResult()
        rows = []
        for ev in events:
            key = ev.get("key") if isinstance(ev, dict) else None
            if not isinstance(key, str) or not KEY_RE.match(key):
                result.rejected.append({"key": str(key)[:64], "reason": "事件缺少有效的幂等键 key"})
                continue
            if ev.get("kind") not in EVENT_KINDS:
                result.rejected.append({"key": key, "reason": f"不认识的事件类型 {str(ev.get('kind'))[:20]!r}"})
                continue
            data = ev.get("data", {})
            if not isinstance(data, dict):
                result.rejected.append({"key": key, "reason": "事件的 data 应为 JSON 对象"})
                continue
            if _personal(data):
                result.rejected.append({"key": key, "reason": "事件中含有疑似个人信息（姓名、证件号码等），不予保存"})
                continue
            if ev["kind"] == "rating" and _comment_has_phone(data.get("comment")):
                result.rejected.append({"key": key, "reason": "评价意见中含有电话或证件号码，不予保存"})
                continue
            if ev["kind"] == "search_nohit":
                problem = _search_query_problem(data.get("query"))
                if problem:
                    result.rejected.append({"key": key, "reason": problem})
                    continue
            try:
                at = _utc(dt.datetime.fromisoformat(str(ev.get("at"))))
            except ValueError:
                result.rejected.append({"key": key, "reason": "事件时间 at 不是 ISO 8601 时间"})
                continue
            body = json.dumps(data, ensure_ascii=False, sort_keys=True)
            if len(body) > 2000:
                result.rejected.append({"key": key, "reason": "事件数据过大"})
                continue
            rows.append((key, ev["kind"], at, data, body))
        with self.db.session.begin() as s:
            for key, kind, at, data, body in rows:
                if self._insert_ignore(s, KioskEvent, dict(kiosk_id=kiosk.id, key=key, kind=kind, occurred_at=at,
                                                           received_at=now, data=body), ["kiosk_id", "key"]):
                    result.stored += 1
                    if kind == "ticket" and data.get("source") == "local":
                        self._reconcile_local_ticket(s, kiosk, key, data, at)
                    for listener in self.listeners:
                        listener(s, kiosk, kind, at, data)
                else:
                    result.duplicates += 1
        return result

    def _insert_ignore(self, s, model, values: dict, conflict: list[str]) -> bool:
        """INSERT … ON CONFLICT DO NOTHING; True when a row was inserted."""
        dialect = s.bind.dialect.name
        if dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        elif dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:  # pragma: no cover - other databases: a savepoint per row
            try:
                with s.begin_nested():
                    s.add(model(**values))
                return True
            except IntegrityError:
                return False
        # RETURNING tells whether a row went in: the rowcount of this statement is -1 under
        # SQLAlchemy 2.1 with psycopg, so it cannot be relied on.
        key = next(iter(model.__table__.primary_key.columns))
        res = s.execute(insert(model).values(**values).on_conflict_do_nothing(index_elements=conflict).returning(key))
        return res.first() is not None

    def _reconcile_local_ticket(self, s, kiosk: Kiosk, key: str, data: dict, at: dt.datetime) -> None:
        """A number a kiosk issued from its own prefixed sequence while offline joins the hall's day."""
        queue, number = str(data.get("queue", ""))[:4], str(data.get("number", ""))[:20]
        if not (QUEUE_RE.match(queue) and number):
            return
        day = str(data.get("day") or at.astimezone(CHINA_TZ).date().isoformat())[:10]
        self._insert_ignore(s, IssuedTicket, dict(hall=kiosk.hall, day=day, queue=queue, number=number,
                                                  source="local", kiosk_id=kiosk.id, request_key=key,
                                                  issued_at=at), ["kiosk_id", "request_key"])

    def search_misses(self, days: int = 30, limit: int = 50, now: dt.datetime | None = None) -> list[dict[str, Any]]:
        """The queries kiosks searched without a hit in the last ``days`` days, most frequent first:
        ``[{"query", "count", "kiosks", "last", "last_label"}]`` (``query`` normalised as
        guides.search.normalize_query; ``kiosks`` how many kiosks saw it), for the editors."""
        self.db.ready()
        since = (now or utcnow()) - dt.timedelta(days=days)
        seen: dict[str, dict[str, Any]] = {}
        with self.db.session() as s:
            rows = s.execute(select(KioskEvent.kiosk_id, KioskEvent.occurred_at, KioskEvent.data)
                             .where(KioskEvent.kind == "search_nohit", KioskEvent.occurred_at >= since))
            for kiosk_id, at, data in rows:
                try:
                    query = str(json.loads(data).get("query") or "")
                except (ValueError, AttributeError):
                    continue
                if not query:
                    continue
                at = _utc(at)
                row = seen.setdefault(query, {"query": query, "count": 0, "kiosks": set(), "last": at})
                row["count"] += 1
                row["kiosks"].add(kiosk_id)
                row["last"] = max(row["last"], at)
        out = sorted(seen.values(), key=lambda r: (-r["count"], -r["last"].timestamp(), r["query"]))[:limit]
        return [{"query": r["query"], "count": r["count"], "kiosks": len(r["kiosks"]),
                 "last": r["last"].isoformat(), "last_label": local_label(r["last"])} for r in out]

    def event_count(self, kind: str | None = None) -> int:
        self.db.ready()
        with self.db.session() as s:
            q = select(func.count()).select_from(KioskEvent)
            if kind:
                q = q.where(KioskEvent.kind == kind)
            return s.scalar(q)

    # -- queue tickets ----------------------------------------------------------------------------
    def issue_ticket(self, kiosk: Kiosk, queue: str, request_key: str, now: dt.datetime | None = None,
                     window_minutes: int = 30) -> IssuedNumber:
        """The next number of `queue` in the kiosk's hall today, atomically; the same answer
        again for a retried request (same request key)."""
        if not isinstance(queue, str) or not QUEUE_RE.match(queue):
            raise FleetError("队列前缀应为一到两个大写字母。")
        if not isinstance(request_key, str) or not KEY_RE.match(request_key):
            raise FleetError("取号请求缺少有效的幂等键 request_key。")
        now = now or utcnow()
        day = now.astimezone(CHINA_TZ).date().isoformat()
        hall = kiosk.hall
        with self.db.session.begin() as s:
            # Lock the counter row first: it serializes every request for this queue of the hall, so
            # a retried request (same key) sent to another worker or app instance finds the ticket
            # the first one issued. SQLite's first write locks the whole database; PostgreSQL needs
            # the row lock, since INSERT … ON CONFLICT DO NOTHING locks nothing when the row exists.
            self._insert_ignore(s, TicketCounter, dict(hall=hall, queue=queue, day=day, last_seq=0),
                                ["hall", "queue", "day"])
            s.execute(select(TicketCounter.last_seq).where(TicketCounter.hall == hall, TicketCounter.queue == queue,
                                                           TicketCounter.day == day).with_for_update())
            done = s.scalar(select(IssuedTicket).where(IssuedTicket.kiosk_id == kiosk.id,
                                                       IssuedTicket.request_key == request_key))
            if done is not None:
                waiting = self._waiting(s, hall, done.queue, done.day, _utc(done.issued_at), window_minutes,
                                        exclude=done.id)
                seq = int(done.number[len(done.queue):]) if done.number[len(done.queue):].isdigit() else 0
                return IssuedNumber(done.number, seq, waiting, done.day)
            seq = s.execute(update(TicketCounter)
                            .where(TicketCounter.hall == hall, TicketCounter.queue == queue,
                                   TicketCounter.day == day)
                            .values(last_seq=TicketCounter.last_seq + 1)
                            .returning(TicketCounter.last_seq)).scalar_one()
            number = f"{queue}{seq:03d}"
            waiting = self._waiting(s, hall, queue, day, now, window_minutes)
            s.add(IssuedTicket(hall=hall, day=day, queue=queue, number=number, source="server",
                               kiosk_id=kiosk.id, request_key=request_key, issued_at=now))
        return IssuedNumber(number, seq, waiting, day)

    @staticmethod
    def _waiting(s, hall, queue, day, at, window_minutes, exclude: int | None = None) -> int:
        """Tickets of the same queue issued in the last `window_minutes` before `at` (an estimate
        for halls without a calling system), the ticket itself not counted."""
        since = at - dt.timedelta(minutes=window_minutes)
        q = (select(func.count()).select_from(IssuedTicket)
             .where(IssuedTicket.hall == hall, IssuedTicket.queue == queue, IssuedTicket.day == day,
                    IssuedTicket.issued_at >= since, IssuedTicket.issued_at <= at))
        if exclude is not None:
            q = q.where(IssuedTicket.id < exclude)
        return s.scalar(q)

    def tickets(self, hall: str, day: str) -> list[IssuedTicket]:
        self.db.ready()
        with self.db.session() as s:
            return list(s.scalars(select(IssuedTicket).where(IssuedTicket.hall == hall, IssuedTicket.day == day)
                                  .order_by(IssuedTicket.issued_at, IssuedTicket.id)))

    # -- the fleet page -----------------------------------------------------------------------------
    def status(self, current_release: int | None, now: dt.datetime | None = None) -> list[dict[str, Any]]:
        """Every kiosk with its facts and alerts, for the admin page, its JSON and `kiosks list`."""
        now = now or utcnow()
        return [kiosk_status(k, current_release, now) for k in self.kiosks()]


_DIGIT_RUN = re.compile(r"\d{7,}")


def _search_query_problem(query: Any) -> str:
    """Why a search_nohit event's query cannot be kept ("" when it can): it must be a short
    normalised query with no phone or ID number and no run of 7 or more digits in it (the kiosk
    checks the same; the server does not trust it to)."""
    from guides.personal_data import find_personal_data

    if not isinstance(query, str) or not query or len(query) > 32:
        return "搜索事件的 query 应为 1 到 32 个字符的搜索词"
    if find_personal_data(query) or _DIGIT_RUN.search(query):
        return "搜索词中含有疑似电话号码或证件号码，不予保存"
    return ""


def _device_text(device: str, label: str, text: str) -> str:
    return f"{device}{label}" if not text or text == label else f"{device}{label}：{text}"


def kiosk_status(k: Kiosk, current_release: int | None, now: dt.datetime) -> dict[str, Any]:
    seen = _utc(k.last_seen)
    alerts: list[dict[str, str]] = []
    if k.revoked_at is not None:
        state = "revoked"
    elif not k.token_hash:
        state = "pending"
    elif seen is None or now - seen > OFFLINE_AFTER:
        state = "offline"
        since = f"最后在线 {local_label(seen)}" if seen else "登记后从未上线"
        alerts.append({"code": "offline", "level": "error", "text": f"离线超过 10 分钟（{since}）"})
    else:
        state = "online"
    if state in ("online", "offline") and seen is not None:
        if k.printer_state == "out":
            alerts.append({"code": "paper_out", "level": "error", "text": "打印机缺纸"})
        elif k.printer_state == "near_end":
            alerts.append({"code": "paper_near_end", "level": "warning", "text": "打印纸将用完"})
        elif k.printer_state in ("cover_open", "offline", "error", "unknown"):
            alerts.append({"code": "printer_fault", "level": "error",
                           "text": _device_text("打印机", PRINTER_STATES[k.printer_state], k.printer_text)})
        if k.reader_state in ("fault", "unknown"):
            alerts.append({"code": "reader_fault", "level": "error",
                           "text": _device_text("读卡器", READER_STATES[k.reader_state], k.reader_text)})
        if k.content_refused:
            alerts.append({"code": "content_format", "level": "error", "text": k.content_refused})
        elif current_release is not None and k.release_number != current_release:
            have = f"R{k.release_number}" if k.release_number else "无"
            alerts.append({"code": "release_behind", "level": "warning",
                           "text": f"内容版本落后（本机 {have}，最新 R{current_release}）"})
        trend = [int(x) for x in (k.backlog_trend or "").split(",") if x.isdigit()]
        if len(trend) >= 4 and all(a < b for a, b in zip(trend[-4:], trend[-3:])):
            alerts.append({"code": "backlog_growing", "level": "warning",
                           "text": f"待上传事件持续增加（{trend[-1]} 条）"})
    return {
        "name": k.name, "hall": k.hall, "tag": k.tag, "state": state,
        "state_label": {"online": "在线", "offline": "离线", "revoked": "已停用", "pending": "待激活"}[state],
        "last_seen": seen.isoformat() if seen else None, "last_seen_label": local_label(seen),
        "release": k.release_number, "app_version": k.app_version, "uptime_s": k.uptime_s,
        "disk_free_mb": k.disk_free_mb, "outbox_backlog": k.outbox_backlog,
        "printer": {"state": k.printer_state or None, "text": k.printer_text},
        "reader": {"state": k.reader_state or None, "text": k.reader_text},
        "kiosk_offline_since": k.offline_since or None,
        "content_refused": k.content_refused or None,
        "enrolled_at": _utc(k.enrolled_at).isoformat() if k.enrolled_at else None,
        "revoked_at": _utc(k.revoked_at).isoformat() if k.revoked_at else None,
        "alerts": alerts,
    }
