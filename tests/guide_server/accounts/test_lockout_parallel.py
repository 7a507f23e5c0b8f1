"""Login limits under real parallel attempts: `guide-server serve` (gunicorn, 4 workers, SQLite)
behind a pretend proxy, 100 wrong passwords fired at once at one account from 100 addresses,
and 60 from one address. The counters are taken atomically before any hash is checked, so
exactly the limit of guesses reaches a hash: 5 per account, 10 per address."""
from __future__ import annotations

import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from guides.loader import load_content
from guides.release import ReleaseStore
from tests.conftest import FIXTURES
from tests.guide_server.conftest import serving

WRONG = "用户名或密码不正确"   # only an attempt whose password was checked says this
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from guide_server.accounts.service import AccountService
    from guide_server.db import Database, default_url

    inst = tmp_path_factory.mktemp("lockout") / "instance"
    ReleaseStore(inst).publish(load_content(FIXTURES / "valid"))
    AccountService(Database(default_url(inst))).add("target", "editor", PASSWORD)
    with serving(inst, inst.parent, workers=4, ready_path="/login", extra=("--behind-proxy", "1"),
                 stop_timeout=30) as url:
        yield url


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def _request(url, data=None, headers=None):
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    req = urllib.request.Request(url, data=body, headers=headers or {})
    try:
        with _opener.open(req, timeout=60) as resp:
            return resp.status, resp.headers, resp.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read().decode()


def _login_form(base: str) -> tuple[str, str]:
    """(session cookie, CSRF token) of a fresh login page."""
    _status, headers, html = _request(f"{base}/login")
    cookie = headers["Set-Cookie"].split(";", 1)[0]
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    return cookie, token


def _fire(base: str, attempts: list[tuple[str, str, str]]) -> list[tuple[int, str]]:
    """POST /login for each (name, password, client address) all at once; (status, body) each."""
    cookie, token = _login_form(base)
    start = threading.Barrier(len(attempts))

    def one(attempt):
        name, password, address = attempt
        start.wait()
        status, _h, body = _request(f"{base}/login", {"csrf_token": token, "name": name, "password": password},
                                    {"Cookie": cookie, "X-Forwarded-For": address})
        return status, body

    with ThreadPoolExecutor(len(attempts)) as pool:
        return list(pool.map(one, attempts))


def test_100_parallel_wrong_passwords_reach_the_hash_exactly_5_times(server):
    answers = _fire(server, [("target", f"wrong guess {i:03d}", f"10.1.{i // 250}.{i % 250 + 1}")
                             for i in range(100)])
    checked = [(s, b) for s, b in answers if WRONG in b]
    refused = [(s, b) for s, b in answers if WRONG not in b]
    assert len(checked) == 5, sorted(s for s, _ in answers)
    assert sorted(s for s, _ in checked) == [401, 401, 401, 401, 423]  # the fifth wrong one locks it
    assert len(refused) == 95 and all(s == 423 and "暂时锁定" in b for s, b in refused)
    status, _h, body = _request(f"{server}/login", {"csrf_token": _login_form(server)[1], "name": "target",
                                                     "password": PASSWORD}, {"X-Forwarded-For": "10.9.9.9"})
    assert status in (400, 423)  # the right password opens nothing while the account is locked


def test_60_parallel_attempts_from_one_address_reach_the_hash_at_most_10_times(server):
    answers = _fire(server, [(f"ghost{i:02d}", "wrong guess again", "10.2.0.1") for i in range(60)])
    checked = [s for s, b in answers if WRONG in b]
    assert len(checked) == 10 and set(checked) == {401}
    assert sorted(s for s, b in answers if WRONG not in b) == [429] * 50
