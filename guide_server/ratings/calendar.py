"""Working days in mainland China: weekends, public holidays and 调休 make-up working days.

No date is written in code: each year's schedule (国务院办公厅 节假日安排通知) is a YAML file,

    year: 2026
    source: 国务院办公厅关于2026年部分节假日安排的通知（2025年11月4日）
    holidays: [{name: 国庆节, from: 2026-10-01, to: 2026-10-07}, ...]   # days off, both ends included
    workdays: [{date: 2026-10-10, for: 国庆节}, ...]                    # weekend days worked (调休)

shipped in guide_server/ratings/holidays/ and loaded by an admin into <instance>/holidays/
(`guide-server ratings holidays load FILE`), which wins over the shipped file of the same year.
A year without a file counts Monday–Friday as working days; `WorkCalendar.missing_years` says
which years those are, so the dashboard can warn. No Flask import.
"""
from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from guides.yamlsource import YamlSyntaxError, parse_yaml, read_limited

SHIPPED = Path(__file__).with_name("holidays")


class CalendarError(ValueError):
    """A holiday file that cannot be used; the message says which file and line (Chinese)."""


@dataclass
class YearSchedule:
    """One year's schedule: days off (date -> holiday name) and 调休 working days (date -> name)."""

    year: int
    source: str
    off: dict[dt.date, str] = field(default_factory=dict)
    worked: dict[dt.date, str] = field(default_factory=dict)
    path: str = ""


def _date(value, where: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise CalendarError(f"{where}: “{value}”不是日期，请写成 2026-10-01 的形式。") from None


def parse_schedule(text: str, display: str) -> YearSchedule:
    """Parse and check one year's file; CalendarError names `display`:line on any problem:
    dates outside the year, a 调休 day that is not a weekend, a holiday range backwards, a day
    both off and worked, unknown keys."""
    try:
        doc = parse_yaml(text, display)
    except YamlSyntaxError as exc:
        raise CalendarError(f"{display}:{exc.line}: YAML 格式错误：{exc.message}") from None
    data = doc.data

    def at(*path) -> str:
        return f"{display}:{doc.line(path)}"

    if not isinstance(data, dict):
        raise CalendarError(f"{display}:1: 文件应包含 year、source、holidays、workdays 四项。")
    unknown = set(data) - {"year", "source", "holidays", "workdays"}
    if unknown:
        key = sorted(map(str, unknown))[0]
        raise CalendarError(f"{at(key)}: 不认识的项“{key}”（只能有 year、source、holidays、workdays）。")
    year = data.get("year")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise CalendarError(f"{at('year')}: year 应为年份，例如 2026。")
    source = data.get("source")
    if not isinstance(source, str) or not source.strip():
        raise CalendarError(f"{at('source')}: 请在 source 写明依据的通知（名称和日期）。")
    out = YearSchedule(year, source.strip(), path=display)
    for i, item in enumerate(data.get("holidays") or []):
        if not isinstance(item, dict) or set(item) != {"name", "from", "to"}:
            raise CalendarError(f"{at('holidays', i)}: 每个假期应写成 {{name: 国庆节, from: 2026-10-01, to: 2026-10-07}}。")
        start, end = _date(item["from"], at("holidays", i, "from")), _date(item["to"], at("holidays", i, "to"))
        if end < start:
            raise CalendarError(f"{at('holidays', i)}: {item['name']}的结束日期早于开始日期。")
        day = start
        while day <= end:
            if day.year != year:
                raise CalendarError(f"{at('holidays', i)}: {day} 不在 {year} 年内。")
            out.off[day] = str(item["name"])
            day += dt.timedelta(days=1)
    for i, item in enumerate(data.get("workdays") or []):
        if not isinstance(item, dict) or set(item) != {"date", "for"}:
            raise CalendarError(f"{at('workdays', i)}: 每个调休上班日应写成 {{date: 2026-10-10, for: 国庆节}}。")
        day = _date(item["date"], at("workdays", i, "date"))
        if day.year != year:
            raise CalendarError(f"{at('workdays', i)}: {day} 不在 {year} 年内。")
        if day.weekday() < 5:
            raise CalendarError(f"{at('workdays', i)}: {day} 是周一至周五，本来就上班，不是调休上班日。")
        if day in out.off:
            raise CalendarError(f"{at('workdays', i)}: {day} 同时写成了放假和上班。")
        out.worked[day] = str(item["for"])
    return out


class WorkCalendar:
    """Working-day arithmetic over the loaded years (shipped files, then the instance's)."""

    def __init__(self, schedules: dict[int, YearSchedule] | None = None):
        self.years: dict[int, YearSchedule] = dict(schedules or {})

    @classmethod
    def load(cls, instance: str | Path | None = None) -> "WorkCalendar":
        """Every year file shipped, overridden year by year by <instance>/holidays/*.yaml.
        A broken file raises CalendarError (an admin loads files through `install`, which checks)."""
        years: dict[int, YearSchedule] = {}
        folders = [SHIPPED] + ([Path(instance) / "holidays"] if instance else [])
        for folder in folders:
            for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else ():
                try:  # no symlink followed, at most guides.yamlsource.MAX_BYTES
                    text = read_limited(path).decode("utf-8-sig")
                except (OSError, UnicodeDecodeError) as exc:
                    raise CalendarError(f"{path}: 无法读取：{getattr(exc, 'strerror', None) or '不是 UTF-8 文本'}") from None
                sched = parse_schedule(text, str(path))
                years[sched.year] = sched
        return cls(years)

    def is_working_day(self, day: dt.date) -> bool:
        sched = self.years.get(day.year)
        if sched is not None:
            if day in sched.worked:
                return True
            if day in sched.off:
                return False
        return day.weekday() < 5

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The n-th working day after `start` (start itself not counted): a step opened on
        Wednesday 2026-09-30 with 1 working day is due on Thursday 2026-10-08 (国庆节 1–7 October
        off); with 15 on 2026-10-27 (the 调休 Saturday 10-10 counts as a working day)."""
        day, left = start, n
        while left > 0:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                left -= 1
        return day

    def working_days_after(self, start: dt.date, end: dt.date) -> int:
        """How many working days lie after `start` up to and including `end` (0 if end <= start)."""
        count, day = 0, start
        while day < end:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count

    def missing_years(self, *years: int) -> list[int]:
        """Of `years`, those with no schedule loaded (counted as plain Monday–Friday weeks)."""
        return sorted({y for y in years if y not in self.years})


def install(instance: str | Path, path: Path) -> YearSchedule:
    """Check a year's file and copy it to <instance>/holidays/<year>.yaml atomically.
    Raises CalendarError (nothing written) when the file is not valid."""
    try:
        text = read_limited(path).decode("utf-8-sig")  # no symlink, at most MAX_BYTES
    except (OSError, UnicodeDecodeError) as exc:
        raise CalendarError(f"{path}: 无法读取：{getattr(exc, 'strerror', None) or '不是 UTF-8 文本'}") from None
    sched = parse_schedule(text, str(path))
    folder = Path(instance) / "holidays"
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, folder / f"{sched.year}.yaml")
    return sched
