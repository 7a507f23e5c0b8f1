"""Secret key from the instance folder, response security headers, client hashing."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import re
import secrets
import time
from pathlib import Path

# No script at all: pages work without JavaScript. Styles come from the one CSS file.
CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
       "base-uri 'none'; frame-ancestors 'none'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}
HEADER_LIST = list(HEADERS.items())
# For pages that may be opened without these headers (the static export from disk or a plain
# file server): the same policy as a <meta>. frame-ancestors cannot be set by <meta>.
META_CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
            "base-uri 'none'")


def hsts(seconds: int) -> str:
    """Strict-Transport-Security value: browsers keep to HTTPS for `seconds` (RFC 6797)."""
    return f"max-age={int(seconds)}"


LINK_SCHEMES = ("http", "https", "tel", "mailto")
_STRIPPED = re.compile(r"[\x00-\x20\x7f]")  # what browsers drop or ignore before reading a scheme


def safe_url(url: object) -> str | None:
    """`url` when it may be the target of a link on a page, else None.

    The content checker already refuses anything but http(s) URLs; this is the second wall at
    render time, for a release that bypassed the checker (written by hand, an older checker):
    only http, https, tel and mailto, or a path on this site ("/…", not "//…"). Browsers
    ignore control characters, spaces, tabs and newlines in "java\tscript:", so the scheme is
    read with those removed. javascript:, data:, vbscript:, file: and every other scheme give
    None, and the template shows the text without a link.
    """
    if not isinstance(url, str) or not url.strip():
        return None
    bare = _STRIPPED.sub("", url)
    if bare.startswith("/"):
        return url if not bare.startswith(("//", "/\\")) else None
    m = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):", bare)
    if m is None or m.group(1).lower() not in LINK_SCHEMES:
        return None
    return url


def load_secret_key(instance: Path) -> str:
    """The app's secret key, generated on first run into <instance>/secret_key (mode 0600).

    Created with O_EXCL so that several workers starting together agree on one key.
    """
    path = instance / "secret_key"
    try:
        return _read_secret(path)
    except FileNotFoundError:
        pass
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_secret(path)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    return key


def _read_secret(path: Path, wait: float = 5.0) -> str:
    """The key in `path`; waits for a racing process that created the file but has not yet
    written it (several app instances sharing one instance folder start together)."""
    deadline = time.monotonic() + wait
    while True:
        key = path.read_text(encoding="ascii").strip()
        if key or time.monotonic() > deadline:
            if not key:
                raise RuntimeError(f"{path} 是空文件：请删除它，重启后会重新生成密钥。")
            return key
        time.sleep(0.01)


def client_hash(secret: str, address: str | None, now: dt.datetime | None = None) -> str:
    """A day-scoped keyed hash of the client address: enough to rate-limit, never the address.

    It changes every day (UTC) and cannot be reversed without the secret key.
    """
    day = (now or dt.datetime.now(dt.timezone.utc)).strftime("%Y-%m-%d")
    msg = f"{day}|{address or '-'}".encode()
    return hmac.new(secret.encode(), msg, hashlib.sha256).hexdigest()[:20]
