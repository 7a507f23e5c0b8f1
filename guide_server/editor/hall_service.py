"""The editor's hall part: a hall's local overrides of shared guides and its own guides.

No Flask; guide_server.editor.hall_views translates HTTP.

What a hall may change lives in the current release (``content.halls``, guides.halls): for each
shared guide it offers, an override of the ``LOCAL_KEYS`` only (办理地点/窗口/办理时间, 咨询/投诉电话,
收费 …; never the 六统一 elements, E506), and its own guides. A change made in the web editor is
one row of ``editor_hall_items`` — (hall, kind "override" | "own", key) — that goes through the
same workflow as a shared guide: draft -> in_review -> approved -> published, with a reviewer
who did not make the change, a version compared on every write, and an append-only audit entry
for each step. Publishing is EditorService.publish (one release writer, one crash-safe intent):
it puts the approved hall items into the release's halls and calls `finish` for each.

Who: every step needs a scope covering the hall (guides.scopes.covers_hall): a county's staff
the county's halls and the halls under it, ``hall:<id>`` that hall only. The shared text shown
beside an override stays the city's (read-only here).
"""
from __future__ import annotations

import datetime as dt
import difflib
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import yaml
from pydantic import ValidationError
from sqlalchemy import Boolean, DateTime, Integer, String, Text, UniqueConstraint, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from guides.check_one import FieldFinding, GuideCheck, check_guide
from guides.findings import Finding
from guides.halls import LOCAL_KEYS, UNIFIED_KEYS, Hall, OfferedGuide, check_override_doc, resolve_offer
from guides.model import Guide
from guides.hallset import HallSet
from guides.release import Release
from guides.scopes import covers_hall, scope_label
from guides.yamlsource import YamlSyntaxError, parse_yaml
from guide_server.accounts.service import Account
from guide_server.audit import AuditEntry
from guide_server.db import Base
from guide_server.editor.errors import CheckFailed, EditorError, NotFound, OutOfScope

KINDS = {"override": "本地覆盖", "own": "本大厅事项"}
STATUSES = {"draft": "草稿", "in_review": "待审核", "approved": "已审核待发布", "published": "已发布"}
# Keys the override form has fields for; the other LOCAL_KEYS are edited as YAML beside them.
FORM_KEYS = ("locations", "contacts", "fee")


def _diff(old: Any, new: Any) -> list[str]:
    """Unified diff of two YAML renderings (override or guide), for the audit log."""
    def lines(v: Any) -> list[str]:
        return yaml.safe_dump(v, allow_unicode=True, sort_keys=False, width=1000).splitlines() if v else []

    return list(difflib.unified_diff(lines(old), lines(new), "之前", "之后", n=2, lineterm=""))


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def _aware(t: dt.datetime) -> dt.datetime:
    return t.replace(tzinfo=dt.timezone.utc) if t.tzinfo is None else t


