"""Read a 实施清单 file into plain sheets of cell values.

Spreadsheets (.xlsx, .xlsm, .xls, .ods) are read with python-calamine: it reads all three
formats through one Rust reader, returns the cached value of formula cells, turns date-
formatted cells into ``datetime`` values and reads a 100,000-row sheet in a fraction of a
second. CSV files are decoded as UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030.

Merged cells are filled with the value of their top-left cell (exports merge the 实施编码
column over the material rows of one item). Trailing empty rows and columns are dropped.
Every failure raises ``ListReadError`` with a Chinese message naming the file.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from guides.implementation_list.problems import ListReadError, Place, Problem, a1, col_letter

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HAS_VALUE = re.compile(rb"<v>[^<]+</v>")  # a cached formula result (openpyxl writes an empty <v />)
# A sheet larger than this is refused before it is converted cell by cell.
MAX_SHEET_ROWS = 500_000


@dataclass
class Sheet:
    """One table: ``rows[r][c]`` is the value of row r, column c (0-based, from A1).

    Values are as the reader gives them: str, float, int, bool, datetime.date/datetime/time
    or "" for an empty cell.
    """
    file: str
    name: str
    rows: list[list[Any]]
    hidden: bool = False
    # formula cells saved without a computed value (read as empty): A1 references
    formula_blanks: list[str] = field(default_factory=list)

    def place(self, row: int | None = None, col: int | None = None) -> Place:
        """The place of a row (1-based row number as the cell) or of one cell (A1)."""
        if row is None:
            return Place(self.file, self.name, "")
        if col is None:
            return Place(self.file, self.name, str(row + 1))
        return Place(self.file, self.name, a1(row, col) if row >= 0 else col_letter(col))


@dataclass
class Workbook:
    path: Path
    display: str
    sheets: list[Sheet] = field(default_factory=list)


def _fail(display: str, code: str, message: str) -> ListReadError:
    return ListReadError([Problem(Place(display), code, message)])


def read_file(path: str | Path, display: str | None = None, *, max_rows: int = MAX_SHEET_ROWS) -> Workbook:
    """Read one file. ``display`` is how messages name it (default: the path as given).

    Raises ListReadError: LE105 missing, LE101 not a spreadsheet, LE102 password-protected,
    LE103 corrupt, LE104 a CSV in an encoding that is none of UTF-8/UTF-16/GB18030,
    LE113 a sheet longer than ``max_rows``.
    """
    path = Path(path)
    display = display or str(path)
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except FileNotFoundError:
        raise _fail(display, "LE105", "文件不存在") from None
    except IsADirectoryError:
        raise _fail(display, "LE101", "这是一个目录，不是电子表格文件") from None
    except OSError as exc:
        raise _fail(display, "LE103", f"文件无法读取：{exc.strerror}") from None
    suffix = path.suffix.lower()
    if head.startswith(_ZIP) or head.startswith(_OLE):
        return _read_spreadsheet(path, display, max_rows)
    if suffix in CSV_SUFFIXES:
        return _read_csv(path, display, max_rows)
    if suffix in SPREADSHEET_SUFFIXES:
        kind = "Excel 或 ODS" if suffix != ".xls" else "Excel 97-2003"
        raise _fail(display, "LE101", f"文件扩展名是 {suffix}，但内容不是 {kind} 电子表格（可能是改了扩展名的其他文件）")
    raise _fail(display, "LE101", "不是电子表格：请提供 .xlsx、.xls、.ods 或 .csv 文件")


def _read_spreadsheet(path: Path, display: str, max_rows: int) -> Workbook:
    import python_calamine as pc

    try:
        book = pc.CalamineWorkbook.from_path(str(path))
    except pc.PasswordError:
        raise _fail(display, "LE102", "文件设有打开密码，无法读取：请在 Excel/WPS 中取消密码后另存，再导入") from None
    except (pc.CalamineError, OSError, ValueError) as exc:
        raise _fail(display, "LE103", f"文件已损坏或不是受支持的电子表格，无法读取（{_short(exc)}）") from None
    wb = Workbook(path, display)
    blanks = _formulas_without_values(path) if path.suffix.lower() in (".xlsx", ".xlsm") else {}
    try:
        metas = {m.name: m for m in book.sheets_metadata}
        for name in book.sheet_names:
            meta = metas.get(name)
            if meta is not None and meta.typ != pc.SheetTypeEnum.WorkSheet:
                continue  # chart sheets and the like hold no cells
            try:
                sheet = book.get_sheet_by_name(name)
            except pc.CalamineError as exc:
                raise _fail(display, "LE103", f"工作表“{name}”已损坏，无法读取（{_short(exc)}）") from None
            if sheet.total_height > max_rows:
                raise ListReadError([Problem(Place(display, name, f"A{max_rows + 1}"), "LE113",
                                             f"工作表有 {sheet.total_height:,} 行，超过单个工作表 {max_rows:,} 行的上限；"
                                             "请按部门或区划分批导出")])
            rows = sheet.to_python(skip_empty_area=False)
            _fill_merged(rows, sheet.merged_cell_ranges or [])
            hidden = meta is not None and meta.visible != pc.SheetVisibleEnum.Visible
            wb.sheets.append(Sheet(display, name, _trim(rows), hidden, blanks.get(name, [])))
    finally:
        book.close()
    return wb


def _formulas_without_values(path: Path) -> dict[str, list[str]]:
    """Per sheet name, the cells of an .xlsx that hold a formula but no cached value.

    Excel and WPS save the computed value beside each formula, and that is what calamine
    returns; a file written by a program that never computed its formulas has none, so such
    a cell reads as empty. Those cells are worth a warning rather than silence."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            book = z.read("xl/workbook.xml")
            rels = z.read("xl/_rels/workbook.xml.rels")
            targets = {}
            for rel in re.finditer(rb"<Relationship\b[^>]*>", rels):
                rid = re.search(rb'\bId="([^"]+)"', rel[0])
                target = re.search(rb'\bTarget="([^"]+)"', rel[0])
                if rid and target:
                    targets[rid[1]] = target[1]
            out: dict[str, list[str]] = {}
            for m in re.finditer(rb'<(?:\w+:)?sheet\b[^>]*?name="([^"]+)"[^>]*?r:id="([^"]+)"', book):
                target = targets.get(m[2], b"").decode()
                member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
                try:
                    data = z.read(member)
                except KeyError:
                    continue
                if b"<f" not in data:
                    continue
                cells = []
                for f in re.finditer(rb"<f[ >/]", data):
                    start = data.rfind(b"<c ", 0, f.start())
                    end = data.find(b"</c>", f.start())
                    if start < 0 or end < 0 or _HAS_VALUE.search(data, f.start(), end):
                        continue
                    ref = re.match(rb'<c r="([A-Z]+[0-9]+)"', data[start:start + 40])
                    if ref:
                        cells.append(ref[1].decode())
                if cells:
                    name = m[1].decode().replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
                    out[name] = cells
            return out
    except (zipfile.BadZipFile, KeyError, OSError):
        return {}


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:120]


