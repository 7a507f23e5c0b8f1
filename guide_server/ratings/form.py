"""The posted 好差评 form: its shape (a pydantic model, checked before anything reads it) and
the one-time token that makes a rating post idempotent.

Every rating form rendered per request carries a token ``<nonce>.<issued>.<mac>``: a random
nonce, the Unix time it was issued and an HMAC (the app's secret key) over both and the
guide's code, so it cannot be forged, moved to another guide or used after `TOKEN_TTL`.
The nonce is claimed in the same transaction that stores the rating (table
rating_form_tokens, one row per claimed nonce): a retry or a second press of the same form
finds it taken, stores nothing and is answered as the first post was.

The guide page itself is cached, and exported as static files, so its form cannot carry a
token of its own; a post from it is keyed by what it says instead (`content_key`: client
hash, guide, level, reasons, comment) for the rating window, so a retry of it cannot double
either. No Flask import.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import DateTime, String, delete
from sqlalchemy.orm import Mapped, mapped_column

from guide_server.db import Base

TOKEN_TTL = dt.timedelta(days=1)   # a form may be sent up to a day after it was shown
_TOKEN = re.compile(r"([A-Za-z0-9_-]{16,43})\.([0-9]{1,12})\.([0-9a-f]{32})", re.ASCII)


class RatingFormPost(BaseModel):
    """What a rating form posts (form fields; `reason` may repeat). Sizes are bounds for the
    transport; the rating rules and their Chinese messages are ratings.service.parse's."""

    model_config = ConfigDict(extra="ignore", strict=True)

    level: Annotated[str, Field(max_length=8)] = ""
    reason: Annotated[list[Annotated[str, Field(max_length=20)]], Field(max_length=20)] = []
    comment: Annotated[str, Field(max_length=4000)] = ""
    contact: Annotated[str, Field(max_length=200)] = ""   # a 实名差评's phone, for the call back
    hall: Annotated[str, Field(max_length=100)] = ""      # the hall whose page the form is on (/h/<hall>/…)
    csrf_token: Annotated[str, Field(max_length=200)] | None = None
    form_token: Annotated[str, Field(max_length=200)] | None = None


class RatingFormToken(Base):
    """A claimed one-time form token (or the content key of a token-less post)."""

    __tablename__ = "rating_form_tokens"

    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    created: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False, index=True)
    guide_code: Mapped[str] = mapped_column(String(40), nullable=False)


class FormTokenError(ValueError):
    """A token that is malformed, forged, for another guide or too old (message in Chinese)."""


def _mac(secret: str, nonce: str, issued: int, code: str) -> str:
    msg = f"rating-form|{nonce}|{issued}|{code}".encode("utf-8")
    return hmac.new(secret.encode("utf-8"), msg, hashlib.sha256).hexdigest()[:32]


def issue(secret: str, code: str, now: dt.datetime | None = None) -> str:
    """A fresh one-time token for a rating form of guide `code`."""
    issued = int((now or dt.datetime.now(dt.timezone.utc)).timestamp())
    nonce = secrets.token_urlsafe(16)
    return f"{nonce}.{issued}.{_mac(secret, nonce, issued, code)}"


def verify(secret: str, token: str, code: str, now: dt.datetime | None = None) -> str:
    """The key to claim for `token` ("t:<nonce>"); FormTokenError when it is not one this
    server issued for guide `code` within TOKEN_TTL."""
    m = _TOKEN.fullmatch(token or "")
    if m is None:
        raise FormTokenError("评价表单已损坏，请重新打开评价页面。")
    nonce, issued, mac = m.group(1), int(m.group(2)), m.group(3)
    if not hmac.compare_digest(mac, _mac(secret, nonce, issued, code)):
        raise FormTokenError("无法确认这份评价表单来自本站，请重新打开评价页面。")
    age = (now or dt.datetime.now(dt.timezone.utc)).timestamp() - issued
    if not -300 <= age <= TOKEN_TTL.total_seconds():
        raise FormTokenError("评价页面打开太久已过期，请重新填写后提交。")
    return f"t:{nonce}"


def content_key(client: str, code: str, level: int, reasons: tuple[str, ...], comment: str | None) -> str:
    """The key of a token-less post: the same client saying the same thing about the same guide."""
    text = "|".join([client, code, str(level), ",".join(reasons), comment or ""])
    return "c:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:60]


def claim(s, key: str, code: str, now: dt.datetime, window: dt.timedelta) -> bool:
    """Take `key` inside the caller's transaction: True when it was free (the rating may be
    stored), False when a post with it was already stored. A content key ("c:…") is free
    again after `window`; every key is forgotten after TOKEN_TTL (its token has run out)."""
    s.execute(delete(RatingFormToken).where(RatingFormToken.created < now - TOKEN_TTL))
    if key.startswith("c:"):
        s.execute(delete(RatingFormToken).where(RatingFormToken.nonce == key, RatingFormToken.created < now - window))
    if s.bind.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    # RETURNING says whether the row went in (the rowcount of ON CONFLICT DO NOTHING is -1 on psycopg)
    res = s.execute(insert(RatingFormToken).values(nonce=key, created=now, guide_code=code)
                    .on_conflict_do_nothing(index_elements=["nonce"]).returning(RatingFormToken.nonce))
    return res.first() is not None
