"""One search index for kiosk and server: Chinese substrings, full pinyin and initials.

居民身份证换领 is found by 身份证, by "jumin", and by its initials "jmsfzhl";
社保 by "sb". Aliases and material names are searched too. Ranking puts an exact
name hit first, then name prefix, name substring, alias, pinyin, then materials.

A gram index (every 1- and 2-character piece of every searchable string) narrows
each query to a few candidates before the exact substring checks run.
"""
from __future__ import annotations

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


class SearchIndex:
    def __init__(self, guides: Iterable[Guide] = ()):
        self._docs: list[_Doc] = []
        self._postings: dict[str, set[int]] = defaultdict(set)
        for guide in guides:
            self.add(guide)

    def __len__(self) -> int:
        return len(self._docs)

    def add(self, guide: Guide) -> None:
        name = normalize(guide.name)
        fields: list[tuple[str, str, int, int]] = [("name", name, NAME_SUB, NAME_PREFIX - NAME_SUB)]
        full, initials = pinyin_forms(guide.name)
        fields += [("pinyin", full, PINYIN_NAME, 3), ("initials", initials, INITIALS_NAME, 3)]
        for alias in guide.aliases:
            a = normalize(alias)
            fields.append(("alias", a, ALIAS_SUB, 2))
            a_full, a_init = pinyin_forms(alias)
            fields += [("alias_pinyin", a_full, PINYIN_ALIAS, 2), ("alias_initials", a_init, PINYIN_ALIAS, 1)]
        for material in guide.materials:
            fields.append(("material", normalize(material.name), MATERIAL, 0))
        fields.append(("category", normalize(guide.category), CATEGORY, 0))
        fields.append(("code", normalize(guide.code), CATEGORY, 0))
        doc_id = len(self._docs)
        self._docs.append(_Doc(guide.code, guide.name, fields))
        for _, text, _, _ in fields:
            for gram in _grams(text):
                self._postings[gram].add(doc_id)

    def _candidates(self, q: str) -> set[int]:
        grams = [q] if len(q) == 1 else [q[i:i + 2] for i in range(len(q) - 1)]
        postings = sorted((self._postings.get(g, set()) for g in grams), key=len)
        if not postings or not postings[0]:
            return set()
        out = set(postings[0])
        for p in postings[1:]:
            out &= p
            if not out:
                break
        return out

    def search(self, query: str, limit: int = 20) -> list[Hit]:
        q = normalize(query)
        if not q:
            return []
        hits: list[Hit] = []
        for doc_id in self._candidates(q):
            doc = self._docs[doc_id]
            best: tuple[int, str] | None = None
            if q == doc.code.lower():
                best = (EXACT_NAME + 1, "code")
            for label, text, score, prefix_bonus in doc.fields:
                if q not in text:
                    continue
                if label == "name" and q == text:
                    s = EXACT_NAME
                elif label == "alias" and q == text:
                    s = ALIAS_EXACT
                else:
                    s = score + (prefix_bonus if text.startswith(q) else 0)
                if best is None or s > best[0]:
                    best = (s, label)
            if best is not None:
                hits.append(Hit(doc.code, doc.name, best[0], best[1]))
        hits.sort(key=lambda h: (-h.score, len(h.name), h.code))
        return hits[:limit]
