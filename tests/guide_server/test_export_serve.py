"""Static export (byte-identical, served by real nginx), `guide-server serve` under gunicorn,
and the instance secret key."""
from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from guide_server.cli import main
from guide_server.export import answer_queries, site_files
from tests.guide_server.conftest import GUIDE_SERVER, ROOT, fetch, free_port, wait_for



@pytest.fixture(scope="module")
def exported(sample_instance, tmp_path_factory):
    out = tmp_path_factory.mktemp("export") / "site"
    result = CliRunner().invoke(main, ["export", "--out", str(out), "--instance", str(sample_instance)])
    assert result.exit_code == 0, result.output
    assert "已导出 R1" in result.output
    return out


def test_serve_runs_gunicorn_and_answers_like_the_app(live_server, sample_app):
    status, headers, body = fetch(live_server + "/g/330382-GA-0001")
    assert status == 200 and headers["Server"] == "gunicorn"
    assert body == sample_app.test_client().get("/g/330382-GA-0001").data
    assert headers["X-Content-Type-Options"] == "nosniff"
    status, _h, body = fetch(live_server + "/api/v1/release")
    assert status == 200 and b'"number":1' in body


def test_served_app_is_not_in_debug_mode(live_server):
    status, _h, body = fetch(live_server + "/api/v1/guides/%ff%fe")
    assert status == 404 and b"Traceback" not in body and b"Werkzeug Debugger" not in body
    status, _h, body = fetch(live_server + "/g/x" * 2)
    assert b"Traceback" not in body


def test_serve_without_a_release_says_how_to_make_one(tmp_path):
    result = subprocess.run([*GUIDE_SERVER, "serve", "--instance", str(tmp_path / "inst")], capture_output=True,
                            text=True, timeout=60, cwd=ROOT)
    assert result.returncode == 1
    assert "还没有发布任何版本" in result.stderr and "guide-server release --content content" in result.stderr


