"""The static export holds every 情形 answer path, the /h/<hall>/ pages and the blank forms, and
the shipped nginx configuration serves them: each page through nginx is the app's page for the
same URL; what the export does not hold (another order, an unknown option) is the app's answer."""
from __future__ import annotations

import shutil
import subprocess

import pytest
from click.testing import CliRunner

from guide_server.cli import main
from guides.loader import load_content
from guides.release import ReleaseStore
from tests.conftest import FIXTURES
from tests.guide_server.conftest import fetch, free_port, serving, wait_for
from tests.support.halls import add_second_hall

CODE = "330382-GA-0001"
# a second question asked only on the 补领 path, so the tree has paths of one and two answers
PICKUP = """  - id: pickup
    ask: 您想怎样领取新证？
    when: [why=lost]
    options:
      - {id: window, label: 到窗口领取}
      - {id: post, label: 快递送达}
conditions:"""
PATHS = ["why=renew", "why=lost", "why=lost&pickup=window", "why=lost&pickup=post"]


@pytest.fixture(scope="module")
def halls_instance(tmp_path_factory):
    root = tmp_path_factory.mktemp("export-paths")
    content = root / "content"
    shutil.copytree(FIXTURES / "valid", content)
    guide = content / "guides" / f"{CODE}.yaml"
    guide.write_text(guide.read_text(encoding="utf-8").replace("conditions:", PICKUP, 1), encoding="utf-8")
    add_second_hall(content, own_guide=True)
    ReleaseStore(root / "instance").publish(load_content(content))
    return root / "instance"


@pytest.fixture(scope="module")
def app(halls_instance, tmp_path_factory):
    from guide_server import create_app

    db = tmp_path_factory.mktemp("export-paths-db") / "db.sqlite3"
    return create_app({"TESTING": True, "INSTANCE_DIR": str(halls_instance), "DATABASE_URL": f"sqlite:///{db}"})


