"""情形 questions on the kiosk, without Kivy: the question flow (what is asked next, 返回,
重新选择) and where a complete path leads (the guide screen, the printer), with a plain host."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from kiosk.app.controllers.case_questions import GUIDE, PRINT, CaseQuestions, QuestionFlow, needs_questions
from kiosk.app.controllers.navigation import Navigation
from kiosk.app.controllers.printing import ChecklistPrinting
from kiosk.app.controllers.session import Session
from tests.kiosk.nested_guide import AWAY, CODE, LOCAL, LOST, RENEW, WHERE, WHY, load_nested_guide


@pytest.fixture
def guide(tmp_path):
    return load_nested_guide(tmp_path)[0]


def asked(flow) -> str | None:
    return flow.question.ask if flow.question else None


def test_the_nested_question_is_asked_only_on_its_path(guide):
    flow = QuestionFlow(guide)
    assert asked(flow) == WHY and flow.number == 1 and not flow.complete
    assert [o.label for o in flow.question.options] == [RENEW, LOST]
    flow.choose("renew")
    assert flow.complete and flow.question is None       # 户口 is never asked when renewing
    assert flow.answers == {"why": "renew"} and flow.query == "why=renew"
    flow.restart()
    flow.choose("lost")
    assert asked(flow) == WHERE and flow.number == 2 and not flow.complete
    assert [o.label for o in flow.question.options] == [LOCAL, AWAY]
    assert flow.answers_text == f"{WHY}{LOST}"
    flow.choose("away")
    assert flow.complete and flow.query == "why=lost&where=away"


def test_back_undoes_one_answer_at_a_time_and_restart_drops_them_all(guide):
    flow = QuestionFlow(guide)
    assert flow.back() is False                # nothing to undo: the caller leaves the questions
    flow.choose("lost")
    flow.choose("local")
    assert flow.back() and asked(flow) == WHERE and flow.answers == {"why": "lost"}
    assert flow.back() and asked(flow) == WHY and flow.answers == {}
    flow.choose("renew")
    flow.restart()
    assert asked(flow) == WHY and flow.answers == {} and flow.number == 1 and flow.back() is False


def test_a_stale_or_unknown_option_is_refused_and_changes_nothing(guide):
    flow = QuestionFlow(guide)
    with pytest.raises(ValueError):
        flow.choose("away")                    # an option of the question not asked yet
    flow.choose("renew")
    with pytest.raises(ValueError):
        flow.choose("lost")                    # the path is complete: no question is open
    assert flow.answers == {"why": "renew"}


def test_needs_questions_follows_resolve(guide):
    assert needs_questions(guide, None) and needs_questions(guide, {"why": "lost"})
    assert not needs_questions(guide, {"why": "renew"})
    assert not needs_questions(guide, {"why": "lost", "where": "away"})
    assert not needs_questions(SimpleNamespace(questions=None), None)
    assert needs_questions(guide, {"why": "gone"})   # answers from an older release: ask again


# -- the controller in its host ---------------------------------------------------------------
class Screen(SimpleNamespace):
    def __init__(self, name):
        super().__init__(name=name, shown=None, answers=None, purpose=None, question=None)

    def show(self, what, then=None, answers=None):
        self.shown, self.answers = what, answers

    def show_question(self, flow, purpose):
        self.question, self.purpose = asked(flow), purpose

    def clear_personal(self):
        pass


class Host:
    def __init__(self, guide):
        self.current = "home"
        self.guides = {guide.code: guide}
        self.screens = {n: Screen(n) for n in ("home", "category", "questions", "guide", "qr", "printing")}
        self.session = Session()
        self.content = SimpleNamespace(ok=True)
        self.release = SimpleNamespace(categories=[SimpleNamespace(slug="huji", name="户籍办理")])
        self.marks = {}
        self.read_aloud = SimpleNamespace(stop=lambda: None)
        self.tickets = SimpleNamespace(cancel_card_read=lambda: None)
        self.search = SimpleNamespace(finish=lambda: None)
        self.nav = Navigation(self)
        self.questions = CaseQuestions(self)
        self.printed = []
        self.printing = SimpleNamespace(print_checklist=lambda code, answers=None: self.printed.append((code, answers)))

    def show(self, name):
        self.current = name

    def screen(self, name):
        return self.screens[name]

    def mark(self, name):
        self.marks[name] = 0.0

    def mark_after_draw(self, name):
        self.marks[name] = 0.0


def test_opening_a_guide_asks_first_then_shows_the_path_and_back_retraces_the_questions(guide):
    host = Host(guide)
    host.nav.open_category("huji")
    host.nav.open_guide(CODE)
    assert host.current == "questions" and host.screen("questions").question == WHY
    host.questions.choose("lost")
    assert host.current == "questions" and host.screen("questions").question == WHERE
    host.questions.choose("away")
    assert host.current == "guide" and host.screen("guide").answers == {"why": "lost", "where": "away"}
    host.nav.go_back()                         # 返回 from the path: its last question again
    assert host.current == "questions" and host.screen("questions").question == WHERE
    host.nav.go_back()
    assert host.current == "questions" and host.screen("questions").question == WHY
    host.nav.go_back()
    assert host.current == "category"


def test_restart_from_the_path_asks_again_and_back_leaves_for_where_the_guide_was_opened(guide):
    host = Host(guide)
    host.nav.open_category("huji")
    host.nav.open_guide(CODE)
    host.questions.choose("renew")
    assert host.current == "guide"
    host.questions.restart(CODE)               # 重新选择 on the guide screen
    assert host.current == "questions" and host.screen("questions").question == WHY
    host.questions.choose("lost")
    host.questions.restart()                   # 重新选择 on the questions screen
    assert host.screen("questions").question == WHY and host.questions.flow.answers == {}
    host.nav.go_back()
    assert host.current == "category"


def test_a_guide_opened_with_a_complete_path_or_without_questions_shows_at_once(guide):
    host = Host(guide)
    host.nav.open_guide(CODE, answers={"why": "renew"})
    assert host.current == "guide" and host.screen("guide").answers == {"why": "renew"}
    plain = SimpleNamespace(code="330382-XX-0001", name="无情形事项", questions=None)
    host.guides[plain.code] = plain
    host.nav.open_guide(plain.code)
    assert host.current == "guide" and host.screen("guide").shown is plain


def test_printing_before_answering_asks_first_then_prints_the_path(guide):
    host = Host(guide)
    real = ChecklistPrinting(host)
    real.print_checklist(CODE)                 # 打印一次告知单 with the questions still open
    assert host.current == "questions" and host.questions.purpose == PRINT and host.printed == []
    assert host.screen("questions").purpose == PRINT
    host.questions.choose("lost")
    host.questions.choose("local")
    assert host.printed == [(CODE, {"why": "lost", "where": "local"})]
    host.questions.forget()
    assert host.questions.flow is None and host.questions.purpose == GUIDE


def test_answers_a_new_release_no_longer_takes_ask_again_instead_of_failing(guide):
    host = Host(guide)
    host.nav.show_guide(CODE, {"why": "lost", "where": "abroad"})   # an option the guide has not (any more)
    assert host.current == "questions" and host.screen("questions").question == WHY
    host.questions.resume(CODE, {"why": "gone"}, [{}])
    assert host.current == "questions" and host.questions.flow.answers == {}
