"""Resident ID card readers (GA/T 467 SAM protocol).

    reader = open_reader("ga467:///dev/ttyUSB0?baud=115200")
    card = reader.wait_for_card(timeout=30)    # IdCard, photo already dropped
    print(card.masked_id)

Schemes are looked up in ``DRIVERS``; an unknown scheme is an error, never a
silent fall-back to a simulator.
"""
from __future__ import annotations

import logging
import time
from typing import Callable

from hardware import exceptions as exc
from hardware.device_url import DeviceUrl, parse_device_url
from hardware.reader.card import CardType, IdCard, mask_id, parse_text_block
from hardware.reader.driver import Ga467Driver
from hardware.reader.status import STATUSES, Status

log = logging.getLogger(__name__)

DRIVERS: dict[str, Callable[[DeviceUrl], Ga467Driver]] = {
    "ga467": Ga467Driver.open_serial,
    "ga467+socket": Ga467Driver.open_socket,
}

# Errors worth another try while waiting: the card is moving, half in the field.
_TRANSIENT = (exc.CardSelectFailed, exc.CardReadFailed, exc.CardAuthenticationFailed, exc.FrameError,
              exc.NoCard)


class CardReader:
    """Facade over one reader driver."""

    def __init__(self, driver: Ga467Driver, *, url: str = "", removal_polls: int = 2) -> None:
        self._driver = driver
        self.url = url or driver.name
        self.removal_polls = removal_polls
        self._last_serial: bytes | None = None
        self._absent = 0

    def __enter__(self) -> "CardReader":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        self._driver.close()

    @property
    def driver(self) -> Ga467Driver:
        return self._driver

    def reset(self) -> Status:
        return self._driver.reset()

    def status(self) -> Status:
        """The SAM's status (raises SamError when the module failed)."""
        return self._driver.sam_status()

    def sam_id(self) -> str:
        return self._driver.sam_id()

    def poll(self) -> IdCard | None:
        """One find/select/read round.

        Returns the card when a new card was read, None when there is no card
        or the card already read is still on the reader.
        """
        if not self._driver.find_card():
            self._absent += 1
            if self._absent >= self.removal_polls:
                self._last_serial = None
            return None
        self._absent = 0
        serial_no = self._driver.select_card()
        if self._last_serial is not None and serial_no == self._last_serial:
            return None
        card = parse_text_block(self._driver.read_text())
        self._last_serial = serial_no
        log.info("%s: read %s %s", self.url, card.card_type.value, card.masked_id)
        return card

    def read_card(self) -> IdCard:
        """Find, select and read the card on the reader now, even if it was read before."""
        if not self._driver.find_card():
            raise exc.NoCard(STATUSES[0x80])
        serial_no = self._driver.select_card()
        card = parse_text_block(self._driver.read_text())
        self._last_serial = serial_no
        return card

    def forget(self) -> None:
        """Let the card now on the reader be read again."""
        self._last_serial = None

    def wait_for_card(self, timeout: float, interval: float = 0.2) -> IdCard:
        """Poll until a new card is read; NoCardTimeout when none came in time.

        Transient errors (card moved while reading) are retried until the
        deadline, then raised; device faults are raised at once.
        """
        deadline = time.monotonic() + timeout
        last_error: exc.ReaderError | None = None
        while True:
            try:
                card = self.poll()
                if card is not None:
                    return card
                last_error = None  # the card that failed has gone
            except _TRANSIENT as e:
                last_error = e
            if time.monotonic() + interval > deadline:
                if last_error is not None:
                    raise last_error
                raise exc.NoCardTimeout()
            time.sleep(interval)


def open_reader(url: str, **kwargs) -> CardReader:
    """Open the reader named by ``url``; raises DeviceUrlError, DeviceNotFound."""
    parsed = parse_device_url(url)
    try:
        factory = DRIVERS[parsed.scheme]
    except KeyError:
        raise exc.DeviceUrlError(
            f"不支持的读卡器类型 {parsed.scheme}://（支持：{'、'.join(s + '://' for s in DRIVERS)})",
            f"unknown card reader scheme {parsed.scheme!r}; known: {sorted(DRIVERS)}",
        ) from None
    return CardReader(factory(parsed), url=url, **kwargs)


__all__ = ["CardReader", "CardType", "DRIVERS", "IdCard", "Status", "mask_id", "open_reader"]
