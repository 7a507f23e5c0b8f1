"""Benchmark: the phone guide page through the project's gunicorn on SQLite and on PostgreSQL vs a
hello-world Flask app under the same gunicorn settings vs nginx serving the exported file, plus a
情形 path page (/g/<code>?<question>=<option>…). One wrk run each, all in one run.

    .venv/bin/python bench/bench_server.py [--duration 10] [--connections 32] [--workers N]
                                           [--posters 1000] [--rounds 3] [--no-postgres]

The PostgreSQL app is `guide-server serve` with DATABASE_URL on a throwaway cluster
(tests/support/postgres.py: initdb/pg_ctl, unix socket only, deleted at exit).
Prints req/s and p99 latency of each, and the ratios to hello-world. Targets (issue 3): dynamic page
>= 0.8 x hello-world, p99 <= 25 ms at 32 connections; nginx is the physical limit.
With --posters N it also times `guide-server posters` for N guides (target: 1,000 in <= 60 s).
Everything runs on 127.0.0.1 and stops by itself.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def hello_factory():
    from flask import Flask

    app = Flask("hello")

    @app.get("/")
    def hello():
        return "Hello, World!"

    return app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(url: str, proc: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server for {url} exited with {proc.returncode}")
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not come up")


def sample_content(tmp: Path) -> Path:
    """The sample content, which must pass the checker as it is."""
    return ROOT / "content"


def wrk(url: str, duration: int, connections: int, threads: int = 2) -> tuple[float, float]:
    """(requests per second, p99 latency in ms)."""
    out = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration}s", "--latency", url],
                         capture_output=True, text=True, timeout=duration + 60).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    value, unit = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
    p99 = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        print(f"  warning: {errors.group(1)} non-2xx responses from {url}", file=sys.stderr)
    return rps, p99


def run_hello(port: int, workers: int) -> None:
    from guide_server.gunicorn_app import options, run

    run(hello_factory, options("127.0.0.1", port, workers))


def bench_posters(instance: Path, count: int, out: Path) -> float:
    from guides.release import ReleaseStore
    from guide_server.posters.pdf import poster_data, write_posters

    rel = ReleaseStore(instance).current()
    base = [poster_data(rel, g) for g in rel.guides.values()]
    items = [replace(base[i % len(base)], code=f"BENCH-{i:05d}", name=f"{base[i % len(base)].name}（第 {i} 号）")
             for i in range(count)]
    t = time.perf_counter()
    write_posters(items, out)
    return time.perf_counter() - t


def path_page(app, client, codes: list[str]) -> str | None:
    """`/g/<code>?<question>=<option>…` of the longest 情形 answer path among the guides with
    questions (the page a phone shows after the questions are answered), or None."""
    from guides.cases import all_paths, path_query

    release = app.extensions["releases"].get().release
    best = None
    for code in codes:
        g = release.guides[code]
        if not getattr(g, "questions", None):
            continue
        for answers in all_paths(g):
            if best is None or len(answers) > best[0]:
                best = (len(answers), f"/g/{code}?{path_query(g, answers)}")
    if best is None:
        return None
    assert client.get(best[1]).status_code == 200, best[1]
    return best[1]


def start_postgres():
    """(server, database URL): a migrated database in a throwaway cluster (tests/support/postgres.py)."""
    from tests.support.postgres import migrated_template, postgres_server

    server = postgres_server()
    return server, server.create_database(template=migrated_template(server))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--workers", type=int, default=None, help="gunicorn workers for every app")
    ap.add_argument("--code", default=None, help="guide to fetch (default: the largest page)")
    ap.add_argument("--posters", type=int, default=0, help="also time this many posters")
    ap.add_argument("--rounds", type=int, default=1, help="runs of every target, alternated; medians shown")
    ap.add_argument("--no-postgres", action="store_true", help="leave out the app on PostgreSQL")
    ap.add_argument("--hello-app", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = ap.parse_args()
    from guide_server.gunicorn_app import default_workers

    workers = args.workers or default_workers()
    if args.hello_app:
        run_hello(args.hello_app, workers)
        return
    for tool in ("wrk", "nginx"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is missing: run scripts/setup (scripts/apt-packages.txt)")

    from guides.loader import load_content
    from guides.release import ReleaseStore
    from guide_server import create_app
    from guide_server.export import export_site
    from guide_server.nginx import local_config

    procs: list[subprocess.Popen] = []
    tmp = Path(tempfile.mkdtemp(prefix="bench-server-"))
    load_before = os.getloadavg()
    try:
        instance = tmp / "instance"
        ReleaseStore(instance).publish(load_content(sample_content(tmp)))
        app = create_app({"INSTANCE_DIR": str(instance)})
        export_site(app, tmp / "site")
        client = app.test_client()
        codes = list(app.extensions["releases"].get().release.guides)
        code = args.code or max(codes, key=lambda c: len(client.get(f"/g/{c}").data))
        size = len(client.get(f"/g/{code}").data)
        path = path_page(app, client, codes)
        app.extensions["usage"].flush()  # the views just counted (SQLite in the instance folder, now migrated)

        logs = open(tmp / "servers.log", "wb")
        guide_port, hello_port, nginx_port, pg_port = free_port(), free_port(), free_port(), free_port()
        serve = [sys.executable, "-m", "guide_server", "serve", "--instance", str(instance), "--workers", str(workers)]
        procs.append(subprocess.Popen(serve + ["--port", str(guide_port)],
                                      stdout=logs, stderr=subprocess.STDOUT, cwd=ROOT))
        procs.append(subprocess.Popen([sys.executable, __file__, "--hello-app", str(hello_port),
                                       "--workers", str(workers)], stdout=logs, stderr=subprocess.STDOUT, cwd=ROOT))
        conf = local_config(tmp / "nginx", tmp / "site", nginx_port, guide_port, workers=2)
        procs.append(subprocess.Popen(["nginx", "-c", str(conf), "-e", str(tmp / "nginx" / "error.log")],
                                      stdout=logs, stderr=subprocess.STDOUT))
        targets = [
            ("gunicorn /g/<code>, SQLite", f"http://127.0.0.1:{guide_port}/g/{code}"),
            ("gunicorn hello-world Flask", f"http://127.0.0.1:{hello_port}/"),
            ("nginx exported file", f"http://127.0.0.1:{nginx_port}/g/{code}"),
        ]
        pg = None
        if not args.no_postgres:
            pg, pg_url = start_postgres()
            env = dict(os.environ, DATABASE_URL=pg_url)
            procs.append(subprocess.Popen(serve + ["--port", str(pg_port)], env=env,
                                          stdout=logs, stderr=subprocess.STDOUT, cwd=ROOT))
            targets.append(("gunicorn /g/<code>, PostgreSQL", f"http://127.0.0.1:{pg_port}/g/{code}"))
        for (_name, url), proc in zip(targets, procs):
            wait_up(url, proc)
        page = urllib.request.urlopen(targets[0][1]).read()
        for name, url in targets[2:]:
            assert urllib.request.urlopen(url).read() == page, name
        if path:
            targets.append(("gunicorn path page, SQLite", f"http://127.0.0.1:{guide_port}{path}"))
            if pg is not None:
                targets.append(("gunicorn path page, PostgreSQL", f"http://127.0.0.1:{pg_port}{path}"))
            exported = urllib.request.urlopen(f"http://127.0.0.1:{nginx_port}{path}").read()
            if exported == urllib.request.urlopen(targets[-1][1]).read():
                targets.append(("nginx path page", f"http://127.0.0.1:{nginx_port}{path}"))
            else:
                print(f"  (nginx answers {path} with another page than the app: the export has no path pages, "
                      "so that line is left out)")

        print(f"guide {code}: {size} bytes of HTML; path page {path}; {workers} gunicorn workers (sync) per app, "
              f"nginx 2 workers; wrk -t2 -c{args.connections} -d{args.duration}s x {args.rounds} rounds (medians); "
              f"{os.cpu_count()} cores; "
              f"load average {load_before[0]:.1f}")
        for _name, url in targets:
            wrk(url, 2, args.connections)  # warm up
        runs: dict[str, list[tuple[float, float]]] = {name: [] for name, _url in targets}
        for _round in range(args.rounds):  # alternated, so that the machine's other load hits all alike
            for name, url in targets:
                runs[name].append(wrk(url, args.duration, args.connections))
        results = {name: (statistics.median(r[0] for r in rs), statistics.median(r[1] for r in rs))
                   for name, rs in runs.items()}
        hello = results["gunicorn hello-world Flask"][0]
        print()
        print(f"  {'':34s} {'req/s':>8s}  {'p99':>10s}  {'/ hello':>7s}  req/s of each round")
        for name, (rps, p99) in results.items():
            each = " ".join(f"{r[0]:.0f}" for r in runs[name])
            print(f"  {name:34s} {rps:8.0f}  {p99:7.2f} ms  {rps / hello:7.2f}  {each}")
        dyn, dyn_p99 = results["gunicorn /g/<code>, SQLite"]
        print(f"  dynamic (SQLite) / hello-world = {dyn / hello:.2f}  (target >= 0.80); p99 {dyn_p99:.2f} ms "
              "(target <= 25 ms)")
        if pg is not None:
            pgr, pg_p99 = results["gunicorn /g/<code>, PostgreSQL"]
            print(f"  dynamic (PostgreSQL) / hello-world = {pgr / hello:.2f}; p99 {pg_p99:.2f} ms; "
                  f"PostgreSQL / SQLite = {pgr / dyn:.2f}")
        print(f"  nginx / dynamic (SQLite) = {results['nginx exported file'][0] / dyn:.1f}x  (the physical limit)")
        print(f"  load average after: {os.getloadavg()[0]:.1f}")
        if args.posters:
            seconds = bench_posters(instance, args.posters, tmp / "posters")
            print(f"  posters: {args.posters} A4 PDFs in {seconds:.1f} s  (target 1,000 in <= 60 s)")
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
