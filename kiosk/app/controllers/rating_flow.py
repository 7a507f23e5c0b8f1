"""好差评 on the touch screen: what is being rated, saving the rating, the thanks.

Plain Python; the host provides `queues`, `guides`, `ratings` (a ratings.RatingStore),
`stamp`, `current`, `screen(name)`, `later(fn, seconds)`, `go_home()` and the `nav` controller.
"""
from __future__ import annotations

THANKS = "感谢您的评价！我们会持续改进服务。"


class RatingFlow:
    """Opens the rating screen for a guide or a queue and stores the rating given."""

    def __init__(self, host) -> None:
        self.host = host
        self.context: tuple[str, str] | None = None  # (source, subject) being rated

    def open_rating(self, source: str, subject: str) -> None:
        """Rate `subject`: a guide code, or a queue prefix when `source` is "ticket"."""
        host = self.host
        if source == "ticket":
            q = next((q for q in host.queues if q.prefix == subject), None)
            title = f"取号 · {q.name}" if q else "取号"
            subject = f"queue:{subject}"
        else:
            g = host.guides.get(subject)
            title = g.name if g else ""
        self.context = (source, subject)
        host.screen("rating").start(title)
        host.nav.go("rating")
        host.nav.last_args = {}

    def submit_rating(self, level: int, reasons: list[str]) -> None:
        """Store the rating (once), thank, and go home after 4 s if still on the rating screen."""
        host = self.host
        if self.context is None:
            return
        source, subject = self.context
        host.ratings.add(subject, level, reasons, source=source, release=host.stamp)
        self.context = None
        host.screen("rating").thanks = THANKS
        host.later(lambda dt: host.current == "rating" and host.go_home(), 4)

    def forget(self) -> None:
        self.context = None
