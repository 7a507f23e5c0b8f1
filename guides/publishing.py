"""No publishing path silently undoes another (DESIGN.md: one source of truth).

Guides reach a release two ways: `guide-server release --content DIR` (the content folder)
and the web editor's 发布. Each release remembers which path made it
(ReleaseStore.origin). Before a new release is written, `undoes` compares it with the
current one and lists every live guide it would take away or put back to another state:

- removed:   a live guide that is neither in the new content nor retired by it
             (e.g. a guide created in the web editor, absent from content/; a hall's own
             guide or local code whose hall folder was removed);
- reverted:  a live guide whose latest change came from the *other* path, and the new
             content puts a field of that change back to its value before it (e.g. a stale
             file in content/ undoing the editor's edit); changing such a field to a third
             value, or other fields, is an edit on top and passes;
- unretired: a guide the other path retired that the new content brings back;
- forgotten: a retired code the new content no longer lists (its poster QR would say 404
             instead of 该事项已调整).

The caller then refuses unless the operator asked for it explicitly (--allow-removals,
--allow-revert). No Flask, no Kivy.
"""
from __future__ import annotations

import json

from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import ValidationError

from guides.hall_export import export_hall_files
from guides.loader import Content
from guides.model import Guide, Retired
from guides.schema_errors import FIELD_NAMES
from guides.guideset import GuideSet
from guides.release import SCHEMA, ReleaseError, ReleaseStore, hall_only_codes, retired_member
from guides.yamlsource import load_plain_file

SOURCES = {"content": "内容目录（guide-server release）", "editor": "网页编辑器", "unknown": "未记录的途径"}
KINDS = {"removed": "将被移除", "reverted": "这次发布的修改将被改回", "unretired": "已停用，将被恢复上线",
         "forgotten": "停用记录将被删除（海报二维码将打不开）"}
REMOVALS = ("removed", "forgotten")   # need --allow-removals
REVERTS = ("reverted", "unretired")   # need --allow-revert


@dataclass(frozen=True)
class Undo:
    """One live guide a new release would take away or change back.

    `kind` is removed / reverted / unretired / forgotten; `release` the number of the release
    whose change would be undone and `source` the path that published it."""
    code: str
    name: str
    kind: str
    release: int
    source: str
    by: str = ""
    fields: tuple[str, ...] = ()  # for "reverted": the elements put back, in Chinese

    def __str__(self) -> str:
        who = f"，{self.by}" if self.by else ""
        what = f"（{'、'.join(self.fields)}）" if self.fields else ""
        return (f"{self.code} {self.name}：{KINDS[self.kind]}{what}（R{self.release} 由"
                f"{SOURCES.get(self.source, self.source)}发布{who}）")


def _introduced(store: ReleaseStore, code: str, current: int, guide_hash: str | None,
                in_hall: bool = False) -> int:
    """The oldest release, going back from `current` without a break, in which `code` has
    `guide_hash` (None: absent as a live guide); with `in_hall`, in which a hall offers `code`
    (the manifest's "hall_codes")."""
    first = current
    for n in range(current - 1, 0, -1):
        try:
            manifest = store.manifest_head(n)
        except ReleaseError:  # a release folder removed by hand: stop where the history stops
            break
        if (code not in (manifest.get("hall_codes") or {}) if in_hall
                else manifest.get("guides", {}).get(code) != guide_hash):
            break
        first = n
    return first


def _reverted_fields(before: dict, current: dict, new: dict) -> list[str]:
    """Top-level keys the change before -> current touched and `new` puts back as before
    (`updated`, the date an editor last checked the guide, changes with every save and says
    nothing on its own)."""
    keys = [k for k in dict.fromkeys([*current, *before]) if k != "updated"]
    return [k for k in keys if current.get(k) != before.get(k) and new.get(k) == before.get(k)]


