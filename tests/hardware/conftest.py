"""Shared cards, guides and simulators for the hardware tests.

All card data here is made up.
"""
from __future__ import annotations

import datetime as dt

import pytest

from guides.fonts import FONT_PATH
from guides.model import Guide, Site
from hardware.reader.card import CardType, IdCard
from hardware.reader.frames import Command, Reply, FrameDecoder, Frame, MIN_COMMAND_LEN

RESIDENT = IdCard(CardType.resident, name="张三丰", sex="男", nation="汉", birth_date="1990-01-02",
                  address="浙江省温州市乐清市城南街道伯乐东路888号", id_number="330382199001024210",
                  issuing_authority="乐清市公安局", valid_from="2015-01-01", valid_to="长期")
RARE_NAME = IdCard(CardType.resident, name="王䶮", sex="女", nation="满", birth_date="2001-12-31",
                   address="北京市东城区某某胡同1号", id_number="11010120011231002X",
                   issuing_authority="北京市公安局东城分局", valid_from="2019-03-04", valid_to="2029-03-04")
HKMO_TW = IdCard(CardType.hkmo_tw_residence, name="陈大文", sex="男", birth_date="1985-07-01",
                 address="广东省深圳市福田区福华路1号", id_number="810000198507010015",
                 issuing_authority="深圳市公安局", valid_from="2020-01-01", valid_to="2025-01-01",
                 pass_number="H12345678", issue_count=2)
FOREIGN_2017 = IdCard(CardType.foreign_permanent, name="史密斯", name_en="SMITH JOHN ALEXANDER", sex="男",
                      birth_date="1975-03-15", id_number="USA110075031501", nationality="USA",
                      issuing_authority="1100", valid_from="2017-06-01", valid_to="2027-06-01")
FOREIGN_2023 = IdCard(CardType.foreign_permanent_2023, name="玛丽亚", sex="女", birth_date="1988-08-08",
                      name_en="GONZALEZ RODRIGUEZ MARIA DE LOS ANGELES ISABEL",  # 46 characters
                      id_number="972240198808080023", nationality="ESP", issue_count=1,
                      valid_from="2023-12-01", valid_to="2033-12-01")
ALL_CARDS = [RESIDENT, RARE_NAME, HKMO_TW, FOREIGN_2017, FOREIGN_2023]

SITE = Site(hall_name="乐清市市民中心", address="浙江省温州市乐清市伯乐东路 888 号", hours="周一至周五 8:30-17:00",
            hotline="0577-61880000", public_base_url="https://bs.example.gov.cn/")
STAMP = "版本 R12 · 2026-11-22 · 9f3a1c"


def make_guide(code: str = "330382-GA-0003", **changes) -> Guide:
    data = dict(
        code=code, name="户口迁入（浙江省内迁入乐清）", item_type="行政确认", audience=["个人"], category="户籍办理",
        department="乐清市公安局", basis=[{"law": "中华人民共和国户口登记条例", "article": "第十条"}],
        conditions=["迁入人员现有常住户口在浙江省内"],
        materials=[
            {"name": "居民身份证", "form": "原件", "copies": 1, "source": "申请人自备"},
            {"name": "结婚证", "form": "复印件", "copies": 2, "source": "政府部门核发", "necessity": "非必要",
             "note": "夫妻投靠适用（１）：需双方到场。"},
            {"name": "不动产权证书", "form": "电子证照", "copies": 1, "source": "政府部门核发", "necessity": "免提交"},
        ],
        time_limit={"statutory": {"value": 20, "unit": "工作日"}, "promised": {"value": 5, "unit": "工作日"}},
        speed="承诺件", fee={"charged": False}, channels=["窗口办理"], visits=1,
        flow=[{"step": "申请", "who": "申请人", "time": "即时", "what": "提交申请"}],
        locations=[{"address": "乐清市市民中心一楼 A 区", "window": "12-15 号公安综合窗口",
                    "hours": "周一至周五 8:30-12:00、13:30-17:00"}],
        contacts={"consult": "0577-61880001", "complaint": "12345"},
        mistakes=[{"mistake": "以为户口簿复印件就可以", "correct": "须带户口簿原件，户主签字同意"}],
        updated=dt.date(2026, 11, 1),
    )
    data.update(changes)
    return Guide.model_validate(data)


@pytest.fixture
def font_path():
    return FONT_PATH


class FakeReaderPort:
    """A pyserial-like port whose far end answers with a function (no wire, no thread)."""

    def __init__(self, answer) -> None:
        self.answer = answer  # Command -> bytes to put on the wire
        self.timeout = 1.0
        self._in = bytearray()
        self._decoder = FrameDecoder(min_len=MIN_COMMAND_LEN)
        self.written = bytearray()
        self.closed = False

    @property
    def in_waiting(self) -> int:
        return len(self._in)

    def reset_input_buffer(self) -> None:
        self._in.clear()

    def write(self, data: bytes) -> int:
        self.written += data
        for ev in self._decoder.feed(data):
            if isinstance(ev, Frame):
                self._in += self.answer(Command.from_payload(ev.payload))
        return len(data)

    def flush(self) -> None:
        pass

    def read(self, n: int) -> bytes:
        out = bytes(self._in[:n])
        del self._in[:n]
        return out

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def fake_port_factory():
    return FakeReaderPort


def ok(data: bytes = b"") -> bytes:
    return Reply(0, 0, 0x90, data).encode()
