"""Enter in the editor's text fields, in a real browser: it saves, it never adds a row."""
from __future__ import annotations

import pytest
from selenium.webdriver.common.keys import Keys

from tests.guide_server.authutil import add_user, make_auth_app
from tests.guide_server.editor.test_editor_browser import _login
from tests.support.browser import Browser
from tests.support.live_server import LiveServer

GA = "330382-GA-0001"
pytestmark = [pytest.mark.browser]

ROWS = "Object.fromEntries([...document.querySelectorAll('[data-rows]')].map(s => [s.dataset.rows, s.querySelectorAll('.row').length]))"


@pytest.mark.parametrize("script", [True, False], ids=["with-editor-js", "without-script"])
def test_enter_in_a_text_field_saves_and_adds_no_row(instance, script):
    app = make_auth_app(instance)
    add_user(app, "ed", "editor")
    with LiveServer(app) as base, Browser(width=1280, height=900, mobile=False) as b:
        _login(b, base, "ed")
        if not script:
            b.driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
        b.goto(f"{base}/editor/g/{GA}")
        before = b.js(ROWS)
        for selector, text in (("#f-name", "居民身份证换领（回车保存）"), ("[name='materials.0.source']", "申请人自备（回车）")):
            field = b.find(selector)
            field.clear()
            field.send_keys(text)
            field.send_keys(Keys.ENTER)
            b.wait_for("location.search.includes('done=saved')", "the saved page")
            assert "已保存草稿" in b.text(".ok")
            assert b.js(ROWS) == before  # no row was added to any list
            assert b.js(f"document.querySelector(\"{selector}\").value") == text
            b.goto(f"{base}/editor/g/{GA}")
        row = app.extensions["editor"].get(GA)
        assert row.status == "draft" and row.data["name"] == "居民身份证换领（回车保存）"
        assert row.data["materials"][0]["source"] == "申请人自备（回车）"
