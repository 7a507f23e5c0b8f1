"""/editor/: the web editor for guides (form, checker, preview, review, publish, history, audit).

HTTP only; the workflow is guide_server.editor.service.EditorService, the form mapping
guide_server.editor.form. Roles: editor writes and submits, reviewer reviews and
publishes, admin may do both (but nobody approves a change they made).
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, send_file, url_for

from guide_server.accounts.auth import add_nav, admin_page, current_user, require_role
from guide_server.editor.service import (ACTIONS, STATUSES, CheckFailed, Conflict, EditorError, EditorService, NotFound,
                                         OutOfScope,
                                         StalePublish, diff_lines)
from guide_server.editor.messages import plain_message
from guide_server.editor import form as F
from guide_server.editor.attachments import MAX_BYTES, AttachmentError
from guide_server.editor.form import (ROWS, FormError, blank_guide, extra_keys, extra_yaml, from_form, keep_date,
                                      rows_for_display, structure_errors)
from guide_server.editor.placing import form_field, place, rendered_keys
from guides.cases import UnknownAnswer, all_paths, answers_from_query, path_query, resolve
from guide_server.inputs import BadInput
from guide_server.web import form_int, query_int

bp = Blueprint("editor", __name__, url_prefix="/editor")
EDIT = ("editor",)
READ = ("editor", "reviewer")
REVIEW = ("reviewer",)
CODE = re.compile(r"^[0-9A-Za-z-]{1,64}$")
EDITOR_CSP = ("default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; "
              "img-src 'self' data:; frame-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
# The phone page preview is framed by the editor's preview page (same origin only); like the
# phone pages themselves it runs no script.
FRAME_CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'none'; "
             "base-uri 'none'; frame-ancestors 'self'")


def init_app(app) -> None:
    app.extensions["editor"] = service = EditorService(app.extensions["db"], app.instance_path)
    # Finish or close what a crash interrupted before anyone is served (once per app: with
    # gunicorn's preload, in the master before the workers fork).
    for line in service.reconcile():
        app.logger.warning("start-up repair: %s", line)
    service.db.engine.dispose()  # no database connection may be shared with forked workers
    app.register_blueprint(bp)
    app.add_template_filter(plain_message, "plain")
    add_nav(app, "办事指南", "/editor/", *READ)
    add_nav(app, "待我审核", "/editor/review", *REVIEW)
    add_nav(app, "发布", "/editor/publish", *REVIEW)
    add_nav(app, "审计日志", "/editor/audit", "reviewer", "admin")


def svc() -> EditorService:
    return current_app.extensions["editor"]


@bp.errorhandler(BadInput)
def _bad_input(exc: BadInput):
    return _error(exc.message, exc.status)


@bp.after_request
def _csp(resp):
    if request.endpoint == "editor.phone":
        resp.headers["Content-Security-Policy"] = FRAME_CSP
        resp.headers["X-Frame-Options"] = "SAMEORIGIN"
    else:
        resp.headers["Content-Security-Policy"] = EDITOR_CSP  # our own editor.js only
    resp.headers.setdefault("Cache-Control", "no-store")
    return resp


def _page(template: str, status: int = 200, **ctx):
    return admin_page(template, status=status, statuses=STATUSES, actions=ACTIONS, **ctx)


def _error(message: str, status: int = 400, back: str | None = None):
    return _page("admin/message.html", status=status, title="无法完成操作", message=message,
                 link=(back, "返回") if back else None)


def _row(code: str):
    if not CODE.match(code):
        return None
    try:
        return svc().get(code)
    except NotFound:
        return None


def _version() -> int | None:
    """The version the editor started from (form field `version`); ASCII digits or a 400."""
    return form_int("version", minimum=0)


# -- list -----------------------------------------------------------------------------------------
@bp.get("/")
@require_role(*READ)
def index():
    q = request.args.get("q", "")[:50]
    category = request.args.get("category", "")[:50]
    status = request.args.get("status", "")
    if status not in STATUSES and status != "changed":
        status = ""
    rows = svc().list(q, category, status)
    return _page("editor/list.html", title="办事指南", rows=rows, q=q, category=category, status_filter=status,
                 categories=svc().categories(), release=svc().current_release())


# -- new / copy -------------------------------------------------------------------------------------
@bp.route("/new", methods=["GET", "POST"])
@require_role(*EDIT)
def new():
    source = request.values.get("from", "")[:64]
    src = _row(source) if source else None
    if request.method == "GET":
        return _page("editor/new.html", title="新建事项" if not src else f"复制：{src.name}", source=src,
                     categories=svc().categories(), form={})
    code = request.form.get("code", "").strip()[:64]
    name = request.form.get("name", "").strip()[:200]
    category = request.form.get("category", "").strip()[:100]
    data = dict(src.data) if src else blank_guide()
    if name:
        data["name"] = name
    if category:
        data["category"] = category
    try:
        row = svc().create(current_user(), code, data, copied_from=src.code if src else None)
    except EditorError as exc:
        return _page("editor/new.html", status=_status(exc), title="新建事项", source=src, error=str(exc),
                     categories=svc().categories(), form=request.form)
    return redirect(url_for("editor.edit", code=row.code), 303)


# -- the form ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _FormMessage:
    """A message of the form itself (not of the checker) beside a field; shaped like a finding."""
    field: str
    message: str
    code: str = "FORM"
    is_error: bool = True


_ADD = re.compile(r"^(materials\.group|materials\.[0-9]{1,3}\.items|questions|questions\.[0-9]{1,3}\.options|time_limit|speed)$")


def _attachment_known(name: str) -> bool:
    """True when `name` is an upload of the editor or an attachment of the current release."""
    rel = svc().current_release()
    return svc().attachments.path(name) is not None or (rel is not None and name in rel.attachments)


def _form_page(row, data, status=200, check=None, message=None, error=None, extra=None, conflict=None,
               field_errors: dict[str, list[str]] | None = None):
    """The form for `data`, each checker finding (and each of `field_errors`) beside its field."""
    check = check if check is not None else svc().check(data)
    release = svc().current_release()
    published = svc().published(row.code)
    changes = diff_lines(published, row.data, f"发布版本 {release.label}" if release else "发布版本", "此版本") \
        if published != row.data else []
    in_extra = extra_keys(data)
    ctx = dict(title=f"{data.get('name') or row.code}", row=row, d=data, rows=rows_for_display(data, extra),
               check=check, in_extra=in_extra, extra_text=data.get("_extra_text", extra_yaml(data)),
               tl_shape=F.time_limit_shape(data, extra), speed_shape=F.time_limit_shape(data, extra, "speed"),
               choices=F.when_choices(data), attachment_known=_attachment_known, categories=svc().categories(),
               message=message, error=error, conflict=conflict, user=current_user(), release=release,
               changes=changes, stale=svc().stale(row), **F.TEMPLATE_NAMES)
    # Where each message goes depends on which fields the form draws: draw it once to learn that.
    keys = rendered_keys(render_template("editor/edit.html", by_field={}, placed=[], csrf_token="", nav=[],
                                         here=request.path, **ctx))
    by_field: dict[str, list] = {}
    placed = []
    for f in check.findings:
        top = str(f.path[0]) if f.path else ""
        key = "_extra" if top in in_extra else place(f.path, data, keys)
        by_field.setdefault(key, []).append(f)
        placed.append((f, key))
    for field, messages in (field_errors or {}).items():
        key = place(tuple(field.split(".")), data, keys) or "_extra"
        for text in messages:
            msg = _FormMessage(field, text)
            by_field.setdefault(key, []).append(msg)
            placed.append((msg, key))
    return _page("editor/edit.html", status=status, by_field=by_field, placed=placed, **ctx)


@bp.get("/g/<code>")
@require_role(*READ)
def edit(code: str):
    row = _row(code)
    if row is None:
        return _error("没有这个事项。", 404, url_for("editor.index"))
    msg = {"saved": "已保存草稿。", "submitted": "已提交审核。", "approved": "已审核通过，等待发布。",
           "sent_back": "已退回修改。", "retire": "已申请停用，请提交审核。", "restored": "已把历史版本恢复为新草稿。",
           "withdrawn": "已撤回审核，可以继续修改。"}.get(request.args.get("done", ""))
    return _form_page(row, row.data, message=msg)


_FIELD = re.compile(r"^[a-z_]{1,20}(\.[a-z0-9_]{1,20}){1,5}$")


def _uploads(code: str) -> tuple[dict, dict[str, list[str]]]:
    """The files chosen in the form's upload inputs, checked (nothing written):
    ({attachment field: Upload}, {attachment field: [Chinese message]})."""
    checked, errors = {}, {}
    for key, f in request.files.items(multi=True):
        if not key.endswith(F.UPLOAD) or not f or not f.filename:
            continue
        field = key[: -len(F.UPLOAD)]
        if not _FIELD.match(field):
            continue
        data = f.stream.read(MAX_BYTES + 1)
        try:
            checked[field] = svc().attachments.check(f.filename, data, f"{code}-{field.replace('.', '-')}")
        except AttachmentError as exc:
            errors[field] = [str(exc)]
    return checked, errors


@bp.url_value_preprocessor
def _upload_limit(endpoint, _values):
    """The guide form may carry attachments, and a long guide's form is more than the app's
    default body limit: larger limits for these two endpoints (set before the CSRF check
    reads the form)."""
    if endpoint == "editor.save" and request.method == "POST":
        request.max_content_length = MAX_BYTES * 4 + 512 * 1024
        request.max_form_memory_size = 2 * 1024 * 1024
    elif endpoint == "editor.check" and request.method == "POST":  # the whole form, without files
        request.max_content_length = 512 * 1024


@bp.post("/g/<code>")
@require_role(*EDIT)
def save(code: str):
    row = _row(code)
    if row is None:
        return _error("没有这个事项。", 404, url_for("editor.index"))
    action = request.form.get("action", "save")
    uploads, upload_errors = _uploads(code)
    try:
        data = from_form(request.form, code)
    except FormError as exc:
        return _form_page(row, exc.data, status=400, error=str(exc), field_errors={**exc.fields, **upload_errors})
    if upload_errors:
        return _form_page(row, data, status=400, field_errors=upload_errors,
                          error="附件未能上传，事项也未保存，请按提示重新选择文件。")
    released = dict(svc().current_release().attachments) if svc().current_release() else {}
    written: list[str] = []
    names: dict[str, str] = {}
    is_add = action.startswith("add:") or action.startswith("remove:")
    if not is_add:
        problems = structure_errors(data)
        if problems:
            return _form_page(row, data, status=400, field_errors=problems,
                              error=f"情形引导有 {sum(map(len, problems.values()))} 处需要修改，事项未保存。请按提示修改后再保存。")
    for field, upload in uploads.items():
        name, new = svc().attachments.store(upload, released)
        names[field] = name
        if new:
            written.append(name)
    if names:
        data = from_form(request.form, code, uploads=names)
    data = keep_date(data, row.data)
    version = _version()
    if is_add:
        key = action[4:] if action.startswith("add:") else ""
        ok = key in ROWS or bool(_ADD.match(key))
        return _form_page(row, data, extra=key if ok else None,
                          message="已添加，填写后请保存。" if ok else "已删除，保存后生效。")
    try:
        row = svc().save(current_user(), code, version, data)
        if action == "submit":
            svc().submit(current_user(), code, row.version)
            return redirect(url_for("editor.edit", code=code, done="submitted"), 303)
    except Conflict as exc:
        _forget(written)
        theirs = exc.current
        return _form_page(theirs, data, status=409, error=str(exc),
                          conflict=diff_lines(theirs.data, data, "已保存的版本", "您填写的内容"))
    except CheckFailed as exc:
        return _form_page(svc().get(code), data, status=400, check=exc.check,
                          error="草稿已保存，但" + str(exc))
    except EditorError as exc:
        _forget(written)
        return _form_page(row, data, status=_status(exc), error=str(exc))
    return redirect(url_for("editor.edit", code=code, done="saved"), 303)


def _forget(names: list[str]) -> None:
    """Remove the files this request stored when its save did not happen."""
    for name in names:
        svc().attachments.remove(name)


@bp.post("/g/<code>/check")
@require_role(*EDIT)
def check(code: str):
    """The checker for editor.js: findings by field for the form as it is now (form fields
    named as the form names them, e.g. "time_limit.0.promised")."""
    try:
        data = from_form(request.form, code)
    except FormError as exc:
        return jsonify(ok=False, findings=[{"field": "_extra", "code": "E001", "message": str(exc), "error": True}])
    result = svc().check(data)
    findings = [{"field": form_field(f.path, data), "code": f.code, "message": plain_message(f.message),
                 "error": f.is_error} for f in result.findings]
    findings += [{"field": field, "code": "FORM", "message": text, "error": True}
                 for field, texts in structure_errors(data).items() for text in texts]
    return jsonify(ok=result.ok and len(findings) == len(result.findings), findings=findings)


def _status(exc: EditorError) -> int:
    """403 when the user's scope does not cover the guide, else 400."""
    return 403 if isinstance(exc, OutOfScope) else 400


