"""The hall manager's pages: /admin/stats (charts, tables, CSV/XLSX) and /admin/cases (差评
follow-up, deadlines, holiday files). Thin: guide_server.ratings.stats, .charts, .exports,
.cases and .calendar hold the rules.

Who may see what: the dashboard and the case list — editor, reviewer, manager (admin: all);
each case step as guide_server.ratings.cases.ACTIONS says; deadlines and holiday files — admin.
"""
from __future__ import annotations

from flask import Blueprint, Response, current_app, redirect, request, url_for

from guide_server.accounts.auth import add_nav, admin_page, current_user, require_role
from guide_server.ratings.calendar import CalendarError, install, parse_schedule
from guide_server.ratings.cases import ACTIONS, STATES, CaseError, Forbidden
from guide_server.ratings.charts import render
from guide_server.ratings.exports import to_csv, to_xlsx
from guide_server.ratings.stats import Period, PeriodError, StatsService
from guide_server.web import served

bp = Blueprint("ratings_admin", __name__)

READ = ("editor", "reviewer", "manager")
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'"  # a chart is an image: styles, never script


def init_app(app) -> None:
    app.extensions["stats"] = StatsService(app.extensions["ratings"].db, app.extensions["cases"])
    app.register_blueprint(bp)
    add_nav(app, "统计", "/admin/stats", *READ)
    add_nav(app, "差评整改", "/admin/cases", *READ)


def _stats() -> StatsService:
    return current_app.extensions["stats"]


def _cases():
    return current_app.extensions["cases"]


def _names() -> dict[str, str]:
    try:
        return {code: g.name for code, g in served().release.guides.items()}
    except Exception:  # noqa: BLE001 - no release yet: codes stand for themselves
        return {}


def _period():
    return Period.parse(request.args.get("from") or None, request.args.get("to") or None)


def _query(period: Period, hall: str) -> str:
    from urllib.parse import urlencode
    return urlencode({"from": period.start, "to": period.end, **({"hall": hall} if hall else {})})


# -- dashboard -------------------------------------------------------------------------------------
@bp.get("/admin/stats")
@require_role(*READ)
def stats():
    hall = request.args.get("hall", "")[:100]
    try:
        period = _period()
    except PeriodError as exc:
        return admin_page("admin/stats.html", status=400, title="统计", error=str(exc), tables=[], period=None,
                          hall=hall, halls=_stats().halls(), query="", overdue=[])
    current_app.extensions["usage"].flush()  # this worker's last counts too
    tables = _stats().dashboard(period, hall, _names())
    overdue = _cases().overdue_cases()
    missing = _cases().calendar.missing_years(*{int(m[:4]) for m in period.months()})
    return admin_page("admin/stats.html", title="统计", tables=tables, period=period, hall=hall,
                      halls=_stats().halls(), query=_query(period, hall), overdue=overdue, missing_years=missing)


def _table_or_404(key: str):
    hall = request.args.get("hall", "")[:100]
    try:
        period = _period()
    except PeriodError as exc:
        return None, None, Response(str(exc), status=400, mimetype="text/plain")
    table = _stats().table(key, period, hall, _names())
    if table is None:
        return None, None, Response("没有这个统计图。", status=404, mimetype="text/plain")
    return table, period, None


