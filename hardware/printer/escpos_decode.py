"""A small ESC/POS decoder: bytes in, printed lines, images, codes and cuts out.

It understands the commands this package sends (and the common ones other
software sends) so that the printer simulator can answer DLE EOT and draw a
preview, and tests can read back what a receipt really says.  It is
incremental: feed it bytes as they arrive, split anywhere.
"""
from __future__ import annotations

from dataclasses import dataclass, field

ALIGNS = {0: "left", 1: "center", 2: "right", 48: "left", 49: "center", 50: "right"}


@dataclass(frozen=True)
class Segment:
    text: str
    bold: bool = False
    double_width: bool = False
    double_height: bool = False


@dataclass(frozen=True)
class Line:
    segments: tuple[Segment, ...]
    align: str = "left"

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.segments)


@dataclass(frozen=True)
class RasterImage:
    width_bytes: int
    rows: int
    data: bytes
    align: str = "left"


@dataclass(frozen=True)
class QRCode:
    data: str
    module: int = 3
    ec: str = "L"
    align: str = "left"


@dataclass(frozen=True)
class BarcodeOp:
    kind: int
    data: str
    height: int = 162
    module: int = 3
    hri: int = 0
    align: str = "left"


@dataclass(frozen=True)
class FeedOp:
    lines: int


@dataclass(frozen=True)
class CutOp:
    partial: bool


@dataclass(frozen=True)
class StatusRequest:
    n: int


@dataclass(frozen=True)
class Unknown:
    data: bytes


class _Incomplete(Exception):
    pass


@dataclass
class _State:
    chinese: bool = False
    bold: bool = False
    dw: bool = False
    dh: bool = False
    cdw: bool = False  # FS ! (Chinese characters)
    cdh: bool = False
    align: str = "left"
    qr_module: int = 3
    qr_ec: str = "L"
    qr_data: bytes = b""
    bc_height: int = 162
    bc_module: int = 3
    bc_hri: int = 0
    segments: list = field(default_factory=list)


