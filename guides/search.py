"""One search index for kiosk and server: Chinese substrings, full pinyin and initials.

居民身份证换领 is found by 身份证, by "jumin", and by its initials "jmsfzhl";
社保 by "sb". Aliases and material names are searched too. Ranking puts an exact
name hit first, then name prefix, name substring, alias, pinyin, then materials.

Polyphones are indexed in every reading pypinyin knows (提前还款 by "tiqianhuankuan"
and "tiqianhaikuan", 朝阳 by "chaoyang" and "zhaoyang"), at most MAX_READINGS
spellings per name beyond those changing one character. Queries are normalised by
``normalize_query`` the way people type on phones and IMEs (full-width forms, case,
spaces, punctuation), and a query mixing Chinese and pinyin ("社保ka", "hukou 迁移",
"sb卡") is also tried with its Chinese turned into pinyin and into initials.

A gram index (every 1- and 2-character piece of every searchable string) narrows
each query to a few candidates before the exact substring checks run.
"""
from __future__ import annotations

import heapq
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from pypinyin import Style, lazy_pinyin, pinyin

from guides.model import Guide

# Pinyin spellings indexed per name or alias, for full pinyin and for initials alike: the
# phrase-dictionary reading and then, best first, others pypinyin knows for polyphones.
MAX_READINGS = 16

_HANZI = re.compile("([\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+)")


@lru_cache(maxsize=65536)
def normalize_query(text: str) -> str:
    """A query or an indexed text the way it is compared, the same on every surface (kiosk,
    phone page, API): Unicode NFKC (full-width ＳＦＺ１２ -> SFZ12, ㈠ -> (一)), lower case,
    ü -> v as pinyin keyboards type it, and no spaces, punctuation or symbols (身份证 / 换领、
    "shen fen zheng", "xi'an", 330382-GA-0001 -> 330382ga0001)."""
    text = unicodedata.normalize("NFKC", text).lower().replace("ü", "v")
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


normalize = normalize_query  # indexed texts and queries go through the one function


def _toneless(reading: str) -> str:
    """huán -> huan, lǜ -> lv (as typed on pinyin keyboards)."""
    decomposed = unicodedata.normalize("NFD", reading).replace("u\u0308", "v")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


@lru_cache(maxsize=1)
def _phrase_readings() -> dict[str, frozenset[str]]:
    """Per character, the toneless readings pypinyin's phrase dictionary uses for it in some
    word (还: hai in 还是, huan in 归还; 行: xing, hang, heng)."""
    from pypinyin.phrases_dict import phrases_dict

    seen: dict[str, set[str]] = defaultdict(set)
    for phrase, readings in phrases_dict.items():
        if len(phrase) == len(readings):
            for ch, r in zip(phrase, readings):
                if r:
                    seen[ch].add(_toneless(r[0]))
    return {ch: frozenset(rs) for ch, rs in seen.items()}


@lru_cache(maxsize=65536)
def _char_readings(ch: str) -> tuple[str, ...]:
    """The readings of ``ch`` that pypinyin knows in heteronym mode and its phrase dictionary
    uses in some word, in pypinyin's order. Heteronym mode alone also lists archaic readings
    (份 bin, 款 xin, 身 juan) that made short initials match unrelated guides ("sb" found 身份);
    a character in no word of the phrase dictionary keeps all its readings."""
    got = pinyin(ch, style=Style.NORMAL, heteronym=True, errors=lambda _: [])
    readings = [r for r in (normalize_query(x) for x in (got[0] if got else [])) if r]
    used = _phrase_readings().get(ch)
    if used:
        readings = [r for r in readings if r in used] or readings
    return tuple(dict.fromkeys(readings))


def _syllables(text: str) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """Per Chinese character (its readings, their initials), the phrase-dictionary reading
    first; a run of other characters (digits, Latin) is one item that stays whole in full
    pinyin and, as before, gives its first letter as initial when it is a word."""
    items: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
    for i, run in enumerate(_HANZI.split(text)):
        if not i % 2:  # not Chinese
            other = normalize_query(run)
            if other:
                items.append(((other,), (other[0] if other.isalpha() and other.isascii() else other,)))
            continue
        primary = lazy_pinyin(run, style=Style.NORMAL, errors=lambda chars: list(chars))
        if len(primary) != len(run):
            primary = [lazy_pinyin(ch, style=Style.NORMAL, errors=lambda c: [c])[0] for ch in run]
        for ch, first in zip(run, primary):
            readings = tuple(dict.fromkeys((normalize_query(first) or ch, *_char_readings(ch))))
            initials = tuple(dict.fromkeys(r[0] if r.isascii() else r for r in readings))
            items.append((readings, initials))
    return items


