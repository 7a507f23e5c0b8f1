"""Phone pages: home, category, search, guide, print layout, 长辈版 switch, errors."""
from __future__ import annotations

import json

from flask import Blueprint, abort, current_app, jsonify, make_response, redirect, request
from werkzeug.exceptions import HTTPException

from guides.cases import UnknownAnswer, answers_from_query, path_query, with_answer
from guides.present import guide_view
from guides.glyphs import char_label, undrawable_chars
from guides.halls import DEFAULT_HALL
from guides.release import ReleaseError
from guide_server.inputs import BadInput
from guide_server.state import hall_site
from guide_server.web import ELDER, MODE_COOKIE, NoRelease, cached_page, page, safe_next, served, wants_json

bp = Blueprint("pages", __name__)

SEARCH_MAX = 50
# Parameters that messaging apps and campaign links append to a shared URL; they are not answers.
SHARE_PARAMS = frozenset({"from", "isappinstalled", "scene", "share_source", "spm"})


def _hall(hall_id: str):
    view = served().hall(hall_id)
    if view is None:
        abort(404)
    return view


def _home(s, key: tuple):
    person = [c for c in s.release.categories if "个人" in [a.value for a in c.audience]]
    legal = [c for c in s.release.categories if "法人" in [a.value for a in c.audience]]
    return cached_page(key, "home.html", served_view=s, person=person, legal=legal, featured=s.featured,
                       by_category=s.by_category, title=None)


@bp.get("/")
def home():
    s = served()
    if s.several_halls:
        return cached_page(("home",), "halls.html", halls=hall_list(s), title="选择办事大厅")
    return _home(s, ("home",))


def hall_list(s) -> list[tuple[str, object, str]]:
    """Every hall as (id, site data, region name), the default hall first, then by region code."""
    regions = s.release.content.regions
    rows = []
    for hall_id in [DEFAULT_HALL, *s.release.content.halls]:
        site = hall_site(s.release, hall_id)  # not the hall's whole view: a province has thousands
        code = site.region_code or ""
        rows.append((hall_id, site, regions[code].name if code in regions else ""))
    return [rows[0], *sorted(rows[1:], key=lambda r: (r[1].region_code or "", r[0]))]


@bp.get("/h/<hall_id>/")
def hall_home(hall_id: str):
    return _home(_hall(hall_id), ("h", hall_id, "home"))


def _category(s, slug: str, key: tuple):
    cat = s.category_by_slug.get(slug)
    if cat is None:
        by_name = s.category_by_name.get(slug)
        if by_name is not None:
            return redirect(f"{s.base}/c/{by_name.slug}", 301)
        abort(404)
    return cached_page(key, "category.html", served_view=s, category=cat, guides=s.by_category[slug],
                       title=cat.name)


@bp.get("/c/<slug>")
def category(slug: str):
    s = served()
    return _category(s.hall(DEFAULT_HALL), slug, ("category", slug))


@bp.get("/h/<hall_id>/c/<slug>")
def hall_category(hall_id: str, slug: str):
    return _category(_hall(hall_id), slug, ("h", hall_id, "category", slug))


def _search(s):
    q = request.args.get("q", "").strip()
    if len(q) > SEARCH_MAX:
        q = q[:SEARCH_MAX]
    hits = s.index.search(q, limit=30) if q else []
    results = [(h, s.guides[h.code]) for h in hits]
    if q and not hits:
        _count_miss(s, q)
    resp = page("search.html", served_view=s, q=q, results=results, by_category=s.by_category,
                title=f"搜索：{q}" if q else "搜索办事事项")
    resp.headers["Cache-Control"] = "no-cache"
    return resp


@bp.get("/search")
def search():
    return _search(served().hall(DEFAULT_HALL))


@bp.get("/h/<hall_id>/search")
def hall_search(hall_id: str):
    return _search(_hall(hall_id))


class _Retired(Exception):
    def __init__(self, retired):
        self.retired = retired


