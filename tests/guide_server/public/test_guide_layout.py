"""What a citizen finds first on the phone page, 易错 marks, FAQ cues and the print page's fonts."""
from __future__ import annotations

import re

import pytest

from guides.loader import load_content
from guides.release import ReleaseStore
from tests.conftest import SAMPLE_CONTENT
from tests.guide_server.public.test_pages import text_of

GA = "330382-GA-0001"
SECTION_ORDER = ["h-mat", "h-facts", "h-mistakes", "h-cond", "h-flow", "h-loc", "h-tel"]


def section_ids(body: str) -> list[str]:
    return re.findall(r'<h2 id="(h-[a-z]+)"', body)


@pytest.mark.parametrize("mode", ["standard", "elder"])
def test_materials_come_first_after_the_one_line_summary(sample_client, sample_release, mode):
    sample_client.get(f"/mode/{mode}?next=/")
    for code, g in sample_release.guides.items():
        body = sample_client.get(f"/g/{code}").get_data(as_text=True)
        ids = section_ids(body)
        assert ids[0] == "h-mat", (code, ids)
        assert [i for i in ids if i in SECTION_ORDER] == SECTION_ORDER, code
        # between the name and the materials: only the summary badges and the jump links
        head = body[body.index("<h1>"):body.index('<h2 id="h-mat"')]
        assert re.findall(r'<(?:p|nav) class="([a-z]+)"', head) == ["tags", "jump"], code
        summary = text_of_html(head.split('<nav class="jump"')[0])
        for part in (g.visits_label, "不收费" if not g.fee.charged else "需缴费"):
            assert part in summary, (code, part)
        # a jump link to every section on the page, and to no section that is not there
        links = re.findall(r'<nav class="jump"[^>]*>(.*?)</nav>', body, re.S)[0]
        targets = re.findall(r'href="#(h-[a-z]+)"', links)
        assert set(targets) <= set(ids) and set(SECTION_ORDER) <= set(targets), code
        assert ("h-faq" in targets) == bool(g.faq), code
    sample_client.get("/mode/standard?next=/")


def text_of_html(fragment: str) -> str:
    return re.sub(r"<[^>]+>", "", fragment)


def test_mistakes_are_marked_cross_and_tick_and_faq_answers_have_a_visible_cue(sample_client, sample_release):
    for code, g in sample_release.guides.items():
        body = sample_client.get(f"/g/{code}").get_data(as_text=True)
        mistakes = body[body.index('id="h-mistakes"'):body.index('id="h-cond"')]
        assert mistakes.count('<p class="bad"><span class="mark" aria-hidden="true">×</span>') == len(g.mistakes)
        assert mistakes.count('<p class="good"><span class="mark" aria-hidden="true">√</span>') == len(g.mistakes)
        summaries = re.findall(r"<summary>(.*?)</summary>", body, re.S)
        assert len(summaries) == len(g.faq), code
        for s, f in zip(summaries, g.faq):
            assert f.q in s and "展开" in s and "收起" in s, code


def test_print_page_counts_and_states_its_fonts(sample_client, sample_release):
    g = sample_release.guides[GA]
    page = text_of(sample_client.get(f"/g/{GA}/print"))
    assert "本页使用您设备上的中文字体显示和打印" in page
    assert "不在本系统的字体" not in page  # every character of the sample is in the font
    assert f"申报材料（共 {len(g.materials)} 项，其中 1 项免提交）" in page
    assert "<details" not in sample_client.get(f"/g/{GA}/print").get_data(as_text=True)  # nothing hidden on paper


def test_print_page_names_the_characters_the_font_cannot_draw(tmp_path):
    # field case 01's name: 𡉃 (U+21243) is not in the bundled font
    from guide_server import create_app

    from dataclasses import replace

    content = load_content(SAMPLE_CONTENT)  # past the checker on purpose: the page must not rely on it
    g = content.guides[GA]
    locations = [g.locations[0].model_copy(update={"window": g.locations[0].window + "（\ue000）"}), *g.locations[1:]]
    guides = {**content.guides, GA: g.model_copy(update={"name": "居民身份证换领(𡉃头村便民服务点)",
                                                         "locations": locations})}
    ReleaseStore(tmp_path / "instance").publish(replace(content, guides=guides))
    client = create_app({"TESTING": True, "INSTANCE_DIR": str(tmp_path / "instance"),
                         "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}).test_client()
    page = text_of(client.get(f"/g/{GA}/print"))
    assert "居民身份证换领(𡉃头村便民服务点)" in page  # the character is kept, never dropped
    note = page[page.index("本页有 2 个字不在本系统的字体"):]
    assert "“𡉃”（U+21243）" in note and "U+E000" in note and "0577-61881101" in note
