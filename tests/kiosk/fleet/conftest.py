"""Fixtures of the fleet tests: a real guide server (gunicorn) on 127.0.0.1, releases built
from the small valid fixture, provisioned kiosk instances, and a tampering HTTP proxy.

Everything is real: processes, SQLite files, HTTP over 127.0.0.1. Nothing is mocked.
"""
from __future__ import annotations

import hashlib
import http.server
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from guides.loader import load_content
from guides.release import ReleaseStore
from tests.conftest import FIXTURES, ROOT

VENV_BIN = Path(sys.executable).parent
GUIDE_SERVER = str(VENV_BIN / "guide-server")
KIOSK = str(VENV_BIN / "kiosk")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def env(database_url: str | None = None) -> dict:
    """The environment of a spawned `guide-server` or `kiosk`: this checkout first on the path,
    and DATABASE_URL only when given (otherwise the server uses SQLite in its instance folder)."""
    e = dict(os.environ)
    e.pop("KIOSK_INSTANCE", None)
    e.pop("GUIDE_INSTANCE", None)
    e.pop("DATABASE_URL", None)
    if database_url:
        e["DATABASE_URL"] = database_url
    e["PYTHONPATH"] = str(ROOT)
    return e


def variant(content, k: int, *, extra: int = 0, hall: str | None = None):
    """The fixture content with `extra` more guides (copies under new codes) and guide names
    marked with `k` for every third guide from k on: releases that differ in a few guides."""
    guides = dict(content.guides)
    base = list(content.guides.values())
    for i in range(extra):
        g = base[i % len(base)]
        code = f"{g.code[:-4]}{9000 + i:04d}"
        guides[code] = g.model_copy(update={"code": code, "name": f"{g.name}（副本 {i}）"})
    for i, code in enumerate(sorted(guides)):
        if k and i % 3 == k % 3:
            guides[code] = guides[code].model_copy(update={"name": guides[code].name + f"（第 {k} 版）"})
    site = content.site.model_copy(update={"hall_name": hall}) if hall else content.site
    return content.__class__(site=site, categories=content.categories, guides=guides, retired=content.retired,
                             forms=content.forms)


