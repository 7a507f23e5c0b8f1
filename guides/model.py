"""Pydantic models of a service guide (办事指南), v2, and of the site-wide data.

Keys are exactly those of CONTENT-STANDARD.md (v2); unknown keys are errors. The
models hold structure and types only; content rules (vague wording, promised <=
statutory, unknown ``when`` ids, ...) live in ``guides.rules`` so that every finding
carries its own code and line.

Two promises shape these models:

* **Nothing is invented.** Every element the standard calls recommended or optional
  is ``None`` when the source does not state it -- never a default value. Surfaces
  omit it or say 未载明. (The only defaults are the standard's own: a material's
  ``necessity`` is 必要 when absent -- see `Material.required` -- and a group's
  ``choose`` is 1.)
* **A citizen sees only their case.** ``questions`` (情形引导) and the ``when`` of
  conditions, materials, groups, time-limit variants, speeds, fee items, steps,
  locations and mistakes say which path each applies to; ``guides.cases.resolve``
  is the one function that works a guide out for a set of answers.

Public names (stable; other packages import them): `Guide`, `Question`, `Option`,
`Material`, `MaterialGroup`, `Condition`, `Limit`, `TimeLimit`, `SpeedVariant`,
`Fee`, `FeeItem`, `FlowStep`, `Location`, `Contacts`, `Mistake`, `Faq`, `Form`,
`Result`, `Basis`, `Site`, `Category`, `Retired`, the enums (`ItemType`,
`Audience`, `Speed`, `MaterialForm`, `Necessity`, `Channel`, `LimitUnit`,
`LimitWord`, `Level`, `ServiceScope`, `ResultType`) and `parse_when`.
"""
from __future__ import annotations

import datetime as dt
from enum import Enum
from functools import lru_cache
from typing import Annotated, Any, Union

from pydantic import (BaseModel, BeforeValidator, ConfigDict, Discriminator, Field, PlainSerializer, PrivateAttr,
                      StringConstraints, Tag)
from pydantic import Strict as StrictType

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

# Question and option ids: short ASCII slugs, never reused (CONTENT-STANDARD "Stable URLs").
SLUG_PATTERN = r"^[a-z][a-z0-9_]{0,23}$"
Slug = Annotated[str, StringConstraints(strip_whitespace=True, pattern=SLUG_PATTERN)]
_S = r"[a-z][a-z0-9_]{0,23}"
# One `when` entry: question=option, or question=a|b (any of these options).
WHEN_PATTERN = rf"^{_S}=({_S})(\|{_S})*$"
WhenTerm = Annotated[str, StringConstraints(strip_whitespace=True, pattern=WHEN_PATTERN)]
When = Annotated[list[WhenTerm], Field(min_length=1)]

# 事项编码: the hall platform's 实施编码 / 业务办理项编码, 6-64 letters, digits and '-'.
CODE_PATTERN = r"^[0-9A-Za-z][0-9A-Za-z-]{5,63}$"
# 基本编码: the national directory's code, 6-32 letters, digits and '-'.
BASIC_CODE_PATTERN = r"^[0-9A-Za-z-]{6,32}$"

# Amounts in yuan: a number; written back as an integer when it is one (20, not 20.0).
Yuan = Annotated[float, StrictType(), Field(ge=0, le=10_000_000),
                 PlainSerializer(lambda v: int(v) if float(v).is_integer() else v)]


class Strict(BaseModel):
    """Base of every content model: unknown keys are errors, values are immutable."""
    model_config = ConfigDict(extra="forbid", frozen=True)


class ItemType(str, Enum):
    """事项类型."""
    licence = "行政许可"
    confirmation = "行政确认"
    benefit = "行政给付"
    ruling = "行政裁决"
    reward = "行政奖励"
    filing = "行政备案"
    levy = "行政征收"
    public_service = "公共服务"
    other_power = "其他行政权力"


class Audience(str, Enum):
    """服务对象."""
    person = "个人"
    legal_person = "法人"


class Speed(str, Enum):
    """办件类型."""
    immediate = "即办件"   # settled on the spot
    promised = "承诺件"    # settled within the promised time


class MaterialForm(str, Enum):
    """材料形式."""
    original = "原件"
    copy = "复印件"
    original_and_copy = "原件和复印件"
    electronic = "电子证照"
    paper_or_electronic = "纸质或电子"


