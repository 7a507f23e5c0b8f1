"""Halls in the web editor: overrides and own guides, scopes at every boundary, over HTTP, on
SQLite and PostgreSQL (conftest's db_url)."""
from __future__ import annotations

import re

import pytest

from guides.loader import load_content
from guides.release import ReleaseStore
from tests.guide_server.authutil import PASSWORD, csrf_token, login, make_auth_app
from tests.guide_server.editor.hall_fixture import GA, city_with_halls

SHARED_REFUSED = "不能修改、审核或发布测试市民中心"


@pytest.fixture
def app(tmp_path, valid_content, db_url):
    city_with_halls(valid_content)
    inst = tmp_path / "city"
    ReleaseStore(inst).publish(load_content(valid_content))
    return make_auth_app(inst, DATABASE_URL=db_url)


def _client(app, name, role, scope):
    app.extensions["accounts"].add(name, role, PASSWORD, scope=scope)
    client = app.test_client()
    assert login(client, name).status_code in (302, 303)
    return client


def _post(client, url, data, page=None):
    token = csrf_token(client, page or "/editor/halls/")
    return client.post(url, data=dict(data, csrf_token=token))


def _hours_form(hours, extra=""):
    return {"locations.0.address": "乐清市柳市镇前市街 1 号一楼", "locations.0.window": "3 号窗口",
            "locations.0.hours": hours, "contacts.consult": "0577-61111112", "contacts.complaint": "0577-61111113",
            "extra": extra, "version": ""}


def _svc(app):
    return app.extensions["editor"]


def _item(app, hall, key=GA, kind="override"):
    return _svc(app).halls.item(hall, kind, key)


def _current(app):
    return ReleaseStore(_svc(app).releases.instance).current()


def _save_shared(client, app):
    row = _svc(app).get(GA)
    return _post(client, f"/editor/g/{GA}/submit", {"version": str(row.version)}, f"/editor/g/{GA}")


def _text(r):
    return r.get_data(as_text=True)


def test_a_county_editor_edits_its_halls_but_not_county_b_nor_the_city_text(app):
    ed = _client(app, "ed-yueqing", "editor", "330382")
    listed = _text(ed.get("/editor/halls/"))
    assert "柳市镇便民服务中心" in listed and "北白象镇便民服务中心" in listed and "瑞安市民中心" not in listed
    for hall in ("liushi", "baixiang"):
        r = _post(ed, f"/editor/halls/{hall}/o/{GA}", _hours_form("周一至周六 8:30-12:00"))
        assert r.status_code == 303, _text(r)
        assert _item(app, hall).data["locations"][0]["hours"] == "周一至周六 8:30-12:00"
    r = _post(ed, "/editor/halls/liushi/own/330382-SC-0901", {"yaml": _own_yaml(app, "本大厅自办（已核对）")})
    assert r.status_code == 303, _text(r)
    # county B's hall: neither read nor written
    for r in (ed.get("/editor/halls/ruian/"), ed.get(f"/editor/halls/ruian/o/{GA}"),
              _post(ed, f"/editor/halls/ruian/o/{GA}", _hours_form("全天"))):
        assert r.status_code == 403
        assert "您的权限范围是乐清市（330382），不能查看、修改、审核或发布瑞安市民中心" in _text(r)
    assert _item(app, "ruian") is None
    # the city's shared text
    r = _save_shared(ed, app)
    assert r.status_code == 403 and SHARED_REFUSED in _text(r)
    assert _svc(app).get(GA).status == "published"


def _own_yaml(app, department):
    import yaml

    data = _current(app).content.halls["liushi"].own["330382-SC-0901"].model_dump(mode="json", exclude_defaults=True)
    data["department"] = department
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@pytest.mark.parametrize("scope,allowed", [("hall:liushi", {"liushi"}), ("330382102", {"liushi"}),
                                           ("330381", {"ruian"})])
def test_hall_and_township_editors_reach_only_their_halls(app, scope, allowed):
    ed = _client(app, "ed-narrow", "editor", scope)
    for hall in ("liushi", "baixiang", "ruian"):
        r = _post(ed, f"/editor/halls/{hall}/o/{GA}", _hours_form("周一至周五 9:00-11:00"))
        if hall in allowed:
            assert r.status_code == 303, _text(r)
            assert _item(app, hall).status == "draft"
        else:
            assert r.status_code == 403 and "您的权限范围是" in _text(r) and "不能查看、修改" in _text(r)
            assert _item(app, hall) is None
    r = _post(ed, "/editor/halls/baixiang/own-new", {"code": "330382-SC-0950", "from": "330382-SC-0001"})
    assert r.status_code == ("baixiang" in allowed and 303 or 403)
    assert _save_shared(ed, app).status_code == 403


