"""/editor/halls/: a hall's local overrides and own guides in the web editor.

HTTP only; the workflow is guide_server.editor.hall_service.HallEditor (reached as
EditorService.halls), publishing EditorService.publish. Out-of-scope users get 403 and the
service's Chinese message.
"""
from __future__ import annotations

import json
import re

import yaml
from flask import Blueprint, redirect, request, url_for

from guide_server.accounts.auth import add_nav, admin_page, current_user, require_role
from guide_server.editor.hall_form import CONTACT_PARTS, FEE_PARTS, LOCATION_PARTS, fee_mode, override_from_form
from guide_server.editor.hall_service import FORM_KEYS, KINDS, STATUSES, HallItem, check_override, override_text
from guide_server.editor.service import CheckFailed, EditorError, NotFound, OutOfScope, to_yaml
from guide_server.editor.views import EDITOR_CSP, svc
from guide_server.inputs import BadInput
from guide_server.web import form_int
from guides.check_one import check_guide_text
from guides.halls import LOCAL_KEYS, UNIFIED_KEYS
from guides.yamlsource import YamlSyntaxError, safe_load_plain

bp = Blueprint("editor_halls", __name__, url_prefix="/editor/halls")
READ = ("editor", "reviewer")
EDIT = ("editor",)
REVIEW = ("reviewer",)
ID = re.compile(r"^[a-z][a-z0-9-]{1,39}$")
KEY = re.compile(r"^[0-9A-Za-z-]{1,64}$")
DONE = {"saved": "已保存草稿。", "submitted": "已提交审核。", "approved": "已审核通过，等待发布。",
        "sent_back": "已退回修改。", "withdrawn": "已撤回审核，可以继续修改。", "deleted": "已申请删除本地覆盖，请提交审核。",
        "created": "已新建草稿。"}


def init_app(app) -> None:
    app.register_blueprint(bp)
    add_nav(app, "大厅", "/editor/halls/", *READ)


def halls():
    return svc().halls


@bp.after_request
def _csp(resp):
    resp.headers["Content-Security-Policy"] = EDITOR_CSP
    resp.headers.setdefault("Cache-Control", "no-store")
    return resp


def _page(template: str, status: int = 200, **ctx):
    return admin_page(template, status=status, statuses=STATUSES, kinds=KINDS, **ctx)


def _error(message: str, status: int = 400, back: str | None = None):
    return _page("admin/message.html", status=status, title="无法完成操作", message=message,
                 link=(back, "返回") if back else None)


def _status(exc: EditorError) -> int:
    return 403 if isinstance(exc, OutOfScope) else 404 if isinstance(exc, NotFound) else 400


@bp.errorhandler(BadInput)
def _bad_input(exc: BadInput):
    return _error(exc.message, exc.status)


@bp.errorhandler(EditorError)
def _editor_error(exc: EditorError):
    return _error(str(exc), _status(exc), url_for("editor_halls.index"))


def _ids(hall: str, key: str | None = None) -> None:
    if not ID.match(hall) or (key is not None and not KEY.match(key)):
        raise NotFound("没有这个大厅或事项。")


def _version() -> int | None:
    """The version the editor started from; None for a change not saved yet (empty field)."""
    return None if request.form.get("version", "") == "" else form_int("version", minimum=0)


def _item_url(item: HallItem) -> str:
    if item.kind == "own":
        return url_for("editor_halls.own", hall=item.hall, code=item.key)
    return url_for("editor_halls.override", hall=item.hall, key=item.key)


# -- halls ------------------------------------------------------------------------------------------
@bp.get("/")
@require_role(*READ)
def index():
    return _page("editor/halls/index.html", title="大厅", halls=halls().halls(current_user()))


@bp.get("/<hall>/")
@require_role(*READ)
def hall(hall: str):
    _ids(hall)
    h = halls().check_scope(current_user(), hall)
    return _page("editor/halls/hall.html", title=h.site.name, hall_id=hall, hall=h, offers=halls().offers(hall),
                 own=halls().own(hall), region=halls().region_names().get(h.site.region_code, ""))


