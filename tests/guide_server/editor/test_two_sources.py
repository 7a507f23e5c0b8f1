"""Two publishing paths, one truth: `guide-server release --content` and the web editor's 发布
never silently undo each other, and the editor's working copies learn every release."""
from __future__ import annotations

import re
import shutil

import pytest
from click.testing import CliRunner

from guides.loader import load_content
from guides.publishing import undoes
from guides.release import ReleaseStore
from guide_server.cli import main
from tests.conftest import FIXTURES
from tests.guide_server.authutil import add_user, make_auth_app
from tests.guide_server.editor.test_editor import (GA, SC, _change_and_submit, client_for, form_of, post, save,
                                                   version_of)

NEW = "330382-GA-0009"


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def world(tmp_path):
    """A content folder released once from the command line, and the editor on the same instance."""
    content, inst = tmp_path / "content", tmp_path / "instance"
    shutil.copytree(FIXTURES / "valid", content)
    r = cli("release", "--content", content, "--instance", inst)
    assert r.exit_code == 0, r.output
    app = make_auth_app(inst)
    for name, role in (("ed", "editor"), ("rita", "reviewer")):
        add_user(app, name, role)
    return content, inst, app, client_for(app, "ed"), client_for(app, "rita")


def approve_and_publish(rita, *codes, allow_revert=False):
    for code in codes:
        assert post(rita, f"/editor/g/{code}/approve", f"/editor/g/{code}",
                    version=version_of(rita, code)).status_code == 303
    data = {"code": list(codes)}
    if allow_revert:
        data["allow_revert"] = "1"
    return post(rita, "/editor/publish", "/editor/publish", **data)


def editor_new_guide(ed, name):
    r = post(ed, "/editor/new", f"/editor/new?from={GA}", **{"from": GA, "code": NEW, "name": name,
                                                             "category": "户籍办理"})
    assert r.status_code == 303
    form = form_of(ed, NEW)
    assert save(ed, NEW, form, action="submit").status_code == 303


def department(inst, code):
    return ReleaseStore(inst).current().guides[code].department


def set_department(content, code, text):
    path = content / "guides" / f"{code}.yaml"
    path.write_text(re.sub(r"(?m)^department: .*$", f"department: {text}", path.read_text(encoding="utf-8")),
                    encoding="utf-8")


def test_publishing_alternately_from_both_paths_loses_nothing(world):
    content, inst, app, ed, rita = world
    store = ReleaseStore(inst)
    # 1. the editor adds a guide and changes another: R2
    editor_new_guide(ed, "居民身份证换领（网页新建）")
    _change_and_submit(ed, SC, "编辑器改的部门")
    r = approve_and_publish(rita, NEW, SC)
    assert "已发布 版本 R2" in r.get_data(as_text=True)
    assert store.origin(2) == {"source": "editor", "by": "rita"}

    # 2. the content folder does not have that work: releasing it would lose both; refused, named
    r = cli("release", "--content", content, "--instance", inst)
    assert r.exit_code == 3, r.output
    assert f"{NEW} 居民身份证换领（网页新建）：将被移除（R2 由网页编辑器发布，rita）" in r.output
    assert f"{SC} " in r.output and "这次发布的修改将被改回（实施主体）" in r.output
    assert "--allow-removals" in r.output and "--allow-revert" in r.output and "content export --published" in r.output
    assert store.current_number() == 2 and department(inst, SC) == "编辑器改的部门" and NEW in store.current().guides

    # 3. bring the live guides back into content/: new files written, a differing file only on request
    r = cli("content", "export", "--published", "--out", content, "--instance", inst)
    assert r.exit_code == 0 and "写入 1 个文件" in r.output and f"{SC}.yaml" in r.output  # SC kept
    assert "编辑器改的部门" not in (content / "guides" / f"{SC}.yaml").read_text(encoding="utf-8")
    r = cli("content", "export", "--published", "--overwrite", "--out", content, "--instance", inst)
    assert r.exit_code == 0 and "编辑器改的部门" in (content / "guides" / f"{SC}.yaml").read_text(encoding="utf-8")
    r = cli("release", "--content", content, "--instance", inst)
    assert r.exit_code == 0 and "内容与当前版本相同" in r.output and store.current_number() == 2

    # 4. the content path changes GA: R3; the editor's working copy learns it
    set_department(content, GA, 内容目录改的部门 := "内容目录改的部门")
    r = cli("release", "--content", content, "--instance", inst)
    assert r.exit_code == 0 and "版本 R3" in r.output and store.origin(3)["source"] == "content"
    svc = app.extensions["editor"]
    assert svc.get(GA).data["department"] == 内容目录改的部门 and svc.get(GA).status == "published"
    assert "从版本载入" in ed.get(f"/editor/g/{GA}/history").get_data(as_text=True)

    # 5. the editor publishes again: R4 keeps the content path's GA and everything before
    _change_and_submit(ed, NEW, "编辑器第二次修改")
    r = approve_and_publish(rita, NEW)
    assert "已发布 版本 R4" in r.get_data(as_text=True)
    rel = store.current()
    assert (department(inst, GA), department(inst, SC), department(inst, NEW)) == (
        内容目录改的部门, "编辑器改的部门", "编辑器第二次修改")
    assert set(rel.guides) == {GA, SC, NEW}

    # 6. and the content path again, after bringing R4 back: nothing is lost either way
    assert cli("content", "export", "--published", "--out", content, "--instance", inst,
               "--overwrite").exit_code == 0
    set_department(content, SC, "内容目录第二次修改")
    r = cli("release", "--content", content, "--instance", inst)
    assert r.exit_code == 0, r.output
    assert (department(inst, GA), department(inst, SC), department(inst, NEW)) == (
        内容目录改的部门, "内容目录第二次修改", "编辑器第二次修改")
    assert svc.get(SC).data["department"] == "内容目录第二次修改"


