"""扫码办事 guide server: phone pages, QR codes, posters, 好差评 and the JSON API.

`create_app(test_config=None)` builds the Flask app for one instance folder
(releases, ratings database, secret key). The instance folder is, in order:
test_config["INSTANCE_DIR"], $GUIDE_INSTANCE, ./instance.

One package per feature: public/ (phone pages, search, print page, QR, page cache), posters/,
ratings/, api/, editor/, accounts/, fleet/ and cli/; the modules at this level are shared by
them (db, security, state, web, export, extensions, nginx, gunicorn_app, migrations/, templates/,
static/). Features import shared modules, never the other way round; guide_server never imports
kiosk, and guides/ and hardware/ never import guide_server (see [tool.importlinter]).
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Flask is imported inside create_app: `guide-server check` must stay light
    from flask import Flask


def create_app(test_config: dict | None = None) -> "Flask":
    from flask import Flask

    from guide_server.db import Database, default_url
    from guide_server.extensions import csrf
    from guide_server.ratings.cases import CaseService
    from guide_server.ratings.service import RatingService
    from guide_server.security import HEADERS, META_CSP, hsts, load_secret_key, safe_url
    from guide_server.usage import UsageRecorder
    from guide_server.state import ReleaseHolder

    cfg = dict(test_config or {})
    instance = Path(cfg.pop("INSTANCE_DIR", None) or os.environ.get("GUIDE_INSTANCE") or "instance").resolve()
    instance.mkdir(parents=True, exist_ok=True)
    app = Flask(__name__, instance_path=str(instance), instance_relative_config=True)
    from guide_server.web import AsciiIntConverter

    app.url_map.converters["int"] = AsciiIntConverter  # before any route is added
    app.config.from_mapping(
        SECRET_KEY=None,
        DATABASE_URL=os.environ.get("DATABASE_URL") or default_url(instance),
        AUTO_MIGRATE=True,
        RATING_LIMIT=5,            # ratings per client ...
        RATING_WINDOW=600,         # ... per this many seconds
        USAGE_FLUSH_SECONDS=5.0,   # page views and scans are counted in memory, written this often
        TRUSTED_PROXIES=0,         # how many reverse proxies set X-Forwarded-For
        WTF_CSRF_CHECK_DEFAULT=False,  # the rating view checks token or Origin itself
        WTF_CSRF_TIME_LIMIT=None,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        MAX_CONTENT_LENGTH=64 * 1024,
        HSTS_SECONDS=365 * 86400,  # Strict-Transport-Security on answers that came over TLS; 0 = off
        PUBLIC_BASE_URL=None,      # absolute URLs the app writes; default: the release's public_base_url
        SEND_FILE_MAX_AGE_DEFAULT=86400,
    )
    if not cfg.get("TESTING"):  # the operator's settings (e.g. PUBLIC_BASE_URL); the caller's win
        app.config.from_pyfile("config.py", silent=True)
    app.config.update(cfg)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = load_secret_key(instance)
    app.json.ensure_ascii = False
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    from guide_server.ratings.service import BAD_REASONS, GOOD_REASONS, LEVELS, REASONS
    from guides.present import brief as guide_brief

    from guides.keyfacts import fee_short, material_count, time_limit_short
    from guides.rating_scale import CHANNELS
    from guides.release import CHINA_TZ
    from guide_server.ratings.contacts import RETENTION_DAYS

    app.jinja_env.globals.update(levels=LEVELS, reasons=REASONS, material_count=material_count,
                                 fee_short=fee_short, time_limit_short=time_limit_short, meta_csp=META_CSP,
                                 brief=guide_brief, good_reasons=GOOD_REASONS, bad_reasons=BAD_REASONS,
                                 contact_days=RETENTION_DAYS, channels=CHANNELS, china_tz=CHINA_TZ)
    app.jinja_env.filters["safe_url"] = safe_url  # a link target, or None: guide_server.security

    css = Path(app.static_folder, "site.css").read_bytes()
    app.config["CSS_URL"] = "/static/site.css?v=" + hashlib.sha256(css).hexdigest()[:10]

    app.extensions["releases"] = ReleaseHolder(instance)
    db = Database(app.config["DATABASE_URL"], auto_migrate=app.config["AUTO_MIGRATE"])
    app.extensions["cases"] = CaseService(db, instance)
    app.extensions["ratings"] = RatingService(db, app.config["RATING_LIMIT"], app.config["RATING_WINDOW"],
                                              cases=app.extensions["cases"])
    app.extensions["usage"] = UsageRecorder(db, flush_seconds=app.config["USAGE_FLUSH_SECONDS"])
    csrf.init_app(app)

    from guide_server.api import views as api
    from guide_server.public import attachments, pages, qr_views
    from guide_server.ratings import views as rating_views

    app.register_blueprint(pages.bp)
    app.register_blueprint(qr_views.bp)
    app.register_blueprint(attachments.bp)
    app.register_blueprint(rating_views.bp)
    app.register_blueprint(api.bp)
    pages.register_errors(app)
    from guide_server.accounts import auth; auth.init_app(app)  # noqa: E702 - admin logins
    from guide_server.editor import views as editor_views; editor_views.init_app(app)  # noqa: E702 - guide editor
    from guide_server.editor import hall_views; hall_views.init_app(app)  # noqa: E702 - halls in the editor
    from guide_server.fleet import app as fleet_app; fleet_app.init_app(app)  # noqa: E702 - kiosk fleet
    _count_kiosk_events(app)
    from guide_server.ratings import admin_views; admin_views.init_app(app)  # noqa: E702 - dashboard, 差评 cases

    _lazy_sessions(app)
    from guide_server.public.fastpath import CachedPages

    app.wsgi_app = CachedPages(app, app.wsgi_app)
    if app.config["TRUSTED_PROXIES"]:  # outermost, so the page cache sees the client's scheme too
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    @app.after_request
    def _headers(resp):
        from flask import request

        from guide_server.web import chinese_redirect_body

        _local_location(resp, request)
        chinese_redirect_body(resp)  # after _local_location: the body links where Location points
        if request.is_secure and app.config["HSTS_SECONDS"]:
            resp.headers.setdefault("Strict-Transport-Security", hsts(app.config["HSTS_SECONDS"]))
        if getattr(resp, "secured", False):
            return resp
        for k, v in HEADERS.items():
            resp.headers.setdefault(k, v)
        return resp

    return app


def _count_kiosk_events(app) -> None:
    """Kiosk ratings, prints, tickets and no-hit searches count in the same figures as the phone's."""
    from guide_server.ratings.intake import KioskIntake

    holder = app.extensions["releases"]

    def department_of(code: str) -> str:
        try:
            s = holder.get()
        except Exception:  # noqa: BLE001 - a broken release: no department, the rating still counts
            return ""
        g = s.release.guides.get(code) if s is not None else None
        return g.department if g is not None else ""

    fleet = app.extensions.get("fleet")
    if fleet is not None:
        fleet.listeners.append(KioskIntake(app.extensions["ratings"], department_of))