class EscposDecoder:
    def __init__(self, charset: str = "gb18030") -> None:
        self.charset = charset
        self._buf = bytearray()
        self.s = _State()
        self.ops: list = []

    def feed(self, data: bytes) -> list:
        """Decode what can be decoded; returns the ops completed by this data."""
        self._buf += data
        out: list = []
        pos = 0
        buf = self._buf
        while pos < len(buf):
            try:
                pos = self._one(buf, pos, out)
            except _Incomplete:
                break
        del buf[:pos]
        self.ops.extend(out)
        return out

    def flush(self) -> list:
        """End of stream: emit a pending unterminated line."""
        out: list = []
        self._flush_text(out)
        self.ops.extend(out)
        return out

    # -- helpers ---------------------------------------------------------
    @staticmethod
    def _need(buf, pos, n):
        if pos + n > len(buf):
            raise _Incomplete()
        return buf[pos:pos + n]

    def _add_text(self, text: str, out_is_chinese: bool) -> None:
        s = self.s
        dw = s.cdw if out_is_chinese else s.dw
        dh = s.cdh if out_is_chinese else s.dh
        seg = Segment(text, s.bold, dw, dh)
        if s.segments and s.segments[-1][1:] == (seg.bold, seg.double_width, seg.double_height):
            s.segments[-1] = (s.segments[-1][0] + text,) + s.segments[-1][1:]
        else:
            s.segments.append((text, seg.bold, seg.double_width, seg.double_height))

    def _flush_text(self, out, force: bool = False) -> None:
        s = self.s
        if s.segments or force:
            out.append(Line(tuple(Segment(*t) for t in s.segments), s.align))
            s.segments = []

    def _one(self, buf, pos: int, out: list) -> int:
        b = buf[pos]
        s = self.s
        if b == 0x0A:
            self._flush_text(out, force=True)
            return pos + 1
        if b == 0x0D:
            return pos + 1
        if b == 0x09:
            self._add_text(" ", False)
            return pos + 1
        if b == 0x10:  # DLE
            cmd = self._need(buf, pos, 3)
            if cmd[1] == 0x04:
                out.append(StatusRequest(cmd[2]))
                return pos + 3
            if cmd[1] == 0x05:  # DLE ENQ n
                return pos + 3
            if cmd[1] == 0x14:  # DLE DC4 fn a b
                self._need(buf, pos, 5)
                return pos + 5
            out.append(Unknown(bytes(cmd[:2])))
            return pos + 2
        if b == 0x1B:
            return self._esc(buf, pos, out)
        if b == 0x1D:
            return self._gs(buf, pos, out)
        if b == 0x1C:
            return self._fs(buf, pos, out)
        if b < 0x20 or b == 0x7F:
            out.append(Unknown(bytes([b])))
            return pos + 1
        if b < 0x80:
            end = pos
            while end < len(buf) and 0x20 <= buf[end] < 0x7F:
                end += 1
            self._add_text(bytes(buf[pos:end]).decode("ascii"), False)
            return end
        if not s.chinese:
            self._add_text("?", False)  # a code-page character we do not model
            return pos + 1
        two = self._need(buf, pos, 2)
        n = 4 if 0x30 <= two[1] <= 0x39 else 2
        raw = bytes(self._need(buf, pos, n))
        try:
            ch = raw.decode(self.charset)
        except UnicodeDecodeError:
            ch = "\ufffd"
        self._add_text(ch, True)
        return pos + n

    def _esc(self, buf, pos, out) -> int:
        s = self.s
        c = self._need(buf, pos, 2)[1]
        if c == 0x40:  # ESC @
            chinese = s.chinese
            self._flush_text(out)
            self.s = _State()
            self.s.chinese = chinese  # FS & survives ESC @ on most Chinese firmware
            return pos + 2
        if c in (0x32,):  # ESC 2
            return pos + 2
        if c in (0x45, 0x47):  # ESC E n / ESC G n
            s.bold = bool(self._need(buf, pos, 3)[2] & 1)
            return pos + 3
        if c == 0x61:  # ESC a n
            s.align = ALIGNS.get(self._need(buf, pos, 3)[2], "left")
            return pos + 3
        if c == 0x64:  # ESC d n
            n = self._need(buf, pos, 3)[2]
            self._flush_text(out)
            out.append(FeedOp(n))
            return pos + 3
        if c == 0x21:  # ESC ! n
            n = self._need(buf, pos, 3)[2]
            s.bold = bool(n & 0x08)
            s.dh, s.dw = bool(n & 0x10), bool(n & 0x20)
            return pos + 3
        if c in (0x33, 0x2D, 0x4A, 0x4D, 0x74, 0x52, 0x20, 0x56, 0x7B, 0x63):  # one-parameter commands
            self._need(buf, pos, 3)
            return pos + 3
        if c == 0x70:  # ESC p m t1 t2
            self._need(buf, pos, 5)
            return pos + 5
        if c == 0x69 or c == 0x6D:  # ESC i / ESC m: cut
            self._flush_text(out)
            out.append(CutOp(partial=c == 0x6D))
            return pos + 2
        out.append(Unknown(bytes(buf[pos:pos + 2])))
        return pos + 2

    def _fs(self, buf, pos, out) -> int:
        s = self.s
        c = self._need(buf, pos, 2)[1]
        if c == 0x26:
            s.chinese = True
            return pos + 2
        if c == 0x2E:
            s.chinese = False
            return pos + 2
        if c == 0x21:  # FS ! n
            n = self._need(buf, pos, 3)[2]
            s.cdw, s.cdh = bool(n & 0x04), bool(n & 0x08)
            return pos + 3
        if c in (0x2D, 0x43, 0x53, 0x57):  # FS - n, FS C n, FS S n1 (n2 below), FS W n
            self._need(buf, pos, 3)
            if c == 0x53:
                self._need(buf, pos, 4)
                return pos + 4
            if c == 0x57:
                n = buf[pos + 2] & 1
                s.cdw = s.cdh = bool(n)
            return pos + 3
        out.append(Unknown(bytes(buf[pos:pos + 2])))
        return pos + 2

    def _gs(self, buf, pos, out) -> int:
        s = self.s
        c = self._need(buf, pos, 2)[1]
        if c == 0x21:  # GS ! n
            n = self._need(buf, pos, 3)[2]
            s.dw, s.dh = (n >> 4) > 0, (n & 0x0F) > 0
            return pos + 3
        if c == 0x56:  # GS V m [n]
            m = self._need(buf, pos, 3)[2]
            length = 4 if m in (65, 66, 97, 98, 103, 104) else 3
            self._need(buf, pos, length)
            self._flush_text(out)
            out.append(CutOp(partial=m in (1, 49, 66, 98, 104)))
            return pos + length
        if c == 0x76:  # GS v 0 m xL xH yL yH d...
            head = self._need(buf, pos, 8)
            wb = head[4] | head[5] << 8
            rows = head[6] | head[7] << 8
            data = bytes(self._need(buf, pos, 8 + wb * rows)[8:])
            self._flush_text(out)
            out.append(RasterImage(wb, rows, data, s.align))
            return pos + 8 + wb * rows
        if c == 0x28:  # GS ( x pL pH ...
            head = self._need(buf, pos, 5)
            n = head[3] | head[4] << 8
            body = bytes(self._need(buf, pos, 5 + n)[5:])
            if head[2] == 0x6B and len(body) >= 2 and body[0] == 49:  # GS ( k, QR (cn=49)
                fn = body[1]
                if fn == 67 and len(body) >= 3:
                    s.qr_module = body[2]
                elif fn == 69 and len(body) >= 3:
                    s.qr_ec = {48: "L", 49: "M", 50: "Q", 51: "H"}.get(body[2], "L")
                elif fn == 80:
                    s.qr_data = body[3:]
                elif fn == 81:
                    self._flush_text(out)
                    out.append(QRCode(s.qr_data.decode("utf-8", errors="replace"), s.qr_module, s.qr_ec, s.align))
            return pos + 5 + n
        if c in (0x68, 0x77, 0x48, 0x66):  # GS h / w / H / f
            n = self._need(buf, pos, 3)[2]
            if c == 0x68:
                s.bc_height = n
            elif c == 0x77:
                s.bc_module = n
            elif c == 0x48:
                s.bc_hri = n
            return pos + 3
        if c == 0x6B:  # GS k m ...
            m = self._need(buf, pos, 3)[2]
            if m <= 6:  # NUL-terminated forms
                end = buf.find(b"\x00", pos + 3)
                if end < 0:
                    raise _Incomplete()
                data, nxt = bytes(buf[pos + 3:end]), end + 1
            else:
                n = self._need(buf, pos, 4)[3]
                data, nxt = bytes(self._need(buf, pos, 4 + n)[4:]), pos + 4 + n
            text = data.decode("ascii", errors="replace")
            if m == 73 and text[:2] in ("{A", "{B", "{C"):
                text = text[2:].replace("{{", "{")
            self._flush_text(out)
            out.append(BarcodeOp(m, text, s.bc_height, s.bc_module, s.bc_hri, s.align))
            return nxt
        if c in (0x42, 0x4C, 0x57, 0x61, 0x62):  # GS B n, GS a n, GS b n (GS L/W take 2)
            length = 4 if c in (0x4C, 0x57) else 3
            self._need(buf, pos, length)
            return pos + length
        out.append(Unknown(bytes(buf[pos:pos + 2])))
        return pos + 2


def decode(data: bytes, charset: str = "gb18030") -> list:
    """All ops in ``data`` (a complete stream)."""
    d = EscposDecoder(charset)
    d.feed(data)
    d.flush()
    return d.ops


def text_lines(data: bytes, charset: str = "gb18030") -> list[str]:
    """Just the printed text lines, in order."""
    return [op.text for op in decode(data, charset) if isinstance(op, Line)]
