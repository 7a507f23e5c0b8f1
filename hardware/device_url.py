"""Parsing of device URLs.

Readers:  ``ga467:///dev/ttyUSB0?baud=115200``, ``ga467+socket://127.0.0.1:7001``
Printers: ``usb://0416:5011``, ``serial:///dev/ttyS0?baud=9600``,
          ``tcp://10.0.0.5:9100``, ``file:///dev/usb/lp0``

Parsing only checks the shape of the URL; which schemes exist is decided by
each device facade's driver table.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from hardware.exceptions import DeviceUrlError


@dataclass(frozen=True)
class DeviceUrl:
    url: str
    scheme: str
    host: str = ""
    port: int | None = None
    path: str = ""
    params: dict[str, str] = field(default_factory=dict)

    def param_int(self, name: str, default: int | None = None) -> int | None:
        raw = self.params.get(name)
        if raw is None:
            return default
        try:
            return int(raw, 0)
        except ValueError:
            raise DeviceUrlError(
                f"设备地址 {self.url} 中的参数 {name}={raw} 不是整数",
                f"parameter {name}={raw!r} in {self.url} is not an integer",
            ) from None

    def check_params(self, allowed: set[str]) -> None:
        unknown = sorted(set(self.params) - allowed)
        if unknown:
            raise DeviceUrlError(
                f"设备地址 {self.url} 含有不认识的参数：{', '.join(unknown)}（可用：{', '.join(sorted(allowed)) or '无'})",
                f"unknown parameter(s) {unknown} in {self.url}; allowed: {sorted(allowed)}",
            )


def parse_device_url(url: str) -> DeviceUrl:
    """Split a device URL into its parts; raise DeviceUrlError when it is malformed."""
    if not isinstance(url, str) or "://" not in url:
        raise DeviceUrlError(
            f"设备地址 {url!r} 格式不对,应形如 ga467:///dev/ttyUSB0 或 tcp://10.0.0.5:9100",
            f"malformed device URL {url!r}",
        )
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if not scheme:
        raise DeviceUrlError(f"设备地址 {url!r} 缺少类型", f"device URL {url!r} has no scheme")
    try:
        params = dict(parse_qsl(parts.query, keep_blank_values=True, strict_parsing=bool(parts.query)))
    except ValueError:
        raise DeviceUrlError(f"设备地址 {url!r} 的参数无法解析", f"bad query string in {url!r}") from None
    netloc = parts.netloc
    host, port = netloc, None
    if netloc.startswith("["):  # [::1]:9100
        end = netloc.find("]")
        host = netloc[1:end]
        rest = netloc[end + 1:]
        if rest.startswith(":"):
            port = _port(rest[1:], url)
    elif ":" in netloc:
        host, _, raw_port = netloc.rpartition(":")
        port = _port(raw_port, url) if scheme != "usb" else None
        if scheme == "usb":
            host = netloc  # vendor:product, parsed by the usb driver
    return DeviceUrl(url=url, scheme=scheme, host=host, port=port, path=parts.path, params=params)


def _port(raw: str, url: str) -> int:
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise DeviceUrlError(f"设备地址 {url} 的端口号 {raw!r} 无效", f"bad port {raw!r} in {url}")
    return int(raw)
