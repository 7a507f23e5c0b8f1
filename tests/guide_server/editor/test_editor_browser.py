"""The editor in a real browser (headless Chromium): an editor adds a vague material, sees the
模糊条款 message next to it while typing, fixes it and submits; a reviewer approves and
publishes; the phone page shows the new text and the new release stamp.

Screenshots go to $EDITOR_SCREENSHOTS (default var/screenshots/editor/): list, form with the
message, preview, history diff.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.guide_server.authutil import PASSWORD, add_user, make_auth_app
from tests.support.browser import CHROMEDRIVER, CHROMIUM, Browser
from tests.support.live_server import LiveServer

GA = "330382-GA-0001"
SC = "330382-SC-0001"  # a guide without groups: its materials are form rows
pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def shots(tmp_path) -> Path:
    return Path(os.environ.get("EDITOR_SCREENSHOTS") or Path(__file__).resolve().parents[3] / "var" / "screenshots" / "editor")


def _login(b: Browser, base: str, name: str) -> None:
    b.goto(base + "/login")
    b.fill("#name", name)
    b.fill("#password", PASSWORD)
    b.click("form button[type=submit]", navigate=True)
    b.wait_for("document.querySelector('.who') !== null", "logged-in header")


def _logout(b: Browser) -> None:
    b.click(".who button[type=submit]", navigate=True)
    assert "已安全退出" in b.text()


def test_edit_check_submit_review_publish_in_chromium(instance, shots):
    assert CHROMIUM.exists() and CHROMEDRIVER.exists(), "chromium and chromium-driver are in scripts/apt-packages.txt"
    app = make_auth_app(instance)
    add_user(app, "ed", "editor")
    add_user(app, "rita", "reviewer")
    with LiveServer(app) as base, Browser(width=1280, height=900, mobile=False) as b:
        _login(b, base, "ed")
        assert b.url.endswith("/editor/")
        assert GA in b.text("table")
        b.screenshot(shots / "1-list.png", full_page=True)

        b.goto(f"{base}/editor/g/{SC}")
        n = b.js("document.querySelectorAll('[data-rows=materials] .row').length")
        b.click("[data-rows=materials] button.add")          # editor.js adds the row in place
        b.wait_for(f"document.querySelectorAll('[data-rows=materials] .row').length === {n + 1}", "new row")
        row = f"materials.{n}"
        b.fill(f"[name='{row}.form']", "原件")
        b.fill(f"[name='{row}.copies']", "1")
        b.fill(f"[name='{row}.source']", "申请人自备")
        b.fill(f"[name='{row}.name']", "其他材料")
        box = f"[data-field='{row}.name']"
        b.wait_for(f"(document.querySelector(\"{box} p.msg\") || {{}}).textContent?.includes('模糊条款')",
                   "the 模糊条款 message next to the new material")
        assert "请逐项写明具体内容或删除" in b.text(f"{box} p.msg")
        assert b.js(f"document.querySelector(\"{box}\").classList.contains('bad')")
        b.js(f"document.querySelector(\"{box}\").scrollIntoView({{block: 'center'}})")
        b.screenshot(shots / "2-form-message.png")

        b.fill(f"[name='{row}.name']", "结婚证")
        b.wait_for(f"document.querySelector(\"{box} p.msg\") === null", "the message to go away")
        assert "内容检查通过" in b.text("#checker")
        b.click("button[name=action][value=submit]", navigate=True)
        assert "已提交审核" in b.text() and "待审核" in b.text("h1")

        b.goto(f"{base}/editor/g/{SC}/preview")
        b.wait_for("document.querySelector('.receipt img').complete && "
                   "document.querySelector('.receipt img').naturalWidth > 0", "receipt image")
        b.wait_for("document.querySelector('.phone-frame').contentDocument?.readyState === 'complete'")
        assert "结婚证" in b.js("document.querySelector('.phone-frame').contentDocument.body.innerText")
        b.screenshot(shots / "3-preview.png", full_page=True)

        b.goto(f"{base}/editor/g/{SC}/history")
        assert "+  - name: 结婚证" in b.text(".diff") or "结婚证" in b.text(".diff")
        b.screenshot(shots / "4-history-diff.png", full_page=True)
        _logout(b)

        _login(b, base, "rita")
        b.goto(f"{base}/editor/g/{SC}")
        b.click("form[action$='/approve'] button", navigate=True)
        assert "已审核通过" in b.text()
        b.goto(f"{base}/editor/publish")
        b.click("form[action$='/editor/publish'] button[type=submit]", navigate=True)
        assert "已发布 版本 R2" in b.text()

        b.goto(f"{base}/g/{SC}")
        page = b.text()
        assert "结婚证" in page and "版本 R2" in page
        b.screenshot(shots / "5-phone-page.png", full_page=True)
