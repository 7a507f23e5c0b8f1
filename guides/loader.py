"""Load and check a content folder: site.yaml, categories.yaml, guides/<code>.yaml.

`check_content` returns every finding (never raises on bad content) and each guide's
completeness figure; `load_content` returns the validated `Content` or raises
`ContentError`. Attachments (blank forms, samples, flow images) live in content/forms/.
Large folders are checked on all cores: each guide file is independent.
"""
from __future__ import annotations

import multiprocessing
import os
import threading
import time
from functools import partial
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from pydantic import TypeAdapter, ValidationError

from guides.check_cache import CheckCache, Stamp, forms_listing, pack_findings, read_source, unpack_findings
from guides.completeness import Completeness, Missing, completeness, completeness_findings
from guides.findings import Finding, Severity
from guides.guideset import GuideSet, canonical_bytes
from guides.halls import DEFAULT_HALL, Hall, HallSite, Region, check_halls, hall_guides
from guides.hallset import HallSet
from guides.model import Category, Guide, Retired, Site
from guides.rules import categories_rules, guide_rules, site_rules
from guides.schema_errors import schema_findings
from guides.yamlsource import SourceDoc, YamlSyntaxError, read_yaml

_categories_adapter = TypeAdapter(list[Category])
_retired_adapter = TypeAdapter(list[Retired])
_LISTS = (_categories_adapter, _retired_adapter)
PARALLEL_FROM = 400  # guide files; below this a process pool costs more than it saves


@dataclass(frozen=True)
class Content:
    """Validated content: the site, its categories, the guides by code and retired codes.
    ``forms`` is the content/forms/ folder the attachments were checked in (None when the
    content came from a release)."""
    site: Site
    categories: tuple[Category, ...]
    guides: Mapping[str, Guide]  # by code, sorted by code (a GuideSet when it came from the checker)
    retired: tuple[Retired, ...] = ()  # codes taken out of service (content/retired.yaml)
    forms: Path | None = None
    halls: Mapping[str, Hall] = field(default_factory=dict)  # further halls (content/halls/), by id; a HallSet from a release
    regions: dict[str, Region] = field(default_factory=dict)  # content/regions.yaml, by code

    def hall_codes(self, hall_id: str) -> list[str]:
        """Codes of the guides hall `hall_id` offers (the default hall: every root guide)."""
        if hall_id == DEFAULT_HALL:
            return list(self.guides)
        codes = getattr(self.halls, "codes", None)  # a release's HallSet answers without making the hall
        return codes(hall_id) if codes is not None else self.halls[hall_id].codes()

    def hall_site(self, hall_id: str) -> HallSite:
        """The site data of further hall `hall_id` (a release's HallSet reads it without the
        hall's guides; KeyError for an unknown hall)."""
        site = getattr(self.halls, "site", None)
        return site(hall_id) if site is not None else self.halls[hall_id].site

    def halls_offering(self, code: str) -> list[str]:
        """Ids of the halls that offer `code`, the default hall first."""
        first = [DEFAULT_HALL] if code in self.guides else []
        offering = getattr(self.halls, "offering", None)
        if offering is not None:
            return first + offering(code)
        return first + [h for h, hall in self.halls.items() if code in hall.codes()]

    def guides_of(self, hall_id: str) -> dict[str, Guide]:
        """The resolved guides of hall `hall_id` by code (KeyError for an unknown hall)."""
        return self.guides if hall_id == DEFAULT_HALL else hall_guides(self.halls[hall_id], self.guides)


@dataclass
class CheckResult:
    """What `check_content` found: every finding (sorted by path and line), the validated
    content when there is no error, and each guide file's completeness (by its path)."""
    findings: list[Finding] = field(default_factory=list)
    content: Content | None = None
    completeness: dict[str, Completeness] = field(default_factory=dict)

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if not f.is_error]

    @property
    def total_completeness(self) -> Completeness:
        """The completeness of all guide files together."""
        total = Completeness(0, 0)
        for c in self.completeness.values():
            total = Completeness(total.present + c.present, total.total + c.total)
        return total

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.is_error]

    @property
    def ok(self) -> bool:
        return not self.errors


class ContentError(Exception):
    """Content that does not pass the checker; `findings` says what and where."""

    def __init__(self, findings: list[Finding]):
        self.findings = findings
        errors = [f for f in findings if f.is_error]
        lines = "\n".join(str(f) for f in errors[:20])
        more = f"\n……另有 {len(errors) - 20} 处" if len(errors) > 20 else ""
        super().__init__(f"内容检查未通过，共 {len(errors)} 处错误：\n{lines}{more}")


