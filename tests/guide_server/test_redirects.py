"""Every redirect the server sends says, in Chinese, where it goes: a short polite HTML body
with the link to the Location (HTML-escaped), UTF-8 declared; werkzeug's English
"Redirecting..." page never reaches a phone. Status codes and Location stay as they were."""
from __future__ import annotations

import html
import re

import pytest

from tests.guide_server.authutil import add_user, login, make_auth_app

GA = "330382-GA-0001"
LINK = re.compile(r'<a href="([^"]*)">')


@pytest.fixture
def client(instance):
    app = make_auth_app(instance)
    add_user(app, "ed", "editor")
    return app.test_client()


def assert_chinese_redirect(resp, status: int, location: str) -> None:
    assert resp.status_code == status
    assert resp.headers["Location"] == location
    assert resp.headers["Content-Type"] == "text/html; charset=utf-8"
    body = resp.get_data(as_text=True)
    assert "Redirecting" not in body and "You should be redirected" not in body and "target URL" not in body
    assert "正在为您打开新的页面" in body and "点击这里继续" in body and 'lang="zh-CN"' in body
    links = LINK.findall(body)
    assert [html.unescape(h) for h in links] == [location]


@pytest.mark.parametrize("path,status,location", [
    ("/editor", 308, "/editor/"),                                     # werkzeug's routing (strict slashes)
    ("/editor/", 303, "/login?next=/editor/"),                        # login required
    ("/mode/elder?next=/g/" + GA, 303, "/g/" + GA),                   # 长辈版 switch
    (f"/g/{GA}?src=hall-2f", 302, f"/g/{GA}"),                        # a poster scan
])
def test_every_kind_of_redirect_has_a_chinese_body(client, path, status, location):
    assert_chinese_redirect(client.get(path), status, location)


def test_a_category_by_its_name_is_a_301_with_a_chinese_body(client, instance):
    from guides.release import ReleaseStore

    cat = next(iter(ReleaseStore(instance).current().categories))
    assert_chinese_redirect(client.get(f"/c/{cat.name}"), 301, f"/c/{cat.slug}")


def test_the_link_is_escaped_like_the_location_it_names(client):
    r = client.get(f"/g/{GA}?src=hall-2f&a=1&b=\"><script>x</script>")
    loc = r.headers["Location"]
    assert "&" in loc  # the other answers are kept, joined by &
    assert_chinese_redirect(r, 302, loc)
    body = r.get_data(as_text=True)
    assert "<script>" not in body and "&amp;" in body


def test_a_post_answered_with_303_after_login_has_the_chinese_body_too(client):
    r = login(client, "ed", next="/editor/")
    assert_chinese_redirect(r, 303, "/editor/")
