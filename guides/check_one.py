"""Check one guide that does not come from a file (the web editor's form, an API body).

The same schema (guides.model.Guide, messages from guides.schema_errors) and the same
rules (guides.rules.guide_rules) as `guide-server check`; the difference is where a
finding points: instead of a line, a field path such as ("materials", 2, "name"), so a
form can show each message next to the field it concerns.

    result = check_guide(data, categories={"户籍办理", ...})
    result.ok, result.guide            # the validated Guide when there is no error
    for f in result.findings:          # FieldFinding: .path .field ("materials.2.name") .code .message
        ...

`check_guide_text(text, stem)` does the same for YAML text (e.g. a pasted file), with
findings that also carry the text's line numbers.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from guides.findings import Finding, Severity
from guides.model import Guide
from guides.rules import guide_rules
from guides.completeness import Completeness, completeness, completeness_findings
from guides.schema_errors import translate
from guides.yamlsource import SourceDoc, YamlSyntaxError, parse_yaml

PathT = tuple[str | int, ...]


@dataclass(frozen=True)
class FieldFinding:
    path: PathT
    code: str
    message: str
    severity: Severity = Severity.error
    line: int | None = None  # only when checked from YAML text

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.error

    @property
    def field(self) -> str:
        """Dotted path, e.g. "materials.2.name"; "" for the guide as a whole."""
        return ".".join(str(p) for p in self.path)

    def __str__(self) -> str:
        return f"{self.field or '事项'}: {self.code} {self.message}"


@dataclass
class GuideCheck:
    """The findings for one guide, the validated `Guide` when there is no error, and its
    completeness (recommended elements present)."""
    findings: list[FieldFinding] = field(default_factory=list)
    guide: Guide | None = None
    completeness: Completeness | None = None

    @property
    def errors(self) -> list[FieldFinding]:
        return [f for f in self.findings if f.is_error]

    @property
    def ok(self) -> bool:
        return not self.errors and self.guide is not None

    def by_field(self) -> dict[str, list[FieldFinding]]:
        out: dict[str, list[FieldFinding]] = {}
        for f in self.findings:
            out.setdefault(f.field, []).append(f)
        return out


class _PathDoc(SourceDoc):
    """A SourceDoc whose "line numbers" are tickets for the paths the checker asked about."""

    def __init__(self, data: Any, text: str = "", path: str = "<form>"):
        super().__init__(path=path, data=data, text=text)
        self.asked: list[PathT] = []

    def line(self, path) -> int:  # noqa: D401 - see class docstring
        self.asked.append(tuple(path))
        return len(self.asked)


def _check(data: Any, stem: str, categories: set[str] | None, text_doc: SourceDoc | None,
           forms_dir: Path | None = None) -> GuideCheck:
    doc = _PathDoc(data)
    out: list[FieldFinding] = []

    def real_line(path: PathT) -> int | None:
        return text_doc.line(path) if text_doc is not None else None

    guide = None
    if not isinstance(data, dict):
        out.append(FieldFinding((), "E103", "类型错误：事项内容应为键值对", line=1 if text_doc else None))
        return GuideCheck(out)
    try:
        guide = Guide.model_validate(data)
    except ValidationError as exc:
        # the full location (for "missing", the missing field itself); the line is that of
        # the mapping it belongs in, as in `guide-server check`
        for path, line_path, code, message in translate(exc):
            out.append(FieldFinding(path, code, message, line=real_line(line_path)))
    figure = completeness(data)
    for f in [*guide_rules(doc, stem, forms_dir), *completeness_findings(doc, figure)]:
        path = doc.asked[f.line - 1]
        out.append(FieldFinding(path, f.code, f.message, f.severity, real_line(path)))
    if categories is not None and guide is not None and guide.category not in categories:
        out.append(FieldFinding(("category",), "E213",
                                f"主题分类不存在：“{guide.category}”不在 categories.yaml 中",
                                line=real_line(("category",))))
    errors = [f for f in out if f.is_error]
    return GuideCheck(out, guide if not errors else None, figure)


def check_guide(data: dict, *, stem: str | None = None, categories: set[str] | None = None,
                forms_dir: Path | None = None) -> GuideCheck:
    """Check one guide's data (as loaded from YAML). `stem` is the file name it will be
    written to (default: its own code, so E208 cannot fire); `categories`, when given,
    are the known 主题分类 names (E213); `forms_dir`, when given, is content/forms/ where
    attachments must exist (E224)."""
    code = data.get("code") if isinstance(data, dict) else None
    return _check(data, stem if stem is not None else (code if isinstance(code, str) else ""), categories, None,
                  forms_dir)


def check_guide_text(text: str, stem: str, *, categories: set[str] | None = None,
                     display: str = "<text>", forms_dir: Path | None = None) -> GuideCheck:
    """Check one guide given as YAML text; findings carry both the field path and the line."""
    try:
        src = parse_yaml(text, display)
    except YamlSyntaxError as exc:
        return GuideCheck([FieldFinding((), "E001", f"YAML 语法错误：{exc.message}", line=exc.line)])
    result = _check(src.data, stem, categories, src, forms_dir)
    dups = [FieldFinding((), "E003", f"重复的键：{key} 出现了不止一次", line=line)
            for key, line in src.duplicate_keys]
    if dups:
        result.findings[:0] = dups
        result.guide = None
    return result


def as_findings(result: GuideCheck, path: str) -> list[Finding]:
    """The results as ordinary `path:line: CODE message` findings (line 1 when unknown)."""
    return [Finding(path, f.line or 1, f.code, f.message, f.severity) for f in result.findings]
