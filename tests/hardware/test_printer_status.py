"""DLE EOT status bytes into one PrinterStatus; silence is unknown, never "paper ok"."""
import pytest

from hardware.printer.status import PrinterStatus, SimulatedState, valid_status_byte

ALL_OK = {1: 0x12, 2: 0x12, 3: 0x12, 4: 0x12}


def status(**answers) -> PrinterStatus:
    raw = dict(ALL_OK)
    raw.update({int(k[1:]): v for k, v in answers.items()})
    return PrinterStatus.from_bytes(raw)


def test_0x12_everywhere_is_ready():
    s = status()
    assert s.ready and s.online and s.paper == "ok" and s.cover_open is False
    assert s.describe_zh().startswith("就绪")


def test_0x1e_paper_near_end_still_prints_with_a_warning():
    s = status(n4=0x1E)
    assert s.paper == "near_end" and s.ready
    assert "即将用完" in s.describe_zh()


def test_0x72_paper_out_is_not_ready():
    s = status(n4=0x72, n1=0x1A, n2=0x32)
    assert s.paper == "out" and not s.ready and s.online is False
    assert "打印纸已用完" in s.describe_zh()


def test_paper_end_stop_in_offline_cause_means_out_even_without_n4():
    s = PrinterStatus.from_bytes({1: 0x1A, 2: 0x32})
    assert s.paper == "out" and not s.ready


@pytest.mark.parametrize("answers,attr,zh", [
    (dict(n2=0x16, n1=0x1A), "cover_open", "机盖未关好"),
    (dict(n3=0x1A, n2=0x52, n1=0x1A), "cutter_error", "切刀故障"),
    (dict(n3=0x32, n2=0x52, n1=0x1A), "unrecoverable_error", "不可恢复"),
    (dict(n3=0x52, n2=0x52, n1=0x1A), "auto_recoverable_error", "自动恢复"),
])
def test_faults(answers, attr, zh):
    s = status(**answers)
    assert getattr(s, attr) is True and not s.ready
    assert zh in s.describe_zh()


def test_offline_alone():
    s = status(n1=0x1A)
    assert s.online is False and not s.ready and "离线" in s.describe_zh()


def test_no_answer_is_unknown_not_paper_ok():
    s = PrinterStatus.from_bytes({})
    assert not s.answered and not s.ready and s.paper == "unknown"
    assert "无应答" in s.describe_zh() and "状态未知" in s.describe_zh()
    assert s.to_dict()["paper"] == "unknown"


def test_partial_answers_are_not_ready():
    s = PrinterStatus.from_bytes({1: 0x12})
    assert s.answered and s.online and s.paper == "unknown" and not s.ready
    assert "部分状态未应答" in s.describe_zh()


@pytest.mark.parametrize("byte", [0x00, 0xFF, 0x13, 0x92, 0x90])
def test_bytes_without_the_fixed_bit_pattern_are_ignored(byte):
    assert not valid_status_byte(byte)
    assert not PrinterStatus.from_bytes({1: byte, 2: byte, 3: byte, 4: byte}).answered


@pytest.mark.parametrize("state", [
    SimulatedState(), SimulatedState(paper="near_end"), SimulatedState(paper="out"),
    SimulatedState(cover_open=True), SimulatedState(offline=True), SimulatedState(cutter_error=True),
    SimulatedState(unrecoverable_error=True), SimulatedState(auto_recoverable_error=True),
])
def test_simulated_answers_decode_back_to_the_same_state(state):
    answers = {n: state.answer(n) for n in (1, 2, 3, 4)}
    assert all(valid_status_byte(b) for b in answers.values())
    s = PrinterStatus.from_bytes(answers)
    assert s.paper == state.paper
    assert s.cover_open == state.cover_open and s.cutter_error == state.cutter_error
    assert s.unrecoverable_error == state.unrecoverable_error
    assert s.ready == (state == SimulatedState() or state == SimulatedState(paper="near_end"))


def test_published_byte_values():
    assert SimulatedState().answer(4) == 0x12
    assert SimulatedState(paper="near_end").answer(4) == 0x1E
    assert SimulatedState(paper="out").answer(4) == 0x72
    assert SimulatedState(cover_open=True).answer(2) == 0x16
