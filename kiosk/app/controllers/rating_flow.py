"""好差评 on the touch screen: what is being rated, saving the rating, the thanks.

The rating screen is offered right after a 一次告知单 or a queue ticket has printed
(`offer_rating`, GB/T 39734: a self-service terminal asks for the rating when the service is
done); it says what was printed, asks nothing personal and can be skipped (跳过 records nothing).
A 差评 is stored only with at least one 不满意的原因; a short comment written on the pad is
optional and refused, with a polite message, when it holds a phone or ID number
(kiosk.app.controllers.ratings.rating_problem). There is no contact field: a kiosk is public.

Plain Python; the host provides `queues`, `guides`, `ratings` (a ratings.RatingStore),
`stamp`, `current`, `screen(name)`, `later(fn, seconds)`, `go_home()` and the `nav` controller.
"""
from __future__ import annotations

from kiosk.app.controllers.ratings import rating_problem

THANKS = "感谢您的评价！我们会持续改进服务。"


class RatingFlow:
    """Opens the rating screen for a guide or a queue and stores the rating given."""

    def __init__(self, host) -> None:
        self.host = host
        self.context: tuple[str, str] | None = None  # (source, subject) being rated
        self.answers: dict[str, str] | None = None    # the 情形 path of the guide being rated

    def open_rating(self, source: str, subject: str, note: str = "", answers: dict[str, str] | None = None) -> None:
        """Rate `subject`: a guide code, or a queue prefix when `source` is "ticket"; `note`
        is shown above the question (what was just printed); `answers`: the guide's path shown
        (跳过 returns to it)."""
        host = self.host
        self.answers = dict(answers) if answers else None
        if source == "ticket":
            q = next((q for q in host.queues if q.prefix == subject), None)
            title = f"取号 · {q.name}" if q else "取号"
            subject = f"queue:{subject}"
        else:
            g = host.guides.get(subject)
            title = g.name if g else ""
        self.context = (source, subject)
        host.screen("rating").start(title, note)
        host.nav.go("rating")
        host.nav.last_args = {}

    def offer_rating(self, source: str, subject: str, note: str, answers: dict[str, str] | None = None) -> None:
        """After a print: the rating screen at once, saying what was printed (skippable)."""
        self.open_rating(source, subject, note, answers)

    def skip_rating(self) -> None:
        """跳过: nothing is recorded; back to the guide after a checklist, home after a ticket."""
        host = self.host
        context, self.context = self.context, None
        if context and context[0] in ("checklist", "guide") and context[1] in host.guides:
            host.nav.show_guide(context[1], self.answers, remember=False)
        else:
            host.go_home()

    def submit_rating(self, level: int, reasons: list[str], comment: str = "") -> str | None:
        """Store the rating (once), thank, and go home after 4 s if still on the rating screen.

        Returns the Chinese message saying what to change instead (a 差评 without a reason, a
        comment holding a phone or ID number); then nothing is stored and the screen stays."""
        host = self.host
        if self.context is None:
            return None
        source, subject = self.context
        problem = rating_problem(level, reasons, comment)
        if problem:
            return problem
        host.ratings.add(subject, level, reasons, source=source, release=host.stamp, comment=comment.strip())
        self.context = None
        host.screen("rating").thanks = THANKS
        host.later(lambda dt: host.current == "rating" and host.go_home(), 4)
        return None

    def forget(self) -> None:
        self.context = None
        self.answers = None
