"""Whether a password is too easy to guess, and why, in Chinese.

Strength is estimated by zxcvbn (Dropbox's estimator: common passwords, dictionary words,
keyboard patterns, sequences, repeats, dates, l33t), with the user name as a known input.
A password must reach score 3 ("safely unguessable", about 10^8 guesses; NIST SP 800-63B
5.1.1.2 asks to refuse passwords from breach lists, dictionaries, repeats and sequences and
ones derived from the user name). Two rules hold whatever the estimate says: a password may
not be one character repeated, and may not be mostly the user name.
No Flask import.
"""
from __future__ import annotations

import re

MIN_SCORE = 3
ADVICE = "建议用几个不相关的词语或拼音，加上数字和符号，组成 12 个字符以上的密码。"

_REASONS = {
    "repeat": "密码由重复的字符或片段组成（如 aaaa、abcabc），很容易被猜中。",
    "sequence": "密码是连续的字符（如 123456、abcdef），很容易被猜中。",
    "spatial": "密码是键盘上相邻的按键（如 qwerty、1qaz2wsx），很容易被猜中。",
    "dictionary": "密码是常见密码或常用单词（如 password、iloveyou），很容易被猜中。",
    "date": "密码主要由日期或年份组成，很容易被猜中。",
    "regex": "密码主要由年份组成，很容易被猜中。",
    "bruteforce": "密码太简单，很容易被猜中。",
}


def _core(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.lower())


def _name_like(password: str, name: str) -> bool:
    """The password is the user name, reversed, padded with digits and symbols (kim2026!!!),
    repeated, or mostly made of it."""
    core, user = _core(password), _core(name)
    if not core or not user:
        return False
    letters, user_letters = re.sub(r"[0-9]+", "", core), re.sub(r"[0-9]+", "", user)
    if core in user or core in (user, user[::-1]):
        return True
    if user_letters and letters and letters.replace(user_letters, "").replace(user_letters[::-1], "") == "":
        return True
    return user in core and len(user) * 2 >= len(core)


def weak_password_reason(password: str, name: str | None = None) -> str | None:
    """None when `password` is strong enough for user `name`; otherwise why not, in Chinese,
    followed by advice. The length limits are the caller's (accounts.service)."""
    if password and len(set(password)) == 1:
        return f"密码不能全是同一个字符。{ADVICE}"
    if name and _name_like(password, name):
        return f"密码不能与用户名相同或相近。{ADVICE}"
    from zxcvbn import zxcvbn

    result = zxcvbn(password[:100], user_inputs=[name] if name else [])
    if result["score"] >= MIN_SCORE:
        return None
    return f"{_reason(result, name)}{ADVICE}"


def _reason(result: dict, name: str | None) -> str:
    """The pattern that covers most of the password decides the reason."""
    best, covered = "bruteforce", 0
    for match in result.get("sequence", []):
        pattern = match.get("pattern", "bruteforce")
        if pattern == "dictionary" and match.get("dictionary_name") == "user_inputs":
            return "密码中含有用户名，很容易被猜中。"
        size = match.get("j", 0) - match.get("i", 0) + 1
        if pattern != "bruteforce" and size > covered:
            best, covered = pattern, size
    return _REASONS.get(best, _REASONS["bruteforce"])