def _workflow(code: str, fn, done: str):
    row = _row(code)
    if row is None:
        return _error("没有这个事项。", 404, url_for("editor.index"))
    try:
        fn(row)
    except Conflict as exc:
        return _error(str(exc).replace("您填写的内容仍保留在下面，请核对差异后再保存。", "请刷新页面后再操作。"), 409,
                      url_for("editor.edit", code=code))
    except CheckFailed as exc:
        return _form_page(row, row.data, status=400, check=exc.check, error=str(exc))
    except EditorError as exc:
        return _error(str(exc), _status(exc), url_for("editor.edit", code=code))
    return redirect(url_for("editor.edit", code=code, done=done), 303)


@bp.post("/g/<code>/submit")
@require_role(*EDIT)
def submit(code: str):
    return _workflow(code, lambda r: svc().submit(current_user(), code, _version()), "submitted")


@bp.post("/g/<code>/withdraw")
@require_role(*EDIT)
def withdraw(code: str):
    return _workflow(code, lambda r: svc().withdraw(current_user(), code, _version()), "withdrawn")


@bp.post("/g/<code>/retire")
@require_role(*EDIT)
def retire(code: str):
    successor = request.form.get("successor", "")[:64]
    return _workflow(code, lambda r: svc().retire(current_user(), code, _version(), successor), "retire")