class Necessity(str, Enum):
    """材料必要性; absent means 必要 (the standard's default)."""
    required = "必要"
    optional = "非必要"
    later = "容缺后补"        # may be handed in after acceptance
    pledge = "告知承诺"       # replaced by a written pledge
    exempt = "免提交"         # the office fetches it by data sharing


class Channel(str, Enum):
    """办理方式."""
    window = "窗口办理"
    online = "网上办理"
    mobile = "掌上办理"
    terminal = "自助终端"
    post = "快递送达"
    home_visit = "预约上门"
    appointment = "预约办理"


class LimitUnit(str, Enum):
    """Unit of a time limit."""
    working_days = "工作日"
    calendar_days = "自然日"
    hours = "小时"


class LimitWord(str, Enum):
    """A time limit given as a word instead of an amount."""
    immediate = "即时"   # settled on the spot
    none = "无"          # the law sets no limit


class Level(str, Enum):
    """行使层级."""
    national = "国家级"
    province = "省级"
    city = "市级"
    county = "县级"
    township = "乡镇级"
    village = "村级"


class ServiceScope(str, Enum):
    """通办范围."""
    nationwide = "全国"
    cross_province = "跨省"
    cross_city = "跨市"
    cross_county = "跨县"
    local = "本地"


class ResultType(str, Enum):
    """办理结果类型."""
    licence = "证照"
    approval = "批文"
    other = "其他"


def _by_type(*pairs: tuple[type, str]):
    """A callable discriminator choosing a union member by the Python type of the input,
    so a schema error names one member only (clear messages, one line)."""
    def pick(value: Any) -> str | None:
        for typ, tag in pairs:
            if isinstance(value, typ):
                return tag
        return pairs[-1][1]
    return Discriminator(pick)


# ---------------------------------------------------------------------------------- questions
class Option(Strict):
    """One answer to a question: ``{id, label}``; ``id`` is a slug used in path URLs."""
    id: Slug
    label: Text


class Question(Strict):
    """情形引导: a question with its options. With ``when`` it is asked only on that path
    (questions form a tree); ``when`` may name only questions listed before it."""
    id: Slug
    ask: Text
    options: list[Option] = Field(min_length=2)
    when: When | None = None

    def option(self, option_id: str) -> Option | None:
        """The option with this id, or None."""
        for opt in self.options:
            if opt.id == option_id:
                return opt
        return None


@lru_cache(maxsize=16384)
def _parse_when(terms: tuple[str, ...]) -> tuple[tuple[str, frozenset[str]], ...]:
    out = []
    for term in terms:
        qid, _, opts = term.partition("=")
        out.append((qid.strip(), frozenset(o.strip() for o in opts.split("|"))))
    return tuple(out)


def parse_when(when: list[str] | tuple[str, ...] | None) -> tuple[tuple[str, frozenset[str]], ...]:
    """``["why=lost", "age=child|teen"]`` -> ``(("why", {"lost"}), ("age", {"child", "teen"}))``;
    every entry must hold for the item to apply. ``None`` -> ``()`` (applies on every path)."""
    return _parse_when(tuple(when)) if when else ()


class _Conditional(Strict):
    """Something that may apply on some answer paths only (``when``)."""
    when: When | None = None

    @property
    def when_terms(self) -> tuple[tuple[str, frozenset[str]], ...]:
        """`parse_when` of this item's ``when``."""
        return parse_when(self.when)


# ---------------------------------------------------------------------------------- elements
class Basis(Strict):
    """设定依据: a law or document; ``article`` optional (some documents have none);
    ``doc_no`` is a document's 文号 (e.g. 鲁政办发〔2013〕17号)."""
    law: Text
    article: Text | None = None
    doc_no: Text | None = None


class Condition(_Conditional):
    """受理条件 written as ``{text, when}``; a plain string in YAML is a `Condition` without when."""
    text: Text


def _condition(value: Any) -> Any:
    return {"text": value} if isinstance(value, str) else value


