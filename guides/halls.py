"""Several halls in one content folder: the region tree and the halls under it.

Layout (all optional; a folder with only site.yaml and guides/ is one hall)::

    content/regions.yaml                  region tree, GB/T 2260 codes (6 digits) for province,
                                          city and county; 统计用区划代码 (9 / 12 digits) for
                                          township and village
    content/halls/<id>/hall.yaml          site data of the hall and the shared guides it offers
    content/halls/<id>/guides/*.yaml      the hall's own guides (its own 实施编码)
    content/halls/<id>/overrides/<key>.yaml
                                          local overrides of one shared guide; <key> is the
                                          basic_code or code the offer names

The folder's own site.yaml and guides/ are the default hall (id ``DEFAULT_HALL``), and its
guides are the shared text other halls offer: a city writes an item once and a county or
township overrides only what differs locally. What a local override may change is
``LOCAL_KEYS``; the 六统一 elements (name, basis, conditions, materials, time limit …) are the
same in every hall (三级四同) and an override touching one is an error (E506).
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import astuple, dataclass, field
from pathlib import Path
from typing import Annotated, Any, Callable, Iterable, NamedTuple

from pydantic import StringConstraints, ValidationError

from guides import hall_memo
from guides.check_cache import pack_findings, read_source, unpack_findings
from guides.findings import CODES, Finding, Severity
from guides.guideset import GuideSet, canonical_bytes
from guides.hall_part import (PartError, PartRef, is_plain, part_bytes, part_file_stat, part_hashes, read_part,
                              store_part, sync_parts)
from guides.model import Guide, Strict, Text
from guides.rules import categories_rules, hall_site_rules, override_rules
from guides.schema_errors import schema_findings
from guides.yamlsource import SourceDoc, YamlSyntaxError, read_yaml

CODES.update({
    "E501": "行政区划代码错误", "E502": "行政区划代码重复", "E503": "上级区划不符", "E504": "大厅所属区划不存在",
    "E505": "共享事项不存在", "E506": "本地覆盖修改了六统一要素", "E507": "覆盖文件没有对应的共享事项",
    "E508": "大厅事项编码重复", "E509": "大厅标识格式错误", "W501": "大厅没有任何事项",
})

DEFAULT_HALL = "main"
HALL_ID = re.compile(r"^[a-z][a-z0-9-]{1,39}$")
REGION_CODE = re.compile(r"^(\d{6}|\d{9}|\d{12})$")

# What a hall may state for itself on a shared item.
LOCAL_KEYS = {
    "code": "事项编码（本大厅的实施编码）",
    "department": "实施主体", "department_code": "实施主体编码", "handling_unit": "承办机构",
    "locations": "办理地点（地址、窗口、办理时间）", "contacts": "咨询/监督投诉电话",
    "fee": "收费", "online_url": "网上办理入口", "channels": "办理方式",
}
# 六统一 / 三级四同: the same in every hall; a local override must not touch these.
UNIFIED_KEYS = {
    "basic_code": "基本编码", "name": "事项名称", "item_type": "事项类型", "basis": "设定依据",
    "conditions": "受理条件", "materials": "申请材料", "time_limit": "办理时限",
    "questions": "情形引导", "audience": "服务对象", "speed": "办件类型",
    "refusal_conditions": "不予受理的情形", "result": "办理结果",
}
LEVELS = {6: None, 9: "乡镇级", 12: "村级"}


def region_level(code: str) -> str:
    """省级 / 市级 / 县级 / 乡镇级 / 村级 from the shape of a GB/T 2260 (or 统计用区划) code."""
    if len(code) == 9:
        return "乡镇级"
    if len(code) == 12:
        return "村级"
    if code.endswith("0000"):
        return "省级"
    if code.endswith("00"):
        return "市级"
    return "县级"


def region_parent_prefix(code: str) -> str:
    """The part of `code` a child region's code starts with (330000 -> 33, 330300 -> 3303)."""
    level = region_level(code)
    return {"省级": code[:2], "市级": code[:4]}.get(level, code)


@dataclass(frozen=True)
class Region:
    """One region of the tree: code, name, level and the parent's code (None at the top)."""
    code: str
    name: str
    level: str
    parent: str | None = None


class HallSite(Strict):
    """hall.yaml: a hall's site data and the shared guides it offers."""
    name: Text
    address: Text
    hours: Text
    hotline: Text
    # https URL of the hall's pages, or a path on this server such as /h/liushi
    public_base_url: Text | None = None
    area_code: Annotated[str, StringConstraints(pattern=r"^0\d{2,3}$")] | None = None
    region_code: Annotated[str, StringConstraints(pattern=r"^(\d{6}|\d{9}|\d{12})$")]
    featured: list[Text] = []
    offers: list["Offer"] = []


class Offer(Strict):
    """One shared guide a hall offers: by its 基本编码 or by the shared guide's code."""
    basic_code: Text | None = None
    code: Text | None = None