def _submitted(app, hall="liushi", hours="周一至周六 8:30-12:00"):
    ed = _client(app, f"ed-{hall}", "editor", f"hall:{hall}")
    form = dict(_hours_form(hours), action="submit")
    r = _post(ed, f"/editor/halls/{hall}/o/{GA}", form)
    assert r.status_code == 303, _text(r)
    item = _item(app, hall)
    assert item.status == "in_review"
    return item


def test_reviewers_approve_hall_changes_in_their_scope_only(app):
    item = _submitted(app)
    data = {"version": str(item.version)}
    county_b = _client(app, "rv-ruian", "reviewer", "330381")
    r = _post(county_b, f"/editor/halls/item/{item.id}/approve", data)
    assert r.status_code == 403 and "瑞安市（330381）" in _text(r) and "柳市镇便民服务中心" in _text(r)
    r = _post(_client(app, "rv-baixiang", "reviewer", "hall:baixiang"), f"/editor/halls/item/{item.id}/approve", data)
    assert r.status_code == 403
    assert _item(app, "liushi").status == "in_review"
    assert "330382-GA-0001" not in _text(county_b.get("/editor/halls/review"))
    county_a = _client(app, "rv-yueqing", "reviewer", "330382")
    assert GA in _text(county_a.get("/editor/halls/review"))
    diff = _text(county_a.get(f"/editor/halls/liushi/o/{GA}"))
    diff = diff[diff.index('id="changes"'):]
    assert "-  hours: 周一至周五 8:30-12:00" in diff and "+  hours: 周一至周六 8:30-12:00" in diff
    r = _post(county_a, f"/editor/halls/item/{item.id}/approve", data)
    assert r.status_code == 303 and _item(app, "liushi").status == "approved"
    # the county reviewer cannot approve the city's shared text
    city_ed = _client(app, "ed-city", "editor", "330300")
    row = _svc(app).get(GA)
    _svc(app).save(app.extensions["accounts"].by_name("ed-city"), GA, row.version, dict(row.data, department="温州市公安局（已核对）"))
    assert _save_shared(city_ed, app).status_code == 303
    shared = _svc(app).get(GA)
    assert shared.status == "in_review"
    r = _post(county_a, f"/editor/g/{GA}/approve", {"version": str(shared.version)}, f"/editor/g/{GA}")
    assert r.status_code == 403 and SHARED_REFUSED in _text(r)
    city_rv = _client(app, "rv-city", "reviewer", "330300")
    r = _post(city_rv, f"/editor/g/{GA}/approve", {"version": str(shared.version)}, f"/editor/g/{GA}")
    assert r.status_code == 303 and _svc(app).get(GA).status == "approved"


def test_an_out_of_scope_reviewer_cannot_publish_a_hall_change(app):
    item = _submitted(app)
    _post(_client(app, "rv-yueqing", "reviewer", "330382"), f"/editor/halls/item/{item.id}/approve",
          {"version": str(item.version)})
    before = _current(app).number
    county_b = _client(app, "rv-ruian", "reviewer", "330381")
    assert "330382-GA-0001" not in _text(county_b.get("/editor/halls/publish"))
    r = _post(county_b, "/editor/halls/publish", {"item": str(item.id)})
    assert r.status_code == 403 and _current(app).number == before
    assert _item(app, "liushi").status == "approved"


