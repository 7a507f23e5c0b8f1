"""The province run of bench/bench_fleet.py: N kiosks polling once a minute, in real time, against
two gunicorn instances on one PostgreSQL database behind nginx (round-robin), side by side in the
same run with one gunicorn instance on SQLite.

    .venv/bin/python bench/bench_fleet.py --kiosks 10000 --instances 2 [--minutes 2] [--sample 20]

For each of the two set-ups, in a temporary folder removed at the end:

1. An instance folder with the content published; `--kiosks` kiosks enrolled in that set-up's
   database through FleetService (a one-time code, then the code redeemed for a device token, as
   `guide-server kiosks enroll` and `kiosk provision` do), split over two processes.
2. `--sample` of those kiosks are real kiosk instance folders: they do their first full sync with
   kiosk/fleet/sync.py (DeviceClient, requests). Every other kiosk then holds what such a kiosk
   holds after its first sync: the release number and the manifest ETag (read from the sample
   kiosk's sync-state.json).
3. Once a minute per kiosk, at its own random offset within the minute, for `--minutes` minutes:
   a raw HTTP/1.1 GET whose request bytes are those DeviceClient.manifest sends (checked at the
   start against a request captured from DeviceClient itself): ``?base=<release>``, the kiosk's
   own bearer token, If-None-Match with the ETag as received. Client threads in two processes
   keep to the schedule; each measures the time from sending the request to the end of the
   answer, and how late it started against the schedule. Every answer must be a 304.
4. One guide changes (the guide of median canonical size); each sample kiosk catches up with the
   real sync_once through a byte-counting TCP relay; bytes received vs that guide's size.

The set-ups: "SQLite x1" is one `guide-server serve` (gunicorn, `--workers` sync workers) on
SQLite, polled directly as in the default run; "PostgreSQL x2" is two `guide-server serve` on
one throwaway PostgreSQL cluster (tests/support/postgres.py) and one shared instance folder,
`--workers` split between them, behind nginx (guide_server.nginx.local_config, round-robin),
polled through nginx.
"""
from __future__ import annotations

import multiprocessing
import random
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

from bench.bench_fleet import (MANIFEST, POLL_TARGET, CATCH_UP_TARGET, CountingRelay, RawHttp, _Closed,
                               link_kiosk, percentile)

ENROLL_PROCESSES = 2
THREADS = 32          # client threads per polling process (most of the time asleep until a poll is due)
PROCESSES = 2         # polling processes


# -- enrolment ------------------------------------------------------------------------------------

def _enroll_chunk(args) -> list[str]:
    url, start, stop = args
    from guide_server.db import Database
    from guide_server.fleet.service import FleetService

    db = Database(url)
    service = FleetService(db)
    tokens = []
    try:
        for i in range(start, stop):
            code, _ = service.enroll(f"测试大厅 {i // 20:03d}", f"bench-{i:05d}")
            _kiosk, token = service.redeem(code, {"bench": True})
            tokens.append(token)
    finally:
        db.engine.dispose()
    return tokens


def enroll(url: str, kiosks: int) -> tuple[list[str], float]:
    """(device tokens, seconds): `kiosks` kiosks enrolled through FleetService.enroll + redeem,
    chunks of 250 spread over ENROLL_PROCESSES processes (each with its own engine)."""
    from guide_server.db import Database

    db = Database(url)
    db.ready()            # migrate once (SQLite) before the workers start
    db.engine.dispose()
    chunks = [(url, a, min(kiosks, a + 250)) for a in range(0, kiosks, 250)]
    t0 = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(ENROLL_PROCESSES) as pool:
        tokens = [t for part in pool.map(_enroll_chunk, chunks) for t in part]
    return tokens, time.perf_counter() - t0


# -- the request a real kiosk sends ---------------------------------------------------------------

