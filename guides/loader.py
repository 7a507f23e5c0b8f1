"""Load and check a content folder: site.yaml, categories.yaml, guides/<code>.yaml.

`check_content` returns every finding (never raises on bad content);
`load_content` returns the validated `Content` or raises `ContentError`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from guides.findings import Finding, Severity
from guides.model import Category, Guide, Site
from guides.rules import guide_rules, site_rules
from guides.schema_errors import schema_findings
from guides.yamlsource import SourceDoc, YamlSyntaxError, read_yaml

_categories_adapter = TypeAdapter(list[Category])


@dataclass(frozen=True)
class Content:
    site: Site
    categories: tuple[Category, ...]
    guides: dict[str, Guide]  # by code, sorted by code


@dataclass
class CheckResult:
    findings: list[Finding] = field(default_factory=list)
    content: Content | None = None

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
        super().__init__(f"内容检查未通过,共 {len(errors)} 处错误:\n{lines}{more}")


class _Checker:
    def __init__(self, root: Path):
        self.root = root
        self.findings: list[Finding] = []

    def read(self, path: Path) -> SourceDoc | None:
        shown = str(path)
        if not path.is_file():
            self.findings.append(Finding(shown, 1, "E002", f"文件缺失:找不到 {path.name}"))
            return None
        try:
            doc = read_yaml(path, shown)
        except YamlSyntaxError as exc:
            self.findings.append(Finding(shown, exc.line, "E001", f"YAML 语法错误:{exc.message}"))
            return None
        except FileNotFoundError as exc:
            self.findings.append(Finding(shown, 1, "E002", f"文件无法读取:{exc}"))
            return None
        for key, line in doc.duplicate_keys:
            self.findings.append(Finding(shown, line, "E003", f"重复的键:{key} 出现了不止一次"))
        return doc

    def validate(self, model, doc: SourceDoc, what: str):
        if not isinstance(doc.data, dict if model is not _categories_adapter else list):
            kind = "键值对" if model is not _categories_adapter else "列表"
            self.findings.append(Finding(doc.path, 1, "E103", f"类型错误:{what} 应为{kind}"))
            return None
        try:
            if model is _categories_adapter:
                return model.validate_python(doc.data)
            return model.model_validate(doc.data)
        except ValidationError as exc:
            self.findings.extend(schema_findings(exc, doc))
            return None

    def run(self) -> CheckResult:
        root = self.root
        if not root.is_dir():
            return CheckResult([Finding(str(root), 1, "E002", "内容目录不存在")])
        site = categories = None
        site_doc = self.read(root / "site.yaml")
        if site_doc:
            site = self.validate(Site, site_doc, "site.yaml")
            self.findings.extend(site_rules(site_doc))
        cat_doc = self.read(root / "categories.yaml")
        if cat_doc:
            categories = self.validate(_categories_adapter, cat_doc, "categories.yaml")
            if categories:
                seen: set[str] = set()
                for i, cat in enumerate(categories):
                    for key in (cat.slug, cat.name):
                        if key in seen:
                            self.findings.append(Finding(cat_doc.path, cat_doc.line((i,)), "E216",
                                                         f"分类标识重复:{key} 出现了不止一次"))
                        seen.add(key)
        guides_dir = root / "guides"
        guides: dict[str, Guide] = {}
        where: dict[str, tuple[str, int]] = {}
        docs: dict[str, SourceDoc] = {}
        stems: set[str] = set()
        if not guides_dir.is_dir():
            self.findings.append(Finding(str(guides_dir), 1, "E002", "文件缺失:找不到 guides 目录"))
        else:
            files = sorted(guides_dir.glob("*.yaml")) + sorted(guides_dir.glob("*.yml"))
            if not files:
                self.findings.append(Finding(str(guides_dir), 1, "E002", "guides 目录中没有任何事项文件"))
            stems = {p.stem for p in files}
            for path in files:
                doc = self.read(path)
                if doc is None:
                    continue
                guide = self.validate(Guide, doc, path.name)
                self.findings.extend(guide_rules(doc, path.stem))
                code = doc.data.get("code") if isinstance(doc.data, dict) else None
                if isinstance(code, str):
                    if code in where:
                        first = where[code]
                        self.findings.append(Finding(doc.path, doc.line(("code",)), "E207",
                                                     f"事项编码重复:{code} 已在 {first[0]}:{first[1]} 使用"))
                    else:
                        where[code] = (doc.path, doc.line(("code",)))
                        docs[code] = doc
                        if guide is not None:
                            guides[code] = guide
        if categories is not None:
            names = {c.name for c in categories}
            for code, guide in guides.items():
                if guide.category not in names:
                    doc = docs[code]
                    self.findings.append(Finding(doc.path, doc.line(("category",)), "E213",
                                                 f"主题分类不存在:“{guide.category}”不在 categories.yaml 中"))
            used = {d.data.get("category") for d in docs.values() if isinstance(d.data, dict)}
            for i, cat in enumerate(categories):
                if cat.name not in used and cat_doc is not None:
                    self.findings.append(Finding(cat_doc.path, cat_doc.line((i,)), "W302",
                                                 f"分类下没有事项:“{cat.name}”还没有任何事项", Severity.warning))
        if site is not None and site_doc is not None:
            for i, code in enumerate(site.featured):
                # a file that failed to parse still names its code: no cascade
                if code not in where and code not in stems:
                    self.findings.append(Finding(site_doc.path, site_doc.line(("featured", i)), "E215",
                                                 f"常用事项不存在:{code} 没有对应的事项文件"))
        self.findings.sort(key=lambda f: (f.path, f.line, f.code))
        result = CheckResult(self.findings)
        if result.ok and site is not None and categories is not None:
            result.content = Content(site, tuple(categories), dict(sorted(guides.items())))
        return result


def check_content(root: str | Path) -> CheckResult:
    return _Checker(Path(root)).run()


def load_content(root: str | Path) -> Content:
    result = check_content(root)
    if result.content is None:
        raise ContentError(result.findings)
    return result.content