def test_approved_override_is_published_as_a_new_release_for_that_hall_only(app):
    item = _submitted(app)
    author = _client(app, "rv-self", "reviewer", "hall:liushi")
    reviewer = _client(app, "rv-yueqing", "reviewer", "330382")
    r = _post(reviewer, f"/editor/halls/item/{item.id}/approve", {"version": str(item.version)})
    assert r.status_code == 303
    before = _current(app)
    r = _post(author, "/editor/halls/publish", {"item": str(item.id)})
    assert r.status_code == 200 and "已发布" in _text(r), _text(r)
    rel = _current(app)
    assert rel.number == before.number + 1
    assert rel.content.guides_of("liushi")[GA].locations[0].hours == "周一至周六 8:30-12:00"
    assert rel.content.guides_of("ruian")[GA].locations[0].hours == "周一至周五 8:30-12:00"
    assert rel.content.guides_of("baixiang")[GA].locations == rel.guides[GA].locations
    assert rel.guides[GA] == before.guides[GA]  # the shared text is untouched
    store = ReleaseStore(app.instance_path)  # only liushi's part is written; the others are the same files
    inode = {n: {p.stem: p.stat().st_ino for p in (store.folder(n) / "halls").iterdir()}
             for n in (before.number, rel.number)}
    assert [h for h in inode[rel.number] if inode[rel.number][h] != inode[before.number][h]] == ["liushi"]
    from guides.hall_release import hall_release  # what a kiosk enrolled to each hall receives

    assert hall_release(rel, "liushi")[0].guides[GA].locations[0].hours == "周一至周六 8:30-12:00"
    assert hall_release(rel, "ruian")[0].guides[GA].locations[0].hours == "周一至周五 8:30-12:00"
    assert _item(app, "liushi").status == "published"
    actions = [(e.action, e.user_name) for e in reversed(_svc(app).audit(GA))]
    assert actions[-4:] == [("saved", "ed-liushi"), ("submitted", "ed-liushi"), ("approved", "rv-yueqing"),
                            ("published", "rv-self")]
    assert "大厅 liushi" in _svc(app).audit(GA)[0].detail


def test_nobody_approves_their_own_hall_change(app):
    item = _submitted(app)
    both = _client(app, "both", "admin", "hall:liushi")
    r = _post(both, f"/editor/halls/liushi/o/{GA}", dict(_hours_form("周日 9:00-12:00"), version=str(item.version)))
    assert r.status_code == 400 and "不能修改" in _text(r)  # in review: frozen
    _post(both, f"/editor/halls/item/{item.id}/withdraw", {"version": str(item.version)})
    withdrawn = _item(app, "liushi")
    assert withdrawn.status == "draft"
    r = _post(both, f"/editor/halls/liushi/o/{GA}", dict(_hours_form("周日 9:00-12:00"), action="submit",
                                                         version=str(withdrawn.version)))
    assert r.status_code == 303
    item = _item(app, "liushi")
    r = _post(both, f"/editor/halls/item/{item.id}/approve", {"version": str(item.version)})
    assert r.status_code == 400 and "不能审核自己的修改" in _text(r)


def test_an_override_touching_a_unified_element_is_refused_with_e506_beside_the_field(app):
    ed = _client(app, "ed-liushi", "editor", "hall:liushi")
    r = _post(ed, f"/editor/halls/liushi/o/{GA}", _hours_form("周一", extra="online_url: https://example.gov.cn/x\n"
                                                                            "name: 柳市户口迁移"))
    assert r.status_code == 400
    html = _text(r)
    field = html[html.index('data-field="extra"'):]
    field = field[:field.index("</div>")]
    assert 'data-code="E506"' in field and "第 2 行" in field and "事项名称" in field
    assert _item(app, "liushi") is None  # nothing saved


def test_a_local_error_is_shown_at_its_field_and_blocks_review(app):
    ed = _client(app, "ed-liushi", "editor", "hall:liushi")
    form = _hours_form("周一")
    form["locations.0.address"] = ""
    form["contacts.consult"] = ""
    form["contacts.complaint"] = "0577-61111113"
    r = _post(ed, f"/editor/halls/liushi/o/{GA}", dict(form, action="submit"))
    assert r.status_code == 400 and "内容检查未通过" in _text(r)
    page = _text(ed.get(f"/editor/halls/liushi/o/{GA}"))
    assert re.search(r'data-field="locations\.0\.address".*?class="msg err"', page, re.S)
    assert re.search(r'data-field="contacts\.consult".*?class="msg err"', page, re.S)
    assert _item(app, "liushi").status == "draft"


def test_deleting_an_override_goes_through_review_and_restores_the_shared_windows(app):
    ed = _client(app, "ed-liushi", "editor", "hall:liushi")
    r = _post(ed, f"/editor/halls/liushi/o/{GA}", {"action": "delete", "version": ""})
    assert r.status_code == 303
    item = _item(app, "liushi")
    assert item.deleting and item.status == "draft"
    _post(ed, f"/editor/halls/item/{item.id}/submit", {"version": str(item.version)})
    rv = _client(app, "rv-city", "reviewer", "330300")
    item = _item(app, "liushi")
    assert _post(rv, f"/editor/halls/item/{item.id}/approve", {"version": str(item.version)}).status_code == 303
    assert "已发布" in _text(_post(rv, "/editor/halls/publish", {"item": str(item.id)}))
    rel = _current(app)
    assert rel.content.guides_of("liushi")[GA].locations == rel.guides[GA].locations


