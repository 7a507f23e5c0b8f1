"""The guide editor's domain: working copies, review, publish, history and the audit log.

No Flask here; guide_server.editor.views translates HTTP, guide_server.cli.content the
`guide-server content` commands.

Where guides live:
- the database holds one working copy per guide (`editor_guides`: data as JSON, status,
  version), every saved state (`editor_revisions`, the per-guide history) and the
  append-only `audit_log` (who, when, what, diff);
- the current release in the instance folder holds what citizens see. The first time the
  editor is used, the guides of the current release become its published working copies;
- publishing builds a new release from the current release's site, categories and guides,
  with every approved working copy put in (or, for an approved retirement, taken out), and
  writes it with guides.release.ReleaseStore.publish — the same mechanism as
  `guide-server release`, picked up by phone pages and kiosks like any other release.

A publish cannot half-happen. Holding the release store's lock throughout, it first commits
a `publish_intents` row (the content hash it will publish and, per guide, the before and
after states), then writes the release, then in one transaction marks the guides published,
appends the audit entries and closes the intent. `reconcile()` — run by create_app, by each
publish and by the CLI — finishes what a crash interrupted: a pending intent whose release
exists (newer than the release it started from, with its hash) is completed in the database;
one whose release never got written is closed as "abandoned" (the guides stay approved and
the audit log says the publish did not happen). Together with ReleaseStore.recover (which
finishes or drops the store's own half of it), the audit log, the guide states and CURRENT
agree after a crash at any moment.

Status of a working copy: draft -> in_review -> approved -> published; a reviewer can send
an in_review copy back to draft with a comment. retired = taken out of the releases, with
an optional successor the old QR URL points to. Every change checks the `version` the
editor started from, so concurrent edits are detected, never silently overwritten.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import tempfile
import json
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Iterable
from typing import Any

import yaml
from sqlalchemy import Boolean, DateTime, Integer, String, Text, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from guides.check_one import GuideCheck, check_guide
from guides.loader import Content
from guides.release import CHINA_TZ, Release, ReleaseError, ReleaseStore
from guides.scopes import covers_shared, scope_label
from guides.yamlsource import read_limited, safe_load_plain
from guide_server.accounts.service import Account
from guide_server.audit import AuditEntry
from guide_server.editor.attachments import Attachments
from guide_server.db import Base, Database
from guide_server.editor.errors import CheckFailed, EditorError, NotFound, OutOfScope  # noqa: F401 - re-exported

STATUSES = {"draft": "草稿", "in_review": "待审核", "approved": "已审核待发布", "published": "已发布",
            "retired": "已停用"}
ACTIONS = {"created": "新建", "copied": "复制新建", "saved": "保存", "submitted": "提交审核",
           "approved": "审核通过", "sent_back": "退回修改", "published": "发布", "retire": "申请停用",
           "retired": "停用", "restored": "恢复历史版本", "imported": "导入", "synced": "从版本载入",
           "withdrawn": "撤回审核", "interrupted": "发布中断（未生效）", "deleted": "删除本地覆盖"}
# Key order of CONTENT-STANDARD.md's file shape, for YAML that reads like content/.
KEY_ORDER = ["code", "basic_code", "name", "item_type", "audience", "category", "department", "department_code",
             "handling_unit", "level", "service_scope", "co_departments", "basis", "questions", "conditions",
             "materials", "time_limit", "speed", "fee", "channels", "visits", "visits_reason", "flow", "flow_image",
             "locations", "contacts", "result", "refusal_conditions", "remedies", "mistakes", "faq", "online_url",
             "forms", "aliases", "updated"]


class Conflict(EditorError):
    """The guide changed since the editor opened it."""

    def __init__(self, current: "GuideRow"):
        self.current = current
        super().__init__(f"保存未成功：此事项已被 {current.updated_by} 于 "
                         f"{current.updated.astimezone(CHINA_TZ):%m-%d %H:%M} 修改。"
                         "您填写的内容仍保留在下面，请核对差异后再保存。")


class StalePublish(EditorError):
    """Publishing would overwrite what another path published after these copies were made."""

    def __init__(self, rows: list, label: str):
        self.rows = rows
        names = "、".join(f"{r.code} {r.name}" for r in rows)
        super().__init__(f"未发布：{names} 在您修改之后已由其他途径更新（当前版本 {label}）。"
                         "直接发布会覆盖那次更新。请先在编辑页核对“与发布版本的差异”，"
                         "确认要以您的修改为准，再勾选“覆盖其他途径的更新”后发布。")


class EditorGuide(Base):
    __tablename__ = "editor_guides"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    category: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    data: Mapped[str] = mapped_column(Text, nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    authors: Mapped[str] = mapped_column(String(400), nullable=False, default="")
    retiring: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    successor: Mapped[str | None] = mapped_column(String(40), nullable=True)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    updated: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    updated_by: Mapped[str] = mapped_column(String(40), nullable=False)


class EditorRevision(Base):
    __tablename__ = "editor_revisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), nullable=False)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    data: Mapped[str] = mapped_column(Text, nullable=False)
    action: Mapped[str] = mapped_column(String(20), nullable=False)
    user_name: Mapped[str] = mapped_column(String(40), nullable=False)
    created: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class PublishIntent(Base):
    """A publish in progress: written before the release, closed after the database caught
    up with it ("done") or when it is known never to have happened ("abandoned")."""

    __tablename__ = "publish_intents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    user_name: Mapped[str] = mapped_column(String(40), nullable=False)
    content_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    base_number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    plan: Mapped[str] = mapped_column(Text, nullable=False)  # JSON: [{code, retiring, old, new}]
    state: Mapped[str] = mapped_column(String(16), nullable=False, index=True)  # pending, done, abandoned
    release_number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    finished: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


def _aware(t: dt.datetime) -> dt.datetime:
    return t.replace(tzinfo=dt.timezone.utc) if t.tzinfo is None else t


@dataclass(frozen=True)
class GuideRow:
    code: str
    name: str
    category: str
    status: str
    data: dict
    version: int
    authors: tuple[str, ...]
    retiring: bool
    successor: str | None
    comment: str | None
    updated: dt.datetime
    updated_by: str
    changed: bool = False  # differs from the current release

    @property
    def status_label(self) -> str:
        label = STATUSES.get(self.status, self.status)
        return label + ("（停用申请）" if self.retiring and self.status != "retired" else "")

    @property
    def editable(self) -> bool:
        return self.status in ("draft", "published")


@dataclass(frozen=True)
class Revision:
    id: int
    code: str
    number: int
    data: dict
    action: str
    user_name: str
    created: dt.datetime

    @property
    def action_label(self) -> str:
        return ACTIONS.get(self.action, self.action)


def ordered(data: dict) -> dict:
    out = {k: data[k] for k in KEY_ORDER if k in data}
    out.update({k: v for k, v in data.items() if k not in out})
    return out


def to_yaml(data: dict) -> str:
    """content/-style YAML of one guide."""
    return yaml.safe_dump(ordered(data), allow_unicode=True, sort_keys=False, width=1000, default_flow_style=None)


def diff_lines(old: dict | None, new: dict | None, old_label: str = "之前", new_label: str = "之后") -> list[str]:
    a = to_yaml(old).splitlines() if old else []
    b = to_yaml(new).splitlines() if new else []
    return list(difflib.unified_diff(a, b, old_label, new_label, n=2, lineterm=""))


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def _source(store: ReleaseStore, rel: Release) -> str:
    """Which path published `rel`, in words."""
    from guides.publishing import SOURCES

    return SOURCES.get(store.origin(rel.number).get("source", "unknown"), "未记录的途径") if rel.number else ""


def _guide_json(release: Release, code: str) -> dict | None:
    g = release.guides.get(code) if release else None
    return g.model_dump(mode="json", exclude_defaults=True) if g is not None else None


class EditorService:
    def __init__(self, db: Database, instance: str | Path):
        self.db = db
        self.releases = ReleaseStore(instance)
        self.attachments = Attachments(instance)
        self._synced: tuple | None = None  # (number, hash) of the release last learnt
        self._release: tuple[tuple, Release] | None = None  # (number, mtime_ns, size) -> loaded release
        from guide_server.editor.hall_service import HallEditor

        self.halls = HallEditor(self)  # halls' overrides and own guides, published through `publish`

    # -- reading ----------------------------------------------------------------------------------
    def current_release(self) -> Release | None:
        """The current release, loaded once per release: a release folder is written once and
        never changed, so (number, mtime, size of its content.json) names its state; a store
        re-created under the same number (a wiped instance) differs in mtime and is re-read."""
        number = self.releases.current_number()
        if number is None:
            return None
        try:
            st = (self.releases.folder(number) / "content.json").stat()
        except OSError:
            return self.releases.current()  # raises the store's own message
        key = (number, st.st_mtime_ns, st.st_size)
        if self._release is None or self._release[0] != key:
            self._release = (key, self.releases.load(number))
        return self._release[1]

    def categories(self) -> list[str]:
        rel = self.current_release()
        return [c.name for c in rel.categories] if rel else []

    def _row(self, g: EditorGuide, release: Release | None) -> GuideRow:
        data = json.loads(g.data)
        published = _guide_json(release, g.code) if release else None
        if g.status == "retired":
            changed = published is not None
        else:
            changed = g.retiring or published != data
        return GuideRow(g.code, g.name, g.category, g.status, data, g.version,
                        tuple(a for a in g.authors.split(",") if a), g.retiring, g.successor, g.comment,
                        _aware(g.updated), g.updated_by, changed)

    def sync_from_release(self) -> int:
        """Make the working copies agree with the current release, whichever path published it
        (`guide-server release` from content/, or this editor). Returns how many copies changed.

        - a guide the editor does not know yet becomes a published working copy;
        - a published copy (no pending edit) takes the release's version of its guide;
        - a published copy whose guide left the release becomes a draft saying so (retired
          in the release: it is retired here too); a retired copy whose guide is live again
          becomes published;
        - a copy with pending edits (draft, in review, approved) keeps them; `stale` then says
          the release changed under it, and publishing it needs an explicit confirmation.
        Runs once per release per process (cheap to call on every request)."""
        rel = self.current_release()
        if rel is None:
            return 0
        key = (rel.number, rel.hash)
        if self._synced == key:
            return 0
        self.db.ready()
        try:
            return self._sync(rel)
        except IntegrityError:
            # another worker or app instance made the same working copies at the same moment
            return 0

    def _sync(self, rel: Release) -> int:
        n = 0
        with self.db.session.begin() as s:
            rows = {g.code: g for g in s.scalars(select(EditorGuide))}
            for code in rel.guides:
                if code in rows:
                    continue
                data = _guide_json(rel, code)
                s.add(EditorGuide(code=code, name=data["name"], category=data["category"], status="published",
                                  data=json.dumps(data, ensure_ascii=False), version=1, authors="",
                                  retiring=False, updated=rel.created, updated_by="system"))
                self._revision(s, code, data, "synced", "system")
                n += 1
            for code, g in rows.items():
                n += self._learn(s, g, rel)
        self._synced = (rel.number, rel.hash)
        return n

    def _learn(self, s, g: EditorGuide, rel: Release) -> int:
        """Bring one working copy in line with `rel` (see sync_from_release); 1 if it changed."""
        published = _guide_json(rel, g.code)
        data = json.loads(g.data)
        values: dict[str, Any] = {}
        detail = ""
        if g.status == "published" and published is None:
            if g.code in rel.retired:
                values = dict(status="retired", retiring=True)
                detail = f"{rel.label} 中此事项已停用"
            else:
                values = dict(status="draft", comment=f"{rel.label}（{_source(self.releases, rel)}）已不含此事项，"
                              "手机页面和自助终端不再显示。如需恢复，请提交审核后重新发布。")
                detail = f"{rel.label} 中已没有此事项"
        elif g.status == "published" and published != data:
            values = dict(data=json.dumps(published, ensure_ascii=False), name=published["name"][:200],
                          category=published["category"][:100])
            detail = f"载入 {rel.label} 中的版本（{_source(self.releases, rel)}）"
        elif g.status == "retired" and published is not None:
            values = dict(status="published", retiring=False, successor=None,
                          data=json.dumps(published, ensure_ascii=False), name=published["name"][:200],
                          category=published["category"][:100])
            detail = f"{rel.label} 中此事项已恢复上线"
        if not values:
            return 0
        res = s.execute(update(EditorGuide).where(EditorGuide.code == g.code, EditorGuide.version == g.version)
                        .values(version=g.version + 1, updated=_now(), updated_by="system", **values))
        if res.rowcount != 1:  # another process synced it first
            return 0
        if "data" in values:
            self._revision(s, g.code, published, "synced", "system")
        self._audit(s, "system", "synced", g.code, detail, data, published if "data" in values else data)
        return 1

    def base(self, code: str) -> dict | None:
        """The published version a working copy started from: the data of its latest revision
        made by publishing or by learning a release; None for a guide never published."""
        with self.db.session() as s:
            rev = s.scalars(select(EditorRevision).where(EditorRevision.code == code,
                                                         EditorRevision.action.in_(("synced", "published")))
                            .order_by(EditorRevision.number.desc()).limit(1)).first()
            return json.loads(rev.data) if rev is not None else None

    def stale(self, row: "GuideRow") -> bool:
        """True when a copy with pending edits started from a version the current release no
        longer holds: another path published this guide meanwhile."""
        if row.status not in ("draft", "in_review", "approved"):
            return False
        return self.base(row.code) != self.published(row.code)

    def list(self, q: str = "", category: str = "", status: str = "") -> list[GuideRow]:
        self.sync_from_release()
        rel = self.current_release()
        with self.db.session() as s:
            rows = [self._row(g, rel) for g in s.scalars(select(EditorGuide).order_by(EditorGuide.code))]
        q = q.strip().lower()
        if q:
            rows = [r for r in rows if q in r.code.lower() or q in r.name.lower()]
        if category:
            rows = [r for r in rows if r.category == category]
        if status == "changed":
            rows = [r for r in rows if r.changed]
        elif status:
            rows = [r for r in rows if r.status == status]
        return rows

    def get(self, code: str) -> GuideRow:
        self.sync_from_release()
        with self.db.session() as s:
            g = s.get(EditorGuide, code)
            if g is None:
                raise NotFound(f"没有事项 {code}。")
            return self._row(g, self.current_release())

    def published(self, code: str) -> dict | None:
        return _guide_json(self.current_release(), code)

    def check(self, data: dict) -> GuideCheck:
        """The content checker on one working copy; attachments must be among the current
        release's (content/forms/ as released)."""
        cats = self.categories()
        rel = self.current_release()
        forms = rel.content.forms if rel is not None and rel.content.forms is not None else None
        if rel is not None and forms is None:
            forms = self.releases.root / ".no-attachments"  # none released: every named file is missing
        result = check_guide(data, categories=set(cats) if cats else None, forms_dir=forms)
        return self._with_uploads(data, result)

    def _with_uploads(self, data: dict, result: GuideCheck) -> GuideCheck:
        """`result` without "附件文件不存在" for files uploaded in the editor (not released yet)."""
        def uploaded(f) -> bool:
            if f.code != "E224" or "不存在" not in f.message:
                return False
            node: Any = data
            for p in f.path:
                node = node[p] if isinstance(node, (dict, list)) else None
            return isinstance(node, str) and self.attachments.path(node) is not None

        kept = [f for f in result.findings if not uploaded(f)]
        if len(kept) == len(result.findings):
            return result
        guide = None
        if not any(f.is_error for f in kept):
            from guides.model import Guide

            guide = Guide.model_validate(data)
        return GuideCheck(kept, guide, result.completeness)

    def history(self, code: str) -> list[Revision]:
        with self.db.session() as s:
            return [Revision(r.id, r.code, r.number, json.loads(r.data), r.action, r.user_name, _aware(r.created))
                    for r in s.scalars(select(EditorRevision).where(EditorRevision.code == code)
                                       .order_by(EditorRevision.number.desc()))]

    def revision(self, code: str, number: int) -> Revision:
        for r in self.history(code):
            if r.number == number:
                return r
        raise NotFound(f"事项 {code} 没有第 {number} 版。")

    def audit(self, code: str | None = None, limit: int = 200) -> list[AuditEntry]:
        self.db.ready()
        with self.db.session() as s:
            stmt = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
            if code:
                stmt = stmt.where(AuditEntry.code == code)
            entries = list(s.scalars(stmt))
            s.expunge_all()
        for e in entries:  # aware UTC on every database (SQLite hands back naive UTC)
            e.at = _aware(e.at).astimezone(dt.timezone.utc)
        return entries

    def _check_scope(self, user: Account) -> None:
        """OutOfScope unless `user`'s scope covers the shared guides this editor holds (they
        belong to the default hall, of site.yaml's region_code; guides.scopes)."""
        rel = self.current_release()
        region = rel.site.region_code if rel is not None else None
        if covers_shared(user.scope, region):
            return
        names = {code: r.name for code, r in rel.content.regions.items()} if rel is not None else {}
        hall = rel.site.hall_name if rel is not None else "本站"
        where = f"{names.get(region, '')}（{region}）" if region else "未注明区划"
        raise OutOfScope(f"您的权限范围是{scope_label(user.scope, names)}，不能修改、审核或发布{hall}"
                         f"（{where}）的共享事项。共享事项由该区划或其上级的编辑和审核人员维护；"
                         "各大厅的窗口、办理时间、电话等请在编辑器的“大厅”页面修改本大厅的本地覆盖。")

    # -- writing helpers ----------------------------------------------------------------------------
    def _revision(self, s, code: str, data: dict, action: str, user: str) -> None:
        last = s.scalar(select(func.max(EditorRevision.number)).where(EditorRevision.code == code)) or 0
        s.add(EditorRevision(code=code, number=last + 1, data=json.dumps(data, ensure_ascii=False),
                             action=action, user_name=user, created=_now()))

    def _audit(self, s, user: str, action: str, code: str | None, detail: str = "",
               old: dict | None = None, new: dict | None = None) -> None:
        diff = "\n".join(diff_lines(old, new)) if (old is not None or new is not None) and old != new else ""
        s.add(AuditEntry(at=_now(), user_name=user, action=action, code=code, detail=detail, diff=diff))

    def _locked(self, s, code: str, version: int | None) -> EditorGuide:
        g = s.get(EditorGuide, code)
        if g is None:
            raise NotFound(f"没有事项 {code}。")
        if version is not None and g.version != version:
            raise Conflict(self._row(g, self.current_release()))
        return g

    def _bump(self, s, g: EditorGuide, version: int, **values) -> None:
        """Update with a compare-and-set on version: two writers cannot both win."""
        values.update(version=version + 1, updated=_now())
        res = s.execute(update(EditorGuide).where(EditorGuide.code == g.code, EditorGuide.version == version)
                        .values(**values))
        if res.rowcount != 1:
            s.rollback()
            raise Conflict(self.get(g.code))

    # -- editing ------------------------------------------------------------------------------------
    def create(self, user: Account, code: str, data: dict, *, copied_from: str | None = None) -> GuideRow:
        self._check_scope(user)
        code = (code or "").strip()
        data = dict(data, code=code)
        from guides.codes import valid_code

        if not valid_code(code):
            raise EditorError(f"事项编码格式错误：{code or '（空）'} 应为 6-64 位字母、数字或“-”，以字母或数字开头"
                              "（如 11330382002609422Q3000102001000）")
        self.sync_from_release()
        action = "copied" if copied_from else "created"
        with self.db.session.begin() as s:
            if s.get(EditorGuide, code) is not None or self.published(code) is not None:
                raise EditorError(f"事项编码 {code} 已被使用。事项编码印在海报二维码上，不能重复使用。")
            s.add(EditorGuide(code=code, name=str(data.get("name", "")), category=str(data.get("category", "")),
                              status="draft", data=json.dumps(data, ensure_ascii=False), version=1,
                              authors=user.name, retiring=False, updated=_now(), updated_by=user.name))
            self._revision(s, code, data, action, user.name)
            self._audit(s, user.name, action, code, f"复制自 {copied_from}" if copied_from else "", None, data)
        return self.get(code)

    def create_many(self, user: Account, items: Iterable[tuple[str, dict]], action: str = "imported",
                    detail: str = "") -> list[str]:
        """New drafts for codes nobody uses yet, all in one transaction (an import of a 实施清单
        brings tens of thousands; rows go to the database 1,000 at a time, so memory stays flat
        whatever the number). Each gets its working copy, revision 1 (the full content) and an
        audit entry naming `detail` (the import's source) — without the line-by-line diff that
        `create` writes, since revision 1 already holds every line. Returns the codes created.
        EditorError, and nothing written, when a code is malformed or already used (by a
        working copy, the current release or an earlier item)."""
        from guides.codes import valid_code

        self._check_scope(user)
        self.sync_from_release()
        rel = self.current_release()
        now = _now()
        created: list[str] = []
        batch: tuple[list, list, list] = ([], [], [])
        with self.db.session.begin() as s:
            taken = set(s.scalars(select(EditorGuide.code)))

            def flush() -> None:
                for table, rows in zip((EditorGuide.__table__, EditorRevision.__table__, AuditEntry.__table__), batch):
                    if rows:
                        s.execute(table.insert(), rows)
                        rows.clear()

            for code, data in items:
                if not valid_code(code):
                    raise EditorError(f"事项编码格式错误：{code or '（空）'}")
                if code in taken or (rel is not None and code in rel.guides):
                    raise EditorError(f"事项编码 {code} 已被使用。事项编码印在海报二维码上，不能重复使用。")
                taken.add(code)
                data = dict(data, code=code)
                text = json.dumps(data, ensure_ascii=False)
                batch[0].append(dict(code=code, name=str(data.get("name", ""))[:200],
                                     category=str(data.get("category", ""))[:100], status="draft", data=text,
                                     version=1, authors=user.name, retiring=False, successor=None, comment=None,
                                     updated=now, updated_by=user.name))
                batch[1].append(dict(code=code, number=1, data=text, action=action, user_name=user.name, created=now))
                batch[2].append(dict(at=now, user_name=user.name, action=action, code=code, detail=detail, diff=""))
                created.append(code)
                if len(batch[0]) >= 1000:
                    flush()
            flush()
        return created

    def save(self, user: Account, code: str, version: int, data: dict, action: str = "saved") -> GuideRow:
        self._check_scope(user)
        data = dict(data, code=code)
        with self.db.session.begin() as s:
            g = self._locked(s, code, version)
            if g.status not in ("draft", "published"):
                raise EditorError(f"此事项现在是“{STATUSES[g.status]}”状态，不能修改。")
            old = json.loads(g.data)
            if old == data and g.status == "draft" and action == "saved":
                return self._row(g, self.current_release())
            authors = [a for a in g.authors.split(",") if a]
            if user.name not in authors:
                authors.append(user.name)
            self._bump(s, g, version, data=json.dumps(data, ensure_ascii=False), status="draft",
                       name=str(data.get("name", ""))[:200], category=str(data.get("category", ""))[:100],
                       authors=",".join(authors)[:400], updated_by=user.name)
            self._revision(s, code, data, action, user.name)
            self._audit(s, user.name, action, code, "", old, data)
        return self.get(code)

    def submit(self, user: Account, code: str, version: int) -> GuideRow:
        self._check_scope(user)
        row = self.get(code)
        if row.version != version:
            raise Conflict(row)
        if row.status != "draft":
            raise EditorError("只有草稿可以提交审核。")
        if not row.retiring:
            result = self.check(row.data)
            if not result.ok:
                raise CheckFailed(result)
        with self.db.session.begin() as s:
            g = self._locked(s, code, version)
            self._bump(s, g, version, status="in_review", comment=None, updated_by=user.name)
            self._audit(s, user.name, "submitted", code, "停用申请" if row.retiring else "")
        return self.get(code)

    def withdraw(self, user: Account, code: str, version: int) -> GuideRow:
        self._check_scope(user)
        with self.db.session.begin() as s:
            g = self._locked(s, code, version)
            if g.status != "in_review":
                raise EditorError("只有待审核的事项可以撤回。")
            self._bump(s, g, version, status="draft", updated_by=user.name)
            self._audit(s, user.name, "withdrawn", code)
        return self.get(code)

    def retire(self, user: Account, code: str, version: int, successor: str | None) -> GuideRow:
        self._check_scope(user)
        successor = (successor or "").strip() or None
        if successor == code:
            raise EditorError("接替事项不能是它自己。")
        if successor is not None:
            try:
                self.get(successor)
            except NotFound:
                raise EditorError(f"接替事项 {successor} 不存在，请填写现有的事项编码。") from None
        with self.db.session.begin() as s:
            g = self._locked(s, code, version)
            if g.status not in ("draft", "published"):
                raise EditorError(f"此事项现在是“{STATUSES[g.status]}”状态，不能申请停用。")
            authors = [a for a in g.authors.split(",") if a] + [user.name]
            self._bump(s, g, version, status="draft", retiring=True, successor=successor,
                       authors=",".join(dict.fromkeys(authors))[:400], updated_by=user.name)
            self._audit(s, user.name, "retire", code, f"接替事项：{successor or '无'}")
        return self.get(code)

    def restore(self, user: Account, code: str, version: int, number: int) -> GuideRow:
        self._check_scope(user)
        rev = self.revision(code, number)
        row = self.save(user, code, version, rev.data, action="restored")
        with self.db.session.begin() as s:
            self._audit(s, user.name, "restored", code, f"以第 {number} 版为新草稿")
        return row

    # -- review -------------------------------------------------------------------------------------
    def _reviewable(self, s, user: Account, code: str, version: int) -> EditorGuide:
        g = self._locked(s, code, version)
        if g.status != "in_review":
            raise EditorError("此事项不在待审核状态。")
        if user.name in [a for a in g.authors.split(",") if a]:
            raise EditorError("您参与修改了这一版内容，不能审核自己的修改，请由其他审核人员审核。")
        return g

    def approve(self, user: Account, code: str, version: int) -> GuideRow:
        self._check_scope(user)
        with self.db.session.begin() as s:
            g = self._reviewable(s, user, code, version)
            self._bump(s, g, version, status="approved", comment=None, updated_by=user.name)
            self._audit(s, user.name, "approved", code)
        return self.get(code)

    def send_back(self, user: Account, code: str, version: int, comment: str) -> GuideRow:
        self._check_scope(user)
        comment = (comment or "").strip()
        if not comment:
            raise EditorError("退回时请写明需要修改的地方。")
        with self.db.session.begin() as s:
            g = self._reviewable(s, user, code, version)
            self._bump(s, g, version, status="draft", comment=comment[:2000], updated_by=user.name)
            self._audit(s, user.name, "sent_back", code, comment[:2000])
        return self.get(code)

    def publish(self, user: Account, codes: list[str], *, allow_revert: bool = False,
                hall_items: list[int] | None = None) -> tuple[Release, bool]:
        """One new release with the approved guides `codes` (all approved ones when empty).

        With `hall_items` (ids of approved hall changes, guide_server.editor.hall_service; all
        approved ones the user's scope covers when empty) it publishes those instead of shared
        guides: the scope checked is each item's hall, and the release's halls get the changes.

        Built from the current release (so nothing another path published is dropped). A
        copy whose guide another path changed after the copy was made (`stale`) would
        overwrite that change: refused with StalePublish unless `allow_revert`.

        Intent first, then the release, then the database, all under the release store's lock
        (see the module docstring), so that a crash at any point is put right by `reconcile`."""
        if hall_items is None:
            self._check_scope(user)
        with self.releases.locked():
            self.reconcile()
            rel = self.current_release()
            if rel is None:
                raise EditorError("实例中还没有任何版本，无法取得大厅信息和主题分类。"
                                  "请先用 guide-server release 发布一次内容。")
            if hall_items is None:
                rows = [r for r in self.list(status="approved") if not codes or r.code in codes]
                items = []
            else:
                rows, items = [], self.halls.approved_for(user, hall_items)
            if not rows and not items:
                raise EditorError("没有选中任何已审核待发布的事项。")
            stale = [r for r in rows if self.stale(r)]
            if stale and not allow_revert:
                raise StalePublish(stale, rel.label)
            changed = [i for i in items if self.halls.stale(i)]
            if changed and not allow_revert:
                raise EditorError("未发布：" + "、".join(f"大厅 {i.hall} 的 {i.key}" for i in changed) +
                                  f" 在修改之后已由其他途径更新（当前版本 {rel.label}）。请核对后勾选“覆盖其他途径的更新”再发布。")
            content = self._content_with(rel, rows, items)
            with self._forms_with_uploads(content) as content:
                return self._publish(user, rel, rows, content, items)

    def _publish(self, user: Account, rel: Release, rows: list[GuideRow], content: Content,
                 hall_items: list | None = None) -> tuple[Release, bool]:
        """Intent, release, database (see `publish`); under the release store's lock."""
        from guides.release import build_release

        plan = [{"code": r.code, "retiring": r.retiring, "old": _guide_json(rel, r.code),
                 "new": None if r.retiring else r.data} for r in rows]
        plan += [self.halls.plan(rel, i) for i in hall_items or []]
        with self.db.session.begin() as s:
            intent = PublishIntent(created=_now(), user_name=user.name, state="pending", plan=json.dumps(
                plan, ensure_ascii=False), content_hash=build_release(content).hash, base_number=rel.number)
            s.add(intent)
            s.flush()
            intent_id = intent.id
        release, created = self.releases.publish(content, origin={"source": "editor", "by": user.name})
        self._finish(intent_id, release)
        return release, created

    @contextlib.contextmanager
    def _forms_with_uploads(self, content: Content):
        """`content` whose forms folder also holds the editor's uploads its guides name (a
        temporary folder of copies, removed afterwards); `content` itself when none is named."""
        from dataclasses import replace

        from guides.release import attachment_names

        names = [n for n in attachment_names(content) if self.attachments.path(n) is not None
                 and not (content.forms is not None and (content.forms / n).is_file())]
        if not names:
            yield content
            return
        with tempfile.TemporaryDirectory(dir=self.releases.instance, prefix=".publish-forms-") as tmp:
            folder = Path(tmp)
            if content.forms is not None:
                for src in content.forms.rglob("*"):
                    if src.is_file():
                        dest = folder / src.relative_to(content.forms)
                        dest.parent.mkdir(parents=True, exist_ok=True)
                        dest.write_bytes(src.read_bytes())
            for n in names:
                (folder / n).write_bytes(self.attachments.path(n).read_bytes())
            yield replace(content, forms=folder)

    def _content_with(self, rel: Release, rows: list[GuideRow], hall_items: list | None = None) -> Content:
        """The current release's content with the approved rows put in (or taken out), and the
        approved hall changes `hall_items` put into its halls."""
        guides = dict(rel.guides)
        retired = dict(rel.retired)
        from guides.model import Guide, Retired

        for r in rows:
            if r.retiring:
                continue
            result = self.check(r.data)
            if not result.ok:
                raise CheckFailed(result)
            guides[r.code] = Guide.model_validate(r.data)
        today = dt.datetime.now(CHINA_TZ).date()
        for r in rows:
            if r.retiring:
                old = guides.pop(r.code, None)
                retired[r.code] = Retired(code=r.code, name=old.name if old else r.name, retired_on=today,
                                          successor=r.successor if r.successor in guides else None)
        offered = {o.source: h for h, hall in rel.content.halls.items() for o in hall.offered}
        gone = [r.code for r in rows if r.retiring and r.code in offered]
        if gone:  # a hall's offer would point at nothing
            raise EditorError("以下共享事项仍有大厅在办理，不能停用：" + "、".join(
                f"{c}（大厅 {offered[c]}）" for c in gone) + "。请先从这些大厅的 hall.yaml 中去掉它。")
        halls = self.halls.apply(rel, guides, hall_items) if hall_items else rel.content.halls
        return Content(rel.site, rel.categories, dict(sorted(guides.items())),
                       tuple(sorted(retired.values(), key=lambda x: x.code)), rel.content.forms,
                       halls, rel.content.regions)

    def _finish(self, intent_id: int, release: Release) -> bool:
        """Bring the database up to `release` for intent `intent_id`, in one transaction:
        guides published or retired, audit entries, intent closed. False when the intent was
        already closed (by another process's reconcile)."""
        with self.db.session.begin() as s:
            closed = s.execute(update(PublishIntent)
                               .where(PublishIntent.id == intent_id, PublishIntent.state == "pending")
                               .values(state="done", release_number=release.number, finished=_now()))
            if closed.rowcount != 1:
                return False
            intent = s.get(PublishIntent, intent_id)
            for item in json.loads(intent.plan):
                if "hall_item" in item:
                    self.halls.finish(s, item, intent.user_name, release.stamp)
                    continue
                code, retiring = item["code"], item["retiring"]
                status = "retired" if retiring else "published"
                values: dict[str, Any] = {}
                if not retiring:  # the working copy holds exactly what was published
                    published = _guide_json(release, code)
                    values["data"] = json.dumps(published, ensure_ascii=False)
                    self._revision(s, code, published, "published", intent.user_name)
                s.execute(update(EditorGuide).where(EditorGuide.code == code).values(
                    status=status, retiring=retiring, authors="", comment=None,
                    version=EditorGuide.version + 1, updated=_now(), updated_by=intent.user_name, **values))
                self._audit(s, intent.user_name, "retired" if retiring else "published", code,
                            f"{release.stamp}", item["old"], item["new"])
        self._synced = (release.number, release.hash)
        return True

    def reconcile(self) -> list[str]:
        """Finish or close every publish a crash interrupted (see the module docstring) and put
        the release store right; returns what was done (Chinese, for the operator and the log). Safe to run at any time
        and from several processes: it works under the release store's lock."""
        done: list[str] = []
        with self.releases.locked():
            done += self.releases.recover()
            self.db.ready()
            from sqlalchemy import inspect

            if not inspect(self.db.engine).has_table("publish_intents"):
                return done  # a database not migrated yet has no intents
            with self.db.session() as s:
                pending = list(s.scalars(select(PublishIntent).where(PublishIntent.state == "pending")
                                         .order_by(PublishIntent.id)))
            for intent in pending:
                release = self._release_of(intent)
                if release is not None:
                    if self._finish(intent.id, release):
                        done.append(f"已补记被中断的发布 #{intent.id}：{release.stamp}")
                    continue
                with self.db.session.begin() as s:
                    closed = s.execute(update(PublishIntent)
                                       .where(PublishIntent.id == intent.id, PublishIntent.state == "pending")
                                       .values(state="abandoned", finished=_now()))
                    if closed.rowcount == 1:
                        for item in json.loads(intent.plan):
                            self._audit(s, intent.user_name, "interrupted", item["code"][:40],
                                        "发布被中断，未生效；事项仍为已审核待发布，请重新发布。")
                done.append(f"被中断的发布 #{intent.id} 没有生效，相关事项仍为已审核待发布")
        return done

    def _release_of(self, intent: PublishIntent) -> Release | None:
        """The release an intent published: its content hash, numbered after the release the
        intent started from (or that very release when nothing changed). None if none exists."""
        base = intent.base_number or 0
        for number in sorted(self.releases.numbers(), reverse=True):
            if number < base:
                break
            try:
                if self.releases.manifest_head(number).get("hash") == intent.content_hash:
                    return self.releases.load(number)
            except ReleaseError:
                continue
        return None

    # -- files ----------------------------------------------------------------------------------------
    def export(self, out: Path) -> int:
        """Write every guide not retired as content/-style YAML (working copies: drafts included)."""
        out = Path(out)
        (out / "guides").mkdir(parents=True, exist_ok=True)
        rel = self.current_release()
        if rel is not None:
            site = rel.site.model_dump(mode="json", exclude_defaults=True)
            (out / "site.yaml").write_text(yaml.safe_dump(site, allow_unicode=True, sort_keys=False), encoding="utf-8")
            cats = [c.model_dump(mode="json", exclude_defaults=True) for c in rel.categories]
            (out / "categories.yaml").write_text(yaml.safe_dump(cats, allow_unicode=True, sort_keys=False),
                                                 encoding="utf-8")
            if rel.content.retired:
                gone = [r.model_dump(mode="json", exclude_defaults=True) for r in rel.content.retired]
                (out / "retired.yaml").write_text(yaml.safe_dump(gone, allow_unicode=True, sort_keys=False),
                                                  encoding="utf-8")
            for name in rel.attachments:  # blank forms, samples: content/forms/ as released
                dest = out / "forms" / name
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_bytes(self.releases.attachment(rel.number, name))
        n = 0
        for r in self.list():
            if r.status == "retired":
                continue
            (out / "guides" / f"{r.code}.yaml").write_text(to_yaml(r.data), encoding="utf-8")
            for name in _attachment_names(r.data):  # uploaded in the editor, not released yet
                src = self.attachments.path(name)
                if src is not None and not (out / "forms" / name).exists():
                    (out / "forms").mkdir(parents=True, exist_ok=True)
                    (out / "forms" / name).write_bytes(src.read_bytes())
            n += 1
        return n

    def import_dir(self, user: Account, folder: Path) -> list[tuple[str, str, GuideCheck | None]]:
        """Load guides/<code>.yaml of `folder` as drafts. Returns (code, outcome, check) per file:
        outcome is "new", "changed", "same" or an error message. Drafts are saved even when the
        check finds errors (they are shown in the editor); files that do not parse are skipped."""
        from guides.check_one import check_guide_text

        folder = Path(folder)
        src = folder / "guides" if (folder / "guides").is_dir() else folder
        out: list[tuple[str, str, GuideCheck | None]] = []
        for path in sorted(src.glob("*.yaml")):
            try:
                text = read_limited(path).decode("utf-8")  # no symlink, at most MAX_BYTES
            except (OSError, UnicodeDecodeError):
                out.append((path.stem, "文件无法读取（符号链接、过大或不是 UTF-8），已跳过", None))
                continue
            cats = self.categories()
            result = check_guide_text(text, path.stem, categories=set(cats) if cats else None, display=str(path))
            try:
                data = safe_load_plain(text)
            except yaml.YAMLError:  # YamlSyntaxError too: an anchor, alias or deep nesting
                data = None
            if not isinstance(data, dict):
                out.append((path.stem, "文件无法解析，已跳过", result))
                continue
            data = json.loads(json.dumps(data, ensure_ascii=False, default=str))
            code = path.stem
            try:
                row = self.get(code)
            except NotFound:
                self.create(user, code, data)
                out.append((code, "new", result))
                continue
            if row.data == dict(data, code=code) and not row.retiring:
                out.append((code, "same", result))
                continue
            try:
                self.save(user, code, row.version, data, action="imported")
                out.append((code, "changed", result))
            except EditorError as exc:
                out.append((code, str(exc), result))
        return out


def _attachment_names(data: dict) -> list[str]:
    """The attachment file names a working copy names (materials, group members, forms)."""
    out = []
    for m in data.get("materials") or []:
        if isinstance(m, dict):
            for item in [m, *(m.get("items") or [] if isinstance(m.get("items"), list) else [])]:
                out += [item[k] for k in ("blank_form", "sample") if isinstance(item, dict) and isinstance(item.get(k), str)]
    for f in data.get("forms") or []:
        if isinstance(f, dict):
            out += [f[k] for k in ("file", "sample") if isinstance(f.get(k), str)]
    return out


def system_account(name: str = "import") -> Account:
    """An Account for command-line work (import) where nobody is logged in."""
    return Account(id=0, name=name, role="admin", active=True, session_epoch=0)


def dumps_guide(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True)