def test_check_stays_free_of_flask(tmp_path):
    code = ("import sys, guide_server.cli; "
            "print(sorted(m for m in ('flask', 'gunicorn', 'sqlalchemy', 'fpdf') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_export_is_byte_identical_to_served_pages(exported, sample_app, sample_release):
    client = sample_app.test_client()
    files = site_files(sample_app.extensions["releases"].get())
    paths = sum(len(answer_queries(g)) for g in sample_release.guides.values())
    assert paths == 12  # the sample guides with 情形 questions, one page per answer path
    assert len(files) == 2 + len(sample_release.categories) + 4 * len(sample_release.guides) + paths
    for url, name, is_page in files:
        client.delete_cookie("mode")
        want = client.get(url).data
        assert (exported / name).read_bytes() == want, url
        if is_page:
            client.set_cookie("mode", "elder")
            assert (exported / "elder" / name).read_bytes() == client.get(url).data, url
    assert (exported / "static" / "site.css").read_bytes() == client.get("/static/site.css").data


def test_export_refuses_to_overwrite_a_foreign_folder(sample_instance, tmp_path):
    (tmp_path / "precious").mkdir()
    (tmp_path / "precious" / "thesis.txt").write_text("keep me")
    result = CliRunner().invoke(main, ["export", "--out", str(tmp_path / "precious"), "--instance",
                                       str(sample_instance)])
    assert result.exit_code != 0 and "不是空目录" in result.output
    assert (tmp_path / "precious" / "thesis.txt").read_text() == "keep me"


def test_export_replaces_its_own_earlier_export(instance, tmp_path):
    out = tmp_path / "site"
    for _ in range(2):
        assert CliRunner().invoke(main, ["export", "--out", str(out), "--instance", str(instance)]).exit_code == 0
    assert (out / "g" / "330382-GA-0001.html").exists()


def test_nginx_serves_the_export_with_elder_mode_and_proxies_the_rest(exported, live_server, tmp_path,
                                                                    sample_instance):
    from guide_server.nginx import local_config

    port = free_port()
    conf = local_config(tmp_path / "nginx", exported, port, int(live_server.rsplit(":", 1)[1]), workers=1)
    proc = subprocess.Popen(["nginx", "-c", str(conf), "-e", str(tmp_path / "nginx" / "error.log")],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/", proc)
        status, h, body = fetch(base + "/g/330382-GA-0001")
        assert status == 200 and h["Server"] == "nginx"
        assert body == (exported / "g" / "330382-GA-0001.html").read_bytes()
        assert "script-src" not in h["Content-Security-Policy"] and h["X-Content-Type-Options"] == "nosniff"
        _s, _h, body = fetch(base + "/g/330382-GA-0001", cookie="mode=elder")
        assert body == (exported / "elder" / "g" / "330382-GA-0001.html").read_bytes()
        _s, _h, body = fetch(base + "/")
        assert body == (exported / "index.html").read_bytes()
        status, _h, body = fetch(base + "/g/330382-XX-0000")
        assert status == 404 and body == (exported / "404.html").read_bytes()
        for hidden in ("/release.json", "/elder/index.html", "/.guide-export"):
            assert fetch(base + hidden)[0] == 404
        # dynamic parts go to the app
        status, h, body = fetch(base + "/search?q=sfz")
        assert status == 200 and h["Server"] == "nginx" and "330382-GA-0001".encode() in body
        assert fetch(base + "/api/v1/release")[0] == 200
        # a rating posted from the exported page (no token) passes the Origin check through the proxy
        req = urllib.request.Request(base + "/g/330382-GA-0001/rate", data=b"level=5",
                                     headers={"Origin": base, "Content-Type": "application/x-www-form-urlencoded"})
        opener = urllib.request.build_opener(NoRedirect)
        try:
            opener.open(req, timeout=10)
        except urllib.error.HTTPError as err:
            assert err.code == 303 and err.headers["Location"].endswith("/g/330382-GA-0001/rated")
        else:
            raise AssertionError("expected a 303")
        # a poster's tagged QR reaches the app (counted) and comes back to the stable URL
        try:
            opener.open(base + "/g/330382-GA-0001?src=hall-2f", timeout=10)
        except urllib.error.HTTPError as err:
            assert err.code == 302 and err.headers["Location"] == "/g/330382-GA-0001"
        else:
            raise AssertionError("expected a 302")
        _views_answered_from_the_export_are_counted(tmp_path, sample_instance)
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _views_answered_from_the_export_are_counted(tmp_path, sample_instance):
    """nginx logged the two exported guide pages it answered (plain and elder) and nothing it
    passed to the app or answered 404 — time, status and path only, no address; `guide-server
    ratings views-log` adds them to the dashboard's view counts, once however often it runs."""
    import shutil

    from sqlalchemy import func, select

    from guide_server.db import Database, default_url
    from guide_server.usage import UsageCount

    log = tmp_path / "nginx" / "guide-views.log"
    lines = log.read_text(encoding="utf-8").splitlines()
    assert [line.split(" ", 1)[1] for line in lines] == ["200 /g/330382-GA-0001", "200 /g/330382-GA-0001"]
    assert "127.0.0.1" not in log.read_text(encoding="utf-8")
    instance = tmp_path / "instance"  # the session's sample instance stays untouched
    shutil.copytree(sample_instance, instance)
    db = Database(default_url(instance))

    def viewed() -> int:  # the app's own counting of the live server may already be there
        with db.session() as s:
            return s.scalar(select(func.coalesce(func.sum(UsageCount.n), 0)).where(
                UsageCount.kind == "view", UsageCount.subject == "330382-GA-0001"))

    before = viewed()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("DATABASE_URL", None)
    for _ in range(2):
        r = subprocess.run([*GUIDE_SERVER, "ratings", "views-log", str(log), "--instance", str(instance)],
                           capture_output=True, text=True, timeout=120, cwd=ROOT, env=env)
        assert r.returncode == 0, r.stderr
    assert "计入指南浏览 0 次" in r.stdout  # the second run found nothing new
    assert viewed() == before + 2


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_secret_key_is_generated_once_in_the_instance_folder(tmp_path):
    from guide_server import create_app

    inst = tmp_path / "inst"
    a = create_app({"INSTANCE_DIR": str(inst)})
    key_file = inst / "secret_key"
    assert key_file.exists() and stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(a.config["SECRET_KEY"]) == 64
    b = create_app({"INSTANCE_DIR": str(inst)})
    assert a.config["SECRET_KEY"] == b.config["SECRET_KEY"]
    other = create_app({"INSTANCE_DIR": str(tmp_path / "other")})
    assert other.config["SECRET_KEY"] != a.config["SECRET_KEY"]
    assert not a.debug and os.environ.get("FLASK_DEBUG") in (None, "", "0")


def _self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 (and its key), as an operator's CA would issue one."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .sign(key, hashes.SHA256()))
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()))
    return folder / "cert.pem", folder / "key.pem"


