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


class _Group(zh_messages.FriendlyGroup, click.Group):
    """`guide-server`: a file or database that cannot be used is a Chinese message, not a traceback."""

    def database_hint(self) -> str:
        if _LAST_URL is None:
            return ""
        from sqlalchemy.engine import make_url

        return make_url(_LAST_URL).render_as_string(hide_password=True)


_LAST_URL: str | None = None  # the database the running command opened (for error messages)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """扫码办事 办事指南服务：内容检查、发布版本、手机页面与海报。"""


def _database_url(instance_dir: str) -> str:
    from guide_server.db import default_url

    global _LAST_URL
    _LAST_URL = os.environ.get("DATABASE_URL") or default_url(Path(instance_dir).resolve())
    return _LAST_URL
