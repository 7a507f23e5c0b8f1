"""The guide editor over HTTP: roles on every route, the checker next to its field, review,
publish into a real release, concurrent edits, history, audit, retire, export and import."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from pathlib import Path
from click.testing import CliRunner
from werkzeug.datastructures import MultiDict

from guides.release import ReleaseStore
from tests.guide_server.authutil import add_user, csrf_token, login, make_auth_app

GA = "330382-GA-0001"
SC = "330382-SC-0001"


class _Fields(HTMLParser):
    """The fields a browser would submit from the guide form (without pressing a button)."""

    def __init__(self):
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name") and "disabled" not in a:
            if a.get("type") == "checkbox":
                if "checked" in a:
                    self.fields.append((a["name"], a.get("value", "on")))
            else:
                self.fields.append((a["name"], a.get("value", "")))
        elif tag == "select" and "disabled" not in a:
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self.fields.append((self._select, a.get("value", "")))
        elif tag == "textarea" and "readonly" not in a:
            self._textarea = a.get("name")
            self.fields.append((self._textarea, ""))

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            name, value = self.fields[-1]
            self.fields[-1] = (name, value + data)


def form_of(client, code: str) -> MultiDict:
    html = client.get(f"/editor/g/{code}").get_data(as_text=True)
    part = html.split('id="guide-form"', 1)[1].split("</form>", 1)[0]
    p = _Fields()
    p.feed(part)
    return MultiDict(p.fields)


def add_material(form: MultiDict, name: str, index: int = 9) -> None:
    for k, v in (("name", name), ("form", "原件"), ("copies", "1"), ("source", "申请人自备"), ("required", "true")):
        form.add(f"materials.{index}.{k}", v)


@pytest.fixture
def app(instance, db_url):
    app = make_auth_app(instance, DATABASE_URL=db_url)
    for name, role in (("ed", "editor"), ("eve", "editor"), ("rita", "reviewer"), ("rob", "reviewer"),
                       ("root", "admin")):
        add_user(app, name, role)
    return app


def client_for(app, name):
    c = app.test_client()
    assert login(c, name).status_code == 303
    return c


@pytest.fixture
def ed(app):
    return client_for(app, "ed")


@pytest.fixture
def rita(app):
    return client_for(app, "rita")


def post(client, url, page, **data):
    data.setdefault("csrf_token", csrf_token(client, page))
    return client.post(url, data=data)


def save(client, code, form: MultiDict, action="save"):
    form = MultiDict(form)
    form["action"] = action
    return client.post(f"/editor/g/{code}", data=form)


def version_of(client, code) -> str:
    return re.search(r'name="version" value="(\d+)"', client.get(f"/editor/g/{code}").get_data(as_text=True)).group(1)


# -- roles ------------------------------------------------------------------------------------------
READ_PAGES = ["/editor/", f"/editor/g/{GA}", f"/editor/g/{GA}/preview", f"/editor/g/{GA}/history",
              f"/editor/g/{GA}/phone", f"/editor/g/{GA}/receipt.png"]


@pytest.mark.parametrize("url", READ_PAGES + ["/editor/publish", "/editor/audit", "/editor/new"])
def test_anonymous_is_sent_to_login(app, url):
    r = app.test_client().get(url)
    assert r.status_code == 303 and r.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("who,url,status", [
    ("ed", "/editor/", 200), ("rita", "/editor/", 200), ("root", "/editor/", 200),
    ("ed", f"/editor/g/{GA}/preview", 200), ("rita", f"/editor/g/{GA}/history", 200),
    ("ed", "/editor/publish", 403), ("rita", "/editor/publish", 200), ("root", "/editor/publish", 200),
    ("ed", "/editor/audit", 403), ("rita", "/editor/audit", 200), ("root", "/editor/audit", 200),
    ("ed", "/editor/new", 200), ("rita", "/editor/new", 403),
])
def test_get_permissions(app, who, url, status):
    assert client_for(app, who).get(url).status_code == status


@pytest.mark.parametrize("who,path,status", [
    ("rita", f"/editor/g/{GA}", 403), ("rita", f"/editor/g/{GA}/submit", 403),
    ("rita", f"/editor/g/{GA}/retire", 403), ("rita", f"/editor/g/{GA}/restore", 403), ("rita", "/editor/new", 403),
    ("ed", f"/editor/g/{GA}/approve", 403), ("ed", f"/editor/g/{GA}/send-back", 403), ("ed", "/editor/publish", 403),
])
def test_post_permissions(app, who, path, status):
    c = client_for(app, who)
    assert post(c, path, "/account").status_code == status


def test_every_editor_route_requires_a_role(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("editor."):
            view = app.view_functions[rule.endpoint]
            assert getattr(view, "required_roles", None), rule.rule


def test_post_without_csrf_token_is_refused(ed):
    form = form_of(ed, GA)
    del form["csrf_token"]
    r = save(ed, GA, form)
    assert r.status_code == 400 and "页面已过期" in r.get_data(as_text=True)


def test_reviewer_sees_the_form_read_only(rita):
    html = rita.get(f"/editor/g/{GA}").get_data(as_text=True)
    assert "保存草稿" not in html and "readonly" in html


# -- the checker next to its field --------------------------------------------------------------------
def test_vague_material_message_is_next_to_its_field(ed):
    form = form_of(ed, GA)
    n = len([k for k in form if re.match(r"materials\.\d+\.name$", k)])
    add_material(form, "其他材料")
    assert save(ed, GA, form).status_code == 303
    html = ed.get(f"/editor/g/{GA}").get_data(as_text=True)
    field = re.search(rf'<div class="fld[^"]*" data-field="materials\.{n}\.name">(.*?)</div>', html, re.S).group(1)
    assert 'value="其他材料"' in field and 'data-code="E201">模糊条款' in field and "aria-invalid" in field
    assert "E201 " not in field  # the code is not part of the text an editor reads
    # the same finding as `guide-server check`
    assert "“其他材料”含义不明，请逐项写明具体内容或删除" in field


def test_live_check_endpoint_returns_findings_by_field(ed):
    form = form_of(ed, GA)
    add_material(form, "有关材料")
    r = ed.post(f"/editor/g/{GA}/check", data=form)
    body = r.get_json()
    assert r.status_code == 200 and not body["ok"]
    assert [(f["field"], f["code"]) for f in body["findings"]][0][1] == "E201"
    assert body["findings"][0]["field"].startswith("materials.")


def test_submit_refused_while_the_checker_finds_errors(ed):
    form = form_of(ed, GA)
    add_material(form, "其他材料")
    r = save(ed, GA, form, action="submit")
    assert r.status_code == 400 and "内容检查未通过" in r.get_data(as_text=True)
    assert "草稿" in ed.get("/editor/?status=draft").get_data(as_text=True)


def test_add_row_without_javascript(ed):
    form = form_of(ed, GA)
    before = len([k for k in form if re.match(r"faq\.\d+\.q$", k)])
    form["action"] = "add:faq"
    html = ed.post(f"/editor/g/{GA}", data=form).get_data(as_text=True)
    assert len(re.findall(r'name="faq\.\d+\.q"', html)) == before + 1


def test_escaping_of_field_values(ed):
    form = form_of(ed, GA)
    form["name"] = '<script>alert(1)</script>'
    save(ed, GA, form)
    html = ed.get(f"/editor/g/{GA}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html and "E209" in html
    listing = ed.get("/editor/").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in listing


# -- review and publish -----------------------------------------------------------------------------------
def _change_and_submit(client, code, text):
    form = form_of(client, code)
    form["department"] = text
    r = save(client, code, form, action="submit")
    assert r.status_code == 303, r.get_data(as_text=True)


def test_full_workflow_publishes_a_release_the_phone_page_shows(app, ed, rita, instance):
    store = ReleaseStore(instance)
    assert store.current_number() == 1
    _change_and_submit(ed, GA, "乐清市公安局户政科（市民中心二楼 8 号窗口）")
    v = version_of(rita, GA)
    assert post(rita, f"/editor/g/{GA}/approve", f"/editor/g/{GA}", version=v).status_code == 303
    r = post(rita, "/editor/publish", "/editor/publish", code=GA)
    assert "已发布 版本 R2" in r.get_data(as_text=True)
    assert store.current_number() == 2
    assert store.current().guides[GA].department == "乐清市公安局户政科（市民中心二楼 8 号窗口）"
    page = app.test_client().get(f"/g/{GA}").get_data(as_text=True)
    assert "市民中心二楼 8 号窗口" in page and "版本 R2" in page
    assert "已发布" in ed.get(f"/editor/g/{GA}").get_data(as_text=True)


def test_author_cannot_approve_own_change_even_as_admin(app):
    root = client_for(app, "root")
    _change_and_submit(root, GA, "乐清市公安局户政科")
    html = root.get(f"/editor/g/{GA}").get_data(as_text=True)
    assert "审核通过</button>" not in html and "请由其他审核人员审核" in html
    r = post(root, f"/editor/g/{GA}/approve", f"/editor/g/{GA}", version=version_of(root, GA))
    assert r.status_code == 400 and "不能审核自己的修改" in r.get_data(as_text=True)
    assert "待审核" in root.get(f"/editor/g/{GA}").get_data(as_text=True)


def test_send_back_with_comment(ed, rita):
    _change_and_submit(ed, GA, "乐清市公安局户政科")
    v = version_of(rita, GA)
    r = post(rita, f"/editor/g/{GA}/send-back", f"/editor/g/{GA}", version=v, comment="")
    assert r.status_code == 400
    post(rita, f"/editor/g/{GA}/send-back", f"/editor/g/{GA}", version=v, comment="请写明具体楼层")
    html = ed.get(f"/editor/g/{GA}").get_data(as_text=True)
    assert "审核意见：请写明具体楼层" in html and "保存草稿" in html


def test_several_approved_guides_are_one_release(app, ed, rita, instance):
    _change_and_submit(ed, GA, "部门甲")
    _change_and_submit(ed, SC, "部门乙")
    for code in (GA, SC):
        post(rita, f"/editor/g/{code}/approve", f"/editor/g/{code}", version=version_of(rita, code))
    data = MultiDict([("csrf_token", csrf_token(rita, "/editor/publish")), ("code", GA), ("code", SC)])
    rita.post("/editor/publish", data=data)
    store = ReleaseStore(instance)
    assert store.numbers() == [1, 2]
    rel = store.current()
    assert rel.guides[GA].department == "部门甲" and rel.guides[SC].department == "部门乙"


# -- concurrent edits ------------------------------------------------------------------------------------------
def test_concurrent_edit_is_detected_not_overwritten(app, ed):
    eve = client_for(app, "eve")
    mine, theirs = form_of(ed, GA), form_of(eve, GA)
    mine["department"] = "甲写的部门"
    theirs["department"] = "乙写的部门"
    assert save(ed, GA, mine).status_code == 303
    r = save(eve, GA, theirs)
    text = r.get_data(as_text=True)
    assert r.status_code == 409 and "已被 ed" in text and "乙写的部门" in text  # their input kept
    assert "甲写的部门" in text  # the diff shows what was saved
    assert app.extensions["editor"].get(GA).data["department"] == "甲写的部门"


# -- history, restore, audit -------------------------------------------------------------------------------------
def test_history_diff_and_restore_as_new_draft(app, ed):
    form = form_of(ed, GA)
    old = form["department"]
    form["department"] = "新的部门名称"
    save(ed, GA, form)
    html = ed.get(f"/editor/g/{GA}/history").get_data(as_text=True)
    assert '<span class="del">-department: ' + old in html
    assert '<span class="add">+department: 新的部门名称</span>' in html
    r = post(ed, f"/editor/g/{GA}/restore", f"/editor/g/{GA}/history", version=version_of(ed, GA), number="1")
    assert r.status_code == 303
    row = app.extensions["editor"].get(GA)
    assert row.data["department"] == old and row.status == "draft"
    assert len(app.extensions["editor"].history(GA)) == 3


def test_audit_log_records_steps_and_cannot_be_changed(app, ed, rita, instance):
    _change_and_submit(ed, GA, "审计测试部门")
    post(rita, f"/editor/g/{GA}/approve", f"/editor/g/{GA}", version=version_of(rita, GA))
    entries = app.extensions["editor"].audit(GA)
    assert [(e.user_name, e.action) for e in reversed(entries)] == [
        ("ed", "saved"), ("ed", "submitted"), ("rita", "approved")]
    assert "+department: 审计测试部门" in entries[-1].diff
    html = rita.get("/editor/audit").get_data(as_text=True)
    assert "审核通过" in html and "审计测试部门" in html
    assert rita.post("/editor/audit").status_code == 405
    # the database itself refuses to change or delete an entry (a trigger on SQLite and PostgreSQL)
    engine = app.extensions["editor"].db.engine
    for sql in ("UPDATE audit_log SET user_name = 'x'", "DELETE FROM audit_log",
                f"DELETE FROM audit_log WHERE code = '{GA}'"):
        with pytest.raises(DBAPIError, match="audit_log is append-only"), engine.begin() as conn:
            conn.execute(text(sql))
    assert [(e.user_name, e.action) for e in reversed(app.extensions["editor"].audit(GA))] == [
        ("ed", "saved"), ("ed", "submitted"), ("rita", "approved")]
    with engine.begin() as conn:  # appending still works
        conn.execute(text("INSERT INTO audit_log (at, user_name, action, code, detail, diff) "
                          "VALUES (CURRENT_TIMESTAMP, 'ops', 'note', NULL, '', '')"))


# -- new, copy, retire -------------------------------------------------------------------------------------------------
def test_copy_creates_a_draft_with_new_code_and_code_reuse_refused(app, ed):
    r = post(ed, "/editor/new", f"/editor/new?from={GA}", **{"from": GA, "code": "330382-GA-0009",
                                                              "name": "居民身份证换领（复制）", "category": "户籍办理"})
    assert r.status_code == 303
    row = app.extensions["editor"].get("330382-GA-0009")
    assert row.status == "draft" and row.data["materials"] == app.extensions["editor"].get(GA).data["materials"]
    r = post(ed, "/editor/new", "/editor/new", code=GA, name="x", category="户籍办理")
    assert r.status_code == 400 and "已被使用" in r.get_data(as_text=True)


def test_retired_guide_qr_url_points_to_successor(app, ed, rita):
    r = post(ed, f"/editor/g/{GA}/retire", f"/editor/g/{GA}", version=version_of(ed, GA), successor=SC)
    assert r.status_code == 303
    post(ed, f"/editor/g/{GA}/submit", f"/editor/g/{GA}", version=version_of(ed, GA))
    post(rita, f"/editor/g/{GA}/approve", f"/editor/g/{GA}", version=version_of(rita, GA))
    post(rita, "/editor/publish", "/editor/publish", code=GA)
    page = app.test_client().get(f"/g/{GA}")
    text = page.get_data(as_text=True)
    assert page.status_code == 410 and "该事项已调整" in text and f'href="/g/{SC}"' in text
    assert app.test_client().get("/g/330382-XX-0404").status_code == 404
    # the retirement travels in the release itself: kiosks, other workers and the static export see it
    from guides.release import ReleaseStore
    release = ReleaseStore(app.instance_path).current()
    assert GA not in release.guides and release.retired[GA].successor == SC
    from guide_server.export import export_site
    out = Path(app.instance_path).parent / "export"
    export_site(app, out)
    exported = (out / "g" / f"{GA}.html").read_text(encoding="utf-8")
    assert "该事项已调整" in exported and f'href="/g/{SC}"' in exported


# -- preview --------------------------------------------------------------------------------------------------------------
def test_preview_has_phone_kiosk_and_receipt(ed):
    html = ed.get(f"/editor/g/{GA}/preview").get_data(as_text=True)
    assert f"/editor/g/{GA}/phone" in html and "mode=elder" in html and "receipt.png" in html
    phone = ed.get(f"/editor/g/{GA}/phone")
    assert phone.status_code == 200 and "预览 · 未发布" in phone.get_data(as_text=True)
    assert "frame-ancestors 'self'" in phone.headers["Content-Security-Policy"]
    png = ed.get(f"/editor/g/{GA}/receipt.png")
    assert png.status_code == 200 and png.data[:8] == b"\x89PNG\r\n\x1a\n"
    from PIL import Image
    import io
    img = Image.open(io.BytesIO(png.data))
    assert img.width == 576 and img.height > 600


# -- files -------------------------------------------------------------------------------------------------------------------
def test_export_then_import_round_trip(app, instance, tmp_path, monkeypatch):
    from guide_server.cli import main
    from guides.loader import check_content

    monkeypatch.setenv("DATABASE_URL", app.config["DATABASE_URL"])  # the commands use the app's database
    runner = CliRunner()
    out = tmp_path / "out"
    r = runner.invoke(main, ["content", "export", "--out", str(out), "--instance", str(instance)])
    assert r.exit_code == 0, r.output
    assert check_content(out).ok
    g = out / "guides" / f"{GA}.yaml"
    g.write_text(g.read_text(encoding="utf-8").replace("原居民身份证", "其他材料"), encoding="utf-8")
    r = runner.invoke(main, ["content", "import", str(out), "--instance", str(instance)])
    assert r.exit_code == 0, r.output
    assert "E201 模糊条款" in r.output and f"{GA}.yaml:" in r.output
    assert "修改 1 个草稿" in r.output and "1 个未变" in r.output
    row = app.extensions["editor"].get(GA)
    assert row.status == "draft" and any(m["name"] == "其他材料" for m in row.data["materials"])
