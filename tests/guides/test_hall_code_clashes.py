"""Several halls: a guide added to the default hall whose code a
hall's own guide already uses is E207 on the hall's file, and the message names the default hall's
file that holds the code (path:line), as E207 between two shared guides does — not "site.yaml",
which holds no guide."""
from pathlib import Path

from guides.loader import check_content
from tests.support.halls import add_second_hall

OWN = "330382-SC-0901"


def _clash(valid_content: Path) -> tuple[Path, list]:
    root = add_second_hall(valid_content, own_guide=True)
    src = (root / "guides" / "330382-SC-0001.yaml").read_text(encoding="utf-8")
    default_file = root / "guides" / f"{OWN}.yaml"
    default_file.write_text(src.replace("330382-SC-0001", OWN), encoding="utf-8")
    result = check_content(root)
    return default_file, [f for f in result.errors if f.code == "E207"]


def test_e207_on_a_halls_own_guide_names_the_default_halls_file(valid_content):
    default_file, found = _clash(valid_content)
    assert len(found) == 1
    assert found[0].path.endswith(f"halls/liushi/guides/{OWN}.yaml")
    assert str(default_file) in found[0].message, found[0].message
    assert "site.yaml" not in found[0].message


def test_e207_on_an_overrides_local_code_names_the_default_halls_file(valid_content):
    root = add_second_hall(valid_content)
    # the override gives the offered guide a local 实施编码 that a shared guide already has
    override = root / "halls" / "liushi" / "overrides" / "330382-GA-0001.yaml"
    override.write_text(override.read_text(encoding="utf-8") + 'code: "330382-SC-0001"\n', encoding="utf-8")
    found = [f for f in check_content(root).errors if f.code == "E207"]
    assert len(found) == 1 and found[0].path == str(override)
    assert str(root / "guides" / "330382-SC-0001.yaml") in found[0].message, found[0].message