@pytest.fixture(scope="module")
def exported(halls_instance, tmp_path_factory):
    out = tmp_path_factory.mktemp("export-paths-site") / "site"
    result = CliRunner().invoke(main, ["export", "--out", str(out), "--instance", str(halls_instance)])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def nginx(exported, halls_instance, tmp_path_factory):
    """nginx with the shipped configuration in front of `guide-server serve`; answers proxied to
    the app carry X-Upstream, answers from the export do not."""
    from guide_server.nginx import local_config

    work = tmp_path_factory.mktemp("export-paths-nginx")
    with serving(halls_instance, work, workers=1) as app_url:
        port = free_port()
        conf = local_config(work / "nginx", exported, port, int(app_url.rsplit(":", 1)[1]), workers=1,
                            trace_upstream=True)
        proc = subprocess.Popen(["nginx", "-c", str(conf), "-e", str(work / "nginx" / "error.log")],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_for(base + "/", proc)
            yield base
        finally:
            proc.terminate()
            proc.wait(timeout=20)


def _app_get(app, url, elder=False):
    client = app.test_client()
    if elder:
        client.set_cookie("mode", "elder")
    return client.get(url)


def test_export_writes_every_answer_path_under_its_stable_query(exported, app):
    for query in PATHS:
        for prefix, folder in (("", exported), ("/h/liushi", exported / "h" / "liushi")):
            page = folder / "g" / CODE / "a" / f"{query}.html"
            assert page.read_bytes() == _app_get(app, f"{prefix}/g/{CODE}?{query}").data, (prefix, query)
    lost = (exported / "g" / CODE / "a" / "why=lost&pickup=post.html").read_text(encoding="utf-8")
    assert "证件遗失（补领）" in lost and "快递送达" in lost and "原居民身份证</span>" not in lost
    assert "40" in lost and "元/证" in lost
    assert sorted(p.name for p in (exported / "g" / CODE / "a").iterdir()) == sorted(f"{q}.html" for q in PATHS)


def test_nginx_serves_answer_paths_from_the_export_with_the_apps_body(nginx, app, exported):
    for query in PATHS:
        for prefix in ("", "/h/main", "/h/liushi"):
            url = f"{prefix}/g/{CODE}?{query}"
            status, headers, body = fetch(nginx + url)
            assert status == 200 and "X-Upstream" not in headers, url  # from the export, not the app
            assert body == _app_get(app, url).data, url
            assert "script-src" not in headers["Content-Security-Policy"] and headers["Vary"] == "Cookie"
        _s, _h, body = fetch(nginx + f"/g/{CODE}?{query}", cookie="mode=elder")
        assert body == _app_get(app, f"/g/{CODE}?{query}", elder=True).data


def test_nginx_sends_other_queries_to_the_app_and_an_unknown_option_is_a_404_page(nginx, app):
    # the same path in another order: the app's page for it, which is the path's own page
    status, headers, body = fetch(nginx + f"/g/{CODE}?pickup=post&why=lost")
    assert status == 200 and "X-Upstream" in headers
    assert body == _app_get(app, f"/g/{CODE}?why=lost&pickup=post").data
    # an option the guide does not have: the app's 404 that names it and links to the guide
    for url in (f"/g/{CODE}?why=stolen", f"/h/liushi/g/{CODE}?why=stolen", f"/g/{CODE}?why=%E9%81%97"):
        status, headers, body = fetch(nginx + url)
        text = body.decode("utf-8")
        assert status == 404 and "X-Upstream" in headers, url
        assert "没有找到这种情形" in text and f'href="/g/{CODE}"' in text, url
    # a question the path does not ask (pickup without 补领) is refused the same way, never a 500
    status, _h, body = fetch(nginx + f"/g/{CODE}?why=renew&pickup=post")
    assert status == 404 and "没有找到这种情形" in body.decode("utf-8")
    # a share parameter on a path: the app shows the path
    status, headers, body = fetch(nginx + f"/g/{CODE}?why=lost&from=timeline")
    assert status == 200 and body == _app_get(app, f"/g/{CODE}?why=lost").data


def test_nginx_serves_hall_pages_from_the_export(nginx, app, exported):
    for url in ("/h/liushi/", "/h/main/", "/h/liushi/c/huji", f"/h/liushi/g/{CODE}", f"/h/liushi/g/{CODE}/print",
                "/h/liushi/g/330382-SC-0901", "/g/330382-SC-0901"):
        status, headers, body = fetch(nginx + url)
        assert status == 200 and "X-Upstream" not in headers, url
        assert body == _app_get(app, url).data, url
    _s, _h, body = fetch(nginx + f"/h/liushi/g/{CODE}")
    assert "3 号窗口" in body.decode("utf-8")  # the hall's own window, from its override
    # a hall the export does not know: the app's 404
    status, headers, _b = fetch(nginx + "/h/nowhere/")
    assert status == 404 and "X-Upstream" in headers


@pytest.mark.parametrize("tag", ["liushi-1f", "liushi2f"])   # the second looks like a 情形 answer to nginx
def test_a_hall_posters_tagged_qr_reaches_the_app_through_nginx(nginx, tag):
    import urllib.error
    import urllib.request

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        urllib.request.build_opener(NoRedirect).open(nginx + f"/h/liushi/g/{CODE}?src={tag}", timeout=10)
    except urllib.error.HTTPError as err:
        assert err.code == 302 and err.headers["Location"] == f"/h/liushi/g/{CODE}"
        assert "X-Upstream" in err.headers          # answered by the app, which counted the scan
    else:
        raise AssertionError("expected a 302")


def test_blank_form_downloads_alike_through_nginx_and_the_app(nginx, app, exported):
    pdf = (FIXTURES / "valid" / "forms" / "shenling-biao.pdf").read_bytes()
    page = _app_get(app, f"/g/{CODE}?why=lost").get_data(as_text=True)
    assert '<a href="/forms/shenling-biao.pdf" download>下载空白表格</a>' in page
    flask = _app_get(app, "/forms/shenling-biao.pdf")
    status, headers, body = fetch(nginx + "/forms/shenling-biao.pdf")
    assert status == 200 and flask.status_code == 200 and "X-Upstream" not in headers
    assert body == flask.data == pdf == (exported / "forms" / "shenling-biao.pdf").read_bytes()
    assert headers["Content-Type"] == flask.headers["Content-Type"] == "application/pdf"
    assert (headers["Content-Disposition"] == flask.headers["Content-Disposition"]
            == 'attachment; filename="shenling-biao.pdf"')
    assert headers["X-Content-Type-Options"] == "nosniff"
    # a file that is not one of the release's attachments: 404 both ways
    assert fetch(nginx + "/forms/nothing.pdf")[0] == 404
    assert _app_get(app, "/forms/nothing.pdf").status_code == 404
    assert _app_get(app, "/forms/../manifest.json").status_code == 404
