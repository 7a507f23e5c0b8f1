"""The app's device service: card reader and printer calls on worker threads.

Screens never touch hardware/ directly. Each call runs on a per-device worker
thread; its result comes back as an `Outcome` through `deliver` (in the app:
`Clock.schedule_once`, so callbacks run on the UI thread). Every exception is
turned into a citizen-facing message here; nothing a device does can raise
into the UI. Card data is masked on the worker thread, so only a
`CardHolder` (masked name and ID) ever reaches the UI.
"""
from __future__ import annotations

import logging
import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable

from kiosk import messages
from kiosk.hall_time import HallClock

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CardHolder:
    """What the kiosk may hold of the person whose card was read: masked name and ID, card type."""
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


@dataclass(frozen=True)
class Outcome:
    ok: bool
    message: str = ""      # for the citizen (Chinese)
    value: Any = None      # CardHolder, status, …
    detail: str = ""       # for the maintenance screen and logs (no personal data)


@dataclass(frozen=True)
class DeviceError:
    at: str
    device: str
    detail: str


class ReadJob:
    """A card read in progress; `cancel()` stops the wait (idle reset, back button)."""

    def __init__(self) -> None:
        self.cancelled = threading.Event()

    def cancel(self) -> None:
        self.cancelled.set()


def _default_reader_opener(url: str):
    from hardware.reader import open_reader
    return open_reader(url)


def printer_opener(profile: str = "80mm") -> Callable[[str], Any]:
    def open_(url: str):
        from guides.fonts import FONT_PATH
        from hardware.printer import open_printer
        return open_printer(url, profile, font_path=FONT_PATH)
    return open_


_default_printer_opener = printer_opener()


def _en(error: BaseException) -> str:
    en = getattr(error, "en", None)
    return f"{type(error).__name__}: {en}" if en else f"{type(error).__name__}: {error}"