def _local_location(resp, request) -> None:
    """A Location that names the request's own Host (werkzeug's routing redirects, such as
    /editor -> /editor/, are built from it) becomes a path: the Host header is the client's
    to choose, so no redirect may carry it."""
    from urllib.parse import urlsplit

    location = resp.headers.get("Location")
    if not location:
        return
    parts = urlsplit(location)
    if parts.netloc and parts.netloc.lower() == (request.host or "").lower():
        path = "/" + parts.path.lstrip("/")
        resp.headers["Location"] = path + (f"?{parts.query}" if parts.query else "")


def _lazy_sessions(app) -> None:
    """Skip session signing work for requests without a session cookie (every QR scan).

    Wraps whatever session interface the app ended up with, keeping its behaviour."""
    iface = app.session_interface
    base = type(iface)

    def open_session(self, app_, request):
        if self.get_cookie_name(app_) not in request.cookies:
            return self.session_class()
        return base.open_session(self, app_, request)

    iface.__class__ = type(f"Lazy{base.__name__}", (base,), {"open_session": open_session})


def __getattr__(name: str):
    # `from guide_server import csrf` keeps working without importing Flask at package import
    if name == "csrf":
        from guide_server.extensions import csrf

        return csrf
    raise AttributeError(f"module 'guide_server' has no attribute {name!r}")
