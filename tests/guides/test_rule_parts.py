"""The parts the checker is built from: phones, codes, the vague-wording grammar, text safety."""
import pytest

from guides.codes import uscc_check_char, uscc_check_ok, valid_basic_code, valid_code
from guides.phones import phone_display, phone_kind, tel_uri
from guides.textsafety import control_chars, markup, undrawable
from guides.vague import find_vague


@pytest.mark.parametrize("phone,kind", [
    ("0577-61881125", "area"), ("0577-6188112", "area"), ("0539-12333", "area"), ("87524298", "local"),
    ("6188112", "local"), ("12345", "service"), ("95588", "service"), ("400-123-4567", "toll_free"),
    ("8001234567", "toll_free"), ("13812345678", "mobile"), ("0577-61881125转8012", "area"),
    ("0577-61881125-12", "area"),
])
def test_phones_the_standard_lists(phone, kind):
    assert phone_kind(phone) == kind


@pytest.mark.parametrize("phone", ["0577 6123 4567", "5242", "0577-612", "123456789012", "0577-61881125转", "电话"])
def test_other_phones_are_rejected(phone):
    assert phone_kind(phone) is None


def test_local_numbers_take_the_site_area_code():
    assert phone_display("87524298", "0531") == "0531-87524298"
    assert phone_display("87524298", None) == "87524298"
    assert phone_display("12345", "0531") == "12345"
    assert tel_uri("87524298", "0531") == "tel:053187524298"
    assert tel_uri("0577-61881125转8012") == "tel:057761881125,8012"


def test_codes():
    assert valid_code("11330382002609422Q3000102001000")
    assert valid_code("511A0138000000-511602000000-000-115113010833722043-1-00")
    assert valid_code("330382-GA-0001") and valid_code("11371300004448355A3372014917003")
    assert not valid_code("-330382") and not valid_code("33038") and not valid_code("330382 GA 0001")
    assert not valid_code("A" * 65)
    assert valid_basic_code("000102001000") and not valid_basic_code("基本编码")


def test_gb32100_check_character():
    # GB 32100-2015 worked example
    assert uscc_check_ok("91350100M000100Y43")
    assert uscc_check_char("11330382002609422") == "G"
    assert not uscc_check_ok("11330382002609422Q")


@pytest.mark.parametrize("text,kind,words", [
    ("居民身份证、护照、机动车驾驶证等身份证件", "开放式列举", "等身份证件"),
    ("户口簿、结婚证等材料", "开放式列举", "等材料"),
    ("相关税费缴纳凭证", "泛指", "相关税费缴纳凭证"),
    ("户口簿不在身边的，凭有关证件办理", "泛指", "有关证件"),
    ("其他必要材料", "泛指", "其他必要材料"),
    ("符合相关条件的", "泛指", "相关条件"),
    ("其它证明", "泛指", "其它证明"),
    ("法律法规规定的其他情形", "兜底条款", "规定的其他情形"),
    ("按有关规定办理", "按规定办理", "按有关规定办理"),
    ("按照当地政策执行", "按规定办理", "按照当地政策执行"),
    ("视情况补充材料", "视情况", "视情况"),
    ("领证时间另行通知", "另行通知", "另行通知"),
    ("必要时提供户口簿", "必要时提供", "必要时提供"),
    ("请带 相 关 材 料 到窗口", "泛指", "相关材料"),          # spaces between the characters
    ("户口簿　等　证明", "开放式列举", "等证明"),             # full-width spaces
])
def test_vague_wording_is_a_grammar_of_classes(text, kind, words):
    match = find_vague(text)
    assert match is not None and (match.kind, match.words) == (kind, words)


@pytest.mark.parametrize("text", [
    "《国家发展改革委 财政部关于居民身份证收费标准及有关问题的通知》(发改价格〔2003〕2322号)",
    "《中共中央办公厅 国务院办公厅关于转发劳动和社会保障部等部门<关于积极推进企业退休人员社会化管理服务工作的意见>的通知》",
    "本人身份证、报到证、毕业证、学位证原件及复印件和《普通高等学校新生录取花名册》（复印件学校盖章）（核对原件）",
    "核对原件、与原件相符", "户籍在张庄路街道辖区内", "同等学力证明", "高等学校毕业证书",
    "婚姻登记已全国通办，双方可以在乐清或其他任一婚姻登记机关登记", "用于签订缴费扣款协议；也可约定其他本人银行账户",
])
def test_titles_and_ordinary_wording_are_not_vague(text):
    assert find_vague(text) is None


def test_markup_but_not_a_nested_title():
    assert markup("居民身份证换领<script>alert(1)</script>") == "<s"
    assert markup("有效期&nbsp;三个月") == "&nbsp;"
    assert markup("javascript:alert(1)") == "javascript:"
    assert markup("转发劳动和社会保障部等部门<关于积极推进企业退休人员社会化管理服务工作的意见>的通知") is None
    assert markup("年满 16 周岁（<16 岁由监护人陪同）") is None


def test_invisible_controls_and_undrawable_characters():
    assert control_chars("换领\u202e领补\u202c") == ["\u202e", "\u202c"]
    assert control_chars("有效期满\u200b、证件\u2066x\u2069") == ["\u200b", "\u2066", "\u2069"]
    assert control_chars("第一行\n第二行\t") == []
    assert undrawable("居民身份证换领(𡉃头村便民服务点)") == ["𡉃"]
    assert undrawable("䶮（yǎn）　全角空格、《》（）：￥①") == []
