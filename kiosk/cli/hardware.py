"""Technician commands for the card reader and receipt printer.

Exit codes: 0 success; 1 the thing asked for did not happen (no card in
time, unknown guide, bad content, self-test failed); 2 printer not ready
(``printer-status``, ``print``) or command-line usage error; 3 device fault
(cannot open, disconnected, damaged replies).
"""
from __future__ import annotations

import json
import os
import signal
import sys
import threading
from pathlib import Path

import click

from hardware import exceptions as hexc
from kiosk.cli.base import main

EXIT_FAILED, EXIT_NOT_READY, EXIT_DEVICE = 1, 2, 3

_reader_option = click.option("--reader", "reader_url", envvar="KIOSK_READER", metavar="URL",
                              help="读卡器地址,如 ga467:///dev/ttyUSB0?baud=115200(或环境变量 KIOSK_READER)")
_printer_option = click.option("--printer", "printer_url", envvar="KIOSK_PRINTER", metavar="URL",
                               help="打印机地址,如 usb://0416:5011、tcp://10.0.0.5:9100(或环境变量 KIOSK_PRINTER)")
_profile_option = click.option("--profile", "profile_name", envvar="KIOSK_PRINTER_PROFILE", default="80mm",
                               show_default=True, help="打印机配置:58mm、80mm、58mm-gbk、80mm-gbk")


def _fail(message: str, code: int) -> None:
    click.echo(message, err=True)
    sys.exit(code)


def _device_fail(e: hexc.HardwareError) -> None:
    code = EXIT_NOT_READY if isinstance(e, hexc.PrinterNotReady) else EXIT_DEVICE
    if isinstance(e, hexc.DeviceUrlError):
        code = EXIT_NOT_READY
    _fail(e.zh, code)


def _profile(name: str):
    from hardware.printer.profile import get_profile
    try:
        return get_profile(name)
    except ValueError:
        from hardware.printer.profile import PROFILES
        _fail(f"不认识的打印机配置 {name},可用：{'、'.join(PROFILES)}", EXIT_NOT_READY)


def _font_path():
    from guides.fonts import FONT_PATH
    return FONT_PATH


# --- read-card -----------------------------------------------------------

_FIELD_LABELS = [
    ("card_type", "证件类型"), ("name", "姓名"), ("name_en", "英文姓名"), ("sex", "性别"), ("nation", "民族"),
    ("nationality", "国籍代码"), ("birth_date", "出生日期"), ("address", "住址"), ("id_number", "证件号码"),
    ("issuing_authority", "签发机关"), ("valid_from", "有效期起"), ("valid_to", "有效期止"),
    ("pass_number", "通行证号码"), ("issue_count", "签发次数"),
]


@main.command("read-card")
@_reader_option
@click.option("--timeout", default=30.0, show_default=True, type=click.FloatRange(min=0.1), help="等待放卡的秒数")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@click.option("--show-full", is_flag=True,
              help="显示完整的证件号码、姓名、住址、出生日期、性别和签发机关（默认隐藏：出生日期等能推出被隐藏的号码）")
def read_card(reader_url: str | None, timeout: float, as_json: bool, show_full: bool) -> None:
    """等待放卡,读取并显示证件信息(证件号码默认只显示前 6 位和后 4 位,出生日期、性别、签发机关一并隐藏)。"""
    from hardware.reader import open_reader
    from hardware.reader.card import CardType

    if not reader_url:
        _fail("请用 --reader 指定读卡器地址,例如 --reader ga467:///dev/ttyUSB0?baud=115200", EXIT_NOT_READY)
    try:
        with open_reader(reader_url) as reader:
            if not as_json:
                click.echo(f"请在 {timeout:g} 秒内把证件放到读卡器 {reader_url} 上……", err=True)
            card = reader.wait_for_card(timeout=timeout)
    except hexc.NoCardTimeout:
        _fail(f"等待 {timeout:g} 秒没有读到证件：请把证件平放在读卡区后重试。", EXIT_FAILED)
    except hexc.ReaderStatusError as e:
        _fail(f"读卡失败：{e.zh}", EXIT_DEVICE)
    except hexc.HardwareError as e:
        _device_fail(e)
    data = card.to_dict(full=show_full)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False))
        return
    data["card_type"] = CardType(data["card_type"]).label
    for key, label in _FIELD_LABELS:
        if data.get(key) is not None:
            click.echo(f"{label}：{data[key]}")


