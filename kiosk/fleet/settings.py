"""The kiosk's link to its guide server, written by `kiosk provision`.

Two files in the instance folder, beside kiosk.toml:

    fleet.toml      server URL, kiosk name, hall, ticket prefix, the pinned release-signing
                    public key and the sync / heartbeat / upload intervals
    device-token    the per-device bearer token, mode 0600 (the server keeps only its hash)

kiosk.toml (kiosk/config.py) stays the app's file: devices, screen, queues.
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path

FLEET_FILE = "fleet.toml"
TOKEN_FILE = "device-token"


class FleetConfigError(Exception):
    """Missing or unusable fleet settings; the message says what to do (Chinese)."""


@dataclass
class FleetSettings:
    server: str
    name: str
    hall: str
    tag: str
    public_key: str
    key_id: str
    poll_seconds: float = 300        # manifest poll, ± 20 % jitter
    heartbeat_seconds: float = 60
    upload_seconds: float = 15

    def to_toml(self) -> dict:
        return {"server": asdict(self)}


def instance_for(config_path: str | Path | None, instance_dir: str | Path | None) -> Path:
    """The instance folder: --instance, else $KIOSK_INSTANCE, else the folder of --config, else ./instance."""
    if instance_dir:
        return Path(instance_dir).resolve()
    if os.environ.get("KIOSK_INSTANCE"):
        return Path(os.environ["KIOSK_INSTANCE"]).resolve()
    if config_path:
        return Path(config_path).resolve().parent
    return Path("instance").resolve()


def load_settings(instance: Path) -> FleetSettings:
    path = instance / FLEET_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))["server"]
        return FleetSettings(**data)
    except FileNotFoundError:
        raise FleetConfigError(f"{path} 不存在：本机还没有登记到服务器。请先运行 "
                               "kiosk provision --server 服务器地址 --code 登记码") from None
    except (tomllib.TOMLDecodeError, KeyError, TypeError) as exc:
        raise FleetConfigError(f"{path} 无法使用（{exc}）。请重新运行 kiosk provision。") from None


def save_settings(instance: Path, settings: FleetSettings) -> Path:
    import tomli_w

    from guides.release import atomic_write

    instance.mkdir(parents=True, exist_ok=True)
    path = instance / FLEET_FILE
    atomic_write(path, tomli_w.dumps(settings.to_toml()).encode("utf-8"))
    return path


def load_token(instance: Path) -> str:
    path = instance / TOKEN_FILE
    try:
        token = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        raise FleetConfigError(f"{path} 不存在：本机没有终端凭证。请运行 kiosk provision。") from None
    if not token:
        raise FleetConfigError(f"{path} 是空的。请重新运行 kiosk provision。")
    return token


def save_token(instance: Path, token: str) -> Path:
    """Write the token readable by its owner only (0600), atomically."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / TOKEN_FILE
    tmp = instance / f".{TOKEN_FILE}.tmp"
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(token + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    os.chmod(path, 0o600)
    return path
