"""情形引导: working a guide out for a citizen's answers -- the one function every surface uses.

    resolved = resolve(guide, {"why": "lost"})
    resolved.complete                  # True: every question on this path is answered
    resolved.answers                   # (Answer(question, option), ...) in question order
    resolved.materials.certain         # what applies on this path (groups kept as groups)
    resolved.fees / .time_limits / .speeds / .conditions / .flow / .locations / .mistakes
    resolved.query                     # "why=lost": the stable path URL's query string

With no answers (a poster, the print page, the API without parameters) the same call gives
the whole guide grouped by case: ``certain`` holds what applies on every path and ``cases``
holds one `CaseSection` per distinct ``when``, labelled with the answers it needs. With some
answers, ``certain`` is what already applies and ``cases`` what depends on questions still
open (``open_questions`` now, ``later_questions`` once those are answered).

An answer naming a question or option the guide does not have, or a question that is not
asked on the path the other answers make, raises `UnknownAnswer` (surfaces answer 404 with
the guide's link). ``when`` semantics are CONTENT-STANDARD.md's: a list of
``question=option[|option]`` entries that must all hold; an entry on a question that is not
asked on the path does not hold.

Costs: a compiled form of each guide is kept on the (immutable) guide, so one resolve is a
walk over its items with no parsing -- tens of microseconds for a typical guide.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode

from guides.model import (Condition, FeeItem, FlowStep, Guide, Location, Material, MaterialGroup, Mistake,
                          Option, Question, SpeedVariant, TimeLimit, parse_when)

T = TypeVar("T")
Terms = tuple[tuple[str, frozenset[str]], ...]

# Status of a question on a path.
_ANSWERED, _OPEN, _LATER, _NEVER = "answered", "open", "later", "never"


class UnknownAnswer(LookupError):
    """An answer the guide cannot take: an unknown question id, an unknown option id, or a
    question not asked on the path the other answers make. ``question`` and ``option`` are the
    ids as given; ``message`` is Chinese, for the 404 page."""

    def __init__(self, code: str, question: str, option: str | None, message: str):
        super().__init__(message)
        self.code = code
        self.question = question
        self.option = option
        self.message = message


@dataclass(frozen=True)
class Answer:
    """One answered question on a path."""
    question: Question
    option: Option


@dataclass(frozen=True)
class CaseSection(Generic[T]):
    """Items that apply only in one case: ``when`` pairs each question with the options
    for which the items apply; ``label`` names that case in Chinese (the option's label;
    several options quoted and joined by 或; several questions joined by ；)."""
    when: tuple[tuple[Question, tuple[Option, ...]], ...]
    label: str
    items: tuple[T, ...]


@dataclass(frozen=True)
class Applicable(Generic[T]):
    """What of one element applies: ``certain`` on this path; ``cases`` depending on
    questions not answered yet (empty once the path is complete)."""
    certain: tuple[T, ...] = ()
    cases: tuple[CaseSection[T], ...] = ()

    def __iter__(self) -> Iterator[T]:
        """Every item, certain ones first, then each case's."""
        yield from self.certain
        for section in self.cases:
            yield from section.items

    def __bool__(self) -> bool:
        return bool(self.certain or self.cases)

    def __len__(self) -> int:
        return len(self.certain) + sum(len(s.items) for s in self.cases)


@dataclass(frozen=True)
class ResolvedGuide:
    """A guide worked out for a set of answers (see the module docstring)."""
    guide: Guide
    answers: tuple[Answer, ...]
    open_questions: tuple[Question, ...]   # to be asked now, in question order
    later_questions: tuple[Question, ...]  # asked only after some open question is answered
    conditions: Applicable[Condition]
    materials: Applicable[Material | MaterialGroup]
    time_limits: Applicable[TimeLimit]
    speeds: Applicable[SpeedVariant]
    fees: Applicable[FeeItem]
    flow: Applicable[FlowStep]
    locations: Applicable[Location]
    mistakes: Applicable[Mistake]

    @property
    def complete(self) -> bool:
        """True when no question is left on this path (always for a guide without questions)."""
        return not self.open_questions and not self.later_questions

    @property
    def next_question(self) -> Question | None:
        """The first question still to be asked, or None."""
        return self.open_questions[0] if self.open_questions else None

    @property
    def answer_map(self) -> dict[str, str]:
        """{question id: option id} of the answers, in question order."""
        return {a.question.id: a.option.id for a in self.answers}

    @property
    def query(self) -> str:
        """The stable path URL's query string, e.g. ``why=lost`` ("" without answers)."""
        return urlencode([(a.question.id, a.option.id) for a in self.answers])

    @property
    def answers_text(self) -> str:
        """The answers named for a citizen, e.g. "您要办理哪一种？证件遗失（补领）"."""
        return "；".join(f"{a.question.ask}{a.option.label}" for a in self.answers)


