"""The hall manager's dashboard over 1,000,000 ratings and 5,000,000 usage events.

Fills a fresh database (the real schema, through the alembic migrations) with generated data —
ratings as the service stores them (each also counted into rating_monthly, 差评 with a case),
usage events counted into usage_counts as the recorder and the kiosk intake do — with bulk
executemany inserts, then times every chart of /admin/stats (query + SVG) side by side with a
plain `SELECT count(*) FROM ratings` and with the same figure grouped from the raw ratings table.

    .venv/bin/python bench/bench_stats.py                      # SQLite in a temp folder
    .venv/bin/python bench/bench_stats.py --url postgresql://… # any database SQLAlchemy reaches
    .venv/bin/python bench/bench_stats.py --ratings 100000 --events 500000   # smaller, quicker

Target: every chart ≤ 300 ms. Times are medians of 5 runs after one warm-up.
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, text  # noqa: E402

from guide_server.db import Database, Rating  # noqa: E402
from guide_server.ratings.cases import CaseService  # noqa: E402
from guide_server.ratings.charts import render  # noqa: E402
from guide_server.ratings.models import RatingCase, RatingRollup  # noqa: E402
from guide_server.ratings.service import rollup_rows  # noqa: E402
from guide_server.ratings.stats import Period, StatsService  # noqa: E402
from guide_server.usage import UsageCount, key_for  # noqa: E402

CHINA = dt.timezone(dt.timedelta(hours=8))
HALLS = ("乐清市民中心", "柳市分中心", "虹桥分中心")
CHANNELS = ("kiosk", "phone", "phone", "poster", "window")
LEVELS = (5, 5, 5, 5, 4, 4, 4, 3, 3, 2, 1)
BATCH = 20_000


def _times(rnd: random.Random, n: int, start: dt.datetime, days: int):
    span = days * 86400
    for _ in range(n):
        yield start + dt.timedelta(seconds=rnd.randrange(span))


def fill(db: Database, n_ratings: int, n_events: int, seed: int = 15) -> dict:
    rnd = random.Random(seed)
    guides = [(f"330382-B{i:04d}", f"部门{i % 40:02d}") for i in range(800)]
    start, days = dt.datetime(2025, 1, 1, tzinfo=CHINA), 700
    out = {}
    t0 = time.perf_counter()
    rollup: dict = {}
    with db.engine.begin() as conn:
        rows, cases = [], []
        rid = 0
        for at in _times(rnd, n_ratings, start, days):
            rid += 1
            code, dept = rnd.choice(guides)
            level, channel, hall = rnd.choice(LEVELS), rnd.choice(CHANNELS), rnd.choice(HALLS)
            row = {"id": rid, "guide_code": code, "release_number": 1, "level": level,
                   "reasons": "slow" if level <= 2 else "", "comment": None, "channel": channel,
                   "client": "", "created": at, "hall": hall, "department": dept, "queue": None, "revoked": False}
            rows.append(row)
            for r in rollup_rows(SimpleNamespace(**row)):   # what the service adds per rating, summed here
                k = (r["dim"], r["month"], r["hall"], r["key"])
                acc = rollup.get(k)
                if acc is None:
                    rollup[k] = r
                else:
                    for c in ("total", "satisfied", "bad", "l1", "l2", "l3", "l4", "l5"):
                        acc[c] += r[c]
            if level <= 2:
                state = rnd.choice(("verify", "rectify", "rectified", "called_back", "appeal", "revoked"))
                due = at.date() + dt.timedelta(days=1)
                cases.append({"rating_id": rid, "hall": hall, "guide_code": code, "department": dept,
                              "channel": channel, "level": level, "state": state, "named": False, "opened_at": at,
                              "verify_due": due, "rectify_due": due + dt.timedelta(days=21),
                              "callback_due": None, "updated_at": at, "rectification": "",
                              "closed_at": at if state in ("called_back", "revoked") else None})
            if len(rows) >= BATCH:
                conn.execute(insert(Rating), rows)
                rows = []
            if len(cases) >= BATCH:
                conn.execute(insert(RatingCase), cases)
                cases = []
        if rows:
            conn.execute(insert(Rating), rows)
        if cases:
            conn.execute(insert(RatingCase), cases)
        items = list(rollup.values())
        for i in range(0, len(items), BATCH):
            conn.execute(insert(RatingRollup), items[i:i + BATCH])
    out["ratings_s"] = time.perf_counter() - t0
    out["rollup_rows"] = len(rollup)
    t0 = time.perf_counter()
    counts: Counter = Counter()
    kinds = ("view", "view", "view", "scan", "print", "ticket", "nohit")
    words = [f"查询词{i}" for i in range(3000)]
    posters = [(f"poster-{i:03d}", rnd.choice(guides)[0]) for i in range(300)]   # a poster shows one guide
    for at in _times(rnd, n_events, start, days):
        kind = rnd.choice(kinds)
        code = rnd.choice(guides)[0]
        if kind == "view":
            k = key_for("view", "phone", rnd.choice(HALLS), code, at=at)
        elif kind == "scan":
            tag, poster_code = rnd.choice(posters)
            k = key_for("scan", "poster", rnd.choice(HALLS), poster_code, tag, at=at)
        elif kind == "print":
            k = key_for("print", "kiosk", rnd.choice(HALLS), code, at=at)
        elif kind == "ticket":
            k = key_for("ticket", "kiosk", rnd.choice(HALLS), rnd.choice("ABCDEF"), at=at)
        else:
            word = words[min(int(rnd.paretovariate(1.1)) - 1, len(words) - 1)]   # a few words most of the time
            k = key_for("nohit", rnd.choice(("kiosk", "phone")), rnd.choice(HALLS), word, at=at)
        counts[k] += 1
    with db.engine.begin() as conn:
        items = list(counts.items())
        for i in range(0, len(items), BATCH):
            conn.execute(insert(UsageCount), [
                {"month": k[0], "kind": k[1], "channel": k[2], "hall": k[3], "subject": k[4], "src": k[5],
                 "hour": k[6], "n": n} for k, n in items[i:i + BATCH]])
    out["events_s"] = time.perf_counter() - t0
    out["usage_rows"] = len(counts)
    return out


def median_ms(fn, runs: int = 5) -> float:
    fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", help="database URL (default: SQLite in a temp folder)")
    ap.add_argument("--ratings", type=int, default=1_000_000)
    ap.add_argument("--events", type=int, default=5_000_000)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-stats-"))
    url = args.url or f"sqlite:///{tmp / 'ratings.sqlite3'}"
    db = Database(url)
    db.ready()
    print(f"database: {db.engine.dialect.name}; ratings: {args.ratings:,}; usage events: {args.events:,}")
    filled = fill(db, args.ratings, args.events)
    print(f"generated: ratings {filled['ratings_s']:.1f} s ({filled['rollup_rows']:,} rollup rows), "
          f"events {filled['events_s']:.1f} s ({filled['usage_rows']:,} usage rows)")
    with db.engine.begin() as conn:
        if db.engine.dialect.name == "sqlite":
            conn.execute(text("ANALYZE"))
        elif db.engine.dialect.name == "postgresql":
            conn.execute(text("ANALYZE"))
    stats = StatsService(db, CaseService(db, tmp))
    period = Period.parse(None, None, dt.date(2026, 11, 30))   # the dashboard's default: the last 12 months
    names = {}

    def plain() -> None:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT count(*) FROM ratings")).scalar_one()

    base = median_ms(plain)
    print(f"\nperiod {period.label}; plain SELECT count(*) FROM ratings: {base:.1f} ms (the unit below)\n")
    print(f"{'chart':32} {'query':>9} {'+ SVG':>9} {'ratio':>7}  target 300 ms")
    worst = 0.0
    for key in ("levels", "satisfaction-guide", "satisfaction-department", "satisfaction-channel", "cases",
                "usage-view", "usage-scan", "usage-print", "usage-ticket", "usage-nohit"):
        q = median_ms(lambda: stats.table(key, period, "", names))
        both = median_ms(lambda: render(stats.table(key, period, "", names)))
        worst = max(worst, both)
        print(f"{key:32} {q:7.1f}ms {both:7.1f}ms {both / base:6.1f}x  {'ok' if both <= 300 else 'OVER'}")

    def raw_by_guide() -> None:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT guide_code, count(*), sum(CASE WHEN level >= 3 THEN 1 ELSE 0 END) "
                              "FROM ratings GROUP BY guide_code")).all()
    raw = median_ms(raw_by_guide, runs=3)
    print(f"\nthe per-guide figure grouped from the raw ratings table instead: {raw:.1f} ms ({raw / base:.1f}x)")
    print(f"slowest chart: {worst:.1f} ms -> {worst / 300:.2f} of the 300 ms budget")


if __name__ == "__main__":
    main()
