"""The maintenance PIN: one per kiosk, made at provisioning, kept only as a hash.

The maintenance screen (long press in the top-left corner) can quit the kiosk program, so
a PIN known to everyone (the factory default 246810, printed in every manual) opens every
terminal. `kiosk provision` makes a random 8-digit PIN for the kiosk, shows it to the
technician once and writes only its argon2id hash (`maintenance.pin_hash` in kiosk.toml);
`kiosk set-pin` makes a new one. `kiosk run` refuses to start with the default PIN outside
`--simulate` (see `default_pin_problem`).

A plain `maintenance.pin` in kiosk.toml still works (development, tests), but a hash wins.
No Kivy.
"""
from __future__ import annotations

import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

DEFAULT_PIN = "246810"
PIN_DIGITS = 8

# argon2id, lighter than a password's: checked on the kiosk's UI thread (~20 ms here)
_HASHER = PasswordHasher(time_cost=2, memory_cost=16 * 1024, parallelism=1)


def new_pin(digits: int = PIN_DIGITS) -> str:
    """A random PIN of `digits` digits (leading zeros kept), never the default."""
    while True:
        pin = "".join(secrets.choice("0123456789") for _ in range(digits))
        if pin != DEFAULT_PIN and len(set(pin)) > 2:   # not 00000000, 12121212
            return pin


def hash_pin(pin: str) -> str:
    """The argon2id hash of `pin` (ValueError unless 4-12 digits)."""
    if not (pin.isdigit() and 4 <= len(pin) <= 12):
        raise ValueError("维护密码应为 4 到 12 位数字")
    return _HASHER.hash(pin)


def check_pin(pin: str, *, pin_hash: str = "", plain: str = "") -> bool:
    """Whether `pin` is the maintenance PIN: against `pin_hash` when there is one, else the
    plain `plain` (compared in constant time). An empty PIN never passes."""
    if not pin:
        return False
    if pin_hash:
        try:
            return _HASHER.verify(pin_hash, pin)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
    return bool(plain) and hmac.compare_digest(pin.encode(), plain.encode())


def uses_default_pin(pin_hash: str, plain: str) -> bool:
    """True when the PIN that opens maintenance is the factory default."""
    return check_pin(DEFAULT_PIN, pin_hash=pin_hash, plain=plain)


def default_pin_problem(pin_hash: str, plain: str, simulate: bool) -> str | None:
    """Why `kiosk run` must not start (a Chinese message), or None."""
    if simulate or not uses_default_pin(pin_hash, plain):
        return None
    return (f"维护密码仍是出厂默认值 {DEFAULT_PIN}：任何人都能打开维护界面并退出终端程序，终端程序不会启动。"
            "请运行 kiosk provision（为本机生成维护密码）或 kiosk set-pin（重新生成）后再启动；"
            "只是演示时可加 --simulate。")
