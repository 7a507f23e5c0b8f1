"""/login, /logout, /account and the require_role decorator as a browser-less client sees them."""
from __future__ import annotations

import pytest
from flask import Blueprint

from guide_server.accounts.auth import current_user, require_role
from tests.guide_server.authutil import PASSWORD, add_user, csrf_token, login, logout, make_auth_app


@pytest.fixture
def app(instance, db_url):
    app = make_auth_app(instance, LOGIN_LOCK_AFTER=3, LOGIN_RATE_LIMIT=6, DATABASE_URL=db_url)
    bp = Blueprint("probe", __name__)

    @bp.route("/probe/review", methods=["GET", "POST"])
    @require_role("reviewer")
    def review():
        return f"ok {current_user().name}"

    @bp.route("/probe/any")
    @require_role()
    def anyone():
        return "hello"

    app.register_blueprint(bp)
    add_user(app, "ed", "editor")
    add_user(app, "rita", "reviewer")
    add_user(app, "root", "admin")
    return app


@pytest.fixture
def client(app):
    return app.test_client()


def _cookie_header(resp) -> str:
    return "; ".join(v for k, v in resp.headers.items() if k == "Set-Cookie" and v.startswith("session="))


def test_anonymous_get_redirects_to_login_with_next(client):
    r = client.get("/probe/review?x=1")
    assert r.status_code == 303
    assert r.headers["Location"].startswith("/login?next=/probe/review")


def test_anonymous_post_is_refused(client):
    assert client.post("/probe/review").status_code == 401


def test_login_page_has_csrf_token_and_no_store(client):
    r = client.get("/login")
    assert r.status_code == 200 and 'name="csrf_token"' in r.get_data(as_text=True)
    assert r.headers["Cache-Control"] == "no-store"
    assert "登录" in r.get_data(as_text=True)


def test_login_without_csrf_token_is_refused(client):
    r = client.post("/login", data={"name": "rita", "password": PASSWORD})
    assert r.status_code == 400 and "页面已过期" in r.get_data(as_text=True)
    assert client.get("/probe/any").status_code == 303


def test_login_then_role_checks(client):
    r = login(client, "rita", next="/probe/review")
    assert r.status_code == 303 and r.headers["Location"] == "/probe/review"
    assert client.get("/probe/review").get_data(as_text=True) == "ok rita"


def test_editor_gets_403_on_reviewer_page(client):
    login(client, "ed")
    r = client.get("/probe/review")
    assert r.status_code == 403
    assert "没有权限" in r.get_data(as_text=True) and "审核" in r.get_data(as_text=True)
    assert client.get("/probe/any").status_code == 200


def test_admin_passes_every_role(client):
    login(client, "root")
    assert client.get("/probe/review").status_code == 200


def test_protected_post_needs_csrf_token(client):
    login(client, "rita")
    assert client.post("/probe/review").status_code == 400
    token = csrf_token(client, "/account")
    assert client.post("/probe/review", data={"csrf_token": token}).status_code == 200


def test_wrong_password_message_does_not_say_which(client):
    r = login(client, "rita", "wrong password!")
    assert r.status_code == 401
    text = r.get_data(as_text=True)
    assert "用户名或密码不正确" in text
    r2 = login(client, "nosuchuser", "wrong password!")
    assert r2.status_code == 401 and "用户名或密码不正确" in r2.get_data(as_text=True)


def test_lockout_shown_after_repeated_failures(client):
    for _ in range(2):
        assert login(client, "ed", "wrong password!").status_code == 401
    r = login(client, "ed", "wrong password!")
    assert r.status_code == 423 and "暂时锁定" in r.get_data(as_text=True)
    assert login(client, "ed").status_code == 423  # right password, still locked


def test_client_rate_limit(client):
    for i in range(6):
        login(client, f"ghost{i}", "wrong password!")
    r = login(client, "rita")
    assert r.status_code == 429 and "稍等" in r.get_data(as_text=True)