def _read(path: Path, findings: list[Finding]) -> SourceDoc | None:
    shown = str(path)
    if not path.is_file():
        findings.append(Finding(shown, 1, "E002", f"文件缺失：找不到 {path.name}"))
        return None
    try:
        doc = read_yaml(path, shown)
    except YamlSyntaxError as exc:
        findings.append(Finding(shown, exc.line, "E001", f"YAML 语法错误：{exc.message}"))
        return None
    except FileNotFoundError as exc:  # also SourceRefused: a symlink or a file too large
        findings.append(Finding(shown, 1, "E002", f"文件无法读取：{exc}"))
        return None
    for key, line in doc.duplicate_keys:
        findings.append(Finding(shown, line, "E003", f"重复的键：{key} 出现了不止一次"))
    return doc


def _validate(model: Any, doc: SourceDoc, findings: list[Finding]) -> Any:
    is_list = model in _LISTS
    if not isinstance(doc.data, list if is_list else dict):
        kind = "列表" if is_list else "键值对"
        findings.append(Finding(doc.path, 1, "E103", f"类型错误：{Path(doc.path).name} 的内容应为{kind}"))
        return None
    try:
        return model.validate_python(doc.data) if is_list else model.model_validate(doc.data)
    except ValidationError as exc:
        findings.extend(schema_findings(exc, doc, top=model is Guide))
        return None


@dataclass
class _GuideFile:
    """What checking one guide file yields (picklable, for the process pool and the check
    cache): its findings, the guide's release form when it validated (canonical JSON bytes,
    see guides.guideset), and what rules spanning files need: code, category, 基本编码 and
    the lines of `code` and `category`."""
    path: Path
    findings: list[Finding]
    code: str | None = None
    category: Any = None
    completeness: Completeness | None = None
    form: bytes | None = None
    guide_category: str | None = None
    basic_code: str | None = None
    code_line: int = 1
    category_line: int = 1

    def row(self) -> tuple:
        """This result as plain tuples (what the check cache keeps)."""
        c = self.completeness
        figure = None if c is None else (c.present, c.total, tuple((m.parent, m.key, m.owner) for m in c.missing))
        return (str(self.path), pack_findings(self.findings), self.code, self.category, figure, self.form,
                self.guide_category, self.basic_code, self.code_line, self.category_line)

    @classmethod
    def from_row(cls, row: tuple, path: Path) -> "_GuideFile":
        """The result `row()` made for file `path`."""
        _, found, code, category, figure, form, guide_category, basic_code, code_line, category_line = row
        c = None if figure is None else Completeness(figure[0], figure[1], tuple(Missing(*m) for m in figure[2]))
        return cls(path, unpack_findings(found), code, category, c, form, guide_category, basic_code,
                   code_line, category_line)


def _check_guide_source(path: Path, forms_dir: Path | None = None) -> tuple[_GuideFile, Stamp | None]:
    """Check one guide file; also the stamp of the bytes checked (None: unreadable)."""
    findings: list[Finding] = []
    shown = str(path)
    try:
        raw, stamp = read_source(path)
    except OSError as exc:
        findings.append(Finding(shown, 1, "E002", f"文件无法读取：{shown}: {exc.strerror}"))
        return _GuideFile(path, findings), None
    try:
        doc = read_yaml(path, shown, raw)
    except YamlSyntaxError as exc:
        findings.append(Finding(shown, exc.line, "E001", f"YAML 语法错误：{exc.message}"))
        return _GuideFile(path, findings), stamp
    for key, line in doc.duplicate_keys:
        findings.append(Finding(shown, line, "E003", f"重复的键：{key} 出现了不止一次"))
    guide = _validate(Guide, doc, findings)
    findings.extend(guide_rules(doc, path.stem, forms_dir))
    figure = completeness(doc.data)
    findings.extend(completeness_findings(doc, figure))
    data = doc.data if isinstance(doc.data, dict) else {}
    code = data.get("code") if isinstance(data.get("code"), str) else None
    result = _GuideFile(path, findings, code, data.get("category"), figure if isinstance(doc.data, dict) else None)
    if code is not None:
        result.code_line = doc.line(("code",))
        result.category_line = doc.line(("category",))
    if guide is not None:
        result.form = canonical_bytes(guide.dump())
        result.guide_category = guide.category
        result.basic_code = getattr(guide, "basic_code", None)
    return result, stamp