HallSite.model_rebuild()


class OfferedGuide(NamedTuple):
    """A shared guide as one hall offers it: the hall's code, the shared code, the override
    (never mutated), and (when the checker made it) the SHA-256 of the resolved guide's
    release form, so a release need not resolve it again; not part of the release document
    and not compared. A tuple: a province's halls offer hundreds of thousands of these, and a
    hall memo's rows become OfferedGuides without a Python call each."""
    code: str
    source: str
    override: dict[str, Any] = {}  # noqa: RUF012  (a default never mutated)
    resolved_hash: str | None = None

    def __eq__(self, other: object) -> bool:
        if isinstance(other, OfferedGuide):
            return self[:3] == other[:3]
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    __hash__ = None  # type: ignore[assignment]  # holds a dict


class OfferedList(Sequence):
    """A hall's offered guides read from their release form (canonical JSON of
    [{"code", "override", "source"}, ...]) and the resolved guides' hashes by code, made into
    OfferedGuides when first used: a hall memo's halls are mostly only written out again."""

    __slots__ = ("form", "hashes", "_items")

    def __init__(self, form: bytes, hashes: Mapping[str, str]):
        self.form, self.hashes, self._items = form, hashes, None

    def items(self) -> tuple[OfferedGuide, ...]:
        if self._items is None:
            get = self.hashes.get
            self._items = tuple(OfferedGuide(d["code"], d["source"], d["override"], get(d["code"]))
                                for d in json.loads(self.form))
        return self._items

    def __getitem__(self, i):
        return self.items()[i]

    def __len__(self) -> int:
        return len(self.items())

    def __iter__(self):
        return iter(self.items())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (tuple, OfferedList)):
            return self.items() == tuple(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"OfferedList({len(self)} offers)"


@dataclass(frozen=True, eq=False)
class Hall:
    """One hall: id, site data, its own guides and the shared guides it offers.

    `site_data` is the HallSite, or the dump of a valid one as a dict or as its release form
    (a hall memo's, guides.hall_memo), which `site` validates when first read; `offered` a
    tuple or an OfferedList. `release_memo`, when the checker made it, is
    (own, offered, site_data, offered release form, site release form, hashes of the
    resolved guides): guides.release uses it only while `own`, `offered` and `site_data` are
    those very objects, so a hall made with dataclasses.replace is serialised afresh."""
    id: str
    site_data: Any
    own: Mapping[str, Guide] = field(default_factory=dict)  # a GuideSet when it came from the checker
    offered: Sequence[OfferedGuide] = ()
    release_memo: tuple | None = field(default=None, repr=False)

    @property
    def site(self) -> HallSite:
        data = self.site_data
        if isinstance(data, HallSite):
            return data
        site = self.__dict__.get("_site")
        if site is None:
            site = HallSite.model_validate(json.loads(data) if isinstance(data, bytes) else data)
            object.__setattr__(self, "_site", site)  # a cache of a frozen value
        return site

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Hall):
            return NotImplemented
        return (self.id, self.site, dict(self.own), tuple(self.offered)) == (other.id, other.site, dict(other.own),
                                                                             tuple(other.offered))

    __hash__ = None  # type: ignore[assignment]  # mutable members (dicts): not hashable, as before

    def codes(self) -> list[str]:
        return sorted(set(self.own) | {o.code for o in self.offered})

    def local_codes(self) -> list[str]:
        """The codes only this hall offers: its own guides' and its overrides' local codes (实施编码)."""
        return [*self.own, *(o.code for o in self.offered if o.code != o.source)]


def hall_outline(hall: Hall) -> tuple[str, str]:
    """(name, region code) of `hall`, read without validating its site data."""
    data = hall.site_data
    if isinstance(data, HallSite):
        return data.name, data.region_code
    if isinstance(data, bytes):
        data = json.loads(data)
    return data["name"], data["region_code"]


def own_basic_codes(hall: Hall) -> dict[str, str | None]:
    """The 基本编码 of each of the hall's own guides by code (None when it has none), read
    without validating the guides when they are still in release form."""
    own = GuideSet.of(hall.own)
    return {code: own.peek(code, "basic_code") for code in own}


def resolve_offer(shared: Guide, offer: OfferedGuide) -> Guide:
    """The shared guide with the hall's override applied (raises ValidationError on bad data)."""
    if not offer.override and offer.code == shared.code:
        return shared
    data = shared.model_dump(mode="json", exclude_unset=True)
    data.update(offer.override)
    data["code"] = offer.code
    return Guide.model_validate(data)


def hall_guides(hall: Hall, shared: dict[str, Guide]) -> dict[str, Guide]:
    """Every guide `hall` offers, resolved, by code (sorted)."""
    out = dict(hall.own)
    for offer in hall.offered:
        out[offer.code] = resolve_offer(shared[offer.source], offer)
    return dict(sorted(out.items()))