# --- print -----------------------------------------------------------------

@main.group("print")
@_printer_option
@_profile_option
@click.option("--force", is_flag=True, help="不查询打印机状态，直接发送（用于不回传状态的打印机）")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
              help="终端配置 kiosk.toml（打印时间按其中大厅时区 hall.timezone）；默认 <instance>/kiosk.toml（有则用）")
@click.pass_context
def print_group(ctx: click.Context, printer_url: str | None, profile_name: str, force: bool,
                config_path: str | None) -> None:
    """打印一次告知单或测试页。"""
    ctx.obj = {"printer_url": printer_url, "profile": profile_name, "force": force, "config_path": config_path}


def _hall_now(ctx: click.Context, instance_dir: str | None = None):
    """Now in the hall's time zone (kiosk.toml `hall.timezone`; Asia/Shanghai without a config),
    so a printed time reads as the hall's clock whatever the machine's own zone is."""
    from kiosk.hall_time import HallClock

    return HallClock(_selftest_config(ctx.obj.get("config_path"), instance_dir).timezone).now()


def _print(ctx: click.Context, receipt, what: str) -> None:
    from hardware.printer import open_printer

    opts = ctx.obj
    if not opts["printer_url"]:
        _fail("请用 --printer 指定打印机地址,例如 --printer tcp://10.0.0.5:9100", EXIT_NOT_READY)
    profile = _profile(opts["profile"])
    try:
        with open_printer(opts["printer_url"], profile, font_path=_font_path()) as printer:
            sent = printer.print_receipt(receipt, check_status=not opts["force"])
    except hexc.PrinterNotReady as e:
        _fail(f"打印机 {opts['printer_url']} 未就绪，没有打印：{e.status.describe_zh()}", EXIT_NOT_READY)
    except hexc.HardwareError as e:
        _device_fail(e)
    click.echo(f"已发送到打印机 {opts['printer_url']}：{what}，{sent} 字节。")


def _load_release(content_dir: str | None, instance_dir: str | None):
    """The release to print from: the instance's current release, else content built in memory."""
    if instance_dir:
        from guides.release import ReleaseError, ReleaseStore
        try:
            release = ReleaseStore(instance_dir).current()
        except ReleaseError as e:
            _fail(f"无法读取终端的当前版本：{e}", EXIT_FAILED)
        if release is None:
            _fail(f"{instance_dir} 中还没有已发布的版本,请先同步或用 --content 指定内容目录。", EXIT_FAILED)
        return release
    from guides.loader import ContentError, load_content
    from guides.release import build_release
    path = content_dir or "content"
    if not Path(path).is_dir():
        _fail(f"找不到内容目录 {path}:请用 --content 指定,或用 --instance 指定终端实例目录。", EXIT_FAILED)
    try:
        return build_release(load_content(path))
    except ContentError as e:
        _fail(str(e), EXIT_FAILED)


@print_group.command("checklist")
@click.argument("code")
@click.option("--content", "content_dir", type=click.Path(file_okay=False), default=None,
              help="内容目录(默认 ./content;版本标记显示为“未发布”)")
@click.option("--instance", "instance_dir", envvar="KIOSK_INSTANCE", type=click.Path(file_okay=False),
              default=None, help="终端实例目录:用其中当前已发布的版本(或环境变量 KIOSK_INSTANCE)")
