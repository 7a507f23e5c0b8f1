"""Logins for the admin areas (guide editor, kiosk fleet): the HTTP side of guide_server.accounts.service.

API for other blueprints:

    from guide_server.accounts.auth import require_role, current_user, admin_page, add_nav

    @bp.route("/admin/kiosks", methods=["GET", "POST"])
    @require_role("admin")                 # or require_role("editor", "reviewer"); admin passes all
    def kiosks():
        user = current_user()              # guide_server.accounts.service.Account: .id .name .role .has_role()
        return admin_page("fleet/list.html", title="设备管理", kiosks=...)

- `require_role(*roles)`: not logged in -> GET redirects to /login?next=<path>, other methods
  get 401; logged in without one of `roles` -> 403 page. `require_role()` with no role = any
  logged-in user. For every method but GET/HEAD/OPTIONS it also checks the CSRF token
  (a form field `csrf_token`, or the X-CSRFToken header) and answers 400 when it is missing
  or wrong, so a protected POST view is CSRF-protected without further code.
- `current_user()`: the logged-in `Account` or None (checked against the database once per
  request: a logged-out session, a disabled user or a changed password or role ends the
  session at once, even for a copy of the cookie).
- `admin_page(template, status=200, **ctx)`: renders a template that extends
  "admin/base.html" (blocks `title`, `main`, `head`), with `user`, `csrf_token`, `nav` set,
  and Cache-Control: no-store.
- `add_nav(app, label, url, *roles)`: a link in the admin header, shown to users with a role.
- `init_app(app)` (called by create_app): AccountService in app.extensions["accounts"], the
  shared Database in app.extensions["db"], the /login, /logout and /account pages (the
  account page changes the user's own password).

Cookies: the session cookie is HttpOnly and SameSite=Lax (create_app), and Secure whenever
the request arrived over TLS (directly, or via a trusted proxy's X-Forwarded-Proto with
TRUSTED_PROXIES set) or SESSION_COOKIE_SECURE is true. The cookie holds only a random session
token; the session itself is a database row (guide_server.accounts.service.AdminSession),
so logging out ends it on the server. Sessions last at most ADMIN_SESSION_HOURS (default 12).
"""
from __future__ import annotations

import functools

from flask import (Blueprint, current_app, g, has_request_context, redirect, render_template, request,
                   session, url_for)
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError, generate_csrf

from guide_server.extensions import csrf
from guide_server.accounts.service import (ROLES, Account, AccountError, AccountLocked, AccountService,
                                           LoginError, LoginRateLimited, make_hasher)
from guide_server.security import client_hash
from guide_server.web import safe_next

bp = Blueprint("auth", __name__)

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class TLSAwareSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, with the Secure flag set whenever the request came over TLS."""

    def get_cookie_secure(self, app) -> bool:
        if app.config.get("SESSION_COOKIE_SECURE"):
            return True
        return has_request_context() and request.is_secure


def init_app(app) -> None:
    app.config.setdefault("PASSWORD_HASH_PROFILE", "default")
    app.config.setdefault("LOGIN_LOCK_AFTER", 5)        # consecutive failures that lock an account
    app.config.setdefault("LOGIN_LOCK_MINUTES", 15)
    app.config.setdefault("LOGIN_RATE_LIMIT", 10)       # failed logins per client ...
    app.config.setdefault("LOGIN_RATE_WINDOW", 600)     # ... per this many seconds
    app.config.setdefault("ADMIN_SESSION_HOURS", 12)
    db = app.extensions.setdefault("db", app.extensions["ratings"].db)
    app.extensions["accounts"] = AccountService(
        db, make_hasher(app.config["PASSWORD_HASH_PROFILE"]),
        lock_after=app.config["LOGIN_LOCK_AFTER"], lock_minutes=app.config["LOGIN_LOCK_MINUTES"],
        rate_limit=app.config["LOGIN_RATE_LIMIT"], rate_window=app.config["LOGIN_RATE_WINDOW"])
    app.extensions.setdefault("admin_nav", [])
    app.session_interface = TLSAwareSessionInterface()
    app.register_blueprint(bp)


def accounts() -> AccountService:
    return current_app.extensions["accounts"]


def add_nav(app, label: str, url: str, *roles: str) -> None:
    """Show `label` -> `url` in the admin header to users holding one of `roles` (admin: all)."""
    app.extensions.setdefault("admin_nav", []).append((label, url, tuple(roles)))


def _nav(user: Account | None) -> list[tuple[str, str]]:
    if user is None:
        return []
    return [(label, url) for label, url, roles in current_app.extensions.get("admin_nav", [])
            if not roles or user.has_role(*roles)]


def current_user() -> Account | None:
    """The logged-in account, or None. Looked up once per request, in the database: a session
    that was logged out, ran out, or whose user changed password or role or was disabled is
    over at once, whatever cookie the browser still sends."""
    if "auth_user" in g:
        return g.auth_user
    user = None
    token = session.get("sid")
    if token is not None:
        user = accounts().session_account(token)
        if user is None:
            session.pop("sid", None)
    g.auth_user = user
    return user


def admin_page(template: str, status: int = 200, **ctx):
    user = ctx.pop("user", None) or current_user()
    body = render_template(template, user=user, nav=_nav(user), csrf_token=generate_csrf(),
                           roles=ROLES, here=request.path, **ctx)
    resp = current_app.response_class(body, status=status, mimetype="text/html")
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _message(status: int, title: str, message: str, link: tuple[str, str] | None = None):
    return admin_page("admin/message.html", status=status, title=title, message=message, link=link)


def check_csrf():
    """None when the request's CSRF token is valid, else the 400 response to return."""
    try:
        csrf.protect()
    except CSRFError:
        return _message(400, "页面已过期", "页面已过期或来源无法确认，请返回上一页刷新后重新提交。",
                        (request.path, "刷新页面"))
    return None