class HallItemRow(Base):
    __tablename__ = "editor_hall_items"
    __table_args__ = (UniqueConstraint("hall", "kind", "key", name="uq_editor_hall_items"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hall: Mapped[str] = mapped_column(String(40), nullable=False)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    key: Mapped[str] = mapped_column(String(64), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    data: Mapped[str] = mapped_column(Text, nullable=False)
    base: Mapped[str] = mapped_column(Text, nullable=False, default="null")
    deleting: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    authors: Mapped[str] = mapped_column(String(400), nullable=False, default="")
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    updated: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    updated_by: Mapped[str] = mapped_column(String(40), nullable=False)


@dataclass(frozen=True)
class HallItem:
    """One hall change in the editor. `data` is the override (kind "override") or the whole
    guide (kind "own"); `base` what the release held when the change started (None: nothing);
    `deleting` an override to be removed (the hall then shows the shared text as it is)."""
    id: int
    hall: str
    kind: str
    key: str
    status: str
    data: dict
    base: Any
    deleting: bool
    version: int
    authors: tuple[str, ...]
    comment: str | None
    updated: dt.datetime
    updated_by: str

    @property
    def status_label(self) -> str:
        return STATUSES.get(self.status, self.status) + ("（删除覆盖）" if self.deleting and self.status != "published"
                                                         else "")

    @property
    def editable(self) -> bool:
        return self.status in ("draft", "published")

    @property
    def pending(self) -> bool:
        return self.status != "published"


@dataclass(frozen=True)
class Offer:
    """A shared guide as a hall offers it: the key its override file is named by (basic_code or
    code), the shared guide, the override in the current release and the editor's change."""
    key: str
    source: str
    shared: Guide
    override: dict
    item: HallItem | None

    @property
    def code(self) -> str:
        return self.override.get("code", self.source)


@dataclass(frozen=True)
class HallSummary:
    id: str
    name: str
    region_code: str
    region_label: str
    pending: int


@dataclass
class OverrideCheck:
    """Findings of an override as the form shows them: by form field ("locations.0.hours",
    "contacts.consult", "extra" for the YAML of the other local elements, "" for the whole)."""
    findings: list[FieldFinding]

    @property
    def ok(self) -> bool:
        return not any(f.is_error for f in self.findings)

    def by_field(self) -> dict[str, list[FieldFinding]]:
        out: dict[str, list[FieldFinding]] = {}
        for f in self.findings:
            out.setdefault(f.field, []).append(f)
        return out


def override_text(override: dict) -> str:
    """The override's local elements other than FORM_KEYS as YAML ('' when none)."""
    rest = {k: v for k, v in override.items() if k not in FORM_KEYS}
    return yaml.safe_dump(rest, allow_unicode=True, sort_keys=False, width=1000) if rest else ""


def check_override(shared: Guide, source: str, override: dict, extra_text: str = "",
                   categories: set[str] | None = None) -> tuple[dict, OverrideCheck]:
    """(the override as it would be published, its findings).

    `override` holds the form's keys (FORM_KEYS); `extra_text` the YAML of the other local
    elements. A 六统一 element there is E506 and an unknown key E101, with the line in the text
    (guides.halls.check_override_doc, the rules the file checker applies, text rules included,
    each with its line in the text); then the shared guide
    with the override applied must pass the content checker (errors of the overridden elements
    are shown at their fields)."""
    findings: list[FieldFinding] = []
    data = {k: v for k, v in override.items() if k in FORM_KEYS}
    if extra_text.strip():
        try:
            doc = parse_yaml(extra_text, "其他本地要素")
        except YamlSyntaxError as exc:
            findings.append(FieldFinding(("extra",), "E001", f"第 {exc.line} 行：YAML 语法错误：{exc.message}", line=exc.line))
            return data, OverrideCheck(findings)
        found: list[Finding] = []
        extra, ok = check_override_doc(doc, found)
        findings += [FieldFinding(("extra",), f.code, f"第 {f.line} 行：{f.message}", f.severity, f.line) for f in found]
        if not ok:
            return data, OverrideCheck(findings)
        clash = [k for k in extra if k in FORM_KEYS]
        for k in clash:
            findings.append(FieldFinding(("extra",), "E003", f"{LOCAL_KEYS[k]}（{k}）请在上面的表单中填写，不要写在这里"))
        if clash:
            return data, OverrideCheck(findings)
        data.update(json.loads(json.dumps(extra, ensure_ascii=False, default=str)))
    unified = [k for k in data if k in UNIFIED_KEYS]
    for k in unified:  # the form cannot produce one; data from elsewhere could
        findings.append(FieldFinding((k,), "E506", f"本地覆盖修改了六统一要素：{UNIFIED_KEYS[k]}（{k}）全省统一，各大厅不得改动"))
    if unified:
        return data, OverrideCheck(findings)
    # the text rules of the other elements were reported above, with their lines; the fields
    # of the form get theirs from the merged guide's check
    extra_codes = {f.code for f in findings}
    merged = shared.model_dump(mode="json", exclude_unset=True)
    merged.update(data)
    merged["code"] = data.get("code", source)
    result = check_guide(merged, categories=categories)
    for f in result.findings:
        top = str(f.path[0]) if f.path else ""
        if top in data and top in FORM_KEYS:
            findings.append(f)
        elif top in data:
            if f.code not in extra_codes:
                findings.append(FieldFinding(("extra",), f.code, f.message, f.severity))
        elif f.is_error:  # the shared text itself fails: say so, it is not this hall's to fix
            findings.append(FieldFinding(("",), f.code, f"共享事项本身未通过检查（{f.field}）：{f.message}", f.severity))
    return data, OverrideCheck(findings)


class HallEditor:
    """Hall changes for EditorService `editor` (same database, release store and audit log)."""

    def __init__(self, editor):
        self.editor = editor
        self.db = editor.db

    # -- reading ---------------------------------------------------------------------------------
    def _release(self) -> Release:
        rel = self.editor.current_release()
        if rel is None:
            raise EditorError("实例中还没有任何版本。请先用 guide-server release 发布一次内容。")
        return rel

    def _hall(self, hall_id: str) -> Hall:
        rel = self._release()
        hall = rel.content.halls.get(hall_id)
        if hall is None:
            raise NotFound(f"没有大厅 {hall_id}。")
        return hall

    def region_names(self) -> dict[str, str]:
        rel = self.editor.current_release()
        return {c: r.name for c, r in rel.content.regions.items()} if rel is not None else {}

    def check_scope(self, user: Account, hall_id: str) -> Hall:
        """The hall, or OutOfScope (Chinese) unless `user`'s scope covers it."""
        hall = self._hall(hall_id)
        if covers_hall(user.scope, hall_id, hall.site.region_code):
            return hall
        names = self.region_names()
        where = names.get(hall.site.region_code, "")
        raise OutOfScope(
            f"您的权限范围是{scope_label(user.scope, names)}，不能查看、修改、审核或发布{hall.site.name}"
            f"（{where}{hall.site.region_code}）的事项和本地覆盖。请联系该大厅所在区划或其上级的编辑和审核人员。")

    def halls(self, user: Account) -> list[HallSummary]:
        """The halls `user`'s scope covers, with how many changes each has pending."""
        rel = self.editor.current_release()
        if rel is None:
            return []
        names = self.region_names()
        with self.db.session() as s:
            pending: dict[str, int] = {}
            for h in s.scalars(select(HallItemRow.hall).where(HallItemRow.status != "published")):
                pending[h] = pending.get(h, 0) + 1
        sites = {hid: rel.content.hall_site(hid) for hid in rel.content.halls}  # not the halls' guides
        return [HallSummary(hid, site.name, site.region_code, names.get(site.region_code, site.region_code),
                            pending.get(hid, 0))
                for hid, site in sites.items() if covers_hall(user.scope, hid, site.region_code)]

    def _item(self, r: HallItemRow) -> HallItem:
        return HallItem(r.id, r.hall, r.kind, r.key, r.status, json.loads(r.data), json.loads(r.base), r.deleting,
                        r.version, tuple(a for a in r.authors.split(",") if a), r.comment, _aware(r.updated),
                        r.updated_by)

    def items(self, hall_id: str | None = None, status: str | None = None) -> list[HallItem]:
        with self.db.session() as s:
            stmt = select(HallItemRow).order_by(HallItemRow.hall, HallItemRow.kind, HallItemRow.key)
            if hall_id is not None:
                stmt = stmt.where(HallItemRow.hall == hall_id)
            if status is not None:
                stmt = stmt.where(HallItemRow.status == status)
            return [self._item(r) for r in s.scalars(stmt)]

    def item(self, hall_id: str, kind: str, key: str) -> HallItem | None:
        with self.db.session() as s:
            r = s.scalar(select(HallItemRow).where(HallItemRow.hall == hall_id, HallItemRow.kind == kind,
                                                   HallItemRow.key == key))
            return self._item(r) if r is not None else None

    def offers(self, hall_id: str) -> list[Offer]:
        """The shared guides hall `hall_id` offers, in hall.yaml's order."""
        rel = self._release()
        hall = self._hall(hall_id)
        by_source = {o.source: o for o in hall.offered}
        items = {i.key: i for i in self.items(hall_id) if i.kind == "override"}
        out = []
        for offer in hall.site.offers:
            key = offer.basic_code or offer.code or ""
            if offer.code is not None:
                source = offer.code
            else:
                source = next((c for c, g in rel.guides.items() if g.basic_code == offer.basic_code), "")
            if source not in rel.guides:
                continue
            current = by_source.get(source)
            out.append(Offer(key, source, rel.guides[source], dict(current.override) if current else {},
                             items.get(key)))
        return out

    def offer(self, hall_id: str, key: str) -> Offer:
        for o in self.offers(hall_id):
            if o.key == key:
                return o
        raise NotFound(f"大厅 {hall_id} 没有办理共享事项 {key}。")

    def own(self, hall_id: str) -> list[tuple[str, Guide | None, HallItem | None]]:
        """(code, guide in the release or None, the editor's change or None) of the hall's own guides."""
        hall = self._hall(hall_id)
        items = {i.key: i for i in self.items(hall_id) if i.kind == "own"}
        codes = sorted(set(hall.own) | set(items))
        return [(c, hall.own.get(c), items.get(c)) for c in codes]

    def published_own(self, hall_id: str, code: str) -> dict | None:
        g = self._hall(hall_id).own.get(code)
        return g.model_dump(mode="json", exclude_defaults=True) if g is not None else None

    def check_own(self, data: dict) -> GuideCheck:
        return self.editor.check(data)

    def categories(self) -> set[str] | None:
        cats = self.editor.categories()
        return set(cats) if cats else None

    # -- writing ---------------------------------------------------------------------------------
    def _audit(self, s, user: str, action: str, item_hall: str, kind: str, key: str, detail: str = "",
               old: Any = None, new: Any = None) -> None:
        diff = "\n".join(_diff(old, new)) if (old or new) and old != new else ""
        what = f"大厅 {item_hall} {KINDS[kind]} {key}"
        s.add(AuditEntry(at=_now(), user_name=user, action=action, code=key[:40],
                         detail=f"{what}{'：' + detail if detail else ''}", diff=diff))

    def _locked(self, s, item_id: int, version: int | None) -> HallItemRow:
        r = s.get(HallItemRow, item_id)
        if r is None:
            raise NotFound("没有这项修改。")
        if version is not None and r.version != version:
            raise EditorError(f"操作未成功：这项修改已被 {r.updated_by} 更新，请刷新页面后再操作。")
        return r

    def _bump(self, s, r: HallItemRow, version: int, **values) -> None:
        values.update(version=version + 1, updated=_now())
        res = s.execute(update(HallItemRow).where(HallItemRow.id == r.id, HallItemRow.version == version)
                        .values(**values))
        if res.rowcount != 1:
            raise EditorError("操作未成功：这项修改刚被其他人更新，请刷新页面后再操作。")

    def _write(self, user: Account, hall_id: str, kind: str, key: str, version: int | None, data: dict,
               base: Any, deleting: bool = False) -> HallItem:
        """Save `data` as the draft of (hall, kind, key); `version` the one the editor started from
        (None: a new item)."""
        self.check_scope(user, hall_id)
        try:
            return self._write_once(user, hall_id, kind, key, version, data, base, deleting)
        except IntegrityError:  # someone created the same item at the same moment
            raise EditorError("保存未成功：这项修改刚被其他人新建，请刷新页面后再修改。") from None

    def _write_once(self, user: Account, hall_id: str, kind: str, key: str, version: int | None, data: dict,
                    base: Any, deleting: bool) -> HallItem:
        action = "deleted" if deleting else "saved"
        with self.db.session.begin() as s:
            r = s.scalar(select(HallItemRow).where(HallItemRow.hall == hall_id, HallItemRow.kind == kind,
                                                   HallItemRow.key == key))
            if r is None:
                r = HallItemRow(hall=hall_id, kind=kind, key=key, status="draft",
                                data=json.dumps(data, ensure_ascii=False), base=json.dumps(base, ensure_ascii=False),
                                deleting=deleting, version=1, authors=user.name, updated=_now(), updated_by=user.name)
                s.add(r)
                self._audit(s, user.name, "created" if kind == "own" and base is None else action, hall_id, kind, key,
                            "", base, None if deleting else data)
                s.flush()
                return self._item(r)
            if (version is not None and r.version != version) or (version is None and r.status != "published"):
                raise EditorError(f"保存未成功：这项修改已被 {r.updated_by} 于 "
                                               f"{_aware(r.updated):%m-%d %H:%M} 更新，请刷新页面后再修改。")
            if r.status not in ("draft", "published"):
                raise EditorError(f"这项修改现在是“{STATUSES[r.status]}”状态，不能修改。")
            old = json.loads(r.data) if r.status == "draft" else base
            authors = [a for a in r.authors.split(",") if a] if r.status == "draft" else []
            authors = list(dict.fromkeys(authors + [user.name]))
            values: dict[str, Any] = dict(data=json.dumps(data, ensure_ascii=False), status="draft", deleting=deleting,
                                          authors=",".join(authors)[:400], updated_by=user.name, comment=None
                                          if r.status == "published" else r.comment)
            if r.status == "published":  # a new change starts from what the release holds now
                values["base"] = json.dumps(base, ensure_ascii=False)
            self._bump(s, r, r.version, **values)
            self._audit(s, user.name, action, hall_id, kind, key, "", old, None if deleting else data)
        return self.item(hall_id, kind, key)

    def save_override(self, user: Account, hall_id: str, key: str, version: int | None, override: dict) -> HallItem:
        """Draft of the override of shared guide `key` (only LOCAL_KEYS; E506 refused here too)."""
        offer = self.offer(hall_id, key)
        bad = [k for k in override if k not in LOCAL_KEYS]
        if bad:
            raise EditorError("本地覆盖只能修改" + "、".join(LOCAL_KEYS.values()) + "；不能修改："
                                           + "、".join(f"{UNIFIED_KEYS.get(k, k)}（{k}）" for k in bad) + "。")
        return self._write(user, hall_id, "override", key, version, override, offer.override)

    def delete_override(self, user: Account, hall_id: str, key: str, version: int | None) -> HallItem:
        offer = self.offer(hall_id, key)
        if not offer.override and (offer.item is None or not offer.item.pending):
            raise EditorError("这个事项没有本地覆盖，无需删除。")
        return self._write(user, hall_id, "override", key, version, {}, offer.override, deleting=True)

    def create_own(self, user: Account, hall_id: str, code: str, data: dict) -> HallItem:
        """A new own guide of the hall, as a draft; its code must be unused everywhere."""
        from guides.codes import valid_code

        self.check_scope(user, hall_id)
        code = (code or "").strip()
        if not valid_code(code):
            raise EditorError(f"事项编码格式错误：{code or '（空）'} 应为 6-64 位字母、数字或“-”，以字母或数字开头")
        rel = self._release()
        used = set(rel.guides) | {r.code for r in rel.content.retired}
        for hid in rel.content.halls:
            used |= set(rel.content.hall_codes(hid))
        with self.db.session() as s:
            used |= set(s.scalars(select(HallItemRow.key).where(HallItemRow.kind == "own")))
        try:
            self.editor.get(code)
            used.add(code)
        except NotFound:
            pass
        if code in used:
            raise EditorError(f"事项编码 {code} 已被使用。事项编码印在海报二维码上，不能重复使用。")
        return self._write(user, hall_id, "own", code, None, dict(data, code=code), None)

    def save_own(self, user: Account, hall_id: str, code: str, version: int | None, data: dict) -> HallItem:
        base = self.published_own(hall_id, code)
        if base is None and self.item(hall_id, "own", code) is None:
            raise NotFound(f"大厅 {hall_id} 没有事项 {code}。")
        return self._write(user, hall_id, "own", code, version, dict(data, code=code), base)

    def _load(self, item_id: int) -> HallItem:
        with self.db.session() as s:
            r = s.get(HallItemRow, item_id)
            if r is None:
                raise NotFound("没有这项修改。")
            return self._item(r)

    def _step(self, user: Account, item_id: int, version: int | None, *, want: str, to: str, action: str,
              what: str, comment: str | None = None) -> HallItem:
        """Move item `item_id` from status `want` to `to` (scope checked, version compared,
        reviewers never their own change), with audit entry `action` (`comment` its detail)."""
        self.check_scope(user, self._load(item_id).hall)
        with self.db.session.begin() as s:
            r = self._locked(s, item_id, version)
            if r.status != want:
                raise EditorError(f"这项修改现在是“{STATUSES[r.status]}”状态，不能{what}。")
            if action in ("approved", "sent_back") and user.name in r.authors.split(","):
                raise EditorError("您参与修改了这一版内容，不能审核自己的修改，请由其他审核人员审核。")
            self._bump(s, r, r.version, status=to, comment=comment, updated_by=user.name)
            self._audit(s, user.name, action, r.hall, r.kind, r.key, comment or "")
        return self._load(item_id)

    def submit(self, user: Account, item_id: int, version: int | None) -> HallItem:
        """draft -> in_review, after the checker passes (the override applied, or the own guide);
        CheckFailed / EditorError (Chinese) with the findings otherwise."""
        item = self._load(item_id)
        self.check_scope(user, item.hall)
        if item.status == "draft" and not item.deleting:
            if item.kind == "own":
                result = self.check_own(item.data)
                if not result.ok:
                    raise CheckFailed(result)
            else:
                offer = self.offer(item.hall, item.key)
                _, found = check_override(offer.shared, offer.source, item.data, "", self.categories())
                if not found.ok:
                    raise EditorError("内容检查未通过：" + "；".join(f.message for f in found.findings if f.is_error))
        return self._step(user, item_id, version, want="draft", to="in_review", action="submitted", what="提交审核")

    def withdraw(self, user: Account, item_id: int, version: int | None) -> HallItem:
        """in_review -> draft, by an editor (the change can be edited again)."""
        return self._step(user, item_id, version, want="in_review", to="draft", action="withdrawn", what="撤回")

    def approve(self, user: Account, item_id: int, version: int | None) -> HallItem:
        """in_review -> approved, by a reviewer whose scope covers the hall and who did not make it."""
        return self._step(user, item_id, version, want="in_review", to="approved", action="approved", what="审核")

    def send_back(self, user: Account, item_id: int, version: int | None, comment: str) -> HallItem:
        """in_review -> draft with the reviewer's `comment` (required)."""
        comment = (comment or "").strip()[:2000]
        if not comment:
            raise EditorError("退回时请写明需要修改的地方。")
        return self._step(user, item_id, version, want="in_review", to="draft", action="sent_back", what="退回",
                          comment=comment)

    # -- publishing (called by EditorService.publish) ---------------------------------------------
    def approved_for(self, user: Account, ids: list[int]) -> list[HallItem]:
        """The approved items `ids` (all approved ones `user`'s scope covers when empty);
        OutOfScope when `user` names one outside their scope."""
        rows = self.items(status="approved")
        if ids:
            rows = [r for r in rows if r.id in ids]
            for r in rows:
                self.check_scope(user, r.hall)
            return rows
        rel = self._release()
        return [r for r in rows if r.hall in rel.content.halls
                and covers_hall(user.scope, r.hall, rel.content.halls[r.hall].site.region_code)]

    def changes(self, item: HallItem) -> list[str]:
        """Unified diff (YAML lines) from what the release holds now to the change `item`."""
        if item.kind == "own":
            now = self.published_own(item.hall, item.key)
        else:
            now = self.offer(item.hall, item.key).override
        return _diff(now, None if item.deleting else item.data)

    def stale(self, item: HallItem) -> bool:
        """True when the release changed this override / own guide after the change started."""
        if not item.pending:
            return False
        if item.kind == "own":
            return self.published_own(item.hall, item.key) != item.base
        try:
            return self.offer(item.hall, item.key).override != (item.base or {})
        except NotFound:
            return True

    def apply(self, rel: Release, guides: dict[str, Guide], items: list[HallItem]) -> Mapping[str, Hall]:
        """The release's halls with `items` put in (a guides.hallset.HallSet: a hall no item
        touches stays its part file, linked into the next release unread); EditorError
        (Chinese) when one no longer fits (the offer is gone, a code is taken, the override
        does not resolve)."""
        source = rel.content.halls
        halls: dict[str, Hall] = {}  # the halls the items change

        def codes(hall_id: str) -> list[str]:
            return halls[hall_id].codes() if hall_id in halls else rel.content.hall_codes(hall_id)

        for it in items:
            hall = halls.get(it.hall) or (source[it.hall] if it.hall in source else None)
            if hall is None:
                raise EditorError(f"大厅 {it.hall} 已不在当前版本中，不能发布它的修改。")
            if it.kind == "own":
                check = self.check_own(it.data)
                if not check.ok:
                    raise CheckFailed(check)
                own = dict(hall.own)
                own[it.key] = check.guide
                taken = set(guides) | {c for h in source if h != it.hall for c in codes(h)}
                if it.key in taken or it.key in {o.code for o in hall.offered}:
                    raise EditorError(f"事项编码 {it.key} 已被使用，不能发布为大厅 {it.hall} 的事项。")
                halls[it.hall] = replace(hall, own=dict(sorted(own.items())))
                continue
            offer = self.offer(it.hall, it.key)
            entry = OfferedGuide(it.data.get("code", offer.source), offer.source, dict(it.data))
            try:
                resolve_offer(guides[offer.source], entry)
            except (KeyError, ValidationError):
                raise EditorError(f"大厅 {it.hall} 对 {it.key} 的本地覆盖与共享事项不符，请重新编辑后再提交。")
            offered = tuple(entry if o.source == offer.source else o for o in hall.offered)
            halls[it.hall] = replace(hall, offered=offered)
        part = getattr(source, "part", lambda _h: None)
        return HallSet({h: halls[h] if h in halls else (part(h) or source[h]) for h in source})

    def plan(self, rel: Release, item: HallItem) -> dict:
        old = self.published_own(item.hall, item.key) if item.kind == "own" else self.offer(item.hall, item.key).override
        return {"hall_item": item.id, "hall": item.hall, "kind": item.kind, "key": item.key, "code": item.key,
                "retiring": False, "old": old, "new": item.data}

    def finish(self, s, item: dict, user: str, stamp: str) -> None:
        """In the publish's transaction: the item published, one audit entry."""
        s.execute(update(HallItemRow).where(HallItemRow.id == item["hall_item"]).values(
            status="published", authors="", comment=None, deleting=False, base=json.dumps(item["new"], ensure_ascii=False),
            version=HallItemRow.version + 1, updated=_now(), updated_by=user))
        self._audit(s, user, "published", item["hall"], item["kind"], item["key"], stamp, item["old"], item["new"])