# -- overrides --------------------------------------------------------------------------------------
def _override_page(hall_id: str, key: str, data: dict | None = None, extra: str | None = None, status: int = 200,
                   error: str | None = None, message: str | None = None):
    h = halls().check_scope(current_user(), hall_id)
    offer = halls().offer(hall_id, key)
    item = offer.item if offer.item is not None and offer.item.pending else None
    if data is None:
        data = dict(item.data if item is not None else offer.override)
    if extra is None:
        extra = override_text(data)
    _, result = check_override(offer.shared, offer.source, data, extra, halls().categories())
    shared = offer.shared
    locations = data.get("locations") or []
    fee = data.get("fee") if isinstance(data.get("fee"), dict) else {}
    return _page("editor/halls/override.html", status=status, title=f"{h.site.name}：{shared.name}", hall_id=hall_id,
                 hall=h, offer=offer, item=item, d=data, extra=extra, check=result, by_field=result.by_field(),
                 locations=list(locations) + [{}], fee_items=list(fee.get("items") or []) + [{}], fee=fee,
                 fee_mode=fee_mode(data), LOCATION_PARTS=LOCATION_PARTS, CONTACT_PARTS=CONTACT_PARTS,
                 FEE_PARTS=FEE_PARTS, form_keys=FORM_KEYS, unified=UNIFIED_KEYS, local=LOCAL_KEYS, error=error, message=message,
                 stale=item is not None and halls().stale(item), user=current_user(),
                 changes=halls().changes(item) if item is not None else [], shared_unified=_unified(shared), shared_owner=_shared_owner())


def _shared_owner() -> str:
    """Who keeps the shared text: the default hall and its region, in words."""
    rel = svc().current_release()
    region = rel.site.region_code
    name = halls().region_names().get(region or "", "")
    return f"{rel.site.hall_name}（{name}{region or ''}）"


def _unified(guide) -> list[tuple[str, str]]:
    """(label, YAML) of the shared guide's 六统一 elements, for reading beside the override."""
    data = guide.model_dump(mode="json", exclude_defaults=True)
    return [(label, data[k] if isinstance(data[k], str) else
             yaml.safe_dump(data[k], allow_unicode=True, sort_keys=False, width=1000).strip())
            for k, label in UNIFIED_KEYS.items() if k in data]


@bp.get("/<hall>/o/<key>")
@require_role(*READ)
def override(hall: str, key: str):
    _ids(hall, key)
    return _override_page(hall, key, message=DONE.get(request.args.get("done", "")))


@bp.post("/<hall>/o/<key>")
@require_role(*EDIT)
def save_override(hall: str, key: str):
    _ids(hall, key)
    user = current_user()
    halls().check_scope(user, hall)
    version = _version()
    action = request.form.get("action", "save")
    if action == "delete":
        try:
            halls().delete_override(user, hall, key, version)
        except (NotFound, OutOfScope):
            raise
        except EditorError as exc:
            return _override_page(hall, key, status=400, error=str(exc))
        return redirect(url_for("editor_halls.override", hall=hall, key=key, done="deleted"), 303)
    form_data, extra = override_from_form(request.form)
    offer = halls().offer(hall, key)
    data, result = check_override(offer.shared, offer.source, form_data, extra, halls().categories())
    if not result.ok and any(f.field == "extra" and f.code in ("E001", "E506", "E101", "E103", "E003")
                             for f in result.findings):
        # nothing is saved that the file checker would refuse outright (a 六统一 element, bad YAML)
        return _override_page(hall, key, form_data, extra, status=400,
                              error="未保存：本地覆盖只能修改办理地点、电话、收费等本地要素，请按提示修改。")
    try:
        item = halls().save_override(user, hall, key, version, data)
        if action == "submit":
            halls().submit(user, item.id, item.version)
            return redirect(url_for("editor_halls.override", hall=hall, key=key, done="submitted"), 303)
    except (NotFound, OutOfScope):
        raise
    except EditorError as exc:
        return _override_page(hall, key, data, extra, status=400, error=str(exc))
    return redirect(url_for("editor_halls.override", hall=hall, key=key, done="saved"), 303)


