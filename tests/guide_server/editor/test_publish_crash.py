"""A publish cannot half-happen: 100 publishes from the editor's service, each in a child
process killed with SIGKILL after a random delay (anywhere from before it starts to after it
ends), then the start-up repair run as a restarted server runs it. Every time, the audit log,
the guides' states and CURRENT agree, and the release folder holds nothing no record
explains (no .tmp-* folder, no orphan release, no intent file)."""
from __future__ import annotations

import json
import os
import random
import signal
import time

import pytest
from sqlalchemy import select

from guides.loader import load_content
from guides.release import ReleaseStore
from guide_server.accounts.service import Account
from guide_server.db import Database, default_url
from guide_server.editor.service import AuditEntry, EditorService, PublishIntent
from tests.conftest import FIXTURES

GA = "330382-GA-0001"
TRIALS = 100
ED = Account(id=1, name="ed", role="editor", active=True, session_epoch=1)
RITA = Account(id=2, name="rita", role="reviewer", active=True, session_epoch=1)


def _service(instance) -> EditorService:
    return EditorService(Database(default_url(instance)), instance)


def _approve_a_change(svc: EditorService, n: int) -> None:
    """A new approved change of GA (unless the last publish was abandoned and it still waits)."""
    row = svc.get(GA)
    if row.status == "approved":
        return
    data = dict(row.data, name=f"户口迁移（第 {n} 次修订）")
    row = svc.save(ED, GA, row.version, data)
    row = svc.submit(ED, GA, row.version)
    svc.approve(RITA, GA, row.version)


def _publish_in_child(instance, delay: float | None) -> float:
    """Fork a child that publishes; SIGKILL it after `delay` seconds (None: let it finish).
    Returns how long the child ran."""
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child: its own engine, nothing shared with the parent's connections
        try:
            _service(instance).publish(RITA, [])
        finally:
            os._exit(0)
    if delay is not None:
        time.sleep(delay)
        os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    return time.monotonic() - started


def _publish_dying_before_the_release(instance) -> None:
    """A child that commits its publish intent and dies (exit, no clean-up) exactly when it
    would start writing the release: the moment between the two that a random kill rarely hits."""
    pid = os.fork()
    if pid == 0:
        try:
            ReleaseStore.publish = lambda *_a, **_k: os._exit(9)  # the child's own copy of the class
            _service(instance).publish(RITA, [])
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


def _assert_agreement(instance, svc: EditorService, initial: int, before: int) -> str:
    """Check that store and database agree; returns what became of this trial's publish:
    "done", "abandoned", or "none" (killed before it wrote its intent). `before`: the number
    of intents before the trial."""
    store = ReleaseStore(instance)
    root = store.root
    leftovers = [p.name for p in root.iterdir() if p.name.startswith((".tmp-", ".CURRENT.", "PUBLISHING", ".PUBLISHING"))]
    assert leftovers == []
    with svc.db.session() as s:
        intents = list(s.scalars(select(PublishIntent).order_by(PublishIntent.id)))
        audit = list(s.scalars(select(AuditEntry).where(AuditEntry.action.in_(("published", "interrupted")))
                               .order_by(AuditEntry.id)))
    assert all(i.state in ("done", "abandoned") for i in intents)
    done = [i for i in intents if i.state == "done"]
    # every release folder is the first one or the release of a finished publish, and verifies
    assert set(store.numbers()) == {initial} | {i.release_number for i in done}
    for n in store.numbers():
        store.verified_body(n)
    current = store.current()
    # one "published" audit entry per finished publish, naming its release; the newest is CURRENT
    published = [a for a in audit if a.action == "published"]
    assert [a.detail for a in published] == [store.load(i.release_number).stamp for i in done]
    assert len([a for a in audit if a.action == "interrupted"]) == len(intents) - len(done)
    row = svc.get(GA)
    assert len(intents) - before in (0, 1)
    last = intents[-1] if len(intents) > before else None
    if last is not None and last.state == "done":
        assert current.number == last.release_number
        assert row.status == "published" and not row.changed
        assert current.guides[GA].model_dump(mode="json", exclude_defaults=True) == row.data
    else:
        assert current.number == (done[-1].release_number if done else initial)
        assert row.status == "approved" and row.changed  # waits for the next publish, nothing lost
    return last.state if last is not None else "none"


def _intents(svc: EditorService) -> int:
    with svc.db.session() as s:
        return len(list(s.scalars(select(PublishIntent.id))))


@pytest.mark.slow
def test_kill_9_at_random_moments_of_a_publish_never_leaves_disagreement(tmp_path):
    instance = tmp_path / "instance"
    ReleaseStore(instance).publish(load_content(FIXTURES / "valid"))
    initial = ReleaseStore(instance).current_number()
    svc = _service(instance)
    svc.reconcile()
    _approve_a_change(svc, 0)
    took = _publish_in_child(instance, None)  # one undisturbed publish: how long one takes here
    svc.reconcile()
    assert _assert_agreement(instance, svc, initial, 0) == "done"
    rng = random.Random(13)
    outcomes = []
    for n in range(1, TRIALS + 1):
        _approve_a_change(svc, n)
        before = _intents(svc)
        _publish_in_child(instance, rng.uniform(0, took * 1.3))
        _service(instance).reconcile()  # a restarted server: a fresh engine, then the start-up repair
        outcomes.append(_assert_agreement(instance, svc, initial, before))
        if n % 25 == 0:  # and, whatever the random moments, a death right after the intent
            _approve_a_change(svc, 1000 + n)
            before = _intents(svc)
            _publish_dying_before_the_release(instance)
            _service(instance).reconcile()
            assert _assert_agreement(instance, svc, initial, before) == "abandoned"
    # the random moments fell before the intent, between it and the release, and after the release
    counts = {k: outcomes.count(k) for k in ("none", "abandoned", "done")}
    assert counts["none"] and counts["done"], counts  # (how often "abandoned" is hit depends on speed)
