"""Pydantic models of a service guide (办事指南) and of the site-wide data.

Keys are those of CONTENT-STANDARD.md's file shape; unknown keys are errors.
The models hold structure and types only; content rules (vague wording,
promised <= statutory, ...) live in ``guides.rules`` so that every finding can
carry its own code and line.
"""
from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ItemType(str, Enum):
    licence = "行政许可"
    confirmation = "行政确认"
    benefit = "行政给付"
    ruling = "行政裁决"
    filing = "行政备案"
    public_service = "公共服务"
    other_power = "其他行政权力"


class Audience(str, Enum):
    person = "个人"
    legal_person = "法人"


class Speed(str, Enum):
    immediate = "即办件"   # settled on the spot
    promised = "承诺件"    # settled within the promised days


class MaterialForm(str, Enum):
    original = "原件"
    copy = "复印件"
    electronic = "电子证照"
    original_and_copy = "原件和复印件"


class Channel(str, Enum):
    window = "窗口办理"
    online = "网上办理"
    mobile = "掌上办理"
    terminal = "自助终端"
    post = "快递送达"
    home_visit = "预约上门"


class Basis(Strict):
    law: Text
    article: Text


class Material(Strict):
    name: Text
    form: MaterialForm
    copies: int = Field(ge=1, le=20)
    source: Text
    required: bool
    note: Text | None = None
    # True when the office fetches it by data sharing: the citizen brings nothing (免提交).
    shared: bool = False


class TimeLimit(Strict):
    statutory_days: int = Field(ge=0, le=365)
    promised_days: int = Field(ge=0, le=365)
    note: Text | None = None


class Fee(Strict):
    charged: bool
    standard: Text | None = None
    basis: Text | None = None


class FlowStep(Strict):
    step: Text
    who: Text
    time_limit: Text
    what: Text


class Location(Strict):
    address: Text
    window: Text
    hours: Text


class Contacts(Strict):
    consult: Text
    complaint: Text


class Mistake(Strict):
    mistake: Text
    correct: Text


class Faq(Strict):
    q: Text
    a: Text


class Form(Strict):
    name: Text
    url: Text
    sample_url: Text | None = None


class Guide(Strict):
    code: Text
    name: Text
    item_type: ItemType
    audience: list[Audience] = Field(min_length=1)
    category: Text
    department: Text
    basis: list[Basis] = Field(min_length=1)
    conditions: list[Text] = Field(min_length=1)
    materials: list[Material] = Field(min_length=1)
    time_limit: TimeLimit
    speed: Speed
    fee: Fee
    channels: list[Channel] = Field(min_length=1)
    visits: int = Field(ge=0, le=10)
    visits_reason: Text | None = None
    flow: list[FlowStep] = Field(min_length=1)
    locations: list[Location] = Field(min_length=1)
    contacts: Contacts
    mistakes: list[Mistake] = Field(min_length=1)
    faq: list[Faq] = []
    online_url: Text | None = None
    forms: list[Form] = []
    updated: dt.date
    # Added keys (not in the standard's table): search aliases, e.g. 换身份证.
    aliases: list[Text] = []

    @property
    def visits_label(self) -> str:
        if self.visits == 0:
            return "零上门"
        if self.visits == 1:
            return "最多跑一次"
        return f"到现场 {self.visits} 次"

    @property
    def time_limit_label(self) -> str:
        if self.speed is Speed.immediate:
            return "即办件，当场办结"
        return f"承诺 {self.time_limit.promised_days} 个工作日（法定 {self.time_limit.statutory_days} 个工作日）"

    @property
    def fee_label(self) -> str:
        if not self.fee.charged:
            return "不收费"
        text = self.fee.standard or ""
        return f"{text}（依据：{self.fee.basis}）" if self.fee.basis else text


class Retired(Strict):
    """A guide taken out of service. Its code is never reused: posters in halls still carry
    its QR URL, which then says 该事项已调整 and points to the successor."""
    code: Text
    name: Text
    successor: Text | None = None
    retired_on: dt.date
    reason: Text | None = None


class Category(Strict):
    slug: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{1,30}$")]
    name: Text
    audience: list[Audience] = Field(min_length=1)
    description: Text | None = None


class Site(Strict):
    hall_name: Text
    address: Text
    hours: Text
    hotline: Text
    public_base_url: Text
    region_code: Annotated[str, StringConstraints(pattern=r"^\d{6}$")] | None = None
    # Codes shown as 常用事项 on the home screens, in this order.
    featured: list[Text] = []
