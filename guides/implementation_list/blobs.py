"""Split a free-text cell that holds a numbered list ("1.… 2.…", "①…②…", "（一）…（二）…").

Real exports keep 受理条件, 办理流程, 办理地点 and 办理时间 as one blob. A blob is split only
when its numbering is unambiguous:

- it starts with item 1 of one numbering style (nothing before it: a lead-in such as
  "符合下列条件之一：" changes the meaning of the list, so the blob is kept whole);
- the markers of that style that stand at a boundary (start of text, after a line break,
  a space or ；。：，) run 1, 2, 3, … with no gap, repeat or stray number;
- there are at least two items.

Markers of other styles inside an item ("1.符合以下条件：（1）…（2）…") stay in that item.
A decimal such as "1.5" is not a marker.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_CN = "一二三四五六七八九十"
_B = r"(?:(?<=^)|(?<=[\n\s；;。：:，,]))"  # a boundary before a marker

_STYLES: list[tuple[str, str, re.Pattern]] = [
    ("1.", "阿拉伯数字加点", re.compile(_B + r"(\d{1,2})[.．](?!\d)")),
    ("1、", "阿拉伯数字加顿号", re.compile(_B + r"(\d{1,2})、")),
    ("(1)", "括号数字", re.compile(_B + r"[（(](\d{1,2})[）)]")),
    ("1)", "数字加右括号", re.compile(_B + r"(\d{1,2})[）)]")),
    ("①", "圈码", re.compile(r"([" + _CIRCLED + r"])")),
    ("一、", "汉字数字加顿号", re.compile(_B + r"([" + _CN + r"]{1,2})、")),
    ("(一)", "括号汉字数字", re.compile(_B + r"[（(]([" + _CN + r"]{1,2})[）)]")),
    ("第一步", "第几步", re.compile(_B + r"第([" + _CN + r"\d]{1,2})步[：:，,、]?")),
]


_ANY_MARKER = re.compile(r"[\d" + _CIRCLED + _CN + r"]")


def _value(token: str) -> int:
    if token in _CIRCLED:  # before isdigit(): "①".isdigit() is True
        return _CIRCLED.index(token) + 1
    if token.isascii() and token.isdigit():
        return int(token)
    if token == "十":
        return 10
    if token.startswith("十"):
        return 10 + _CN.index(token[1]) + 1
    if len(token) == 2 and token[1] == "十":
        return (_CN.index(token[0]) + 1) * 10
    if len(token) == 1:
        return _CN.index(token) + 1
    raise ValueError(token)


@dataclass(frozen=True)
class Split:
    """The outcome for one blob: ``items`` (one item when kept whole), ``style`` (e.g. "①")
    when split, else ``reason`` saying why it was kept whole."""
    items: tuple[str, ...]
    style: str | None = None
    reason: str | None = None

    @property
    def was_split(self) -> bool:
        return self.style is not None


def split_numbered(blob: str) -> Split:
    """Split ``blob`` into its numbered items, or keep it whole (see the module docstring)."""
    text = blob.strip()
    best_reason = "没有编号"
    if not _ANY_MARKER.search(text):
        return Split((text,), reason=best_reason)
    for style, label, pattern in _STYLES:
        marks = []
        for m in pattern.finditer(text):
            try:
                marks.append((m.start(), m.end(), _value(m.group(1))))
            except (ValueError, IndexError):
                continue
        if not marks:
            continue
        if marks[0][0] != 0:
            if marks[0][2] == 1:
                best_reason = f"第 1 条（{label}）之前还有文字，拆开会改变含义"
            continue
        numbers = [n for _, _, n in marks]
        if numbers != list(range(1, len(numbers) + 1)):
            best_reason = f"编号（{label}）不连续或有重复：{'、'.join(str(n) for n in numbers[:8])}"
            continue
        if len(marks) < 2:
            best_reason = "只有一条编号"
            continue
        items = []
        for i, (start, end, _) in enumerate(marks):
            stop = marks[i + 1][0] if i + 1 < len(marks) else len(text)
            item = text[end:stop].strip(" \t\n\u3000；;，,")
            if not item:
                return Split((text,), reason=f"第 {i + 1} 条（{label}）是空的")
            items.append(item)
        return Split(tuple(items), style=style)
    return Split((text,), reason=best_reason)


def numbered(items: list[str] | tuple[str, ...], style: str = "1.") -> str:
    """The inverse for export: "1.a\\n2.b" (one item: the item itself, unnumbered)."""
    if len(items) == 1:
        return items[0]
    if style == "①":
        return "\n".join(f"{_CIRCLED[i]}{t}" for i, t in enumerate(items))
    return "\n".join(f"{i + 1}.{t}" for i, t in enumerate(items))
