"""Reading one item's cells: rows indexed by field, typed reads that record problems, and
the trace of which cell fed which v2 element (the dry-run report).

A read returns ``(value, where, header)``; ``where`` is a ``(row, column)`` pair turned into
a ``Place`` (``file:sheet!A1``) only when a message or a trace line needs it, so that a
20,000-item import does not build millions of places it never prints.
"""
from __future__ import annotations

import re
from typing import Any

from guides.implementation_list import cells as C
from guides.implementation_list.codelists import CodeError, Profile, Resolved, UnknownLabel, resolve
from guides.implementation_list.fields import FIELDS
from guides.implementation_list.headers import Layout
from guides.implementation_list.problems import Place, Problem
from guides.implementation_list.reader import Sheet


class Trace:
    """One report line: this column, at this cell, went to this v2 element (with a note)."""
    __slots__ = ("column", "sheet", "r", "c", "element", "note")

    def __init__(self, column: str, sheet: Sheet, r: int, c: int, element: str, note: str = ""):
        self.column, self.sheet, self.r, self.c, self.element, self.note = column, sheet, r, c, element, note

    @property
    def place(self) -> Place:
        return self.sheet.place(self.r, self.c)


class Row:
    """One data row of a laid-out sheet; its non-empty cells are indexed by field once."""
    __slots__ = ("layout", "r", "_values")

    def __init__(self, layout: Layout, r: int):
        self.layout = layout
        self.r = r
        self._values: dict[str, list[tuple[Any, int]]] | None = None

    def place(self, col: int | None = None) -> Place:
        return self.layout.sheet.place(self.r, col if col is not None else 0)

    def raw(self, field_id: str) -> list[tuple[Any, int]]:
        """The non-empty (value, column) pairs of ``field_id`` in this row, left to right."""
        if self._values is None:
            row = self.layout.sheet.rows[self.r]
            values: dict[str, list[tuple[Any, int]]] = {}
            n = len(row)
            for c, fid in self.layout.fields.items():
                if c >= n:
                    continue
                v = row[c]
                if v == "" or v is None or (type(v) is str and not v.strip(C.BLANKS)):
                    continue
                values.setdefault(fid, []).append((v, c))
            self._values = values
        return self._values.get(field_id, [])

    def release(self) -> None:
        """Drop the row's cells once its guide is built (a 20,000-item import would otherwise
        hold every cell until the end)."""
        self._values = None
        self.layout.sheet.rows[self.r] = []


Where = tuple[Row, int]


def place_of(where: Where) -> Place:
    row, col = where
    return row.place(col)


