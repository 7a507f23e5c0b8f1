"""What the kiosk knows about the person in front of it, and how it forgets.

Only masked card data is ever held: the reader's card object is turned into a
`CardHolder` at once and dropped. `Session.wipe()` forgets the holder, the
ticket and elder mode, and bumps `generation` so that a device result that
arrives after the wipe (a slow card read) is thrown away instead of shown.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CardHolder:
    masked_name: str
    masked_id: str
    card_label: str = "居民身份证"

    def __repr__(self) -> str:  # already masked; still keep it short in logs
        return f"CardHolder({self.masked_id!r})"


def holder_from_card(card: Any) -> CardHolder:
    """Masked copy of a `hardware.reader.IdCard` (or anything with the same fields)."""
    from hardware.reader.card import mask_id, mask_name  # masking rules live with the card

    name = mask_name(getattr(card, "name", None) or getattr(card, "name_en", None)) or ""
    masked = mask_id(getattr(card, "id_number", None)) or ""
    card_type = getattr(card, "card_type", None)
    label = getattr(card_type, "label", None) or "居民身份证"
    return CardHolder(masked_name=name, masked_id=masked, card_label=label)


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
