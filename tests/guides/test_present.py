"""What surfaces show: stated facts only, in the same words everywhere (guides.present, guides.wording)."""
from guides.model import Guide
from guides.present import brief, guide_view, poster_facts
from guides.wording import fee_lines, not_stated, time_limit_text, visits_text
from tests.guides.test_cases import TREE

SITE = {"hall_name": "张庄路街道", "address": "济南市槐荫区张庄路街道", "hours": "未载明", "hotline": "87524298",
        "public_base_url": "https://bs.example.gov.cn", "area_code": "0531"}


def bare(**changes) -> Guide:
    """A guide stating only what is required: no statutory limit, no visits, no complaint phone."""
    data = dict(TREE, questions=None, materials=[{"name": "居民户口簿"}], time_limit={"promised": {"value": 3, "unit": "工作日"}},
                speed="承诺件")
    data.pop("questions")
    data.update(changes)
    return Guide.model_validate(data)


def test_absent_facts_are_not_shown_or_say_not_stated():
    from guides.model import Site
    site = Site.model_validate(SITE)
    g = bare()
    assert visits_text(g) is None and brief(g) == "承诺 3 个工作日"
    view = guide_view(g, site)
    labels = [f.label for f in view.facts]
    assert "到现场次数" not in labels
    assert view.facts[0].lines == ("承诺 3 个工作日",)  # no 法定 part
    assert [p.label for p in view.phones] == ["咨询电话"]
    assert view.phones[0].shown == "0531-87524298" and view.phones[0].tel == "tel:053187524298"
    # a material stated by name only: no form or copies are made up
    assert view.materials[0].items[0].how == "必须提供"
    assert poster_facts(g) == (("办理时限", "3个工作日", "承诺时限"), ("收费", "不收费", ""),
                               ("到现场次数", "未载明", "请咨询下方电话"), ("申请材料", "1 项", "需本人准备"))
    none = bare(time_limit={"note": "以窗口告知为准", "promised": None})
    assert poster_facts(none)[0] == ("办理时限", "未载明", "请咨询下方电话")


def test_a_charged_fee_without_an_amount_says_not_stated_with_the_phone():
    from guides.model import Site
    g = bare(fee={"charged": True})
    site = Site.model_validate(SITE)
    assert fee_lines(g, [], site) == ["收费标准未载明（请咨询 0531-87524298）"]
    assert not_stated(g, site) == "未载明（请咨询 0531-87524298）"


def test_time_limit_words():
    g = bare(time_limit=[{"label": "普通", "promised": {"value": 15, "unit": "工作日"}},
                         {"label": "绿色通道", "promised": {"value": 7, "unit": "自然日"}, "statutory": "无"}])
    assert [time_limit_text(v) for v in g.time_limit_variants] == [
        "普通：承诺 15 个工作日", "绿色通道：承诺 7 个自然日；法定 无（法律未规定时限）"]
    assert poster_facts(g)[0] == ("办理时限", "视情形而定", "扫码查看")
    assert brief(g) == ""  # two promises: no single one to put in a list line


def test_material_count_on_a_poster_is_a_range_when_it_depends_on_the_case():
    g = Guide.model_validate(TREE)
    assert poster_facts(g)[3] == ("申请材料", "1-4 项", "视情形")
