"""guide-server import-list --as-drafts: a 实施清单 row becomes an editor draft (never published);
a re-import of the same export changes nothing; a draft edited by hand since is held unless
--overwrite."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import ROOT

CODE = "11330382002609422Q3000102001000"


def _workbook(path: Path, conditions: str) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "事项"
    ws.append(["事项名称", "实施编码", "事项类型", "实施主体", "服务对象", "受理条件", "承诺办结时限",
               "承诺办结时限单位", "办理地点", "咨询方式", "是否收费", "办件类型"])
    ws.append(["城乡居民养老保险参保登记", CODE, "公共服务", "乐清市社会保险事业管理中心", "个人", conditions,
               "5", "工作日", "乐清市市民中心二楼", "0577-61881125", "否", "承诺件"])
    m = wb.create_sheet("材料")
    m.append(["实施编码", "材料名称", "材料类型", "纸质材料份数", "材料必要性"])
    m.append([CODE, "居民身份证", "原件", "1", "必要"])
    wb.save(path)
    return path


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "guide_server.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture
def instance(tmp_path):
    inst = tmp_path / "instance"
    r = _cli("release", "--content", str(ROOT / "content"), "--instance", str(inst))
    assert r.returncode == 0, r.stderr
    return inst


def _service(inst: Path):
    from guide_server.cli.base import _database_url
    from guide_server.db import Database
    from guide_server.editor.service import EditorService

    return EditorService(Database(_database_url(str(inst))), inst.resolve())


def test_import_as_drafts_creates_then_holds_hand_edits(tmp_path, instance):
    book = _workbook(tmp_path / "list.xlsx", "1.年满16周岁 2.非在校学生")
    r = _cli("import-list", str(book), "--as-drafts", "--brief", "--instance", str(instance))
    assert r.returncode == 0, r.stderr
    assert f"{CODE}：已新建草稿" in r.stdout
    svc = _service(instance)
    row = svc.get(CODE)
    assert row.data["conditions"] == ["年满16周岁", "非在校学生"]
    assert row.data["name"] == "城乡居民养老保险参保登记"
    assert svc.published(CODE) is None  # a draft, never published by the import

    again = _cli("import-list", str(book), "--as-drafts", "--brief", "--instance", str(instance))
    assert f"{CODE}：与现有草稿相同，未改动" in again.stdout

    from guide_server.editor.service import system_account
    svc.save(system_account("editor-kim"), CODE, row.version, dict(row.data, aliases=["养老参保"]))
    newer = _workbook(tmp_path / "newer.xlsx", "1.年满16周岁 2.非在校学生 3.未参加职工养老保险")
    held = _cli("import-list", str(newer), "--as-drafts", "--brief", "--instance", str(instance))
    assert "手工修改过，未覆盖" in held.stdout
    assert len(_service(instance).get(CODE).data["conditions"]) == 2

    forced = _cli("import-list", str(newer), "--as-drafts", "--overwrite", "--brief", "--instance", str(instance))
    assert f"{CODE}：已更新草稿" in forced.stdout
    data = _service(instance).get(CODE).data
    assert data["conditions"][-1] == "未参加职工养老保险"
    assert data["aliases"] == ["养老参保"]  # what a 实施清单 never carries is kept
