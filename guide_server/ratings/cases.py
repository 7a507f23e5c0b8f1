"""The 差评 follow-up (GB/T 39734-2020 9.3 差评处置; 国办发〔2019〕51号): a case per 差评.

States and who moves a case (admin may do everything a role may; nobody decides an appeal
they filed themselves):

    待核实 verify ──核实 (manager)──> 整改中 rectify ──整改完成 (manager, editor)──> 已整改 rectified
    已整改 ──回访 (manager; 实名差评 only)──> 已回访 called_back                          [closed]
    已整改 is final for an anonymous 差评 (nobody to call back)                      [closed]
    待核实 / 整改中 ──申诉 (manager, with reason)──> 申诉中 appeal
    申诉中 ──维持 (reviewer, with reason)──> 整改中 (a new 整改 deadline from the decision)
    申诉中 ──撤销 (reviewer, with reason)──> 已撤销 revoked: the rating no longer counts  [closed]

Deadlines are working days (`calendar.WorkCalendar`, holidays and 调休 from data files), per hall
(`CaseSettings`; defaults 核实 1, 整改 15 — a hall may set 5–15 —, 回访 整改 + 2): 核实 is due
`verify_days` after the 差评, 整改 `rectify_days` after 核实, 回访 `callback_days` after the 整改
deadline. A step is overdue the day after its due date (Beijing time) while the case is in it.

Every transition is written to the append-only audit log (code ``case-<id>``), with its note.
Notes and the published rectification text are refused when they hold the citizen's phone, any
mobile number or an ID number. The contact of a 实名差评 is deleted when the case closes.
No Flask import.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, func, select, text

from guides.release import CHINA_TZ
from guide_server.accounts.service import Account
from guide_server.audit import AuditEntry, append
from guide_server.db import Database, Rating
from guide_server.ratings.calendar import WorkCalendar
from guide_server.ratings.contacts import RETENTION_DAYS, ContactVault
from guide_server.ratings.models import CaseSettings, RatingCase, RatingContact
from guide_server.ratings.service import count_rollup
from guide_server.privacy import digits_of, find_personal_data

log = logging.getLogger("guide_server.ratings")

STATES: dict[str, str] = {"verify": "待核实", "rectify": "整改中", "rectified": "已整改",
                          "called_back": "已回访", "appeal": "申诉中", "revoked": "已撤销"}
OPEN_STATES = ("verify", "rectify", "rectified", "appeal")
NOTE_MAX = 1000

# action -> (label, from states, to state, roles allowed)
ACTIONS: dict[str, tuple[str, tuple[str, ...], str, tuple[str, ...]]] = {
    "verify": ("核实属实，开始整改", ("verify",), "rectify", ("manager",)),
    "rectified": ("整改完成", ("rectify",), "rectified", ("manager", "editor")),
    "callback": ("已回访", ("rectified",), "called_back", ("manager",)),
    "appeal": ("申诉", ("verify", "rectify"), "appeal", ("manager",)),
    "uphold": ("复核：维持差评", ("appeal",), "rectify", ("reviewer",)),
    "revoke": ("复核：撤销差评", ("appeal",), "revoked", ("reviewer",)),
}
AUDIT_ACTIONS = {"verify": "case_verify", "rectified": "case_rectified", "callback": "case_callback",
                 "appeal": "case_appeal", "uphold": "case_upheld", "revoke": "case_revoked",
                 "opened": "case_opened", "reveal": "case_reveal", "purge": "case_contact_purge",
                 "settings": "case_settings"}

DEFAULTS = {"verify_days": 1, "rectify_days": 15, "callback_days": 2}
RECTIFY_RANGE = (5, 15)


class CaseError(ValueError):
    """A request the follow-up rules refuse; the message is Chinese, for people."""


class Forbidden(CaseError):
    """The user's role may not take this step."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _aware(t: dt.datetime | None) -> dt.datetime | None:
    if t is not None and t.tzinfo is None:
        return t.replace(tzinfo=dt.timezone.utc)
    return t


def china_date(at: dt.datetime) -> dt.date:
    return _aware(at).astimezone(CHINA_TZ).date()


@dataclass(frozen=True)
class Deadlines:
    """Working days per step for one hall."""

    verify_days: int = DEFAULTS["verify_days"]
    rectify_days: int = DEFAULTS["rectify_days"]
    callback_days: int = DEFAULTS["callback_days"]