def captured_kiosk_request(token: str, etag: str, base: int) -> tuple[bytes, int]:
    """(request bytes, port): what kiosk.fleet.device_client.DeviceClient.manifest(etag, base)
    puts on the wire, caught by a one-shot listener that answers 304."""
    from kiosk.fleet.device_client import DeviceClient

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    got: list[bytes] = []

    def serve():
        conn, _ = listener.accept()
        buf = b""
        while b"\r\n\r\n" not in buf:
            buf += conn.recv(65536)
        got.append(buf)
        conn.sendall(b"HTTP/1.1 304 Not Modified\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        conn.close()

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    client = DeviceClient(f"http://127.0.0.1:{port}", token)
    status, _tag, _body = client.manifest(etag, base=base)
    client.close()
    t.join(5)
    listener.close()
    assert status == 304
    return got[0], port


# -- the scheduled polls --------------------------------------------------------------------------

def _poll_worker(port: int, path: str, schedule: list[tuple[float, str]], etag: str, start_at: float,
                 out: dict, lock: threading.Lock) -> None:
    http = RawHttp(port)
    lat: list[float] = []
    late: list[float] = []
    done: list[float] = []   # seconds after the start at which each answer ended
    received = sent = errors = other = cookies = 0
    sample = b""
    last = start_at
    for due, token in schedule:
        wait = start_at + due - time.time()
        if wait > 0:
            time.sleep(wait)
        started = time.time()
        t0 = time.perf_counter()
        try:
            status, hdrs, _body, got, put, head = http.get(path, {"Authorization": f"Bearer {token}",
                                                                  "If-None-Match": etag})
        except (OSError, _Closed, ValueError):
            errors += 1
            http.close()
            continue
        lat.append(time.perf_counter() - t0)
        late.append(max(0.0, started - (start_at + due)))
        last = time.time()
        done.append(last - start_at)
        if status != 304:
            other += 1
            continue
        received += got
        sent += put
        cookies += "set-cookie" in hdrs
        sample = sample or head
    http.close()
    with lock:
        out["lat"] += lat
        out["late"] += late
        out["done"] += done
        for k, v in (("received", received), ("sent", sent), ("errors", errors), ("other", other),
                     ("cookies", cookies), ("connections", http.connections)):
            out[k] += v
        out["last"] = max(out["last"], last)
        out["sample"] = out["sample"] or sample


def _poll_process(port: int, path: str, shares: list[list[tuple[float, str]]], etag: str, start_at: float,
                  conn) -> None:
    out = {"lat": [], "late": [], "done": [], "received": 0, "sent": 0, "errors": 0, "other": 0, "cookies": 0,
           "connections": 0, "last": start_at, "sample": b""}
    lock = threading.Lock()
    ts = [threading.Thread(target=_poll_worker, args=(port, path, s, etag, start_at, out, lock)) for s in shares]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    conn.send(out)
    conn.close()


def scheduled_polls(port: int, tokens: list[str], etag: str, base: int, minutes: float, seed: int = 7) -> dict:
    """Every kiosk polls once a minute at its own random offset, for `minutes` minutes."""
    rng = random.Random(seed)
    offsets = [rng.uniform(0, 60) for _ in tokens]
    rounds = max(1, round(minutes))
    entries = sorted((off + 60 * r, tok) for r in range(rounds) for off, tok in zip(offsets, tokens))
    workers = PROCESSES * THREADS
    per_worker = [entries[w::workers] for w in range(workers)]
    path = f"{MANIFEST}?base={base}"
    ctx = multiprocessing.get_context("fork")
    start_at = time.time() + 2.0
    procs = []
    for p in range(PROCESSES):
        parent, child = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_poll_process,
                           args=(port, path, per_worker[p * THREADS:(p + 1) * THREADS], etag, start_at, child))
        proc.start()
        child.close()
        procs.append((proc, parent))
    results = []
    try:
        for proc, conn in procs:
            if conn.poll(rounds * 60 + 300):
                results.append(conn.recv())
            proc.join(10)
    finally:
        for proc, _conn in procs:
            if proc.is_alive():
                proc.terminate()
                proc.join(5)
    if len(results) != PROCESSES:
        raise SystemExit("a polling process did not report back")
    merged = {k: sum(r[k] for r in results) for k in ("received", "sent", "errors", "other", "cookies",
                                                       "connections")}
    merged["lat"] = sorted(x for r in results for x in r["lat"])
    merged["late"] = sorted(x for r in results for x in r["late"])
    merged["seconds"] = rounds * 60.0
    merged["in_window"] = sum(1 for r in results for x in r["done"] if x <= rounds * 60.0)
    merged["scheduled"] = len(entries)
    merged["window"] = max(r["last"] for r in results) - start_at
    merged["needed_rate"] = len(tokens) / 60.0
    merged["sample"] = next((r["sample"] for r in results if r["sample"]), b"")
    return merged


# -- the sample of real kiosks --------------------------------------------------------------------