@click.pass_context
def print_checklist(ctx: click.Context, code: str, content_dir: str | None, instance_dir: str | None) -> None:
    """打印事项的一次告知单,如:kiosk print --printer URL checklist 330382-GA-0003"""
    from kiosk.receipts import checklist_for_release

    release = _load_release(content_dir, None if content_dir else instance_dir)
    if code not in release.guides:
        _fail(f"找不到事项编码 {code} 的办事指南（{release.stamp}）。", EXIT_FAILED)
    receipt = checklist_for_release(release, code, printed_at=_hall_now(ctx, instance_dir))
    _print(ctx, receipt, f"一次告知单《{release.guides[code].name}》({code},{release.stamp})")


@print_group.command("test")
@click.pass_context
def print_test(ctx: click.Context) -> None:
    """打印测试页(列宽、中文、全角标点、生僻字、二维码、条码、切纸)。"""
    from kiosk.receipts import test_receipt

    receipt = test_receipt(_profile(ctx.obj["profile"]), printer_url=ctx.obj["printer_url"] or "",
                           printed_at=_hall_now(ctx))
    _print(ctx, receipt, "测试页")


# --- printer-status ------------------------------------------------------------

@main.command("printer-status")
@_printer_option
@_profile_option
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
def printer_status(printer_url: str | None, profile_name: str, as_json: bool) -> None:
    """查询打印机状态；只有可以打印（联机、有纸、机盖关闭、无故障）时退出码为 0，否则为 2。"""
    from hardware.printer import open_printer
    from hardware.printer.status import PrinterStatus

    if not printer_url:
        _fail("请用 --printer 指定打印机地址,例如 --printer tcp://10.0.0.5:9100", EXIT_NOT_READY)
    error = None
    try:
        with open_printer(printer_url, _profile(profile_name)) as printer:
            status = printer.status(timeout=2.0)
    except hexc.HardwareError as e:
        status, error = PrinterStatus.unknown(), e
    if as_json:
        data = status.to_dict()
        data["printer"] = printer_url
        if error is not None:
            data["text"] = error.zh
        click.echo(json.dumps(data, ensure_ascii=False))
    elif error is not None:
        click.echo(f"打印机 {printer_url}：{error.zh}")
    else:
        click.echo(f"打印机 {printer_url}：{status.describe_zh()}")
    sys.exit(0 if status.ready else EXIT_NOT_READY)


# --- simulate ----------------------------------------------------------------

@main.group("simulate")
def simulate() -> None:
    """启动设备模拟器(用于演示、测试和没有设备的终端)。"""


def _wait_forever(stop: threading.Event) -> None:
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass


@simulate.command("reader")
@click.option("--cards", "cards_file", required=True, type=click.Path(exists=True, dir_okay=False),
              help="模拟证件脚本(JSON),见 hardware/reader/simulator.py")
@click.option("--pty", "use_pty", is_flag=True, help="在伪终端上模拟串口读卡器（默认）")
@click.option("--port", type=click.IntRange(0, 65535), default=None,
              help="改为在 127.0.0.1 的 TCP 端口上监听(0 表示自动选择空闲端口)")
@click.option("--baud", default=115200, show_default=True, type=click.IntRange(min=300), help="模拟的波特率")
@click.option("--no-pace", is_flag=True, help="不按波特率限速")
@click.option("--loop", is_flag=True, help="脚本结束后从头再来")
@click.option("--fault", type=click.Choice(["no_card", "checksum", "silent", "unplug", "select_failed",
                                            "read_failed", "sam_failed"]), default=None,
              help="一开始就处于的故障状态")
def simulate_reader(cards_file: str, use_pty: bool, port: int | None, baud: int, no_pace: bool, loop: bool,
                    fault: str | None) -> None:
    """模拟身份证阅读器,按脚本依次“放卡”。"""
    from hardware.reader.simulator import ReaderSimulator, load_script

    if use_pty and port is not None:
        _fail("--pty 和 --port 只能选一个。", EXIT_NOT_READY)
    try:
        steps = load_script(cards_file)
    except ValueError as e:
        _fail(f"模拟证件脚本有误：{e}", EXIT_FAILED)
    sim = ReaderSimulator(steps, baud=baud, pace=not no_pace, loop=loop)
    url = sim.listen_tcp(port) if port is not None else sim.open_pty()
    if fault:
        sim.set_fault(fault)
    click.echo(f"读卡器模拟器已启动：{url}", )
    click.echo(f"(共 {len(steps)} 步,按 Ctrl+C 停止)")
    sys.stdout.flush()
    sim.start()
    stop = threading.Event()
    _wait_forever(stop)
    sim.stop()
    click.echo(f"读卡器模拟器已停止，共被读卡 {sim.reads} 次。")


