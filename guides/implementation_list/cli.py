"""`import-list` and `export-list`: click commands, to be added to the `guide-server` group.

    from guides.implementation_list.cli import import_list, export_list
    main.add_command(import_list)        # guide-server import-list FILE… [--codes P] [--dry-run] [--out DIR]
    main.add_command(export_list)        # guide-server export-list --out FILE.xlsx [--content DIR | --instance DIR]

``--as-drafts`` needs the web editor: build the command with ``make_import_list(save_drafts)``,
where ``save_drafts(payloads, overwrite, instance_dir)`` stores ``service.DraftPayload``s as
drafts in that instance's editor and returns the lines to print.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable, Iterable

import click

from guides.implementation_list import report
from guides.implementation_list.codelists import DEFAULT_PROFILE, ProfileError, available_profiles
from guides.implementation_list.headers import HeaderMapError
from guides.implementation_list.service import (DraftPayload, categories_of, check_result, guides_from_content,
                                                guides_from_release, read_lists, iter_draft_payloads)
from guides.implementation_list.checking import dump_and_check
from guides.implementation_list.store import WriteError, apply_plan, plan_write

# -h as well as --help, whether the command runs alone or inside `guide-server` (click caches a
# command's help option the first time it is built, so both entries must agree).
HELP = {"help_option_names": ["-h", "--help"]}
SaveDrafts = Callable[[Iterable[DraftPayload], bool, str], Iterable[str]]


def _echo(lines: Iterable[str], err: bool = False) -> None:
    for line in lines:
        click.echo(line, err=err)


def make_import_list(save_drafts: SaveDrafts | None = None) -> click.Command:
    """The `import-list` command; ``save_drafts`` connects ``--as-drafts`` to the editor."""

    @click.command("import-list", context_settings=HELP)
    @click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=True))
    @click.option("--codes", default=DEFAULT_PROFILE, show_default=True,
                  help=f"代码表：单元格中的纯代码按它解释（{'、'.join(available_profiles())}，或 YAML 文件路径）")
    @click.option("--headers", multiple=True, type=click.Path(exists=True, dir_okay=False),
                  help="附加的表头对照文件（YAML），可多次给出")
    @click.option("--dry-run", is_flag=True, help="只读取并报告，不写入任何内容")
    @click.option("--as-drafts", is_flag=True, help="作为草稿写入网页编辑器（不会自动发布）")
    @click.option("--out", "out_dir", type=click.Path(file_okay=False),
                  help="写入内容目录（guides/<编码>.yaml）")
    @click.option("--overwrite", is_flag=True, help="覆盖上次导入后被手工修改过的事项")
    @click.option("--brief", is_flag=True, help="不逐项列出读取明细，只列问题和汇总")
    @click.option("--instance", "instance_dir", envvar="GUIDE_INSTANCE", default="instance", show_default=True,
                  type=click.Path(file_okay=False), help="实例目录（--as-drafts 写入其编辑器）")
    def import_list(files, codes, headers, dry_run, as_drafts, out_dir, overwrite, brief, instance_dir):
        """导入实施清单（.xlsx/.xls/.ods/.csv）：逐项报告读取结果，写入内容目录或编辑器草稿。"""
        if as_drafts and out_dir:
            raise click.UsageError("--as-drafts 与 --out 只能选一个")
        if not (dry_run or as_drafts or out_dir):
            raise click.UsageError("请指定 --out 内容目录、--as-drafts 或 --dry-run")
        try:
            result = read_lists(list(files), codes=codes, headers=tuple(headers),
                                trace=dry_run and not brief)
        except (ProfileError, HeaderMapError) as exc:
            click.echo(str(exc), err=True)
            sys.exit(1)
        _echo(report.sheets_lines(result))
        categories = categories_of(out_dir) if out_dir else None
        plan = None
        merged = None
        if result.ok and out_dir:
            try:
                plan = plan_write(result, out_dir, overwrite=overwrite)
            except WriteError as exc:
                click.echo(str(exc), err=True)
                sys.exit(1)
            merged = {a.code: a.data for a in plan.actions}
        forms = Path(out_dir) / "forms" if out_dir else None
        texts = None
        if not result.ok:
            findings = None
        elif plan is not None and not dry_run:  # the files as written, findings at their lines
            done = dump_and_check({a.code: a.data for a in plan.actions if a.kind != "held"}, categories, forms)
            texts = {code: text for code, (text, _) in done.items()}
            findings = {code: checked for code, (_, checked) in done.items()}
        else:
            findings = check_result(result, categories, merged, forms)
        if dry_run and not brief:
            _echo(report.item_lines(result, findings))
            click.echo("")
        _echo(report.problem_lines(result))
        if not result.ok:
            click.echo(report.summary_line(result), err=True)
            click.echo("导入未进行：请改正上面的错误（LE 开头）后重试，内容未作任何修改。", err=True)
            sys.exit(1)
        if plan is not None:
            _echo(report.plan_lines(plan, diffs=not brief))
        if dry_run:
            click.echo(report.summary_line(result, findings, plan), err=True)
            click.echo("试运行：未写入任何内容。", err=True)
            return
        if out_dir:
            try:
                written = apply_plan(plan, sources=[Path(f).name for f in files], profile=result.profile.name,
                                     texts=texts)
            except WriteError as exc:
                click.echo(str(exc), err=True)
                sys.exit(1)
            paths = {a.code: a.path for a in plan.actions}
            _echo(f"{paths[code]}:{f.line or 1}: {f.code} {f.message}"
                  for code, checked in findings.items() for f in checked.findings if f.is_error or not brief)
            click.echo(report.summary_line(result, findings, plan), err=True)
            click.echo(f"已写入 {written} 个事项文件到 {Path(out_dir) / 'guides'}；"
                       "请用 guide-server check 检查后再发布。", err=True)
            return
        if save_drafts is None:
            click.echo("此安装的命令行没有连接网页编辑器，无法写入草稿；请改用 --out 内容目录。", err=True)
            sys.exit(1)
        summary = report.summary_line(result, findings)
        del findings, merged  # the drafts are saved one batch at a time; keep memory for them
        _echo(save_drafts(iter_draft_payloads(result), overwrite, instance_dir))
        click.echo(summary, err=True)

    return import_list


import_list = make_import_list()


@click.command("export-list", context_settings=HELP)
@click.option("--out", "out_file", required=True, type=click.Path(dir_okay=False),
              help="输出的 .xlsx 文件")
@click.option("--content", "content_dir", type=click.Path(file_okay=False, exists=True),
              help="从内容目录导出（guides/*.yaml）")
@click.option("--instance", "instance_dir", type=click.Path(file_okay=False),
              help="从实例目录的当前发布版本导出")
def export_list(out_file, content_dir, instance_dir):
    """把内容目录或当前发布版本导出为实施清单电子表格（事项 / 材料 / 收费项目 / 常见问题）。"""
    from guides.implementation_list.export import export_workbook
    from guides.release import ReleaseError

    if bool(content_dir) == bool(instance_dir):
        raise click.UsageError("请给出 --content 内容目录或 --instance 实例目录（二选一）")
    if not out_file.lower().endswith(".xlsx"):
        raise click.UsageError("--out 应为 .xlsx 文件")
    try:
        guides = guides_from_content(content_dir) if content_dir else guides_from_release(instance_dir)
    except (ValueError, ReleaseError) as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    try:
        messages = export_workbook(guides, out_file)
    except OSError as exc:
        from guides.click_zh import os_error_zh

        click.echo(f"{out_file}: {os_error_zh(exc)}", err=True)
        sys.exit(1)
    _echo(messages)
    click.echo(f"已导出 {len(guides)} 个事项到 {out_file}。", err=True)