class RowReader:
    """Typed reads over one or more rows of one item (the first non-empty cell wins); every
    problem goes to ``problems``, every read to ``trace`` unless ``trace`` is None."""

    def __init__(self, rows: list[Row], profile: Profile, problems: list[Problem], trace: list[Trace] | None,
                 entry: tuple[str, int] | None = None):
        self.rows = rows
        self.profile = profile
        self.problems = problems
        self.trace = trace
        # ("materials", 2): this reader reads list entry 2, so "materials.name" is noted as
        # "materials[2].name" (the report can then point a checker finding at its row)
        self.entry = entry

    def cell(self, field_id: str) -> tuple[Any, Where, str] | None:
        """First non-empty cell of the field over the rows; a different second value is LW307."""
        if len(self.rows) == 1:
            row = self.rows[0]
            pairs = row.raw(field_id)
            if not pairs:
                return None
            found = [(v, row, c) for v, c in pairs]
        else:
            found = [(v, row, c) for row in self.rows for v, c in row.raw(field_id)]
            if not found:
                return None
        value, row, col = found[0]
        for other, orow, ocol in found[1:]:
            if C.text(other) != C.text(value):
                self.warn((orow, ocol), "LW307",
                          f"“{orow.layout.headers[ocol]}”与 {row.place(col)} 的取值不同，以后者“{C.line(value)}”为准")
        return value, (row, col), row.layout.headers[col]

    def warn(self, where: Where | Place, code: str, message: str) -> None:
        place = where if isinstance(where, Place) else place_of(where)
        self.problems.append(Problem(place, code, message))

    def note(self, column: str, where: Where, element: str, note: str = "") -> None:
        if self.trace is not None:
            row, col = where
            if self.entry and element.startswith(self.entry[0] + "."):
                element = f"{self.entry[0]}[{self.entry[1]}]{element[len(self.entry[0]):]}"
            self.trace.append(Trace(column, row.layout.sheet, row.r, col, element, note))

    def line(self, field_id: str, element: str | None = None) -> str | None:
        got = self.cell(field_id)
        if got is None:
            return None
        value, where, header = got
        self.note(header, where, element or FIELDS[field_id].element or "未导入")
        return C.line(value)

    def text(self, field_id: str) -> tuple[str, Where, str] | None:
        got = self.cell(field_id)
        if got is None:
            return None
        value, where, header = got
        return C.text(value), where, header

    def code(self, field_id: str) -> str | None:
        got = self.cell(field_id)
        if got is None:
            return None
        value, where, header = got
        try:
            out = C.code(value)
        except C.CellError as exc:
            self.warn(where, "LE125", str(exc))
            return None
        self.note(header, where, FIELDS[field_id].element or "未导入")
        return out

    def integer(self, field_id: str, units: tuple[str, ...] = ()) -> int | None:
        got = self.cell(field_id)
        if got is None:
            return None
        value, where, header = got
        try:
            out = C.integer(value, unit_words=units)
        except C.CellError as exc:
            self.warn(where, "LW303", f"“{header}”{exc}；该项未导入")
            return None
        self.note(header, where, FIELDS[field_id].element or "未导入")
        return out

    def date(self, field_id: str):
        got = self.cell(field_id)
        if got is None:
            return None
        value, where, header = got
        try:
            out = C.date(value)
        except C.CellError as exc:
            self.warn(where, "LW304", f"“{header}”{exc}；该项未导入")
            return None
        self.note(header, where, FIELDS[field_id].element or "未导入")
        return out

    def _resolve(self, raw: str, fld, where: Where, header: str) -> Resolved | None:
        try:
            return resolve(raw, fld.vocab, fld.codes, self.profile, header)
        except CodeError as exc:
            self.warn(where, exc.code, str(exc))
        except UnknownLabel as exc:
            self.warn(where, "LW302", f"{exc}；该项未导入")
        return None

    def label(self, field_id: str, *, quiet: bool = False) -> tuple[Resolved, Where, str] | None:
        """One label cell resolved (label or bare code, see codelists). ``quiet``: the caller
        reports a label without a v2 value itself."""
        got = self.cell(field_id)
        if got is None:
            return None
        value, where, header = got
        fld = FIELDS[field_id]
        res = self._resolve(C.line(value) or "", fld, where, header)
        if res is None:
            return None
        how = f"代码 {res.code} → {res.label}（代码表 {self.profile.name}）" if res.code else ""
        if res.value is None and not quiet:
            if fld.element is None:
                self.note(header, where, "未导入", (how + "；" if how else "") + "v2 没有此要素")
            else:
                self.warn(where, "LW305", f"“{header}”为“{res.label}”，v2 内容标准没有对应取值，未导入")
        elif res.value is not None:
            self.note(header, where, fld.element or "未导入", how)
        return res, where, header

    def labels(self, field_id: str) -> tuple[list[Resolved], Where, str] | None:
        """Several labels in one cell (separated by 、，,;；/ or line breaks)."""
        got = self.cell(field_id)
        if got is None:
            return None
        value, where, header = got
        fld = FIELDS[field_id]
        out = []
        for part in re.split(r"[、，,;；/\n]+", C.text(value) or ""):
            if not part.strip():
                continue
            res = self._resolve(part.strip(), fld, where, header)
            if res is None:
                continue
            if res.value is None:
                self.warn(where, "LW305", f"“{header}”中的“{res.label}”在 v2 内容标准中没有对应取值，未导入")
                continue
            out.append(res)
        codes = [r for r in out if r.code]
        how = "；".join(f"代码 {r.code} → {r.label}" for r in codes)
        self.note(header, where, fld.element or "未导入", how + (f"（代码表 {self.profile.name}）" if codes else ""))
        return out, where, header
