"""Guide page views served by nginx from the static export, counted like the app's own views.

Where nginx answers a phone page from the export (scripts/nginx-guide-server.conf), the app never
sees the request, so its view counter (guide_server.usage) misses it. nginx writes those answers,
and only those, to a views log in the `guide_views` format — ``$time_iso8601 $status
$request_uri`` and nothing else: no address, no browser, no cookie, so nothing about the visitor
is ever on disk. `guide-server ratings views-log FILE` (run it every few minutes, e.g. from cron)
reads what was appended since the last run and adds it to usage_counts as kind "view", channel
"phone", under the hall of the page (the default hall for /g/<code>, the hall's name for
/h/<hall>/g/<code>) — the same rows the app's own counting fills, so the dashboard's figures are
the same whichever way a page was served.

Exactly once: the counts and the file position read up to are written in one transaction
(`usage_log_offsets`, alembic revision 0009), so a run killed at any moment counts each line
once, on the next run if not on this one. A line still being written (no newline yet) waits for
the next run. A rotated log is read from its start: another file under the name (another inode),
or the same file truncated and written again (logrotate's copytruncate: shorter than the
position, or its first line no longer the one counted first).
Lines that are not a counted view (status other than 200/304, print pages, category pages,
unknown codes or halls, malformed lines) are skipped and counted in the result. No Flask import.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from guide_server.db import Base, Database
from guide_server.usage import key_for, upsert

LOG_FORMAT = "$time_iso8601 $status $request_uri"
COUNTED_STATUS = {"200", "304"}
_LINE = re.compile(r"^(\S+) (\d{3}) (\S+)$")
# /g/<code>, /g/<code>?<answers>, /h/<hall>/g/<code>[?…]; not /print, not /c/<slug>
_PATH = re.compile(r"^(?:/h/(?P<hall>[a-z][a-z0-9-]{1,39}))?/g/(?P<code>[A-Za-z0-9][A-Za-z0-9-]{0,63})(?:\?.*)?$")


class UsageLogOffset(Base):
    """How far a views log has been counted: the file (absolute path), its inode, the byte position."""

    __tablename__ = "usage_log_offsets"

    source: Mapped[str] = mapped_column(String(400), primary_key=True)
    inode: Mapped[int] = mapped_column(BigInteger, nullable=False)
    position: Mapped[int] = mapped_column(BigInteger, nullable=False)
    head: Mapped[str] = mapped_column(String(64), nullable=False, default="")  # sha256 of the first line


@dataclass(frozen=True)
class IngestResult:
    """One run: lines read, views counted, lines skipped (not a counted view), bytes read."""

    lines: int
    counted: int
    skipped: int
    bytes_read: int


def parse_line(line: str, hall_name: Callable[[str | None], str | None],
               known: Callable[[str | None, str], bool]) -> tuple[dt.datetime, str, str] | None:
    """(time, hall name, guide code) of a counted view in one `guide_views` line, else None.

    `hall_name(None)` is the default hall's name, `hall_name(id)` a hall's (None: no such hall);
    `known(hall_id, code)` says whether that hall (None: the default hall) offers the code."""
    m = _LINE.match(line.strip())
    if not m or m.group(2) not in COUNTED_STATUS:
        return None
    p = _PATH.match(m.group(3))
    if not p:
        return None
    try:
        at = dt.datetime.fromisoformat(m.group(1))
    except ValueError:
        return None
    hall_id, code = p.group("hall"), p.group("code")
    name = hall_name(hall_id)
    if name is None or not known(hall_id, code):
        return None
    return at, name, code


def ingest(db: Database, path: str | Path, hall_name: Callable[[str | None], str | None],
           known: Callable[[str | None, str], bool]) -> IngestResult:
    """Count the views appended to the log at `path` since the last run (see the module text).

    OSError when the file cannot be read; the database is then unchanged."""
    path = Path(path).resolve()
    db.ready()
    with open(path, "rb") as fh:
        inode = os.fstat(fh.fileno()).st_ino
        size = os.fstat(fh.fileno()).st_size
        first = fh.readline()
        head = hashlib.sha256(first).hexdigest() if first.endswith(b"\n") else ""
        with db.session() as s:
            row = s.get(UsageLogOffset, str(path))
            same = row is not None and row.inode == inode and row.position <= size and row.head == head
            start = row.position if same else 0
        fh.seek(start)
        lines = counted = skipped = 0
        position = start
        while True:
            chunk = fh.readlines(8 << 20)
            complete = [c for c in chunk if c.endswith(b"\n")]
            if not complete:
                break
            counts: Counter = Counter()
            for raw in complete:
                lines += 1
                view = parse_line(raw.decode("utf-8", "replace"), hall_name, known)
                if view is None:
                    skipped += 1
                    continue
                at, hall, code = view
                counts[key_for("view", "phone", hall, code, at=at)] += 1
                counted += 1
            position += sum(len(c) for c in complete)
            with db.session.begin() as s:
                upsert(s, counts)
                row = s.get(UsageLogOffset, str(path))
                if row is None:
                    s.add(UsageLogOffset(source=str(path), inode=inode, position=position, head=head))
                else:
                    row.inode, row.position, row.head = inode, position, head
            if len(complete) < len(chunk):  # a line still being written: next run
                break
    return IngestResult(lines, counted, skipped, position - start)
