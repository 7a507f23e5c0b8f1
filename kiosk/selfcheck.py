"""One line of the kiosk's self-test, for the parts that are not devices (handwriting, speech).

``kiosk selftest`` prints each device as ``[通过] 读卡器 …：安全模块正常…`` or ``[失败] …：…`` and the
heartbeat reports each as ``{"state": ..., "text": ...}``; a ``SelfTestItem`` carries both, so the
handwriting model and the speech engine can be listed the same way as the reader and printer.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SelfTestItem:
    """what: the part, in Chinese (e.g. 手写识别); ok: passed; detail: what was found, in Chinese;
    state: the heartbeat's word for it — "ok", "missing" (not installed) or "fault"."""
    what: str
    ok: bool
    detail: str
    state: str

    def line(self) -> str:
        """The self-test's line, e.g. ``[通过] 手写识别：…``."""
        return f"[{'通过' if self.ok else '失败'}] {self.what}：{self.detail}"

    def heartbeat(self) -> dict[str, str]:
        """The heartbeat's ``{"state", "text"}`` (text cut to 200 characters)."""
        return {"state": self.state, "text": self.detail[:200]}
