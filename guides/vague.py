"""Vague catch-all wording (模糊条款) as a small grammar, not a word list.

CONTENT-STANDARD.md ("What the checker rejects"), from the seeds' 消除模糊条款: a guide
must name what it asks for. The classes below each match a way of leaving the list open:

- 开放式列举  an enumeration closed by 等 + a kind of document: "…、机动车驾驶证等身份证件",
             "户口簿等材料", "等相关证明"
- 泛指       相关 / 有关 / 其他 / 其它, a few characters, then a kind of document or
             condition: "有关证件", "相关税费缴纳凭证", "其他必要材料", "相关条件"
- 兜底条款    "规定的其他…" ("法律法规规定的其他情形")
- 按规定办理  "按有关规定办理", "按照当地政策执行"
- 视情况 / 另行通知 / 必要时提供

Text inside 《》 (a document's title, nested titles included) is exempt, and so are the
fields that hold a law's name or 文号 (see `EXEMPT_KEYS`, used by guides.rules).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# Kinds of documents (and 条件) a catch-all leaves unnamed.
_KIND = r"(?:材料|证明|证件|证照|手续|凭证|资料|文件|条件|票据|证书)"
_QUALIFIER = r"(?:相关|有关|其他|其它|有效|合法|必要|必需|所需)"
# Characters that end a phrase: punctuation and brackets.
_STOP = r"\s，。；：、,.;:（）()《》〈〉<>“”\"'！？!?"

CLASSES: tuple[tuple[str, str], ...] = (
    ("开放式列举", rf"等(?:{_QUALIFIER})?(?:身份)?{_KIND}"),
    ("泛指", rf"(?:相关|有关|其他|其它)[^{_STOP}]{{0,6}}?{_KIND}"),
    ("兜底条款", r"规定的其[他它]\w{0,6}"),
    ("按规定办理", rf"按照?(?:有关|相关|当地)[^{_STOP}]{{0,4}}?(?:规定|办法|政策)(?:办理|执行)?"),
    ("视情况", r"视(?:具体)?情况"),
    ("另行通知", r"另行通知"),
    ("必要时提供", r"必要时(?:须|需|应|还需|需要|另行)?(?:提供|提交|补充|补交|出具)"),
)
_RE = re.compile("|".join(f"(?P<c{i}>{pattern})" for i, (_, pattern) in enumerate(CLASSES)))
_TITLE = re.compile(r"《[^《》]*》")
# Spaces between two Chinese characters ("相 关 材 料", full-width spaces too) hide nothing.
_CJK_GAP = re.compile(r"(?<=[\u3400-\u9fff])[\s\u3000]+(?=[\u3400-\u9fff])")
# A quick pre-test: every class contains one of these characters.
_TRIGGERS = frozenset("等相有其规按视另必")

# Keys whose values are not prose (codes, ids, phones, file names, a law's name, 文号, enums).
EXEMPT_KEYS = frozenset({
    "code", "basic_code", "department_code", "id", "when", "url", "online_url", "file", "blank_form",
    "sample", "flow_image", "consult", "complaint", "law", "doc_no", "article", "updated", "item_type",
    "audience", "category", "level", "service_scope", "form", "necessity", "channels", "speed", "type",
    "unit", "statutory", "promised", "value", "public_base_url", "hotline", "region_code", "area_code",
    "featured", "slug", "aliases",
})


@dataclass(frozen=True)
class VagueMatch:
    """One catch-all phrase: its class (开放式列举, 泛指, ...) and the words as written."""
    kind: str
    words: str


def _strip_titles(text: str) -> str:
    # Blank out 《…》 from the innermost outwards, keeping positions.
    while True:
        new = _TITLE.sub(lambda m: " " * len(m.group()), text)
        if new == text:
            return text
        text = new


def find_vague(text: str) -> VagueMatch | None:
    """The first vague phrase in `text` outside 《》 titles, or None; spaces between Chinese
    characters are read as if absent ("相 关 材 料" is 相关材料)."""
    if not _TRIGGERS.intersection(text):
        return None
    text = _CJK_GAP.sub("", text)
    if "《" in text:
        text = _strip_titles(text)
    m = _RE.search(text)
    if m is None:
        return None
    index = int(m.lastgroup[1:])
    return VagueMatch(CLASSES[index][0], m.group())