# ------------------------------------------------------------------------------- compiled guide
@dataclass(frozen=True)
class _Compiled:
    questions: tuple[tuple[Question, Terms], ...]
    by_id: dict[str, Question]
    conditions: tuple[tuple[Condition, Terms], ...]
    materials: tuple[tuple[Any, Terms, tuple[tuple[Material, Terms], ...]], ...]
    time_limits: tuple[tuple[TimeLimit, Terms], ...]
    speeds: tuple[tuple[SpeedVariant, Terms], ...]
    fees: tuple[tuple[FeeItem, Terms], ...]
    flow: tuple[tuple[FlowStep, Terms], ...]
    locations: tuple[tuple[Location, Terms], ...]
    mistakes: tuple[tuple[Mistake, Terms], ...]
    has_when: bool


def _pairs(items: Iterable[Any] | None) -> tuple[tuple[Any, Terms], ...]:
    return tuple((item, parse_when(item.when)) for item in items or ())


def _compile(guide: Guide) -> _Compiled:
    cached = guide._compiled
    if cached is not None:
        return cached
    materials = []
    for entry in guide.materials:
        inner = _pairs(entry.items) if isinstance(entry, MaterialGroup) else ()
        materials.append((entry, parse_when(entry.when), inner))
    compiled = _Compiled(
        questions=tuple((q, parse_when(q.when)) for q in guide.questions or ()),
        by_id={q.id: q for q in guide.questions or ()},
        conditions=_pairs(guide.conditions),
        materials=tuple(materials),
        time_limits=_pairs(guide.time_limit_variants),
        speeds=_pairs(guide.speed_variants),
        fees=_pairs(guide.fee.items if guide.fee.charged else ()),
        flow=_pairs(guide.flow),
        locations=_pairs(guide.locations),
        mistakes=_pairs(guide.mistakes),
        has_when=False,
    )
    object.__setattr__(compiled, "has_when", any(
        terms for group in (compiled.conditions, compiled.time_limits, compiled.speeds, compiled.fees,
                            compiled.flow, compiled.locations, compiled.mistakes)
        for _, terms in group) or any(t or any(it for _, it in inner) for _, t, inner in compiled.materials))
    guide._compiled = compiled
    return compiled


# ------------------------------------------------------------------------------------ evaluation
def _eval(terms: Terms, answers: Mapping[str, str], status: Mapping[str, str]) -> tuple[bool | None, Terms]:
    """(True, ()) when every entry holds, (False, ()) when one cannot hold on this path,
    (None, undecided entries) when it depends on questions not answered yet."""
    undecided = []
    for qid, opts in terms:
        given = answers.get(qid)
        if given is not None:
            if given not in opts:
                return False, ()
        elif status.get(qid) in (_OPEN, _LATER):
            undecided.append((qid, opts))
        else:
            return False, ()
    return (None, tuple(undecided)) if undecided else (True, ())


def _label(guide: _Compiled, terms: Terms) -> tuple[tuple[tuple[Question, tuple[Option, ...]], ...], str]:
    when, parts = [], []
    for qid, opts in terms:
        q = guide.by_id[qid]
        options = tuple(o for o in q.options if o.id in opts)
        when.append((q, options))
        parts.append(options[0].label if len(options) == 1 else "或".join(f"“{o.label}”" for o in options))
    return tuple(when), "；".join(parts)


def _apply(compiled: _Compiled, pairs, answers, status) -> Applicable:
    certain: list[Any] = []
    cases: dict[Terms, list[Any]] = {}
    for item, terms in pairs:
        if not terms:
            certain.append(item)
            continue
        holds, rest = _eval(terms, answers, status)
        if holds is True:
            certain.append(item)
        elif holds is None:
            cases.setdefault(rest, []).append(item)
    return _applicable(compiled, certain, cases)


def _applicable(compiled: _Compiled, certain: list[Any], cases: dict[Terms, list[Any]]) -> Applicable:
    if not cases:
        return Applicable(tuple(certain))
    sections = []
    for terms, items in cases.items():
        when, label = _label(compiled, terms)
        sections.append(CaseSection(when, label, tuple(items)))
    return Applicable(tuple(certain), tuple(sections))


def _apply_materials(compiled: _Compiled, answers, status) -> Applicable:
    certain: list[Any] = []
    cases: dict[Terms, list[Any]] = {}
    for entry, terms, inner in compiled.materials:
        holds, rest = _eval(terms, answers, status) if terms else (True, ())
        if holds is False:
            continue
        if inner and any(t for _, t in inner):
            kept = [m for m, t in inner if not t or _eval(t, answers, status)[0] is not False]
            if len(kept) != len(entry.items):
                entry = entry.model_copy(update={"items": kept})
        if holds is True:
            certain.append(entry)
        else:
            cases.setdefault(rest, []).append(entry)
    return _applicable(compiled, certain, cases)


