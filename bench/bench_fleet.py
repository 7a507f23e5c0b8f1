"""Benchmark: a simulated fleet of kiosks against the project's gunicorn server (issue 6, part 7).

    .venv/bin/python bench/bench_fleet.py [--kiosks 2000] [--workers N] [--clients 2] [--threads 2]
                                          [--seconds 20] [--events 10000] [--content DIR]
    .venv/bin/python bench/bench_fleet.py --kiosks 10000 --instances 2 [--minutes 2] [--sample 20]

The second form is the province run (bench/fleet_province.py): every kiosk polls once a minute
against two gunicorn instances on one PostgreSQL behind nginx, side by side with one instance on
SQLite. The first form, described below, measures one instance at full speed.

One run, everything on 127.0.0.1, in a temporary folder removed at the end:

1. A guide server instance with the sample content (or --content DIR) published, `--kiosks` kiosks enrolled
   through FleetService (enrollment code, then the code redeemed for a device token, as
   `guide-server kiosks enroll` and `kiosk provision` do), and `guide-server serve` (gunicorn).
2. Unchanged polls: a few client processes, each polling its share of the kiosks in turn
   with their own token and ETag (If-None-Match, sent back exactly as received), through a raw
   HTTP/1.1 socket client so the bytes on the wire are counted exactly: status line + headers +
   body as received. Prints polls/s, p50/p99 latency and bytes per poll (target <= 1 KB).
3. A one-guide change: a real kiosk instance syncs with kiosk/fleet/sync.py, the server publishes a
   release in which one guide changed, the kiosk syncs again through a byte-counting TCP relay:
   it polls with ``?base=<its release>`` and gets the manifest as a delta against its release
   (guides.sync_format), so what it downloads does not grow with the number of guides.
   Prints the bytes downloaded to catch up (delta manifest + that guide, headers included) vs
   that guide's canonical size (target <= 2x), and the bytes of the next, unchanged, sync
   (a 304 for the delta's ETag).
4. Outbox upload: 10,000 events in the kiosk's SQLite outbox, uploaded with kiosk/fleet/outbox.py's
   `upload` and the real DeviceClient; the server must then hold each exactly once. Prints events/s.

Timings are printed, never asserted (the machine is shared); the byte targets are checked and
the exit status is 1 when one is missed.
"""
from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import shutil
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("KIVY_NO_ARGS", "1")

POLL_TARGET = 1024          # bytes per unchanged poll, response as received
CATCH_UP_TARGET = 2.0       # bytes downloaded after a one-guide change / that guide's canonical size
MAX_ROUNDS = 100            # unchanged polls per kiosk, at most (the time limit usually ends it first)


# -- a raw HTTP/1.1 client: exact bytes on the wire ----------------------------------------------

def _kiosk_headers() -> dict[str, str]:
    """The headers a kiosk's DeviceClient sends besides Authorization and If-None-Match
    (requests' defaults: User-Agent, Accept-Encoding: gzip, deflate, Connection: keep-alive)."""
    import requests

    h = dict(requests.utils.default_headers())
    h["Accept"] = "application/json"
    return h


KIOSK_HEADERS = _kiosk_headers()


class RawHttp:
    """GET over one socket, kept alive when the server allows it; counts the bytes it receives."""

    def __init__(self, port: int, timeout: float = 10.0):
        self.port = port
        self.timeout = timeout
        self.sock: socket.socket | None = None
        self.connections = 0

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def _connect(self) -> None:
        self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.connections += 1

    def request_bytes(self, path: str, headers: dict[str, str]) -> bytes:
        """The GET request as sent: Host first, then the kiosk's headers, then `headers`."""
        lines = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}"]
        lines += [f"{k}: {v}" for k, v in {**KIOSK_HEADERS, **headers}.items()]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def get(self, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes, int, int, bytes]:
        """(status, headers (lower-case names), body, bytes received, bytes sent, raw head)."""
        request = self.request_bytes(path, headers)
        for attempt in (0, 1):
            reused = self.sock is not None
            if not reused:
                self._connect()
            try:
                self.sock.sendall(request)
                status, (raw_head, hdrs), body, received = self._read()
                return status, hdrs, body, received, len(request), raw_head
            except (ConnectionError, _Closed):
                self.close()
                if not reused or attempt:
                    raise
        raise AssertionError("unreachable")

    def _read(self):
        buf = b""
        while b"\r\n\r\n" not in buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise _Closed()
            buf += chunk
        raw_head, _, rest = buf.partition(b"\r\n\r\n")
        lines = raw_head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        hdrs: dict[str, str] = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            k = k.strip().lower()
            hdrs[k] = f"{hdrs[k]}, {v.strip()}" if k in hdrs else v.strip()
        length = 0 if status in (204, 304) else int(hdrs.get("content-length", "0"))
        while len(rest) < length:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise _Closed()
            rest += chunk
        body = rest[:length]
        received = len(raw_head) + 4 + len(body)
        if hdrs.get("connection", "").lower() == "close":
            self.close()
        return status, (raw_head, hdrs), body, received


