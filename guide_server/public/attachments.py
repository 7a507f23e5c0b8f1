"""/forms/<name>: the blank forms and samples (空白表格, 示例样表) of the current release.

An attachment is one of the files the release copied from content/forms/ (guides.release), served
only when its name is in the release manifest and its bytes still match the SHA-256 there. The
answer is a download (``Content-Disposition: attachment``) with the type of its suffix; the
static export (guide_server.export) writes the same bytes to ``forms/<name>`` and
scripts/nginx-guide-server.conf sends the same two headers, so both ways give the citizen the
same file.
"""
from __future__ import annotations

import re

from flask import Blueprint, Response, abort, current_app

from guides.release import ReleaseError, sha256
from guide_server.web import served

bp = Blueprint("attachments", __name__)

# The attachment types content/forms/ may hold (guides.rules FORM_SUFFIXES) and how they are sent.
MEDIA_TYPES = {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
               ".gif": "image/gif", ".webp": "image/webp", ".svg": "image/svg+xml"}
# A file name that can go into the header as it is; others rely on the URL's last segment.
_PLAIN_NAME = re.compile(r"[A-Za-z0-9._-]{1,120}", re.ASCII)


def media_type(name: str) -> str:
    """The Content-Type of attachment `name` by its suffix (application/octet-stream for others)."""
    dot = name.rfind(".")
    return MEDIA_TYPES.get(name[dot:].lower() if dot >= 0 else "", "application/octet-stream")


def disposition(name: str) -> str:
    """``attachment; filename="<last segment>"`` when that segment is plain ASCII, else
    ``attachment`` (the browser then names the file after the URL, RFC 6266 4.3)."""
    last = name.rsplit("/", 1)[-1]
    return f'attachment; filename="{last}"' if _PLAIN_NAME.fullmatch(last) else "attachment"


@bp.get("/forms/<path:name>")
def attachment(name: str):
    release = served().release
    expected = release.attachments.get(name)
    if expected is None or release.content.forms is None:
        abort(404)
    try:
        data = (release.content.forms / name).read_bytes()
    except OSError as exc:
        raise ReleaseError(f"附件 {name} 无法读取：{exc.strerror}") from None
    if sha256(data) != expected:
        current_app.logger.error("attachment %s of R%s does not match its manifest hash", name, release.number)
        raise ReleaseError(f"附件 {name} 与版本清单不符")
    resp = Response(data)
    resp.headers["Content-Type"] = media_type(name)
    resp.headers["Content-Disposition"] = disposition(name)
    resp.headers["Cache-Control"] = "public, max-age=86400"
    resp.headers["Content-Security-Policy"] = "default-src 'none'"
    resp.set_etag(expected[:32])
    return resp
