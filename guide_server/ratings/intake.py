"""Kiosk events into the 好差评 figures: the same tables and counts as the phone's.

`KioskIntake(ratings, department_of)` is registered as a listener of the fleet service (in
create_app); it runs inside the transaction that stores a kiosk event, once per event (the
fleet's idempotency keys keep replays out), and:

- rating  {subject, level, reasons, comment, source, release}: a rating with channel "kiosk" and
  the kiosk's hall (a 差评 opens a case, anonymous); subject is a guide code or "queue:<prefix>";
  the comment (optional, written on the kiosk's pad) is checked as a phone comment is: one
  holding a phone or ID number, or longer than COMMENT_MAX, is dropped (the rating still counts);
- print   {what: checklist, code, ok: true}: one 一次告知单 printed (usage "print");
- ticket  {queue, number, day, source}: one queue ticket (usage "ticket", by hour of day);
- search_nohit {query, input, release}: a kiosk search that found nothing (usage "nohit").

Anything malformed is skipped (the event itself stays stored for the fleet page). No Flask import.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable

from guides.rating_scale import LEVELS, is_bad, reason_id, reasons_for
from guide_server.privacy import find_personal_data
from guide_server.ratings.service import COMMENT_MAX, RatingInput, RatingService
from guide_server.usage import key_for, search_words, upsert

log = logging.getLogger("guide_server.ratings")
_QUEUE = re.compile(r"^[A-Z]{1,2}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,63}$")


class KioskIntake:
    def __init__(self, ratings: RatingService, department_of: Callable[[str], str]):
        self.ratings = ratings
        self.department_of = department_of

    def __call__(self, s, kiosk, kind: str, at: dt.datetime, data: dict) -> None:
        try:
            handler = getattr(self, f"_{kind}", None) if kind != "search" else None
            if handler is not None:
                handler(s, kiosk.hall, at, data)
        except (TypeError, ValueError, KeyError):
            log.warning("kiosk %s: %s event not counted (malformed)", kiosk.name, kind)

    def _rating(self, s, hall: str, at: dt.datetime, data: dict) -> None:
        level = data.get("level")
        subject = str(data.get("subject", ""))
        if level not in LEVELS:
            raise ValueError("level")
        offered = reasons_for(level)
        reasons = tuple(r for r in (reason_id(str(x)) for x in data.get("reasons") or []) if r in offered)
        queue = None
        if subject.startswith("queue:"):
            queue = subject[6:]
            if not _QUEUE.match(queue):
                raise ValueError("queue")
            code = ""
        elif _CODE.match(subject):
            code = subject
        else:
            raise ValueError("subject")
        data_in = RatingInput(level, reasons, self._comment(data.get("comment"), hall))
        self.ratings.add(code, None, data_in, "", channel="kiosk", now=at, hall=hall,
                         department=self.department_of(code) if code else "", queue=queue, s=s)
        if is_bad(level):
            log.info("kiosk 差评 in %s opened a case", hall)

    @staticmethod
    def _comment(value, hall: str) -> str | None:
        """The kiosk comment as stored, or None (nothing, or not storable: never logged)."""
        text = _CONTROL.sub("", str(value or "")).strip()
        if not text:
            return None
        if len(text) > COMMENT_MAX or find_personal_data(text):
            log.warning("kiosk rating in %s: comment dropped (too long or personal data)", hall)
            return None
        return text

    def _print(self, s, hall: str, at: dt.datetime, data: dict) -> None:
        code = str(data.get("code") or "")
        if data.get("what") == "checklist" and data.get("ok") and _CODE.match(code):
            upsert(s, {key_for("print", "kiosk", hall, code, at=at): 1})

    def _ticket(self, s, hall: str, at: dt.datetime, data: dict) -> None:
        queue = str(data.get("queue") or "")
        if _QUEUE.match(queue):
            upsert(s, {key_for("ticket", "kiosk", hall, queue, at=at): 1})

    def _search_nohit(self, s, hall: str, at: dt.datetime, data: dict) -> None:
        words = search_words(str(data.get("query") or ""), find_personal_data)
        if words:
            upsert(s, {key_for("nohit", "kiosk", hall, words, at=at): 1})