def test_a_hall_creates_and_publishes_its_own_guide(app):
    ed = _client(app, "ed-liushi", "editor", "hall:liushi")
    r = _post(ed, "/editor/halls/liushi/own-new", {"code": "330382-GA-0001", "from": "330382-SC-0001"})
    assert r.status_code == 400 and "已被使用" in _text(r)
    r = _post(ed, "/editor/halls/liushi/own-new", {"code": "330382-SC-0902", "from": "330382-SC-0001",
                                                   "name": "柳市镇老年优待证办理"})
    assert r.status_code == 303
    item = _item(app, "liushi", "330382-SC-0902", "own")
    assert item.status == "draft" and item.data["name"] == "柳市镇老年优待证办理"
    r = _post(ed, f"/editor/halls/item/{item.id}/submit", {"version": str(item.version)})
    assert r.status_code == 303
    rv = _client(app, "rv-township", "reviewer", "330382102")
    item = _item(app, "liushi", "330382-SC-0902", "own")
    assert _post(rv, f"/editor/halls/item/{item.id}/approve", {"version": str(item.version)}).status_code == 303
    assert "已发布" in _text(_post(rv, "/editor/halls/publish", {"item": str(item.id)}))
    rel = _current(app)
    assert rel.content.guides_of("liushi")["330382-SC-0902"].name == "柳市镇老年优待证办理"
    assert "330382-SC-0902" not in rel.guides and "330382-SC-0902" not in rel.content.guides_of("ruian")


def test_own_guide_yaml_errors_are_shown_with_their_line(app):
    ed = _client(app, "ed-liushi", "editor", "hall:liushi")
    text = _own_yaml(app, "x").replace("category:", "category: 不存在的分类\nxcategory:", 1)
    r = _post(ed, "/editor/halls/liushi/own/330382-SC-0901", {"yaml": text, "action": "submit"})
    assert r.status_code == 400
    html = _text(r)
    assert "草稿已保存，但内容检查未通过" in html and re.search(r"第 \d+ 行", html)
    assert _item(app, "liushi", "330382-SC-0901", "own").status == "draft"


def test_two_editors_starting_from_the_published_override_do_not_overwrite_each_other(app):
    first = _client(app, "ed-a", "editor", "330382")
    second = _client(app, "ed-b", "editor", "hall:liushi")
    page = f"/editor/halls/liushi/o/{GA}"
    token = csrf_token(second, page)  # the second editor opened the form before the first saved
    assert _post(first, page, _hours_form("周一 8:30-12:00")).status_code == 303
    r = second.post(page, data=dict(_hours_form("周二 8:30-12:00"), csrf_token=token))
    assert r.status_code == 400 and "已被 ed-a" in _text(r)
    assert _item(app, "liushi").data["locations"][0]["hours"] == "周一 8:30-12:00"


def test_published_hall_changes_come_back_into_the_content_folder(app, valid_content, db_url):
    from click.testing import CliRunner

    from guide_server.cli import main

    item = _submitted(app, hours="周一至周六 8:30-12:00")
    rv = _client(app, "rv-yueqing", "reviewer", "330382")
    _post(rv, f"/editor/halls/item/{item.id}/approve", {"version": str(item.version)})
    ed = _client(app, "ed-ruian", "editor", "hall:ruian")
    assert _post(ed, f"/editor/halls/ruian/o/{GA}", {"action": "delete", "version": ""}).status_code == 303
    deleting = _item(app, "ruian")
    _post(ed, f"/editor/halls/item/{deleting.id}/submit", {"version": str(deleting.version)})
    deleting = _item(app, "ruian")
    _post(_client(app, "rv-city", "reviewer", "330300"), f"/editor/halls/item/{deleting.id}/approve",
          {"version": str(deleting.version)})
    _svc(app).publish(app.extensions["accounts"].by_name("rv-city"), [], hall_items=[])
    runner = CliRunner(env={"DATABASE_URL": db_url})
    args = ["content", "export", "--published", "--out", str(valid_content), "--instance", app.instance_path]
    kept = runner.invoke(main, args)
    assert kept.exit_code == 0 and "未覆盖" in kept.output and f"liushi/overrides/{GA}.yaml" in kept.output
    done = runner.invoke(main, args + ["--overwrite"])
    assert done.exit_code == 0, done.output
    assert "8:30-12:00" in (valid_content / "halls" / "liushi" / "overrides" / f"{GA}.yaml").read_text(encoding="utf-8")
    assert not (valid_content / "halls" / "ruian" / "overrides" / f"{GA}.yaml").exists()
    again = load_content(valid_content)
    assert again.guides_of("liushi")[GA].locations[0].hours == "周一至周六 8:30-12:00"
    assert again.guides_of("ruian")[GA].locations == again.guides[GA].locations