def _guide(code: str, s=None):
    s = s or served()
    guide = s.guides.get(code) if s.guides else s.release.guides.get(code)
    if guide is None:
        retired = s.release.retired.get(code)
        if retired is not None:
            raise _Retired(retired)
        abort(404)
    return s, guide


def retired_page(retired):
    """Posters in halls keep working: a retired code's QR URL says 该事项已调整 and links to
    the successor (from the release itself, so the static export and every worker agree)."""
    s = served()
    successor = s.release.guides.get(retired.successor) if retired.successor else None
    resp = page("retired.html", status=410, title="该事项已调整", old=retired, successor=successor)
    resp.headers["Cache-Control"] = "no-cache"
    return resp


def _count_miss(s, q: str) -> None:
    """A phone search that found nothing, counted by its words (never when they hold a phone or ID number)."""
    from guide_server.privacy import find_personal_data
    from guide_server.usage import search_words

    words = search_words(q, find_personal_data)
    if words:
        current_app.extensions["usage"].add("nohit", "phone", s.site.hall_name, words)


class _UnknownAnswer(Exception):
    def __init__(self, guide, exc: UnknownAnswer):
        self.guide = guide
        self.exc = exc


def _answers(g) -> dict[str, str]:
    """The answer path in the query string (/g/<code>?why=lost); a question or option the
    guide does not have is a 404 that links to the guide."""
    try:
        answers = answers_from_query(g, ((k, v) for k, v in request.args.items(multi=True)
                                         if k not in SHARE_PARAMS and not k.startswith("utm_")))
        path_query(g, answers)  # validates options and the question tree
    except UnknownAnswer as exc:
        raise _UnknownAnswer(g, exc) from None
    return answers


def _guide_page(s, g, key: tuple):
    """Guide `g` as hall view `s` shows it, on the answer path in the query string."""
    answers = _answers(g)
    ctx = path_context(g, s.site or s.release.site, answers)
    if answers:
        key = (*key, ctx["view"].resolved.query)
    others, more = s.other_halls(g.code)
    return cached_page(key, "guide.html", served_view=s, guide=g, category=s.category_by_name.get(g.category),
                       other_halls=others, other_halls_more=more, **ctx)


def path_context(g, site, answers: dict[str, str]) -> dict:
    """What guide.html shows of guide `g` on one answer path: ``view`` (guides.present),
    ``choices`` (each open question with each option's path query) and ``title``. The
    editor's preview renders a draft with the same. Raises guides.cases.UnknownAnswer."""
    view = guide_view(g, site, answers)
    choices = [(q, [(o, path_query(g, with_answer(g, answers, q.id, o.id))) for o in q.options])
               for q in view.resolved.open_questions]
    return dict(view=view, choices=choices,
                title=g.name if not answers else f"{g.name}（{view.resolved.answers_text}）")


VIA_COOKIE = "via"


def _scanned(s, code: str, base: str = ""):
    """A poster QR (`<base>/g/<code>?src=<tag>`; `base` is "" for the default hall's stable URL
    or /h/<hall> for a hall's poster): count the scan by its tag under hall view `s`'s hall,
    remember the channel for a rating given on this visit (cookie `via`, one hour, nothing
    personal), and send the phone to the stable URL `<base>/g/<code>` (other query arguments,
    such as 情形 answers, are kept)."""
    from urllib.parse import urlencode

    from guide_server.usage import channel_of_tag, source_tag

    tag = source_tag(request.args.get("src"))
    rest = [(k, v) for k, v in request.args.items(multi=True) if k != "src"]
    target = f"{base}/g/{code}" + (("?" + urlencode(rest)) if rest else "")
    resp = redirect(target, 302)
    resp.headers["Cache-Control"] = "no-store"
    if tag:
        channel = channel_of_tag(tag)
        current_app.extensions["usage"].add("scan", channel, s.site.hall_name, code, tag)
        resp.set_cookie(VIA_COOKIE, channel, max_age=3600, path="/g/", httponly=True, samesite="Lax",
                        secure=request.is_secure)
    return resp


