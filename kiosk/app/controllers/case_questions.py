"""情形引导 on the kiosk: asking a guide's questions one per screen, then showing (or printing) the
citizen's case. Plain Python.

Which question comes next is never decided here: `QuestionFlow` asks guides.cases.resolve (its
``next_question``, the first of the open questions; a question whose ``when`` is not met yet is
never open) and records the answers with guides.cases.with_answer. The flow only remembers the
order in which the citizen answered, for 返回 (one question back) and 重新选择 (start over).

    flow = QuestionFlow(guide)
    flow.question          -> Question | None   (None: the path is complete)
    flow.choose("lost")    # answer the question shown
    flow.back()            -> bool              (False: nothing to undo, leave the questions)
    flow.restart()
    flow.answers           -> {question id: option id}, in question order
    flow.query             -> "why=lost" (the path URL's query string, guides.cases.path_query)

`CaseQuestions` is the app-facing controller: it starts a flow when a guide with questions is
opened (打开事项) or its 一次告知单 is asked for before the questions are answered, shows the
questions screen, and when the path is complete shows the guide for that path or prints it.
The host provides `guides`, `screen(name)`, `nav` (controllers.navigation) and `printing`
(controllers.printing); the questions screen has ``show_question(flow, purpose)``.
"""
from __future__ import annotations

from collections.abc import Mapping

from guides.cases import ResolvedGuide, UnknownAnswer, path_query, resolve, with_answer
from guides.model import Guide, Question

GUIDE, PRINT = "guide", "print"   # what a complete path leads to: the guide screen, or the printer


def needs_questions(guide: Guide, answers: Mapping[str, str] | None) -> bool:
    """True when `guide` has questions still open for `answers` (guides.cases.resolve decides), or
    answers it does not take (kept from an older release: the questions are asked again)."""
    if not getattr(guide, "questions", None):
        return False
    try:
        return not resolve(guide, answers or {}).complete
    except UnknownAnswer:
        return True


def answers_named(resolved: ResolvedGuide) -> str:
    """The chosen answers as one line for the screen: "您为什么换领？有效期满或即将到期"."""
    return resolved.answers_text


class QuestionFlow:
    """One citizen answering one guide's questions (see the module docstring).

    `answers` may start a flow part way (a path already chosen); it is checked by
    guides.cases.resolve, which raises guides.cases.UnknownAnswer for answers the guide does not have."""

    def __init__(self, guide: Guide, answers: Mapping[str, str] | None = None,
                 steps: list[dict[str, str]] | None = None) -> None:
        self.guide = guide
        self._answers: dict[str, str] = {}
        self._steps: list[dict[str, str]] = [dict(s) for s in steps or ()]  # answers before each choice
        self._set(dict(answers or {}))

    def _set(self, answers: dict[str, str]) -> None:
        self.resolved = resolve(self.guide, answers)   # raises UnknownAnswer
        self._answers = self.resolved.answer_map

    @property
    def answers(self) -> dict[str, str]:
        """{question id: option id} answered so far, in question order (a copy)."""
        return dict(self._answers)

    @property
    def steps(self) -> list[dict[str, str]]:
        """The answers as they stood before each choice, oldest first (for `back`; a copy)."""
        return [dict(s) for s in self._steps]

    @property
    def question(self) -> Question | None:
        """The question to ask now (guides.cases.ResolvedGuide.next_question); None when complete."""
        return self.resolved.next_question

    @property
    def complete(self) -> bool:
        """No question is left on this path."""
        return self.resolved.complete

    @property
    def number(self) -> int:
        """Which question this is for the citizen: 1 for the first one asked."""
        return len(self._steps) + 1

    @property
    def query(self) -> str:
        """The stable path URL's query string, e.g. ``reason=damaged`` ("" before any answer)."""
        return path_query(self.guide, self._answers)

    @property
    def answers_text(self) -> str:
        """The answers so far, named: "您为什么换领？证件严重损坏不能辨认" ("" before any answer)."""
        return answers_named(self.resolved)

    def choose(self, option_id: str) -> None:
        """Answer the question shown now with `option_id`. ValueError when no question is open
        or the option is not one of its options (a tap on a stale button)."""
        q = self.question
        if q is None:
            raise ValueError("no question is open on this path")
        if q.option(option_id) is None:
            raise ValueError(f"question {q.id!r} has no option {option_id!r}")
        new = with_answer(self.guide, self._answers, q.id, option_id)
        self._steps.append(dict(self._answers))
        self._set(new)

    def back(self) -> bool:
        """Undo the last choice (the previous question shows again); False when nothing was chosen."""
        if not self._steps:
            return False
        self._set(self._steps.pop())
        return True

    def restart(self) -> None:
        """重新选择: every answer dropped, the first question again."""
        self._steps.clear()
        self._set({})


