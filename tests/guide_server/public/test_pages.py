"""Phone pages through the Flask test client: every route, bad input, 同源, 长辈版, headers."""
from __future__ import annotations

import html
import re

import pytest

from guides.release import ReleaseStore
from tests.guide_server.conftest import VALID_GUIDES

GA = "330382-GA-0001"


def text_of(resp) -> str:
    """The page as a reader sees it: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", resp.get_data(as_text=True)))


def test_home_shows_hall_hours_hotline_categories_search_and_featured(client, app):
    resp = client.get("/")
    assert resp.status_code == 200 and resp.mimetype == "text/html"
    page = text_of(resp)
    rel = ReleaseStore(app.instance_path).current()
    for part in (rel.site.hall_name, rel.site.hours, rel.site.hotline, "个人办事", "搜索办事事项", "常用事项",
                 rel.stamp):
        assert part in page
    body = resp.get_data(as_text=True)
    assert f'href="tel:{rel.site.hotline}"' in body
    for cat in rel.categories:
        assert f'href="/c/{cat.slug}"' in body
    assert f'href="/g/{GA}"' in body  # featured


def test_category_lists_its_guides_and_unknown_category_is_404(client):
    resp = client.get("/c/huji")
    assert resp.status_code == 200
    assert f'href="/g/{GA}"' in resp.get_data(as_text=True)
    assert "330382-SC-0001" not in resp.get_data(as_text=True)
    assert client.get("/c/no-such-category").status_code == 404


def test_category_by_chinese_name_redirects_to_slug(client):
    resp = client.get("/c/户籍办理")
    assert resp.status_code == 301 and resp.headers["Location"].endswith("/c/huji")


@pytest.mark.parametrize("q", ["身份证", "shenfenzheng", "sfz", "换身份证"])
def test_search_finds_by_chinese_pinyin_initials_and_alias(client, q):
    resp = client.get("/search", query_string={"q": q})
    assert resp.status_code == 200
    assert f'href="/g/{GA}"' in resp.get_data(as_text=True)


def test_search_without_hits_is_polite_and_offers_categories(client):
    page = text_of(client.get("/search", query_string={"q": "火星签证"}))
    assert "没有找到与“火星签证”相关的事项" in page
    assert "户籍办理" in page


@pytest.mark.parametrize("q", ["", "   ", "<script>alert(1)</script>", "x" * 5000, "%00", "\x00\x01", "'\""])
def test_search_bad_input_never_breaks_the_page(client, q):
    resp = client.get("/search", query_string={"q": q})
    assert resp.status_code == 200
    body = resp.get_data(as_text=True)
    assert "<script>" not in body
    assert len(body) < 20000


def test_guide_page_shows_every_element(client, app):
    from guides.phones import tel_uri
    from guides.wording import fee_item_text, time_limit_text, visits_text
    g = ReleaseStore(app.instance_path).current().guides[GA]
    resp = client.get(f"/g/{GA}")
    assert resp.status_code == 200
    page = text_of(resp)
    for part in (g.name, g.code, g.department, g.item_type.value, time_limit_text(g.time_limit), visits_text(g),
                 g.speed.value, g.contacts.consult, g.contacts.complaint, g.updated.isoformat(), g.result.name,
                 "办事易错提醒", "受理条件", "申请材料", "办理流程", "办理地点和时间", "设定依据", "好差评"):
        assert part in page, part
    for item in g.fee.items:  # the whole guide: each case's fee, named by its case
        assert fee_item_text(item) in page
    assert "情形：证件遗失（补领）" in page and "以下材料任选一种" in page
    for b in g.basis:
        assert b.law in page and b.article in page
    for step in g.flow:
        assert step.step in page and step.who in page and step.what in page
    for loc in g.locations:
        assert loc.address in page and loc.window in page and loc.hours in page
    for m in g.all_materials():
        assert m.name in page and m.form.value in page
    body = resp.get_data(as_text=True)
    assert f'href="{tel_uri(g.contacts.consult)}"' in body
    assert body.count('type="checkbox"') >= len(g.all_materials())
    assert f'src="/qr/{GA}.svg"' in body
    assert f'href="/g/{GA}/print"' in body
    assert f'action="/g/{GA}/rate"' in body
    for label in ("非常满意", "满意", "基本满意", "不满意", "非常不满意"):
        assert f">{label}</label>" in body


def test_absent_elements_are_not_invented_on_the_page(client, app, tmp_path):
    """A guide that states no statutory limit, no visits and no complaint phone shows none."""
    g = ReleaseStore(app.instance_path).current().guides["330382-SC-0001"]
    page = text_of(client.get("/g/330382-SC-0001"))
    assert "法定 15 个工作日" in page and "零上门" in page  # stated: shown
    from guides.loader import load_content
    from guides.release import ReleaseStore as Store
    from tests.conftest import FIXTURES
    import shutil
    content = tmp_path / "c"
    shutil.copytree(FIXTURES / "valid", content)
    f = content / "guides" / "330382-SC-0001.yaml"
    text = f.read_text(encoding="utf-8")
    text = (text.replace("time_limit: {statutory: {value: 15, unit: 工作日}, promised: 即时}", "time_limit: {promised: 即时}")
            .replace("visits: 0\n", "").replace(', complaint: "12315"', ""))
    f.write_text(text, encoding="utf-8")
    inst = tmp_path / "inst"
    Store(inst).publish(load_content(content))
    from guide_server import create_app
    page = text_of(create_app({"TESTING": True, "INSTANCE_DIR": str(inst)}).test_client().get("/g/330382-SC-0001"))
    assert g.name in page
    for invented in ("法定", "零上门", "最多跑一次", "到现场次数", "投诉电话"):
        assert invented not in page, invented


def test_guide_page_carries_the_release_stamp(client, app):
    rel = ReleaseStore(app.instance_path).current()
    assert rel.stamp in text_of(client.get(f"/g/{GA}"))
    assert re.fullmatch(r"版本 R1 · \d{4}-\d\d-\d\d · [0-9a-f]{6}", rel.stamp)


def test_print_layout_has_the_same_words_and_no_form(client, app):
    g = ReleaseStore(app.instance_path).current().guides[GA]
    resp = client.get(f"/g/{GA}/print")
    assert resp.status_code == 200
    page = text_of(resp)
    body = resp.get_data(as_text=True)
    assert 'class="print"' in body and "<form" not in body
    for m in g.all_materials():
        assert m.name in page
    for mk in g.mistakes:
        assert mk.mistake in page and mk.correct in page


@pytest.mark.parametrize("path", ["/g/330382-XX-9999", "/g/<b>x</b>", "/g/" + "9" * 300, "/nowhere", "/g/x/y/z"])
def test_unknown_code_gives_a_helpful_chinese_404(client, path):
    resp = client.get(path)
    assert resp.status_code == 404
    body = resp.get_data(as_text=True)
    assert "没有找到" in body and 'action="/search"' in body
    assert "<b>x</b>" not in body


def test_404_for_unknown_code_names_the_code_and_suggests(client):
    page = text_of(client.get("/g/330382-GA-0009"))
    assert "没有找到事项编码为“330382-GA-0009”的办事指南" in page
    assert "您可能要找" in page


def test_elder_mode_is_one_tap_and_remembered_by_cookie(client):
    assert 'class="elder"' not in client.get(f"/g/{GA}").get_data(as_text=True)
    resp = client.get(f"/mode/elder?next=/g/{GA}")
    assert resp.status_code == 303 and resp.headers["Location"].endswith(f"/g/{GA}")
    cookie = resp.headers["Set-Cookie"]
    assert "mode=elder" in cookie and "Max-Age=31536000" in cookie and "HttpOnly" in cookie
    for path in ("/", f"/g/{GA}", "/c/huji", "/search?q=sfz", "/g/nope"):
        body = client.get(path).get_data(as_text=True)
        assert '<html lang="zh-CN" class="elder">' in body, path
        assert ">标准版</a>" in body
    client.get("/mode/standard?next=/")
    assert 'class="elder"' not in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil", "javascript:alert(1)", ""])
def test_mode_switch_never_redirects_off_site(client, target):
    resp = client.get("/mode/elder", query_string={"next": target})
    assert resp.status_code == 303 and resp.headers["Location"] in ("/", "http://localhost/")


def test_unknown_mode_is_404(client):
    assert client.get("/mode/dark").status_code == 404


def test_elder_css_meets_the_ageing_friendly_rules(app):
    css = (app.static_folder + "/site.css")
    text = open(css, encoding="utf-8").read()
    size = float(re.search(r"html\.elder\{font-size:(\d+)px\}", text).group(1))
    lh = float(re.search(r"\.elder body\{line-height:([\d.]+)", text).group(1))
    assert size >= 18 and lh >= 1.3
    assert "min-height:60px" in text


def test_pages_answer_304_to_their_etag(client):
    for path in ("/", f"/g/{GA}", "/c/huji", f"/g/{GA}/print"):
        first = client.get(path)
        etag = first.headers["ETag"]
        again = client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.data == b""
    # elder pages differ, so their validator differs
    normal = client.get(f"/g/{GA}").headers["ETag"]
    client.get("/mode/elder")
    assert client.get(f"/g/{GA}").headers["ETag"] != normal


def test_security_headers_on_pages_api_and_errors(client):
    for path in ("/", f"/g/{GA}", "/g/none", "/api/v1/release", f"/qr/{GA}.svg", "/search?q=a"):
        h = client.get(path).headers
        csp = h["Content-Security-Policy"]
        assert "script-src" not in csp and "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
        assert "'unsafe-inline'" not in csp
        assert h["X-Content-Type-Options"] == "nosniff"
        assert h["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_pages_have_no_script_no_inline_style_and_no_third_party_requests(sample_client, sample_release):
    paths = ["/", "/search?q=社保", "/g/none"] + [f"/c/{c.slug}" for c in sample_release.categories]
    paths += [f"/g/{code}" for code in sample_release.guides] + [f"/g/{code}/print" for code in sample_release.guides]
    for path in paths:
        body = sample_client.get(path).get_data(as_text=True)
        assert "<script" not in body and "style=" not in body and "<style" not in body, path
        for url in re.findall(r'(?:src|href|action)="([^"]*)"', body):
            assert url.startswith(("/", "#", "tel:")) or url == "data:," or url in _content_links(sample_release), (
                path, url)


def _content_links(release) -> set[str]:
    out = set()
    for g in release.guides.values():
        if g.online_url:
            out.add(g.online_url)
        for f in g.forms or ():
            out.update(u for u in (f.url,) if u)
    return out


def test_largest_guide_page_weighs_at_most_30_kb_with_its_css(sample_client, sample_release):
    css = len(sample_client.get("/static/site.css").data)
    sizes = {code: len(sample_client.get(f"/g/{code}").data) for code in sample_release.guides}
    code = max(sizes, key=sizes.get)
    assert sizes[code] + css <= 30 * 1024, (code, sizes[code], css)


def test_same_source_every_material_condition_and_mistake_is_on_its_page(sample_client, sample_release):
    """同源: for every sample guide, the words of the release are on its phone page."""
    assert len(sample_release.guides) >= 10
    for code, g in sample_release.guides.items():
        page = text_of(sample_client.get(f"/g/{code}"))
        for m in g.all_materials():
            assert m.name in page, (code, m.name)
        for c in g.conditions:
            assert c.text in page, (code, c.text)
        for mk in g.mistakes:
            assert mk.mistake in page and mk.correct in page, (code, mk.mistake)


def test_every_page_of_the_sample_renders(sample_client, sample_release):
    for c in sample_release.categories:
        assert sample_client.get(f"/c/{c.slug}").status_code == 200
    for code in sample_release.guides:
        assert sample_client.get(f"/g/{code}").status_code == 200
        assert sample_client.get(f"/g/{code}/print").status_code == 200


def test_new_release_is_served_without_restart(client, app, valid_content):
    from guides.loader import load_content

    before = client.get(f"/g/{GA}").get_data(as_text=True)
    path = valid_content / "guides" / f"{GA}.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("updated: ", "aliases: [新别名测试]\nupdated: ", 1)
                    if "aliases:" not in path.read_text(encoding="utf-8")
                    else path.read_text(encoding="utf-8").replace("aliases: [", "aliases: [新别名测试, ", 1),
                    encoding="utf-8")
    rel, created = ReleaseStore(app.instance_path).publish(load_content(valid_content))
    assert created
    after = client.get(f"/g/{GA}").get_data(as_text=True)
    assert rel.stamp in after and rel.stamp not in before
    assert f'href="/g/{GA}"' in client.get("/search?q=新别名测试").get_data(as_text=True)


def test_without_a_release_pages_say_so(tmp_path):
    from guide_server import create_app

    c = create_app({"TESTING": True, "INSTANCE_DIR": str(tmp_path / "empty")}).test_client()
    resp = c.get("/")
    assert resp.status_code == 503 and "还没有发布" in resp.get_data(as_text=True)
    assert c.get("/g/x").status_code == 503
    api = c.get("/api/v1/release")
    assert api.status_code == 503 and api.json["error"]["message"]


def test_corrupt_release_is_503_not_500(client, app):
    import os

    body = os.path.join(app.instance_path, "releases", "R0001", "content.json")
    os.chmod(os.path.dirname(body), 0o755)
    os.chmod(body, 0o644)
    with open(body, "ab") as fh:
        fh.write(b" ")
    # force a reload: the holder re-reads when CURRENT changes
    cur = os.path.join(app.instance_path, "releases", "CURRENT")
    os.utime(cur, ns=(1, 1))
    resp = client.get("/")
    assert resp.status_code == 503 and "维护" in resp.get_data(as_text=True)


def test_method_not_allowed_is_a_chinese_page(client):
    resp = client.post("/")
    assert resp.status_code == 405 and "不支持" in resp.get_data(as_text=True)


def test_both_fixture_guides_render(client):
    for code in VALID_GUIDES:
        assert client.get(f"/g/{code}").status_code == 200


@pytest.mark.parametrize("path", ["/", "/c/huji", f"/g/{GA}", f"/g/{GA}/print", f"/g/{GA}?why=lost"])
@pytest.mark.parametrize("elder", [False, True])
def test_cached_fast_path_answers_exactly_like_the_view(client, path, elder):
    if elder:
        client.set_cookie("mode", "elder")
    first = client.get(path)   # rendered by the Flask view, then cached
    again = client.get(path)   # answered from the cache ahead of Flask
    assert first.status_code == again.status_code == 200
    assert first.data == again.data
    assert sorted(first.headers.items()) == sorted(again.headers.items())
    assert (b'class="elder"' in again.data) is elder
    not_modified = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert not_modified.status_code == 304 and not_modified.data == b""
    assert not_modified.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]


def test_an_answer_path_page_is_answered_ahead_of_flask_only_in_its_canonical_spelling(app, client):
    """A kiosk's 带走 QR (/g/<code>?why=lost) is answered from the page cache once rendered;
    another spelling (share parameters, an unknown option) still reaches Flask."""
    assert client.get(f"/g/{GA}?why=lost").status_code == 200  # rendered by the view, cached
    flask_app, calls = app.wsgi_app.wsgi_app, []

    def counting(environ, start_response):
        calls.append(environ["QUERY_STRING"])
        return flask_app(environ, start_response)

    app.wsgi_app.wsgi_app = counting
    try:
        assert client.get(f"/g/{GA}?why=lost").status_code == 200
        assert calls == []
        assert client.get(f"/g/{GA}?why=lost&from=timeline").status_code == 200
        assert client.get(f"/g/{GA}?why=stolen").status_code == 404
        assert calls == ["why=lost&from=timeline", "why=stolen"]
    finally:
        app.wsgi_app.wsgi_app = flask_app


def test_fast_path_leaves_unknown_pages_and_queries_to_the_app(client):
    client.get(f"/g/{GA}")
    assert client.get("/g/330382-XX-0000").status_code == 404
    assert client.get(f"/g/{GA}?x=1").status_code == 404  # not a question of this guide
    assert client.get(f"/g/{GA}?from=singlemessage&isappinstalled=0").status_code == 200  # a shared link
    assert client.head(f"/g/{GA}").status_code == 200


def test_an_answer_path_has_its_own_stable_url_with_only_its_materials_and_fees(client):
    whole = client.get(f"/g/{GA}")
    body = whole.get_data(as_text=True)
    # without answers: the question as links (no JavaScript), each to its path URL
    assert f'href="/g/{GA}?why=renew"' in body and f'href="/g/{GA}?why=lost"' in body
    resp = client.get(f"/g/{GA}?why=lost")
    assert resp.status_code == 200
    page = text_of(resp)
    assert "您的情形" in page and "证件遗失（补领）" in page and "重新选择" in page
    assert "居民户口簿" in page and "以下材料任选一种" in page and "工本费 40 元/证" in page
    assert "原居民身份证" not in page and "工本费 20 元/证" not in page
    assert '<p class="case">情形：' not in resp.get_data(as_text=True)  # nothing listed by case on a path
    assert client.get(f"/g/{GA}?why=lost", headers={"If-None-Match": resp.headers["ETag"]}).status_code == 304


@pytest.mark.parametrize("query", ["who=me", "why=stolen", "why=lost&why=renew"])
def test_an_unknown_question_or_option_is_a_404_with_the_guides_link(client, query):
    resp = client.get(f"/g/{GA}?{query}")
    assert resp.status_code == 404
    body = resp.get_data(as_text=True)
    assert f'href="/g/{GA}"' in body and "重新选择" in body
    assert client.get(f"/g/330382-SC-0001?why=lost").status_code == 404