# -- checking -------------------------------------------------------------------------------

Reader = Callable[[Path, list[Finding]], SourceDoc | None]


def _read(path: Path, findings: list[Finding], raw: bytes | None = None) -> SourceDoc | None:
    try:
        doc = read_yaml(path, str(path), raw)
    except YamlSyntaxError as exc:
        findings.append(Finding(str(path), exc.line, "E001", f"YAML 语法错误：{exc.message}"))
        return None
    except FileNotFoundError as exc:
        findings.append(Finding(str(path), 1, "E002", f"文件无法读取：{exc}"))
        return None
    for key, line in doc.duplicate_keys:
        findings.append(Finding(str(path), line, "E003", f"重复的键：{key} 出现了不止一次"))
    return doc


def _summary(kind: str, path: Path, cache: Any, compute: Callable[[Path, bytes | None, list[Finding]], Any],
             pack: Callable[[Any], Any] = lambda v: v, unpack: Callable[[Any], Any] = lambda v: v
             ) -> tuple[list[Finding], Any]:
    """(findings, value) of checking one file on its own: from `cache` (guides.check_cache)
    when its bytes were checked before, else `compute(path, raw, findings)` (recorded, the
    value as `pack` makes it plain data; `unpack` undoes that)."""
    if cache is not None:
        hit = cache.get(kind, path)
        if hit is not None:
            return unpack_findings(hit[0]), unpack(hit[1])
    try:
        raw, stamp = read_source(path)
    except OSError:
        raw, stamp = None, None  # compute reads it again and reports why it cannot
    findings: list[Finding] = []
    value = compute(path, raw, findings)
    if cache is not None:
        cache.put(kind, path, stamp, (pack_findings(findings), pack(value)))
    return findings, value


def check_regions(path: Path, findings: list[Finding], raw: bytes | None = None) -> dict[str, Region]:
    """Regions of regions.yaml by code; problems go to `findings` (E501–E503).

    The file is a list of {code, name, children?}; a child's code must lie inside its
    parent (GB/T 2260: 330000 -> 3303xx -> 3303xx -> 3303xxxxx -> 3303xxxxxxxx)."""
    doc = _read(path, findings, raw)
    regions: dict[str, Region] = {}
    if doc is None:
        return regions
    if not isinstance(doc.data, list):
        findings.append(Finding(doc.path, 1, "E103", "类型错误：regions.yaml 的内容应为列表"))
        return regions
    findings.extend(categories_rules(doc))  # markup, control characters, font (no 模糊条款)

    def walk(items: Any, parent: str | None, where: tuple) -> None:
        if not isinstance(items, list):
            findings.append(Finding(doc.path, doc.line(where), "E103", "类型错误：children 应为列表"))
            return
        for i, item in enumerate(items):
            at = where + (i,)
            if not isinstance(item, dict) or set(item) - {"code", "name", "children"}:
                findings.append(Finding(doc.path, doc.line(at), "E103",
                                        "类型错误：每个区划应为 {code, name, children}，不能有其他字段"))
                continue
            code, name = item.get("code"), item.get("name")
            if not isinstance(code, str) or not REGION_CODE.match(code):
                findings.append(Finding(doc.path, doc.line(at + ("code",)), "E501",
                                        f"行政区划代码错误：{code!r} 应为加引号的 6 位（GB/T 2260）、9 位或 12 位数字"))
                continue
            if not isinstance(name, str) or not name.strip():
                findings.append(Finding(doc.path, doc.line(at), "E102", f"缺少必填项：区划 {code} 没有名称（name）"))
                continue
            if code in regions:
                findings.append(Finding(doc.path, doc.line(at + ("code",)), "E502",
                                        f"行政区划代码重复：{code} 出现了不止一次"))
                continue
            if parent is not None and (not code.startswith(region_parent_prefix(parent)) or code == parent
                                       or len(code) < len(parent)):
                findings.append(Finding(doc.path, doc.line(at + ("code",)), "E503",
                                        f"上级区划不符：{name}（{code}）不属于 {regions[parent].name}（{parent}）"))
                continue
            regions[code] = Region(code, name.strip(), region_level(code), parent)
            if "children" in item:
                walk(item["children"], code, at + ("children",))

    walk(doc.data, None, ())
    return regions


@dataclass
class HallsResult:
    """What `check_halls` yields: findings, and the halls when their files parsed — each a
    `Hall`, or (a hall its memo vouches for) the guides.hall_part.PartRef of its part file,
    with its number of guides in `counts` (guides.hallset.HallSet takes both)."""
    findings: list[Finding] = field(default_factory=list)
    regions: dict[str, Region] = field(default_factory=dict)
    halls: dict[str, Any] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    locals: dict[str, tuple[str, ...]] = field(default_factory=dict)  # own and local codes of those halls


