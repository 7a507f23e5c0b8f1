"""The `guide-server` click group and the options its command groups share.

Every module of guide_server.cli imports `main` from here and adds its commands to it;
nothing here imports Flask.
"""
from __future__ import annotations

import os
from pathlib import Path

import click

from guides import click_zh as zh_messages

zh_messages.install()  # click's own errors, usage and help headings in Chinese

CONTENT_OPTION = click.option("--content", "content_dir", envvar="GUIDE_CONTENT", default="content",
                              show_default=True, type=click.Path(file_okay=False),
                              help="内容目录（site.yaml、categories.yaml、guides/)")
INSTANCE_OPTION = click.option("--instance", "instance_dir", envvar="GUIDE_INSTANCE", default="instance",
                               show_default=True, type=click.Path(file_okay=False),
                               help="实例目录（版本、数据库、密钥）")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """扫码办事 办事指南服务：内容检查、发布版本、手机页面与海报。"""


def _database_url(instance_dir: str) -> str:
    from guide_server.db import default_url

    return os.environ.get("DATABASE_URL") or default_url(Path(instance_dir).resolve())
