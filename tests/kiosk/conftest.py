"""Kivy runs headless here: these must be set before kivy is first imported."""
import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_CLIPBOARD", "dummy")
os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
os.environ.setdefault("KIVY_NO_FILELOG", "1")
if "KIVY_HOME" not in os.environ:
    os.environ["KIVY_HOME"] = tempfile.mkdtemp(prefix="kivy-home-")

from tests.conftest import FIXTURES, SAMPLE_CONTENT  # noqa: E402


def _first_window_fits_both_orientations() -> None:
    # The offscreen GL surface keeps the size the window was first created with;
    # a square of the long side lets tests switch between 1080x1920 and 1920x1080.
    from kivy.config import Config
    Config.set("graphics", "width", "1920")
    Config.set("graphics", "height", "1920")


_first_window_fits_both_orientations()


def copy_sample_content(dest: Path) -> Path:
    """A private copy of content/ that loads even while guides are still being added.

    Featured codes whose guide file does not exist yet are left out of the
    copy's site.yaml; nothing else is changed.
    """
    shutil.copytree(SAMPLE_CONTENT, dest)
    have = {p.stem for p in (dest / "guides").glob("*.yaml")}
    site = dest / "site.yaml"
    lines = site.read_text(encoding="utf-8").splitlines(keepends=True)
    keep = []
    for line in lines:
        m = re.match(r'\s*-\s*"?(\d{6}-[A-Z]+-\d{4})"?\s*$', line)
        if m and m.group(1) not in have:
            continue
        keep.append(line)
    site.write_text("".join(keep), encoding="utf-8")
    return dest


@pytest.fixture
def sample_content(tmp_path) -> Path:
    return copy_sample_content(tmp_path / "content")


@pytest.fixture
def fixture_content() -> Path:
    return FIXTURES / "valid"
