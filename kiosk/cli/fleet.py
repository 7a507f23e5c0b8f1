"""Fleet commands of `kiosk`: provision, sync, upload, heartbeat, agent.

Exit codes: 0 done; 1 something on the checklist failed, or the server offered a release this
kiosk rejected; 2 not provisioned / usage; 3 the server could not be reached.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from kiosk.cli.base import main

_config_option = click.option("--config", "config_path", type=click.Path(dir_okay=False),
                              help="终端配置文件 kiosk.toml 的路径（默认 <实例目录>/kiosk.toml）")
_instance_option = click.option("--instance", "instance_dir", type=click.Path(file_okay=False),
                                help="终端实例目录（默认环境变量 KIOSK_INSTANCE，或 --config 所在目录，或 ./instance）")


def _linked(config_path, instance_dir):
    from kiosk.fleet.device_client import DeviceClient
    from kiosk.fleet.settings import FleetConfigError, instance_for, load_settings, load_token

    instance = instance_for(config_path, instance_dir)
    try:
        settings = load_settings(instance)
        token = load_token(instance)
    except FleetConfigError as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)
    return instance, settings, DeviceClient(settings.server, token)


@main.command("provision")
@click.option("--server", required=True, metavar="URL", help="办事指南服务器地址，如 https://guides.example.gov.cn")
@click.option("--code", default=None, help="管理员生成的一次性登记码（重新运行且凭证仍有效时可省略）")
@_config_option
@_instance_option
@click.option("--reader", "reader_url", default=None, metavar="URL", help="读卡器地址（不写则自动检测）")
@click.option("--printer", "printer_url", default=None, metavar="URL", help="打印机地址（不写则自动检测）")
@click.option("--profile", "profile_name", default=None, help="打印机配置：58mm、80mm、58mm-gbk、80mm-gbk")
@click.option("--no-test-page", is_flag=True, help="自检时不打印测试页")
@click.option("--simulate", is_flag=True,
              help="没有读卡器和打印机的演示机：设备检查用临时启动的模拟器（之后用 kiosk run --simulate 运行）")
def provision_cmd(server, code, config_path, instance_dir, reader_url, printer_url, profile_name, no_test_page,
                  simulate):
    """把本机登记到服务器：换取终端凭证、固定签名公钥、检测设备、写配置、同步内容、自检，逐项显示通过或失败。"""
    import tempfile

    from kiosk.fleet.settings import instance_for
    from kiosk.fleet.provision import provision

    instance = instance_for(config_path, instance_dir)
    click.echo(f"登记本机到 {server}（实例目录 {instance}）")
    sims = None
    if simulate:
        from hardware.reader.simulator import Step
        from kiosk.cli.simulate import start_simulators
        sims = start_simulators(tempfile.mkdtemp(prefix="kiosk-provision-"), script=[Step(wait=600)], pace=False)
        reader_url, printer_url = reader_url or sims.reader_url, printer_url or sims.printer_url
        click.echo(f"演示：读卡器和打印机检查使用模拟器（{reader_url}，{printer_url}）")
    try:
        checks = provision(instance, server, code, config_path=Path(config_path) if config_path else None,
                           reader=reader_url, printer=printer_url, profile=profile_name,
                           test_page=not no_test_page, echo=click.echo)
    finally:
        if sims is not None:
            sims.stop()
    passed = len(checks.items) - checks.failures
    if checks.failures:
        click.echo(f"登记未完成：{passed} 项通过，{checks.failures} 项失败。处理失败项后可直接重新运行本命令。")
        sys.exit(1)
    click.echo(f"登记完成：{passed} 项全部通过。启动终端程序：systemctl restart kiosk")


@main.command("sync")
@_config_option
@_instance_option
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
def sync_cmd(config_path, instance_dir, as_json):
    """同步一次办事指南，报告有哪些变化（运行中的终端程序会按自己的周期自动同步）。"""
    from kiosk.fleet.sync import sync_once

    instance, settings, client = _linked(config_path, instance_dir)
    result = sync_once(instance, client, settings.public_key)
    if as_json:
        click.echo(json.dumps(result.__dict__, ensure_ascii=False))
    else:
        click.echo(result.message)
        if result.changed and result.downloaded:
            click.echo("下载：" + "、".join("站点信息" if d == "site" else d for d in result.downloaded)
                       + f"（{result.bytes} 字节）")
    sys.exit(0 if result.ok else (3 if result.offline else 1))


@main.command("upload")
@_config_option
@_instance_option
def upload_cmd(config_path, instance_dir):
    """把待上传的事件（评价、取号、打印、设备故障）全部上传一次。"""
    from kiosk.fleet.outbox import Outbox, upload

    instance, _settings, client = _linked(config_path, instance_dir)
    outbox = Outbox.for_instance(instance)
    result = upload(outbox, client)
    click.echo(f"上传 {result.batches} 批：新保存 {result.sent} 个，服务器此前已收到 {result.duplicates} 个，"
               f"被拒收 {len(result.rejected)} 个；还剩 {result.remaining} 个待上传。")
    for r in result.rejected:
        click.echo(f"  拒收 {r['key']}：{r['reason']}")
    if result.error:
        click.echo(f"上传中断：{result.error}", err=True)
        sys.exit(3)


def _device_probe(config_path, instance: Path):
    """A callable that reports this kiosk's reader and printer, as configured in its kiosk.toml."""
    from kiosk.config import load_config
    from kiosk.fleet.heartbeat import probe_devices

    cfg_path = Path(config_path) if config_path else instance / "kiosk.toml"
    cfg = load_config(cfg_path if cfg_path.is_file() else None)
    return lambda: probe_devices(cfg.reader, cfg.printer, cfg.printer_profile)


@main.command("heartbeat")
@_config_option
@_instance_option
def heartbeat_cmd(config_path, instance_dir):
    """发送一次心跳（版本、打印机和读卡器状态、程序版本、运行时间、磁盘空间、待上传数）。"""
    from kiosk.fleet.device_client import DeviceApiError, Offline
    from kiosk.fleet.heartbeat import collect
    from kiosk.fleet.outbox import Outbox

    instance, _settings, client = _linked(config_path, instance_dir)
    outbox = Outbox.for_instance(instance)
    data = collect(instance, outbox.backlog(), _device_probe(config_path, instance))
    try:
        client.heartbeat(data)
    except (Offline, DeviceApiError) as exc:
        click.echo(f"心跳未送达：{getattr(exc, 'message', exc)}", err=True)
        sys.exit(3)
    click.echo("心跳已送达：" + json.dumps(data, ensure_ascii=False))


@main.command("agent")
@_config_option
@_instance_option
def agent_cmd(config_path, instance_dir):
    """不启动界面，只运行后台任务：定时同步内容、上传事件、发送心跳（Ctrl+C 停止）。"""
    import signal
    import threading

    from kiosk.fleet.agent import FleetAgent
    from kiosk.fleet.settings import load_token

    instance, settings, _client = _linked(config_path, instance_dir)
    agent = FleetAgent(instance, settings, load_token(instance),
                       probe=_device_probe(config_path, instance),
                       on_release=lambda r: click.echo(r.message))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    agent.start()
    click.echo(f"后台任务已启动：{settings.server}，终端 {settings.name}")
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    agent.stop()