@dataclass
class CaseView:
    """A case as the pages see it: no contact beyond its masked form."""

    id: int
    rating_id: int
    hall: str
    guide_code: str
    department: str
    channel: str
    level: int
    state: str
    named: bool
    opened_at: dt.datetime
    verify_due: dt.date
    rectify_due: dt.date | None
    callback_due: dt.date | None
    closed_at: dt.datetime | None
    rectification: str
    appeal_by: str | None
    contact_masked: str | None
    reasons: tuple[str, ...] = ()
    comment: str | None = None
    overdue_step: str | None = None   # the label of the step that is overdue, if any
    due: dt.date | None = None        # the due date of the current step

    @property
    def state_label(self) -> str:
        return STATES[self.state]

    @property
    def closed(self) -> bool:
        return self.closed_at is not None


def current_due(c: RatingCase) -> tuple[str | None, dt.date | None]:
    """(step label, due date) of the step the case is in; (None, None) when closed or on appeal."""
    if c.closed_at is not None:
        return None, None
    if c.state == "verify":
        return "核实", c.verify_due
    if c.state == "rectify":
        return "整改", c.rectify_due
    if c.state == "rectified" and c.named:
        return "回访", c.callback_due
    return None, None


def overdue(c: RatingCase, today: dt.date) -> str | None:
    step, due = current_due(c)
    return step if due is not None and today > due else None


def check_note(text: str, contact_digits: str | None = None) -> str:
    """The note, trimmed; CaseError when it holds the citizen's phone, a mobile or an ID number."""
    note = (text or "").replace("\r\n", "\n").strip()
    if len(note) > NOTE_MAX:
        raise CaseError(f"说明最多 {NOTE_MAX} 字，现在是 {len(note)} 字。")
    if contact_digits and contact_digits in digits_of(note):
        raise CaseError("说明中不能写群众的联系电话，请删除号码后再提交（需要时在案件页查看）。")
    for f in find_personal_data(note):
        if f.kind == "id_number":
            raise CaseError(f"说明中不能写身份证号码（第 {f.start + 1}–{f.end} 个字），请删除后再提交。")
        if f.value.lstrip("0") == (contact_digits or "-").lstrip("0"):
            raise CaseError("说明中不能写群众的联系电话，请删除号码后再提交（需要时在案件页查看）。")
        if f.kind == "mobile":
            raise CaseError(f"说明中不能写手机号码（第 {f.start + 1}–{f.end} 个字），请删除后再提交。")
    return note


