"""A hall's window hours changed in the editor, in a real browser (headless Chromium): a county
editor changes 柳市镇's hours of 330382-GA-0001, a county reviewer approves and publishes, and
/h/liushi/g/<code> shows the new hours while the other halls' pages do not. axe-core finds no
serious or critical violation on the hall pages of the editor.

Screenshots go to $HALLS_EDITOR_SCREENSHOTS (default var/screenshots/halls-editor/).
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from guides.loader import load_content
from guides.release import ReleaseStore
from tests.guide_server.authutil import PASSWORD, make_auth_app
from tests.guide_server.editor.hall_fixture import GA, city_with_halls
from tests.support.browser import CHROMEDRIVER, CHROMIUM, Browser
from tests.support.live_server import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]
HOURS = "周一至周六 8:00-12:00（周六仅上午）"


@pytest.fixture
def shots() -> Path:
    return Path(os.environ.get("HALLS_EDITOR_SCREENSHOTS")
                or Path(__file__).resolve().parents[3] / "var" / "screenshots" / "halls-editor")


def _login(b: Browser, base: str, name: str) -> None:
    b.goto(base + "/login")
    b.fill("#name", name)
    b.fill("#password", PASSWORD)
    b.click("form button[type=submit]", navigate=True)
    b.wait_for("document.querySelector('.who') !== null", "logged-in header")


def _serious(b: Browser) -> list:
    return [(v["id"], v["help"], v["nodes"][:3]) for v in b.axe_violations() if v["impact"] in ("serious", "critical")]


def test_county_editor_changes_window_hours_reviewer_publishes_phone_page_shows_them(tmp_path, valid_content, shots):
    assert CHROMIUM.exists() and CHROMEDRIVER.exists(), "chromium and chromium-driver are in scripts/apt-packages.txt"
    city_with_halls(valid_content)
    inst = tmp_path / "city"
    ReleaseStore(inst).publish(load_content(valid_content))
    app = make_auth_app(inst)
    app.extensions["accounts"].add("ed-yueqing", "editor", PASSWORD, scope="330382")
    app.extensions["accounts"].add("rv-yueqing", "reviewer", PASSWORD, scope="330382")
    with LiveServer(app) as base, Browser(width=1280, height=900, mobile=False) as b:
        _login(b, base, "ed-yueqing")
        b.goto(base + "/editor/halls/")
        listed = b.text("table")
        assert "柳市镇便民服务中心" in listed and "北白象镇便民服务中心" in listed and "瑞安市民中心" not in listed
        assert _serious(b) == []
        b.click("a[href='/editor/halls/liushi/']", navigate=True)
        b.click(f"a[href='/editor/halls/liushi/o/{GA}']", navigate=True)
        assert "六统一要素（只读" in b.text()
        assert _serious(b) == []
        b.fill("[name='locations.0.hours']", HOURS)
        b.fill("[name='extra']", "name: 柳市户口办理")  # a 六统一 element: refused, E506 beside the field
        b.click("button[name=action][value=save]", navigate=True)
        assert "E506" in b.text("[data-field='extra']") and "事项名称" in b.text("[data-field='extra']")
        assert b.js("document.querySelector(\"[name='locations.0.hours']\").value") == HOURS  # kept
        assert _serious(b) == []
        b.js("document.querySelector(\"[data-field='extra']\").scrollIntoView({block: 'center'})")
        b.screenshot(shots / "1-override-e506.png")
        b.fill("[name='extra']", "")
        b.js("document.querySelector(\"[name='locations.0.hours']\").scrollIntoView({block: 'center'})")
        b.screenshot(shots / "1-override-form.png")
        b.click("button[name=action][value=submit]", navigate=True)
        assert "已提交审核" in b.text() and "待审核" in b.text("#wf-h")
        b.screenshot(shots / "2-submitted.png", full_page=True)
        b.click(".who button[type=submit]", navigate=True)

        _login(b, base, "rv-yueqing")
        b.goto(base + "/editor/halls/review")
        assert GA in b.text("table")
        b.click(f"a[href='/editor/halls/liushi/o/{GA}']", navigate=True)
        b.click("form[action$='/approve'] button", navigate=True)
        assert "已审核通过" in b.text()
        b.goto(base + "/editor/halls/publish")
        assert _serious(b) == []
        b.click("form[action$='/editor/halls/publish'] button[type=submit]", navigate=True)
        assert "已发布 版本 R2" in b.text()
        b.screenshot(shots / "3-published.png", full_page=True)

        b.goto(f"{base}/h/liushi/g/{GA}")
        assert HOURS in b.text() and "版本 R2" in b.text()
        b.screenshot(shots / "4-liushi-phone-page.png", full_page=True)
        for other in ("baixiang", "ruian"):
            b.goto(f"{base}/h/{other}/g/{GA}")
            assert "版本 R2" in b.text() and HOURS not in b.text()
        b.goto(f"{base}/g/{GA}")
        assert HOURS not in b.text()


def test_hall_editor_pages_are_valid_html(tmp_path, valid_content):
    """Nu checker on every hall page, including the override form showing an E506 and an own
    guide's YAML with errors."""
    import json
    import subprocess

    from tests.guide_server.authutil import csrf_token, login
    from tests.guide_server.public.test_html_valid import VNU

    city_with_halls(valid_content)
    inst = tmp_path / "city"
    ReleaseStore(inst).publish(load_content(valid_content))
    app = make_auth_app(inst)
    app.extensions["accounts"].add("ed", "editor", PASSWORD, scope="330382")
    app.extensions["accounts"].add("rv", "reviewer", PASSWORD, scope="330382")
    ed, rv = app.test_client(), app.test_client()
    login(ed, "ed")
    login(rv, "rv")
    bad = ed.post(f"/editor/halls/liushi/o/{GA}", data={
        "csrf_token": csrf_token(ed, "/editor/halls/"), "locations.0.address": "柳市镇前市街 1 号", "version": "",
        "extra": "name: 改名"})
    assert bad.status_code == 400
    own = ed.post("/editor/halls/liushi/own/330382-SC-0901", data={
        "csrf_token": csrf_token(ed, "/editor/halls/"), "yaml": "code: 330382-SC-0901\nname: 半截", "version": ""})
    assert own.status_code == 303  # a draft may hold errors; they are shown on its page
    own_page = ed.get("/editor/halls/liushi/own/330382-SC-0901")
    assert "内容检查" in own_page.get_data(as_text=True) and 'class="msg err"' in own_page.get_data(as_text=True)
    pages = {"e506": bad.data, "own-errors": own_page.data}
    for name, path in (("index", "/editor/halls/"), ("hall", "/editor/halls/liushi/"),
                       ("override", f"/editor/halls/baixiang/o/{GA}"),
                       ("new", "/editor/halls/liushi/own-new")):
        r = ed.get(path)
        assert r.status_code == 200, path
        pages[name] = r.data
    for name, path in (("review", "/editor/halls/review"), ("publish", "/editor/halls/publish")):
        pages[name] = rv.get(path).data
    files = []
    for name, body in pages.items():
        (tmp_path / f"{name}.html").write_bytes(body)
        files.append(str(tmp_path / f"{name}.html"))
    run = subprocess.run(["java", "-Xss4m", "-jar", str(VNU), "--errors-only", "--format", "json", *files],
                         capture_output=True, text=True, timeout=180)
    messages = json.loads(run.stderr or run.stdout or '{"messages": []}')["messages"]
    assert [(m.get("url", "").rsplit("/", 1)[-1], m.get("message")) for m in messages if m.get("type") == "error"] == []
