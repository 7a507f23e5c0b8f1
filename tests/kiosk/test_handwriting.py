"""Handwriting recognition on the real Zinnia library and Simplified-Chinese model."""
from __future__ import annotations

import threading

import pytest

from kiosk.handwriting import (HandwritingUnavailable, NOT_RECOGNISED_ZH, UNAVAILABLE_ZH, RecognitionWorker,
                               Recognizer, prepare, selftest)
from tests.kiosk.handwriting_samples import CHARACTERS, circles, draw, scribble


@pytest.fixture(scope="module")
def recognizer():
    rec = Recognizer()
    yield rec
    rec.close()


@pytest.mark.parametrize("char", list(CHARACTERS))
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_written_character_is_among_the_first_five_candidates(recognizer, char, seed):
    result = recognizer.recognize(draw(char, (600, 600), seed=seed), (600, 600))
    assert result.status == "ok"
    assert result.strokes == len(CHARACTERS[char])
    assert char in result.chars[:5], result.chars


@pytest.mark.parametrize("char", ["十", "户", "社"])
def test_landscape_pad_and_kivy_coordinates_give_the_same_character(recognizer, char):
    # a wide pad (the character written in its middle), points with Kivy's bottom-left origin
    pad = (900, 500)
    result = recognizer.recognize(draw(char, pad, seed=3, y_up=True), pad, y_up=True)
    assert char in result.chars[:5], result.chars
    upside_down = recognizer.recognize(draw(char, pad, seed=3, y_up=True), pad, y_up=False)
    assert upside_down.chars[:1] != [char]


def test_common_characters_come_before_radicals(recognizer):
    # Zinnia scores the enclosure radical 囗 above 口 for a square; 口 is the one people search for
    result = recognizer.recognize(draw("口", seed=0), (600, 600))
    assert result.chars[0] == "口"
    assert "囗" not in result.chars[:1]


def test_search_vocabulary_is_offered_first(recognizer):
    strokes = draw("人", seed=0)
    plain = recognizer.recognize(strokes, (600, 600))
    assert plain.chars[0] != "入"
    preferred = recognizer.recognize(strokes, (600, 600), prefer={"入"})
    assert preferred.chars[0] == "入"


def test_a_clearly_written_character_stays_first_even_when_no_guide_holds_it(recognizer):
    # 十 scores far above everything else; 二 and 一 are in the guides, 十 is not
    strokes = draw("十", seed=0)
    assert recognizer.recognize(strokes, (600, 600), prefer={"二", "一", "士"}).chars[0] == "十"


def test_candidates_follow_each_stroke(recognizer):
    strokes = draw("十", seed=0)
    assert recognizer.recognize(strokes[:1], (600, 600)).chars[0] == "一"
    assert recognizer.recognize(strokes, (600, 600)).chars[0] == "十"


@pytest.mark.parametrize("seed", range(4))
def test_scribble_is_recognised_as_nothing(recognizer, seed):
    result = recognizer.recognize(scribble(seed=seed, turns=16), (600, 600))
    assert result.status == "scribble"
    assert result.candidates == ()
    assert result.message_zh == NOT_RECOGNISED_ZH


def test_circling_round_and_round_is_a_scribble(recognizer):
    assert recognizer.recognize(circles(loops=3), (600, 600)).status == "scribble"


def test_a_stroke_that_leaves_the_pad_is_clamped_to_its_edge(recognizer):
    pad = (600, 600)
    strokes = draw("十", pad, seed=0)
    # the finger slides on 300 px past the bottom edge at the end of the vertical stroke
    strokes[1] = strokes[1] + [(300, y) for y in range(600, 900, 7)]
    result = recognizer.recognize(strokes, pad)
    assert result.status == "ok"
    assert result.chars[0] == "十"
    # and one that wanders off to the left and up comes back inside the canvas
    canvas = prepare([[(300, 300), (-400, -80), (-1e9, 1e9)]], pad).strokes
    assert canvas == (((150, 150), (0, 0), (0, 300)),)


def test_a_stroke_wholly_outside_the_pad_is_ignored(recognizer):
    pad = (600, 600)
    strokes = draw("十", pad, seed=0) + [[(700, 100), (900, 100)]]
    result = recognizer.recognize(strokes, pad)
    assert result.strokes == 2
    assert result.chars[0] == "十"


@pytest.mark.parametrize("strokes, pad", [
    ([], (600, 600)),
    ([[], []], (600, 600)),
    ([[(float("nan"), 3), ("x", None), (1,)]], (600, 600)),
    (draw("十"), (0, 600)),
    (draw("十"), (600, -1)),
    (None, (600, 600)),
])
def test_empty_or_broken_input_is_empty_not_an_error(recognizer, strokes, pad):
    result = recognizer.recognize(strokes, pad)
    assert result.status == "empty"
    assert result.candidates == () and result.message_zh == ""


def test_a_tap_is_read_as_a_dot(recognizer):
    canvas = prepare([[(300, 300)]], (600, 600)).strokes
    assert len(canvas) == 1 and len(canvas[0]) == 2
    assert recognizer.recognize([[(300, 100)]], (600, 600)).status == "ok"


def test_missing_model_or_library_raises_the_calm_message():
    with pytest.raises(HandwritingUnavailable) as missing_model:
        Recognizer("/nonexistent/handwriting-zh_CN.model")
    assert missing_model.value.zh == "手写识别暂不可用，请使用拼音输入。"
    assert "/nonexistent/handwriting-zh_CN.model" in missing_model.value.detail
    with pytest.raises(HandwritingUnavailable) as missing_lib:
        Recognizer(library=["libzinnia-not-installed.so.0"])
    assert "libzinnia0" in missing_lib.value.detail