class CaseService:
    """Opens, moves, lists and purges 差评 cases."""

    def __init__(self, db: Database, instance: str | Path, calendar: WorkCalendar | None = None,
                 vault: ContactVault | None = None):
        self.db = db
        self.instance = Path(instance)
        self._calendar = calendar
        self._calendar_sig = self._holiday_files() if calendar is not None else None
        self._vault = vault

    # -- collaborators -------------------------------------------------------------------
    def _holiday_files(self) -> tuple:
        folder = self.instance / "holidays"
        try:
            return tuple(sorted((p.name, p.stat().st_mtime_ns) for p in folder.glob("*.yaml")))
        except OSError:
            return ()

    @property
    def calendar(self) -> WorkCalendar:
        """The working-day calendar; re-read when a holiday file is loaded into the instance."""
        sig = self._holiday_files()
        if self._calendar is None or sig != getattr(self, "_calendar_sig", None):
            self._calendar = WorkCalendar.load(self.instance)
            self._calendar_sig = sig
        return self._calendar

    def reload_calendar(self) -> WorkCalendar:
        self._calendar = None
        return self.calendar

    @property
    def vault(self) -> ContactVault:
        if self._vault is None:
            self._vault = ContactVault.for_instance(self.instance)
        return self._vault

    # -- settings -----------------------------------------------------------------------
    def deadlines(self, hall: str, s=None) -> Deadlines:
        def read(sess):
            row = sess.get(CaseSettings, hall) or sess.get(CaseSettings, "")
            return Deadlines(row.verify_days, row.rectify_days, row.callback_days) if row else Deadlines()
        if s is not None:
            return read(s)
        self.db.ready()
        with self.db.session() as sess:
            return read(sess)

    def set_deadlines(self, user: Account, hall: str, verify_days: int, rectify_days: int,
                      callback_days: int) -> Deadlines:
        """Set a hall's working days per step ("" = every hall without its own); admin only.
        CaseError unless 核实 1–5, 整改 5–15 and 回访 1–10 working days."""
        if not user.has_role("admin"):
            raise Forbidden("只有管理员可以设置办理时限。")
        if not 1 <= verify_days <= 5:
            raise CaseError("核实时限应为 1～5 个工作日。")
        if not RECTIFY_RANGE[0] <= rectify_days <= RECTIFY_RANGE[1]:
            raise CaseError(f"整改时限应为 {RECTIFY_RANGE[0]}～{RECTIFY_RANGE[1]} 个工作日。")
        if not 1 <= callback_days <= 10:
            raise CaseError("回访时限（整改期满后）应为 1～10 个工作日。")
        self.db.ready()
        with self.db.session.begin() as s:
            row = s.get(CaseSettings, hall)
            if row is None:
                row = CaseSettings(hall=hall)
                s.add(row)
            row.verify_days, row.rectify_days, row.callback_days = verify_days, rectify_days, callback_days
            row.updated_by, row.updated_at = user.name, _now()
            append(s, user.name, AUDIT_ACTIONS["settings"], None,
                   f"{hall or '默认'}：核实 {verify_days}、整改 {rectify_days}、回访 整改后 {callback_days} 个工作日")
        return Deadlines(verify_days, rectify_days, callback_days)

    def all_deadlines(self) -> dict[str, Deadlines]:
        self.db.ready()
        with self.db.session() as s:
            return {r.hall: Deadlines(r.verify_days, r.rectify_days, r.callback_days)
                    for r in s.scalars(select(CaseSettings).order_by(CaseSettings.hall))}

    # -- opening ----------------------------------------------------------------------------------
    def open_in(self, s, rating: Rating, contact_digits: str | None = None, masked: str | None = None) -> RatingCase:
        """Open the case of a 差评 in the caller's transaction (the rating is already flushed)."""
        now = _aware(rating.created)
        d = self.deadlines(rating.hall, s)
        case = RatingCase(rating_id=rating.id, hall=rating.hall, guide_code=rating.guide_code or "",
                          department=rating.department, channel=rating.channel, level=rating.level,
                          state="verify", named=bool(contact_digits), opened_at=now,
                          verify_due=self.calendar.add_working_days(china_date(now), d.verify_days),
                          updated_at=now)
        s.add(case)
        s.flush()
        if contact_digits:
            s.add(RatingContact(case_id=case.id, masked=masked or "", sealed=self.vault.seal(contact_digits),
                                created=now))
        append(s, "citizen", AUDIT_ACTIONS["opened"], f"case-{case.id}",
               f"{'实名' if contact_digits else '匿名'}差评（{rating.channel}），核实期限 {case.verify_due}", at=now)
        return case

    # -- reading ------------------------------------------------------------------------------
    def _view(self, c: RatingCase, r: Rating | None, masked: str | None, today: dt.date) -> CaseView:
        step, due = current_due(c)
        return CaseView(c.id, c.rating_id, c.hall, c.guide_code, c.department, c.channel, c.level, c.state,
                        c.named, _aware(c.opened_at), c.verify_due, c.rectify_due, c.callback_due,
                        _aware(c.closed_at), c.rectification, c.appeal_by, masked,
                        tuple(x for x in (r.reasons if r else "").split(",") if x), r.comment if r else None,
                        overdue(c, today), due)

    def get(self, case_id: int, now: dt.datetime | None = None) -> CaseView:
        self.db.ready()
        today = china_date(now or _now())
        with self.db.session() as s:
            c = s.get(RatingCase, case_id)
            if c is None:
                raise CaseError(f"没有编号为 {case_id} 的差评案件。")
            contact = s.get(RatingContact, case_id)
            return self._view(c, s.get(Rating, c.rating_id), contact.masked if contact else None, today)

    def list(self, state: str = "", hall: str = "", only_overdue: bool = False, limit: int = 200,
             now: dt.datetime | None = None) -> list[CaseView]:
        """Cases newest first; `state` "" = open ones, "all" = every case."""
        self.db.ready()
        today = china_date(now or _now())
        stmt = select(RatingCase, Rating, RatingContact.masked).join(Rating, Rating.id == RatingCase.rating_id) \
            .outerjoin(RatingContact, RatingContact.case_id == RatingCase.id).order_by(RatingCase.id.desc())
        if state == "":
            stmt = stmt.where(RatingCase.closed_at.is_(None))
        elif state != "all":
            stmt = stmt.where(RatingCase.state == state)
        if hall:
            stmt = stmt.where(RatingCase.hall == hall)
        with self.db.session() as s:
            rows = [self._view(c, r, m, today) for c, r, m in s.execute(stmt.limit(limit * 5 if only_overdue else limit))]
        if only_overdue:
            rows = [v for v in rows if v.overdue_step][:limit]
        return rows

    def history(self, case_id: int) -> list[AuditEntry]:
        self.db.ready()
        with self.db.session() as s:
            return list(s.scalars(select(AuditEntry).where(AuditEntry.code == f"case-{case_id}")
                                  .order_by(AuditEntry.id)))

    def overdue_cases(self, now: dt.datetime | None = None) -> list[CaseView]:
        """Open cases whose current step is past its due date."""
        self.db.ready()
        today = china_date(now or _now())
        out = []
        with self.db.session() as s:
            for c, r, m in s.execute(select(RatingCase, Rating, RatingContact.masked)
                                     .join(Rating, Rating.id == RatingCase.rating_id)
                                     .outerjoin(RatingContact, RatingContact.case_id == RatingCase.id)
                                     .where(RatingCase.closed_at.is_(None)).order_by(RatingCase.id)):
                v = self._view(c, r, m, today)
                if v.overdue_step:
                    out.append(v)
        return out

    def counts_by_state(self, hall: str = "", now: dt.datetime | None = None) -> dict[str, tuple[int, int]]:
        """state -> (cases, of which overdue). The counts come from the (state, hall) index; the
        overdue ones are looked for among the open cases only (index on closed_at and the due dates)."""
        self.db.ready()
        today = china_date(now or _now())
        out = {k: (0, 0) for k in STATES}
        late = ((RatingCase.state == "verify") & (RatingCase.verify_due < today)) | \
               ((RatingCase.state == "rectify") & (RatingCase.rectify_due < today)) | \
               ((RatingCase.state == "rectified") & RatingCase.named & (RatingCase.callback_due < today))
        counts = select(RatingCase.state, func.count()).group_by(RatingCase.state)
        overdue_q = select(RatingCase.state, func.count()).where(RatingCase.closed_at.is_(None), late) \
            .group_by(RatingCase.state)
        if hall:
            counts = counts.where(RatingCase.hall == hall)
            overdue_q = overdue_q.where(RatingCase.hall == hall)
        with self.db.session() as s:
            late_n = dict(s.execute(overdue_q).all())
            for state, n in s.execute(counts):
                out[state] = (n, int(late_n.get(state, 0)))
        return out

    def rectified_public(self, start: str, end: str, limit: int = 200) -> list[CaseView]:
        """Cases closed as rectified (已整改/已回访) whose 差评 was given in months start..end, for
        /pingjia: guide, department, when, what was done. No contact, no comment."""
        self.db.ready()
        lo = dt.datetime.fromisoformat(start + "-01").replace(tzinfo=CHINA_TZ)
        y, m = map(int, end.split("-"))
        hi = dt.datetime(y + (m == 12), m % 12 + 1, 1, tzinfo=CHINA_TZ)
        today = china_date(_now())
        with self.db.session() as s:
            stmt = select(RatingCase).where(RatingCase.state.in_(("rectified", "called_back")),
                                            RatingCase.opened_at >= lo, RatingCase.opened_at < hi) \
                .order_by(RatingCase.rectified_at.desc()).limit(limit)
            return [self._view(c, None, None, today) for c in s.scalars(stmt)]

    # -- moving ------------------------------------------------------------------------------
    def act(self, user: Account, case_id: int, action: str, note: str = "",
            now: dt.datetime | None = None) -> CaseView:
        """Take `action` (see ACTIONS) on a case as `user`, with a note (required for 整改完成 —
        it is published —, 回访, 申诉, 维持 and 撤销).

        Raises Forbidden when the role may not, CaseError when the case is not in a state the
        action starts from or the note is missing or holds personal data."""
        if action not in ACTIONS:
            raise CaseError("不认识的操作。")
        label, sources, target, roles = ACTIONS[action]
        if not user.has_role(*roles):
            from guide_server.accounts.service import ROLES
            need = "、".join(ROLES.get(r, r) for r in roles)
            raise Forbidden(f"“{label}”需要“{need}”角色，您的账号是“{user.role_label}”。")
        now = now or _now()
        today = china_date(now)
        self.db.ready()
        closed_contact = False
        with self.db.session.begin() as s:
            c = s.get(RatingCase, case_id)
            if c is None:
                raise CaseError(f"没有编号为 {case_id} 的差评案件。")
            if c.state not in sources:
                raise CaseError(f"案件现在是“{STATES[c.state]}”，不能“{label}”。")
            contact = s.get(RatingContact, case_id)
            digits = self.vault.open(contact.sealed) if contact else None
            text_ = check_note(note, digits)
            if action in ("rectified", "callback", "appeal", "uphold", "revoke") and not text_:
                what = {"rectified": "整改了什么（将公开发布）", "callback": "回访的结果",
                        "appeal": "申诉的理由", "uphold": "维持的理由", "revoke": "撤销的理由"}[action]
                raise CaseError(f"请填写{what}。")
            if action == "callback" and not c.named:
                raise CaseError("匿名差评没有联系方式，无需回访。")
            if action in ("uphold", "revoke") and c.appeal_by == user.name:
                raise Forbidden("申诉人不能复核自己提出的申诉，请由其他审核人员复核。")
            d = self.deadlines(c.hall, s)
            if action == "verify" or action == "uphold":
                c.rectify_due = self.calendar.add_working_days(today, d.rectify_days)
                c.callback_due = self.calendar.add_working_days(c.rectify_due, d.callback_days) if c.named else None
            if action == "rectified":
                c.rectification = text_
                c.rectified_at = now
                if not c.named:
                    c.closed_at = now
            if action == "appeal":
                c.appeal_from, c.appeal_by = c.state, user.name
            if action in ("uphold", "revoke"):
                c.appeal_from = None
            if action == "revoke":
                c.closed_at = now
                r = s.get(Rating, c.rating_id)
                if r is not None and not r.revoked:
                    r.revoked = True
                    count_rollup(s, r, -1)
            if action == "callback":
                c.closed_at = now
            c.state = target
            c.updated_at = now
            detail = f"{STATES[sources[0]] if len(sources) == 1 else '—'} → {STATES[target]}：{label}"
            if text_:
                detail += f"\n{text_}"
            append(s, user.name, AUDIT_ACTIONS[action], f"case-{c.id}", detail, at=now)
            if c.closed_at is not None and contact is not None:
                s.execute(delete(RatingContact).where(RatingContact.case_id == c.id))
                closed_contact = True
        if closed_contact:
            self._shred()
        log.info("case %s: %s by %s", case_id, AUDIT_ACTIONS[action], user.name)
        return self.get(case_id, now)

    def reveal_contact(self, user: Account, case_id: int) -> str:
        """The full contact number, for the call back (manager); the look is audited (no number)."""
        if not user.has_role("manager"):
            raise Forbidden("只有大厅管理人员可以查看完整的联系电话。")
        self.db.ready()
        with self.db.session.begin() as s:
            c = s.get(RatingCase, case_id)
            contact = s.get(RatingContact, case_id)
            if c is None or contact is None:
                raise CaseError("此案件没有（或已删除）联系电话。")
            digits = self.vault.open(contact.sealed)
            if digits is None:
                raise CaseError("联系电话无法解密（密钥已更换），无法回访。")
            append(s, user.name, AUDIT_ACTIONS["reveal"], f"case-{case_id}", "查看完整联系电话以回访")
        return digits

    # -- retention ----------------------------------------------------------------------------
    def purge_contacts(self, now: dt.datetime | None = None) -> int:
        """Delete contacts of closed cases and of any case older than RETENTION_DAYS; returns
        how many were deleted."""
        now = now or _now()
        self.db.ready()
        with self.db.session.begin() as s:
            ids = list(s.scalars(select(RatingContact.case_id).join(RatingCase, RatingCase.id == RatingContact.case_id)
                                 .where(RatingCase.closed_at.is_not(None)
                                        | (RatingContact.created < now - dt.timedelta(days=RETENTION_DAYS)))))
            if ids:
                s.execute(delete(RatingContact).where(RatingContact.case_id.in_(ids)))
                for cid in ids:
                    append(s, "system", AUDIT_ACTIONS["purge"], f"case-{cid}",
                           f"联系电话已删除（结案或超过 {RETENTION_DAYS} 天）", at=now)
        if ids:
            self._shred()
        return len(ids)

    def _shred(self) -> None:
        """SQLite: move the WAL into the file (secure_delete zeroed the freed cells) and empty it,
        so no copy of a deleted contact stays in the -wal file."""
        if self.db.engine.dialect.name != "sqlite":
            return
        with self.db.engine.connect() as conn:
            conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))