@bp.post("/g/<code>/approve")
@require_role(*REVIEW)
def approve(code: str):
    return _workflow(code, lambda r: svc().approve(current_user(), code, _version()), "approved")


@bp.post("/g/<code>/send-back")
@require_role(*REVIEW)
def send_back(code: str):
    comment = request.form.get("comment", "")[:2000]
    return _workflow(code, lambda r: svc().send_back(current_user(), code, _version(), comment), "sent_back")


# -- preview ------------------------------------------------------------------------------------------
_PREVIEW_ARGS = ("v", "mode")


def _path_answers(guide) -> dict[str, str]:
    """The answer path in the query string (as on the phone page: /g/<code>?why=lost);
    UnknownAnswer for a question or option the guide does not have."""
    answers = answers_from_query(guide, request.args.items(multi=True), ignore=_PREVIEW_ARGS)
    path_query(guide, answers)
    return answers


def _path_label(guide, answers: dict[str, str]) -> str:
    return resolve(guide, answers).answers_text or "全部情形"


@bp.get("/g/<code>/preview")
@require_role(*READ)
def preview(code: str):
    """Previews of the working copy: the phone page, the kiosk size and the 一次告知单, for
    one answer path (chosen among every path of the guide's 情形) or the whole guide."""
    row = _row(code)
    if row is None:
        return _error("没有这个事项。", 404, url_for("editor.index"))
    result = svc().check(row.data)
    rel = svc().current_release()
    guide, answers, paths = result.guide, {}, []
    if guide is not None:
        try:
            answers = _path_answers(guide)
        except UnknownAnswer as exc:
            return _error(f"{exc.message}，无法预览这种情形。", 404, url_for("editor.preview", code=code))
        paths = [(p, path_query(guide, p), _path_label(guide, p)) for p in all_paths(guide)] if guide.questions else []
    query = path_query(guide, answers) if guide is not None else ""
    return _page("editor/preview.html", title=f"预览：{row.name}", row=row, guide=guide, check=result,
                 release=rel, site=rel.site if rel else None, printing=False, answers=answers, query=query,
                 paths=paths, path_label=_path_label(guide, answers) if guide is not None else "",
                 category=None, cache=row.version)


