"""The admin fleet page: /admin/fleet (HTML), /admin/fleet.json, enrolling and revoking kiosks.
Admins only (guide_server.accounts.auth.require_role("admin"))."""
from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, request

from guide_server.accounts.auth import admin_page, require_role
from guide_server.fleet.service import FleetError, FleetService, local_label
from guide_server.web import NoRelease, public_base_url

bp = Blueprint("fleet_admin", __name__)


def _fleet() -> FleetService:
    return current_app.extensions["fleet"]


def _current_release() -> int | None:
    served = current_app.extensions["releases"].get()
    return served.release.number if served is not None else None


def _page(status: int = 200, **ctx) -> Response:
    current = _current_release()
    kiosks = _fleet().status(current)
    alerts = sum(len(k["alerts"]) for k in kiosks)
    pending = _fleet().pending_enrollments()
    misses = _fleet().search_misses(days=30, limit=20)
    return admin_page("admin/fleet.html", status=status, title="终端设备", kiosks=kiosks, current=current,
                      alert_count=alerts, pending=pending, local_label=local_label, misses=misses, **ctx)


@bp.get("/admin/fleet")
@require_role("admin")
def index():
    return _page()


@bp.get("/admin/fleet.json")
@require_role("admin")
def as_json():
    current = _current_release()
    body = {"current_release": current, "kiosks": _fleet().status(current)}
    resp = Response(json.dumps(body, ensure_ascii=False, indent=1), mimetype="application/json")
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.post("/admin/fleet/enroll")
@require_role("admin")
def enroll():
    hall = request.form.get("hall", "")[:120]
    name = request.form.get("name", "")[:80].strip()
    try:
        code, expires = _fleet().enroll(hall, name)
    except FleetError as exc:
        return _page(400, error=exc.message, form={"hall": hall, "name": name})
    try:
        server = public_base_url()
    except NoRelease:
        server = "<服务器地址>"
    return _page(enrolled={"name": name, "hall": hall, "code": code, "expires": local_label(expires)},
                 server_url=server)


@bp.post("/admin/fleet/<name>/revoke")
@require_role("admin")
def revoke(name: str):
    try:
        _fleet().revoke(name)
    except FleetError as exc:
        return _page(exc.status, error=exc.message)
    return _page(notice=f"终端 {name} 已停用：它的凭证立即失效，不能再同步内容或上传事件。")