# -- own guides -------------------------------------------------------------------------------------
def _own_page(hall_id: str, code: str, text: str | None = None, status: int = 200, error: str | None = None,
              message: str | None = None):
    h = halls().check_scope(current_user(), hall_id)
    item = halls().item(hall_id, "own", code)
    published = halls().published_own(hall_id, code)
    if item is None and published is None:
        raise NotFound(f"大厅 {hall_id} 没有事项 {code}。")
    pending = item if item is not None and item.pending else None
    if text is None:
        text = to_yaml(pending.data if pending is not None else published)
    cats = halls().categories()
    result = check_guide_text(text, code, categories=cats, display="事项内容")
    return _page("editor/halls/own.html", status=status, title=f"{h.site.name}：{code}", hall_id=hall_id, hall=h,
                 code=code, item=pending, text=text, check=result, error=error, message=message, user=current_user(),
                 stale=pending is not None and halls().stale(pending),
                 changes=halls().changes(pending) if pending is not None else [])


@bp.get("/<hall>/own/<code>")
@require_role(*READ)
def own(hall: str, code: str):
    _ids(hall, code)
    return _own_page(hall, code, message=DONE.get(request.args.get("done", "")))


def _yaml_data(text: str) -> tuple[dict | None, str]:
    """(data, "") for a YAML mapping as plain JSON types, else (None, Chinese reason): an
    anchor, alias or nesting deeper than guides.yamlsource.MAX_DEPTH is refused before any
    object is built (guides.yamlsource.safe_load_plain)."""
    try:
        data = safe_load_plain(text)
    except YamlSyntaxError as exc:
        return None, f"未保存：第 {exc.line} 行{exc.message}。"
    except yaml.YAMLError:
        return None, "未保存：内容不是有效的 YAML 键值对，请按提示修改。"
    if not isinstance(data, dict):
        return None, "未保存：内容不是有效的 YAML 键值对，请按提示修改。"
    return json.loads(json.dumps(data, ensure_ascii=False, default=str)), ""


@bp.post("/<hall>/own/<code>")
@require_role(*EDIT)
def save_own(hall: str, code: str):
    _ids(hall, code)
    user = current_user()
    halls().check_scope(user, hall)
    text = request.form.get("yaml", "")[:200000]
    data, problem = _yaml_data(text)
    if data is None:
        return _own_page(hall, code, text, status=400, error=problem)
    try:
        item = halls().save_own(user, hall, code, _version(), data)
        if request.form.get("action") == "submit":
            halls().submit(user, item.id, item.version)
            return redirect(url_for("editor_halls.own", hall=hall, code=code, done="submitted"), 303)
    except (NotFound, OutOfScope):
        raise
    except CheckFailed as exc:
        return _own_page(hall, code, text, status=400, error="草稿已保存，但" + str(exc))
    except EditorError as exc:
        return _own_page(hall, code, text, status=400, error=str(exc))
    return redirect(url_for("editor_halls.own", hall=hall, code=code, done="saved"), 303)


@bp.route("/<hall>/own-new", methods=["GET", "POST"])
@require_role(*EDIT)
def new_own(hall: str):
    _ids(hall)
    user = current_user()
    h = halls().check_scope(user, hall)
    shared = svc().current_release().guides
    if request.method == "GET":
        return _page("editor/halls/new.html", title=f"{h.site.name}：新建事项", hall_id=hall, hall=h, shared=shared,
                     form={})
    code = request.form.get("code", "").strip()[:64]
    source = request.form.get("from", "")[:64]
    if source and source not in shared:
        return _page("editor/halls/new.html", status=400, title="新建事项", hall_id=hall, hall=h, shared=shared,
                     form=request.form, error=f"没有共享事项 {source}，请从列表中选择。")
    data = shared[source].model_dump(mode="json", exclude_defaults=True) if source else {
        "name": request.form.get("name", "").strip()[:200]}
    if request.form.get("name", "").strip():
        data["name"] = request.form["name"].strip()[:200]
    try:
        halls().create_own(user, hall, code, data)
    except OutOfScope:
        raise
    except EditorError as exc:
        return _page("editor/halls/new.html", status=400, title="新建事项", hall_id=hall, hall=h, shared=shared,
                     form=request.form, error=str(exc))
    return redirect(url_for("editor_halls.own", hall=hall, code=code, done="created"), 303)