@bp.get("/g/<code>/phone")
@require_role(*READ)
def phone(code: str):
    """The working copy through the phone page's own template and context (framed by the
    preview page), on the answer path in the query string."""
    row = _row(code)
    if row is None:
        return _error("没有这个事项。", 404)
    result = svc().check(row.data)
    rel = svc().current_release()
    if result.guide is None or rel is None:
        return _error("内容检查未通过，暂时无法预览。", 400)
    from guide_server.public.pages import path_context

    guide = result.guide
    try:
        ctx = path_context(guide, rel.site, _path_answers(guide))
    except UnknownAnswer as exc:
        return _error(f"{exc.message}。", 404)
    by_name = {c.name: c for c in rel.categories}
    elder = request.args.get("mode") == "elder"
    body = render_template("guide.html", site=rel.site, release=rel, stamp="预览 · 未发布", elder=elder,
                           here=f"/g/{code}", css_url=current_app.config["CSS_URL"], categories=rel.categories,
                           cat_by_name=by_name, guide=guide, category=by_name.get(guide.category), **ctx)
    return current_app.response_class(body, mimetype="text/html")


@bp.get("/g/<code>/receipt.png")
@require_role(*READ)
def receipt(code: str):
    row = _row(code)
    if row is None:
        return _error("没有这个事项。", 404)
    result = svc().check(row.data)
    rel = svc().current_release()
    if result.guide is None or rel is None:
        return _error("内容检查未通过，暂时无法生成一次告知单。", 400)
    try:
        answers = _path_answers(result.guide)
    except UnknownAnswer as exc:
        return _error(f"{exc.message}。", 404)
    from guide_server.editor.preview import receipt_png

    png = receipt_png(result.guide, rel.site, "预览 · 未发布", answers=answers)
    resp = send_file(io.BytesIO(png), mimetype="image/png", max_age=0)
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.get("/forms/<name>")
@require_role(*READ)
def attachment(name: str):
    """An attachment a working copy names, for editors and reviewers to look at before it is
    released: an upload not released yet, or the current release's file."""
    from guide_server.public.attachments import disposition, media_type

    path = svc().attachments.path(name)
    if path is not None:
        data = path.read_bytes()
    else:
        rel = svc().current_release()
        if rel is None or name not in rel.attachments:
            return _error("没有这个附件。", 404)
        data = svc().releases.attachment(rel.number, name)
    resp = current_app.response_class(data, mimetype=media_type(name))
    resp.headers["Content-Disposition"] = disposition(name).replace("attachment", "inline", 1)
    resp.headers["Content-Security-Policy"] = "default-src 'none'"
    return resp


