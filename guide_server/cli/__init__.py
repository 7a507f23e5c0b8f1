"""`guide-server` command line: one module per command group.

releases (check, release, releases, rollback), server (serve, posters, export, db-upgrade,
ratings), users, fleet and content each add their commands to the click group in
`guide_server.cli.base`. Server commands import Flask inside the commands so that the content
commands stay fast. Only the console script (`guide-server = guide_server.cli:main`) and
`python -m guide_server` import this package; nothing else in guide_server imports it.
"""
from __future__ import annotations

import importlib

from guide_server.cli.base import main

__all__ = ["main"]


def _register() -> None:
    for name in ("guide_server.cli.releases", "guide_server.cli.server", "guide_server.cli.users",
                 "guide_server.cli.fleet", "guide_server.cli.content", "guide_server.cli.lists"):
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise


_register()