@bp.get("/admin/stats/<key>.svg")
@require_role(*READ)
def chart(key: str):
    table, _period_, bad = _table_or_404(key)
    if bad is not None:
        return bad
    resp = Response(render(table), mimetype="image/svg+xml")
    resp.headers["Content-Security-Policy"] = SVG_CSP
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.get("/admin/stats/<key>.<fmt>")
@require_role(*READ)
def download(key: str, fmt: str):
    if fmt not in ("csv", "xlsx"):
        return Response("只提供 CSV 和 XLSX 格式。", status=404, mimetype="text/plain")
    table, period, bad = _table_or_404(key)
    if bad is not None:
        return bad
    name = f"{key}_{period.start}_{period.end}.{fmt}"
    if fmt == "csv":
        resp = Response(to_csv(table), mimetype="text/csv")
    else:
        resp = Response(to_xlsx(table, period.label),
                        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp.headers["Content-Disposition"] = f"attachment; filename={name}"
    resp.headers["Cache-Control"] = "no-store"
    return resp


# -- cases ---------------------------------------------------------------------------------------------
@bp.get("/admin/cases")
@require_role(*READ)
def cases():
    state = request.args.get("state", "")
    if state not in ("", "all", *STATES):
        state = ""
    only_overdue = request.args.get("overdue") == "1"
    rows = _cases().list(state=state, only_overdue=only_overdue)
    return admin_page("admin/cases.html", title="差评整改", rows=rows, state=state, states=STATES,
                      only_overdue=only_overdue, names=_names())


def _case_page(case_id: int, status: int = 200, error: str = "", notice: str = "", contact: str = "",
               note: str = ""):
    try:
        case = _cases().get(case_id)
    except CaseError as exc:
        return admin_page("admin/message.html", status=404, title="没有此案件", message=str(exc),
                          link=(url_for("ratings_admin.cases"), "返回案件列表"))
    user = current_user()
    allowed = [(k, a[0]) for k, a in ACTIONS.items() if case.state in a[1] and user.has_role(*a[3])
               and not (k == "callback" and not case.named)]
    return admin_page("admin/case.html", status=status, title=f"差评案件 {case.id}", case=case,
                      history=_cases().history(case_id), actions=allowed, error=error, notice=notice,
                      contact=contact, note=note, names=_names())


@bp.get("/admin/cases/<int:case_id>")
@require_role(*READ)
def case(case_id: int):
    return _case_page(case_id)


@bp.post("/admin/cases/<int:case_id>")
@require_role(*READ)
def act(case_id: int):
    action = request.form.get("action", "")
    note = request.form.get("note", "")[:5000]
    try:
        _cases().act(current_user(), case_id, action, note)
    except Forbidden as exc:
        return _case_page(case_id, status=403, error=str(exc))
    except CaseError as exc:
        return _case_page(case_id, status=400, error=str(exc), note=note)
    return redirect(url_for("ratings_admin.case", case_id=case_id, done=action), 303)


@bp.post("/admin/cases/<int:case_id>/contact")
@require_role("manager")
def reveal(case_id: int):
    try:
        number = _cases().reveal_contact(current_user(), case_id)
    except CaseError as exc:
        return _case_page(case_id, status=400 if not isinstance(exc, Forbidden) else 403, error=str(exc))
    return _case_page(case_id, contact=number)


# -- deadlines and holidays (admin) --------------------------------------------------------------------
@bp.route("/admin/cases/settings", methods=["GET", "POST"])
@require_role("admin")
def settings():
    svc = _cases()
    error = notice = ""
    status = 200
    if request.method == "POST":
        try:
            nums = [int(request.form.get(k, "")) for k in ("verify_days", "rectify_days", "callback_days")]
        except ValueError:
            error, status = "时限请填写整数（工作日）。", 400
        else:
            try:
                svc.set_deadlines(current_user(), request.form.get("hall", "").strip()[:100], *nums)
                notice = "已保存。新开的案件和此后的核实、复核按新时限计算。"
            except CaseError as exc:
                error, status = str(exc), 400
    years = sorted(svc.calendar.years.values(), key=lambda y: y.year)
    return admin_page("admin/case_settings.html", status=status, title="整改时限与节假日",
                      settings=svc.all_deadlines(), defaults=svc.deadlines(""), years=years, error=error,
                      notice=notice)


@bp.post("/admin/cases/holidays")
@require_role("admin")
def holidays():
    svc = _cases()
    upload = request.files.get("file")
    status, error, notice = 200, "", ""
    if upload is None or not upload.filename:
        status, error = 400, "请选择一个节假日安排文件（YAML）。"
    else:
        raw = upload.read(64 * 1024)
        try:
            text = raw.decode("utf-8-sig")
            sched = parse_schedule(text, upload.filename[:80])
        except UnicodeDecodeError:
            status, error = 400, f"{upload.filename[:80]}：文件不是 UTF-8 编码。"
        except CalendarError as exc:
            status, error = 400, str(exc)
        else:
            import tempfile
            from pathlib import Path
            with tempfile.TemporaryDirectory() as tmp:
                p = Path(tmp) / f"{sched.year}.yaml"
                p.write_text(text, encoding="utf-8")
                install(current_app.instance_path, p)
            svc.reload_calendar()
            from guide_server.audit import append
            db = svc.db
            with db.session.begin() as s:
                append(s, current_user().name, "holidays_loaded", None, f"载入 {sched.year} 年节假日安排：{sched.source}")
            notice = f"已载入 {sched.year} 年节假日安排（放假 {len(sched.off)} 天，调休上班 {len(sched.worked)} 天）。"
    years = sorted(svc.calendar.years.values(), key=lambda y: y.year)
    return admin_page("admin/case_settings.html", status=status, title="整改时限与节假日",
                      settings=svc.all_deadlines(), defaults=svc.deadlines(""), years=years, error=error,
                      notice=notice)
