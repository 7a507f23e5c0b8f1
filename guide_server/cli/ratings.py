"""`guide-server ratings`: the 好差评 summary, the daily digest of 差评 cases, holiday files.

    guide-server ratings [--json]                     ratings per guide
    guide-server ratings digest                       daily: overdue cases to instance/digests/ and the log;
                                                      contacts past their retention deleted
    guide-server ratings holidays list                the years loaded
    guide-server ratings holidays load FILE           check a year's file and install it in the instance
    guide-server ratings views-log FILE               count the guide pages nginx answered from the export
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
from pathlib import Path

import click

from guide_server.cli.base import INSTANCE_OPTION, _database_url, main

log = logging.getLogger("guide_server.ratings")


@main.group("ratings", invoke_without_command=True)
@INSTANCE_OPTION
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@click.pass_context
def ratings_group(ctx: click.Context, instance_dir: str, as_json: bool) -> None:
    """好差评：按事项汇总；子命令 digest（每日逾期提醒）、holidays（节假日安排）、views-log（静态页面浏览计数）。"""
    if ctx.invoked_subcommand is not None:
        return
    from guide_server.db import Database
    from guide_server.ratings.service import RatingService

    summaries = RatingService(Database(_database_url(instance_dir))).summaries()
    if as_json:
        click.echo(json.dumps([s.as_dict() for s in summaries.values()], ensure_ascii=False, indent=2))
        return
    if not summaries:
        click.echo("还没有任何评价。")
    for code, s in sorted(summaries.items()):
        click.echo(f"{code}  {s.total} 条  满意率 {s.rate_label}")


def _cases(instance_dir: str):
    from guide_server.db import Database
    from guide_server.ratings.calendar import CalendarError
    from guide_server.ratings.cases import CaseService

    svc = CaseService(Database(_database_url(instance_dir)), Path(instance_dir).resolve())
    try:
        svc.calendar  # noqa: B018 - a broken holiday file is reported here, not as a traceback
    except CalendarError as exc:
        raise click.ClickException(str(exc)) from None
    return svc


@ratings_group.command("views-log")
@INSTANCE_OPTION
@click.argument("log_file", type=click.Path(dir_okay=False))
def views_log(instance_dir: str, log_file: str) -> None:
    """把 nginx 从静态导出直接应答的指南页面浏览（访问日志 guide_views 格式）计入使用统计；
    每次只读新增的行，可反复运行（建议每几分钟由定时任务运行一次）。"""
    from guides.hall_release import hall_site_model
    from guides.release import ReleaseError, ReleaseStore
    from guide_server.db import Database
    from guide_server.views_log import LOG_FORMAT, ingest

    try:
        release = ReleaseStore(instance_dir).current()
    except ReleaseError as exc:
        raise click.ClickException(str(exc)) from None
    if release is None:
        raise click.ClickException(f"{instance_dir} 中还没有发布任何版本，无法判断日志中的事项和大厅。")
    offered = {hall: set(codes) for hall, codes in release.hall_hashes.items()}
    everywhere = set(release.guides).union(*offered.values()) if offered else set(release.guides)

    def hall_name(hall_id: str | None) -> str | None:
        if hall_id is None:
            return release.site.hall_name
        if hall_id not in offered:
            return None
        return hall_site_model(release, hall_id).hall_name

    def known(hall_id: str | None, code: str) -> bool:
        return code in (everywhere if hall_id is None else offered.get(hall_id, ()))

    try:
        result = ingest(Database(_database_url(instance_dir)), log_file, hall_name, known)
    except OSError as exc:
        raise click.ClickException(f"{log_file}：无法读取（{exc.strerror}）") from None
    click.echo(f"{log_file}：读取 {result.lines} 行（{result.bytes_read} 字节），计入指南浏览 {result.counted} 次，"
               f"跳过 {result.skipped} 行（非指南页面、非成功应答、未知事项或格式不是 “{LOG_FORMAT}”）。")


@ratings_group.command("digest")
@INSTANCE_OPTION
def digest(instance_dir: str) -> None:
    """每日提醒：列出逾期的差评案件，写入 <实例>/digests/差评日报-日期.txt 并记一行日志；
    删除已结案或超过保存期限的联系电话。"""
    from guides.release import CHINA_TZ
    from guide_server.ratings.cases import STATES

    svc = _cases(instance_dir)
    now = dt.datetime.now(dt.timezone.utc)
    today = now.astimezone(CHINA_TZ).date()
    purged = svc.purge_contacts(now)
    late = svc.overdue_cases(now)
    open_cases = svc.list(state="", limit=100000, now=now)
    by_step: dict[str, int] = {}
    for c in late:
        by_step[c.overdue_step] = by_step.get(c.overdue_step, 0) + 1
    steps = "、".join(f"{k} {v}" for k, v in by_step.items()) or "无"
    line = f"好差评日报 {today}：未结案 {len(open_cases)} 件，逾期 {len(late)} 件（{steps}）；删除联系电话 {purged} 个"
    missing = svc.calendar.missing_years(today.year, (today + dt.timedelta(days=60)).year)
    lines = [line, ""]
    if missing:
        lines.append(f"注意：{'、'.join(map(str, missing))} 年的节假日安排尚未载入，期限暂按周一至周五计算。")
        lines.append("")
    for c in late:
        lines.append(f"案件 {c.id}  {STATES[c.state]}  {c.overdue_step}期限 {c.due}  {c.hall or '—'}  "
                     f"{c.guide_code or '取号服务'}  {c.department or ''}".rstrip())
    folder = Path(instance_dir) / "digests"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"差评日报-{today}.txt"
    tmp = path.with_suffix(".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    (log.warning if late else log.info)(line)
    click.echo(line)
    click.echo(f"已写入 {path}")


@ratings_group.group("holidays")
def holidays() -> None:
    """节假日和调休安排（每年一个 YAML 文件）。"""


@holidays.command("list")
@INSTANCE_OPTION
def holidays_list(instance_dir: str) -> None:
    """列出已载入的年份。"""
    svc = _cases(instance_dir)
    for y in sorted(svc.calendar.years.values(), key=lambda y: y.year):
        click.echo(f"{y.year}  放假 {len(y.off)} 天  调休上班 {len(y.worked)} 天  {y.source}  ({y.path})")


@holidays.command("load")
@INSTANCE_OPTION
@click.argument("file", type=click.Path(dir_okay=False))
def holidays_load(instance_dir: str, file: str) -> None:
    """检查一年的安排文件并载入实例目录（<实例>/holidays/<年>.yaml）；有错则什么都不写。"""
    from guide_server.ratings.calendar import CalendarError, install

    try:
        sched = install(Path(instance_dir), Path(file))
    except CalendarError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"已载入 {sched.year} 年节假日安排：放假 {len(sched.off)} 天，调休上班 {len(sched.worked)} 天。"
               "正在运行的服务会自动使用新的安排。")
