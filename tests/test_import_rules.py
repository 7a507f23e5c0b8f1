"""The package map stays true: the import rules in pyproject.toml ([tool.importlinter]) hold,
no module imports itself back through others, and no top-level module in guide_server/ or
kiosk/ is told apart by a feature prefix (a feature gets its own package instead)."""
from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import grimp

from tests.conftest import ROOT

LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
PACKAGES = ("zhtext", "guides", "hardware", "guide_server", "kiosk")
FEATURE_PREFIXES = ("accounts_", "api_", "auth_", "cli_", "device_", "editor_", "fleet_", "poster_", "posters_",
                    "qr_", "rating_", "ratings_")


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(root))
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=root, env=env, capture_output=True, text=True,
                          timeout=300)


def test_import_contracts_are_kept():
    proc = lint_imports(ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 broken" in proc.stdout


def test_a_wrong_arrow_breaks_the_contracts(tmp_path):
    """The same check on a copy of the packages with three wrong imports added fails and
    names each broken rule."""
    for pkg in PACKAGES:
        shutil.copytree(ROOT / pkg, tmp_path / pkg, ignore=shutil.ignore_patterns("__pycache__", "*.otf", "*.ttf"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    with open(tmp_path / "kiosk" / "config.py", "a", encoding="utf-8") as f:
        f.write("\nimport guide_server.db  # noqa\n")
    with open(tmp_path / "guide_server" / "ratings" / "service.py", "a", encoding="utf-8") as f:
        f.write("\nimport flask  # noqa\n")
    with open(tmp_path / "kiosk" / "app" / "controllers" / "idle.py", "a", encoding="utf-8") as f:
        f.write("\nimport kiosk.app.screens.common  # noqa\n")
    proc = lint_imports(tmp_path)
    assert proc.returncode != 0
    out = " ".join(proc.stdout.split())
    assert "the kiosk never imports the guide server (it talks to it over HTTP), nor Flask BROKEN" in out
    assert "guide_server feature services and models import no Flask (views only translate HTTP) BROKEN" in out
    assert "kiosk app: the app wires screens and controllers; controllers know no screen BROKEN" in out
    assert "guides/ and hardware/ import neither Flask nor Kivy KEPT" in out


def _cycles(graph) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), imports inside functions included."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.find_modules_directly_imported_by(v):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_no_import_circle_anywhere():
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 5000))
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    assert _cycles(graph) == []


def test_the_circle_finder_finds_a_circle():
    graph = grimp.ImportGraph()
    for a, b in (("p.a", "p.b"), ("p.b", "p.c"), ("p.c", "p.a"), ("p.c", "p.d")):
        graph.add_import(importer=a, imported=b)
    assert _cycles(graph) == [["p.a", "p.b", "p.c"]]


def test_no_top_level_module_has_a_feature_prefix():
    for pkg in ("guide_server", "kiosk"):
        names = [p.stem for p in (ROOT / pkg).glob("*.py")]
        assert names, pkg
        prefixed = [n for n in names if n.startswith(FEATURE_PREFIXES)]
        assert prefixed == [], f"{pkg}/: {prefixed} belong in a feature package"


def test_every_package_says_what_it_holds():
    for pkg in ("guide_server", "kiosk"):
        for init in (ROOT / pkg).rglob("__init__.py"):
            if "migrations" in init.parts or "__pycache__" in init.parts:
                continue
            doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
            assert doc, f"{init.relative_to(ROOT)} has no docstring"
