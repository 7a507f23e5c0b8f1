"""The hall manager's dashboard over 1,000,000 ratings and 5,000,000 usage events.

Fills a fresh database (the real schema, through the alembic migrations) with generated data —
ratings as the service stores them (差评 with a case; counted into rating_rollup with the SQL
migration 0005 uses for existing ratings), usage events counted into usage_counts per month as
the recorder and the kiosk intake do — with driver-level executemany, then times every chart of /admin/stats (query + SVG) side by side with a
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text  # noqa: E402

from guide_server.db import Database  # noqa: E402
from guide_server.ratings.cases import CaseService  # noqa: E402
from guide_server.ratings.charts import render  # noqa: E402
from guide_server.ratings.stats import Period, StatsService  # noqa: E402

CHINA = dt.timezone(dt.timedelta(hours=8))
HALLS = ("乐清市民中心", "柳市分中心", "虹桥分中心")
CHANNELS = ("kiosk", "phone", "phone", "poster", "window")
LEVELS = (5, 5, 5, 5, 4, 4, 4, 3, 3, 2, 1)
BATCH = 20_000


def _day_table(start: dt.date, days: int) -> list[str]:
    return [(start + dt.timedelta(days=d)).strftime("%Y-%m") for d in range(days)]


def _stamp(day0: dt.datetime, day: int, second: int) -> str:
    """The UTC time SQLAlchemy stores for a tz-aware datetime, as text (SQLite's DateTime format)."""
    at = (day0 + dt.timedelta(days=day, seconds=second)).astimezone(dt.timezone.utc)
    return at.strftime("%Y-%m-%d %H:%M:%S.000000")


def _bulk(conn, sql: str, rows: list[tuple]) -> None:
    """Rows in bulk at the driver: sqlite3's executemany, or PostgreSQL's COPY (psycopg 3)."""
    if conn.dialect.name == "postgresql":
        head = sql.split(" VALUES", 1)[0].removeprefix("INSERT INTO ")
        with conn.connection.driver_connection.cursor() as cur, cur.copy(f"COPY {head} FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    conn.exec_driver_sql(sql, rows)


# what migration 0005 runs to count existing ratings; equal to the sums of the service's
# per-rating upserts (tests/guide_server/ratings/test_followup.py checks the migration)
ROLLUP_SQL = (
    "INSERT INTO rating_rollup (dim, month, hall, key, total, satisfied, bad, l1, l2, l3, l4, l5) "
    "SELECT '{dim}', {month}, hall, {col}, count(*), sum(CASE WHEN level >= 3 THEN 1 ELSE 0 END), "
    "sum(CASE WHEN level <= 2 THEN 1 ELSE 0 END), " + ", ".join(
        f"sum(CASE WHEN level = {lv} THEN 1 ELSE 0 END)" for lv in range(1, 6)) +
    " FROM ratings GROUP BY 2, 3, 4")


def fill(db: Database, n_ratings: int, n_events: int, seed: int = 15) -> dict:
    """Ratings (with their cases) and usage counts for 700 days up to 2026-11-30."""
    rnd = random.Random(seed)
    guides = [(f"330382-B{i:04d}", f"部门{i % 40:02d}") for i in range(800)]
    days = 700
    first = dt.date(2026, 11, 30) - dt.timedelta(days=days - 1)
    day0 = dt.datetime(first.year, first.month, first.day, tzinfo=CHINA)
    months = _day_table(first, days)
    out = {}
    t0 = time.perf_counter()
    dialect = db.engine.dialect.name
    with db.engine.begin() as conn:
        rows, cases = [], []
        for rid in range(1, n_ratings + 1):
            day, second = rnd.randrange(days), rnd.randrange(8 * 3600, 18 * 3600)
            code, dept = rnd.choice(guides)
            level, channel, hall = rnd.choice(LEVELS), rnd.choice(CHANNELS), rnd.choice(HALLS)
            created = _stamp(day0, day, second) if dialect == "sqlite" else day0 + dt.timedelta(days=day, seconds=second)
            rows.append((rid, code, 1, level, "slow" if level <= 2 else "", channel, "", created, hall, dept, False))
            if level <= 2:
                # older 差评 were followed up and closed long ago; the last weeks' are open
                recent = days - day <= 30
                state = rnd.choice(("verify", "rectify", "rectified", "appeal") if recent else
                                   ("rectified", "called_back", "called_back", "revoked"))
                due = first + dt.timedelta(days=day + 1)
                closed = None if recent else created
                cases.append((rid, hall, code, dept, channel, level, state, False, created, due,
                              due + dt.timedelta(days=21), None, "", closed, created))
            if len(rows) >= BATCH:   # ratings first: a case refers to its rating
                _bulk(conn, "INSERT INTO ratings (id, guide_code, release_number, level, reasons, channel, client, "
                            "created, hall, department, revoked) VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
                rows = []
            if cases and not rows:
                _bulk(conn, "INSERT INTO rating_cases (rating_id, hall, guide_code, department, channel, level, state, "
                            "named, opened_at, verify_due, rectify_due, callback_due, rectification, closed_at, "
                            "updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", cases)
                cases = []
        if rows:
            _bulk(conn, "INSERT INTO ratings (id, guide_code, release_number, level, reasons, channel, client, "
                        "created, hall, department, revoked) VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
        if cases:
            _bulk(conn, "INSERT INTO rating_cases (rating_id, hall, guide_code, department, channel, level, state, "
                        "named, opened_at, verify_due, rectify_due, callback_due, rectification, closed_at, "
                        "updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", cases)
        month = ("strftime('%Y-%m', datetime(created, '+8 hours'))" if dialect == "sqlite"
                 else "to_char(created AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM')")
        for dim, col in (("guide", "guide_code"), ("department", "department"), ("channel", "channel")):
            conn.exec_driver_sql(ROLLUP_SQL.format(dim=dim, month=month, col=col))
        out["rollup_rows"] = conn.exec_driver_sql("SELECT count(*) FROM rating_rollup").scalar_one()
    out["ratings_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    counts: Counter = Counter()
    words = [f"查询词{i}" for i in range(3000)]
    posters = [(f"poster-{i:03d}", rnd.choice(guides)[0]) for i in range(300)]   # a poster shows one guide
    codes = [g[0] for g in guides]
    for _ in range(n_events):
        m, hall, r = months[rnd.randrange(days)], rnd.choice(HALLS), rnd.random()
        if r < 0.45:
            k = ("view", m, "phone", hall, rnd.choice(codes), "", -1)
        elif r < 0.6:
            tag, code = rnd.choice(posters)
            k = ("scan", m, "poster", hall, code, tag, -1)
        elif r < 0.75:
            k = ("print", m, "kiosk", hall, rnd.choice(codes), "", -1)
        elif r < 0.9:
            k = ("ticket", m, "kiosk", hall, rnd.choice("ABCDEF"), "", rnd.randrange(8, 18))
        else:
            word = words[min(int(rnd.paretovariate(1.1)) - 1, len(words) - 1)]   # a few words most of the time
            k = ("nohit", m, rnd.choice(("kiosk", "phone")), hall, word, "", -1)
        counts[k] += 1
    with db.engine.begin() as conn:
        items = [(*k, n) for k, n in counts.items()]
        for i in range(0, len(items), BATCH):
            _bulk(conn, "INSERT INTO usage_counts (kind, month, channel, hall, subject, src, hour, n) "
                        "VALUES (?,?,?,?,?,?,?,?)", items[i:i + BATCH])
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
    ap.add_argument("--postgres", action="store_true",
                    help="run on a throwaway PostgreSQL cluster (scripts/pgcluster.py), deleted afterwards")
    ap.add_argument("--ratings", type=int, default=1_000_000)
    ap.add_argument("--events", type=int, default=5_000_000)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-stats-"))
    tmp.chmod(0o711)   # the PostgreSQL server account must be able to pass through to its cluster folder
    url = args.url or f"sqlite:///{tmp / 'ratings.sqlite3'}"
    cluster = None
    if args.postgres:
        import importlib.util
        spec = importlib.util.spec_from_file_location("pgcluster", Path(__file__).resolve().parents[1] / "scripts" / "pgcluster.py")
        pgcluster = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(pgcluster)
        cluster = pgcluster.Cluster(tmp / "pg", durable=False)
        cluster.start()
        cluster.create_database("bench")
        url = cluster.url("bench")
    try:
        run(url, args, tmp)
    finally:
        if cluster is not None:
            cluster.stop()
            cluster.destroy()


def run(url: str, args, tmp: Path) -> None:
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