class _Closed(Exception):
    pass


# -- the polling clients -------------------------------------------------------------------------

MANIFEST = "/api/v1/device/manifest"


def _poll_thread(port: int, kiosks: list[list], deadline: float, out: dict, lock: threading.Lock) -> None:
    """Poll every kiosk of `kiosks` ([token, etag]) in turn, round after round, until the deadline."""
    http = RawHttp(port)
    lat: list[float] = []
    received = sent = errors = cookies = other = 0
    sample = b""
    try:
        for _ in range(MAX_ROUNDS):
            for k in kiosks:
                if time.monotonic() >= deadline:
                    raise StopIteration
                t0 = time.perf_counter()
                try:
                    status, hdrs, _body, got, put, head = http.get(
                        MANIFEST, {"Authorization": f"Bearer {k[0]}", "If-None-Match": k[1]})
                except (OSError, _Closed, ValueError):
                    errors += 1
                    http.close()
                    continue
                dt_ = time.perf_counter() - t0
                if status != 304:
                    other += 1
                    continue
                lat.append(dt_)
                received += got
                sent += put
                cookies += "set-cookie" in hdrs
                sample = sample or head
    except StopIteration:
        pass
    finally:
        http.close()
    with lock:
        out["lat"] += lat
        out["received"] += received
        out["sent"] += sent
        out["errors"] += errors
        out["cookies"] += cookies
        out["other"] += other
        out["connections"] += http.connections
        out["sample"] = out["sample"] or sample


def _first_poll(port: int, kiosks: list[list], out: dict, lock: threading.Lock) -> None:
    """Each kiosk's first poll, without an ETag: the full signed manifest (200); learns the ETag."""
    http = RawHttp(port)
    received = full = 0
    try:
        for k in kiosks:
            status, hdrs, body, got, _put, _head = http.get(MANIFEST, {"Authorization": f"Bearer {k[0]}"})
            if status != 200:
                raise SystemExit(f"first manifest poll answered HTTP {status}: {body[:200]!r}")
            k[1] = hdrs["etag"]  # sent back exactly as received
            received += got
            full += 1
    finally:
        http.close()
    with lock:
        out["received"] += received
        out["full"] += full


def _client_process(port: int, tokens: list[str], threads: int, barrier, seconds: float, conn) -> None:
    kiosks = [[t, ""] for t in tokens]
    shares = [kiosks[i::threads] for i in range(threads)]
    lock = threading.Lock()
    first = {"received": 0, "full": 0}
    ts = [threading.Thread(target=_first_poll, args=(port, s, first, lock)) for s in shares]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    barrier.wait(120)  # all client processes start the measured phase together
    out = {"lat": [], "received": 0, "sent": 0, "errors": 0, "cookies": 0, "other": 0, "connections": 0,
           "sample": b""}
    deadline = time.monotonic() + seconds
    t0 = time.perf_counter()
    ts = [threading.Thread(target=_poll_thread, args=(port, s, deadline, out, lock)) for s in shares]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    out["elapsed"] = time.perf_counter() - t0
    out["first"] = first
    conn.send(out)
    conn.close()