def test_a_hall_publish_interrupted_after_the_release_is_finished_by_reconcile(app, monkeypatch):
    from guide_server.editor.service import EditorService

    item = _submitted(app)
    svc = _svc(app)
    city = app.extensions["accounts"].add("rv-city", "reviewer", PASSWORD, scope="330300")
    svc.halls.approve(city, item.id, item.version)
    before = _current(app).number

    def crash(self, intent_id, release):  # the process dies after writing the release
        raise SystemExit("killed")

    monkeypatch.setattr(EditorService, "_finish", crash)
    with pytest.raises(SystemExit):
        svc.publish(city, [], hall_items=[item.id])
    monkeypatch.undo()
    assert _current(app).number == before + 1 and _item(app, "liushi").status == "approved"
    done = svc.reconcile()  # what a restarted server runs first
    assert any("已补记被中断的发布" in line for line in done)
    assert _item(app, "liushi").status == "published"
    assert [e.action for e in svc.audit(GA, 1)] == ["published"]
    assert _current(app).content.guides_of("liushi")[GA].locations[0].hours == "周一至周六 8:30-12:00"


def test_text_rules_of_the_checker_are_shown_beside_the_override_fields(app):
    """The hours field and the other-elements text get the file checker's text rules (vague
    wording, bidi and zero-width characters, characters the font cannot draw, markup)."""
    ed = _client(app, "ed-liushi", "editor", "hall:liushi")
    form = _hours_form("周一至周五 8:30-12:00，其他材料视情况\u202e",
                       extra="online_url: https://example.gov.cn/x\n"
                             "department: 柳市镇𠀾便民服务中心<b>x</b>\n")
    r = _post(ed, f"/editor/halls/liushi/o/{GA}", dict(form, action="submit"))
    assert r.status_code == 400
    html = _text(r)
    hours = html[html.index('data-field="locations.0.hours"'):]
    hours = hours[:hours.index("</div>")]
    assert 'data-code="E201"' in hours and "视情况" in hours and 'data-code="E222"' in hours
    extra = html[html.index('data-field="extra"'):]
    extra = extra[:extra.index("</div>")]
    assert 'data-code="E223"' in extra and 'data-code="E209"' in extra and "第 2 行" in extra
    assert extra.count('data-code="E223"') == 1  # once, with its line, not again from the merged guide
    assert "U+2003E" in extra
    assert _item(app, "liushi").status == "draft"  # kept as a draft, not sent for review


@pytest.mark.parametrize("text,line,word", [
    ("a: &a [*a]\n", 1, "不允许使用锚点（&a）"),
    ("name: 测试\n" + "".join(f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n"
                            for p, c in zip("abcdefgh", "bcdefghi")).replace("b: &b", "a: &a [哈]\nb: &b", 1), 2,
     "不允许使用锚点（&a）"),
    ("name: 测试\nmaterials: " + "[" * 80 + "]" * 80 + "\n", 2, "嵌套层次过深"),
])
def test_own_guide_yaml_with_aliases_or_deep_nesting_is_refused_and_nothing_saved(app, text, line, word):
    ed = _client(app, "ed-liushi", "editor", "hall:liushi")
    before = _item(app, "liushi", "330382-SC-0901", "own")
    r = _post(ed, "/editor/halls/liushi/own/330382-SC-0901", {"yaml": text, "action": "submit"})
    assert r.status_code == 400
    import html as html_lib

    html = html_lib.unescape(_text(r))
    assert f"第 {line} 行{word}" in html and "未保存" in html
    after = _item(app, "liushi", "330382-SC-0901", "own")
    assert (after is None) == (before is None)
    assert after is None or after.version == before.version


def test_an_override_with_an_alias_in_its_yaml_box_is_refused_beside_the_box(app):
    import html as html_lib

    ed = _client(app, "ed-liushi", "editor", "hall:liushi")
    r = _post(ed, f"/editor/halls/liushi/o/{GA}", _hours_form("周一", extra="note: 本地\nmaterials: &m [*m]"))
    assert r.status_code == 400
    page = html_lib.unescape(_text(r))
    field = page[page.index('data-field="extra"'):]
    field = field[:field.index("</div>")]
    assert 'data-code="E001"' in field and "第 2 行" in field and "不允许使用锚点（&m）" in field
    assert _item(app, "liushi") is None  # nothing saved
