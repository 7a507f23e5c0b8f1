"""`guide-server check`, `release`, `releases`, `rollback`: content releases, free of Flask."""
from __future__ import annotations

import datetime as dt
import json
import sys

import click

from guides.halls import DEFAULT_HALL
from guides.loader import check_content
from guides.release import CHINA_TZ, ReleaseError, ReleaseStore
from guide_server.cli.base import CONTENT_OPTION, INSTANCE_OPTION, main


def _code_count(halls):
    """Number of guides a hall offers, without reading a hall the check cache vouched for."""
    count = getattr(halls, "code_count", None)
    return count if count is not None else (lambda hall_id: len(halls[hall_id].codes()))


def _report(result) -> None:
    for finding in result.findings:
        click.echo(str(finding))
    errors = len(result.errors)
    warnings = len(result.findings) - errors
    guides = len(result.content.guides) if result.content else None
    if errors:
        click.echo(f"检查未通过：{errors} 处错误，{warnings} 处提醒。", err=True)
    else:
        halls = result.content.halls if result.content else {}
        more = f"（另有 {len(halls)} 个大厅，共办理 {sum(map(_code_count(halls), halls))} 个事项）" if halls else ""
        click.echo(f"检查通过：{guides} 个事项{more}，{warnings} 处提醒，推荐要素完整度 {result.total_completeness}。", err=True)


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


REFUSED_EXIT = 3  # the release would undo what another path published; nothing was written


@main.command()
@CONTENT_OPTION
@INSTANCE_OPTION
@click.option("--allow-removals", is_flag=True,
              help="允许移除当前在线、但内容目录中没有的事项（含网页编辑器新建的事项）")
@click.option("--allow-revert", is_flag=True,
              help="允许用内容目录中的版本覆盖网页编辑器发布的修改或停用")
def release(content_dir: str, instance_dir: str, allow_removals: bool, allow_revert: bool) -> None:
    """检查内容，通过后发布一个不可更改的新版本并设为当前版本。

    会移除在线事项或覆盖网页编辑器所发布修改的发布，须加 --allow-removals / --allow-revert
    明确同意，否则不发布（退出码 3）。"""
    from guides.check_cache import CheckCache, held

    def waiting() -> None:
        click.echo("该实例正有另一次发布在进行，等待其完成后再检查和发布……", err=True)

    with held(instance_dir, waiting):  # a second release on this instance waits: a cache save removes parts
        cache = CheckCache(instance_dir)  # files unchanged since the last check are not parsed again
        result = check_content(content_dir, cache)
        try:
            _release_checked(result, content_dir, instance_dir, allow_removals, allow_revert)
        finally:
            cache.save()  # after publishing: it records the hall parts as the new release linked them


def _release_checked(result, content_dir: str, instance_dir: str, allow_removals: bool, allow_revert: bool) -> None:
    """`release` once the content is checked: report, refuse or publish (exits on refusal)."""
    from guides.publishing import REMOVALS, REVERTS, undoes

    if not result.ok:
        _report(result)
        click.echo("内容检查未通过，未发布任何版本。", err=True)
        sys.exit(1)
    store = ReleaseStore(instance_dir)
    try:
        found = undoes(store, result.content, "content")
    except ReleaseError as exc:
        raise click.ClickException(f"当前版本无法读取：{exc}") from None
    blocked = [u for u in found if (u.kind in REMOVALS and not allow_removals)
               or (u.kind in REVERTS and not allow_revert)]
    if blocked:
        click.echo(f"未发布：与当前版本相比，这次发布会撤销 {len(blocked)} 个在线事项：", err=True)
        for u in blocked:
            click.echo(f"  {u}", err=True)
        flags = [f for f, kinds in (("--allow-removals", REMOVALS), ("--allow-revert", REVERTS))
                 if any(u.kind in kinds for u in blocked)]
        click.echo(f"如需保留这些事项，请先把在线版本导出到内容目录：guide-server content export --published "
                   f"--out {content_dir} --instance {instance_dir}，核对后再发布；确认要撤销，请加 {' '.join(flags)}。",
                   err=True)
        sys.exit(REFUSED_EXIT)
    before = store.current_number()
    damaged = None
    halls_before: set[str] = set()
    if before is not None:
        try:
            store.check_side_files(before)
            halls_before = set(store.manifest(before).get("halls") or {}) - {DEFAULT_HALL}
        except ReleaseError as exc:
            damaged = str(exc)
    try:
        rel, created = store.publish(result.content, origin={"source": "content", "by": str(content_dir)})
    except ReleaseError as exc:  # a hall part it links cannot be read or fails its hash
        raise click.ClickException(f"发布失败：{exc}。未发布新版本，当前版本不变。") from None
    damaged = damaged or store.replaced_damaged
    if damaged:
        click.echo(f"注意：此前的当前版本 R{before} 已损坏（{damaged}）；新版本已完整写入，不再使用它。", err=True)
    if created:
        click.echo(f"已发布 {rel.stamp}（{len(rel.guides)} 个事项），并设为当前版本。")
        gone = sorted(halls_before - set(rel.hall_parts))
        if gone and rel.hall_parts:
            click.echo(f"注意：大厅 {'、'.join(gone)} 不在新版本中，登记在这些大厅的终端将保留原有内容并提示原因，"
                       "直到恢复大厅或把终端重新登记到现有大厅。", err=True)
        for u in found:
            click.echo(f"已按要求撤销：{u}", err=True)
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
        click.echo(f"{mark} R{info.number}  {beijing_time(info.created)}  {info.hash[:12]}  {info.guides} 个事项")
    click.echo("（* 为当前版本）")


