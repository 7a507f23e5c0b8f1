"""The hall manager's figures and the public results, as tables (no Flask, no charting).

Each figure is a `Table` (title, columns, rows, and how to chart it); guide_server.ratings.charts
draws it as SVG, guide_server.ratings.exports writes it as CSV or XLSX, and the page puts the
table itself under the chart (for screen readers). Ratings are read from `rating_rollup`,
usage from `usage_counts`, cases from `rating_cases` (by state, with the overdue ones): the
figures are sums over a few thousand rows however many ratings and events there are.

Periods are whole months (Beijing time), `Period("2026-01", "2026-11")`. Satisfaction rate
(满意率) = (非常满意 + 满意 + 基本满意) / all ratings, as GB/T 39734 附录B counts it; a 差评
withdrawn on appeal no longer counts. Nothing here carries personal data.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from sqlalchemy import func, select

from guides.rating_scale import CHANNELS, LEVELS, SATISFIED_LEVELS
from guides.release import CHINA_TZ
from guide_server.db import Database
from guide_server.ratings.cases import STATES, CaseService
from guide_server.ratings.models import RatingRollup as R
from guide_server.usage import UsageCount

MONTH = re.compile(r"(20\d\d)-(0[1-9]|1[0-2])", re.ASCII)
TOP = 15  # bars in a "worst/most" chart; the table below it has every row


class PeriodError(ValueError):
    """A period that cannot be read; the message is Chinese."""


@dataclass(frozen=True)
class Period:
    start: str   # "2026-01"
    end: str     # "2026-11", included

    @classmethod
    def parse(cls, start: str | None, end: str | None, today: dt.date | None = None) -> "Period":
        """From ?from=YYYY-MM&to=YYYY-MM; default: the last 12 months up to this one."""
        today = today or dt.datetime.now(CHINA_TZ).date()
        this = f"{today.year:04d}-{today.month:02d}"
        y, m = today.year - 1, today.month + 1
        if m == 13:
            y, m = y + 1, 1
        start = start or f"{y:04d}-{m:02d}"
        end = end or this
        for name, v in (("开始月份", start), ("结束月份", end)):
            if not isinstance(v, str) or not MONTH.fullmatch(v):
                raise PeriodError(f"{name}“{v[:20]}”应写成 2026-10 的形式。")
        if start > end:
            raise PeriodError("开始月份晚于结束月份，请重新选择。")
        return cls(start, end)

    def months(self) -> list[str]:
        out, (y, m) = [], map(int, self.start.split("-"))
        while f"{y:04d}-{m:02d}" <= self.end:
            out.append(f"{y:04d}-{m:02d}")
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out

    @property
    def label(self) -> str:
        return self.start if self.start == self.end else f"{self.start} 至 {self.end}"


@dataclass
class Table:
    """One figure: `rows` of `columns`; `chart` says how to draw it:
    ("stacked", label column, value columns) bars stacked per row,
    ("bar", label column, value column) one bar per row (the first TOP rows),
    ("rate", label column, rate column) bars of a percentage (the first TOP rows),
    ("lines", label column, value columns) one line per value column."""

    key: str
    title: str
    columns: list[str]
    rows: list[list]
    chart: tuple = ()
    note: str = ""
    extra: dict = field(default_factory=dict)


def _rate(sat: int, total: int) -> float | None:
    return round(sat * 100 / total, 1) if total else None


class StatsService:
    def __init__(self, db: Database, cases: CaseService):
        self.db = db
        self.cases = cases

    # -- ratings ------------------------------------------------------------------------------
    def levels_over_time(self, period: Period, hall: str = "") -> Table:
        self.db.ready()
        counts = {m: {lv: 0 for lv in LEVELS} for m in period.months()}
        stmt = select(R.month, func.sum(R.l5), func.sum(R.l4), func.sum(R.l3), func.sum(R.l2), func.sum(R.l1)) \
            .where(R.dim == "channel", R.month >= period.start, R.month <= period.end)
        if hall:
            stmt = stmt.where(R.hall == hall)
        with self.db.session() as s:
            for month, *levels in s.execute(stmt.group_by(R.month)):
                if month in counts:
                    counts[month] = {lv: int(n or 0) for lv, n in zip((5, 4, 3, 2, 1), levels)}
        rows = []
        for month, c in counts.items():
            total = sum(c.values())
            rows.append([month, *(c[lv] for lv in LEVELS), total,
                         _rate(sum(c[lv] for lv in SATISFIED_LEVELS), total)])
        cols = ["月份", *LEVELS.values(), "合计", "满意率（%）"]
        return Table("levels", "各月评价等级", cols, rows, ("stacked", 0, list(range(1, 6))))

    def satisfaction(self, by: str, period: Period, hall: str = "", names: dict[str, str] | None = None,
                     min_count: int = 1) -> Table:
        """Satisfaction per "guide", "department" or "channel", lowest rate first."""
        if by not in ("guide", "department", "channel"):
            raise ValueError(by)
        self.db.ready()
        stmt = select(R.key, func.sum(R.total), func.sum(R.satisfied), func.sum(R.bad)) \
            .where(R.dim == by, R.month >= period.start, R.month <= period.end)
        if hall:
            stmt = stmt.where(R.hall == hall)
        rows = []
        with self.db.session() as s:
            for key, total, sat, bad in s.execute(stmt.group_by(R.key)):
                total, sat, bad = int(total or 0), int(sat or 0), int(bad or 0)
                if total < min_count:
                    continue
                if by == "guide":
                    label = (names or {}).get(key, key) if key else "取号服务（排队）"
                elif by == "channel":
                    label = CHANNELS.get(key, key)
                else:
                    label = key or "取号服务（排队）"
                rows.append([key, label, total, sat, bad, _rate(sat, total)])
        rows.sort(key=lambda r: (r[5] if r[5] is not None else 101, -r[2]))
        title = {"guide": "各事项满意率（最低在前）", "department": "各部门满意率（最低在前）",
                 "channel": "各评价渠道满意率"}[by]
        if by == "department":  # the name is the key: one column
            return Table(f"satisfaction-{by}", title, ["部门", "评价数", "满意数", "差评数", "满意率（%）"],
                         [r[1:] for r in rows], ("rate", 0, 4))
        head = {"guide": "事项编码", "channel": "渠道代码"}[by]
        name = {"guide": "事项名称", "channel": "评价渠道"}[by]
        return Table(f"satisfaction-{by}", title, [head, name, "评价数", "满意数", "差评数", "满意率（%）"],
                     rows, ("rate", 1, 5))

    # -- cases ----------------------------------------------------------------------------------
    def cases_by_state(self, hall: str = "", now: dt.datetime | None = None) -> Table:
        counts = self.cases.counts_by_state(hall, now)
        rows = [[STATES[k], n, late] for k, (n, late) in counts.items()]
        return Table("cases", "差评案件（按状态，含逾期）", ["状态", "案件数", "其中逾期"], rows,
                     ("stacked", 0, [1, 2]))

    # -- usage ------------------------------------------------------------------------------------
    def _usage(self, kind: str, group: list, period: Period, hall: str, limit: int | None = None):
        self.db.ready()
        stmt = select(*group, func.sum(UsageCount.n)).where(
            UsageCount.kind == kind, UsageCount.month >= period.start, UsageCount.month <= period.end)
        if hall:
            stmt = stmt.where(UsageCount.hall == hall)
        stmt = stmt.group_by(*group).order_by(func.sum(UsageCount.n).desc())
        if limit:
            stmt = stmt.limit(limit)
        with self.db.session() as s:
            return [list(r) for r in s.execute(stmt)]

    def usage_by_guide(self, kind: str, period: Period, hall: str = "", names: dict[str, str] | None = None) -> Table:
        """Guide views (kind "view") or printed 一次告知单 ("print") per guide, most first."""
        rows = [[code, (names or {}).get(code, code), int(n)]
                for code, n in self._usage(kind, [UsageCount.subject], period, hall)]
        title = {"view": "指南浏览次数（手机页面）", "print": "一次告知单打印次数（自助终端）"}[kind]
        return Table(f"usage-{kind}", title, ["事项编码", "事项名称", "次数"], rows, ("bar", 1, 2))

    def scans_by_source(self, period: Period, hall: str = "") -> Table:
        rows = [[src, CHANNELS.get(ch, ch), int(n)]
                for src, ch, n in self._usage("scan", [UsageCount.src, UsageCount.channel], period, hall)]
        return Table("usage-scan", "扫码次数（按海报来源标记）", ["来源标记", "渠道", "次数"], rows, ("bar", 0, 2))

    def tickets_by_hour(self, period: Period, hall: str = "") -> Table:
        data: dict[str, list[int]] = {}
        for queue, hour, n in self._usage("ticket", [UsageCount.subject, UsageCount.hour], period, hall):
            if 0 <= hour <= 23:
                data.setdefault(queue, [0] * 24)[hour] += int(n)
        queues = sorted(data)
        rows = [[f"{h:02d}:00", *(data[q][h] for q in queues)] for h in range(24)]
        rows = [r for r in rows if any(r[1:])] or rows[8:18]
        return Table("usage-ticket", "各队列每小时取号数（大厅负荷）", ["时段", *(f"{q} 队列" for q in queues)],
                     rows, ("lines", 0, list(range(1, len(queues) + 1))))

    def no_hit_searches(self, period: Period, hall: str = "", limit: int = 200) -> Table:
        rows = [[q, CHANNELS.get(ch, ch), int(n)]
                for q, ch, n in self._usage("nohit", [UsageCount.subject, UsageCount.channel], period, hall, limit)]
        return Table("usage-nohit", "没有找到结果的搜索（可据此补充别名或指南）", ["搜索内容", "渠道", "次数"], rows,
                     ("bar", 0, 2), note="同一搜索词在自助终端和手机上分别计数。")

    # -- all of it ---------------------------------------------------------------------------------
    def dashboard(self, period: Period, hall: str = "", names: dict[str, str] | None = None) -> list[Table]:
        return [self.levels_over_time(period, hall),
                self.satisfaction("guide", period, hall, names),
                self.satisfaction("department", period, hall),
                self.satisfaction("channel", period, hall),
                self.cases_by_state(hall),
                self.usage_by_guide("view", period, hall, names),
                self.scans_by_source(period, hall),
                self.usage_by_guide("print", period, hall, names),
                self.tickets_by_hour(period, hall),
                self.no_hit_searches(period, hall)]

    def table(self, key: str, period: Period, hall: str = "", names: dict[str, str] | None = None) -> Table | None:
        makers = {
            "levels": lambda: self.levels_over_time(period, hall),
            "satisfaction-guide": lambda: self.satisfaction("guide", period, hall, names),
            "satisfaction-department": lambda: self.satisfaction("department", period, hall),
            "satisfaction-channel": lambda: self.satisfaction("channel", period, hall),
            "cases": lambda: self.cases_by_state(hall),
            "usage-view": lambda: self.usage_by_guide("view", period, hall, names),
            "usage-scan": lambda: self.scans_by_source(period, hall),
            "usage-print": lambda: self.usage_by_guide("print", period, hall, names),
            "usage-ticket": lambda: self.tickets_by_hour(period, hall),
            "usage-nohit": lambda: self.no_hit_searches(period, hall),
        }
        make = makers.get(key)
        return make() if make else None

    def halls(self) -> list[str]:
        self.db.ready()
        with self.db.session() as s:
            a = set(s.scalars(select(R.hall).where(R.dim == "channel").distinct()))
            b = set(s.scalars(select(UsageCount.hall).distinct()))
        return sorted(h for h in a | b if h)