def _check_guide_file(path: Path, forms_dir: Path | None = None) -> _GuideFile:
    """Check one guide file: findings, release form, what cross-file rules need."""
    return _check_guide_source(path, forms_dir)[0]


def _check_guide_files(files: list[Path], forms_dir: Path | None,
                       cache: CheckCache | None = None) -> list[_GuideFile]:
    """Check guide files (in the given order); with `cache`, files whose bytes were checked
    before are not parsed again, and what the others yield is recorded in it."""
    done: dict[Path, _GuideFile] = {}
    todo = files
    if cache is not None:
        todo = []
        for p in files:
            hit = cache.get("guide", p)
            if hit is None:
                todo.append(p)
            else:
                done[p] = _GuideFile.from_row(hit, p)
    workers = min(os.cpu_count() or 1, 8)
    check = partial(_check_guide_source, forms_dir=forms_dir)
    if len(todo) < PARALLEL_FROM or workers < 2:
        fresh = [check(p) for p in todo]
    else:
        ctx = multiprocessing.get_context("spawn")  # safe in threaded hosts (Flask, Kivy)
        with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_die_with_parent,
                                 initargs=(os.getpid(),)) as pool:
            fresh = list(pool.map(check, todo, chunksize=64))
    for p, (result, stamp) in zip(todo, fresh):
        done[p] = result
        if cache is not None:
            cache.put("guide", p, stamp, result.row())
    return [done[p] for p in files]


def _die_with_parent(parent: int) -> None:
    """In a checker worker: exit as soon as the process that started it is gone (killed with
    SIGKILL, say), rather than wait for work that will never come. A daemon thread looks at the
    parent's pid twice a second."""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def symlink_findings(root: Path, listings: dict[str, list[os.DirEntry]] | None = None) -> list[Finding]:
    """One E002 finding per symlink (to a file or a folder) inside content folder `root`,
    found without following any link (the directory entries' types: no stat per file); the
    targets are never read. `listings`, when given, receives the entries of every folder by
    its path (the hall scan uses them rather than list a province's folders again)."""
    found: list[Finding] = []
    stack = [os.fspath(root)]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as entries:
                listed = list(entries)
        except OSError:
            continue
        if listings is not None:
            listings[folder] = listed
        for entry in listed:
            if entry.is_symlink():
                found.append(Finding(entry.path, 1, "E002",
                                     "文件无法读取：内容目录中不允许使用符号链接，请换成普通文件或目录（不会读取其指向的内容）"))
            elif entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)
    found.sort(key=lambda f: f.path)
    return found