def test_logout_ends_session(client):
    login(client, "rita")
    assert client.get("/probe/any").status_code == 200
    r = logout(client)
    assert "已安全退出" in r.get_data(as_text=True)
    assert client.get("/probe/any").status_code == 303


def test_a_cookie_copied_before_logout_opens_nothing_after_it(app, client):
    """The probe's finding: a session cookie copied before POST /logout still opened /account
    and /editor/. The session now ends on the server."""
    login(client, "rita")
    copied = client.get_cookie("session").value
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/account").status_code == 200 and thief.get("/editor/").status_code == 200
    logout(client)
    for path in ("/account", "/editor/", "/probe/any"):
        r = thief.get(path)
        assert r.status_code == 303 and r.headers["Location"].startswith("/login"), path
    thief.set_cookie("session", copied)
    assert thief.post("/probe/review", data={"csrf_token": "x"}).status_code == 401


def test_logging_out_in_one_browser_keeps_the_other_logged_in(app, client):
    other = app.test_client()
    login(client, "rita")
    login(other, "rita")
    logout(client)
    assert other.get("/account").status_code == 200


def _change_password(client, current, new, again=None):
    token = csrf_token(client, "/account")
    return client.post("/account/password", data={"csrf_token": token, "current": current, "new": new,
                                                   "again": new if again is None else again})


def test_own_password_change_ends_the_other_sessions_and_refuses_weak_ones(app, client):
    other = app.test_client()
    login(client, "rita")
    login(other, "rita")
    for bad, why in (("password12", "常见密码"), (" " * 12, "同一个字符"), ("rita-2026!!", "用户名")):
        r = _change_password(client, PASSWORD, bad)
        assert r.status_code == 400 and why in r.get_data(as_text=True)
    r = _change_password(client, "not my password", "a far better phrase")
    assert r.status_code == 400 and "当前密码不正确" in r.get_data(as_text=True)
    r = _change_password(client, PASSWORD, "a far better phrase", "a far better phrasf")
    assert r.status_code == 400 and "两次输入的新密码不一致" in r.get_data(as_text=True)
    r = _change_password(client, PASSWORD, "a far better phrase")
    assert r.status_code == 200 and "密码已修改" in r.get_data(as_text=True)
    assert client.get("/account").status_code == 200       # this browser goes on
    assert other.get("/account").status_code == 303         # the other one is logged out
    assert login(other, "rita").status_code == 401
    assert login(other, "rita", "a far better phrase").status_code == 303


def test_disabling_a_user_ends_their_session_at_once(app, client):
    login(client, "rita")
    app.extensions["accounts"].disable("rita")
    assert client.get("/probe/any").status_code == 303


def test_session_cookie_flags_plain_http(client):
    r = login(client, "rita")
    cookie = _cookie_header(r)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_session_cookie_secure_behind_tls_proxy(instance):
    app = make_auth_app(instance, TRUSTED_PROXIES=1)
    add_user(app, "rita", "reviewer")
    client = app.test_client()
    # nginx terminates TLS and talks plain HTTP to the app
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9",
               "Referer": "https://localhost/login"}
    token_page = client.get("/login", headers=headers)
    token = token_page.get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    r = client.post("/login", headers=headers,
                    data={"csrf_token": token, "name": "rita", "password": PASSWORD})
    assert r.status_code == 303
    cookie = _cookie_header(r)
    assert "Secure" in cookie and "HttpOnly" in cookie


def test_login_name_is_escaped(client):
    r = login(client, '<script>x</script>', "wrong password!")
    text = r.get_data(as_text=True)
    assert "<script>x</script>" not in text and "&lt;script&gt;" in text


def test_open_redirect_refused(client):
    r = login(client, "rita", next="//evil.example/")
    loc = r.headers["Location"]
    assert r.status_code == 303 and loc.startswith("/") and not loc.startswith("//") and "evil" not in loc


def test_account_page_shows_name_and_role(client):
    login(client, "ed")
    text = client.get("/account").get_data(as_text=True)
    assert "ed" in text and "编辑" in text
