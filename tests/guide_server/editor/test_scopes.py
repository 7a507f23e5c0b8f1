"""Editors and reviewers scoped to regions and halls (users.scope), on SQLite and PostgreSQL.

The editor holds the shared guides (content/guides/), written once by the default hall's region
(here the county-level city 乐清市, 330382) for the halls under it. A user's scope must cover
that region to edit, review or publish them."""
from __future__ import annotations

import pytest

from guides.loader import load_content
from guides.release import ReleaseStore
from guides.scopes import ScopeError, check_scope, covers_hall, covers_shared
from guide_server.accounts.service import AccountError
from guide_server.editor.service import OutOfScope
from tests.guide_server.authutil import add_user, csrf_token, login, make_auth_app
from tests.support.halls import add_second_hall

GA = "330382-GA-0001"


@pytest.fixture
def halls_app(tmp_path, valid_content, db_url):
    add_second_hall(valid_content)
    inst = tmp_path / "scoped"
    ReleaseStore(inst).publish(load_content(valid_content))
    return make_auth_app(inst, DATABASE_URL=db_url)


def _user(app, name, role, scope):
    return app.extensions["accounts"].add(name, role, "correct horse battery", scope=scope)


def _draft(app, user, code=GA, department="乐清市公安局户政科（已核对）"):
    svc = app.extensions["editor"]
    row = svc.get(code)
    return svc.save(user, code, row.version, dict(row.data, department=department))


@pytest.mark.parametrize("scope", ["", "330382", "330300", "330000", "hall:main"])
def test_editors_whose_scope_covers_the_city_edit_shared_guides(halls_app, scope):
    ed = _user(halls_app, "ed-ok", "editor", scope)
    row = _draft(halls_app, ed)
    assert row.status == "draft" and row.data["department"] == "乐清市公安局户政科（已核对）"
    assert halls_app.extensions["editor"].submit(ed, GA, row.version).status == "in_review"


@pytest.mark.parametrize("scope,label", [("330381", "区划 330381"),            # another county (瑞安)
                                         ("330382102", "柳市镇（330382102）"),   # a township under the city
                                         ("330382102201", "长虹村（330382102201）"),  # a village
                                         ("hall:liushi", "大厅 liushi")])        # a township hall
def test_editors_outside_the_city_cannot_touch_shared_text(halls_app, scope, label):
    svc = halls_app.extensions["editor"]
    ed = _user(halls_app, "ed-out", "editor", scope)
    before = svc.get(GA)
    with pytest.raises(OutOfScope) as info:
        _draft(halls_app, ed)
    assert label in str(info.value) and "测试市民中心" in str(info.value) and "共享事项" in str(info.value)
    with pytest.raises(OutOfScope):
        svc.create(ed, "330382-GA-0777", dict(before.data, name="新事项"))
    with pytest.raises(OutOfScope):
        svc.retire(ed, GA, before.version, None)
    after = svc.get(GA)
    assert (after.version, after.data, after.status) == (before.version, before.data, before.status)
    assert not [e for e in svc.audit(GA) if e.user_name == "ed-out"]


def test_a_city_reviewer_approves_and_publishes_shared_items_other_reviewers_cannot(halls_app):
    svc = halls_app.extensions["editor"]
    ed = _user(halls_app, "ed-city", "editor", "330382")
    row = svc.submit(ed, GA, _draft(halls_app, ed).version)
    for name, scope in (("rv-county-b", "330381"), ("rv-town", "330382102"), ("rv-hall", "hall:liushi")):
        other = _user(halls_app, name, "reviewer", scope)
        with pytest.raises(OutOfScope):
            svc.approve(other, GA, row.version)
        with pytest.raises(OutOfScope):
            svc.send_back(other, GA, row.version, "请补充")
    assert svc.get(GA).status == "in_review"
    city = _user(halls_app, "rv-city", "reviewer", "330300")
    approved = svc.approve(city, GA, row.version)
    assert approved.status == "approved"
    with pytest.raises(OutOfScope):
        svc.publish(_user(halls_app, "rv-hall2", "reviewer", "hall:liushi"), [GA])
    release, created = svc.publish(city, [GA])
    assert created and release.guides[GA].department == "乐清市公安局户政科（已核对）"
    # the township hall's resolved copy follows the shared text, with its own windows kept
    local = release.content.guides_of("liushi")[GA]
    assert local.department == "乐清市公安局户政科（已核对）" and local.locations[0].window == "3 号窗口"