@simulate.command("printer")
@click.option("--port", type=click.IntRange(0, 65535), default=9100, show_default=True,
              help="在 127.0.0.1 上监听的端口（0 表示自动选择空闲端口）")
@_profile_option
@click.option("--preview-dir", type=click.Path(file_okay=False), default="receipts-preview", show_default=True,
              help="小票预览 PNG 的保存目录")
@click.option("--paper", type=click.Choice(["ok", "near_end", "out"]), default="ok", show_default=True,
              help="纸张状态")
@click.option("--cover-open", is_flag=True, help="机盖打开")
@click.option("--offline", is_flag=True, help="离线")
@click.option("--cutter-error", is_flag=True, help="切刀故障")
@click.option("--silent", is_flag=True, help="不应答状态查询")
def simulate_printer(port: int, profile_name: str, preview_dir: str, paper: str, cover_open: bool, offline: bool,
                     cutter_error: bool, silent: bool) -> None:
    """模拟 ESC/POS 小票打印机,把收到的小票画成 PNG 预览。"""
    from hardware.printer.simulator import PrinterSimulator
    from hardware.printer.status import SimulatedState

    def on_receipt(index: int, path) -> None:
        click.echo(f"收到第 {index} 张小票，预览：{path}")
        sys.stdout.flush()

    sim = PrinterSimulator(profile=_profile(profile_name),
                           state=SimulatedState(paper=paper, cover_open=cover_open, offline=offline,
                                                cutter_error=cutter_error),
                           silent=silent, preview_dir=preview_dir, font_path=_font_path(), on_receipt=on_receipt)
    try:
        url = sim.listen(port)
    except OSError as e:
        _fail(f"无法监听 127.0.0.1:{port}：{e.strerror}（端口被占用？可用 --port 0 自动选择）", EXIT_DEVICE)
    click.echo(f"打印机模拟器已启动：{url}")
    click.echo(f"(预览保存在 {os.path.abspath(preview_dir)},按 Ctrl+C 停止)")
    sys.stdout.flush()
    sim.start()
    stop = threading.Event()
    _wait_forever(stop)
    sim.stop()
    click.echo(f"打印机模拟器已停止，共收到 {len(sim.receipts)} 张小票。")


# --- hw list / selftest ---------------------------------------------------------

@main.group("hw")
def hw() -> None:
    """查看本机的设备接口。"""


@hw.command("list")
def hw_list() -> None:
    """列出串口(读卡器、串口打印机)和 USB 打印机。"""
    from hardware.discovery import list_serial_ports, list_usb_printers

    from kiosk.fleet.device_search import PRINTER_LINK, READER_LINK

    for link in (READER_LINK, PRINTER_LINK):
        if os.path.exists(link):
            click.echo(f"稳定链接：{link} → {os.path.realpath(link)}")
    ports = list_serial_ports()
    click.echo("串口：" if ports else "串口：未发现")
    for p in ports:
        if p.onboard:
            click.echo(f"  {p.device}  主板自带串口（不会是读卡器）  →  串口打印机 serial://{p.device}?baud=9600")
            continue
        kind = f"{p.chip} USB 串口 {p.usb_id}" if p.chip else (p.description or p.usb_id)
        click.echo(f"  {p.device}  {kind}  →  读卡器 ga467://{p.device}?baud=115200"
                   f"  或打印机 serial://{p.device}?baud=9600")
    printers = list_usb_printers()
    click.echo("USB 打印机：" if printers else "USB 打印机：未发现")
    for u in printers:
        line = f"  {u.url}  {u.description}"
        if u.lp_device:
            line += f"  (也可用 file://{u.lp_device})"
        click.echo(line)


