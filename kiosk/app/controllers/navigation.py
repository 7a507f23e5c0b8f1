"""Navigation: which screen shows, what 返回 goes back to, and opening a category, the
search, a guide or its QR code. Plain Python; the app (the host) shows the screens.

The host provides: `current` (the shown screen's name), `show(name)`, `screen(name)`,
`guides`, `release`, `content`, `session`, `search`, `search_index`, `guide_url(code)`,
`mark(name)`, `mark_after_draw(name)` and the `tickets`, `read_aloud` and `questions`
(controllers.case_questions) controllers.

Opening a guide (打开事项) that has 情形 questions asks them first (controllers.case_questions);
the guide screen then shows that path, and 返回 from it goes back to the last question. The
history keeps each guide screen's answers, so 返回 to a guide shows the same path again.

Leaving the search screen ends the search as it stands (a query with no hit is reported for the
editors, see SearchController.finish); leaving the guide screen stops reading it aloud.
"""
from __future__ import annotations

from kiosk import messages


class Navigation:
    """The screen history (name, arguments) and the moves between screens."""

    def __init__(self, host) -> None:
        self.host = host
        self.history: list[tuple[str, dict]] = []
        self.last_args: dict = {}
        self.transient: set[str] = set()   # screens 返回 never goes back to, beside printing and maintenance

    def go(self, name: str, remember: bool = True) -> None:
        """Show screen `name`; remember the one shown now for 返回 unless `remember` is false
        (never the printing or maintenance screen, never the same screen twice)."""
        host = self.host
        if host.current == "search" and name != "search":
            host.search.finish()
        if host.current == "guide":
            host.read_aloud.stop()
        skip = ("printing", "maintenance", name, *self.transient)
        if remember and host.current not in skip:
            self.history.append((host.current, dict(self.last_args)))
        host.show(name)

    def go_back(self) -> None:
        """The previous screen that can still be shown (a guide or category that is still in
        the release), else home."""
        host = self.host
        host.tickets.cancel_card_read()
        if host.current == "questions" and host.questions.back():
            return  # the previous question
        while self.history:
            name, args = self.history.pop()
            if name == "guide" and args.get("code") in host.guides:
                self.show_guide(args["code"], args.get("answers"), remember=False)
                return
            if name == "questions" and args.get("code") in host.guides:
                host.questions.resume(args["code"], args.get("answers") or {}, args.get("steps") or [])
                return
            if name == "category" and args.get("slug"):
                self.open_category(args["slug"], remember=False)
                return
            if name in ("home", "search", "nocontent"):
                self.last_args = {}
                self.go(name, remember=False)
                return
        self.go_home()

    def go_home(self) -> None:
        """Home (or the no-content screen), history cleared; a ticket in progress ends."""
        host = self.host
        host.tickets.cancel_card_read()
        if host.session.has_personal_data or host.current == "ticket":
            host.tickets.end_ticket()
        self.history.clear()
        self.last_args = {}
        self.go("home" if host.content.ok else "nocontent", remember=False)

    def open_category(self, slug: str, remember: bool = True) -> None:
        host = self.host
        cat = next((c for c in host.release.categories if c.slug == slug), None)
        if cat is None:
            return
        host.screen("category").show(cat)
        self.go("category", remember)
        self.last_args = {"slug": slug}

    def open_search(self) -> None:
        host = self.host
        host.search_index  # noqa: B018 (built here if it is not yet: not on the first key)
        host.search.clear()
        host.screen("search").show_results(host.search)
        self.go("search")
        self.last_args = {}

    def search_key(self, key: str) -> None:
        """A key of the on-screen keyboard (a letter, a digit, 删除, 清空)."""
        self._search(lambda s: s.press(key))

    def search_text(self, text: str) -> None:
        """A character chosen on the 手写 pad."""
        self._search(lambda s: s.add_text(text))

    def search_term(self, term: str) -> None:
        """A most-searched term tapped on the empty search."""
        self._search(lambda s: s.set_query(term))

    def _search(self, change) -> None:
        host = self.host
        host.mark("key")
        before = host.search.query
        change(host.search)
        if host.search.query != before:  # 删除 on an empty line, a 17th letter: nothing to redo
            host.screen("search").show_results(host.search)
        host.mark("results_shown")
        host.mark_after_draw("results_drawn")

    def open_search_result(self, code: str) -> None:
        """A guide tapped among the search results: the query found something (counted as a
        popular term), then the guide."""
        self.host.search.opened(code)
        self.open_guide(code)

    def search_help(self) -> None:
        """请工作人员帮助 after a search with no hit: the query is reported, the way to staff shown
        (and said, when spoken prompts are on)."""
        host = self.host
        host.search.finish()
        host.screen("search").help_shown = True
        host.read_aloud.prompt(messages.SEARCH_HELP)

    def open_guide(self, code: str, remember: bool = True, answers: dict[str, str] | None = None) -> None:
        """打开事项: the guide `code`; when it has 情形 questions still open for `answers`, they are
        asked first (controllers.case_questions), then the guide shows for that path."""
        from kiosk.app.controllers.case_questions import GUIDE, needs_questions
        host = self.host
        guide = host.guides.get(code)
        if guide is None:
            return
        if needs_questions(guide, answers):
            host.questions.start(code, answers, GUIDE, remember)
            return
        self.show_guide(code, answers, remember)

    def show_guide(self, code: str, answers: dict[str, str] | None = None, remember: bool = True,
                   back_to_questions: dict | None = None) -> None:
        """The guide screen of `code` for `answers` (None: the whole guide, grouped by case).
        `back_to_questions` ({code, answers, steps}) makes 返回 go to the last question. Answers
        the guide no longer takes (a new release changed its questions) ask the questions again."""
        from guides.cases import UnknownAnswer, resolve
        host = self.host
        guide = host.guides.get(code)
        if guide is None:
            return
        if answers:
            try:
                resolve(guide, answers)
            except UnknownAnswer:
                self.open_guide(code, remember)
                return
        host.mark("guide_open")
        host.marks.pop("guide_complete", None)
        host.session.guide_code = code
        # the first screenful now, the sections below it on the tick after that frame is shown
        host.screen("guide").show(guide, then=lambda: host.mark_after_draw("guide_complete"), answers=answers)
        if back_to_questions is not None and host.current == "questions":
            self.last_args = dict(back_to_questions)
        self.go("guide", remember)
        self.last_args = {"code": code, "answers": dict(answers) if answers else None}
        host.mark("guide_built")
        host.mark_after_draw("guide_drawn")

    def open_qr(self, code: str, answers: dict[str, str] | None = None) -> None:
        """手机扫码带走: the QR of the guide's stable URL, or of the answer path's URL
        (``/g/<code>?<question>=<option>…``, guides.cases.path_query)."""
        from guides.cases import path_query, resolve
        host = self.host
        guide = host.guides[code]
        query = path_query(guide, answers) if answers else ""
        host.screen("qr").show(guide, host.guide_url(code, query),
                               "；".join(a.option.label for a in resolve(guide, answers).answers) if answers else "")
        self.go("qr")
        self.last_args = {"code": code, "answers": dict(answers) if answers else None}
