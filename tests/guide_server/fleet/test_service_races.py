"""The fleet service when the same request reaches the database twice at the same moment — a
kiosk retrying through another worker or another app instance — on SQLite and PostgreSQL:
one ticket number per request key, each event stored once, each enrollment code used once."""
from __future__ import annotations

import threading

import pytest

from guide_server.db import Database
from guide_server.fleet.service import EnrollmentError, FleetService

HALL = "并发大厅"
THREADS = 6
ROUNDS = 8


@pytest.fixture
def service(db_url):
    db = Database(db_url)
    db.ready()
    yield FleetService(db)
    db.engine.dispose()


def at_once(fn, args: list) -> list:
    """Run fn(arg) for every arg in its own thread, all released together; results (or the
    exception raised) in the order of `args`."""
    barrier = threading.Barrier(len(args))
    out: list = [None] * len(args)

    def run(i, arg):
        barrier.wait()
        try:
            out[i] = fn(arg)
        except Exception as err:  # noqa: BLE001 - the test looks at what was raised
            out[i] = err

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(args)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return out


def kiosk(service, name: str):
    code, _ = service.enroll(HALL, name)
    return service.redeem(code)[0]


def test_a_ticket_request_sent_several_times_at_once_gets_one_number(service):
    k = kiosk(service, "race-1")
    assert service.issue_ticket(k, "A", "first-key-0001").number == "A001"  # the day's counter exists
    for n in range(2, 2 + ROUNDS):  # a race is not lost every time: several rounds
        answers = at_once(lambda key: service.issue_ticket(k, "A", key), [f"retry-key-{n:04d}"] * THREADS)
        assert [getattr(a, "number", a) for a in answers] == [f"A{n:03d}"] * THREADS
    # different requests at once: consecutive numbers, none twice
    answers = at_once(lambda key: service.issue_ticket(k, "A", key), [f"other-key-{i:04d}" for i in range(THREADS)])
    first = 2 + ROUNDS
    assert sorted(getattr(a, "number", a) for a in answers) == [f"A{i:03d}" for i in range(first, first + THREADS)]
    assert len(service.tickets(HALL, answers[0].day)) == first - 1 + THREADS


def test_one_batch_uploaded_several_times_at_once_is_stored_once(service):
    k = kiosk(service, "race-2")
    batch = [{"key": f"{i:032x}", "kind": "print", "at": "2026-11-22T10:00:00+08:00", "data": {"n": i}}
             for i in range(40)]
    results = at_once(lambda events: service.store_events(k, events), [batch] * 4)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(r.stored for r in results) == 40
    assert sum(r.duplicates for r in results) == 3 * 40
    assert service.event_count("print") == 40


def test_an_enrollment_code_redeemed_several_times_at_once_works_once(service):
    code, _ = service.enroll(HALL, "race-3")
    results = at_once(service.redeem, [code] * 4)
    winners = [r for r in results if not isinstance(r, Exception)]
    assert len(winners) == 1, results
    assert all(isinstance(r, EnrollmentError) and "使用过" in str(r) for r in results if r not in winners)


def test_kiosks_of_one_hall_redeemed_at_once_get_different_tags(service):
    codes = [service.enroll(HALL, f"race-tag-{i}")[0] for i in range(4)]
    results = at_once(service.redeem, codes)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(k.tag for k, _token in results) == ["K1", "K2", "K3", "K4"]
