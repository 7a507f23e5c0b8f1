"""Header maps (headers/*.yaml) and finding the header row and the kind of each sheet.

A header map is data: per sheet kind, which column header fills which field of
``fields.FIELDS``. Two come with the package — ``national`` (the Chinese element names that
exported spreadsheets print) and ``exchange`` (the national item-exchange tables' column
names: task_name, catalog_code, task_code, …); a hall may add its own file with --headers.

Headers are compared after NFKC (full-width -> ASCII), removing spaces, line breaks and a
leading "*"/"★" (required-column marks) and a trailing colon, and, failing that, without a trailing note in
parentheses ("纸质材料份数（份）").
"""
from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from guides.implementation_list.cells import line as cell_line, nfkc
from guides.implementation_list.fields import FIELDS, KEY_FIELD, SHEET_KINDS
from guides.implementation_list.reader import Sheet
from guides.yamlsource import load_plain_file

HERE = Path(__file__).parent
HEADER_SCAN_ROWS = 10  # title rows above the header are common; the header is within these


class HeaderMapError(Exception):
    """A header map file that cannot be used (the message says what and where)."""


def normalise(header: str) -> str:
    s = nfkc(header).lower()
    s = re.sub(r"\s+", "", s)
    return s.lstrip("*★").rstrip("*:")


def _without_note(h: str) -> str:
    return re.sub(r"\([^()]*\)$", "", h)


@dataclass
class HeaderMap:
    """One source's headers: ``columns[kind][normalised header] = field id``."""
    source: str
    description: str
    columns: dict[str, dict[str, str]]
    ignore: set[str] = field(default_factory=set)


def load_header_map(path: Path) -> HeaderMap:
    """Load one header map file. Raises HeaderMapError on a malformed file or an unknown field."""
    try:
        data = load_plain_file(path)
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise HeaderMapError(f"{path}: 表头对照文件无法读取：{exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("columns"), dict):
        raise HeaderMapError(f"{path}: 表头对照文件应有 columns: 按 items/materials/fees/faq 列出表头")
    columns: dict[str, dict[str, str]] = {}
    for kind, mapping in data["columns"].items():
        if kind not in SHEET_KINDS or not isinstance(mapping, dict):
            raise HeaderMapError(f"{path}: 未知的表类型 {kind}（应为 {'、'.join(SHEET_KINDS)}）")
        for header, field_id in mapping.items():
            if field_id not in FIELDS:
                raise HeaderMapError(f"{path}: 表头“{header}”对应的字段 {field_id} 不存在")
            columns.setdefault(kind, {})[normalise(str(header))] = field_id
    ignore = {normalise(str(h)) for h in data.get("ignore") or []}
    return HeaderMap(str(data.get("source") or path.stem), str(data.get("description") or ""), columns, ignore)


@lru_cache(maxsize=None)
def builtin_header_maps() -> tuple[HeaderMap, ...]:
    return tuple(load_header_map(p) for p in sorted((HERE / "headers").glob("*.yaml")) if p.stem != "sheets")


@lru_cache(maxsize=None)
def sheet_names() -> dict:
    return load_plain_file(HERE / "headers" / "sheets.yaml")


def header_maps(extra: tuple[str | Path, ...] = ()) -> list[HeaderMap]:
    """The built-in maps plus any extra files (a hall's own export)."""
    return list(builtin_header_maps()) + [load_header_map(Path(p)) for p in extra]


@dataclass
class Layout:
    """What a sheet is: its kind, header row and which column fills which field."""
    sheet: Sheet
    kind: str
    header_row: int
    fields: dict[int, str]        # column -> field id
    headers: dict[int, str]       # column -> header as written
    unknown: list[int]            # columns no map knows
    ignored: list[int]            # technical columns, known and skipped
    sources: list[str]            # header maps that matched
    data_rows: int = 0            # non-empty rows under the header (counted before mapping)

    def columns_of(self, field_id: str) -> list[int]:
        """The columns filling ``field_id``, left to right (several headers may map to one field)."""
        index = self.__dict__.get("_by_field")
        if index is None:
            index = {}
            for c, f in sorted(self.fields.items()):
                index.setdefault(f, []).append(c)
            self.__dict__["_by_field"] = index
        return index.get(field_id, [])


def _name_kind(name: str) -> str | None:
    key = re.sub(r"\s+", "", name).lower()
    for kind, patterns in sheet_names()["kinds"].items():
        if any(fnmatch.fnmatchcase(key, p.lower()) for p in patterns):
            return kind
    return None


def is_skippable(name: str) -> bool:
    key = re.sub(r"\s+", "", name)
    return key in sheet_names()["skip"]


def _lookup(maps: list[HeaderMap], kind: str, header: str) -> tuple[str, str] | None:
    for variant in (header, _without_note(header)):
        for m in maps:
            fid = m.columns.get(kind, {}).get(variant)
            if fid:
                return fid, m.source
    return None


def detect(sheet: Sheet, maps: list[HeaderMap]) -> Layout | None:
    """Find the header row (within the first rows) and the sheet's kind; None when no row
    has at least two known headers including the kind's key field (or a code column)."""
    hint = _name_kind(sheet.name)
    best: tuple | None = None
    for r, row in enumerate(sheet.rows[:HEADER_SCAN_ROWS]):
        headers = {c: normalise(cell_line(v) or "") for c, v in enumerate(row) if cell_line(v)}
        if len(headers) < 2:
            continue
        for kind in SHEET_KINDS:
            found = {c: hit for c, h in headers.items() if (hit := _lookup(maps, kind, h))}
            ids = {fid for fid, _ in found.values()}
            if len(found) < 2:
                continue
            key_ok = KEY_FIELD[kind] in ids or (kind == "items" and ids & {"task_code", "handle_item_code"})
            if not key_ok:
                continue
            score = (len(found) + (1 if kind == hint else 0), kind == hint)
            if best is None or score > best[0]:
                best = (score, r, kind, found, headers)
    if best is None:
        return None
    _, r, kind, found, headers = best
    ignore = set().union(*(m.ignore for m in maps))
    written = {c: cell_line(v) for c, v in enumerate(sheet.rows[r]) if cell_line(v)}
    fields = {c: fid for c, (fid, _) in found.items()}
    unknown = [c for c in headers if c not in found and headers[c] not in ignore]
    ignored = [c for c in headers if c not in found and headers[c] in ignore]
    sources = sorted({src for _, src in found.values()})
    return Layout(sheet, kind, r, fields, written, unknown, ignored, sources)
