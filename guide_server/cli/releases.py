"""`guide-server check`, `release`, `releases`, `rollback`: content releases, free of Flask."""
from __future__ import annotations

import json
import sys

import click

from guides.loader import check_content
from guides.release import ReleaseError, ReleaseStore
from guide_server.cli.base import CONTENT_OPTION, INSTANCE_OPTION, main


def _report(result) -> None:
    for finding in result.findings:
        click.echo(str(finding))
    errors = len(result.errors)
    warnings = len(result.findings) - errors
    guides = len(result.content.guides) if result.content else None
    if errors:
        click.echo(f"检查未通过：{errors} 处错误，{warnings} 处提醒。", err=True)
    else:
        click.echo(f"检查通过：{guides} 个事项，{warnings} 处提醒，推荐要素完整度 {result.total_completeness}。", err=True)


@main.command()
@CONTENT_OPTION
@click.option("--summary", is_flag=True, help="只输出每个事项和全部内容的推荐要素完整度")
def check(content_dir: str, summary: bool) -> None:
    """检查内容是否符合办事指南内容标准（每处问题一行：路径：行号： 代码 说明）。
    E 开头为错误（阻止发布），W 开头为提醒（不阻止发布）。"""
    result = check_content(content_dir)
    if summary:
        from guides.summary import summary_lines
        for line in summary_lines(result):
            click.echo(line)
    else:
        _report(result)
    sys.exit(0 if result.ok else 1)


@main.command()
@CONTENT_OPTION
@INSTANCE_OPTION
def release(content_dir: str, instance_dir: str) -> None:
    """检查内容，通过后发布一个不可更改的新版本并设为当前版本。"""
    result = check_content(content_dir)
    if not result.ok:
        _report(result)
        click.echo("内容检查未通过，未发布任何版本。", err=True)
        sys.exit(1)
    store = ReleaseStore(instance_dir)
    rel, created = store.publish(result.content)
    if created:
        click.echo(f"已发布 {rel.stamp}（{len(rel.guides)} 个事项），并设为当前版本。")
    else:
        click.echo(f"内容与当前版本相同，未新建版本：{rel.stamp}")


@main.command("releases")
@INSTANCE_OPTION
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
def list_releases(instance_dir: str, as_json: bool) -> None:
    """列出实例中的全部版本。"""
    try:
        infos = ReleaseStore(instance_dir).list()
    except ReleaseError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps([info.__dict__ for info in infos], ensure_ascii=False, indent=2))
        return
    if not infos:
        click.echo("还没有任何版本。请先运行：guide-server release --content content --instance " + instance_dir)
        return
    for info in infos:
        mark = "*" if info.current else " "
        click.echo(f"{mark} R{info.number}  {info.created}  {info.hash[:12]}  {info.guides} 个事项")


@main.command()
@click.argument("number", type=click.IntRange(min=1))
@INSTANCE_OPTION
def rollback(number: int, instance_dir: str) -> None:
    """把较早的版本 NUMBER 设为当前版本。"""
    try:
        rel = ReleaseStore(instance_dir).rollback(number)
    except ReleaseError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"当前版本已切换为 {rel.stamp}")