def _statuses(compiled: _Compiled, code: str, answers: Mapping[str, str]) -> dict[str, str]:
    for qid, oid in answers.items():
        q = compiled.by_id.get(qid)
        if q is None:
            raise UnknownAnswer(code, qid, oid, f"本事项没有“{qid}”这个问题")
        if q.option(oid) is None:
            raise UnknownAnswer(code, qid, oid, f"问题“{q.ask}”没有“{oid}”这个选项")
    status: dict[str, str] = {}
    for q, terms in compiled.questions:
        holds, _ = _eval(terms, {k: v for k, v in answers.items() if k != q.id}, status) if terms else (True, ())
        if q.id in answers:
            if holds is not True:
                raise UnknownAnswer(code, q.id, answers[q.id], f"按您的其他回答，不需要回答“{q.ask}”")
            status[q.id] = _ANSWERED
        else:
            status[q.id] = _OPEN if holds is True else _LATER if holds is None else _NEVER
    return status


def resolve(guide: Guide, answers: Mapping[str, str] | None = None) -> ResolvedGuide:
    """Work `guide` out for `answers` ({question id: option id}); see the module docstring.

    Raises `UnknownAnswer` for an unknown question or option id, or for an answer to a
    question that the other answers make irrelevant."""
    compiled = _compile(guide)
    answers = dict(answers or {})
    status = _statuses(compiled, guide.code, answers)
    chosen = tuple(Answer(q, q.option(answers[q.id])) for q, _ in compiled.questions if q.id in answers)

    def apply(pairs) -> Applicable:
        return _apply(compiled, pairs, answers, status)

    return ResolvedGuide(
        guide=guide,
        answers=chosen,
        open_questions=tuple(q for q, _ in compiled.questions if status[q.id] == _OPEN),
        later_questions=tuple(q for q, _ in compiled.questions if status[q.id] == _LATER),
        conditions=apply(compiled.conditions),
        materials=_apply_materials(compiled, answers, status),
        time_limits=apply(compiled.time_limits),
        speeds=apply(compiled.speeds),
        fees=apply(compiled.fees),
        flow=apply(compiled.flow),
        locations=apply(compiled.locations),
        mistakes=apply(compiled.mistakes),
    )


# ------------------------------------------------------------------------------------ URL helpers
def answers_from_query(guide: Guide, pairs: Iterable[tuple[str, str]], ignore: Iterable[str] = ()) -> dict[str, str]:
    """Answers from URL query pairs (e.g. ``request.args.items(multi=True)``), skipping the
    parameter names in `ignore`. A parameter given twice, or naming no question of the guide,
    raises `UnknownAnswer`; options are checked by `resolve`."""
    skip = set(ignore)
    out: dict[str, str] = {}
    for key, value in pairs:
        if key in skip:
            continue
        if key in out:
            raise UnknownAnswer(guide.code, key, value, f"问题“{key}”回答了不止一次")
        if key not in _compile(guide).by_id:
            raise UnknownAnswer(guide.code, key, value, f"本事项没有“{key}”这个问题")
        out[key] = value
    return out


def path_query(guide: Guide, answers: Mapping[str, str]) -> str:
    """The stable query string of an answer path, in question order: ``why=lost&age=child``.
    Validates like `resolve` (raises `UnknownAnswer`)."""
    compiled = _compile(guide)
    _statuses(compiled, guide.code, answers)
    return urlencode([(q.id, answers[q.id]) for q, _ in compiled.questions if q.id in answers])


def with_answer(guide: Guide, answers: Mapping[str, str], question: str, option: str) -> dict[str, str]:
    """`answers` with ``question`` answered ``option``; answers to questions that are no longer
    asked on the new path (a changed parent answer) are dropped. Raises `UnknownAnswer`."""
    compiled = _compile(guide)
    new = {k: v for k, v in answers.items() if k != question}
    new[question] = option
    q = compiled.by_id.get(question)
    if q is None or q.option(option) is None:
        _statuses(compiled, guide.code, {question: option})  # raises with the right message
    while True:
        try:
            _statuses(compiled, guide.code, new)
            break
        except UnknownAnswer as exc:
            if exc.question == question or exc.question not in new:
                raise
            del new[exc.question]
    order = [q.id for q, _ in compiled.questions]
    return {k: new[k] for k in order if k in new}


def all_paths(guide: Guide, limit: int = 4096) -> list[dict[str, str]]:
    """Every complete answer path of the guide's question tree (``[{}]`` without questions),
    in question and option order; at most `limit` paths."""
    compiled = _compile(guide)
    paths: list[dict[str, str]] = []

    def walk(i: int, answers: dict[str, str], status: dict[str, str]) -> None:
        if len(paths) >= limit:
            return
        if i == len(compiled.questions):
            paths.append(dict(answers))
            return
        q, terms = compiled.questions[i]
        holds = _eval(terms, answers, status)[0] if terms else True
        if holds is not True:
            status[q.id] = _NEVER
            walk(i + 1, answers, status)
            del status[q.id]
            return
        status[q.id] = _ANSWERED
        for opt in q.options:
            answers[q.id] = opt.id
            walk(i + 1, answers, status)
            del answers[q.id]
        del status[q.id]

    walk(0, {}, {})
    return paths