@main.command("selftest")
@_reader_option
@_printer_option
@_profile_option
@click.option("--no-test-page", is_flag=True, help="不打印测试页")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
              help="终端配置 kiosk.toml（手写模型 search.handwriting_model、语音 [voice]）；"
                   "默认 <instance>/kiosk.toml（有则用）")
@click.option("--instance", "instance_dir", envvar="KIOSK_INSTANCE", type=click.Path(file_okay=False),
              default=None, help="终端实例目录（或环境变量 KIOSK_INSTANCE），用来找 kiosk.toml")
@click.option("--sound", is_flag=True, help="试播放一句语音（请确认听到声音）")
def selftest(reader_url: str | None, printer_url: str | None, profile_name: str, no_test_page: bool,
             config_path: str | None, instance_dir: str | None, sound: bool) -> None:
    """自检：读卡器、打印机和测试页，手写识别模型和语音播报引擎，逐项显示通过或失败。"""
    from hardware.printer import open_printer
    from hardware.reader import open_reader
    from kiosk.receipts import test_receipt

    cfg = _selftest_config(config_path, instance_dir)
    failures = 0

    def report(ok: bool, what: str, detail: str) -> None:
        nonlocal failures
        failures += not ok
        click.echo(f"[{'通过' if ok else '失败'}] {what}：{detail}")

    if not reader_url:
        report(False, "读卡器", "未配置(用 --reader 或环境变量 KIOSK_READER 指定)")
    else:
        try:
            with open_reader(reader_url) as reader:
                reader.status()
                sam = reader.sam_id()
            report(True, f"读卡器 {reader_url}", f"安全模块正常，编号 {sam}")
        except hexc.HardwareError as e:
            report(False, f"读卡器 {reader_url}", e.zh)

    if not printer_url:
        report(False, "打印机", "未配置(用 --printer 或环境变量 KIOSK_PRINTER 指定)")
    else:
        profile = _profile(profile_name)
        try:
            with open_printer(printer_url, profile, font_path=_font_path()) as printer:
                status = printer.status()
                report(status.ready, f"打印机 {printer_url} 状态", status.describe_zh())
                if status.ready and not no_test_page:
                    from kiosk.hall_time import HallClock

                    page = test_receipt(profile, printer_url=printer_url, printed_at=HallClock(cfg.timezone).now())
                    sent = printer.print_receipt(page, check_status=False)
                    report(True, "测试页", f"已发送 {sent} 字节，请检查打印效果")
        except hexc.HardwareError as e:
            report(False, f"打印机 {printer_url}", e.zh)

    for item in _software_selftests(cfg, sound):
        report(item.ok, item.what, item.detail)

    if failures:
        _fail(f"自检未通过：{failures} 项失败。", EXIT_FAILED)
    click.echo("自检通过。")


def _selftest_config(config_path: str | None, instance_dir: str | None):
    """The kiosk.toml the self-test checks the handwriting model and voice of: --config, else
    <instance>/kiosk.toml when it exists, else the defaults. A broken file ends the command (2)."""
    from kiosk.config import ConfigError, KioskConfig, load_config

    path = Path(config_path) if config_path else None
    if path is None:
        default = Path(instance_dir or os.environ.get("KIOSK_INSTANCE") or "instance") / "kiosk.toml"
        path = default if default.is_file() else None
    if path is None:
        return KioskConfig()
    try:
        return load_config(path)
    except ConfigError as e:
        _fail(str(e), EXIT_NOT_READY)


def _software_selftests(cfg, sound: bool):
    """The handwriting model (recognises a test 十) and the speech engine the config names
    (synthesises a test sentence; plays it with ``sound``), as self-test items."""
    from kiosk.handwriting import selftest as handwriting_selftest
    from kiosk.speech import make_engine, selftest as speech_selftest

    if cfg.handwriting_model:
        yield handwriting_selftest(cfg.handwriting_model)
    else:
        yield handwriting_selftest()
    yield speech_selftest(make_engine(cfg.voice), play=sound)
