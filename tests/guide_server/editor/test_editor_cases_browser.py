"""情形 in the editor, in a real browser (headless Chromium): an editor adds a question with two
options, puts a `when` on a new material, sees the checker's message beside the material's
field while typing, saves, and previews both answer paths (each the phone page of that path);
axe-core finds nothing serious on the form with questions, groups and time-limit variants.

Screenshots go to $EDITOR_SCREENSHOTS (default var/screenshots/editor/).
"""
from __future__ import annotations

import pytest

from tests.guide_server.authutil import add_user, make_auth_app
from tests.guide_server.editor.test_editor_browser import _login, shots  # noqa: F401 - fixture
from tests.support.browser import Browser
from tests.support.live_server import LiveServer

GA = "330382-GA-0001"  # questions, a material group, fees by case
SC = "330382-SC-0001"  # no questions yet
pytestmark = [pytest.mark.browser, pytest.mark.slow]
FRAME = "document.querySelector('.phone-frame')"


def _frame_text(b: Browser) -> str:
    b.wait_for(f"{FRAME}.contentDocument?.readyState === 'complete' && "
               f"{FRAME}.contentDocument.body.innerText.length > 0", "the phone preview")
    return b.js(f"{FRAME}.contentDocument.body.innerText")


def test_question_when_checker_message_and_preview_per_path(instance, shots):  # noqa: F811
    app = make_auth_app(instance)
    add_user(app, "ed", "editor")
    with LiveServer(app) as base, Browser(width=1280, height=900, mobile=False) as b:
        _login(b, base, "ed")
        b.goto(f"{base}/editor/g/{SC}")
        b.click("button[value='add:questions']", navigate=True)  # a server round trip, no script needed
        assert "已添加" in b.text(".ok")
        b.fill("[name='questions.0.id']", "who")
        b.fill("[name='questions.0.ask']", "由谁办理？")
        b.fill("[name='questions.0.options.0.id']", "self")
        b.fill("[name='questions.0.options.0.label']", "本人办理")
        b.fill("[name='questions.0.options.1.id']", "agent")
        b.fill("[name='questions.0.options.1.label']", "委托他人办理")
        b.click("button[name=action][value=save]:not(.enter-saves)", navigate=True)
        assert "已保存草稿" in b.text(".ok")

        n = b.js("document.querySelectorAll('[data-rows=materials] > .row').length")
        b.click("[data-rows=materials] button.add:not([data-server])")  # editor.js adds the row in place
        b.wait_for(f"document.querySelectorAll('[data-rows=materials] > .row').length === {n + 1}", "new row")
        row = f"materials.{n}"
        box = f"[data-field='{row}.name']"
        b.fill(f"[name='{row}.form']", "原件")
        b.fill(f"[name='{row}.name']", "有关证明")
        b.wait_for(f"(document.querySelector(\"{box} p.msg\") || {{}}).textContent?.includes('模糊条款')",
                   "the 模糊条款 message beside the new material")
        assert b.js(f"document.querySelector(\"{box}\").classList.contains('bad')")
        b.click(f"input[name='{row}.when'][value='who=agent']")
        b.js(f"document.querySelector(\"[data-field='{row}']\").scrollIntoView({{block: 'center'}})")
        b.screenshot(shots / "6-when-and-message.png")
        b.fill(f"[name='{row}.name']", "授权委托书")
        b.wait_for(f"document.querySelector(\"{box} p.msg\") === null", "the message to go away")
        b.click("button[name=action][value=save]:not(.enter-saves)", navigate=True)
        assert "已保存草稿" in b.text(".ok")
        data = app.extensions["editor"].get(SC).data
        assert data["materials"][n] == {"name": "授权委托书", "form": "原件", "when": ["who=agent"]}
        assert b.js(f"document.querySelector(\"input[name='{row}.when'][value='who=agent']\").checked")
        b.screenshot(shots / "7-form-with-question.png", full_page=True)

        b.goto(f"{base}/editor/g/{SC}/preview")
        links = b.js("[...document.querySelectorAll('.paths a')].map(a => a.textContent)")
        assert "由谁办理？本人办理" in links and "由谁办理？委托他人办理" in links
        whole = _frame_text(b)
        assert "请先选择您的情形" in whole and "授权委托书" in whole  # every case, grouped, until one is chosen
        b.click(".paths a[href$='?who=self']", navigate=True)
        assert "本人办理" in b.text("#path-now")
        self_page = _frame_text(b)
        assert "您的情形：本人办理" in self_page and "授权委托书" not in self_page
        b.click(".paths a[href$='?who=agent']", navigate=True)
        agent_page = _frame_text(b)
        assert "您的情形：委托他人办理" in agent_page and "授权委托书" in agent_page
        b.screenshot(shots / "8-preview-agent-path.png", full_page=True)


def test_editor_form_with_cases_passes_axe(instance, shots):  # noqa: F811
    app = make_auth_app(instance)
    add_user(app, "ed", "editor")
    with LiveServer(app) as base, Browser(width=1280, height=900, mobile=False) as b:
        _login(b, base, "ed")
        b.goto(f"{base}/editor/g/{GA}")
        b.click("button[value='add:time_limit']", navigate=True)  # a second time-limit variant
        assert b.js("document.querySelectorAll('[data-rows=time_limit] > .row').length") == 2
        for path in (f"/editor/g/{GA}", f"/editor/g/{GA}/preview?why=lost"):
            if path != f"/editor/g/{GA}":
                b.goto(base + path)
            bad = [v for v in b.axe_violations() if v["impact"] in ("serious", "critical")]
            assert bad == [], (path, bad)
        b.goto(f"{base}/editor/g/{GA}")
        b.js("document.querySelector('[data-rows=questions]').scrollIntoView({block: 'start'})")
        b.screenshot(shots / "9-questions-and-group.png")
