"""One search index for kiosk and server: Chinese substrings, full pinyin and initials.

居民身份证换领 is found by 身份证, by "jumin", and by its initials "jmsfzhl";
社保 by "sb". Aliases and material names are searched too. Ranking puts an exact
name hit first, then name prefix, name substring, alias, pinyin, then materials.

A gram index (every 1- and 2-character piece of every searchable string) narrows
each query to a few candidates before the exact substring checks run.
"""
from __future__ import annotations

import heapq
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

from guides.model import Guide

_SPACE = re.compile(r"[\s·・,,。、()()]+")


def normalize(text: str) -> str:
    return _SPACE.sub("", text).lower()


@lru_cache(maxsize=65536)
def pinyin_forms(text: str) -> tuple[str, str]:
    """(full pinyin, initials) of `text`, letters only, lower case."""
    syllables = lazy_pinyin(text, style=Style.NORMAL, errors="default")
    full, initials = [], []
    for s in syllables:
        s = normalize(s)
        if not s:
            continue
        full.append(s)
        # a run that is not Chinese (digits, latin) stays whole in both forms
        initials.append(s[0] if s.isalpha() and s.isascii() else s)
    return "".join(full), "".join(initials)


# Score of a hit by the field it matched in (higher first).
EXACT_NAME, NAME_PREFIX, NAME_SUB, ALIAS_EXACT, ALIAS_SUB = 100, 90, 80, 75, 70
PINYIN_NAME, INITIALS_NAME, PINYIN_ALIAS, MATERIAL, CATEGORY = 60, 55, 50, 30, 20


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
    def __init__(self, guides: Iterable[Guide] = ()):
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
        full, initials = pinyin_forms(guide.name)
        fields += [("pinyin", full, PINYIN_NAME, 3), ("initials", initials, INITIALS_NAME, 3)]
        for alias in guide.aliases or ():
            a = normalize(alias)
            fields.append(("alias", a, ALIAS_SUB, 2))
            a_full, a_init = pinyin_forms(alias)
            fields += [("alias_pinyin", a_full, PINYIN_ALIAS, 2), ("alias_initials", a_init, PINYIN_ALIAS, 1)]
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

    def _score(self, doc: _Doc, q: str) -> tuple[int, str] | None:
        best: tuple[int, str] | None = None
        for label, text, score, bonus in doc.fields:
            if q in text:
                s = _field_score(label, text, q, score, bonus)
                if best is None or s > best[0]:
                    best = (s, label)
        return best

    def search(self, query: str, limit: int = 20) -> list[Hit]:
        q = normalize(query)
        if not q:
            return []
        if len(q) <= 2:
            scored = self._postings.get(q, {}).items()
        else:
            grams = [q[i:i + 2] for i in range(len(q) - 1)]
            postings = sorted((self._postings.get(g, {}) for g in grams), key=len)
            candidates = set(postings[0])
            for p in postings[1:]:
                candidates &= p.keys()
                if not candidates:
                    break
            scored = ((d, r) for d in candidates if (r := self._score(self._docs[d], q)) is not None)
        docs = self._docs
        top = heapq.nsmallest(limit, scored, key=lambda item: (-item[1][0], len(docs[item[0]].name), docs[item[0]].code))
        return [Hit(docs[d].code, docs[d].name, s, label) for d, (s, label) in top]
