"""Bulk drafts (an imported 实施清单): every new guide gets its working copy, revision 1 and an
audit entry; a code already used anywhere refuses the whole batch and writes nothing."""
from __future__ import annotations

import pytest

from guide_server.accounts.service import Account
from guide_server.db import Database
from guide_server.editor.service import EditorError, EditorService

ED = Account(id=1, name="ed", role="editor", active=True, session_epoch=1)


def _draft(code: str) -> dict:
    return {"name": f"测试事项{code[-4:]}", "category": "户籍"}


@pytest.fixture
def svc(instance, db_url):
    return EditorService(Database(db_url), instance)


def test_create_many_writes_copy_revision_and_audit(svc):
    codes = [f"113303820026094220{n:04d}" for n in range(1500)]  # more than one batch of 1,000
    assert svc.create_many(ED, ((c, _draft(c)) for c in codes), detail="由实施清单导入") == codes
    drafts = {r.code: r for r in svc.list(status="draft")}
    assert set(codes) <= set(drafts)
    row = drafts[codes[1234]]
    assert row.name == "测试事项1234" and row.data["code"] == codes[1234]
    history = svc.history(codes[1234])
    assert [(h.number, h.action, h.user_name) for h in history] == [(1, "imported", "ed")]
    assert [(a.action, a.detail) for a in svc.audit(codes[1234])] == [("imported", "由实施清单导入")]


def test_a_used_code_refuses_the_whole_batch(svc):
    published = svc.list()[0].code  # a guide of the current release
    fresh = "11330382002609422Q30009999"
    with pytest.raises(EditorError, match=published):
        svc.create_many(ED, [(fresh, _draft(fresh)), (published, _draft(published))])
    assert fresh not in {r.code for r in svc.list()}
    with pytest.raises(EditorError, match=fresh):  # the same code twice in one import
        svc.create_many(ED, [(fresh, _draft(fresh)), (fresh, _draft(fresh))])
    with pytest.raises(EditorError, match="格式错误"):
        svc.create_many(ED, [(fresh, _draft(fresh)), ("坏 编码", _draft("0000"))])
    assert fresh not in {r.code for r in svc.list()}