def poll_fleet(port: int, tokens: list[str], clients: int, threads: int, seconds: float) -> dict:
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(clients)
    procs = []
    for i in range(clients):
        parent, child = ctx.Pipe(duplex=False)
        p = ctx.Process(target=_client_process, args=(port, tokens[i::clients], threads, barrier, seconds, child))
        p.start()
        child.close()
        procs.append((p, parent))
    results = []
    try:
        for p, conn in procs:
            if conn.poll(seconds + 240):
                results.append(conn.recv())
            p.join(10)
    finally:
        for p, _conn in procs:
            if p.is_alive():
                p.terminate()
                p.join(5)
    if len(results) != clients:
        raise SystemExit("a polling client did not report back")
    merged = {k: sum(r[k] for r in results) for k in ("received", "sent", "errors", "cookies", "other",
                                                       "connections")}
    merged["lat"] = sorted(x for r in results for x in r["lat"])
    merged["elapsed"] = max(r["elapsed"] for r in results)
    merged["first_received"] = sum(r["first"]["received"] for r in results)
    merged["first_full"] = sum(r["first"]["full"] for r in results)
    merged["sample"] = next((r["sample"] for r in results if r["sample"]), b"")
    return merged


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    i = min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))
    return sorted_values[i]


# -- a byte-counting TCP relay (for the real kiosk code, which speaks through requests) ---------------

class CountingRelay:
    """127.0.0.1 TCP relay in front of the server counting the bytes in each direction."""

    def __init__(self, upstream_port: int):
        self.upstream = upstream_port
        self.down = 0   # server -> kiosk
        self.up = 0     # kiosk -> server
        self.connections = 0
        self.per_connection: list[int] = []   # bytes server -> kiosk of each finished connection
        self._lock = threading.Lock()
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._stop = False
        self._threads: list[threading.Thread] = []
        self._accept = threading.Thread(target=self._serve, daemon=True)
        self._accept.start()

    def reset(self) -> None:
        with self._lock:
            self.down = self.up = self.connections = 0
            self.per_connection = []

    def _serve(self) -> None:
        while not self._stop:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.upstream), timeout=30)
            with self._lock:
                self.connections += 1
            for src, dst, attr in ((client, upstream, "up"), (upstream, client, "down")):
                t = threading.Thread(target=self._pump, args=(src, dst, attr), daemon=True)
                t.start()
                self._threads.append(t)

    def _pump(self, src: socket.socket, dst: socket.socket, attr: str) -> None:
        n = 0
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                n += len(data)
                with self._lock:
                    setattr(self, attr, getattr(self, attr) + len(data))
                dst.sendall(data)
        except OSError:
            pass
        finally:
            if attr == "down":
                with self._lock:
                    self.per_connection.append(n)
            for s in (dst, src):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def stop(self) -> None:
        self._stop = True
        self.listener.close()
        for t in self._threads:
            t.join(5)


# -- the run -------------------------------------------------------------------------------------------

def setup_server(tmp: Path, kiosks: int, content_dir: Path):
    """The server instance with the content of `content_dir` published and `kiosks` kiosks enrolled."""
    from guide_server.db import Database, default_url
    from guide_server.fleet.service import FleetService
    from guides.loader import load_content
    from guides.release import ReleaseStore

    instance = tmp / "server"
    content = load_content(content_dir)
    store = ReleaseStore(instance)
    store.publish(content)
    db = Database(default_url(instance.resolve()))
    db.ready()
    service = FleetService(db)
    t0 = time.perf_counter()
    tokens = []
    for i in range(kiosks):
        code, _ = service.enroll(f"测试大厅 {i // 20:03d}", f"bench-{i:04d}")
        _kiosk, token = service.redeem(code, {"bench": True})
        tokens.append(token)
    return instance, content, store, db, service, tokens, time.perf_counter() - t0


def link_kiosk(instance: Path, server_instance: Path, url: str, token: str, hall: str):
    from guides.signing import key_id, load_or_create_key, public_key_text
    from kiosk.fleet.settings import FleetSettings, save_settings, save_token

    pub = public_key_text(load_or_create_key(server_instance).public_key())
    settings = FleetSettings(server=url, name="bench-0000", hall=hall, tag="K1", public_key=pub,
                             key_id=key_id(pub))
    save_settings(instance, settings)
    save_token(instance, token)
    return settings