def _best_combinations(choices: list[tuple[str, ...]], limit: int) -> list[str]:
    """Joined choices: the first choice everywhere; then every way of changing ONE item to another
    of its choices (always all of them: linear in the length); then changes of several items,
    cheapest first (a choice costs its index in its tuple), while fewer than ``limit`` in all."""
    many = [i for i, c in enumerate(choices) if len(c) > 1]

    def joined(state: tuple[int, ...]) -> str:
        picked = [c[0] for c in choices]
        for pos, k in zip(many, state):
            picked[pos] = choices[pos][k]
        return "".join(picked)

    start = (0,) * len(many)
    out = [joined(start)]
    singles = sorted(((k, j) for j, pos in enumerate(many) for k in range(1, len(choices[pos]))))
    out += [joined(start[:j] + (k,) + start[j + 1:]) for k, j in singles]
    limit = max(limit, len(out)) if limit > 1 else 1
    heap, seen = [(0, start)], {start}
    while heap and len(out) < limit:
        cost, state = heapq.heappop(heap)
        if sum(1 for k in state if k) > 1:
            out.append(joined(state))
        for j, k in enumerate(state):
            if k + 1 < len(choices[many[j]]):
                nxt = state[:j] + (k + 1,) + state[j + 1:]
                if nxt not in seen:
                    seen.add(nxt)
                    heapq.heappush(heap, (cost + 1, nxt))
    return list(dict.fromkeys(out[:limit]))


