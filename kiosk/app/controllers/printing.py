"""Printing the 一次告知单 (checklist) of a guide: the printing screen, its progress, the result.

Plain Python; the host provides `guides`, `release`, `devices`, `screen(name)`,
`guide_url(code, query)`, `every(fn, seconds)` (a repeating callback that can be cancelled), `hall_time`
(the printed time), `guard`
(a once.ActionGuard) and the `nav`, `questions`, `rating` (after a print: the rating screen) and
`read_aloud` controllers (the outcome is spoken when voice prompts are on). One checklist prints at a time: a second tap
(or one tap delivered twice) while it prints is ignored.
"""
from __future__ import annotations

import logging

from kiosk import messages

log = logging.getLogger(__name__)


class ChecklistPrinting:
    """Prints a guide's checklist and shows how it went."""

    def __init__(self, host) -> None:
        self.host = host

    def print_checklist(self, code: str, answers: dict[str, str] | None = None) -> None:
        """Show the printing screen and print the checklist of guide `code` for the answer path
        `answers`; when the guide has 情形 questions still open, they are asked first
        (controllers.case_questions) and the path is printed once they are answered. A receipt that
        cannot be composed shows as an unavailable printer and is recorded as a printer error."""
        from guides.cases import path_query
        from kiosk.app.controllers.case_questions import PRINT, needs_questions
        from kiosk.receipts import checklist_for_release
        host = self.host
        guide = host.guides[code]
        if not guide.questions:
            answers = None
        if needs_questions(guide, answers):
            host.questions.start(code, answers, PRINT)
            return
        if not host.guard.begin("print"):
            return
        scr = host.screen("printing")
        scr.start(guide, host.guide_url(code, path_query(guide, answers or {})), messages.PRINTING, answers)
        host.nav.go("printing")
        host.nav.last_args = {"code": code, "answers": dict(answers) if answers else None}
        progress = host.every(scr.tick, 0.2)
        try:
            receipt = checklist_for_release(host.release, code, answers=answers, printed_at=host.hall_time.now())
        except Exception as e:  # a receipt that cannot be composed is a printer fault to the citizen
            log.exception("checklist for %s", code)
            progress.cancel()
            host.guard.end("print")
            scr.finish(False, messages.PRINTER_UNAVAILABLE)
            host.devices._record("printer", f"receipt: {type(e).__name__}")
            host.read_aloud.prompt(messages.PRINTER_UNAVAILABLE)
            return

        def done(outcome) -> None:
            host.guard.end("print")
            progress.cancel()
            scr.finish(outcome.ok, outcome.message)
            host.read_aloud.prompt(outcome.message)
            if outcome.ok:  # the service is done: ask for the rating now (skippable)
                host.rating.offer_rating("checklist", code, "一次告知单已打印，请取走。", answers=answers)
        host.devices.print_receipt(receipt, done)
