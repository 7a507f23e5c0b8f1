"""Printer status from DLE EOT n (n = 1 printer, 2 offline cause, 3 error cause, 4 paper).

Every answer byte has the fixed pattern 0xx1xx10 (mask 0x93 == 0x12).  A
printer that does not answer is *unknown*, never "paper ok".
"""
from __future__ import annotations

from dataclasses import dataclass, field

DLE_EOT = b"\x10\x04"
FIXED_MASK, FIXED_BITS = 0x93, 0x12

# n=1 printer status
OFFLINE = 0x08
# n=2 offline cause
COVER_OPEN = 0x04
FEED_BUTTON = 0x08
PAPER_END_STOP = 0x20
ERROR_OCCURRED = 0x40
# n=3 error cause
RECOVERABLE_ERROR = 0x04
CUTTER_ERROR = 0x08
UNRECOVERABLE_ERROR = 0x20
AUTO_RECOVERABLE_ERROR = 0x40
# n=4 paper roll sensor
NEAR_END = 0x0C
PAPER_OUT = 0x60

PAPER_OK, PAPER_NEAR_END, PAPER_OUT_STATE, PAPER_UNKNOWN = "ok", "near_end", "out", "unknown"


def valid_status_byte(b: int) -> bool:
    return b & FIXED_MASK == FIXED_BITS


@dataclass(frozen=True)
class PrinterStatus:
    answered: bool
    online: bool | None = None
    paper: str = PAPER_UNKNOWN
    cover_open: bool | None = None
    cutter_error: bool | None = None
    unrecoverable_error: bool | None = None
    auto_recoverable_error: bool | None = None
    raw: dict[int, int] = field(default_factory=dict)

    @classmethod
    def unknown(cls) -> "PrinterStatus":
        return cls(answered=False)

    @classmethod
    def from_bytes(cls, answers: dict[int, int]) -> "PrinterStatus":
        """Build from the bytes answered to DLE EOT n (missing or malformed n: unknown)."""
        raw = {n: b for n, b in answers.items() if b is not None and valid_status_byte(b)}
        if not raw:
            return cls.unknown()
        s1, s2, s3, s4 = (raw.get(n) for n in (1, 2, 3, 4))
        online = None if s1 is None else not s1 & OFFLINE
        cover = None if s2 is None else bool(s2 & COVER_OPEN)
        if s4 is not None:
            paper = PAPER_OUT_STATE if s4 & PAPER_OUT else PAPER_NEAR_END if s4 & NEAR_END else PAPER_OK
        else:
            paper = PAPER_UNKNOWN
        if s2 is not None and s2 & PAPER_END_STOP:
            paper = PAPER_OUT_STATE
        cutter = None if s3 is None else bool(s3 & CUTTER_ERROR)
        unrec = None if s3 is None else bool(s3 & UNRECOVERABLE_ERROR)
        auto = None if s3 is None else bool(s3 & (AUTO_RECOVERABLE_ERROR | RECOVERABLE_ERROR))
        if s2 is not None and s2 & ERROR_OCCURRED and s3 is None:
            unrec = True  # an error we cannot name is still an error
        return cls(True, online, paper, cover, cutter, unrec, auto, raw)

    @property
    def ready(self) -> bool:
        """Online, paper present, cover closed, no error: a receipt will print."""
        return (self.answered and self.online is True and self.paper in (PAPER_OK, PAPER_NEAR_END)
                and self.cover_open is False and self.cutter_error is False
                and self.unrecoverable_error is False and self.auto_recoverable_error is False)

    def problems(self) -> list[tuple[str, str]]:
        """(zh, en) phrases for everything that is wrong or unknown."""
        if not self.answered:
            return [("打印机无应答（未开机、未接通或不支持状态查询），状态未知",
                     "no answer to status request: offline or unknown")]
        out = []
        if self.cover_open:
            out.append(("打印机盖未关好", "cover open"))
        if self.paper == PAPER_OUT_STATE:
            out.append(("打印纸已用完，请装纸", "paper out"))
        if self.cutter_error:
            out.append(("切刀故障", "cutter error"))
        if self.unrecoverable_error:
            out.append(("打印机出现不可恢复的故障，请断电检修", "unrecoverable error"))
        if self.auto_recoverable_error:
            out.append(("打印头过热或暂时故障，稍后自动恢复", "auto-recoverable error"))
        if self.online is False and not out:
            out.append(("打印机处于离线状态", "offline"))
        unknown = [zh for zh, v in (("联机状态", self.online), ("纸张", None if self.paper == PAPER_UNKNOWN else 1),
                                    ("机盖", self.cover_open), ("错误状态", self.cutter_error)) if v is None]
        if unknown:
            out.append((f"部分状态未应答（{'、'.join(unknown)})", "some status requests unanswered"))
        return out

    def warnings(self) -> list[tuple[str, str]]:
        if self.answered and self.paper == PAPER_NEAR_END:
            return [("打印纸即将用完，请及时更换", "paper near end")]
        return []

    def describe_zh(self) -> str:
        problems = self.problems()
        if problems:
            return ";".join(zh for zh, _ in problems)
        text = "就绪：已联机，有纸，机盖关闭，无故障"
        warnings = self.warnings()
        return text + ("(" + ";".join(zh for zh, _ in warnings) + ")" if warnings else "")

    def describe_en(self) -> str:
        problems = self.problems()
        if problems:
            return "; ".join(en for _, en in problems)
        return "ready" + "".join(f" ({en})" for _, en in self.warnings())

    def to_dict(self) -> dict:
        return {
            "ready": self.ready,
            "answered": self.answered,
            "online": self.online,
            "paper": self.paper,
            "cover_open": self.cover_open,
            "cutter_error": self.cutter_error,
            "unrecoverable_error": self.unrecoverable_error,
            "auto_recoverable_error": self.auto_recoverable_error,
            "raw": {str(n): f"0x{b:02X}" for n, b in sorted(self.raw.items())},
            "text": self.describe_zh(),
        }


@dataclass(frozen=True)
class SimulatedState:
    """What a printer would answer; used by the simulator (and handy in tests)."""

    paper: str = PAPER_OK
    cover_open: bool = False
    offline: bool = False
    cutter_error: bool = False
    unrecoverable_error: bool = False
    auto_recoverable_error: bool = False

    def answer(self, n: int) -> int:
        b = FIXED_BITS
        if n == 1:
            if self.offline or self.cover_open or self.paper == PAPER_OUT_STATE or self._error:
                b |= OFFLINE
        elif n == 2:
            b |= COVER_OPEN if self.cover_open else 0
            b |= PAPER_END_STOP if self.paper == PAPER_OUT_STATE else 0
            b |= ERROR_OCCURRED if self._error else 0
        elif n == 3:
            b |= CUTTER_ERROR if self.cutter_error else 0
            b |= UNRECOVERABLE_ERROR if self.unrecoverable_error else 0
            b |= AUTO_RECOVERABLE_ERROR if self.auto_recoverable_error else 0
        elif n == 4:
            b |= {PAPER_NEAR_END: NEAR_END, PAPER_OUT_STATE: PAPER_OUT}.get(self.paper, 0)
        return b

    @property
    def _error(self) -> bool:
        return self.cutter_error or self.unrecoverable_error or self.auto_recoverable_error
