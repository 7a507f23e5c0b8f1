"""`kiosk provision`: make a fresh terminal part of the fleet, step by step, with a checklist.

Steps: enroll with the one-time code (or keep a still-valid token when run again), store the
token (0600), pin the release-signing public key, find the devices (the reader is the port that
answers a GA/T 467 exchange, never a board COM port: kiosk.fleet.device_search), write
kiosk.toml (with a new maintenance PIN, shown once, kept as a hash: kiosk.maintenance_pin) and
fleet.toml, sync the content once, run the device self-test, send a heartbeat.
Safe to re-run: a valid token is kept and the code is not spent; a changed signing key is
never pinned silently; other settings in kiosk.toml are kept.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from kiosk.config import ConfigError, KioskConfig, load_config, write_config
from kiosk.fleet.device_search import find_reader, printer_candidates, probe_reader
from kiosk.maintenance_pin import hash_pin, new_pin, uses_default_pin
from kiosk.fleet.device_client import DeviceApiError, DeviceClient, Offline
from kiosk.fleet.settings import (FleetConfigError, FleetSettings, load_settings, load_token, save_settings,
                                  save_token)


@dataclass
class Check:
    ok: bool
    what: str
    detail: str


@dataclass
class Checklist:
    items: list[Check] = field(default_factory=list)
    echo: Callable[[str], None] = print

    def add(self, ok: bool, what: str, detail: str) -> bool:
        self.items.append(Check(ok, what, detail))
        self.echo(f"[{'通过' if ok else '失败'}] {what}：{detail}")
        return ok

    @property
    def failures(self) -> int:
        return sum(not c.ok for c in self.items)


def detect_devices() -> tuple[list[str], list[str], list[str]]:
    """(serial port devices, printer URLs, lines to show) found on this machine, as `kiosk hw
    list` finds them (the printer's udev link first)."""
    from hardware.discovery import list_serial_ports

    ports, lines = [], []
    for p in list_serial_ports():
        ports.append(p.device)
        kind = f"{p.chip} USB 串口" if p.chip else ("主板串口" if p.onboard else p.description)
        lines.append(f"串口 {p.device} {kind}".rstrip())
    printers = []
    for url, what in printer_candidates():
        printers.append(url)
        lines.append(f"{what} {url}")
    return ports, printers, lines


def _self_test(cfg: KioskConfig, checks: Checklist, test_page: bool, reader_checked: bool = False) -> None:
    """The reader's GA/T 467 exchange (unless the device search just did it) and the printer's
    status, then a test page."""
    from guides.fonts import FONT_PATH
    from hardware.printer import open_printer

    if not reader_checked:
        try:
            sam = probe_reader(cfg.reader)
            checks.add(True, f"读卡器 {cfg.reader}", f"安全模块正常，编号 {sam}")
        except Exception as exc:
            checks.add(False, f"读卡器 {cfg.reader}", str(getattr(exc, "zh", exc)))
    try:
        with open_printer(cfg.printer, cfg.printer_profile, font_path=FONT_PATH) as printer:
            status = printer.status()
            checks.add(status.ready, f"打印机 {cfg.printer}", status.describe_zh())
            if status.ready and test_page:
                from kiosk.receipts import test_receipt
                sent = printer.print_receipt(test_receipt(printer.profile, printer_url=cfg.printer),
                                             check_status=False)
                checks.add(True, "测试页", f"已发送 {sent} 字节，请检查打印效果")
    except Exception as exc:
        checks.add(False, f"打印机 {cfg.printer}", str(getattr(exc, "zh", exc)))


def _maintenance_pin(cfg: KioskConfig) -> str | None:
    """Give this kiosk its own maintenance PIN unless it has one: returns the new PIN (to show
    once), None when the kiosk keeps its own. Only the hash goes into `cfg`."""
    if cfg.maintenance_pin_hash and not uses_default_pin(cfg.maintenance_pin_hash, ""):
        return None
    pin = new_pin()
    cfg.maintenance_pin_hash, cfg.maintenance_pin = hash_pin(pin), ""
    return pin


def provision(instance: Path, server: str, code: str | None, *, config_path: Path | None = None,
              reader: str | None = None, printer: str | None = None, profile: str | None = None,
              test_page: bool = True, echo: Callable[[str], None] = print) -> Checklist:
    from kiosk.fleet.heartbeat import collect, probe_devices
    from kiosk.fleet.outbox import Outbox
    from kiosk.fleet.sync import sync_once

    instance = Path(instance)
    instance.mkdir(parents=True, exist_ok=True)
    config_path = Path(config_path) if config_path else instance / "kiosk.toml"
    server = server.rstrip("/")
    checks = Checklist(echo=echo)

    # 1. token: keep a valid one, else spend the code
    client, info, token = None, None, None
    try:
        old_settings = load_settings(instance)
    except FleetConfigError:
        old_settings = None
    try:
        token = load_token(instance)
    except FleetConfigError:
        token = None
    if token and old_settings and old_settings.server == server:
        client = DeviceClient(server, token)
        try:
            info = client.me()
            checks.add(True, "终端凭证", f"本机已登记为 {info['kiosk']['name']}（{info['kiosk']['hall']}），"
                                     "沿用现有凭证" + ("，登记码未使用" if code else ""))
        except Offline as exc:
            checks.add(False, "连接服务器", f"{exc}。请检查网线或网络设置后重新运行本命令。")
            return checks
        except DeviceApiError as exc:
            echo(f"现有凭证不可用（{exc.message}），改用登记码。")
            info = None
    if info is None:
        if not code:
            checks.add(False, "终端登记", "本机还没有可用的凭证，请用 --code 提供管理员生成的登记码。")
            return checks
        _ports, _printers, _lines = detect_devices()
        client = DeviceClient(server)
        try:
            info = client.enroll(code, hardware={"serial_ports": len(_ports), "usb_printers": _printers})
        except Offline as exc:
            checks.add(False, "连接服务器", f"{exc}。请检查网线或网络设置、服务器地址后重新运行本命令。")
            return checks
        except DeviceApiError as exc:
            checks.add(False, "终端登记", exc.message)
            return checks
        token = info["token"]
        path = save_token(instance, token)
        client.token = token
        checks.add(True, "终端登记", f"已登记为 {info['kiosk']['name']}（{info['kiosk']['hall']}），"
                                 f"凭证已保存到 {path}（仅本机管理员可读）")

    # 2. the signing key: pinned once, never replaced silently
    public_key, key_id = info["public_key"], info["key_id"]
    if old_settings and old_settings.public_key and old_settings.public_key != public_key:
        checks.add(False, "版本签名公钥", f"服务器的签名公钥（指纹 {key_id}）与本机固定的（{old_settings.key_id}）不同，"
                                    "本机不会自动更换。如确认服务器已更换密钥，请删除 "
                                    f"{instance / 'fleet.toml'} 后用新的登记码重新登记。")
        return checks
    checks.add(True, "版本签名公钥", f"已固定，指纹 {key_id}（应与服务器 guide-server signing-key 显示的相同）")

    # 3. devices: the printer by its udev link or on USB; the reader only once it answered GA/T 467
    _ports, printers, lines = detect_devices()
    had_config = config_path.is_file()
    try:
        cfg = load_config(config_path) if had_config else KioskConfig()
    except ConfigError as exc:
        checks.add(False, "配置文件", f"{exc}；请修正或删除后重新运行。")
        return checks
    search = None
    if reader:
        cfg.reader = reader
    else:
        search = find_reader(configured=cfg.reader if had_config else None)
        guess = search.best_guess
        if search.found is not None:
            cfg.reader = search.found.url
        elif guess is not None and not had_config:
            cfg.reader = guess.url   # written down so that the technician sees what to fix
    cfg.printer = printer or (printers[0] if printers else cfg.printer)
    if profile:
        cfg.printer_profile = profile
    found = "；".join(lines) if lines else "未发现串口或 USB 打印机"
    checks.add(bool(printer or printers), "检测设备",
               f"{found}。打印机 {cfg.printer}"
               + ("" if (printer or printers) else "（未发现打印机：请检查连线，或用 --printer 指定）"))
    if search is not None:
        if search.found is not None:
            checks.add(True, f"读卡器 {cfg.reader}", f"{search.found.why}，{search.tried[-1].detail}")
        else:
            checks.add(False, "读卡器", "没有找到应答 GA/T 467 的读卡器。" + search.report()
                       + f"。配置中的读卡器为 {cfg.reader}；请检查读卡器的 USB 线和电源后重新运行本命令，"
                       "或用 --reader 指定")

    # 4. configuration files
    settings = FleetSettings(server=server, name=info["kiosk"]["name"], hall=info["kiosk"]["hall"],
                             tag=info["kiosk"].get("tag", ""), public_key=public_key, key_id=key_id)
    if old_settings:
        settings.poll_seconds = old_settings.poll_seconds
        settings.heartbeat_seconds = old_settings.heartbeat_seconds
        settings.upload_seconds = old_settings.upload_seconds
    pin = _maintenance_pin(cfg)
    write_config(cfg, config_path)
    save_settings(instance, settings)
    checks.add(True, "写入配置", f"{config_path}，{instance / 'fleet.toml'}")
    if pin:
        checks.add(True, "维护密码", f"本机维护密码为 {pin}。只显示这一次，请记下并妥善保管（配置中只保存它的摘要；"
                                 "忘记时运行 kiosk set-pin 重新生成）")
    else:
        checks.add(True, "维护密码", "沿用本机已设的维护密码（忘记时运行 kiosk set-pin 重新生成）")

    # 5. content
    result = sync_once(instance, client, public_key)
    checks.add(result.ok and result.number is not None, "同步办事指南", result.message)

    # 6. devices
    _self_test(cfg, checks, test_page, reader_checked=search is not None)

    # 7. heartbeat
    try:
        outbox = Outbox.for_instance(instance)
        data = collect(instance, outbox.backlog(), lambda: probe_devices(cfg.reader, cfg.printer, cfg.printer_profile))
        outbox.close()
        client.heartbeat(data)
        checks.add(True, "心跳", "服务器已收到本机状态，可在管理页面“终端设备”中查看")
    except (Offline, DeviceApiError) as exc:
        checks.add(False, "心跳", getattr(exc, "message", str(exc)))
    return checks