def test_shipped_nginx_config_serves_https_with_hsts_and_redirects_plain_http_to_the_configured_name(
        exported, live_server, tmp_path):
    import ssl

    from guide_server.nginx import local_config

    cert, key = _self_signed(tmp_path / "tls")
    port, http_port = free_port(), free_port()
    conf = local_config(tmp_path / "nginx", exported, port, int(live_server.rsplit(":", 1)[1]), workers=1,
                        tls=(cert, key), http_port=http_port)
    proc = subprocess.Popen(["nginx", "-c", str(conf), "-e", str(tmp_path / "nginx" / "error.log")],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    context = ssl.create_default_context(cafile=str(cert))
    base = f"https://127.0.0.1:{port}"

    def get(url, headers=None):
        req = urllib.request.Request(url, headers=headers or {})
        try:
            with urllib.request.build_opener(NoRedirect, urllib.request.HTTPSHandler(context=context)).open(
                    req, timeout=10) as resp:
                return resp.status, resp.headers, resp.read()
        except urllib.error.HTTPError as err:
            return err.code, err.headers, err.read()

    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline and proc.poll() is None, "nginx did not come up"
                time.sleep(0.1)
        for path in ("/", "/g/330382-GA-0001", "/static/site.css", "/search?q=sfz", "/api/v1/release",
                     "/g/330382-XX-0000"):
            status, h, _body = get(base + path)
            assert status in (200, 404), path
            assert h.get_all("Strict-Transport-Security") == ["max-age=31536000"], path  # once, from nginx
        # plain HTTP: a redirect to the configured name, whatever Host the client sent
        status, h, _b = get(f"http://127.0.0.1:{http_port}/g/330382-GA-0001?x=1", {"Host": "evil.example"})
        assert status == 301 and h["Location"] == "https://guides.example.gov.cn/g/330382-GA-0001?x=1"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_behind_a_tls_proxy_the_app_sends_hsts_and_secure_cookies(instance):
    from guide_server import create_app

    app = create_app({"TESTING": True, "INSTANCE_DIR": str(instance), "TRUSTED_PROXIES": 1})
    client = app.test_client()
    tls = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.0.0.1"}
    for path in ("/g/330382-GA-0001", "/g/330382-GA-0001", "/search?q=a", "/login"):  # twice: the page cache
        r = client.get(path, headers=tls)
        assert r.headers["Strict-Transport-Security"] == "max-age=31536000", path
    assert "Secure" in app.test_client().get("/login", headers=tls).headers["Set-Cookie"]
    r = client.get("/g/330382-GA-0001")  # plain HTTP (no TLS in front): no HSTS, as RFC 6797 says
    assert "Strict-Transport-Security" not in r.headers


def test_exported_pages_carry_their_own_csp(exported):
    import html as htmllib

    for page in ("index.html", "g/330382-GA-0001.html", "g/330382-GA-0001/print.html", "404.html", "elder/index.html"):
        head = htmllib.unescape((exported / page).read_text(encoding="utf-8").split("</head>", 1)[0])
        assert '<meta http-equiv="Content-Security-Policy" content="default-src \'none\';' in head, page
        assert "script-src" not in head


def test_the_export_fetching_its_pages_is_not_counted_as_views(app, tmp_path):
    """Re-exporting after each release must not inflate the manager's view counts."""
    from sqlalchemy import func, select

    from guide_server.export import export_site
    from guide_server.usage import UsageCount

    usage, db = app.extensions["usage"], app.extensions["usage"].db

    def views() -> int:
        usage.flush()
        db.ready()
        with db.session() as s:
            return s.scalar(select(func.coalesce(func.sum(UsageCount.n), 0)).where(UsageCount.kind == "view"))

    before = views()
    export_site(app, tmp_path / "site")
    assert views() == before
    assert app.test_client().get("/g/330382-GA-0001").status_code == 200  # a citizen's view still counts
    assert views() == before + 1
