"""`guide-server content export|import`: the editor's guides as content/-style YAML files."""
from __future__ import annotations

from pathlib import Path

import click

from guide_server.cli.base import INSTANCE_OPTION, main


def _service(instance_dir: str):
    from guide_server.cli.base import _database_url
    from guide_server.db import Database
    from guide_server.editor.service import EditorService

    svc = EditorService(Database(_database_url(instance_dir)), Path(instance_dir).resolve())
    for line in svc.reconcile():  # an interrupted publish is finished or closed first
        click.echo(line, err=True)
    return svc


@main.group()
def content() -> None:
    """编辑器中的办事指南与内容目录（YAML）之间的导出和导入。"""


@content.command("export")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="输出目录")
@click.option("--published", is_flag=True,
              help="只导出当前在线版本（不论由哪条途径发布），用于把网页编辑器发布的修改带回内容目录")
@click.option("--overwrite", is_flag=True, help="与 --published 同用：覆盖内容与在线版本不同的已有文件")
@INSTANCE_OPTION
def export_cmd(out_dir: str, published: bool, overwrite: bool, instance_dir: str) -> None:
    """把编辑器中的全部事项（含草稿，不含已停用）写成 content/ 格式的 YAML，便于备份和评审。

    加 --published 则写出当前在线版本：新的事项直接写入；已有文件内容不同时，除非加
    --overwrite，只列出不覆盖（内容目录里尚未发布的修改不会被悄悄冲掉）。"""
    if published:
        from guides.publishing import export_published
        from guides.release import ReleaseError, ReleaseStore

        try:
            rel = ReleaseStore(instance_dir).current()
        except ReleaseError as exc:
            raise click.ClickException(f"当前版本无法读取：{exc}") from None
        if rel is None:
            raise click.ClickException(f"实例目录 {instance_dir} 中还没有发布任何版本。")
        report = export_published(rel, Path(out_dir), overwrite=overwrite)
        for path in report.written:
            click.echo(f"已写入 {path}")
        for path in report.removed:
            click.echo(f"已删除（在线版本中已停用）{path}")
        for path in report.kept:
            click.echo(f"未覆盖（与在线版本 {rel.label} 不同）：{path}", err=True)
        click.echo(f"在线版本 {rel.stamp}：写入 {len(report.written)} 个文件，{len(report.same)} 个相同，"
                   f"{len(report.kept)} 个不同未覆盖{'（加 --overwrite 覆盖）' if report.kept else ''}。")
        return
    n = _service(instance_dir).export(Path(out_dir))
    click.echo(f"已导出 {n} 个事项 -> {Path(out_dir).resolve()}")
    click.echo(f"检查：guide-server check --content {out_dir}", err=True)


@content.command("import")
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.option("--user", "user_name", default="import", show_default=True, help="记录在审计日志中的操作人")
@INSTANCE_OPTION
def import_cmd(folder: str, user_name: str, instance_dir: str) -> None:
    """把 FOLDER（或其中的 guides/）里的事项 YAML 载入为草稿，并逐个检查；之后在编辑器中提交审核。"""
    from guide_server.editor.service import system_account

    svc = _service(instance_dir)
    results = svc.import_dir(system_account(user_name), Path(folder))
    counts = {"new": 0, "changed": 0, "same": 0}
    problems = 0
    for code, outcome, check in results:
        if outcome in counts:
            counts[outcome] += 1
        else:
            click.echo(f"{code}: {outcome}")
        path = Path(folder) / "guides" / f"{code}.yaml"
        path = path if path.is_file() else Path(folder) / f"{code}.yaml"
        for f in (check.findings if check else []):
            click.echo(f"{path}:{f.line or 1}: {f.code} {f.message}")
            problems += f.is_error
    click.echo(f"已导入：新增 {counts['new']} 个、修改 {counts['changed']} 个草稿，{counts['same']} 个未变；"
               f"检查发现 {problems} 处错误。", err=True)
