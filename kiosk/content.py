"""Which guides the kiosk shows: a content folder, or the instance's current release.

Never raises: when nothing valid is found, `KioskContent.release` is None and
`problem` says why, so the app can say so plainly instead of crashing.

Freshness: the sync job writes ``<instance>/sync-state.json`` with
``{"last_ok": "<ISO time>"}`` after each successful sync; when that is older
than ``stale_hours`` (or missing) the home screen shows an offline badge.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from guides.release import Release

SYNC_STATE = "sync-state.json"


@dataclass(frozen=True)
class KioskContent:
    release: Release | None
    problem: str = ""          # for the technician, shown small on the no-content screen
    fresh: bool = True
    source: str = ""

    @property
    def ok(self) -> bool:
        return self.release is not None and bool(self.release.guides)


def last_sync(instance: Path) -> dt.datetime | None:
    try:
        data = json.loads((instance / SYNC_STATE).read_text(encoding="utf-8"))
        return dt.datetime.fromisoformat(data["last_ok"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def load_kiosk_content(content_dir: str | Path | None, instance: str | Path, stale_hours: float = 48,
                       now: dt.datetime | None = None) -> KioskContent:
    from guides.loader import ContentError, load_content
    from guides.release import ReleaseError, ReleaseStore, build_release

    instance = Path(instance)
    if content_dir:
        try:
            content = load_content(Path(content_dir))
        except ContentError as e:
            first = str(e.findings[0]) if e.findings else str(e)
            return KioskContent(None, f"内容目录 {content_dir} 检查未通过：{first}", source=str(content_dir))
        except OSError as e:
            return KioskContent(None, f"内容目录 {content_dir} 无法读取：{e}", source=str(content_dir))
        return KioskContent(build_release(content), fresh=True, source=str(content_dir))
    try:
        release = ReleaseStore(instance).current()
    except ReleaseError as e:
        return KioskContent(None, f"本机版本库损坏：{e}", source=str(instance))
    if release is None:
        return KioskContent(None, f"本机还没有同步过办事指南（{instance / 'releases'} 为空）", source=str(instance))
    now = now or dt.datetime.now(dt.timezone.utc)
    synced = last_sync(instance)
    fresh = synced is not None and (now - synced.astimezone(dt.timezone.utc)) <= dt.timedelta(hours=stale_hours)
    return KioskContent(release, fresh=fresh, source=str(instance))