@lru_cache(maxsize=65536)
def pinyin_readings(text: str, limit: int = MAX_READINGS) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(full pinyin spellings, initials spellings) of ``text``, letters only, lower case.

    The first of each is the reading of pypinyin's phrase dictionary (住房公积金贷款提前还款 ->
    ...tiqianhaikuan); then come spellings that read polyphonic characters (还 hai/huan, 朝
    zhao/chao, 长 chang/zhang, 重 zhong/chong, 行 xing/hang, 单 dan/shan) with the other readings
    pypinyin's heteronym dictionary knows: every change of one character, then changes of
    several, cheapest first, while fewer than ``limit`` (``limit`` 1: the phrase reading only).
    So any reasonable reading finds a guide.
    """
    items = _syllables(text)
    if not items:
        return ("",), ("",)
    full = _best_combinations([readings for readings, _ in items], limit)
    initials = _best_combinations([initials for _, initials in items], limit)
    return tuple(full), tuple(initials)


@lru_cache(maxsize=65536)
def pinyin_forms(text: str) -> tuple[str, str]:
    """(full pinyin, initials) of ``text`` in its phrase-dictionary reading."""
    full, initials = pinyin_readings(text, 1)
    return full[0], initials[0]


# Score of a hit by the field it matched in (higher first).
EXACT_NAME, NAME_PREFIX, NAME_SUB, ALIAS_EXACT, ALIAS_SUB = 100, 90, 80, 75, 70
PINYIN_NAME, INITIALS_NAME, PINYIN_ALIAS, MATERIAL, CATEGORY = 60, 55, 50, 30, 20
OTHER_READING = 4  # less for a spelling that reads a polyphone another way than the phrase reading


@dataclass(frozen=True)
class Hit:
    code: str
    name: str
    score: int
    field: str


@dataclass
class _Doc:
    code: str
    name: str
    fields: list[tuple[str, str, int, int]]  # (field label, normalized text, substring score, prefix bonus)


def _grams(text: str) -> set[str]:
    out = set(text)
    out.update(text[i:i + 2] for i in range(len(text) - 1))
    return out


def _field_score(label: str, text: str, q: str, score: int, prefix_bonus: int) -> int:
    if q == text and label == "name":
        return EXACT_NAME
    if q == text and label == "alias":
        return ALIAS_EXACT
    if q == text and label == "code":
        return EXACT_NAME + 1
    return score + (prefix_bonus if text.startswith(q) else 0)


class SearchIndex:
    """Every guide's name, aliases, materials, category and code, searchable by ``search``.
    ``max_readings``: pinyin spellings per name or alias beyond the one-character changes
    (1: the phrase-dictionary reading only)."""

    def __init__(self, guides: Iterable[Guide] = (), *, max_readings: int = MAX_READINGS):
        self.max_readings = max_readings
        self._docs: list[_Doc] = []
        # gram (1 or 2 characters) -> {doc id: (best score, field)} for docs containing it;
        # a query of one or two characters is answered from here alone.
        self._postings: dict[str, dict[int, tuple[int, str]]] = defaultdict(dict)
        for guide in guides:
            self.add(guide)

    def __len__(self) -> int:
        return len(self._docs)

    def add(self, guide: Guide) -> None:
        name = normalize(guide.name)
        fields: list[tuple[str, str, int, int]] = [("name", name, NAME_SUB, NAME_PREFIX - NAME_SUB)]
        fields += self._readings(guide.name, ("pinyin", PINYIN_NAME, 3), ("initials", INITIALS_NAME, 3))
        for alias in guide.aliases or ():
            a = normalize(alias)
            fields.append(("alias", a, ALIAS_SUB, 2))
            fields += self._readings(alias, ("alias_pinyin", PINYIN_ALIAS, 2), ("alias_initials", PINYIN_ALIAS, 1))
        for material in guide.all_materials():
            fields.append(("material", normalize(material.name), MATERIAL, 0))
        fields.append(("category", normalize(guide.category), CATEGORY, 0))
        fields.append(("code", normalize(guide.code), CATEGORY, 0))
        doc_id = len(self._docs)
        self._docs.append(_Doc(guide.code, guide.name, fields))
        for label, text, score, bonus in fields:
            for gram in _grams(text):
                s = _field_score(label, text, gram, score, bonus)
                posting = self._postings[gram]
                if doc_id not in posting or posting[doc_id][0] < s:
                    posting[doc_id] = (s, label)

    def _readings(self, text: str, full_field, initials_field) -> list[tuple[str, str, int, int]]:
        """Fields for every indexed spelling; a spelling with another reading than the phrase
        reading scores OTHER_READING less, so it ranks below any phrase-reading hit."""
        out = []
        for (label, score, bonus), spellings in zip((full_field, initials_field),
                                                    pinyin_readings(text, self.max_readings)):
            out += [(label, sp, score - OTHER_READING * (i > 0), bonus) for i, sp in enumerate(spellings) if sp]
        return out

    def _score(self, doc: _Doc, q: str) -> tuple[int, str] | None:
        best: tuple[int, str] | None = None
        for label, text, score, bonus in doc.fields:
            if q in text:
                s = _field_score(label, text, q, score, bonus)
                if best is None or s > best[0]:
                    best = (s, label)
        return best

    def _matches(self, q: str):
        """(doc id, (score, field)) of every doc some field of which contains ``q``."""
        if len(q) <= 2:
            return self._postings.get(q, {}).items()
        grams = [q[i:i + 2] for i in range(len(q) - 1)]
        postings = sorted((self._postings.get(g, {}) for g in grams), key=len)
        candidates = set(postings[0])
        for p in postings[1:]:
            candidates &= p.keys()
            if not candidates:
                break
        return [(d, r) for d in candidates if (r := self._score(self._docs[d], q)) is not None]

    def search(self, query: str, limit: int = 20) -> list[Hit]:
        """The best ``limit`` hits for ``query`` as anyone types it (see normalize_query); a query
        that mixes Chinese and Latin letters also matches as pinyin (社保ka, hukou迁移, sb卡)."""
        q = normalize_query(query)
        if not q:
            return []
        best: dict[int, tuple[int, str]] = {}
        for variant in query_variants(q):
            for d, r in self._matches(variant):
                if d not in best or best[d][0] < r[0]:
                    best[d] = r
        docs = self._docs
        top = heapq.nsmallest(limit, best.items(),
                              key=lambda item: (-item[1][0], len(docs[item[0]].name), docs[item[0]].code))
        return [Hit(docs[d].code, docs[d].name, s, label) for d, (s, label) in top]


def query_variants(q: str) -> list[str]:
    """A normalised query, and when it mixes Chinese characters with Latin letters the same
    query with the Chinese as full pinyin and as initials (社保ka -> shebaoka, sbka)."""
    parts = _HANZI.split(q)
    if len(parts) == 1 or not any(ch.isascii() and ch.isalpha() for ch in q):
        return [q]
    full, initials = [], []
    for i, part in enumerate(parts):
        if i % 2:
            syllables = lazy_pinyin(part, style=Style.NORMAL, errors=lambda chars: list(chars))
            full.append("".join(normalize_query(s) or s for s in syllables))
            initials.append("".join((normalize_query(s) or s)[0] for s in syllables))
        else:
            full.append(part)
            initials.append(part)
    return list(dict.fromkeys([q, "".join(full), "".join(initials)]))
