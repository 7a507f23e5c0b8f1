"""`guide-server kiosks …`: enroll, list and revoke kiosks; `guide-server signing-key`;
`guide-server search-misses`: what people searched for on the kiosks and did not find."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from guide_server.cli.base import INSTANCE_OPTION, main


def _service(instance_dir: str):
    """The fleet service of an instance folder; a missing folder is a clear error, not a traceback."""
    if not Path(instance_dir).is_dir():
        raise click.ClickException(f"实例目录 {instance_dir} 不存在。请先发布内容："
                                   f"guide-server release --content content --instance {instance_dir}")
    from guide_server.cli.base import _database_url
    from guide_server.db import Database
    from guide_server.fleet.service import FleetService

    return FleetService(Database(_database_url(instance_dir)))


def _key(instance_dir: str):
    from guides.signing import key_id, load_or_create_key, public_key_text

    text = public_key_text(load_or_create_key(instance_dir).public_key())
    return text, key_id(text)


@main.group("kiosks")
def kiosks() -> None:
    """自助终端：登记、列表、停用。"""


def _check_hall(hall: str, instance_dir: str) -> None:
    """When the current release has several halls, `hall` must be one of their ids."""
    from guides.halls import DEFAULT_HALL
    from guides.release import ReleaseError, ReleaseStore

    try:
        release = ReleaseStore(instance_dir).current()
    except ReleaseError as exc:
        raise click.ClickException(str(exc)) from None
    if release is not None and release.content.halls and hall != DEFAULT_HALL and hall not in release.content.halls:
        known = "、".join(f"{h}（{release.content.halls[h].site.name}）" for h in release.content.halls)
        raise click.ClickException(f"当前版本中没有大厅 {hall}。可选：{DEFAULT_HALL}（{release.site.hall_name}）、{known}")


@kiosks.command("enroll")
@click.option("--hall", required=True, help="终端所在的大厅或网点，如 乐清市民中心；内容分多个大厅时写大厅标识"
              "（content/halls/ 下的文件夹名，默认大厅为 main），终端只接收该大厅的事项")
@click.option("--name", required=True, help="终端名称（字母、数字和 . _ -），如 yq-smzx-01")
@INSTANCE_OPTION
def enroll(hall: str, name: str, instance_dir: str) -> None:
    """生成一次性登记码（24 小时内有效，只能用一次），最后一行只有登记码本身。"""
    from guide_server.fleet.service import FleetError, local_label

    _check_hall(hall, instance_dir)
    try:
        code, expires = _service(instance_dir).enroll(hall, name)
    except FleetError as exc:
        raise click.ClickException(exc.message) from None
    _text, kid = _key(instance_dir)
    click.echo(f"终端 {name}（{hall}）的登记码已生成，有效至 {local_label(expires)}（北京时间），只能使用一次。")
    click.echo(f"在终端上运行：kiosk provision --server <服务器地址> --code {code}")
    click.echo(f"版本签名公钥指纹：{kid}（终端登记成功后会显示同一指纹，请核对）")
    click.echo(code)


@kiosks.command("list")
@INSTANCE_OPTION
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
def list_kiosks(instance_dir: str, as_json: bool) -> None:
    """列出全部终端：状态、最后在线、内容版本、设备状态和告警。"""
    from guides.release import ReleaseError, ReleaseStore

    try:
        current = ReleaseStore(instance_dir).current_number()
    except ReleaseError:
        current = None
    service = _service(instance_dir)
    rows = service.status(current)
    if not as_json:
        from guide_server.fleet.service import local_label
        for p in service.pending_enrollments():
            click.echo(f"（待登记）{p.kiosk_name}  {p.hall}  登记码有效至 {local_label(p.expires_at)}")
    if as_json:
        click.echo(json.dumps({"current_release": current, "kiosks": rows}, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("还没有登记任何终端。登记：guide-server kiosks enroll --hall 大厅 --name 终端名称")
        return
    for k in rows:
        release = f"R{k['release']}" if k["release"] else "—"
        printer = k["printer"]["text"] or "—"
        reader = k["reader"]["text"] or "—"
        click.echo(f"{k['name']}  {k['hall']}  {k['state_label']}  最后在线 {k['last_seen_label']}  "
                   f"版本 {release}  打印机 {printer}  读卡器 {reader}  待上传 {k['outbox_backlog'] or 0}")
        for a in k["alerts"]:
            click.echo(f"    ! {a['text']}")


@kiosks.command("revoke")
@click.argument("name")
@INSTANCE_OPTION
def revoke(name: str, instance_dir: str) -> None:
    """停用终端 NAME：它的凭证立即失效，未使用的登记码一并作废。"""
    from guide_server.fleet.service import FleetError

    try:
        _service(instance_dir).revoke(name)
    except FleetError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"终端 {name} 已停用：不能再同步内容、上传事件或取号。重新启用请重新登记。")


@main.command("search-misses")
@INSTANCE_OPTION
@click.option("--days", default=30, show_default=True, type=click.IntRange(1, 366), help="统计最近多少天")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 1000), help="最多列出多少个搜索词")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
def search_misses(instance_dir: str, days: int, limit: int, as_json: bool) -> None:
    """列出终端上搜索了却没有找到事项的搜索词（按次数排序），供编辑补充别名或事项。"""
    rows = _service(instance_dir).search_misses(days, limit)
    if as_json:
        click.echo(json.dumps({"days": days, "misses": rows}, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo(f"最近 {days} 天终端上没有搜不到结果的搜索。")
        return
    click.echo(f"最近 {days} 天终端上搜不到结果的搜索词（次数、终端数、最后一次，北京时间）：")
    for r in rows:
        click.echo(f"{r['query']}  {r['count']} 次  {r['kiosks']} 台终端  最后 {r['last_label']}")


@main.command("signing-key")
@INSTANCE_OPTION
def signing_key(instance_dir: str) -> None:
    """显示版本签名公钥及其指纹（私钥在实例目录 release-signing-key.pem，首次使用时生成）。"""
    text, kid = _key(instance_dir)
    click.echo(f"指纹：{kid}")
    click.echo(text)
    sys.stdout.flush()