def undoes(store: ReleaseStore, content: Content, source: str) -> list[Undo]:
    """What publishing `content` through `source` ("content" or "editor") would undo in the
    current release of `store`, in code order; [] when there is no current release."""
    number = store.current_number()
    if number is None:
        return []
    guides = GuideSet.of(content.guides)
    new_hashes = {code: guides.hash(code) for code in guides}  # build_release(content).guide_hashes
    new_retired = {r.code for r in content.retired}
    out: list[Undo] = []

    def add(code: str, name: str, kind: str, introduced: int, fields: tuple[str, ...] = ()) -> None:
        origin = store.origin(introduced)
        out.append(Undo(code, name, kind, introduced, origin.get("source", "unknown"), origin.get("by", ""), fields))

    def by_other(introduced: int) -> bool:
        return store.origin(introduced).get("source", "unknown") not in (source, "unknown")

    # the current release's manifest and content.json, parsed only where a guide is removed or
    # changed by the other path (a province's release holds hundreds of thousands of hall guides)
    manifest, body = store.verified_head(number)
    if manifest.get("schema", 1) != SCHEMA:
        store.load(number)  # raises the ReleaseError that says so
    parsed: list[dict] = []

    def doc() -> dict:
        if not parsed:
            try:
                parsed.append(json.loads(body))
            except ValueError as exc:
                raise ReleaseError(f"版本 R{number} 的内容无法解析：{exc}") from None
        return parsed[0]

    current_retired = {r["code"]: Retired.model_validate(r) for r in retired_member(body)}
    loaded: dict[int, object] = {}

    def release(n: int):
        if n not in loaded:
            loaded[n] = store.load(n)
        return loaded[n]

    for code, h in manifest["guides"].items():
        if code not in new_hashes and code not in new_retired:
            add(code, doc()["guides"][code]["name"], "removed", _introduced(store, code, number, h))
        elif code in new_hashes and new_hashes[code] != h:
            introduced = _introduced(store, code, number, h)
            if not by_other(introduced) or introduced == 1:
                continue
            before = release(introduced - 1).guides.get(code)
            if before is None:  # the other path created it: any version here is an edit on top
                continue
            guide = Guide.model_validate(doc()["guides"][code])
            keys = _reverted_fields(before.model_dump(mode="json"), guide.model_dump(mode="json"),
                                    content.guides[code].model_dump(mode="json"))
            if keys:
                add(code, guide.name, "reverted", introduced, tuple(FIELD_NAMES.get(k, k) for k in keys))
    hall_codes = manifest.get("hall_codes") or {}
    if hall_codes:  # a hall's own guides and local codes are live guides too
        new_hall_codes = hall_only_codes(content) if content.halls else {}
        for code, hall_id in hall_codes.items():
            if code not in new_hashes and code not in new_hall_codes and code not in new_retired:
                try:
                    name = f"{release(number).content.guides_of(hall_id)[code].name}（大厅 {hall_id}）"
                except (ReleaseError, KeyError):
                    name = f"（大厅 {hall_id}）"
                add(code, name, "removed", _introduced(store, code, number, None, in_hall=True))
    for code, retired in current_retired.items():
        introduced = _introduced(store, code, number, None)
        if code in new_hashes:
            if by_other(introduced):
                add(code, retired.name, "unretired", introduced)
        elif code not in new_retired:
            add(code, retired.name, "forgotten", introduced)
    return sorted(out, key=lambda u: (u.code, u.kind))


@dataclass
class ExportReport:
    """Files `export_published` wrote, removed, found identical, or left alone (they differ)."""
    written: list = field(default_factory=list)
    removed: list = field(default_factory=list)
    same: list = field(default_factory=list)
    kept: list = field(default_factory=list)


def _yaml(value) -> str:
    return yaml.safe_dump(value, allow_unicode=True, sort_keys=False, width=1000, default_flow_style=None)


def export_published(release, folder: str | Path, *, overwrite: bool = False) -> ExportReport:
    """Write the live guides of `release` (and its retired codes) into a content folder as
    content/-style YAML, in the standard's key order.

    A guide file that is missing is written; one whose guide equals the live one is left
    as it is (its comments and layout too); one that differs — an edit in the folder not yet
    released, or an older copy — is written only with `overwrite`, else reported in `kept`.
    So bringing the editor's releases back into content/ never silently drops a change
    waiting there. Site and categories are the folder's own and are not touched; the halls'
    overrides and own guides are written the same way (guides.hall_export)."""
    folder = Path(folder)
    (folder / "guides").mkdir(parents=True, exist_ok=True)
    report = ExportReport()

    def same_guide(path: Path, live: Guide) -> bool:
        try:
            data = load_plain_file(path)
            return Guide.model_validate(data).model_dump(mode="json") == live.model_dump(mode="json")
        except (OSError, yaml.YAMLError, ValidationError):  # unreadable or invalid: not the live guide
            return False

    for code, guide in sorted(release.guides.items()):
        path = folder / "guides" / f"{code}.yaml"
        if path.exists() and same_guide(path, guide):
            report.same.append(path)
        elif path.exists() and not overwrite:
            report.kept.append(path)
        else:
            path.write_text(_yaml(guide.model_dump(mode="json", exclude_defaults=True)), encoding="utf-8")
            report.written.append(path)
    for code in sorted(release.retired):
        path = folder / "guides" / f"{code}.yaml"
        if path.exists():  # retired in the release: the folder must not publish it again
            if overwrite:
                path.unlink()
                report.removed.append(path)
            else:
                report.kept.append(path)
    if release.content.retired:
        path = folder / "retired.yaml"
        live = [r.model_dump(mode="json") for r in release.content.retired]
        try:
            current = [Retired.model_validate(r).model_dump(mode="json")
                       for r in load_plain_file(path) or []] if path.exists() else None
        except (OSError, yaml.YAMLError, ValidationError, TypeError):
            current = []
        if current is not None and sorted(current, key=lambda r: r["code"]) == live:
            report.same.append(path)
        elif current is not None and not overwrite:
            report.kept.append(path)
        else:
            path.write_text(_yaml([r.model_dump(mode="json", exclude_defaults=True) for r in release.content.retired]),
                            encoding="utf-8")
            report.written.append(path)
    export_hall_files(release, folder, overwrite=overwrite, report=report, dump=_yaml)  # halls' overrides, own guides
    return report
