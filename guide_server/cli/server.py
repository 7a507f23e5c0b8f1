"""Server commands of `guide-server`: serve, posters, export, db-upgrade.

Flask, gunicorn, SQLAlchemy and fpdf2 are imported inside the commands so that
`guide-server check` and `release` start fast.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from guides.halls import DEFAULT_HALL

from guide_server.cli.base import INSTANCE_OPTION, _database_url, main


def _release_or_exit(instance_dir: str):
    from guides.release import ReleaseError, ReleaseStore

    try:
        rel = ReleaseStore(instance_dir).current()
    except ReleaseError as exc:
        raise click.ClickException(f"当前版本无法读取：{exc}") from None
    if rel is None:
        click.echo(f"实例目录 {instance_dir} 中还没有发布任何版本。请先检查并发布内容：\n"
                   f"  guide-server check --content content\n"
                   f"  guide-server release --content content --instance {instance_dir}", err=True)
        sys.exit(1)
    return rel


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="监听端口")
@INSTANCE_OPTION
@click.option("--workers", type=click.IntRange(1, 64), default=None, help="工作进程数（默认 CPU 核数×2）")
@click.option("--behind-proxy", type=click.IntRange(0, 5), default=0, show_default=True,
              help="前面有几层反向代理（如 nginx）设置 X-Forwarded-For")
@click.option("--access-log", is_flag=True, help="输出访问日志（默认关闭，不记录访客地址）")
def serve(host: str, port: int, instance_dir: str, workers: int | None, behind_proxy: int, access_log: bool) -> None:
    """用 gunicorn 提供当前版本的手机页面、二维码、好差评和 JSON API。"""
    rel = _release_or_exit(instance_dir)
    from guide_server import create_app
    from guide_server.db import Database
    from guide_server.gunicorn_app import options, run

    instance = str(Path(instance_dir).resolve())
    url = _database_url(instance_dir)
    Database(url).ready()  # migrate once, before the workers start
    opts = options(host, port, workers, access_log)
    click.echo(f"提供 {rel.stamp}（{len(rel.guides)} 个事项）：http://{host}:{port}/ "
               f"· {opts['workers']} 个工作进程", err=True)
    config = {"INSTANCE_DIR": instance, "DATABASE_URL": url, "TRUSTED_PROXIES": behind_proxy}
    run(lambda: create_app(config), opts)


@main.command()
@click.option("--out", "out_dir", default="posters", show_default=True, type=click.Path(file_okay=False),
              help="输出目录（每个事项一个 PDF）")
@click.option("--size", type=click.Choice(["A4", "A3"], case_sensitive=False), default="A4", show_default=True)
@click.option("--jobs", type=click.IntRange(1, 64), default=None, help="并行进程数（默认 CPU 核数）")
@click.option("--hall", "hall_id", default=DEFAULT_HALL, show_default=True,
              help="大厅标识（content/halls/ 下的文件夹名）；海报印该大厅的名称、热线和网址")
@click.option("--src", "src_tag", default=None,
              help="二维码的来源标记（如 hall-2f；以 window 开头表示贴在窗口），用于统计扫码来源；"
                   "印在海报上的网址不变")
@INSTANCE_OPTION
@click.argument("codes", nargs=-1)
def posters(out_dir: str, size: str, jobs: int | None, hall_id: str, src_tag: str | None, instance_dir: str,
            codes: tuple[str, ...]) -> None:
    """为当前版本的事项生成可打印的大厅海报（PDF，含二维码）。不写 CODE 则生成全部。"""
    rel = _release_or_exit(instance_dir)
    from guide_server.posters.pdf import PostersRefused, plan_posters, poster_data, write_planned
    from guide_server.usage import source_tag

    if src_tag is not None and source_tag(src_tag) is None:
        raise click.ClickException(f"来源标记“{src_tag[:40]}”无效：只能用字母、数字、- 和 _，最多 32 个字符，例如 hall-2f。")

    if hall_id != DEFAULT_HALL and hall_id not in rel.content.halls:
        known = "、".join([DEFAULT_HALL, *rel.content.halls])
        raise click.ClickException(f"没有大厅 {hall_id}；当前版本的大厅有：{known}")
    guides = rel.content.guides_of(hall_id)
    unknown = [c for c in codes if c not in guides]
    if unknown:
        raise click.ClickException("没有这些事项编码：" + "、".join(unknown)
                                   + ("" if hall_id == DEFAULT_HALL else f"（大厅 {hall_id}）"))
    chosen = [guides[c] for c in (codes or guides)]
    items = [poster_data(rel, g, hall_id) for g in chosen]
    if src_tag:
        from dataclasses import replace
        items = [replace(item, qr_url=f"{item.url}?src={src_tag}") for item in items]
    try:
        plans = plan_posters(items, size.upper())
        with click.progressbar(length=len(plans), label="生成海报", file=sys.stderr,
                               show_pos=True, show_eta=True) as bar:
            paths = write_planned(plans, Path(out_dir), jobs=jobs, progress=lambda _code: bar.update(1))
    except PostersRefused as exc:
        for err in exc.errors:
            click.echo(f"海报未生成：{err}", err=True)
        click.echo(f"{len(exc.errors)} 个事项的海报无法生成，本次没有写出任何海报。请修改内容后重新发布。", err=True)
        sys.exit(1)
    click.echo(f"已生成 {len(paths)} 张 {size.upper()} 海报（{rel.stamp}）：{Path(out_dir).resolve()}")


@main.command()
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="导出目录")
@INSTANCE_OPTION
def export(out_dir: str, instance_dir: str) -> None:
    """把当前版本的手机页面（含每种情形的页面、各大厅的页面和空白表格）导出为静态文件（与服务器应答逐字节相同），供 nginx 或 CDN 使用。"""
    _release_or_exit(instance_dir)
    from guide_server import create_app
    from guide_server.export import ExportError, export_site, site_files

    app = create_app({"INSTANCE_DIR": str(Path(instance_dir).resolve()), "AUTO_MIGRATE": False})
    try:
        # one step per URL: pages (each answer path, each hall's pages), QR images, attachments
        with click.progressbar(length=len(site_files(app.extensions["releases"].get())), label="导出",
                               file=sys.stderr) as bar:
            number, count = export_site(app, Path(out_dir), progress=lambda _u: bar.update(1))
    except ExportError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"已导出 R{number}：{count} 个文件 → {Path(out_dir).resolve()}")
    click.echo("nginx 配置示例见 scripts/nginx-guide-server.conf")


@main.command("db-upgrade")
@INSTANCE_OPTION
def db_upgrade(instance_dir: str) -> None:
    """把好差评数据库升级到最新结构（alembic；默认实例目录中的 SQLite，或 DATABASE_URL）。"""
    from guide_server.db import Database, current_revision

    db = Database(_database_url(instance_dir))
    db.ready()
    click.echo(f"数据库已是最新结构（版本 {current_revision(db.engine)}）。")
