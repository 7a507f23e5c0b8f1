"""The editor pages this workflow added or changed are valid HTML (Nu checker) and pass axe-core
in Chromium: the form with its Enter-saves button, the review diff, 待我审核, publish with a
stale copy."""
from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from guide_server.cli import main
from tests.conftest import FIXTURES
from tests.guide_server.authutil import PASSWORD, add_user, make_auth_app
from tests.guide_server.editor.test_editor import GA, SC, _change_and_submit, client_for, post, version_of
from tests.guide_server.editor.test_two_sources import set_department
from tests.guide_server.public.test_html_valid import VNU
from tests.support.browser import Browser
from tests.support.live_server import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]
NEW = "330382-GA-0011"
PAGES = {"form": f"/editor/g/{SC}", "review-diff": f"/editor/g/{GA}", "to-review": "/editor/review",
         "publish-stale": "/editor/publish", "list": "/editor/", "preview-path": f"/editor/g/{GA}/preview?why=lost"}


@pytest.fixture
def app(tmp_path):
    content, inst = tmp_path / "content", tmp_path / "instance"
    shutil.copytree(FIXTURES / "valid", content)
    assert CliRunner().invoke(main, ["release", "--content", str(content), "--instance", str(inst)]).exit_code == 0
    app = make_auth_app(inst)
    for name, role in (("ed", "editor"), ("rita", "reviewer")):
        add_user(app, name, role)
    ed, rita = client_for(app, "ed"), client_for(app, "rita")
    _change_and_submit(ed, GA, "编辑器改的部门")
    set_department(content, GA, "内容目录改的部门")  # published meanwhile: the copy is stale
    assert CliRunner().invoke(main, ["release", "--content", str(content), "--instance", str(inst)]).exit_code == 0
    assert post(rita, f"/editor/g/{GA}/approve", f"/editor/g/{GA}", version=version_of(rita, GA)).status_code == 303
    _change_and_submit(ed, SC, "待审核的部门")
    assert post(ed, "/editor/new", "/editor/new", code=NEW, name="新事项", category="户籍办理").status_code == 303
    return app


def test_editor_pages_are_valid_html(app, tmp_path):
    rita = client_for(app, "rita")
    files = []
    for name, path in PAGES.items():
        f = tmp_path / f"{name}.html"
        f.write_bytes(rita.get(path).data)
        files.append(f)
    ed = client_for(app, "ed")
    for name, path in (("form-editable", f"/editor/g/{NEW}"), ("history", f"/editor/g/{SC}/history")):
        (tmp_path / f"{name}.html").write_bytes(ed.get(path).data)
        files.append(tmp_path / f"{name}.html")
    assert 'class="enter-saves"' in (tmp_path / "form-editable.html").read_text(encoding="utf-8")
    run = subprocess.run(["java", "-Xss4m", "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, files)],
                         capture_output=True, text=True, timeout=180)
    messages = json.loads(run.stderr or run.stdout or '{"messages": []}')["messages"]
    assert [(m.get("url", "").rsplit("/", 1)[-1], m.get("message")) for m in messages if m.get("type") == "error"] == []


def test_editor_pages_pass_axe(app):
    with LiveServer(app) as base, Browser(width=1280, height=900, mobile=False) as b:
        for who, pages in (("ed", {"draft-form": f"/editor/g/{NEW}"}), ("rita", PAGES)):
            b.goto(base + "/login")
            b.fill("#name", who)
            b.fill("#password", PASSWORD)
            b.click("form button[type=submit]", navigate=True)
            for name, path in pages.items():
                b.goto(base + path)
                bad = [v for v in b.axe_violations() if v["impact"] in ("serious", "critical")]
                assert bad == [], (who, name, bad)
            b.click(".who button[type=submit]", navigate=True)