def first_syncs(url: str, server_instance: Path, root: Path, tokens: list[str]) -> list[tuple[Path, str, str]]:
    """Each sample kiosk's first (full) sync with kiosk/fleet/sync.py; [(instance, token, public key)]."""
    from kiosk.fleet.device_client import DeviceClient
    from kiosk.fleet.sync import sync_once

    kiosks = []
    for i, token in enumerate(tokens):
        folder = root / f"kiosk-{i:03d}"
        settings = link_kiosk(folder, server_instance, url, token, f"测试大厅 {i // 20:03d}")
        client = DeviceClient(url, token)
        result = sync_once(folder, client, settings.public_key)
        client.close()
        if not (result.ok and result.changed):
            raise SystemExit(f"sample kiosk {i}'s first sync failed: {result.message}")
        kiosks.append((folder, token, settings.public_key))
    return kiosks


def sample_catch_up(store, content, server_instance: Path, upstream_port: int,
                    kiosks: list[tuple[Path, str, str]]) -> dict:
    """Publish a release in which the median-size guide changed; each sample kiosk catches up with
    sync_once through a byte-counting relay, then syncs once more (a 304)."""
    from guides.release import ReleaseStore, canonical_json
    from guides.sync_format import ReleaseParts
    from kiosk.fleet.device_client import DeviceClient
    from kiosk.fleet.sync import sync_once

    sizes = sorted((len(canonical_json(g.model_dump(mode="json"))), code) for code, g in content.guides.items())
    code = sizes[len(sizes) // 2][1]
    guides = dict(content.guides)
    g = guides[code]
    guides[code] = g.model_copy(update={"name": g.name + "（修订）"})
    release, _created = store.publish(content.__class__(site=content.site, categories=content.categories,
                                                        guides=guides))
    canonical = len(ReleaseParts.read(ReleaseStore(server_instance), release.number).guides[code])
    relay = CountingRelay(upstream_port)
    down, after, seconds = [], [], []
    try:
        for folder, token, public_key in kiosks:
            relay.reset()
            client = DeviceClient(relay.url, token)
            t0 = time.perf_counter()
            result = sync_once(folder, client, public_key)
            seconds.append(time.perf_counter() - t0)
            client.close()
            if not (result.ok and result.changed and result.downloaded == [code] and result.delta_base):
                raise SystemExit(f"a sample kiosk's one-guide sync did not do what was expected: {result}")
            if ReleaseStore(folder).current().hash != release.hash:
                raise SystemExit("after the sync a sample kiosk's release differs from the server's")
            time.sleep(0.05)  # let the relay's threads see the connection close
            down.append(relay.down)
            relay.reset()
            client = DeviceClient(relay.url, token)
            again = sync_once(folder, client, public_key)
            client.close()
            if not again.ok or again.changed or again.bytes:
                raise SystemExit(f"the sync after catching up was not a 304: {again}")
            time.sleep(0.05)
            after.append(relay.down)
    finally:
        relay.stop()
    return {"code": code, "canonical": canonical, "down": sorted(down), "after": sorted(after),
            "seconds": sorted(seconds)}


# -- one set-up -----------------------------------------------------------------------------------

class Setup:
    """One of the two set-ups: its instance folder, database, server process(es), and the port polled."""

    def __init__(self, label: str, root: Path, content_dir: Path, workers: int, database_url: str | None,
                 instances: int):
        from guide_server.db import default_url
        from guides.loader import load_content
        from guides.release import ReleaseStore

        self.label = label
        self.root = root
        self.instance = root / "server"
        self.content = load_content(content_dir)
        self.store = ReleaseStore(self.instance)
        self.store.publish(self.content)
        self.url_db = database_url or default_url(self.instance.resolve())
        self.database_url = database_url
        self.instances = instances
        self.workers = workers
        self.servers: list = []
        self.nginx: subprocess.Popen | None = None
        self.port = 0

    def start(self) -> None:
        from tests.kiosk.fleet.conftest import ServerProcess, free_port

        per = max(1, self.workers // self.instances)
        for _ in range(self.instances):
            self.servers.append(ServerProcess(self.instance, workers=per, database_url=self.database_url))
        if self.instances == 1:
            self.port = self.servers[0].port
            return
        from guide_server.nginx import local_config

        self.port = free_port()
        (self.root / "site").mkdir(exist_ok=True)
        conf = local_config(self.root / "nginx", self.root / "site", self.port, [s.port for s in self.servers],
                            workers=1)
        self.nginx = subprocess.Popen(["nginx", "-c", str(conf), "-e", str(self.root / "nginx" / "error.log")],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise SystemExit("nginx did not start")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.nginx is not None:
            self.nginx.terminate()
            self.nginx.wait(20)
        for s in self.servers:
            s.stop()


def run_setup(setup: Setup, kiosks: int, minutes: float, sample: int) -> dict:
    from kiosk.fleet.sync import read_state

    print(f"[{setup.label}] enrolling {kiosks} kiosks ...", flush=True)
    tokens, enroll_s = enroll(setup.url_db, kiosks)
    print(f"[{setup.label}]   {len(tokens)} kiosks in {enroll_s:.1f} s "
          f"(FleetService enroll + redeem, {ENROLL_PROCESSES} processes)", flush=True)
    setup.start()
    where = (f"{setup.instances} x guide-server serve ({setup.workers // setup.instances} workers each) "
             f"behind nginx on {setup.url}" if setup.instances > 1 else
             f"guide-server serve ({setup.workers} workers) on {setup.url}")
    print(f"[{setup.label}]   {where}", flush=True)
    kiosks_ = first_syncs(setup.url, setup.instance, setup.root / "kiosks", tokens[:sample])
    state = read_state(kiosks_[0][0])
    etag, base = state["etag"], state["etag_release"]
    mine, _port = captured_kiosk_request(tokens[sample], etag, base)
    ours = RawHttp(_port).request_bytes(f"{MANIFEST}?base={base}", {"Authorization": f"Bearer {tokens[sample]}",
                                                                     "If-None-Match": etag})
    if mine != ours:
        raise SystemExit(f"the poll's request differs from DeviceClient's:\n{mine!r}\n{ours!r}")
    print(f"[{setup.label}]   {sample} sample kiosks synced (R{base}, ETag {etag}); the poll's request is "
          f"byte-identical to DeviceClient.manifest's ({len(mine)} B)", flush=True)
    print(f"[{setup.label}] polling: {kiosks} kiosks once a minute for {minutes:g} min "
          f"({PROCESSES} processes x {THREADS} threads) ...", flush=True)
    polls = scheduled_polls(setup.port, tokens[sample:] + tokens[:sample], etag, base, minutes)
    n = len(polls["lat"]) - polls["other"]
    print(f"[{setup.label}]   {n} of {polls['scheduled']} polls answered 304, {polls['other']} other answers, "
          f"{polls['errors']} errors, {polls['connections']} TCP connections, {polls['cookies']} with Set-Cookie",
          flush=True)
    print(f"[{setup.label}]   a 304 as received:")
    for line in polls["sample"].decode("latin-1").split("\r\n"):
        print(f"    | {line}")
    catch = sample_catch_up(setup.store, setup.content, setup.instance, setup.port, kiosks_)
    print(f"[{setup.label}]   one-guide change ({catch['code']}, {catch['canonical']} B): {len(catch['down'])} "
          f"sample kiosks caught up with {catch['down'][0]}–{catch['down'][-1]} B each", flush=True)
    return {"polls": polls, "catch": catch, "enroll_s": enroll_s, "n304": n}


def province(args) -> int:
    """The two set-ups, one after the other, then the side-by-side table. Exit 1 when a target is missed."""
    import os
    import tempfile

    from tests.support.postgres import migrated_template, postgres_server

    for tool in ("nginx",):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is missing: run scripts/setup (scripts/apt-packages.txt)")
    if args.kiosks <= args.sample:
        raise SystemExit("--kiosks must be larger than --sample")
    started = time.perf_counter()
    load_before = os.getloadavg()
    tmp = Path(tempfile.mkdtemp(prefix="bench-fleet-province-"))
    setups: list[Setup] = []
    results = {}
    pg = None
    try:
        print(f"province run: {args.kiosks} kiosks, content {args.content}, {tmp}; load average "
              f"{load_before[0]:.1f} / {load_before[1]:.1f} / {load_before[2]:.1f}", flush=True)
        pg = postgres_server()
        url = pg.create_database(template=migrated_template(pg))
        print(f"PostgreSQL: throwaway cluster {pg.root} (tests/support/postgres.py), database migrated", flush=True)
        setups = [Setup("SQLite x1", tmp / "sqlite", args.content, args.workers, None, 1),
                  Setup(f"PostgreSQL x{args.instances}", tmp / "pg", args.content, args.workers, url, args.instances)]
        for s in setups:
            try:
                results[s.label] = run_setup(s, args.kiosks, args.minutes, args.sample)
            finally:
                s.stop()
        load_after = os.getloadavg()
        return _table(args, setups, results, load_before, load_after, time.perf_counter() - started)
    finally:
        for s in setups:
            try:
                s.stop()
            except Exception:  # already stopped
                pass
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def _table(args, setups, results, load_before, load_after, elapsed) -> int:
    a, b = (results[s.label] for s in setups)
    rows = []
    ok_all = True

    def line(name, va, vb, fmt, target=None, check=None, ratio=True):
        nonlocal ok_all
        r = f"{vb / va:.2f}" if ratio and va else "-"
        mark = ""
        if check is not None:
            good = check(va) and check(vb)
            ok_all &= good
            mark = "yes" if good else "NO"
        rows.append((name, fmt(va), fmt(vb), r, target or "-", mark))

    def stats(res):
        p = res["polls"]
        n = res["n304"]
        return {
            "rate": p["in_window"] / p["seconds"],
            "late1s": sum(1 for x in p["late"] if x > 1.0) / max(1, len(p["late"])) * 100,
            "late50": percentile(p["late"], 0.5) * 1000,
            "p50": percentile(p["lat"], 0.5) * 1000, "p99": percentile(p["lat"], 0.99) * 1000,
            "max": (p["lat"][-1] if p["lat"] else 0) * 1000,
            "late99": percentile(p["late"], 0.99) * 1000,
            "bytes": p["received"] / max(n, 1), "req": p["sent"] / max(n, 1),
            "errors": p["errors"] + p["other"],
            "catch_med": percentile(res["catch"]["down"], 0.5) / res["catch"]["canonical"],
            "catch_max": res["catch"]["down"][-1] / res["catch"]["canonical"],
            "after": res["catch"]["after"][-1], "enroll": res["enroll_s"],
        }

    sa, sb = stats(a), stats(b)
    need = args.kiosks / 60.0
    line("polls/s answered within the schedule's minutes", sa["rate"], sb["rate"], lambda v: f"{v:.1f}",
         f">= {need:.0f}", lambda v: v >= need * 0.97)
    line("poll latency p50", sa["p50"], sb["p50"], lambda v: f"{v:.1f} ms")
    line("poll latency p99", sa["p99"], sb["p99"], lambda v: f"{v:.1f} ms")
    line("poll latency max", sa["max"], sb["max"], lambda v: f"{v:.0f} ms")
    line("poll sent late vs its schedule, p50", sa["late50"], sb["late50"], lambda v: f"{v:.1f} ms")
    line("poll sent late vs its schedule, p99", sa["late99"], sb["late99"], lambda v: f"{v:.0f} ms")
    line("polls sent more than 1 s late", sa["late1s"], sb["late1s"], lambda v: f"{v:.1f} %")
    line("bytes per unchanged poll (response)", sa["bytes"], sb["bytes"], lambda v: f"{v:.0f} B",
         f"<= {POLL_TARGET} B", lambda v: v <= POLL_TARGET)
    line("  request bytes per poll", sa["req"], sb["req"], lambda v: f"{v:.0f} B")
    line("errors and non-304 answers", sa["errors"], sb["errors"], lambda v: f"{v}", "0",
         lambda v: v == 0, ratio=False)
    ca, cb = a["catch"], b["catch"]
    line(f"catch-up / guide size, median of {len(ca['down'])} kiosks", sa["catch_med"], sb["catch_med"],
         lambda v: f"{v:.2f}x", f"<= {CATCH_UP_TARGET:.0f}x", lambda v: v <= CATCH_UP_TARGET)
    line("catch-up / guide size, worst kiosk", sa["catch_max"], sb["catch_max"], lambda v: f"{v:.2f}x",
         f"<= {CATCH_UP_TARGET:.0f}x", lambda v: v <= CATCH_UP_TARGET)
    line("  next sync after catching up (a 304)", sa["after"], sb["after"], lambda v: f"{v} B")
    line(f"enrolling {args.kiosks} kiosks", sa["enroll"], sb["enroll"], lambda v: f"{v:.1f} s")
    wn = max(len(r[0]) for r in rows)
    la, lb = (s.label for s in setups)
    print()
    print(f"{'measure':<{wn}}  {la:>12}  {lb:>14}  {'ratio':>6}  {'target':>9}  ok")
    print("-" * (wn + 58))
    for name, va, vb, r, target, mark in rows:
        print(f"{name:<{wn}}  {va:>12}  {vb:>14}  {r:>6}  {target:>9}  {mark}")
    print(f"\nguide changed: {ca['code']} ({ca['canonical']} B) / {cb['code']} ({cb['canonical']} B); "
          f"catch-up bytes per kiosk {ca['down'][0]}–{ca['down'][-1]} / {cb['down'][0]}–{cb['down'][-1]} B")
    print(f"{args.kiosks} kiosks once a minute for {args.minutes:g} min; {args.workers} gunicorn workers in all "
          f"per set-up; load average before {load_before[0]:.1f}, after {load_after[0]:.1f} "
          f"(1 min); whole run {elapsed:.0f} s")
    if not ok_all:
        print("targets missed: see the rows marked NO")
        return 1
    return 0