class DeviceService:
    def __init__(self, reader_url: str, printer_url: str, *,
                 deliver: Callable[[Callable[[], None]], None] | None = None,
                 card_wait_seconds: float = 30.0, poll_interval: float = 0.2,
                 reader_opener: Callable[[str], Any] = _default_reader_opener,
                 printer_opener: Callable[[str], Any] = _default_printer_opener,
                 hall_time: HallClock | None = None) -> None:
        self.reader_url = reader_url
        self.printer_url = printer_url
        self.card_wait_seconds = card_wait_seconds
        self.poll_interval = poll_interval
        self._deliver = deliver or (lambda fn: fn())
        self._reader_opener = reader_opener
        self._printer_opener = printer_opener
        self._reader = None
        self._printer = None
        self._reader_pool = ThreadPoolExecutor(1, thread_name_prefix="kiosk-reader")
        self._printer_pool = ThreadPoolExecutor(1, thread_name_prefix="kiosk-printer")
        self.hall_time = hall_time or HallClock()   # fault times and test pages in hall time
        self.errors: deque[DeviceError] = deque(maxlen=30)
        self.last_printer_status = None
        self.busy = 0

    # -- plumbing ------------------------------------------------------------
    def _submit(self, pool: ThreadPoolExecutor, work: Callable[[], Outcome],
                callback: Callable[[Outcome], None] | None) -> None:
        self.busy += 1

        def run() -> Outcome:
            try:
                return work()
            except BaseException as e:  # a device must never raise into the UI
                log.exception("device work failed")
                return Outcome(False, messages.READER_UNAVAILABLE, detail=_en(e))

        def done(fut) -> None:
            outcome = fut.result()

            def back() -> None:
                self.busy -= 1
                if callback is not None:
                    callback(outcome)
            self._deliver(back)

        pool.submit(run).add_done_callback(done)

    def _record(self, device: str, detail: str) -> None:
        self.errors.append(DeviceError(self.hall_time.stamp(), device, detail))
        log.warning("%s: %s", device, detail)

    def _reader_dev(self):
        if self._reader is None:
            self._reader = self._reader_opener(self.reader_url)
        return self._reader

    def _drop_reader(self) -> None:
        if self._reader is not None:
            try:
                self._reader.close()
            except Exception:
                pass
        self._reader = None

    def _printer_dev(self):
        if self._printer is None:
            self._printer = self._printer_opener(self.printer_url)
        return self._printer

    def _drop_printer(self) -> None:
        if self._printer is not None:
            try:
                self._printer.close()
            except Exception:
                pass
        self._printer = None

    # -- card reader -----------------------------------------------------------
    def read_card(self, callback: Callable[[Outcome], None], timeout: float | None = None) -> ReadJob:
        """Wait for a card; Outcome.value is a masked CardHolder."""
        job = ReadJob()
        wait = self.card_wait_seconds if timeout is None else timeout
        self._submit(self._reader_pool, lambda: self._read_card(job, wait), callback)
        return job

    def _read_card(self, job: ReadJob, wait: float) -> Outcome:
        from hardware import exceptions as exc
        deadline = time.monotonic() + wait
        last: BaseException | None = None
        try:
            reader = self._reader_dev()
            reader.forget()  # the card still lying there from the last ticket counts again
        except Exception as e:
            self._record("reader", _en(e))
            self._drop_reader()
            return Outcome(False, messages.reader_message(e), detail=_en(e))
        while not job.cancelled.is_set():
            try:
                card = reader.poll()
                if card is not None:
                    holder = holder_from_card(card)
                    del card
                    return Outcome(True, value=holder)
                last = None
            except (exc.CardSelectFailed, exc.CardReadFailed, exc.CardAuthenticationFailed,
                    exc.FrameError, exc.NoCard, exc.CardDataError) as e:
                last = e  # card moved or half in the field: try until the deadline
            except Exception as e:
                self._record("reader", _en(e))
                self._drop_reader()
                return Outcome(False, messages.reader_message(e), detail=_en(e))
            if time.monotonic() + self.poll_interval > deadline:
                err = last or exc.NoCardTimeout()
                if last is not None:
                    self._record("reader", _en(last))
                return Outcome(False, messages.reader_message(err), detail=_en(err))
            job.cancelled.wait(self.poll_interval)
        return Outcome(False, "", detail="cancelled")

    def reader_status(self, callback: Callable[[Outcome], None]) -> None:
        def work() -> Outcome:
            try:
                reader = self._reader_dev()
                status = reader.status()
                return Outcome(True, status.zh, value=status, detail=f"SAM {reader.sam_id()}")
            except Exception as e:
                self._record("reader", _en(e))
                self._drop_reader()
                return Outcome(False, messages.READER_UNAVAILABLE, detail=_en(e))
        self._submit(self._reader_pool, work, callback)

    # -- printer -----------------------------------------------------------------
    def print_receipt(self, receipt, callback: Callable[[Outcome], None], *, for_ticket: bool = False) -> None:
        """Check the printer, then print `receipt` (a hardware.printer.receipt.Receipt)."""
        def work() -> Outcome:
            try:
                printer = self._printer_dev()
                status = printer.status()
                self.last_printer_status = status
                if not status.ready:
                    detail = f"printer not ready: {status.describe_en()}"
                    self._record("printer", detail)
                    return Outcome(False, messages.printer_message(None, for_ticket), value=status, detail=detail)
                printer.print_receipt(receipt, check_status=False)  # checked just above
                return Outcome(True, messages.TICKET_PRINTED if for_ticket else messages.PRINTED)
            except Exception as e:
                self._record("printer", _en(e))
                self._drop_printer()
                return Outcome(False, messages.printer_message(e, for_ticket), detail=_en(e))
        self._submit(self._printer_pool, work, callback)

    def printer_status(self, callback: Callable[[Outcome], None]) -> None:
        def work() -> Outcome:
            try:
                status = self._printer_dev().status()
                self.last_printer_status = status
                return Outcome(status.ready, status.describe_zh(), value=status, detail=status.describe_en())
            except Exception as e:
                self._record("printer", _en(e))
                self._drop_printer()
                return Outcome(False, messages.PRINTER_UNAVAILABLE, detail=_en(e))
        self._submit(self._printer_pool, work, callback)

    def test_page(self, callback: Callable[[Outcome], None], stamp: str = "") -> None:
        from kiosk.receipts import test_receipt

        def work() -> Outcome:
            try:
                printer = self._printer_dev()
                printer.print_receipt(test_receipt(printer.profile, printer_url=self.printer_url, stamp=stamp,
                                                   printed_at=self.hall_time.now()))
                return Outcome(True, "测试页已打印")
            except Exception as e:
                self._record("printer", _en(e))
                self._drop_printer()
                return Outcome(False, getattr(e, "zh", messages.PRINTER_UNAVAILABLE), detail=_en(e))
        self._submit(self._printer_pool, work, callback)

    def close(self) -> None:
        self._reader_pool.shutdown(wait=False, cancel_futures=True)
        self._printer_pool.shutdown(wait=False, cancel_futures=True)
        self._drop_reader()
        self._drop_printer()
