"""The 256-byte text block of all four card types, codes, dates and masking."""
import datetime as dt

import pytest
from hypothesis import given, strategies as st

from hardware.exceptions import CardDataError
from hardware.reader import codes
from hardware.reader.card import (CardType, IdCard, JSON_KEYS, encode_text_block, mask_id, mask_name,
                                  parse_text_block)

from tests.hardware.conftest import ALL_CARDS, FOREIGN_2017, FOREIGN_2023, HKMO_TW, RARE_NAME, RESIDENT


def field(text: str, size: int) -> bytes:
    data = text.encode("utf-16-le")
    assert len(data) <= size
    return data + " ".encode("utf-16-le") * ((size - len(data)) // 2)


def resident_block(**over) -> bytes:
    """A resident card block built field by field from the published layout."""
    f = dict(name="张三丰", sex="1", nation="01", birth="19900102", address="浙江省温州市乐清市城南街道伯乐东路888号",
             id="330382199001024210", authority="乐清市公安局", start="20150101", end="长期")
    f.update(over)
    block = (field(f["name"], 30) + field(f["sex"], 2) + field(f["nation"], 4) + field(f["birth"], 16)
             + field(f["address"], 70) + field(f["id"], 36) + field(f["authority"], 30) + field(f["start"], 16)
             + field(f["end"], 16) + field("", 36))
    assert len(block) == 256
    return block


def test_resident_card_from_a_block_built_by_hand():
    card = parse_text_block(resident_block())
    assert card == RESIDENT
    assert card.card_type is CardType.resident
    assert card.to_dict(full=True)["valid_to"] == "长期"


def test_resident_card_fields_sit_at_their_offsets():
    block = encode_text_block(RESIDENT)
    assert block[122:158].decode("utf-16-le") == "330382199001024210"
    assert block[30:32].decode("utf-16-le") == "1"
    assert block[32:36].decode("utf-16-le") == "01"
    assert block[248:250] == b" \x00"


def test_hkmo_tw_residence_permit_has_pass_number_and_issue_count():
    block = bytearray(encode_text_block(HKMO_TW))
    assert block[248:250] == b"J\x00"
    assert block[220:238].decode("utf-16-le") == "H12345678"
    assert block[238:242].decode("utf-16-le") == "02"
    card = parse_text_block(bytes(block))
    assert (card.card_type, card.pass_number, card.issue_count, card.nation) == \
        (CardType.hkmo_tw_residence, "H12345678", 2, None)


def test_foreign_permanent_2017_card():
    block = encode_text_block(FOREIGN_2017)
    assert block[248:250] == b"I\x00"
    assert block[0:120].decode("utf-16-le").rstrip() == "SMITH JOHN ALEXANDER"
    assert block[122:152].decode("utf-16-le") == "USA110075031501"  # 15 characters
    card = parse_text_block(block)
    assert card == FOREIGN_2017
    assert card.to_dict(full=True)["nationality"] == "USA"


def test_foreign_permanent_2023_card_with_a_46_character_english_name():
    block = encode_text_block(FOREIGN_2023)
    assert block[248:250] == b"Y\x00"
    assert block[52:122].decode("utf-16-le") == FOREIGN_2023.name_en[:35]
    assert block[220:242].decode("utf-16-le") == FOREIGN_2023.name_en[35:]
    card = parse_text_block(block)
    assert card == FOREIGN_2023
    assert card.name_en == "GONZALEZ RODRIGUEZ MARIA DE LOS ANGELES ISABEL"


@pytest.mark.parametrize("card", ALL_CARDS, ids=lambda c: c.card_type.value + (c.name or ""))
def test_every_card_type_round_trips_and_has_all_json_keys(card):
    again = parse_text_block(encode_text_block(card))
    assert again == card
    assert tuple(again.to_dict()) == JSON_KEYS


def test_rare_character_in_a_name_survives():
    assert parse_text_block(encode_text_block(RARE_NAME)).name == "王䶮"


@pytest.mark.parametrize("code,name", [("0", "未知"), ("1", "男"), ("2", "女"), ("9", "未说明")])
def test_sex_codes(code, name):
    assert parse_text_block(resident_block(sex=code)).sex == name


def test_all_nation_codes():
    expected_codes = [f"{i:02d}" for i in range(1, 57)] + ["97", "98"]
    assert sorted(codes.NATIONS) == expected_codes
    assert codes.NATIONS["01"] == "汉" and codes.NATIONS["56"] == "基诺" and codes.NATIONS["98"] == "外国血统中国籍人士"
    for code, name in codes.NATIONS.items():
        assert parse_text_block(resident_block(nation=code)).nation == name


def test_dates_become_iso():
    card = parse_text_block(resident_block(birth="20000229", start="20200101", end="20400101"))
    assert (card.birth_date, card.valid_from, card.valid_to) == ("2000-02-29", "2020-01-01", "2040-01-01")


@pytest.mark.parametrize("bad", [dict(birth="19901332"), dict(end="长期有效")])
def test_unreadable_dates_are_card_data_errors(bad):
    with pytest.raises(CardDataError):
        parse_text_block(resident_block(**bad))


def test_unknown_type_flag_and_wrong_length_are_card_data_errors():
    block = bytearray(resident_block())
    block[248:250] = "Q".encode("utf-16-le")
    with pytest.raises(CardDataError):
        parse_text_block(bytes(block))
    with pytest.raises(CardDataError):
        parse_text_block(resident_block()[:200])


def test_masks():
    assert mask_id("330382199001024210") == "330382********4210"
    assert mask_id("USA110075031501") == "USA110*****1501"
    assert mask_name("张三") == "张*" and mask_name("欧阳娜娜") == "欧**娜"
    assert mask_name("SMITH JOHN") == "S**** J***"


def test_repr_and_default_dict_never_show_the_full_number_or_name():
    text = repr(RESIDENT) + str(RESIDENT) + str(RESIDENT.to_dict())
    assert "330382199001024210" not in text
    assert "张三丰" not in text
    assert "330382********4210" in text
    assert RESIDENT.to_dict(full=True)["id_number"] == "330382199001024210"


cjk = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)


@given(name=st.text(cjk, min_size=1, max_size=15), address=st.text(cjk, min_size=1, max_size=35),
       number=st.from_regex(r"\A[0-9]{17}[0-9X]\Z"), nation=st.sampled_from(sorted(codes.NATIONS.values())),
       sex=st.sampled_from(["男", "女"]), birth=st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)), long_term=st.booleans())
def test_resident_cards_round_trip(name, address, number, nation, sex, birth, long_term):
    card = IdCard(CardType.resident, name=name, sex=sex, nation=nation, birth_date=birth.isoformat(),
                  address=address, id_number=number, issuing_authority="某某公安局",
                  valid_from="2020-01-01", valid_to="长期" if long_term else "2040-01-01")
    assert parse_text_block(encode_text_block(card)) == card


@given(st.binary(min_size=256, max_size=256))
def test_random_blocks_parse_or_fail_cleanly(block):
    try:
        card = parse_text_block(block)
    except CardDataError:
        return
    assert isinstance(card, IdCard)
