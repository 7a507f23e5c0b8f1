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
