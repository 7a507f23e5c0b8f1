"""`kiosk run`: the touchscreen app; `kiosk config-init`: write the default configuration."""
from __future__ import annotations

import os
import signal
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import click

from kiosk.cli.base import main

_T0 = time.perf_counter()


def _instance(path: str | None) -> Path:
    return Path(path or os.environ.get("KIOSK_INSTANCE") or "instance").resolve()


@main.command("run")
@click.option("--config", "config_path", type=click.Path(dir_okay=False),
              help="配置文件(TOML),默认 <instance>/kiosk.toml")
@click.option("--content", "content_dir", type=click.Path(file_okay=False),
              help="直接使用这个内容目录，而不是本机版本库中的当前版本")
@click.option("--instance", "instance_dir", type=click.Path(file_okay=False), envvar="KIOSK_INSTANCE",
              help="终端实例目录(版本库、kiosk.db、配置),默认 ./instance 或环境变量 KIOSK_INSTANCE")
@click.option("--simulate", is_flag=True, help="同时启动读卡器和打印机模拟器，在任何电脑上运行完整程序")
@click.option("--orientation", type=click.Choice(["portrait", "landscape"]), default=None,
              help="屏幕方向（覆盖配置文件）")
@click.option("--windowed", is_flag=True, help="窗口模式（开发调试用；终端上默认全屏、无光标）")
def run(config_path: str | None, content_dir: str | None, instance_dir: str | None, simulate: bool,
        orientation: str | None, windowed: bool) -> None:
    """运行自助终端程序。"""
    from kiosk.config import ConfigError, load_config

    instance = _instance(instance_dir)
    default_cfg = instance / "kiosk.toml"
    path = Path(config_path) if config_path else (default_cfg if default_cfg.is_file() else None)
    try:
        cfg = load_config(path)
    except ConfigError as e:
        click.echo(str(e), err=True)
        sys.exit(2)
    if orientation:
        cfg.orientation = orientation
    if content_dir:
        cfg.content_dir = content_dir
    if windowed or simulate:
        cfg.fullscreen = False if windowed else cfg.fullscreen
    from kiosk.maintenance_pin import default_pin_problem
    problem = default_pin_problem(cfg.maintenance_pin_hash, cfg.maintenance_pin, simulate)
    if problem:
        click.echo(problem, err=True)
        sys.exit(2)

    sims = None
    try:
        if simulate:
            from kiosk.cli.simulate import start_simulators
            sims = start_simulators(instance / "simulated-receipts", profile=cfg.printer_profile)
            cfg.reader, cfg.printer = sims.reader_url, sims.printer_url
            click.echo(f"读卡器模拟器：{cfg.reader}（每次取号约 4 秒后自动放上示例证件）")
            click.echo(f"打印机模拟器：{cfg.printer}（小票预览：{instance / 'simulated-receipts'}）")
        run_app(cfg, instance)
    except KeyboardInterrupt:
        pass  # Ctrl-C before the window was open: a stop like any other (exit 0, no "已中止")
    finally:
        if sims is not None:
            sims.stop()