def test_garbage_model_file_is_unavailable_not_a_crash(tmp_path):
    bad = tmp_path / "bad.model"
    bad.write_bytes(b"\x00not a zinnia model" * 50)
    with pytest.raises(HandwritingUnavailable) as exc:
        Recognizer(bad)
    assert str(bad) in exc.value.detail


# --- the worker --------------------------------------------------------------------------------

class Results:
    def __init__(self):
        self.got: list = []
        self.threads: set = set()
        self.event = threading.Event()

    def __call__(self, rid, rec):
        self.got.append((rid, rec))
        self.threads.add(threading.current_thread().name)
        self.event.set()


def test_worker_recognises_off_the_calling_thread(recognizer):
    results = Results()
    worker = RecognitionWorker(results, recognizer=recognizer)
    try:
        rid = worker.submit(draw("社", seed=0), (600, 600))
        assert results.event.wait(5)
        assert results.got[0][0] == rid
        assert "社" in results.got[0][1].chars[:5]
        assert threading.current_thread().name not in results.threads
    finally:
        worker.close()


def test_twenty_quick_requests_deliver_the_newest_and_drop_stale_ones(recognizer):
    results = Results()
    gate, entered = threading.Event(), threading.Event()

    class Slow:
        """The shared recogniser, held up on the first request so the others pile up."""
        def recognize(self, *a, **kw):
            entered.set()
            gate.wait(5)
            return recognizer.recognize(*a, **kw)

    worker = RecognitionWorker(results, recognizer=Slow())
    try:
        strokes = draw("户", seed=0)
        ids = []
        for i in range(20):  # one more point of the last stroke each time, as a finger moves
            partial = strokes[:-1] + [strokes[-1][: 2 + i]]
            ids.append(worker.submit(partial, (600, 600)))
            if i == 0:
                assert entered.wait(5)  # the first is being recognised while the rest arrive
        ids.append(worker.submit(strokes, (600, 600)))
        gate.set()
        assert worker.idle(5)
        delivered = [rid for rid, _ in results.got]
        assert delivered[-1] == ids[-1]
        assert "户" in results.got[-1][1].chars[:5]
        assert len(delivered) == 1  # the first one finished after 20 newer were submitted: stale
        assert worker.stale == 1 and worker.superseded == 19 and worker.recognised == 2
    finally:
        worker.close()


def test_cancel_drops_the_running_result(recognizer):
    results = Results()
    gate = threading.Event()

    entered = threading.Event()

    class Slow:
        def recognize(self, *a, **kw):
            entered.set()
            gate.wait(5)
            return recognizer.recognize(*a, **kw)

    worker = RecognitionWorker(results, recognizer=Slow())
    try:
        worker.submit(draw("十"), (600, 600))
        assert entered.wait(5)
        worker.cancel()  # 清空 pressed while recognising
        gate.set()
        assert worker.idle(5)
        assert results.got == []
        assert worker.stale == 1
    finally:
        worker.close()


def test_worker_without_model_answers_unavailable_and_says_so_once():
    results = Results()
    told = []
    worker = RecognitionWorker(results, factory=lambda: Recognizer("/nonexistent.model"), on_unavailable=told.append)
    try:
        worker.submit(draw("十"), (600, 600))
        assert results.event.wait(5)
        worker.submit(draw("十"), (600, 600))
        assert worker.idle(5)
        assert [r.status for _, r in results.got] == ["unavailable"] * len(results.got)
        assert results.got[-1][1].message_zh == UNAVAILABLE_ZH
        assert len(told) == 1 and told[0].zh == UNAVAILABLE_ZH
        assert worker.unavailable is told[0]
    finally:
        worker.close()


def test_a_failing_recogniser_or_callback_does_not_kill_the_worker(recognizer):
    results = Results()
    calls = []

    class Flaky:
        def recognize(self, *a, **kw):
            calls.append(1)
            if len(calls) == 1:
                raise RuntimeError("boom")
            return recognizer.recognize(*a, **kw)

    def callback(rid, rec):
        results(rid, rec)
        if len(results.got) == 1:
            raise ValueError("screen gone")

    worker = RecognitionWorker(callback, recognizer=Flaky())
    try:
        worker.submit(draw("十"), (600, 600))
        assert worker.idle(5)
        worker.submit(draw("十"), (600, 600))
        assert worker.idle(5)
        assert [r.status for _, r in results.got] == ["error", "ok"]
        assert results.got[0][1].message_zh == UNAVAILABLE_ZH
        assert results.got[1][1].chars[0] == "十"
    finally:
        worker.close()


# --- self-test ---------------------------------------------------------------------------------

def test_selftest_passes_with_the_installed_model():
    item = selftest()
    assert item.ok and item.state == "ok"
    assert item.line().startswith("[通过] 手写识别：")
    assert "十" in item.detail
    assert item.heartbeat() == {"state": "ok", "text": item.detail}


def test_selftest_reports_missing_parts(tmp_path):
    no_model = selftest(tmp_path / "handwriting-zh_CN.model")
    assert not no_model.ok and no_model.state == "missing"
    assert no_model.line().startswith("[失败] 手写识别：未找到手写识别模型")
    no_lib = selftest(library=["libzinnia-not-installed.so.0"])
    assert no_lib.state == "missing" and "libzinnia0" in no_lib.detail
