"""A several-hall release whose hall part (halls/<id>.json) or parts.json was deleted or altered: `guide-server
release` writes a complete new release (which the server and kiosks then use), says which file of
the previous one is damaged (a hall part altered in place is found only when the content is
unchanged: every part is then read), and never shows a traceback; content identical to the damaged
release is written anew rather than reported as unchanged."""
from __future__ import annotations

import os

import pytest
from click.testing import CliRunner

from guides.release import ReleaseError, ReleaseStore
from guide_server.cli import main
from tests.support.halls import add_second_hall


def _damage(inst, name: str, how: str) -> None:
    folder = ReleaseStore(inst).folder(1)
    path = folder / name
    os.chmod(path.parent, 0o755)
    if how == "delete":
        path.unlink()
    else:
        path.chmod(0o644)
        path.write_bytes(path.read_bytes().replace(b"[", b"[1", 1))


@pytest.mark.parametrize("name", ["halls/liushi.json", "parts.json"])
@pytest.mark.parametrize("how", ["delete", "alter"])
@pytest.mark.parametrize("changed", [True, False])
def test_release_over_a_damaged_current_release_names_the_file_and_replaces_it(valid_content, tmp_path,
                                                                              name, how, changed):
    content = add_second_hall(valid_content, own_guide=True)
    inst = tmp_path / "instance"
    args = ["release", "--content", str(content), "--instance", str(inst)]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    _damage(inst, name, how)
    if changed:
        override = content / "halls" / "liushi" / "overrides" / "330382-GA-0001.yaml"
        override.write_text(override.read_text(encoding="utf-8").replace("3 号窗口", "5 号窗口"), encoding="utf-8")
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert result.exception is None, repr(result.exception)
    assert "Traceback" not in result.output
    if not (changed and how == "alter" and name.startswith("halls/")):
        assert f"R0001/{name}" in result.output and "已损坏" in result.output
    # (a hall part altered in place, with other content changed: the new release never reads the
    # old one — the release hash covers each part, and the check cache's own copy is checked by
    # stat — so it is complete; the damaged part is named when R1 itself is read again)
    store = ReleaseStore(inst)
    assert store.current_number() == 2
    window = store.current().content.guides_of("liushi")["330382-GA-0001"].locations[0].window
    assert window == ("5 号窗口" if changed else "3 号窗口")
    if name.startswith("halls/"):
        with pytest.raises(ReleaseError, match="R0001/halls/liushi.json"):
            store.verify(1)
