"""好差评 views: the form, the POST (CSRF token or same-origin check; a one-time form token
makes it idempotent, see guide_server.ratings.form), thanks, aggregates."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, redirect, request
from flask_wtf.csrf import CSRFError, generate_csrf

from pydantic import ValidationError

from guide_server.extensions import csrf
from guide_server.inputs import describe
from guide_server.privacy import find_personal_data
from guide_server.ratings import form as rating_form
from guide_server.ratings.service import LEVELS, REASONS, AlreadyRated, RateLimited, RatingError, parse
from guide_server.security import client_hash
from guide_server.web import page, served

bp = Blueprint("ratings", __name__)


def _guide(code: str):
    s = served()
    g = s.any_guide(code)  # with several halls, a hall's own guide is rated too
    if g is None:
        abort(404)
    return s, g


def _service():
    return current_app.extensions["ratings"]


def _origin_ok() -> bool:
    """Same-origin check for the token-less form on the cached/static guide page.

    Browsers send Origin with every form POST; it must name this host or the
    site's public base URL. Without Origin, Sec-Fetch-Site or Referer must agree.
    """
    allowed = {request.host.lower()}
    try:
        base = urlsplit(served().release.site.public_base_url)
        if base.netloc:
            allowed.add(base.netloc.lower())
    except Exception:  # noqa: BLE001 - the check must fail closed, not crash
        pass
    origin = request.headers.get("Origin")
    if origin:
        return origin != "null" and urlsplit(origin).netloc.lower() in allowed
    if request.headers.get("Sec-Fetch-Site") == "same-origin":
        return True
    referer = request.headers.get("Referer")
    return bool(referer) and urlsplit(referer).netloc.lower() in allowed


def _public_numbers(s, g, hall_view=None) -> list[str]:
    """The phone numbers the guide, the site and the hall publish: a comment may quote them."""
    texts = [g.contacts.consult, g.contacts.complaint or "", s.release.site.hotline]
    if hall_view is not None:
        texts.append(getattr(hall_view.site, "hotline", "") or "")
    return [f.value for t in texts for f in find_personal_data(t)]


def _hall_view(s, hall_id: str, code: str):
    """The view of the hall whose page the form was on (its `hall` field), when that hall
    offers guide `code`. Without that field (a form posted from elsewhere), a guide the
    default hall does not offer is rated under the one hall that does. None otherwise: the
    rating counts under the default hall."""
    if not hall_id:
        if not s.several_halls or code in s.release.guides:
            return None
        halls = s.release.content.halls_offering(code)
        if len(halls) != 1:
            return None
        hall_id = halls[0]
    view = s.hall(hall_id)
    return view if view is not None and code in view.guides else None


def _form_page(g, status=200, errors=None, form=None, hall_view=None):
    """The rating form, with a CSRF token and a fresh one-time form token."""
    token = rating_form.issue(current_app.config["SECRET_KEY"], g.code)
    return page("rate.html", status=status, guide=g, levels=LEVELS, reasons=REASONS, errors=errors,
                form=form, csrf=generate_csrf(), form_token=token, title=f"评价：{g.name}",
                served_view=hall_view)


@bp.get("/g/<code>/rate")
def rate_form(code: str):
    _s, g = _guide(code)
    return _form_page(g)


@bp.post("/g/<code>/rate")
def rate(code: str):
    s, g = _guide(code)
    if "csrf_token" in request.form:
        try:
            csrf.protect()
        except CSRFError:
            return page("error.html", status=400, back="/",
                        message="页面已过期，请返回办事指南页面重新提交评价。", title="页面已过期")
    elif not _origin_ok():
        return page("error.html", status=403, back="/",
                    message="无法确认评价来自本站页面，请回到办事指南页面重新提交。", title="无法提交")
    try:
        posted = rating_form.RatingFormPost.model_validate(
            {k: (request.form.getlist(k) if k == "reason" else request.form.get(k)) for k in request.form})
    except ValidationError as exc:
        return page("error.html", status=400, back=f"/g/{code}", message=describe(exc, "表单"),
                    title="无法提交")
    form = {"level": posted.level, "reasons": posted.reason, "comment": posted.comment, "contact": posted.contact}
    hall_view = _hall_view(s, posted.hall, code)
    if hall_view is not None:
        g = hall_view.guides[code]   # the hall's own windows and phones
    try:
        data = parse(form["level"], form["reasons"], form["comment"], form["contact"],
                     public_numbers=_public_numbers(s, g, hall_view))
    except RatingError as exc:
        return _form_page(g, status=400, errors=exc.errors, form=form, hall_view=hall_view)
    secret = current_app.config["SECRET_KEY"]
    client = client_hash(secret, request.remote_addr)
    if posted.form_token:
        try:
            once = rating_form.verify(secret, posted.form_token, code)
        except rating_form.FormTokenError as exc:
            return _form_page(g, status=400, errors={"form": str(exc)}, form=form, hall_view=hall_view)
    else:  # the cached or exported guide page: keyed by what it says
        once = rating_form.content_key(client, code, data.level, data.reasons, data.comment)
    via = request.cookies.get("via")
    try:
        _service().add(code, s.release.number, data, client, channel=via if via in ("poster", "window") else "phone",
                       once=once, hall=hall_view.site.hall_name if hall_view else s.release.site.hall_name,
                       department=g.department)
    except AlreadyRated:
        pass  # stored by the first post of this form: answer as it was answered
    except RateLimited:
        resp = page("error.html", status=429, back=f"/g/{code}",
                    message="您提交评价太频繁了，请过十分钟后再试。感谢您的耐心。", title="请稍后再试")
        resp.headers["Retry-After"] = str(current_app.config["RATING_WINDOW"])
        return resp
    return redirect(f"/g/{code}/rated", 303)


@bp.get("/g/<code>/rated")
def thanks(code: str):
    _s, g = _guide(code)
    return page("thanks.html", guide=g, summary=_service().summary(code), levels=LEVELS,
                title="感谢您的评价")


@bp.get("/g/<code>/ratings")
def guide_ratings(code: str):
    _s, g = _guide(code)
    return page("ratings_guide.html", guide=g, summary=_service().summary(code), levels=LEVELS,
                reasons=REASONS, comments=_service().recent_comments(code), title=f"评价：{g.name}")


@bp.get("/ratings")
def all_ratings():
    s = served()
    summaries = _service().summaries()
    rows = [(g, summaries.get(code)) for code, g in s.release.guides.items()]
    return page("ratings.html", rows=rows, title="好差评结果公开")


@bp.get("/pingjia")
def pingjia():
    """评价结果公开: satisfaction and counts per department and guide for a period, and the
    rectified 差评 with what was done. Figures only: no comment, no contact, nobody's name."""
    from guide_server.ratings.stats import Period, PeriodError

    s = served()
    stats = current_app.extensions.get("stats")
    try:
        period = Period.parse(request.args.get("from") or None, request.args.get("to") or None)
    except PeriodError as exc:
        return page("error.html", status=400, back="/pingjia", message=str(exc), title="期间有误")
    names = {code: g.name for code, g in s.release.guides.items()}
    departments = stats.satisfaction("department", period)
    guides = stats.satisfaction("guide", period, names=names)
    rectified = current_app.extensions["cases"].rectified_public(period.start, period.end)
    return page("pingjia.html", period=period, departments=departments, guides=guides, rectified=rectified,
                names=names, title="评价结果公开")