class Material(_Conditional):
    """申请材料. Only ``name`` is required; form / copies / source are recommended
    (``None`` when the source does not state them). ``blank_form`` and ``sample`` are
    files under content/forms/ (空白表格, 示例样表)."""
    name: Text
    form: MaterialForm | None = None
    copies: int | None = Field(default=None, ge=1, le=20)
    source: Text | None = None
    necessity: Necessity | None = None
    note: Text | None = None
    blank_form: Text | None = None
    sample: Text | None = None

    @property
    def required(self) -> bool:
        """True when the citizen must bring it: necessity absent (standard default 必要) or 必要."""
        return self.necessity in (None, Necessity.required)

    @property
    def necessity_or_default(self) -> Necessity:
        """The necessity, 必要 when absent (the standard's stated default)."""
        return self.necessity or Necessity.required


class MaterialGroup(_Conditional):
    """"Bring any ``choose`` of these": ``{one_of: 组名, choose: 1, items: [...]}``. Shown as
    "以下材料任选一种" (or 任选 N 种)."""
    one_of: Text
    choose: int = Field(default=1, ge=1, le=20)
    items: list[Material] = Field(min_length=2)
    note: Text | None = None


MaterialEntry = Annotated[Union[Annotated[MaterialGroup, Tag("~group")], Annotated[Material, Tag("~material")]],
                          Discriminator(lambda v: "~group" if (isinstance(v, dict) and "one_of" in v)
                                        or isinstance(v, MaterialGroup) else "~material")]


class Limit(Strict):
    """A time limit as an amount: ``{value: 15, unit: 工作日}``."""
    value: int = Field(ge=0, le=3650)
    unit: LimitUnit


LimitValue = Annotated[Union[Annotated[LimitWord, Tag("~word")], Annotated[Limit, Tag("~amount")]],
                       _by_type((str, "~word"), (LimitWord, "~word"), (object, "~amount"))]


class TimeLimit(_Conditional):
    """办理时限 (one variant): ``statutory`` 法定 and ``promised`` 承诺, each a `Limit`, 即时 or 无;
    either may be absent. ``label`` names a variant (e.g. 绿色通道)."""
    statutory: LimitValue | None = None
    promised: LimitValue | None = None
    note: Text | None = None
    label: Text | None = None


class SpeedVariant(_Conditional):
    """One 办件类型 of a guide that has several (e.g. 即办件 on one path, 承诺件 on another)."""
    speed: Speed
    label: Text | None = None


class FeeItem(_Conditional):
    """A fee: ``amount`` a number of yuan (``unit`` such as 元/证), or ``text`` for a
    standard that is not one number; at least one of them (the checker says so)."""
    name: Text
    amount: Yuan | None = None
    unit: Text | None = None
    text: Text | None = None


class Fee(Strict):
    """收费. ``charged`` must be stated. ``charged: true`` without items means the amount is
    not stated (a warning; surfaces say 收费标准未载明)."""
    charged: bool
    items: list[FeeItem] | None = None
    waiver: Text | None = None
    basis: Text | None = None


class FlowStep(_Conditional):
    """办理流程 step; who / time / what are recommended."""
    step: Text
    who: Text | None = None
    time: Text | None = None
    what: Text | None = None


class Location(_Conditional):
    """办理地点; window and hours are recommended."""
    address: Text
    window: Text | None = None
    hours: Text | None = None


class Contacts(Strict):
    """咨询 (required) and 监督投诉 (recommended) phones; a note says whose number it is."""
    consult: Text
    complaint: Text | None = None
    consult_note: Text | None = None
    complaint_note: Text | None = None


class Mistake(_Conditional):
    """易错范例: what people get wrong, and what is right."""
    mistake: Text
    correct: Text


class Faq(Strict):
    """常见问题."""
    q: Text
    a: Text


class Form(Strict):
    """表格下载: a file under content/forms/ and/or an https URL; ``sample`` a filled-in example."""
    name: Text
    file: Text | None = None
    url: Text | None = None
    sample: Text | None = None


class Result(Strict):
    """办理结果, e.g. {name: 居民身份证, type: 证照}; ``sample`` a file under content/forms/."""
    name: Text
    type: ResultType | None = None
    sample: Text | None = None


# A condition may be written as a plain string; it is written back the same way.
ConditionEntry = Annotated[Condition, BeforeValidator(_condition),
                           PlainSerializer(lambda c: c.text if c.when is None else {"text": c.text, "when": c.when})]


TimeLimitField = Annotated[Union[Annotated[TimeLimit, Tag("~one")], Annotated[list[TimeLimit], Tag("~variants")]],
                           _by_type((list, "~variants"), (object, "~one"))]