@bp.get("/g/<code>")
def guide(code: str):
    """The stable poster URL: the default hall's guide; with several halls and no default
    hall offering it, the one hall that does, or a page to choose among them."""
    s = served()
    if "src" in request.args:
        return _scanned(s, code)
    if s.several_halls and code not in s.release.guides:
        halls = s.release.content.halls_offering(code)
        if len(halls) == 1:
            view = s.hall(halls[0])
            return _guide_page(view, view.guides[code], ("guide", code))
        if len(halls) > 1:
            choices = [(h, s.hall(h).site, s.hall(h).guides[code]) for h in halls]
            return cached_page(("guide", code), "choose_hall.html", code=code, choices=choices,
                               title=choices[0][2].name)
    s, g = _guide(code, s.hall(DEFAULT_HALL))
    return _guide_page(s, g, ("guide", code))


def _count_view(s, code: str) -> None:
    """A hall page view, counted under its hall as the fast path counts /g/<code> (nothing
    about the visitor); counting never stops the page."""
    usage = current_app.extensions.get("usage")
    if usage is None:
        return
    try:
        usage.add("view", "phone", s.site.hall_name, code)
    except Exception:  # noqa: BLE001 - a page is answered even when counting fails
        current_app.logger.warning("hall page view not counted")


@bp.get("/h/<hall_id>/g/<code>")
def hall_guide(hall_id: str, code: str):
    """A hall's guide page; its posters' QR (`?src=<tag>`) is counted as on /g/<code>."""
    if "src" in request.args:
        s = _hall(hall_id)
        if code not in s.guides:
            abort(404)
        return _scanned(s, code, f"/h/{hall_id}")
    s, g = _guide(code, _hall(hall_id))
    _count_view(s, code)
    return _guide_page(s, g, ("h", hall_id, "guide", code))


@bp.get("/g/<code>/print")
def guide_print(code: str):
    s, g = _guide(code, served().hall(DEFAULT_HALL))
    return _print_page(s, g, ("print", code))


@bp.get("/h/<hall_id>/g/<code>/print")
def hall_guide_print(hall_id: str, code: str):
    s, g = _guide(code, _hall(hall_id))
    return _print_page(s, g, ("h", hall_id, "print", code))


def _print_page(s, g, key: tuple):
    site = s.site or s.release.site
    return cached_page(key, "print.html", served_view=s, guide=g, view=guide_view(g, site),
                       category=s.category_by_name.get(g.category), title=f"{g.name}（打印版）",
                       undrawable=print_font_gaps(site, g))


def print_font_gaps(site, guide) -> list[str]:
    """The characters of the print page the bundled font cannot draw, described for a reader.

    The print page is set in the device's fonts (no web font is sent), so such a character
    may print as a box or a blank; the page says which ones instead of leaving it to chance."""
    text = json.dumps([site.hall_name, guide.model_dump(mode="json")], ensure_ascii=False)
    return [char_label(c) for c in undrawable_chars(text)]


@bp.get("/mode/<mode>")
def set_mode(mode: str):
    if mode not in (ELDER, "standard"):
        abort(404)
    resp = make_response(redirect(safe_next(request.args.get("next")), 303))
    if mode == ELDER:
        resp.set_cookie(MODE_COOKIE, ELDER, max_age=365 * 86400, samesite="Lax", httponly=True,
                        secure=request.is_secure)
    else:
        resp.delete_cookie(MODE_COOKIE, samesite="Lax", httponly=True, secure=request.is_secure)
    resp.headers["Cache-Control"] = "no-store"
    return resp


def not_found_page(status: int = 404):
    """The helpful 404: what happened, a search box, common items, the hotline."""
    s = served()
    code = None
    suggestions = []
    parts = request.path.strip("/").split("/")
    if len(parts) >= 2 and parts[0] == "g":
        code = parts[1][:64]
        suggestions = [s.release.guides[h.code] for h in s.index.search(code, limit=5)]
    if not suggestions:
        suggestions = s.featured
    return page("404.html", status=status, code=code, suggestions=suggestions, back="/",
                title="没有找到这个页面")


