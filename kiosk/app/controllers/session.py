"""What the kiosk knows about the person in front of it, and how it forgets.

Only masked card data is ever held: the reader's card object is turned into a
`CardHolder` at once and dropped. `Session.wipe()` forgets the holder, the
ticket and elder mode, and bumps `generation` so that a device result that
arrives after the wipe (a slow card read) is thrown away instead of shown.
"""
from __future__ import annotations

from kiosk.devices import CardHolder, holder_from_card  # noqa: F401  (masked on the device thread)


class Session:
    def __init__(self) -> None:
        self.generation = 0
        self.holder: CardHolder | None = None
        self.ticket = None           # controllers.tickets.Ticket, masked
        self.elder = False
        self.guide_code: str | None = None

    @property
    def has_personal_data(self) -> bool:
        return self.holder is not None or self.ticket is not None

    def wipe(self) -> None:
        self.holder = None
        self.ticket = None
        self.elder = False
        self.guide_code = None
        self.generation += 1

    def end_ticket(self) -> None:
        """After a finished ticket: drop the holder and ticket, keep elder mode."""
        self.holder = None
        self.ticket = None
        self.generation += 1