def _fill_merged(rows: list[list[Any]], ranges) -> None:
    for (r0, c0), (r1, c1) in ranges:
        if r0 >= len(rows) or c0 >= len(rows[r0]):
            continue
        value = rows[r0][c0]
        for r in range(r0, r1 + 1):
            while r >= len(rows):
                rows.append([])
            row = rows[r]
            if len(row) <= c1:
                row.extend([""] * (c1 + 1 - len(row)))
            for c in range(c0, c1 + 1):
                if row[c] == "" or row[c] is None:
                    row[c] = value


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _trim(rows: list[list[Any]]) -> list[list[Any]]:
    end = len(rows)
    while end and all(_empty(v) for v in rows[end - 1]):
        end -= 1
    del rows[end:]
    return rows


def _decode(raw: bytes, display: str) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="strict")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    if b"\x00" in raw[:4096]:
        raise _fail(display, "LE101", "不是电子表格：文件含有二进制内容，不是 CSV 文本")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise _fail(display, "LE104", f"第 {line} 行的字节既不是 UTF-8 也不是 GB18030 编码；"
                                      "请另存为“CSV UTF-8”后再导入") from None


def _read_csv(path: Path, display: str, max_rows: int) -> Workbook:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise _fail(display, "LE103", f"文件无法读取：{exc.strerror}") from None
    try:
        text = _decode(raw, display)
    except UnicodeDecodeError:
        raise _fail(display, "LE104", "文件以 UTF-8 标记开头，但内容不是 UTF-8 编码") from None
    sample = text[:8192]
    delimiter = ","
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",\t;").delimiter
    except csv.Error:
        if "\t" in sample.split("\n", 1)[0] and "," not in sample.split("\n", 1)[0]:
            delimiter = "\t"
    rows: list[list[Any]] = []
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            rows.append(row)
            if len(rows) > max_rows:
                raise ListReadError([Problem(Place(display, path.stem, str(max_rows + 1)), "LE113",
                                             f"文件超过 {max_rows:,} 行的上限；请按部门或区划分批导出")])
    except csv.Error as exc:
        raise _fail(display, "LE103", f"CSV 格式错误（第 {len(rows) + 1} 行）：{exc}") from None
    return Workbook(path, display, [Sheet(display, path.stem, _trim(rows))])
