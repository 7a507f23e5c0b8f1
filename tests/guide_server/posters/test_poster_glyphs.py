"""Posters never drop a character silently: an undrawable one is an error naming the guide."""
from __future__ import annotations

import dataclasses
import logging
from dataclasses import replace

import pytest
from click.testing import CliRunner

from guides.loader import load_content
from guides.release import ReleaseStore
from guide_server.cli import main
from guide_server.posters.content import PosterError
from guide_server.posters.pdf import PostersRefused, poster_data, write_posters
from tests.conftest import SAMPLE_CONTENT


def release_with_name(tmp_path, code: str, name: str):
    """An instance whose current release holds `code` under `name`, written as any release is.

    Built past the checker on purpose: the checker refuses such names (a rule of its own),
    but a poster must refuse them by itself too — for releases made before that rule, and
    for texts that do not come from guide files."""
    content = load_content(SAMPLE_CONTENT)
    guides = dict(content.guides)
    guides[code] = guides[code].model_copy(update={"name": name})
    inst = tmp_path / "instance"
    ReleaseStore(inst).publish(replace(content, guides=guides))
    return inst


def test_field_case_01_poster_with_an_undrawable_name_is_an_error(tmp_path, caplog):
    # field case 01: the name of 330382-GA-0001 replaced by one holding 𡉃 (U+21243)
    inst, out = release_with_name(tmp_path, "330382-GA-0001", "居民身份证换领(𡉃头村便民服务点)"), tmp_path / "posters"
    with caplog.at_level(logging.WARNING):
        result = CliRunner().invoke(main, ["posters", "--instance", str(inst), "--out", str(out), "330382-GA-0001"])
    assert result.exit_code == 1
    assert "330382-GA-0001" in result.output and "居民身份证换领(𡉃头村便民服务点)" in result.output
    assert "“𡉃”（U+21243）" in result.output and "事项名称" in result.output
    assert not out.exists() or not list(out.iterdir())
    assert not [r for r in caplog.records if "missing" in r.getMessage()]  # no silent fpdf2 warning instead


def test_all_posters_are_refused_together_and_none_is_written(tmp_path):
    inst = release_with_name(tmp_path, "330382-SC-0002", "个体工商户设立登记（\ue000记）")
    result = CliRunner().invoke(main, ["posters", "--instance", str(inst), "--out", str(tmp_path / "p")])
    assert result.exit_code == 1 and "330382-SC-0002" in result.output and "U+E000" in result.output
    assert not (tmp_path / "p").exists() or not list((tmp_path / "p").iterdir())  # not the 32 good ones either


@pytest.mark.parametrize("field,value", [("hall", "𠀀市民中心"), ("consult", "0577-6188\U00020001"),
                                         ("stamp", "版本 R1 \U0002A6D6")])
def test_any_poster_text_is_checked_not_only_the_name(tmp_path, field, value):
    store = ReleaseStore(tmp_path / "i")
    store.publish(load_content(SAMPLE_CONTENT))
    rel = store.current()
    data = dataclasses.replace(poster_data(rel, rel.guides["330382-GA-0001"]), **{field: value})
    with pytest.raises(PostersRefused) as err:
        write_posters([data], tmp_path / "out")
    [e] = err.value.errors
    bad = next(c for c in value if ord(c) > 0xFFFF)
    assert isinstance(e, PosterError) and e.code == "330382-GA-0001" and f"U+{ord(bad):04X}" in str(e)