def beijing_time(created: str) -> str:
    """A release's creation time (ISO 8601 as in its manifest, UTC offset included) as the
    operators in China read it, e.g. "2026-11-30 23:05（北京时间）" (UTC+8, as the stamp's
    date). A time without an offset is taken as UTC, which is what `publish` writes."""
    when = dt.datetime.fromisoformat(created)
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return when.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M") + "（北京时间）"


@main.command()
@click.argument("number", type=click.IntRange(min=1))
@INSTANCE_OPTION
def rollback(number: int, instance_dir: str) -> None:
    """把较早的版本 NUMBER 设为当前版本，并列出因此下线、上线或改回的事项。"""
    store = ReleaseStore(instance_dir)
    try:
        before = store.current_number()
        rel = store.rollback(number)
        head = store.manifest_head(before) if before is not None else {}
        old = head.get("guides", {})
    except ReleaseError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"当前版本已切换为 {rel.stamp}")
    new = rel.guide_hashes
    gone = sorted(set(old) - set(new))
    old_names = _names(store, before) if gone else {}
    for label, codes, names in (
            ("下线", gone, old_names),
            ("上线", sorted(set(new) - set(old)), rel.guides),
            (f"改回 R{number} 的内容", sorted(c for c in set(old) & set(new) if old[c] != new[c]), rel.guides)):
        if codes:
            click.echo(f"{label}（{len(codes)} 个）：")
            for code in codes:
                guide = names.get(code)
                click.echo(f"  {code}  {guide.name}" if guide is not None else f"  {code}")
    old_halls, new_halls = head.get("hall_codes") or {}, rel.hall_codes  # the halls' own guides and local codes
    for label, codes, where, number_of in (
            ("大厅事项下线", sorted(set(old_halls) - set(new_halls) - set(rel.guide_hashes)), old_halls, before),
            ("大厅事项上线", sorted(set(new_halls) - set(old_halls) - set(old)), new_halls, number)):
        if codes:
            click.echo(f"{label}（{len(codes)} 个）：")
            loaded = _load_or_none(store, number_of)
            for code in codes:
                name = _hall_guide_name(loaded, where[code], code)
                click.echo(f"  {code}  {name}（大厅 {where[code]}）" if name else f"  {code}  （大厅 {where[code]}）")
    if before == number:
        click.echo(f"R{number} 本来就是当前版本，在线事项没有变化。")


def _load_or_none(store: ReleaseStore, number: int | None):
    """Release `number`, or None when there is none or it cannot be read (the rollback itself
    has already succeeded: codes are still listed, without names)."""
    try:
        return store.load(number) if number is not None else None
    except ReleaseError:
        return None


def _hall_guide_name(release, hall_id: str, code: str) -> str | None:
    """The name of hall `hall_id`'s guide `code` in `release`; None when it cannot be read."""
    try:
        return release.content.guides_of(hall_id)[code].name if release is not None else None
    except (ReleaseError, KeyError):
        return None


def _names(store: ReleaseStore, number: int | None) -> dict:
    """The guides of release `number` by code, for their names; {} when it cannot be read
    (the rollback itself has already succeeded, the codes are still listed)."""
    release = _load_or_none(store, number)
    return release.guides if release is not None else {}
