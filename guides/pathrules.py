"""Rules about 情形引导: questions, ``when`` and the answer paths they make.

CONTENT-STANDARD.md: "Unknown question or option ids are errors. A guide with
``questions`` must give every path at least one material", and the same material may
not appear twice on one path. Works on the raw YAML data (see guides.rules).

- E225 a question or option id used twice
- E220 a ``when`` naming an unknown question or option (or, on a question, one that is
  not asked before it)
- E226 a group asking to choose more items than it lists
- E212 the same material twice on one answer path (the second is reported)
- E221 an answer path with no material
- W404 more paths than are checked (4,096)
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from guides.findings import Finding, Severity
from guides.model import SLUG_PATTERN, WHEN_PATTERN, parse_when
from guides.yamlsource import SourceDoc

MAX_PATHS = 4096
_WHEN_RE = re.compile(WHEN_PATTERN)
_SLUG_RE = re.compile(SLUG_PATTERN)
Terms = tuple[tuple[str, frozenset[str]], ...]


def _terms(when: Any) -> Terms | None:
    """Parsed ``when``; None when it is not a list of well-formed entries (the schema says so)."""
    if when is None:
        return ()
    if not isinstance(when, list) or not all(isinstance(t, str) and _WHEN_RE.match(t.strip()) for t in when):
        return None
    return parse_when([t.strip() for t in when])


def compatible(when_a: Any, when_b: Any) -> bool:
    """False when two raw ``when`` lists can never hold on the same path (one question, no
    option in common); True otherwise, including when either is absent or malformed."""
    a, b = _terms(when_a), _terms(when_b)
    if not a or not b:
        return True
    mine = dict(a)
    return all(qid not in mine or mine[qid] & opts for qid, opts in b)


def _conditional_items(data: dict) -> Iterator[tuple[tuple, Any]]:
    """(path, item) of every mapping that may carry ``when``."""
    for key in ("conditions", "flow", "locations", "mistakes"):
        value = data.get(key)
        for i, item in enumerate(value if isinstance(value, list) else []):
            if isinstance(item, dict):
                yield (key, i), item
    for i, entry in enumerate(data.get("materials") if isinstance(data.get("materials"), list) else []):
        if isinstance(entry, dict):
            yield ("materials", i), entry
            items = entry.get("items")
            for j, item in enumerate(items if isinstance(items, list) else []):
                if isinstance(item, dict):
                    yield ("materials", i, "items", j), item
    limit = data.get("time_limit")
    if isinstance(limit, dict):
        yield ("time_limit",), limit
    for i, item in enumerate(limit if isinstance(limit, list) else []):
        if isinstance(item, dict):
            yield ("time_limit", i), item
    speed = data.get("speed")
    for i, item in enumerate(speed if isinstance(speed, list) else []):
        if isinstance(item, dict):
            yield ("speed", i), item
    fee = data.get("fee")
    items = fee.get("items") if isinstance(fee, dict) else None
    for i, item in enumerate(items if isinstance(items, list) else []):
        if isinstance(item, dict):
            yield ("fee", "items", i), item


def _err(doc: SourceDoc, path: tuple, code: str, message: str, severity: Severity = Severity.error) -> Finding:
    return Finding(doc.path, doc.line(path), code, message, severity)


def _check_terms(doc: SourceDoc, path: tuple, when: Any, known: dict[str, tuple[str, set[str]]],
                 before: set[str] | None) -> Iterator[Finding]:
    if not isinstance(when, list):
        return
    for j, term in enumerate(when):
        if not isinstance(term, str) or not _WHEN_RE.match(term.strip()):
            continue  # malformed: the schema reports it
        ((qid, opts),) = parse_when([term.strip()])
        where = path + ("when", j)
        if qid not in known:
            hint = "，本事项没有设置情形问题(questions)" if not known else f"，已有的问题：{'、'.join(known)}"
            yield _err(doc, where, "E220", f"情形条件引用了不存在的问题：“{qid}”{hint}")
            continue
        if before is not None and qid not in before:
            yield _err(doc, where, "E220", f"情形条件引用了不存在的问题：问题“{qid}”不在本问题之前，"
                                           "追问只能依赖前面的问题")
            continue
        ask, options = known[qid]
        for oid in sorted(opts - options):
            yield _err(doc, where, "E220", f"情形条件引用了不存在的选项：问题“{ask}”({qid}) 没有选项“{oid}”，"
                                           f"可选：{'、'.join(sorted(options))}")


def _paths(questions: list[tuple[str, list[str], Terms]], limit: int) -> tuple[list[dict[str, str]], bool]:
    """Complete answer paths (a question is asked only when its when holds)."""
    out: list[dict[str, str]] = []
    truncated = False

    def walk(i: int, answers: dict[str, str]) -> None:
        nonlocal truncated
        if len(out) >= limit:
            truncated = True
            return
        if i == len(questions):
            out.append(dict(answers))
            return
        qid, options, terms = questions[i]
        if not _holds(terms, answers):
            walk(i + 1, answers)
            return
        for oid in options:
            answers[qid] = oid
            walk(i + 1, answers)
            del answers[qid]

    walk(0, {})
    return out, truncated


def _holds(terms: Terms | None, answers: dict[str, str]) -> bool:
    return terms is not None and all(answers.get(qid) in opts for qid, opts in terms)


def _path_text(questions: dict[str, tuple[str, dict[str, str]]], answers: dict[str, str]) -> str:
    parts = []
    for qid, oid in answers.items():
        ask, labels = questions[qid]
        parts.append(f"{ask}{labels.get(oid, oid)}")
    return "；".join(parts)


def path_rules(doc: SourceDoc) -> Iterator[Finding]:
    """The rules of this module for one guide file (see the module docstring)."""
    data = doc.data
    if not isinstance(data, dict):
        return
    found = 0
    raw_questions = data.get("questions") if isinstance(data.get("questions"), list) else []
    known: dict[str, tuple[str, set[str]]] = {}
    labels: dict[str, tuple[str, dict[str, str]]] = {}
    questions: list[tuple[str, list[str], Terms]] = []
    for i, q in enumerate(raw_questions):
        if not isinstance(q, dict) or not isinstance(q.get("id"), str) or not _SLUG_RE.match(q["id"].strip()):
            return  # a malformed question (the schema reports it) makes every reference doubtful
        qid, ask = q["id"].strip(), q.get("ask") if isinstance(q.get("ask"), str) else q["id"]
        options: list[str] = []
        option_labels: dict[str, str] = {}
        raw_options = q.get("options") if isinstance(q.get("options"), list) else []
        for j, opt in enumerate(raw_options):
            if isinstance(opt, dict) and isinstance(opt.get("id"), str):
                oid = opt["id"].strip()
                if oid in option_labels:
                    found += 1
                    yield _err(doc, ("questions", i, "options", j, "id"), "E225",
                               f"情形选项标识重复：问题“{ask}”中选项“{oid}”出现了不止一次")
                    continue
                options.append(oid)
                option_labels[oid] = opt.get("label") if isinstance(opt.get("label"), str) else oid
        for f in _check_terms(doc, ("questions", i), q.get("when"), known, set(known)):
            found += 1
            yield f
        if qid in known:
            found += 1
            yield _err(doc, ("questions", i, "id"), "E225", f"情形问题标识重复：“{qid}”出现了不止一次")
            continue
        known[qid] = (ask, set(options))
        labels[qid] = (ask, option_labels)
        questions.append((qid, options, _terms(q.get("when"))))

    items = list(_conditional_items(data))
    for path, item in items:
        for f in _check_terms(doc, path, item.get("when"), known, None):
            found += 1
            yield f
    materials = data.get("materials")
    if not isinstance(materials, list):
        return
    for i, entry in enumerate(materials):
        if isinstance(entry, dict) and "one_of" in entry:
            choose, group = entry.get("choose", 1), entry.get("items")
            if isinstance(choose, int) and isinstance(group, list) and choose > len(group):
                found += 1
                yield _err(doc, ("materials", i, "choose"), "E226",
                           f"材料组设置错误：要求任选 {choose} 种，但只列了 {len(group)} 种")
    if found or not materials:
        return  # unknown ids make every path doubtful: fix those first

    paths, truncated = _paths(questions, MAX_PATHS)
    reported: set[tuple] = set()
    empty_reported = False
    for answers in paths:
        seen: dict[str, tuple] = {}
        count = 0
        for i, entry in enumerate(materials):
            if not isinstance(entry, dict) or not _holds(_terms(entry.get("when")), answers):
                continue
            if "one_of" in entry:
                group = entry.get("items") if isinstance(entry.get("items"), list) else []
                members = [(("materials", i, "items", j), m) for j, m in enumerate(group)
                           if isinstance(m, dict) and _holds(_terms(m.get("when")), answers)]
            else:
                members = [(("materials", i), entry)]
            count += 1 if members else 0
            for path, material in members:
                name = material.get("name")
                if not isinstance(name, str):
                    continue
                key = re.sub(r"\s+", "", name)
                if key in seen:
                    if path not in reported:
                        reported.add(path)
                        first = seen[key]
                        where = "第 " + "-".join(str(p + 1) for p in first if isinstance(p, int)) + " 项"
                        case = f"（情形：{_path_text(labels, answers)}）" if answers else ""
                        yield _err(doc, path + ("name",), "E212", f"申请材料重复：“{name}”与{where}重复{case}")
                else:
                    seen[key] = path
        if count == 0 and not empty_reported:
            empty_reported = True
            yield _err(doc, ("materials",), "E221",
                       f"情形缺少申请材料：按“{_path_text(labels, answers)}”回答时没有任何申请材料，"
                       "每种情形至少写一项材料")
    if truncated:
        yield _err(doc, ("questions",), "W404", f"情形组合过多：超过 {MAX_PATHS} 种，只检查了前 {MAX_PATHS} 种",
                   Severity.warning)
