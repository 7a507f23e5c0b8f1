"""Problems found while reading a 实施清单: one line each, ``file:sheet!cell: CODE message``.

Codes are stable and never change meaning (README lists them). ``LE`` codes are errors: an
import with any of them writes nothing and exits 1. ``LW`` codes are warnings: the element
concerned is left absent (nothing is invented) and the import goes on. ``LI`` codes are
notes for the report (how a free-text cell was split or kept whole).
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from functools import lru_cache


class Level(str, Enum):
    error = "error"
    warning = "warning"
    note = "note"


CODES: dict[str, str] = {
    # the file as a whole
    "LE101": "不是电子表格",
    "LE102": "文件已加密（设有打开密码）",
    "LE103": "文件已损坏或无法读取",
    "LE104": "文件编码无法识别",
    "LE105": "文件不存在",
    # sheets and headers
    "LE111": "工作表没有可识别的表头",
    "LE112": "没有事项表",
    "LE113": "行数超过上限",
    # rows
    "LE121": "编码重复",
    "LE122": "材料、收费或问答行的编码找不到对应事项",
    "LE123": "编码缺失",
    "LE124": "编码格式错误",
    "LE125": "编码被存成了数字",
    "LE126": "只给了实施编码，无法判断属于哪个业务办理项",
    # code lists
    "LE131": "代码不在代码表中",
    "LE132": "代码表没有这一列的代码",
    # warnings: the element is left absent
    "LW301": "未识别的列",
    "LW302": "取值无法识别",
    "LW303": "数字无法识别",
    "LW304": "日期无法识别",
    "LW305": "取值在 v2 内容标准中没有对应，未导入",
    "LW306": "非依申请事项，不生成办事指南",
    "LW307": "取值前后矛盾",
    "LW308": "该列没有对应的 v2 要素，未导入",
    "LW309": "行缺少名称",
    "LW310": "公式单元格没有计算结果",
    # notes for the report
    "LI501": "按编号拆分为多条",
    "LI502": "未拆分，整段保留",
}


@dataclass(frozen=True, slots=True)
class Place:
    """Where a value came from: file, sheet and an A1 cell (or a range, or "" for the sheet)."""
    file: str
    sheet: str = ""
    cell: str = ""

    def __str__(self) -> str:
        if not self.sheet:
            return self.file
        return f"{self.file}:{self.sheet}!{self.cell}" if self.cell else f"{self.file}:{self.sheet}"


@dataclass(frozen=True, slots=True)
class Problem:
    place: Place
    code: str
    message: str

    @property
    def level(self) -> Level:
        return {"LE": Level.error, "LW": Level.warning}.get(self.code[:2], Level.note)

    @property
    def is_error(self) -> bool:
        return self.level is Level.error

    def __str__(self) -> str:
        return f"{self.place}: {self.code} {self.message}"


class ListReadError(Exception):
    """Reading stopped: the input cannot be used at all. ``problems`` says what and where."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@lru_cache(maxsize=1024)
def col_letter(index: int) -> str:
    """0-based column index -> spreadsheet letters (0 -> A, 26 -> AA)."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def a1(row: int, col: int) -> str:
    """0-based row and column -> an A1 reference (row 0, col 1 -> B1)."""
    return f"{col_letter(col)}{row + 1}"
