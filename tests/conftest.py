import os
import shutil
from pathlib import Path

import pytest

from tests.support.postgres import postgres  # noqa: F401 - the session's throwaway PostgreSQL server

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SAMPLE_CONTENT = ROOT / "content"

os.environ.setdefault("KIVY_NO_ARGS", "1")


@pytest.fixture(scope="session", autouse=True)
def shared_template_cache():
    """Every Flask app of the session loads compiled templates from one in-memory Jinja bytecode
    cache instead of compiling them again per app (tests/support/templates.py)."""
    from flask import Flask

    from tests.support.templates import SharedTemplateCache

    cache = SharedTemplateCache()
    before = Flask.jinja_options
    Flask.jinja_options = {**before, "bytecode_cache": cache}
    yield cache
    Flask.jinja_options = before


@pytest.fixture
def valid_content(tmp_path) -> Path:
    """A private copy of the small valid content fixture."""
    dest = tmp_path / "content"
    shutil.copytree(FIXTURES / "valid", dest)
    return dest
