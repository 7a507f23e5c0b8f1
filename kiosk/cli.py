"""`kiosk` command line: the app itself and the technician's commands."""
from __future__ import annotations

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """扫码办事自助终端:运行终端程序与设备维护命令。"""


def _register() -> None:
    # Each module adds its own commands to `main`; imported late so that
    # `kiosk --help` stays fast and one broken module names itself clearly.
    from kiosk import cli_hardware  # noqa: F401
    from kiosk import cli_app  # noqa: F401
    from kiosk import cli_fleet  # noqa: F401


_register()
