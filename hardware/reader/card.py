"""The card's 256-byte text block (UCS-2 little-endian) and what it holds.

Four card types share the block and are told apart by bytes 248-249:
a space for the resident ID card, 'J' for the 港澳台居民居住证, 'I' for the
外国人永久居留证 (2017) and 'Y' for the 外国人永久居留身份证 (2023).

The photo that follows the text block on the wire never reaches this module.
``IdCard``'s repr masks the ID number and the name so that a card that ends up
in a log line or a traceback does not leak them.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from enum import Enum

from hardware.exceptions import CardDataError
from hardware.reader import codes

TEXT_BLOCK_LEN = 256
LONG_TERM = "长期"


class CardType(str, Enum):
    resident = "resident"
    hkmo_tw_residence = "hkmo_tw_residence"
    foreign_permanent = "foreign_permanent"
    foreign_permanent_2023 = "foreign_permanent_2023"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    CardType.resident: "居民身份证",
    CardType.hkmo_tw_residence: "港澳台居民居住证",
    CardType.foreign_permanent: "外国人永久居留证",
    CardType.foreign_permanent_2023: "外国人永久居留身份证",
}

# (field, bytes) in block order; fields starting with "_" are reserved/unused.
_LAYOUTS: dict[CardType, list[tuple[str, int]]] = {
    CardType.resident: [
        ("name", 30), ("sex", 2), ("nation", 4), ("birth_date", 16), ("address", 70),
        ("id_number", 36), ("issuing_authority", 30), ("valid_from", 16), ("valid_to", 16),
        ("_reserved", 28), ("_type", 2), ("_reserved2", 6),
    ],
    CardType.hkmo_tw_residence: [
        ("name", 30), ("sex", 2), ("_reserved0", 4), ("birth_date", 16), ("address", 70),
        ("id_number", 36), ("issuing_authority", 30), ("valid_from", 16), ("valid_to", 16),
        ("pass_number", 18), ("issue_count", 4), ("_reserved", 6), ("_type", 2), ("_reserved2", 6),
    ],
    CardType.foreign_permanent: [
        ("name_en", 120), ("sex", 2), ("id_number", 30), ("nationality", 6), ("name", 30),
        ("valid_from", 16), ("valid_to", 16), ("birth_date", 16), ("_version", 4),
        ("issuing_authority", 8), ("_type", 2), ("_reserved2", 6),
    ],
    CardType.foreign_permanent_2023: [
        ("name", 30), ("sex", 2), ("issue_count", 4), ("birth_date", 16), ("name_en", 70),
        ("id_number", 36), ("_reserved", 30), ("valid_from", 16), ("valid_to", 16),
        ("name_en_more", 22), ("nationality", 6), ("_type", 2), ("_former_number_link", 6),
    ],
}
_TYPE_FLAGS = {" ": CardType.resident, "\0": CardType.resident, "J": CardType.hkmo_tw_residence,
               "I": CardType.foreign_permanent, "Y": CardType.foreign_permanent_2023}
_FLAG_OF = {CardType.resident: " ", CardType.hkmo_tw_residence: "J",
            CardType.foreign_permanent: "I", CardType.foreign_permanent_2023: "Y"}

for _layout in _LAYOUTS.values():
    assert sum(n for _, n in _layout) == TEXT_BLOCK_LEN
    assert sum(n for f, n in _layout[: [f for f, _ in _layout].index("_type")]) == 248

JSON_KEYS = ("card_type", "name", "name_en", "sex", "nation", "birth_date", "address", "id_number",
             "issuing_authority", "valid_from", "valid_to", "pass_number", "issue_count", "nationality")


def mask_id(number: str | None) -> str | None:
    """First 6 and last 4 characters kept: 330382********4210."""
    if number is None:
        return None
    if len(number) <= 10:
        return number[:2] + "*" * max(0, len(number) - 2)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_name(name: str | None) -> str | None:
    """张三 -> 张*, 欧阳娜娜 -> 欧**娜, JOHN SMITH -> J*** S****."""
    if not name:
        return name
    if name.isascii():
        return " ".join(w[:1] + "*" * (len(w) - 1) for w in name.split(" "))
    if len(name) <= 2:
        return name[0] + "*" * (len(name) - 1)
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_tail(text: str | None, keep: int = 6) -> str | None:
    """Keep the first characters (the region of an address), hide the rest."""
    if not text:
        return text
    return text[:keep] + "****" if len(text) > keep else text


def mask_all(text: str | None) -> str | None:
    """Every character hidden, the shape kept: 1990-01-02 -> ****-**-**, 乐清市公安局 -> ******."""
    if not text:
        return text
    return "".join(c if c in "-./ " else "*" for c in text)


def mask_middle(text: str | None, head: int = 2, tail: int = 2) -> str | None:
    if not text:
        return text
    if len(text) <= head + tail:
        return "*" * len(text)
    return text[:head] + "*" * (len(text) - head - tail) + text[-tail:]


@dataclass(frozen=True, repr=False)
class IdCard:
    card_type: CardType
    name: str | None = None
    name_en: str | None = None
    sex: str | None = None
    nation: str | None = None
    birth_date: str | None = None
    address: str | None = None
    id_number: str | None = None
    issuing_authority: str | None = None
    valid_from: str | None = None
    valid_to: str | None = None
    pass_number: str | None = None
    issue_count: int | None = None
    nationality: str | None = None

    def to_dict(self, full: bool = False) -> dict:
        """The JSON shape of the card; personal fields masked unless ``full``.

        Masking the ID number alone would not do: its hidden middle digits ARE the birth
        date (GB 11643: 6 digits of region, 8 of birth date, 3 of sequence whose last one
        gives the sex, 1 check digit), so the birth date, and what the number encodes beside
        it (sex, the issuing authority of the region), are masked with it. What stays (card
        type, first 6 and last 4 characters, nation, validity) gives the number back only
        by guessing among thousands of dates.
        """
        d = {k: getattr(self, k) for k in JSON_KEYS}
        d["card_type"] = self.card_type.value
        if not full:
            d["name"] = mask_name(self.name)
            d["name_en"] = mask_name(self.name_en)
            d["id_number"] = mask_id(self.id_number)
            d["address"] = mask_tail(self.address)
            d["pass_number"] = mask_middle(self.pass_number)
            d["birth_date"] = mask_all(self.birth_date)
            d["sex"] = mask_all(self.sex)
            d["issuing_authority"] = mask_all(self.issuing_authority)
        return d

    @classmethod
    def from_dict(cls, data: dict) -> "IdCard":
        unknown = set(data) - set(JSON_KEYS)
        if unknown:
            raise ValueError(f"unknown card field(s): {sorted(unknown)}")
        values = dict(data)
        values["card_type"] = CardType(values.get("card_type", "resident"))
        return cls(**values)

    @property
    def masked_id(self) -> str | None:
        return mask_id(self.id_number)

    def __repr__(self) -> str:
        return (f"IdCard(card_type={self.card_type.value!r}, name={mask_name(self.name)!r}, "
                f"id_number={mask_id(self.id_number)!r})")

    __str__ = __repr__


def card_type_of(block: bytes) -> CardType:
    if len(block) != TEXT_BLOCK_LEN:
        raise CardDataError(f"证件信息长度错误（{len(block)} 字节）", f"text block is {len(block)} bytes, not 256")
    flag = block[248:250].decode("utf-16-le", errors="replace")
    try:
        return _TYPE_FLAGS[flag]
    except KeyError:
        raise CardDataError("无法识别的证件类型", f"unknown card type flag {block[248:250].hex()}") from None


def _split(block: bytes, layout) -> dict[str, str]:
    out, pos = {}, 0
    for name, size in layout:
        raw = block[pos:pos + size]
        pos += size
        if name.startswith("_"):
            continue
        try:
            text = raw.decode("utf-16-le")
        except UnicodeDecodeError:
            raise CardDataError("证件信息编码错误", f"field {name} is not valid UCS-2") from None
        out[name] = text
    return out


def _date(value: str, field: str, allow_long_term: bool = False) -> str | None:
    if not value:
        return None
    if allow_long_term and value == LONG_TERM:
        return LONG_TERM
    try:
        return dt.datetime.strptime(value, "%Y%m%d").date().isoformat()
    except ValueError:
        raise CardDataError("证件上的日期无法识别", f"field {field} is not a YYYYMMDD date") from None


def _int(value: str, field: str) -> int | None:
    if not value:
        return None
    if not value.isdigit():
        raise CardDataError("证件上的次数无法识别", f"field {field} is not a number")
    return int(value)


def parse_text_block(block: bytes) -> IdCard:
    """Turn the 256-byte text block into an IdCard (raises CardDataError)."""
    card_type = card_type_of(bytes(block))
    raw = _split(bytes(block), _LAYOUTS[card_type])
    if card_type is CardType.foreign_permanent_2023:
        # the English name runs on from its first 35 characters into 11 more
        raw["name_en"] = raw["name_en"] + raw.pop("name_en_more")
    raw = {k: v.rstrip(" \0") for k, v in raw.items()}
    sex = codes.sex_name(raw["sex"]) if raw.get("sex") else None
    common = dict(
        card_type=card_type,
        name=raw.get("name") or None,
        sex=sex,
        birth_date=_date(raw.get("birth_date", ""), "birth_date"),
        id_number=raw.get("id_number") or None,
        valid_from=_date(raw.get("valid_from", ""), "valid_from"),
        valid_to=_date(raw.get("valid_to", ""), "valid_to", allow_long_term=True),
    )
    if card_type is CardType.resident:
        return IdCard(**common, nation=codes.nation_name(raw["nation"]) if raw["nation"] else None,
                      address=raw["address"] or None, issuing_authority=raw["issuing_authority"] or None)
    if card_type is CardType.hkmo_tw_residence:
        return IdCard(**common, address=raw["address"] or None,
                      issuing_authority=raw["issuing_authority"] or None,
                      pass_number=raw["pass_number"] or None,
                      issue_count=_int(raw["issue_count"], "issue_count"))
    if card_type is CardType.foreign_permanent:
        return IdCard(**common, name_en=raw["name_en"] or None, nationality=raw["nationality"] or None,
                      issuing_authority=raw["issuing_authority"] or None)
    return IdCard(**common, name_en=raw["name_en"] or None, nationality=raw["nationality"] or None,
                  issue_count=_int(raw["issue_count"], "issue_count"))


def _card_date(iso: str | None) -> str:
    if not iso:
        return ""
    if iso == LONG_TERM:
        return LONG_TERM
    d = dt.date.fromisoformat(iso)
    return f"{d.year:04d}{d.month:02d}{d.day:02d}"


def encode_text_block(card: IdCard) -> bytes:
    """The inverse of parse_text_block (used by the reader simulator and tests)."""
    ct = card.card_type
    values = {f.name: getattr(card, f.name) for f in fields(card)}
    raw: dict[str, str] = {
        "name": card.name or "",
        "name_en": card.name_en or "",
        "sex": codes.SEX_CODES.get(card.sex, card.sex) if card.sex else "",
        "nation": codes.NATION_CODES.get(card.nation, card.nation) if card.nation else "",
        "birth_date": _card_date(card.birth_date),
        "address": card.address or "",
        "id_number": card.id_number or "",
        "issuing_authority": card.issuing_authority or "",
        "valid_from": _card_date(card.valid_from),
        "valid_to": _card_date(card.valid_to),
        "pass_number": card.pass_number or "",
        "issue_count": f"{card.issue_count:02d}" if values["issue_count"] is not None else "",
        "nationality": card.nationality or "",
        "_type": _FLAG_OF[ct],
    }
    if ct is CardType.foreign_permanent_2023:
        raw["name_en"], raw["name_en_more"] = raw["name_en"][:35], raw["name_en"][35:]
    if ct is CardType.foreign_permanent:
        raw["_version"] = "20"
    out = bytearray()
    for name, size in _LAYOUTS[ct]:
        text = raw.get(name, "")
        data = text.encode("utf-16-le")
        if len(data) > size:
            raise ValueError(f"{name} is longer than {size // 2} characters")
        out += data + " ".encode("utf-16-le") * ((size - len(data)) // 2)
    return bytes(out)