class CaseQuestions:
    """The question flow of the guide being opened or printed, and where a complete path leads."""

    def __init__(self, host) -> None:
        self.host = host
        self.flow: QuestionFlow | None = None
        self.purpose = GUIDE

    def start(self, code: str, answers: Mapping[str, str] | None = None, purpose: str = GUIDE,
              remember: bool = True, steps: list[dict[str, str]] | None = None) -> None:
        """Ask the open questions of guide `code` (from `answers` on, with `steps` for 返回); `purpose`
        says what the complete path leads to (GUIDE: the guide screen; PRINT: the 一次告知单).
        Answers the guide does not take (kept from an older release) are dropped: it starts over."""
        host = self.host
        try:
            self.flow = QuestionFlow(host.guides[code], answers, steps)
        except UnknownAnswer:   # answers kept from before a new release changed the questions
            self.flow = QuestionFlow(host.guides[code])
        self.purpose = purpose
        # asked before a print: 返回 after printing goes to the guide, not to these questions
        if purpose == PRINT:
            host.nav.transient.add("questions")
        else:
            host.nav.transient.discard("questions")
        if self.flow.complete:
            self._finish()
            return
        host.screen("questions").show_question(self.flow, purpose)
        host.nav.go("questions", remember)
        host.nav.last_args = {"code": code}

    def choose(self, option_id: str) -> None:
        """An option button was tapped: the next question, or the path's guide (or print)."""
        flow = self.flow
        if flow is None or flow.question is None:
            return
        try:
            flow.choose(option_id)
        except ValueError:
            return  # a button of a question no longer shown
        if flow.complete:
            self._finish()
        else:
            self.host.screen("questions").show_question(flow, self.purpose)

    def back(self) -> bool:
        """返回 on the questions screen: the previous question; False when at the first one
        (the caller then leaves the questions)."""
        flow = self.flow
        if flow is None or not flow.back():
            return False
        self.host.screen("questions").show_question(flow, self.purpose)
        return True

    def restart(self, code: str | None = None) -> None:
        """重新选择 (on the questions screen, or on the guide screen of a path): the first question."""
        host = self.host
        code = code or (self.flow.guide.code if self.flow else None)
        if code is None or code not in host.guides:
            return
        if host.current == "questions" and self.flow is not None and self.flow.guide.code == code:
            self.flow.restart()
            host.screen("questions").show_question(self.flow, self.purpose)
            return
        # from a guide screen: 返回 at the first question leads where that guide was opened from
        while host.nav.history and host.nav.history[-1][0] == "questions":
            host.nav.history.pop()
        self.start(code, None, GUIDE, remember=host.current != "guide")

    def resume(self, code: str, answers: Mapping[str, str], steps: list[dict[str, str]]) -> None:
        """Back to the questions of a path from its guide screen (返回): the last question shows again."""
        self.start(code, answers, GUIDE, remember=False, steps=steps)

    def forget(self) -> None:
        """The idle reset: no answers kept."""
        self.flow = None
        self.purpose = GUIDE

    def _finish(self) -> None:
        host, flow = self.host, self.flow
        code, answers = flow.guide.code, flow.answers
        # 返回 from the path's guide goes back to its last question
        back = {"code": code, "answers": flow.steps[-1], "steps": flow.steps[:-1]} if flow.steps else None
        if self.purpose == PRINT:
            host.printing.print_checklist(code, answers)
        else:
            host.nav.show_guide(code, answers, back_to_questions=back)
