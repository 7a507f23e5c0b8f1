"""`guide-server users`: add, list, passwd, role, disable, enable admin accounts.

The password is read from standard input when it is not a terminal (first line),
and asked for twice, hidden, when it is.
"""
from __future__ import annotations

import sys

import click

from guide_server.cli.base import INSTANCE_OPTION, main


def _service(instance_dir: str):
    from guide_server.accounts.service import AccountService
    from guide_server.cli.base import _database_url
    from guide_server.db import Database

    return AccountService(Database(_database_url(instance_dir)))


def _read_password() -> str:
    if sys.stdin is not None and sys.stdin.isatty():
        return click.prompt("密码", hide_input=True, confirmation_prompt="再次输入密码")
    line = sys.stdin.readline() if sys.stdin is not None else ""
    password = line.rstrip("\r\n")
    if not password:
        raise click.ClickException("没有从标准输入读到密码（第一行）。")
    return password


def _run(fn):
    from guide_server.accounts.service import AccountError

    try:
        return fn()
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None


@main.group()
def users() -> None:
    """管理后台账号（角色：editor 编辑、reviewer 审核、admin 管理员）。"""


ROLE_OPTION = click.option("--role", required=True, type=click.Choice(["editor", "reviewer", "admin"]),
                           help="角色：editor 编辑，reviewer 审核，admin 管理员（可做全部操作）")


SCOPE_HELP = ("权限范围：行政区划代码（如 330382，含其下各级区划和大厅）、hall:大厅标识（如 hall:liushi），"
              "留空为全部。共享事项只能由范围包含主大厅所在区划的人员修改、审核和发布")


@users.command("add")
@click.argument("name")
@ROLE_OPTION
@click.option("--scope", default="", help=SCOPE_HELP)
@INSTANCE_OPTION
def add(name: str, role: str, scope: str, instance_dir: str) -> None:
    """新增账号 NAME。密码从标准输入读取（终端中会提示输入两次）。"""
    svc = _service(instance_dir)
    password = _read_password()
    acct = _run(lambda: svc.add(name, role, password, scope=scope))
    scope_note = f"，权限范围：{acct.scope}" if acct.scope else ""
    click.echo(f"已新增账号 {acct.name}（{acct.role_label}）{scope_note}。")


@users.command("scope")
@click.argument("name")
@click.argument("scope")
@INSTANCE_OPTION
def set_scope(name: str, scope: str, instance_dir: str) -> None:
    """修改账号 NAME 的权限范围 SCOPE（写 "" 为全部）；该账号需重新登录。"""
    acct = _run(lambda: _service(instance_dir).set_scope(name, scope))
    click.echo(f"账号 {acct.name} 的权限范围已改为：{acct.scope or '全部'}。")


@users.command("list")
@INSTANCE_OPTION
def list_users(instance_dir: str) -> None:
    """列出全部账号。"""
    rows = _service(instance_dir).list()
    if not rows:
        click.echo("还没有任何账号。新增：guide-server users add NAME --role admin")
        return
    import datetime as dt

    from guides.release import CHINA_TZ

    now = dt.datetime.now(dt.timezone.utc)
    for a in rows:
        state = "已停用" if not a.active else ("已锁定" if a.locked_until and a.locked_until > now else "正常")
        last = a.last_login.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M") if a.last_login else "从未登录"
        click.echo(f"{a.name:<20} {a.role:<9} {state}  范围：{a.scope or '全部'}  最近登录：{last}")


@users.command("passwd")
@click.argument("name")
@INSTANCE_OPTION
def passwd(name: str, instance_dir: str) -> None:
    """为账号 NAME 设置新密码（同时解除锁定，并使其已登录的会话失效）。"""
    svc = _service(instance_dir)
    if svc.by_name(name) is None:
        raise click.ClickException(f"没有用户 {name}。")
    password = _read_password()
    acct = _run(lambda: svc.set_password(name, password))
    click.echo(f"已为 {acct.name} 设置新密码。")


@users.command("role")
@click.argument("name")
@ROLE_OPTION
@INSTANCE_OPTION
def role(name: str, role: str, instance_dir: str) -> None:
    """更改账号 NAME 的角色。"""
    acct = _run(lambda: _service(instance_dir).set_role(name, role))
    click.echo(f"{acct.name} 的角色已改为 {acct.role_label}。")


@users.command("disable")
@click.argument("name")
@INSTANCE_OPTION
def disable(name: str, instance_dir: str) -> None:
    """停用账号 NAME（立即退出其全部会话；历史记录保留）。"""
    acct = _run(lambda: _service(instance_dir).disable(name))
    click.echo(f"已停用账号 {acct.name}。")


@users.command("enable")
@click.argument("name")
@INSTANCE_OPTION
def enable(name: str, instance_dir: str) -> None:
    """重新启用账号 NAME，并解除登录锁定。"""
    acct = _run(lambda: _service(instance_dir).enable(name))
    click.echo(f"已启用账号 {acct.name}。")
