"""`kiosk` command line: one module per command group.

hardware (the technician's printer and reader commands, simulators), app (run the touch app,
write a config) and fleet (provision, sync, heartbeat, agent) each add their commands to the
click group in `kiosk.cli.base`; simulate holds the demo simulators `kiosk run --simulate` uses.
May import anything in kiosk; nothing in kiosk imports this package. Only the console script
(`kiosk = kiosk.cli:main`) does.
"""
from __future__ import annotations

from kiosk.cli.base import main

__all__ = ["main"]


def _register() -> None:
    # Each module adds its own commands to `main`; imported late so that
    # `kiosk --help` stays fast and one broken module names itself clearly.
    from kiosk.cli import hardware  # noqa: F401
    from kiosk.cli import app  # noqa: F401
    from kiosk.cli import fleet  # noqa: F401


_register()