def _index_basic_codes(basic_codes: dict[str, str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for code, basic in sorted(basic_codes.items()):
        out.setdefault(basic, []).append(code)
    return out


def check_halls(root: Path, shared: Mapping[str, Guide], default_codes: Mapping[str, str],
                check_guide_files: Callable[[list[Path]], list[Any]],
                categories: set[str] | None = None, basic_codes: dict[str, str] | None = None,
                cache: Any = None, listings: dict[str, list[os.DirEntry]] | None = None) -> HallsResult:
    """Check regions.yaml and halls/ of content folder `root`.

    `shared` are the root guides that parsed (a GuideSet keeps their release forms);
    `default_codes` every code of the root's guide files (parsed or not) -> where it is
    ("path:line" of its `code`, or the file's path), for the messages of E207;
    `check_guide_files` the loader's per-file guide checker, returning objects with .path,
    .findings, .code, .form (release form), .guide_category, .category_line; `categories`
    the names in categories.yaml a hall's own guide must use (None: not checked);
    `basic_codes` the 基本编码 of the shared guides by code (None: read from `shared`);
    `cache` a guides.check_cache.CheckCache for what each file yields on its own and for
    each hall's memo (guides.hall_memo: a hall whose files and context did not change is
    not checked again); `listings` the entries of the content's folders by path, as listed
    when the check began (guides.loader.symlink_findings), for the hall scans and the files
    each hall is checked from (the same listing: a file saved meanwhile is not checked without
    its stat in the memo). Never raises on bad content."""
    listings = {} if listings is None else listings
    res = HallsResult()
    findings = res.findings
    if (root / "regions.yaml").exists():
        found, res.regions = _summary("regions", root / "regions.yaml", cache,
                                         lambda path, raw, found: check_regions(path, found, raw),
                                         lambda regions: tuple(astuple(r) for r in regions.values()),
                                         lambda rows: {r[0]: Region(*r) for r in rows})
        findings.extend(found)
    if cache is not None:
        cache.halls_checked()
    halls_dir = root / "halls"
    if not halls_dir.is_dir():
        return res
    shared = GuideSet.of(shared)
    if basic_codes is None:
        basic_codes = {c: g.basic_code for c, g in shared.items() if getattr(g, "basic_code", None)}
    by_basic = _index_basic_codes(basic_codes)
    ctx = hall_memo.context_digest(shared, by_basic, res.regions, categories)
    shared_hashes = {code: shared.hash(code) for code in shared}
    if cache is not None:
        cache.use_shared_hashes(shared_hashes)
    taken: dict[str, str] = dict(default_codes)  # code -> where it is first used (path:line)
    # each hall's own file first (or its memo), then the guide files of the halls to check in
    # one go (one process pool)
    plans: list[_Plan] = []
    for folder in sorted((p for p in halls_dir.iterdir() if p.is_dir()), key=_name):
        plan = _Plan(folder)
        plans.append(plan)
        if cache is not None and HALL_ID.match(folder.name) and folder.name != DEFAULT_HALL:
            plan.scan, plan.scan_files, plan.settled = hall_memo.hall_scan(folder, listings)
            plan.old = cache.hall_memo(folder.name)
            plan.part_stat = hall_memo.part_now(plan.old, cache.parts_dir)
            if hall_memo.usable(plan.old, plan.scan, ctx, plan.part_stat):
                plan.reuse = True
                continue
        plan.head = _hall_head(folder, cache, plan.findings)
    files = {plan.folder: [plan.folder / "guides" / n for n in _yaml_files(plan.folder / "guides", listings)]
             for plan in plans if plan.head is not None}
    checked = iter(check_guide_files([p for fs in files.values() for p in fs]))
    own_results = {folder: [next(checked) for _ in fs] for folder, fs in files.items()}
    for plan in plans:
        hall = None
        if plan.reuse:
            hall = _reuse(plan, shared, shared_hashes, taken, findings, cache)
            if hall is None:  # a code now taken elsewhere, or a changed shared guide no longer fits
                plan.head = _hall_head(plan.folder, cache, plan.findings)
                own_results[plan.folder] = check_guide_files([plan.folder / "guides" / n for n in
                                                              _yaml_files(plan.folder / "guides", listings)])
        if hall is None and plan.head is not None:
            hall = _check_hall(plan, own_results[plan.folder], shared, shared_hashes, by_basic, res.regions, taken,
                               categories, ctx, cache, listings=listings)
        if not plan.reuse or hall is None:
            findings.extend(plan.findings)
        if hall is not None:
            res.halls[plan.folder.name] = hall
            if plan.reuse and not isinstance(hall, Hall):
                res.counts[plan.folder.name] = plan.old["count"]
                res.locals[plan.folder.name] = (*plan.old["own_paths"], *plan.old["local"])
    _sync_written(plans, cache)
    return res


def _sync_written(plans: list[_Plan], cache: Any) -> None:
    """fsync the hall parts this check wrote into the cache, together (a release links them).
    When the disk refuses, they are removed and their memos dropped: a release that would link
    one stops with an error naming the file (guides.hall_part.PartError)."""
    written = [plan for plan in plans if plan.written]
    try:
        sync_parts([plan.written for plan in written])
    except OSError:
        for plan in written:
            cache.put_hall(plan.folder.name, None)
            with contextlib.suppress(OSError):
                os.unlink(plan.written)


@dataclass
class _Plan:
    """One hall folder during `check_halls`: its scan, old memo, and what checking it found."""
    folder: Path
    scan: str | None = None  # guides.hall_memo.hall_scan: digest of the files' stat
    scan_files: int = 0
    settled: bool = False
    old: Any = None
    reuse: bool = False
    head: dict[str, Any] | None = None
    findings: list[Finding] = field(default_factory=list)
    written: str | None = None  # the part file this check kept in the cache, not yet fsynced
    part_stat: tuple[int, int, int, int] | None = None  # of the memo's part file, when the memo was looked at


def _name(path: Path) -> str:
    return path.name


def _yaml_files(folder: Path, listings: Mapping[str, list[os.DirEntry]] | None = None) -> list[str]:
    """Names of the *.yaml entries of `folder`, sorted (as sorted(folder.glob("*.yaml")), faster);
    from `listings` (folder path -> its entries) when it holds the folder, so a hall is checked
    from exactly the files its scan (guides.hall_memo.hall_scan) recorded the stat of."""
    entries = listings.get(os.fspath(folder)) if listings is not None else None
    if entries is not None:
        return sorted(e.name for e in entries if e.name.endswith(".yaml"))
    try:
        return sorted(n for n in os.listdir(folder) if n.endswith(".yaml"))
    except (FileNotFoundError, NotADirectoryError):
        return []


def _hall_file(path: Path, raw: bytes | None, findings: list[Finding]) -> dict[str, Any] | None:
    """What hall.yaml says on its own: its data when valid, the lines messages point to."""
    doc = _read(path, findings, raw)
    if doc is None:
        return None
    if not isinstance(doc.data, dict):
        findings.append(Finding(doc.path, 1, "E103", "类型错误：hall.yaml 的内容应为键值对"))
        return None
    findings.extend(hall_site_rules(doc))  # as site.yaml's: hotline, markup, control characters, font
    try:
        site = HallSite.model_validate(doc.data)
    except ValidationError as exc:
        findings.extend(schema_findings(exc, doc))
        return None
    url_ok = True
    url = site.public_base_url
    if url is not None and not (url.startswith("https://") or re.match(r"^/[A-Za-z0-9/_-]*$", url)):
        findings.append(Finding(doc.path, doc.line(("public_base_url",)), "E211",
                                f"网址格式错误：{url} 应为 https:// 开头的网址，或以 / 开头的本站路径"))
        url_ok = False
    return {"site": site.model_dump(mode="json"), "url_ok": url_ok, "region_line": doc.line(("region_code",)),
            "offer_lines": [doc.line(("offers", i)) for i in range(len(site.offers))],
            "featured_lines": [doc.line(("featured", i)) for i in range(len(site.featured))]}


def _hall_head(folder: Path, cache: Any, findings: list[Finding]) -> dict[str, Any] | None:
    """The hall id check and hall.yaml's own findings; None when the hall goes no further."""
    hall_id = folder.name
    hall_file = folder / "hall.yaml"
    if not HALL_ID.match(hall_id) or hall_id == DEFAULT_HALL:
        findings.append(Finding(str(folder), 1, "E509",
                                f"大厅标识格式错误：{hall_id} 应为 2–40 位小写字母、数字或连字符，以字母开头，且不能是 {DEFAULT_HALL}"))
        return None
    if not hall_file.is_file():
        findings.append(Finding(str(hall_file), 1, "E002", "文件缺失：找不到 hall.yaml"))
        return None
    found, head = _summary("hall", hall_file, cache, _hall_file)
    findings.extend(found)
    return head


def _override_text(override: dict[str, Any]) -> str:
    """One text for one override's data (a key of the resolved-hash memo)."""
    return json.dumps(override, ensure_ascii=False, sort_keys=True, default=repr)


def _resolved_hash(shared: GuideSet, shared_hashes: Mapping[str, str], code: str, source: str,
                   override: dict[str, Any], over: str, known: Mapping[str, str], used: dict[str, str]) -> str:
    """Hash of the release form of shared guide `source` with `override` applied under local
    code `code` (`over` is the override's `_override_text`). Remembered by shared guide hash,
    code and `over`: looked up in `known` (the hall's last memo), recorded in `used`. Raises
    ValidationError on bad data."""
    if not override and code == source:
        return shared_hashes[source]
    key = hashlib.sha256(f"{shared_hashes[source]}\0{code}\0{over}".encode()).hexdigest()
    found = known.get(key)
    if found is None:
        found = hashlib.sha256(canonical_bytes(resolve_offer(shared[source], OfferedGuide(code, source, override))
                                               .dump())).hexdigest()
    used[key] = found
    return found


def _reuse(plan: _Plan, shared: GuideSet, shared_hashes: Mapping[str, str], taken: dict[str, str],
           findings: list[Finding], cache: Any) -> Any:
    """The hall of `plan` as its memo says: the guides.hall_part.PartRef of its part file,
    not read while its stat is the memo's (guides.hall_memo); when shared guides it offers
    changed, just their offers are resolved again and a new part is kept. None when the memo
    cannot stand (a code now taken elsewhere, an override that no longer fits a changed shared
    guide, a damaged part or tail): the caller checks the hall afresh."""
    memo, hall_id = plan.old, plan.folder.name
    if hall_memo.collides(memo, taken):
        return None
    ref = PartRef(memo["part"], os.path.join(cache.parts_dir, f"{memo['part']}.json"), True)
    digest = hall_memo.sources_digest(memo["sources"], shared_hashes)
    if digest != memo["sources_digest"] or plan.part_stat != tuple(memo["part_stat"]):
        # read only when needed: a part whose stat (its ctime too) is the one recorded when its
        # bytes were last known good was not written since; another is checked against its
        # SHA-256 (~0.05 ms), so damaged bytes are never linked into a release
        try:
            raw = read_part(ref)
        except PartError:
            return None
    if digest != memo["sources_digest"]:
        # the shared guides that changed since the memo: the head was made (or brought up to
        # date) with the hashes the cache recorded with it, checked against its sources_digest
        old = cache.memo_shared_hashes()
        if any(s not in old for s in memo["sources"]) \
                or hall_memo.sources_digest(memo["sources"], old) != memo["sources_digest"]:
            return None
        changed = {s for s in memo["sources"] if old[s] != shared_hashes[s]}
        tail = cache.hall_tail(hall_id)
        if not hall_memo.tail_fits(tail, memo):
            return None
        known = tail["resolved"]
        try:
            # the part with new hashes for the offers of changed shared guides: its "hashes"
            # member comes first, so the rest of its bytes (offers, own guides, site) is kept
            text = raw.decode("utf-8")
            hashes, end = json.JSONDecoder().raw_decode(text, len('{"hashes":'))
            if not text.startswith('{"hashes":') or not text.startswith(',"offered":', end):
                return None
            for i, (code, source) in enumerate(tail["offers"]):
                if source in changed and (i in tail["overrides"] or code != source):  # a plain offer has no hash here
                    override, over = tail["overrides"].get(i, ({}, "{}"))
                    hashes[code] = _resolved_hash(shared, shared_hashes, code, source, override, over, known, {})
            data = b'{"hashes":' + canonical_bytes(dict(sorted(hashes.items()))) + text[end:].encode("utf-8")
            ref = store_part(cache.parts_dir, data, sync=False)
            plan.written = ref.path
        except (ValidationError, OSError, ValueError, KeyError, TypeError):
            return None
        # the tail stays as it is: it holds what the hall's files say (offers, overrides) and
        # resolved hashes by key, true whatever the shared guides are now
        memo = {**memo, "sources_digest": digest, "part": ref.hash, "part_stat": part_file_stat(ref.path)}
        cache.keep_hall(hall_id, plan.scan_files, memo)
    else:
        cache.keep_hall(hall_id, plan.scan_files)
    taken.update(memo["own_paths"])
    if memo["findings"]:
        findings.extend(unpack_findings(memo["findings"]))
    return ref


def _check_hall(plan: _Plan, own_results: list[Any], shared: GuideSet, shared_hashes: Mapping[str, str],
                by_basic: dict[str, list[str]], regions: dict[str, Region], taken: dict[str, str],
                categories: set[str] | None = None, ctx: str = "", cache: Any = None,
                listings: Mapping[str, list[os.DirEntry]] | None = None) -> Hall | None:
    """Check one hall from its head (hall.yaml's summary) and its own guide files' results;
    findings go to `plan.findings`. Records the hall's memo in `cache` when it passes."""
    folder, head, findings = plan.folder, plan.head, plan.findings
    hall_id = folder.name
    path = str(folder / "hall.yaml")
    site = HallSite.model_validate(head["site"])  # the dump of a valid one (~0.2 ms for 120 offers)
    ok = head["url_ok"]
    if regions and site.region_code not in regions:
        findings.append(Finding(path, head["region_line"], "E504",
                                f"所属区划不存在：{site.region_code} 不在 regions.yaml 中"))
        ok = False

    own: dict[str, bytes] = {}
    own_paths: dict[str, str] = {}
    for result in own_results:
        findings.extend(result.findings)
        if result.code is None:
            continue
        if result.code in taken:
            findings.append(Finding(str(result.path), 1, "E207",
                                    f"事项编码重复：{result.code} 已在 {taken[result.code]} 使用"))
            ok = False
            continue
        taken[result.code] = own_paths[result.code] = f"{result.path}:{result.code_line}"
        if result.form is not None and categories is not None and result.guide_category not in categories:
            findings.append(Finding(str(result.path), result.category_line, "E213",
                                    f"主题分类不存在：“{result.guide_category}”不在 categories.yaml 中"))
            ok = False
        elif result.form is not None:
            own[result.code] = result.form
        else:
            ok = False

    tail = cache.hall_tail(hall_id) if cache is not None and isinstance(plan.old, dict) else None
    known = tail["resolved"] if isinstance(tail, dict) and isinstance(tail.get("resolved"), dict) else {}
    used: dict[str, str] = {}
    offered: list[OfferedGuide] = []
    rows: list[tuple] = []
    overs: list[str] = []
    local: list[str] = []
    offered_codes: set[str] = set()
    overrides_dir = folder / "overrides"
    override_names = _yaml_files(overrides_dir, listings)
    used_keys: set[str] = set()
    named: set[str] = set(own)  # codes the hall names, also those whose override failed
    for i, offer in enumerate(site.offers):
        line = head["offer_lines"][i]
        if (offer.basic_code is None) == (offer.code is None):
            findings.append(Finding(path, line, "E103",
                                    "类型或取值错误：每项共享事项写 basic_code（基本编码）或 code（事项编码）之一"))
            ok = False
            continue
        key = offer.basic_code or offer.code or ""
        if offer.basic_code is not None:
            sources = by_basic.get(offer.basic_code, [])
            if len(sources) != 1:
                why = "没有事项使用该基本编码" if not sources else f"有 {len(sources)} 个事项使用该基本编码（{'、'.join(sources)}），请改用 code 指明"
                findings.append(Finding(path, line, "E505", f"共享事项不存在：基本编码 {key}：{why}"))
                ok = False
                continue
            source = sources[0]
        else:
            source = key
            if source not in shared:
                findings.append(Finding(path, line, "E505", f"共享事项不存在：{key} 不是 guides/ 中的事项"))
                ok = False
                continue
        used_keys.add(key)
        override, override_ok, over_text, code_line = (
            _check_override(f"{overrides_dir}/{key}.yaml", findings, cache)
            if f"{key}.yaml" in override_names else ({}, True, "{}", 1))  # no file
        ok = ok and override_ok
        local_code = override.get("code", source)
        if local_code in own or local_code in offered_codes:
            findings.append(Finding(path, line, "E508", f"大厅事项编码重复：{local_code} 在本大厅出现了不止一次"))
            ok = False
            continue
        if local_code != source:  # a local 实施编码: taken by another guide of the default hall or a hall?
            local.append(local_code)
            if local_code in taken:  # said where the local code is written: the override's `code`
                findings.append(Finding(f"{overrides_dir}/{key}.yaml", code_line, "E207",
                                        f"事项编码重复：本地事项编码 {local_code} 已在 {taken[local_code]} 使用"))
                ok = False
                continue
        named.add(local_code)
        try:
            resolved = _resolved_hash(shared, shared_hashes, local_code, source, override, over_text, known, used)
        except ValidationError as exc:
            over_doc = _read(folder / "overrides" / f"{key}.yaml", [])
            findings.extend(schema_findings(exc, over_doc) if over_doc else [])
            ok = False
            continue
        offered.append(OfferedGuide(local_code, source, override, resolved))
        rows.append((local_code, source, override, resolved))
        overs.append(over_text)
        offered_codes.add(local_code)
    for name in override_names:
        if name[:-len(".yaml")] not in used_keys:
            over_path = overrides_dir / name
            findings.append(Finding(str(over_path), 1, "E507",
                                    f"覆盖文件没有对应的共享事项：hall.yaml 的 offers 中没有 {over_path.stem}"))
            ok = False
    codes = set(own) | {o.code for o in offered}
    if not codes:
        findings.append(Finding(path, 1, "W501", "大厅没有任何事项：既没有 guides/ 文件，也没有 offers",
                                Severity.warning))
    for i, code in enumerate(site.featured):
        if code not in codes | named:
            findings.append(Finding(path, head["featured_lines"][i], "E215",
                                    f"常用事项不存在：{code} 不是本大厅办理的事项"))
            ok = False
    if not ok:
        if cache is not None:
            cache.put_hall(hall_id, None)
        return None
    own_set = GuideSet(dict(sorted(own.items())))
    offered_t = tuple(offered)
    offered_form = canonical_bytes([{"code": o.code, "source": o.source, "override": o.override} for o in offered_t])
    site_form = canonical_bytes(site.model_dump(mode="json"))
    hashes = {code: own_set.hash(code) for code in own_set}
    hashes.update((o.code, o.resolved_hash) for o in offered_t)
    hashes = dict(sorted(hashes.items()))
    ref = None
    if cache is not None:
        head = tail = None
        if plan.scan is not None and plan.settled:
            try:
                ref = store_part(cache.parts_dir, part_bytes(own_set, offered_form, site_form,
                                                             part_hashes(own_set, offered_t, hashes)), sync=False)
                plan.written = ref.path
            except OSError:
                ref = None  # the cache cannot be written: no memo, the release writes the part itself
        if ref is not None:
            # the shared guides the part depends on: those offered with an override or a local code
            sources = tuple(sys.intern(o.source) for o in offered_t if not is_plain(o))
            head = {"stamps": plan.scan, "ctx": sys.intern(ctx), "findings": pack_findings(findings),
                    "sources": sources, "sources_digest": hall_memo.sources_digest(sources, shared_hashes),
                    "own_paths": own_paths, "local": tuple(local), "part": ref.hash,
                    "part_stat": part_file_stat(ref.path), "count": len(hashes)}
            tail = {"stamps": plan.scan, "ctx": ctx,  # the offers' shared guides depend on ctx
                    "resolved": used,
                    "offers": tuple((row[0], row[1]) for row in rows),
                    "overrides": {i: (row[2], over) for i, (row, over) in enumerate(zip(rows, overs)) if row[2]}}
        cache.put_hall(hall_id, head, tail)
    return Hall(hall_id, site, own_set, offered_t, (own_set, offered_t, site, offered_form, site_form, hashes, ref))


def _override_file(path: Path, raw: bytes | None,
                   findings: list[Finding]) -> tuple[dict[str, Any], bool, str, int]:
    """(override data, ok, its `_override_text`, the line of its `code`) of one override file's bytes."""
    doc = _read(path, findings, raw)
    if doc is None:
        return {}, False, "{}", 1
    data, ok = check_override_doc(doc, findings)
    return data, ok, _override_text(data), doc.line(("code",))


def check_override_doc(doc: SourceDoc, findings: list[Finding]) -> tuple[dict[str, Any], bool]:
    """(override data, ok) of one parsed override (a file, or the text of the web editor's form):
    only ``LOCAL_KEYS``; a 六统一 key is E506, any other key E101, each with the key's line;
    the guide rules for the local elements (phones, URL, fee) and the text rules, 模糊条款
    included (guides.rules.override_rules), each with its line. Those findings leave `ok`
    as it is: the data still applies, and an error among them blocks a release anyway."""
    if not isinstance(doc.data, dict):
        findings.append(Finding(doc.path, 1, "E103", "类型错误：覆盖文件的内容应为键值对"))
        return {}, False
    findings.extend(override_rules(doc))
    ok = True
    for key in doc.data:
        line = doc.line((key,))
        if key in UNIFIED_KEYS:
            findings.append(Finding(doc.path, line, "E506",
                                    f"本地覆盖修改了六统一要素：{UNIFIED_KEYS[key]}（{key}）全省统一，各大厅不得改动；"
                                    f"可覆盖的只有{'、'.join(LOCAL_KEYS.values())}"))
            ok = False
        elif key not in LOCAL_KEYS:
            findings.append(Finding(doc.path, line, "E101",
                                    f"未知字段：{key} 不能在覆盖文件中使用；可覆盖的只有{'、'.join(LOCAL_KEYS.values())}"))
            ok = False
    return (dict(doc.data) if ok else {}), ok


def _check_override(path: str, findings: list[Finding],
                    cache: Any = None) -> tuple[dict[str, Any], bool, str, int]:
    """(override data, ok, its `_override_text`, the line of its `code`) of one override file
    (the caller has seen that it exists)."""
    found, value = _summary("override", path, cache, _override_file)
    findings.extend(found)
    return value


# -- release form ---------------------------------------------------------------------------

def regions_document(regions: dict[str, Region]) -> list[dict[str, Any]]:
    """Regions as canonical JSON values, sorted by code."""
    return [{"code": r.code, "name": r.name, "level": r.level, "parent": r.parent}
            for r in sorted(regions.values(), key=lambda r: r.code)]


def halls_from_document(doc: dict[str, Any]) -> dict[str, Hall]:
    """Halls written inline in content.json (releases made before hall part files)."""
    return {
        hid: Hall(hid, HallSite.model_validate(h["site"]),
                  {c: Guide.model_validate(g) for c, g in h["own"].items()},
                  tuple(OfferedGuide(o["code"], o["source"], o["override"]) for o in h["offered"]))
        for hid, h in doc.items()
    }


def regions_from_document(doc: list[dict[str, Any]]) -> dict[str, Region]:
    return {r["code"]: Region(r["code"], r["name"], r["level"], r["parent"]) for r in doc}