def test_out_of_scope_over_http_is_a_403_with_a_chinese_message(halls_app):
    _user(halls_app, "ed-town", "editor", "hall:liushi")
    client = halls_app.test_client()
    login(client, "ed-town")
    token = csrf_token(client, f"/editor/g/{GA}")
    version = halls_app.extensions["editor"].get(GA).version
    r = client.post(f"/editor/g/{GA}/submit", data={"csrf_token": token, "version": str(version)})
    assert r.status_code == 403
    assert "您的权限范围是大厅 liushi" in r.get_data(as_text=True)


def test_scope_is_checked_and_stored(halls_app):
    accounts = halls_app.extensions["accounts"]
    with pytest.raises(AccountError, match="权限范围格式错误"):
        _user(halls_app, "ed-bad", "editor", "乐清")
    later = accounts.add("ed-later", "editor", "correct horse battery")
    assert later.scope == "" and accounts.set_scope("ed-later", "330382102").scope == "330382102"
    assert accounts.get(later.id).scope == "330382102"
    with pytest.raises(OutOfScope):  # the new scope applies at once
        _draft(halls_app, accounts.get(later.id))


def test_a_shared_guide_a_hall_still_offers_cannot_be_retired(halls_app):
    svc = halls_app.extensions["editor"]
    root = _user(halls_app, "root-ed", "admin", "")
    row = svc.retire(root, GA, svc.get(GA).version, None)
    row = svc.submit(root, GA, row.version)
    svc.approve(_user(halls_app, "root-rv", "reviewer", ""), GA, row.version)
    with pytest.raises(Exception, match="仍有大厅在办理.*liushi"):
        svc.publish(root, [GA])
    assert GA in ReleaseStore(svc.releases.instance).current().guides


def test_scope_rules():
    assert check_scope(" 330382 ") == "330382" and check_scope("") == ""
    with pytest.raises(ScopeError):
        check_scope("hall:Bad Id")
    assert covers_hall("330300", "liushi", "330382102") and not covers_hall("330400", "liushi", "330382102")
    assert covers_hall("hall:liushi", "liushi", "330382102") and not covers_hall("hall:liushi", "other", "330382102")
    assert covers_shared("330000", "330382") and not covers_shared("330382102", "330382")
    assert not covers_shared("330382", None) and covers_shared("", None)


def test_users_cli_sets_and_shows_scopes(tmp_path, db_url):
    from click.testing import CliRunner

    from guide_server.cli import main

    inst = tmp_path / "cli"
    inst.mkdir()
    env = {"DATABASE_URL": db_url}
    r = CliRunner(env=env).invoke(main, ["users", "add", "town-ed", "--role", "editor", "--scope", "hall:liushi",
                                         "--instance", str(inst)], input="correct horse battery\ncorrect horse battery\n")
    assert r.exit_code == 0 and "（编辑），权限范围：hall:liushi" in r.output, r.output
    bad = CliRunner(env=env).invoke(main, ["users", "scope", "town-ed", "乐清", "--instance", str(inst)])
    assert bad.exit_code != 0 and "权限范围格式错误" in bad.output
    ok = CliRunner(env=env).invoke(main, ["users", "scope", "town-ed", "330382", "--instance", str(inst)])
    assert ok.exit_code == 0 and "330382" in ok.output
    listed = CliRunner(env=env).invoke(main, ["users", "list", "--instance", str(inst)])
    assert "范围：330382" in listed.output