def test_removal_with_the_flag_is_told_to_the_editor(world):
    content, inst, app, ed, rita = world
    editor_new_guide(ed, "网页新建的事项")
    approve_and_publish(rita, NEW)
    r = cli("release", "--content", content, "--instance", inst, "--allow-removals")
    assert r.exit_code == 0 and "已按要求撤销" in r.output and NEW in r.output
    assert NEW not in ReleaseStore(inst).current().guides
    row = app.extensions["editor"].get(NEW)
    assert row.status == "draft" and "R3" in row.comment and "已不含此事项" in row.comment
    assert "已不含此事项" in ed.get(f"/editor/g/{NEW}").get_data(as_text=True)


def test_a_copy_the_other_path_changed_underneath_needs_confirmation(world):
    content, inst, app, ed, rita = world
    _change_and_submit(ed, GA, "编辑器草稿里的部门")  # based on R1
    set_department(content, GA, "内容目录发布的部门")
    assert cli("release", "--content", content, "--instance", inst).exit_code == 0  # R2 from content/
    html = rita.get(f"/editor/g/{GA}").get_data(as_text=True)
    assert "已由其他途径发布了新内容" in html and "-department: 内容目录发布的部门" in html
    assert "+department: 编辑器草稿里的部门" in html
    r = approve_and_publish(rita, GA)
    assert r.status_code == 409 and "在您修改之后已由其他途径更新" in r.get_data(as_text=True)
    assert "覆盖其他途径的更新" in rita.get("/editor/publish").get_data(as_text=True)
    assert department(inst, GA) == "内容目录发布的部门"
    r = post(rita, "/editor/publish", "/editor/publish", code=GA, allow_revert="1")
    assert r.status_code == 200 and "已发布 版本 R3" in r.get_data(as_text=True)
    assert department(inst, GA) == "编辑器草稿里的部门"


def test_retirements_are_not_undone_silently(world):
    content, inst, app, ed, rita = world
    post(ed, f"/editor/g/{GA}/retire", f"/editor/g/{GA}", version=version_of(ed, GA), successor=SC)
    post(ed, f"/editor/g/{GA}/submit", f"/editor/g/{GA}", version=version_of(ed, GA))
    approve_and_publish(rita, GA)
    store = ReleaseStore(inst)
    assert GA in store.current().retired
    # content/ still has GA as a live guide and no retired.yaml
    found = undoes(store, load_content(content), "content")
    assert [(u.code, u.kind, u.source) for u in found] == [(GA, "unretired", "editor")]
    r = cli("release", "--content", content, "--instance", inst)
    assert r.exit_code == 3 and "已停用，将被恢复上线" in r.output
    r = cli("content", "export", "--published", "--out", content, "--instance", inst, "--overwrite")
    assert r.exit_code == 0 and not (content / "guides" / f"{GA}.yaml").exists() and (content / "retired.yaml").exists()
    r = cli("release", "--content", content, "--instance", inst)
    assert r.exit_code == 1 and "E215" in r.output  # site.yaml still features the retired guide: the folder's own
    site = content / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace(f'featured: ["{GA}"]', f'featured: ["{SC}"]'),
                    encoding="utf-8")
    assert cli("release", "--content", content, "--instance", inst).exit_code == 0
    assert GA in store.current().retired
    # dropping the retired list would turn the poster's QR into a 404: refused too
    (content / "retired.yaml").unlink()
    r = cli("release", "--content", content, "--instance", inst)
    assert r.exit_code == 3 and "停用记录将被删除" in r.output


def test_content_changes_over_content_releases_need_no_flag(tmp_path):
    content, inst = tmp_path / "content", tmp_path / "instance"
    shutil.copytree(FIXTURES / "valid", content)
    assert cli("release", "--content", content, "--instance", inst).exit_code == 0
    set_department(content, GA, "普通修改")
    r = cli("release", "--content", content, "--instance", inst)
    assert r.exit_code == 0 and "版本 R2" in r.output and "撤销" not in r.output
    (content / "guides" / f"{SC}.yaml").unlink()  # a removal is a removal, whoever published the guide
    r = cli("release", "--content", content, "--instance", inst)
    assert r.exit_code == 3 and f"{SC}" in r.output and "将被移除（R1 由内容目录" in r.output


def test_a_rollback_says_what_goes_offline_and_the_editor_learns_it(world):
    content, inst, app, ed, rita = world
    editor_new_guide(ed, "网页新建的事项")
    _change_and_submit(ed, SC, "编辑器改的部门")
    approve_and_publish(rita, NEW, SC)  # R2
    r = cli("rollback", "1", "--instance", inst)
    assert r.exit_code == 0
    assert f"下线（1 个）：\n  {NEW}  网页新建的事项\n" in r.output
    assert f"改回 R1 的内容（1 个）：\n  {SC}  " in r.output
    svc = app.extensions["editor"]
    assert svc.get(NEW).status == "draft" and "R1" in svc.get(NEW).comment
    assert svc.get(SC).data["department"] != "编辑器改的部门" and svc.get(SC).status == "published"