SpeedField = Annotated[Union[Annotated[Speed, Tag("~one")], Annotated[list[SpeedVariant], Tag("~variants")]],
                       _by_type((list, "~variants"), (object, "~one"))]

# Union member tags, which pydantic puts into error locations; guides.schema_errors drops them.
UNION_TAGS = frozenset({"~group", "~material", "~word", "~amount", "~one", "~variants"})


class Guide(Strict):
    """One 办事指南 (one file under content/guides/, named ``code`` + .yaml).

    Required elements have no default (absent -> a schema error, 缺少必备要素); every
    recommended or optional element is ``None`` when absent. ``time_limit`` and ``speed``
    keep the shape they were written in (one, or a list of variants); `time_limit_variants`
    and `speed_variants` always give a tuple.
    """
    code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
    basic_code: Text | None = None
    name: Text
    item_type: ItemType
    audience: list[Audience] = Field(min_length=1)
    category: Text
    department: Text
    department_code: Text | None = None
    handling_unit: Text | None = None
    level: Level | None = None
    service_scope: ServiceScope | None = None
    co_departments: list[Text] | None = None
    basis: list[Basis] = Field(min_length=1)
    questions: list[Question] | None = None
    conditions: Annotated[list[ConditionEntry], Field(min_length=1)]
    materials: list[MaterialEntry] = Field(min_length=1)
    time_limit: TimeLimitField
    speed: SpeedField
    fee: Fee
    channels: list[Channel] = Field(min_length=1)
    visits: int | None = Field(default=None, ge=0, le=10)
    visits_reason: Text | None = None
    flow: list[FlowStep] | None = None
    flow_image: Text | None = None
    locations: list[Location] = Field(min_length=1)
    contacts: Contacts
    result: Result | None = None
    refusal_conditions: list[Text] | None = None
    remedies: Text | None = None
    mistakes: list[Mistake] = Field(min_length=1)
    faq: list[Faq] | None = None
    online_url: Text | None = None
    forms: list[Form] | None = None
    aliases: list[Text] | None = None
    updated: dt.date

    _compiled: Any = PrivateAttr(default=None)  # guides.cases' per-guide index, built on first use

    # -- convenient views (no new facts) -------------------------------------------------
    @property
    def time_limit_variants(self) -> tuple[TimeLimit, ...]:
        """The time limit as a tuple of variants (one element when written as one mapping)."""
        return tuple(self.time_limit) if isinstance(self.time_limit, list) else (self.time_limit,)

    @property
    def speed_variants(self) -> tuple[SpeedVariant, ...]:
        """The 办件类型 as a tuple of variants (one, without ``when``, when written as one word)."""
        if isinstance(self.speed, list):
            return tuple(self.speed)
        return (SpeedVariant(speed=self.speed),)

    @property
    def question_map(self) -> dict[str, Question]:
        """Questions by id, in question order."""
        return {q.id: q for q in self.questions or ()}

    def all_materials(self) -> list[Material]:
        """Every material, group items included, in file order."""
        out: list[Material] = []
        for entry in self.materials:
            out.extend(entry.items if isinstance(entry, MaterialGroup) else (entry,))
        return out

    def dump(self) -> dict[str, Any]:
        """The guide as JSON-ready data with absent elements left out (a release's form)."""
        return self.model_dump(mode="json", exclude_none=True)


class Retired(Strict):
    """A guide taken out of service. Its code is never reused: posters in halls still carry
    its QR URL, which then says 该事项已调整 and points to the successor."""
    code: Text
    name: Text
    successor: Text | None = None
    retired_on: dt.date
    reason: Text | None = None


class Category(Strict):
    """主题分类 (categories.yaml); a guide's ``category`` is one of these names."""
    slug: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{1,30}$")]
    name: Text
    audience: list[Audience] = Field(min_length=1)
    description: Text | None = None


class Site(Strict):
    """The hall (site.yaml). ``area_code`` (区号, e.g. 0577) is shown and dialled before a
    guide's 7-8 digit local numbers; without it they are shown as written."""
    hall_name: Text
    address: Text
    hours: Text
    hotline: Text
    public_base_url: Text
    region_code: Annotated[str, StringConstraints(pattern=r"^\d{6}$")] | None = None
    area_code: Annotated[str, StringConstraints(pattern=r"^0\d{2,3}$")] | None = None
    # Codes shown as 常用事项 on the home screens, in this order.
    featured: list[Text] = []