def check_content(root: str | Path, cache: CheckCache | None = None) -> CheckResult:
    """Check a content folder (site.yaml, categories.yaml, guides/, optional retired.yaml
    and forms/); never raises on bad content. With `cache` (guides.check_cache, built for
    this folder's forms/ listing), files checked before with the same bytes are not parsed
    again; every rule spanning files is evaluated again all the same, so the result is the
    one a check without cache gives."""
    root = Path(root)
    if not root.is_dir():
        return CheckResult([Finding(str(root), 1, "E002", "内容目录不存在")])
    listings: dict[str, list[os.DirEntry]] = {}
    links = symlink_findings(root, listings)
    if links:  # refuse the folder as a whole: nothing behind a link is ever read
        return CheckResult(links)
    findings: list[Finding] = []
    forms_dir = root / "forms"
    if cache is not None:
        cache.use_forms(forms_listing(forms_dir))
        cache.use_root(root)
    site = categories = None
    site_doc = _read(root / "site.yaml", findings)
    if site_doc:
        site = _validate(Site, site_doc, findings)
        findings.extend(site_rules(site_doc))
    cat_doc = _read(root / "categories.yaml", findings)
    if cat_doc:
        categories = _validate(_categories_adapter, cat_doc, findings)
        findings.extend(categories_rules(cat_doc))
        seen: set[str] = set()
        for i, cat in enumerate(categories or []):
            for key in (cat.slug, cat.name):
                if key in seen:
                    findings.append(Finding(cat_doc.path, cat_doc.line((i,)), "E216", f"分类标识重复：{key} 出现了不止一次"))
                seen.add(key)

    guides_dir = root / "guides"
    files: list[Path] = []
    if not guides_dir.is_dir():
        findings.append(Finding(str(guides_dir), 1, "E002", "文件缺失：找不到 guides 目录"))
    else:
        files = sorted(guides_dir.glob("*.yaml")) + sorted(guides_dir.glob("*.yml"))
        if not files:
            findings.append(Finding(str(guides_dir), 1, "E002", "guides 目录中没有任何事项文件"))
    guides: dict[str, bytes] = {}
    first_file: dict[str, _GuideFile] = {}
    figures: dict[str, Completeness] = {}
    used: set[Any] = set()
    for result in _check_guide_files(files, forms_dir, cache):
        findings.extend(result.findings)
        used.add(result.category if isinstance(result.category, str) else None)
        if result.completeness is not None:
            figures[str(result.path)] = result.completeness
        if result.code is None:
            continue
        if result.code in first_file:
            first = first_file[result.code].path
            findings.append(Finding(str(result.path), result.code_line, "E207",
                                    f"事项编码重复：{result.code} 已在 {first}:{first_file[result.code].code_line} 使用"))
            continue
        first_file[result.code] = result
        if result.form is not None:
            guides[result.code] = result.form

    if categories is not None and cat_doc is not None:
        names = {c.name for c in categories}
        for code, result in first_file.items():
            if result.form is not None and result.guide_category not in names:
                findings.append(Finding(str(result.path), result.category_line, "E213",
                                        f"主题分类不存在：“{result.guide_category}”不在 categories.yaml 中"))
        for i, cat in enumerate(categories):
            if cat.name not in used:
                findings.append(Finding(cat_doc.path, cat_doc.line((i,)), "W302",
                                        f"分类下没有事项：“{cat.name}”还没有任何事项", Severity.warning))
    retired: list[Retired] = []
    if (root / "retired.yaml").exists():
        ret_doc = _read(root / "retired.yaml", findings)
        if ret_doc:
            retired = _validate(_retired_adapter, ret_doc, findings) or []
            findings.extend(categories_rules(ret_doc))  # the same text rules: markup, controls, font
            for i, item in enumerate(retired):
                if item.code in first_file:
                    findings.append(Finding(ret_doc.path, ret_doc.line((i, "code")), "E217",
                                            f"已调整事项仍有事项文件：{item.code} 已停用，请删除 {first_file[item.code].path}"
                                            "（停用的编码不能再用）"))
                if item.successor is not None and item.successor not in guides:
                    findings.append(Finding(ret_doc.path, ret_doc.line((i, "successor")), "E218",
                                            f"接替事项不存在：{item.successor} 不是现行事项"))
    if site is not None and site_doc is not None:
        known = set(first_file) | {p.stem for p in files}  # a file that failed to parse still names its code
        for i, code in enumerate(site.featured):
            if code not in known:
                findings.append(Finding(site_doc.path, site_doc.line(("featured", i)), "E215",
                                        f"常用事项不存在：{code} 没有对应的事项文件"))
    shared = GuideSet(dict(sorted(guides.items())))
    basic_codes = {code: r.basic_code for code, r in first_file.items() if r.form is not None and r.basic_code}
    default_codes = {p.stem: str(p) for p in files}  # a file that failed to parse still names its code
    default_codes.update((code, f"{r.path}:{r.code_line}") for code, r in first_file.items())
    halls = check_halls(root, shared, default_codes,
                        partial(_check_guide_files, forms_dir=forms_dir, cache=cache),
                        {c.name for c in categories} if categories is not None else None,
                        basic_codes=basic_codes, cache=cache, listings=listings)
    findings.extend(halls.findings)
    findings.sort(key=lambda f: (f.path, f.line, f.code))
    result = CheckResult(findings, completeness=figures)
    if result.ok and site is not None and categories is not None:
        result.content = Content(site, tuple(categories), shared,
                                 tuple(sorted(retired, key=lambda r: r.code)),
                                 forms_dir if forms_dir.is_dir() else None,
                                 HallSet(halls.halls, halls.counts, halls.locals) if halls.halls else {}, halls.regions)
    return result


def load_content(root: str | Path) -> Content:
    """The validated content of a folder; raises `ContentError` when the checker finds an error."""
    result = check_content(root)
    if result.content is None:
        raise ContentError(result.findings)
    return result.content