def configure_kivy(cfg) -> None:
    """Window settings; must run before kivy.core.window is imported."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    from kivy.config import Config
    w, h = cfg.window_size
    Config.set("graphics", "width", str(w))
    Config.set("graphics", "height", str(h))
    Config.set("kivy", "exit_on_escape", "0")
    # one input provider per device: Kivy's default adds probesysfs beside SDL's mouse, and a
    # touchscreen seen by both delivers every tap twice (kiosk/touch_input.py)
    from kiosk.touch_input import input_section
    Config.remove_section("input")
    Config.add_section("input")
    for name, provider in input_section(cfg.touch_input).items():
        Config.set("input", name, provider)
    if cfg.fullscreen:
        Config.set("graphics", "fullscreen", "auto")
        Config.set("graphics", "borderless", "1")
        Config.set("graphics", "show_cursor", "0")
    Config.set("graphics", "resizable", "0")
    Config.set("graphics", "multisamples", "0")  # see kiosk/app/kiosk_app.py: MSAA is costly with software GL


def fit_window(cfg) -> float:
    """A window (not full screen) as large as the screen allows with the panel's aspect; the
    scale the app draws at (1.0 when the panel fits or the screen size is unknown)."""
    from kivy.core.window import Window

    from kiosk.app.window_fit import fit_scale, usable_display_size

    usable = usable_display_size()
    scale = fit_scale(cfg.window_size, usable) if usable else 1.0
    if scale < 1:
        w, h = cfg.window_size
        Window.size = (round(w * scale), round(h * scale))
        Window.left, Window.top = max(0, (usable[0] - Window.size[0]) // 2), max(0, (usable[1] - Window.size[1]) // 2)
        click.echo(f"窗口模式：屏幕可用区域 {usable[0]}×{usable[1]}，终端画面 {w}×{h} 按 {scale:.0%} 显示")
    return scale


def run_app(cfg, instance: Path) -> None:
    configure_kivy(cfg)
    from kiosk.app.kiosk_app import KioskApp
    from kiosk.content import load_kiosk_content

    from kiosk.fleet import hooks as fleet_hooks
    if not cfg.content_dir:
        fleet_hooks.prepare_instance(instance)  # after a crash: CURRENT names a release that loads
    content = load_kiosk_content(cfg.content_dir or None, instance, cfg.stale_hours)
    if not content.ok:
        click.echo(f"没有可用的办事指南：{content.problem}", err=True)
    scale = 1.0 if cfg.fullscreen else fit_window(cfg)
    app = KioskApp(cfg, content, instance=instance, t0=_T0, window_scale=scale)
    fleet_hooks.attach(app)  # sync, heartbeat, outbox, server tickets, offline badge, systemd watchdog
    with ctrl_c_closes(app):
        app.run()


@contextmanager
def ctrl_c_closes(app):
    """While inside: Ctrl-C (SIGINT) closes `app` the way closing its window does, on Kivy's
    clock: on_stop runs (devices, speech, fleet agent), `app.run()` returns and `kiosk run`
    exits 0. Without this, the KeyboardInterrupt ends the event loop without on_stop. A second
    Ctrl-C while it closes ends it at once. The previous handler is put back on leaving."""
    from kivy.clock import Clock

    def close(_signum, _frame) -> None:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        Clock.schedule_once(lambda _dt: app.stop())

    previous = signal.signal(signal.SIGINT, close)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@main.command("config-init")
@click.option("--instance", "instance_dir", type=click.Path(file_okay=False), envvar="KIOSK_INSTANCE")
@click.option("--force", is_flag=True, help="覆盖已有的配置文件")
def config_init(instance_dir: str | None, force: bool) -> None:
    """在实例目录写入一份默认配置 kiosk.toml。"""
    from kiosk.config import KioskConfig, write_config
    path = _instance(instance_dir) / "kiosk.toml"
    if path.exists() and not force:
        click.echo(f"{path} 已存在(要覆盖请加 --force)", err=True)
        sys.exit(1)
    write_config(KioskConfig(), path)
    click.echo(f"已写入 {path}")


@main.command("set-pin")
@click.option("--config", "config_path", type=click.Path(dir_okay=False),
              help="配置文件(TOML),默认 <instance>/kiosk.toml")
@click.option("--instance", "instance_dir", type=click.Path(file_okay=False), envvar="KIOSK_INSTANCE")
def set_pin(config_path: str | None, instance_dir: str | None) -> None:
    """为本机生成新的维护密码：只显示这一次，配置中只保存摘要。"""
    from kiosk.config import ConfigError, KioskConfig, load_config, write_config
    from kiosk.maintenance_pin import hash_pin, new_pin

    path = Path(config_path) if config_path else _instance(instance_dir) / "kiosk.toml"
    try:
        cfg = load_config(path) if path.is_file() else KioskConfig()
    except ConfigError as e:
        click.echo(str(e), err=True)
        sys.exit(2)
    pin = new_pin()
    cfg.maintenance_pin_hash, cfg.maintenance_pin = hash_pin(pin), ""
    write_config(cfg, path)
    click.echo(f"本机新的维护密码：{pin}")
    click.echo(f"只显示这一次，请记下并妥善保管；{path} 中只保存它的摘要。重启终端程序后生效。")
