"""The `kiosk` click group; every module of kiosk.cli adds its commands to it."""
from __future__ import annotations

import click

from guides import click_zh as zh_messages

zh_messages.install()  # click's own errors ("Error:", "Aborted!"), usage and help headings in Chinese


class _Group(zh_messages.FriendlyGroup, click.Group):
    """`kiosk`: a file or database that cannot be used is a Chinese message, not a traceback."""


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """扫码办事自助终端:运行终端程序与设备维护命令。"""
