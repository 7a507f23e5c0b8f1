from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from guides.implementation_list.cli import export_list, import_list


class Run:
    def __init__(self, command):
        self.command = command

    def __call__(self, *args) -> tuple[int, str]:
        result = CliRunner().invoke(self.command, [str(a) for a in args], catch_exceptions=False)
        return result.exit_code, result.output


@pytest.fixture
def imp() -> Run:
    """`import-list` as the user runs it: (exit code, everything printed)."""
    return Run(import_list)


@pytest.fixture
def exp() -> Run:
    return Run(export_list)


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes (to prove nothing was written)."""
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