def require_role(*roles: str):
    """View decorator: a logged-in user holding one of `roles` (none given = any role; admin = all);
    CSRF-checked for every unsafe method."""

    def deco(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            user = current_user()
            if user is None:
                if request.method in SAFE_METHODS:
                    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")), 303)
                return _message(401, "请先登录", "登录已失效，请重新登录后再操作。",
                                (url_for("auth.login"), "登录"))
            if roles and not user.has_role(*roles):
                need = "、".join(ROLES.get(r, r) for r in roles)
                return _message(403, "没有权限", f"此页面需要“{need}”角色，您的账号是“{user.role_label}”。"
                                "如需权限，请联系管理员。")
            if request.method not in SAFE_METHODS:
                bad = check_csrf()
                if bad is not None:
                    return bad
            return view(*args, **kwargs)

        wrapper.required_roles = roles  # for route/permission tests
        return wrapper

    return deco


def _home(user: Account) -> str:
    nav = _nav(user)
    return nav[0][1] if nav else url_for("auth.account")


@bp.route("/login", methods=["GET", "POST"])
def login():
    nxt = safe_next(request.values.get("next"), "")
    user = current_user()
    if request.method == "GET":
        if user is not None:
            return redirect(nxt or _home(user), 303)
        return admin_page("admin/login.html", title="登录", next=nxt, name="")
    bad = check_csrf()
    if bad is not None:
        return bad
    name = request.form.get("name", "")[:80]
    password = request.form.get("password", "")[:1024]
    client = client_hash(current_app.config["SECRET_KEY"], request.remote_addr)
    try:
        user = accounts().authenticate(name, password, client)
    except LoginError as exc:
        status = 429 if isinstance(exc, LoginRateLimited) else 423 if isinstance(exc, AccountLocked) else 401
        return admin_page("admin/login.html", status=status, title="登录", next=nxt, name=name,
                          error=exc.message)
    _start_session(user)
    return redirect(nxt or _home(user), 303)


def _start_session(user: Account) -> None:
    """A new server-side session in a fresh cookie (no value of the old cookie carries over)."""
    token = accounts().start_session(user, current_app.config["ADMIN_SESSION_HOURS"])
    session.clear()
    session["sid"] = token
    g.auth_user = user


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    if request.method == "GET":
        return admin_page("admin/logout.html", title="退出登录")
    bad = check_csrf()
    if bad is not None:
        return bad
    accounts().end_session(session.get("sid"))
    session.clear()
    g.auth_user = None
    return admin_page("admin/message.html", title="已退出", message="您已安全退出登录。",
                      link=(url_for("auth.login"), "重新登录"))


@bp.get("/account")
@require_role()
def account():
    return admin_page("admin/account.html", title="我的账号")


@bp.post("/account/password")
@require_role()
def change_password():
    """The user's own password: current one, new one twice. Every other session of the user
    ends; this browser gets a new session."""
    user = current_user()
    current = request.form.get("current", "")[:1024]
    new = request.form.get("new", "")[:1024]
    if new != request.form.get("again", "")[:1024]:
        return admin_page("admin/account.html", status=400, title="我的账号", error="两次输入的新密码不一致，请重新输入。")
    client = client_hash(current_app.config["SECRET_KEY"], request.remote_addr)
    try:
        user = accounts().change_own_password(user.name, current, new, client)
    except AccountError as exc:
        return admin_page("admin/account.html", status=400, title="我的账号", error=str(exc))
    _start_session(user)
    return admin_page("admin/account.html", title="我的账号", user=user,
                      message="密码已修改。用旧密码登录的其他浏览器和设备都已退出登录。")