def unknown_answer_page(exc: _UnknownAnswer):
    """An answer path the guide does not have: 404, saying so, with the guide's own link."""
    resp = page("404.html", status=404, code=None, answer_error=exc.exc.message, guide=exc.guide,
                suggestions=[], back=f"/g/{exc.guide.code}", title="没有找到这种情形")
    resp.headers["Cache-Control"] = "no-cache"
    return resp


def register_errors(app) -> None:
    app.register_error_handler(_Retired, lambda exc: retired_page(exc.retired))
    app.register_error_handler(_UnknownAnswer, unknown_answer_page)

    @app.errorhandler(NoRelease)
    def _no_release(_exc):
        if wants_json():
            return jsonify(error={"status": 503, "message": "尚未发布任何版本，请稍后再试。"}), 503
        inst = current_app.instance_path
        body = ("<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>暂未开放</title>"
                "<h1>办事指南暂未开放</h1><p>服务器还没有发布任何版本的办事指南，请稍后再试。</p>")
        current_app.logger.error("no release in %s; run: guide-server release --content content --instance %s",
                                 inst, inst)
        return body, 503, {"Content-Type": "text/html; charset=utf-8", "Retry-After": "60"}

    @app.errorhandler(ReleaseError)
    def _bad_release(exc):
        current_app.logger.error("current release unreadable: %s", exc)
        if wants_json():
            return jsonify(error={"status": 503, "message": "当前版本暂时无法读取，请稍后再试。"}), 503
        return ("<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>暂时无法访问</title>"
                "<h1>暂时无法访问</h1><p>办事指南正在维护，请稍后再试，或拨打 12345 咨询。</p>",
                503, {"Content-Type": "text/html; charset=utf-8", "Retry-After": "60"})

    @app.errorhandler(BadInput)
    def _bad_input(exc: BadInput):
        if wants_json():
            return jsonify(error={"status": exc.status, "message": exc.message}), exc.status
        try:
            return page("error.html", status=exc.status, message=exc.message, back="/", title="无法处理您的请求")
        except (NoRelease, ReleaseError):
            return exc.message, exc.status, {"Content-Type": "text/plain; charset=utf-8"}

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        resp = _http_answer(exc)
        # 405 names the methods that work (Allow), whichever way the answer is written
        for key, value in exc.get_headers():
            if key.lower() in ("allow", "retry-after", "www-authenticate"):
                resp.headers[key] = value
        return resp

    def _http_answer(exc: HTTPException):
        if wants_json():
            resp = jsonify(error={"status": exc.code, "message": MESSAGES.get(exc.code, exc.name)})
            resp.status_code = exc.code
            return resp
        try:
            if exc.code == 404:
                return not_found_page()
            return page("error.html", status=exc.code, message=MESSAGES.get(exc.code, "请求无法处理。"),
                        back="/",
                        title="无法处理您的请求")
        except NoRelease as inner:
            return make_response(_no_release(inner))
        except ReleaseError as inner:
            return make_response(_bad_release(inner))

    @app.errorhandler(Exception)
    def _any(exc: Exception):
        current_app.logger.exception("unhandled error")
        if wants_json():
            return jsonify(error={"status": 500, "message": "服务器内部错误，请稍后再试。"}), 500
        return ("<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>出错了</title>"
                "<h1>抱歉，页面出错了</h1><p>请稍后再试，或拨打 12345 咨询。</p>",
                500, {"Content-Type": "text/html; charset=utf-8"})


MESSAGES = {
    400: "请求的内容有误，请返回重新填写。",
    403: "无法确认请求来源，请回到办事指南页面重新提交。",
    404: "没有找到您要的内容。",
    405: "不支持这种请求方式。",
    413: "提交的内容太长了。",
    415: "提交的内容格式不对。",
    429: "您提交得太频繁了，请稍后再试。",
}