def catch_up(store, content, server_url: str, server_port: int, server_instance: Path, kiosk_instance: Path,
             token: str) -> list[dict]:
    """Sync a real kiosk, then for two guides (median and smallest canonical size) publish a release
    in which only that guide changed and measure what the kiosk downloads to catch up."""
    from guides.release import ReleaseStore, canonical_json
    from guides.sync_format import ReleaseParts
    from kiosk.fleet.device_client import DeviceClient
    from kiosk.fleet.sync import sync_once

    settings = link_kiosk(kiosk_instance, server_instance, server_url, token, "测试大厅 000")
    relay = CountingRelay(server_port)
    rows = []
    try:
        client = DeviceClient(relay.url, token)
        first = sync_once(kiosk_instance, client, settings.public_key)
        if not (first.ok and first.changed):
            raise SystemExit(f"the kiosk's first sync failed: {first.message}")
        full_down = relay.down
        relay.reset()
        unchanged = sync_once(kiosk_instance, client, settings.public_key)
        if not unchanged.ok or unchanged.changed:
            raise SystemExit(f"the kiosk's unchanged sync failed: {unchanged.message}")
        rows.append({"what": "kiosk sync, nothing changed", "down": relay.down, "up": relay.up,
                     "body": unchanged.bytes, "conns": relay.connections})
        sizes = sorted((len(canonical_json(g.model_dump(mode="json"))), code) for code, g in content.guides.items())
        picks = [("median", sizes[len(sizes) // 2][1]), ("smallest", sizes[0][1])]
        guides = dict(content.guides)
        for label, code in picks:
            g = guides[code]
            guides[code] = g.model_copy(update={"name": g.name + "（修订）"})
            release, _created = store.publish(content.__class__(site=content.site, categories=content.categories,
                                                                guides=guides))
            # exactly the bytes the server serves for that guide, whose SHA-256 is in the manifest
            canonical = len(ReleaseParts.read(ReleaseStore(server_instance), release.number).guides[code])
            relay.reset()
            t0 = time.perf_counter()
            result = sync_once(kiosk_instance, client, settings.public_key)
            elapsed = time.perf_counter() - t0
            if not (result.ok and result.changed and result.downloaded == [code] and result.delta_base):
                raise SystemExit(f"the one-guide sync did not do what was expected: {result}")
            mine = ReleaseStore(kiosk_instance).current()
            if mine.hash != release.hash:
                raise SystemExit("after the sync the kiosk's release differs from the server's")
            time.sleep(0.05)  # let the relay's threads see the last connection close
            rows.append({"what": f"one-guide change ({label} guide {code})", "down": relay.down, "up": relay.up,
                         "body": result.bytes, "canonical": canonical, "conns": relay.connections,
                         "per_response": list(relay.per_connection), "seconds": elapsed, "reused": result.reused,
                         "delta_base": f"R{result.delta_base}"})
            relay.reset()
            after = sync_once(kiosk_instance, client, settings.public_key)
            if not after.ok or after.changed or after.bytes:
                raise SystemExit(f"the sync after catching up was not a 304: {after}")
            time.sleep(0.05)
            rows.append({"what": f"kiosk sync right after catching up ({label})", "down": relay.down,
                         "up": relay.up, "body": after.bytes, "conns": relay.connections})
        client.close()
        rows.insert(0, {"what": "kiosk's first full sync", "down": full_down})
    finally:
        relay.stop()
    return rows


def outbox_upload(service, kiosk_instance: Path, url: str, token: str, events: int) -> dict:
    from kiosk.fleet.device_client import DeviceClient
    from kiosk.fleet.outbox import Outbox, upload

    box = Outbox.for_instance(kiosk_instance / "bench-outbox")
    codes = ["330382-GA-0001", "330382-RS-0002", "330382-BDC-0001", "330382-GJJ-0003"]
    base = dt.datetime.now().astimezone()
    # The backlog is written through Outbox.add, in one transaction (a kiosk writes them one by
    # one over days; 10,000 separate fsyncs here would only time this machine's disk).
    t0 = time.perf_counter()
    box.db.execute("BEGIN")
    for i in range(events):
        at = base - dt.timedelta(seconds=events - i)
        kind = ("rating", "print", "ticket", "fault")[i % 4]
        data = {"rating": {"subject": codes[i % 4], "level": 1 + i % 5},
                "print": {"code": codes[i % 4], "ok": True},
                "ticket": {"queue": "A", "number": f"A{i % 900 + 1:03d}", "source": "server"},
                "fault": {"device": "printer", "state": "near_end"}}[kind]
        box.add(kind, data, at=at)
    box.db.execute("COMMIT")
    fill = time.perf_counter() - t0
    before = service.event_count()
    client = DeviceClient(url, token)
    t0 = time.perf_counter()
    result = upload(box, client)
    elapsed = time.perf_counter() - t0
    client.close()
    stored = service.event_count() - before
    counts = box.counts()
    box.close()
    if not result.ok or result.remaining or stored != events or result.sent != events or counts["sent"] != events:
        raise SystemExit(f"outbox upload incomplete: {result}, server stored {stored}, outbox {counts}")
    return {"events": events, "seconds": elapsed, "batches": result.batches, "fill": fill, "stored": stored}


def main() -> int:
    from guide_server.gunicorn_app import default_workers
    from tests.kiosk.fleet.conftest import ServerProcess

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kiosks", type=int, default=2000)
    ap.add_argument("--workers", type=int, default=default_workers(), help="gunicorn workers")
    ap.add_argument("--clients", type=int, default=2, help="polling client processes")
    ap.add_argument("--threads", type=int, default=2, help="connections per client process")
    ap.add_argument("--seconds", type=float, default=20, help="length of the unchanged-poll phase")
    ap.add_argument("--events", type=int, default=10000)
    ap.add_argument("--content", type=Path, default=ROOT / "content",
                    help="content folder to publish (default: the sample content; a larger one can be "
                         "made with bench/generate_guides.py)")
    ap.add_argument("--poll-interval", type=float, default=300, help="a kiosk's poll interval in the field, "
                    "for the fleet's load line (kiosk.fleet.settings.FleetSettings.poll_seconds)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder (for the server log)")
    ap.add_argument("--instances", type=int, default=1, choices=(1, 2),
                    help="2: the province run (bench/fleet_province.py): every kiosk polls once a minute against "
                         "two gunicorn instances on one PostgreSQL behind nginx, side by side with one instance "
                         "on SQLite")
    ap.add_argument("--minutes", type=int, default=2, help="province run: minutes (rounds) of once-a-minute polls")
    ap.add_argument("--sample", type=int, default=20, help="province run: real kiosks that catch up")
    args = ap.parse_args()
    if args.instances == 2:
        if not (1 <= args.minutes <= 10 and 1 <= args.sample <= 200 and 2 <= args.kiosks <= 20000):
            ap.error("out of the bounds this benchmark is meant for")
        from bench.fleet_province import province

        return province(args)
    if not (1 <= args.clients <= 16 and 1 <= args.threads <= 16 and 1 <= args.seconds <= 120
            and 2 <= args.kiosks <= 20000 and 1 <= args.events <= 100000):
        ap.error("out of the bounds this benchmark is meant for")

    started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="bench-fleet-"))
    server = db = None
    try:
        print(f"setting up: {args.kiosks} kiosks, content {args.content}, {tmp}", flush=True)
        instance, content, store, db, service, tokens, enroll_s = setup_server(tmp, args.kiosks, args.content)
        print(f"  published R{store.current_number()}: {len(content.guides)} guides", flush=True)
        print(f"  enrolled {len(tokens)} kiosks in {enroll_s:.1f} s (code + redeem, in-process FleetService)",
              flush=True)
        server = ServerProcess(instance, workers=args.workers)
        print(f"  guide-server serve (gunicorn, {args.workers} sync workers) on {server.url}", flush=True)

        print(f"polling: {args.clients} processes x {args.threads} connections, {args.seconds:.0f} s", flush=True)
        polls = poll_fleet(server.port, tokens, args.clients, args.threads, args.seconds)
        n = len(polls["lat"])
        if n == 0:
            raise SystemExit(f"no unchanged poll succeeded (errors {polls['errors']}, other {polls['other']})")
        per_poll = polls["received"] / n
        print(f"  {polls['first_full']} first polls (full manifest, 200): "
              f"{polls['first_received'] / max(1, polls['first_full']):.0f} B each")
        print(f"  {n} unchanged polls (304) in {polls['elapsed']:.1f} s, {polls['errors']} errors, "
              f"{polls['other']} other answers, {polls['connections']} TCP connections, "
              f"{polls['cookies']} with Set-Cookie")
        print("  a 304 as received:")
        for line in polls["sample"].decode("latin-1").split("\r\n"):
            print(f"    | {line}")

        print("catching up after a one-guide change (kiosk/fleet/sync.py through a byte-counting relay)", flush=True)
        kiosk_instance = tmp / "kiosk"
        sync_rows = catch_up(store, content, server.url, server.port, instance, kiosk_instance, tokens[0])
        for r in sync_rows:
            extra = "".join(f", {k} {v}" for k, v in r.items() if k not in ("what", "down", "seconds", "per_response"))
            print(f"  {r['what']}: {r['down']} B received{extra}")
            per = r.get("per_response") or []
            if len(per) == 2:  # gunicorn's sync workers close each connection: one answer per connection
                print(f"    the manifest delta (of {len(content.guides)} guides, one changed) {per[0]} B, "
                      f"the changed guide {per[1]} B, each as received")

        print(f"outbox: {args.events} events uploaded by kiosk/fleet/outbox.py upload()", flush=True)
        ob = outbox_upload(service, kiosk_instance, server.url, tokens[1], args.events)
        print(f"  filled in {ob['fill']:.1f} s; uploaded in {ob['batches']} batches in {ob['seconds']:.1f} s; "
              f"server stored {ob['stored']} (each exactly once)")

        # -- the table ------------------------------------------------------------------------------
        lat = polls["lat"]
        one = [r for r in sync_rows if "canonical" in r]
        rows = [
            ("unchanged polls/s", f"{n / polls['elapsed']:.0f}", "-", "-", None),
            (f"  fleet's poll rate ({args.kiosks} kiosks / {args.poll_interval:.0f} s, for info)",
             f"{args.kiosks / args.poll_interval:.1f}", "-", "-", None),
            ("poll latency p50", f"{percentile(lat, 0.5) * 1000:.1f} ms", "-", "-", None),
            ("poll latency p99", f"{percentile(lat, 0.99) * 1000:.1f} ms", "-", "-", None),
            ("bytes per unchanged poll (response)", f"{per_poll:.0f} B", f"<= {POLL_TARGET} B",
             f"{per_poll / POLL_TARGET:.2f}", per_poll <= POLL_TARGET),
            ("  request bytes per poll (for info)", f"{polls['sent'] / n:.0f} B", "-", "-", None),
        ]
        for r in one:
            ratio = r["down"] / r["canonical"]
            rows.append((f"catch-up, {r['what'].split('(')[1].split(' guide')[0]} guide "
                         f"({r['canonical']} B canonical)", f"{r['down']} B", f"<= {CATCH_UP_TARGET:.0f}x",
                         f"{ratio:.2f}x", ratio <= CATCH_UP_TARGET))
        for r in sync_rows:
            if r["what"].startswith("kiosk sync right after catching up"):
                rows.append((f"  {r['what']}, a 304 (for info)", f"{r['down']} B", "-", "-", None))
        rows.append(("outbox upload events/s", f"{ob['events'] / ob['seconds']:.0f}", "-", "-", None))
        w = max(len(r[0]) for r in rows)
        print()
        print(f"{'measure':<{w}}  {'measured':>12}  {'target':>10}  {'ratio':>6}  ok")
        print("-" * (w + 40))
        for name, value, target, ratio, ok in rows:
            mark = "" if ok is None else ("yes" if ok else "NO")
            print(f"{name:<{w}}  {value:>12}  {target:>10}  {ratio:>6}  {mark}")
        print(f"\n{args.kiosks} kiosks, {args.workers} gunicorn workers, {os.cpu_count()} CPUs; "
              f"whole run {time.perf_counter() - started:.0f} s")
        missed = [r[0] for r in rows if r[4] is False]
        if missed:
            print("targets missed: " + "; ".join(missed))
            return 1
        return 0
    finally:
        if server is not None:
            server.stop()
        if db is not None:
            db.engine.dispose()
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