# -- workflow ---------------------------------------------------------------------------------------
def _step(item_id: int, fn, done: str):
    found = [i for i in halls().items() if i.id == item_id]
    if not found:
        raise NotFound("没有这项修改。")
    item = found[0]
    try:
        fn(item)
    except (NotFound, OutOfScope):
        raise
    except EditorError as exc:
        return _error(str(exc), 400, _item_url(item))
    return redirect(_item_url(item) + f"?done={done}", 303)


@bp.post("/item/<int:item_id>/submit")
@require_role(*EDIT)
def submit(item_id: int):
    return _step(item_id, lambda i: halls().submit(current_user(), item_id, _version()),
                 "submitted")


@bp.post("/item/<int:item_id>/withdraw")
@require_role(*EDIT)
def withdraw(item_id: int):
    return _step(item_id, lambda i: halls().withdraw(current_user(), item_id, _version()),
                 "withdrawn")


@bp.post("/item/<int:item_id>/approve")
@require_role(*REVIEW)
def approve(item_id: int):
    return _step(item_id, lambda i: halls().approve(current_user(), item_id, _version()),
                 "approved")


@bp.post("/item/<int:item_id>/send-back")
@require_role(*REVIEW)
def send_back(item_id: int):
    comment = request.form.get("comment", "")[:2000]
    return _step(item_id, lambda i: halls().send_back(current_user(), item_id, _version(),
                                                      comment), "sent_back")


def _in_scope(items: list[HallItem]) -> list[HallItem]:
    covered = {h.id for h in halls().halls(current_user())}
    return [i for i in items if i.hall in covered]


@bp.get("/review")
@require_role(*REVIEW)
def review():
    user = current_user()
    rows = _in_scope(halls().items(status="in_review"))
    return _page("editor/halls/review.html", title="大厅待审核", rows=[r for r in rows if user.name not in r.authors],
                 own_rows=[r for r in rows if user.name in r.authors], item_url=_item_url)


@bp.route("/publish", methods=["GET", "POST"])
@require_role(*REVIEW)
def publish():
    rows = _in_scope(halls().items(status="approved"))
    if request.method == "GET":
        return _page("editor/halls/publish.html", title="发布大厅修改", rows=rows, item_url=_item_url,
                     release=svc().current_release())
    ids = [int(x) for x in request.form.getlist("item") if x.isascii() and x.isdigit()]
    if not ids:
        return _page("editor/halls/publish.html", status=400, title="发布大厅修改", rows=rows, item_url=_item_url,
                     release=svc().current_release(), error="没有选中任何已审核待发布的修改。")
    try:
        rel, created = svc().publish(current_user(), [], hall_items=ids,
                                     allow_revert=request.form.get("allow_revert") == "1")
    except OutOfScope:
        raise
    except EditorError as exc:
        return _page("editor/halls/publish.html", status=400, title="发布大厅修改", rows=rows, item_url=_item_url,
                     release=svc().current_release(), error=str(exc))
    msg = f"已发布 {rel.stamp}。手机页面和自助终端将显示新版本。" if created else f"内容与当前版本相同，未新建版本：{rel.stamp}"
    return _page("editor/halls/publish.html", title="发布大厅修改", rows=_in_scope(halls().items(status="approved")),
                 item_url=_item_url, release=svc().current_release(), message=msg)
