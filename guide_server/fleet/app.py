"""Wires the kiosk fleet into the Flask app: FleetService, the release-signing key, the
device API and the admin fleet page. `init_app(app)` is called by create_app."""
from __future__ import annotations

from pathlib import Path

from guides.signing import load_or_create_key


def init_app(app) -> None:
    from guide_server.extensions import csrf
    from guide_server.fleet import device_api
    from guide_server.fleet import views as fleet_views
    from guide_server.fleet.service import FleetService

    db = app.extensions.get("db") or app.extensions["ratings"].db
    app.extensions["fleet"] = FleetService(db)
    instance = Path(app.instance_path)
    app.extensions["fleet_releases"] = device_api.ReleaseCache(instance, load_or_create_key(instance))
    from guide_server.fleet.schemas import device_part

    app.extensions.setdefault("openapi_parts", []).append(device_part)
    csrf.exempt(device_api.bp)  # devices authenticate with a bearer token, not a cookie
    app.register_blueprint(device_api.bp)
    app.register_blueprint(fleet_views.bp)
    try:
        from guide_server.accounts.auth import add_nav
        add_nav(app, "终端设备", "/admin/fleet", "admin")
    except ImportError:  # pragma: no cover - accounts not installed
        pass
