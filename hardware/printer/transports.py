"""How bytes reach a printer: python-escpos' transports, plus reading back.

Each transport writes through the python-escpos printer object's raw hook and
adds ``read(timeout)`` for status answers, which python-escpos does without a
timeout (or not at all for files).
"""
from __future__ import annotations

import os
import socket
import time

from hardware import exceptions as exc
from hardware.device_url import DeviceUrl
from hardware.readiness import readable


def _not_found(url: DeviceUrl, e: Exception) -> exc.DeviceNotFound:
    return exc.DeviceNotFound(f"无法连接打印机 {url.url}:请检查电源、连接线和设备地址",
                              f"cannot open printer {url.url}: {e}")


def _opened(url: DeviceUrl, printer, missing: str):
    """Open a python-escpos printer; any failure, or no device after opening, is DeviceNotFound."""
    try:
        printer.open()
    except Exception as e:
        raise _not_found(url, e) from None
    if not printer.device:
        raise _not_found(url, OSError(missing))
    return printer


class Transport:
    """Base: ``write(data)``, ``read(timeout) -> bytes`` (b'' when nothing came), ``close()``."""

    def __init__(self, url: DeviceUrl, printer) -> None:
        self.url = url
        self.printer = printer  # the python-escpos object

    def write(self, data: bytes) -> None:
        try:
            self.printer._raw(data)  # python-escpos' transport hook
        except (OSError, socket.error) as e:
            raise exc.PrinterDisconnected(f"向打印机 {self.url.url} 发送数据失败，连接已断开",
                                          f"write to {self.url.url} failed: {e}") from None
        except Exception as e:  # pyusb / pyserial errors
            raise exc.PrinterError(f"向打印机 {self.url.url} 发送数据失败", f"write to {self.url.url}: {e}") from None

    def read(self, timeout: float) -> bytes:
        return b""

    def drain(self) -> None:
        """Throw away bytes that arrived unasked (late answers to an earlier query)."""
        while self.read(0.0):
            pass

    def close(self) -> None:
        try:
            self.printer.close()
        except Exception:
            pass


class NetworkTransport(Transport):
    @classmethod
    def open(cls, url: DeviceUrl) -> "NetworkTransport":
        from escpos.printer import Network
        url.check_params({"timeout"})
        if not url.host:
            raise exc.DeviceUrlError(f"打印机地址 {url.url} 缺少主机名,应写成 tcp://10.0.0.5:9100",
                                     f"printer URL {url.url} has no host")
        printer = Network(host=url.host, port=url.port or 9100, timeout=float(url.params.get("timeout", 10)))
        _opened(url, printer, "not connected")
        printer.device.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return cls(url, printer)

    def read(self, timeout: float) -> bytes:
        sock = self.printer.device
        if not readable(sock, max(0.0, timeout)):
            return b""
        try:
            data = sock.recv(16)
        except OSError:
            return b""
        if not data:
            raise exc.PrinterDisconnected(f"打印机 {self.url.url} 断开了连接", f"{self.url.url} closed the connection")
        return data


class SerialTransport(Transport):
    @classmethod
    def open(cls, url: DeviceUrl) -> "SerialTransport":
        from escpos.printer import Serial
        url.check_params({"baud"})
        if not url.path:
            raise exc.DeviceUrlError(f"打印机地址 {url.url} 应写成 serial:///dev/ttyS0?baud=9600",
                                     f"printer URL {url.url} has no device path")
        printer = Serial(devfile=url.path, baudrate=url.param_int("baud", 9600), timeout=1)
        return cls(url, _opened(url, printer, "not opened"))

    def read(self, timeout: float) -> bytes:
        dev = self.printer.device
        dev.timeout = max(0.0, timeout)
        try:
            return dev.read(1)
        except Exception as e:
            raise exc.PrinterDisconnected(f"打印机 {self.url.url} 串口读取失败", f"{self.url.url}: {e}") from None


class UsbTransport(Transport):
    @classmethod
    def open(cls, url: DeviceUrl) -> "UsbTransport":
        from escpos.printer import Usb
        if not Usb.is_usable():
            raise exc.DriverUnavailable(
                "USB 打印机驱动无法加载:缺少 pyusb(请安装 pyusb 和 libusb-1.0)",
                "usb:// printers need pyusb (and libusb-1.0), which is not installed",
            )
        url.check_params({"interface", "in_ep", "out_ep", "timeout"})
        try:
            vendor, product = (int(x, 16) for x in url.host.split(":"))
        except ValueError:
            raise exc.DeviceUrlError(f"USB 打印机地址 {url.url} 应写成 usb://厂商号:产品号,如 usb://0416:5011",
                                     f"printer URL {url.url} must be usb://VVVV:PPPP") from None
        kwargs = {k: url.param_int(k) for k in ("interface", "in_ep", "out_ep", "timeout") if k in url.params}
        printer = Usb(idVendor=vendor, idProduct=product, **kwargs)
        return cls(url, _opened(url, printer, "no such USB device"))

    def read(self, timeout: float) -> bytes:
        try:
            return bytes(self.printer.device.read(self.printer.in_ep, 16, max(1, int(timeout * 1000))))
        except Exception:  # usb.core.USBTimeoutError and friends: no answer
            return b""


class FileTransport(Transport):
    """A device file such as /dev/usb/lp0 (usblp reads back status when the printer answers)."""

    _rfd: int | None = None

    @classmethod
    def open(cls, url: DeviceUrl) -> "FileTransport":
        from escpos.printer import File
        url.check_params(set())
        if not url.path:
            raise exc.DeviceUrlError(f"打印机地址 {url.url} 应写成 file:///dev/usb/lp0",
                                     f"printer URL {url.url} has no path")
        printer = File(devfile=url.path, auto_flush=True)
        return cls(url, _opened(url, printer, "cannot open"))

    def read(self, timeout: float) -> bytes:
        if os.path.isfile(self.url.path):
            return b""  # a plain file never answers
        if self._rfd is None:
            try:
                self._rfd = os.open(self.url.path, os.O_RDONLY | os.O_NONBLOCK)
            except OSError:
                return b""
        deadline = time.monotonic() + timeout
        while True:
            try:
                data = os.read(self._rfd, 16)
                if data:
                    return data
            except BlockingIOError:
                pass
            except OSError:
                return b""
            if time.monotonic() >= deadline:
                return b""
            time.sleep(0.02)

    def close(self) -> None:
        if self._rfd is not None:
            os.close(self._rfd)
            self._rfd = None
        super().close()