class ServerProcess:
    """`guide-server serve` (gunicorn) on a free 127.0.0.1 port."""

    def __init__(self, instance: Path, workers: int = 2, database_url: str | None = None):
        self.instance = instance
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(instance.parent / f"server-{self.port}.log", "wb")
        self.proc = subprocess.Popen([GUIDE_SERVER, "serve", "--host", "127.0.0.1", "--port", str(self.port),
                                      "--instance", str(instance), "--workers", str(workers)],
                                     stdout=self.log, stderr=subprocess.STDOUT, env=env(database_url))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("guide server exited: " + (instance.parent / self.log.name).read_text())
            try:
                if requests.get(self.url + "/api/v1/release", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("guide server did not start within 30 s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.log.close()


class Fleet:
    """A server instance with its releases, its running server, and its FleetService on the same
    database: SQLite in the instance folder, or `database_url` (e.g. PostgreSQL)."""

    def __init__(self, root: Path, extra: int = 0, database_url: str | None = None):
        from guide_server.db import Database, default_url
        from guide_server.fleet.service import FleetService

        self.root = root
        self.instance = root / "server"
        self.content = load_content(FIXTURES / "valid")
        self.extra = extra
        self.store = ReleaseStore(self.instance)
        self.publish(0)
        self.database_url = database_url or default_url(self.instance.resolve())
        self.db = Database(self.database_url)
        self.db.ready()
        self.service = FleetService(self.db)
        self.server = ServerProcess(self.instance, database_url=database_url)
        self.url = self.server.url
        self._n = 0

    def publish(self, k: int, hall: str | None = None):
        release, _created = self.store.publish(variant(self.content, k, extra=self.extra, hall=hall))
        return release

    def kiosk(self, name: str, hall: str = "测试大厅") -> tuple[str, str]:
        """(name, token) of a newly enrolled kiosk, through the real HTTP endpoint."""
        code, _ = self.service.enroll(hall, name)
        r = requests.post(self.url + "/api/v1/device/enroll", json={"code": code}, timeout=10)
        assert r.status_code == 200, r.text
        return name, r.json()["token"]

    def link(self, kiosk_instance: Path, name: str, hall: str = "测试大厅"):
        """A kiosk instance folder with fleet.toml and device-token, as provision leaves it."""
        from guides.signing import key_id, load_or_create_key, public_key_text
        from kiosk.fleet.settings import FleetSettings, save_settings, save_token

        _name, token = self.kiosk(name, hall)
        pub = public_key_text(load_or_create_key(self.instance).public_key())
        settings = FleetSettings(server=self.url, name=name, hall=hall, tag="K1", public_key=pub, key_id=key_id(pub))
        save_settings(kiosk_instance, settings)
        save_token(kiosk_instance, token)
        return settings, token

    def stop(self) -> None:
        self.server.stop()
        self.db.engine.dispose()


    def env(self) -> dict:
        """The environment for a `guide-server` command on this fleet's instance and database."""
        return env(self.database_url)


@pytest.fixture(scope="module")
def fleet_db_url():
    """The fleet server's database: None is SQLite in its instance folder. A test module about the
    database overrides it with both SQLite and PostgreSQL (tests.support.postgres.both_databases)."""
    return None


@pytest.fixture(scope="module")
def fleet(tmp_path_factory, fleet_db_url):
    f = Fleet(tmp_path_factory.mktemp("fleet"), database_url=fleet_db_url)
    yield f
    f.stop()


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class TamperProxy:
    """A real HTTP proxy on 127.0.0.1 in front of the guide server that can spoil answers.

    `mode` is one of: None (pass through), "manifest" (a guide hash in the manifest, or in
    the delta, changed, signature kept), "foreign_key" (manifest signed by another key),
    "unsigned" (signature removed), "truncate_guide" (guide bodies cut short), "flip_guide"
    (one byte of each guide body changed, same length), "flip_site" (the site part changed),
    "delta_hash" / "delta_add" / "delta_remove" (a delta manifest with one changed entry's
    hash altered / a guide added / a guide of the base removed; signature kept),
    "delta_base_hash" (a delta that claims another copy of its base release), "truncate_form" /
    "flip_form" (attachment bodies cut short / one byte changed), "newer_schema" (what a newer
    server sends: the full manifest in content format 3, signed with `signing_key`, the real key).
    `weak_etags` makes every ETag weak (W/"…"), as nginx with gzip on does. `log` records
    (path, status, bytes sent) of every answer."""

    def __init__(self, upstream: str):
        self.upstream = upstream
        self.mode: str | None = None
        self.weak_etags = False
        self.remove_code = ""  # for "delta_remove": a guide of the kiosk's release
        self.signing_key = None  # for "newer_schema": the server's own private key
        self.log: list[tuple[str, int, int]] = []
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # headers and body go out in two writes on a kept-alive connection: without
            # TCP_NODELAY the body waits for the client's delayed ACK (~40 ms per answer)
            disable_nagle_algorithm = True

            def log_message(self, *args):
                pass

            def _forward(self, method: str):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                path = self.path
                if proxy.mode == "newer_schema" and path.split("?")[0].endswith("/manifest"):
                    path = path.split("?")[0]  # the full manifest, which is re-signed below
                    headers.pop("If-None-Match", None)
                    headers.pop("Accept-Encoding", None)
                r = requests.request(method, proxy.upstream + path, data=body, headers=headers, timeout=10)
                data = proxy.spoil(self.path, r.status_code, r.content)
                self.send_response(r.status_code)
                for k in ("Content-Type", "ETag"):
                    if k in r.headers:
                        value = r.headers[k]
                        if k == "ETag" and proxy.weak_etags and not value.startswith("W/"):
                            value = "W/" + value
                        self.send_header(k, value)
                self.send_header("Content-Length", str(len(data)))
                proxy.log.append((self.path, r.status_code, len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                self._forward("GET")

            def do_POST(self):
                self._forward("POST")

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def spoil(self, path: str, status: int, data: bytes) -> bytes:
        if status != 200 or self.mode is None:
            return data
        if path.split("?")[0].endswith("/manifest"):
            env_ = json.loads(data)
            delta = env_.get("delta")
            if self.mode == "manifest":
                guides = delta["changed"] if delta else env_["manifest"]["guides"]
                guides[sorted(guides)[0]] = "0" * 64
            elif self.mode == "foreign_key":
                from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
                from guides.signing import sign_manifest
                signed = sign_manifest(delta or env_["manifest"], Ed25519PrivateKey.generate())
                env_["signature"], env_["key_id"] = signed["signature"], signed["key_id"]
            elif self.mode == "unsigned":
                env_.pop("signature")
            elif self.mode == "delta_hash":
                code = sorted(delta["changed"])[0]
                delta["changed"][code] = sha(delta["changed"][code])
            elif self.mode == "delta_add":
                delta["changed"]["330382-ZZ-9999"] = "a" * 64
            elif self.mode == "delta_remove":
                delta["removed"].append(self.remove_code)
            elif self.mode == "delta_base_hash" and delta:
                delta["base_hash"] = sha(delta["base_hash"])
            elif self.mode == "newer_schema":
                from guides.signing import sign_manifest
                return json.dumps(sign_manifest(dict(env_["manifest"], schema=3), self.signing_key),
                                  ensure_ascii=False).encode()
            else:
                return data
            return json.dumps(env_, ensure_ascii=False).encode()
        if "/guides/" in path and self.mode == "truncate_guide":
            return data[: len(data) // 2]
        if "/guides/" in path and self.mode == "flip_guide":
            i = data.index(b'"name":"') + 8
            return data[:i] + (b"X" if data[i:i + 1] != b"X" else b"Y") + data[i + 1:]
        if "/forms/" in path and self.mode == "truncate_form":
            return data[: len(data) // 2]
        if "/forms/" in path and self.mode == "flip_form":
            return data[:-1] + (b"X" if data[-1:] != b"X" else b"Y")
        if path.endswith("/site") and self.mode == "flip_site":
            return data.replace(b'"hotline":"', b'"hotline":"9', 1)
        return data

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