# -- history ------------------------------------------------------------------------------------------
@bp.get("/g/<code>/history")
@require_role(*READ)
def history(code: str):
    row = _row(code)
    if row is None:
        return _error("没有这个事项。", 404, url_for("editor.index"))
    revs = svc().history(code)
    numbers = [r.number for r in revs]
    b = query_int("b", minimum=1) or (numbers[0] if numbers else None)
    a = query_int("a", minimum=1) or (numbers[1] if len(numbers) > 1 else b)
    by_number = {r.number: r for r in revs}
    diff = []
    if a in by_number and b in by_number:
        diff = diff_lines(by_number[a].data, by_number[b].data, f"第 {a} 版", f"第 {b} 版")
    return _page("editor/history.html", title=f"历史：{row.name}", row=row, revs=revs, a=a, b=b, diff=diff,
                 audit=svc().audit(code, 50))


@bp.post("/g/<code>/restore")
@require_role(*EDIT)
def restore(code: str):
    number = form_int("number", minimum=1)
    return _workflow(code, lambda r: svc().restore(current_user(), code, _version(), number or 0), "restored")


# -- review, publish and audit -----------------------------------------------------------------------------
@bp.get("/review")
@require_role(*REVIEW)
def review():
    """待我审核: guides waiting for review that this reviewer did not change themselves."""
    user = current_user()
    rows = svc().list(status="in_review")
    mine = [r for r in rows if user.name not in r.authors]
    return _page("editor/review.html", title="待我审核", rows=mine, own=[r for r in rows if r not in mine],
                 release=svc().current_release())


@bp.route("/publish", methods=["GET", "POST"])
@require_role(*REVIEW)
def publish():
    rows = svc().list(status="approved")
    stale = {r.code for r in rows if svc().stale(r)}
    if request.method == "GET":
        return _page("editor/publish.html", title="发布", rows=rows, stale=stale, release=svc().current_release())
    codes = [c for c in request.form.getlist("code") if CODE.match(c)]
    try:
        rel, created = svc().publish(current_user(), codes, allow_revert=request.form.get("allow_revert") == "1")
    except CheckFailed as exc:
        return _error(str(exc), 400, url_for("editor.publish"))
    except EditorError as exc:
        return _page("editor/publish.html", status=409 if isinstance(exc, StalePublish) else _status(exc), title="发布",
                     rows=rows, stale=stale, error=str(exc), release=svc().current_release())
    msg = f"已发布 {rel.stamp}。手机页面和自助终端将显示新版本。" if created else f"内容与当前版本相同，未新建版本：{rel.stamp}"
    return _page("editor/publish.html", title="发布", rows=svc().list(status="approved"), message=msg, stale=set(),
                 release=svc().current_release())


@bp.get("/audit")
@require_role("reviewer", "admin")
def audit():
    code = request.args.get("code", "")[:64]
    return _page("editor/audit.html", title="审计日志", entries=svc().audit(code or None, 300), code=code)
