"""Idle watch and wipe: the countdown when nobody touches the screen, and the reset to home
that drops every bit of card-holder data.

Plain Python around idle.IdleTimer; the host provides `idle`, `countdown` (seconds shown, 0
hides it), `current`, `session`, `devices`, `ticket_flow`, `search`, `all_screens()`,
`screen(name)`, `set_elder(on)`, `go_home()` and the `tickets`, `rating`, `questions` and
`read_aloud` controllers.
"""
from __future__ import annotations

from kiosk.app.controllers.idle import COUNTDOWN, EXPIRED


class IdleReset:
    """Called on every touch and every quarter second; resets the kiosk when time is up."""

    def __init__(self, host) -> None:
        self.host = host

    def user_touched(self) -> None:
        host = self.host
        host.idle.touch()
        if host.countdown:
            host.countdown = 0

    def needs_watch(self) -> bool:
        """Anything to reset: a screen other than home, card-holder data, or elder mode."""
        host = self.host
        return (host.current not in ("home", "nocontent") or host.session.has_personal_data
                or host.elder)

    def tick(self, _dt=None) -> None:
        host = self.host
        if not self.needs_watch():
            host.countdown = 0
            return
        if host.devices.busy and host.current == "printing":
            host.idle.touch()  # nobody touches the screen while paper comes out
        if host.current == "guide" and getattr(host.screen("guide"), "reading", False):
            host.idle.touch()  # nor while listening to 朗读
        state = host.idle.state()
        if state.phase == COUNTDOWN:
            host.countdown = state.remaining
        elif state.phase == EXPIRED:
            self.reset_to_home()
        else:
            host.countdown = 0

    def reset_to_home(self) -> None:
        """Idle reset: home, elder mode off, every bit of card-holder data gone."""
        host = self.host
        host.tickets.cancel_card_read()
        host.read_aloud.stop()
        host.session.wipe()
        host.ticket_flow.wipe()
        for scr in host.all_screens():
            scr.clear_personal()
        host.search.clear()
        search = host.screen("search")
        search.reset_input()
        search.show_results(host.search)
        host.set_elder(False)
        host.countdown = 0
        host.rating.forget()
        host.questions.forget()
        host.go_home()
        host.idle.touch()
