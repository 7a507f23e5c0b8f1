"""The contact phone of a 实名差评: encrypted at rest, shown masked, gone when the case closes.

A citizen who gives a 差评 may leave a phone number so the office can call back (回访). It is
kept only for that follow-up:

- in its own table (`rating_contacts`), never beside the rating, encrypted with Fernet
  (AES-128-CBC + HMAC-SHA256, `cryptography`) under a key of its own, <instance>/contact_key
  (mode 0600; not the app's secret key), so a copy of the database alone holds no number;
- with the masked form (138****5678) beside it for lists and pages;
- deleted when the case closes (已回访 or 撤销) and in any case `RETENTION_DAYS` after the rating
  (the daily digest removes what is older); SQLite runs with secure_delete, and the WAL is
  checkpointed and truncated after each deletion, so the bytes do not linger in the file;
- never written to a log, an export, the audit log or a chart.

No Flask import.
"""
from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

RETENTION_DAYS = 90
KEY_FILE = "contact_key"


def load_key(instance: str | Path) -> bytes:
    """The contact key, generated on first use into <instance>/contact_key (0600, O_EXCL so
    that workers starting together agree on one key)."""
    path = Path(instance) / KEY_FILE
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes().strip()
    with os.fdopen(fd, "wb") as fh:
        fh.write(key + b"\n")
        fh.flush()
        os.fsync(fh.fileno())
    return key


class ContactVault:
    """Encrypts and decrypts contact numbers (digits only)."""

    def __init__(self, key: bytes):
        self._fernet = Fernet(key)

    @classmethod
    def for_instance(cls, instance: str | Path) -> "ContactVault":
        return cls(load_key(instance))

    def seal(self, digits: str) -> str:
        return self._fernet.encrypt(digits.encode("ascii")).decode("ascii")

    def open(self, token: str) -> str | None:
        """The number, or None when the token cannot be read (another key, damaged)."""
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("ascii")
        except (InvalidToken, ValueError):
            return None
