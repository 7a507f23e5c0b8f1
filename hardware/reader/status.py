"""SW3 status codes of GA/T 467 replies, with text for people and logs."""
from __future__ import annotations

from dataclasses import dataclass

from hardware import exceptions as exc


@dataclass(frozen=True)
class Status:
    code: int
    name: str
    zh: str
    en: str
    error: type[exc.ReaderStatusError] | None  # None: success

    @property
    def ok(self) -> bool:
        return self.error is None


_TABLE = [
    Status(0x90, "ok", "操作成功", "operation successful", None),
    Status(0x9F, "card_found", "找到证件", "card found", None),
    Status(0x80, "no_card", "未找到证件，请将证件放在感应区", "no card found", exc.NoCard),
    Status(0x81, "select_failed", "选取证件失败，请重新放卡", "selecting the card failed", exc.CardSelectFailed),
    Status(0x41, "read_failed", "读取证件失败，请重新放卡", "reading the card failed", exc.CardReadFailed),
    Status(0x10, "checksum_error", "阅读器收到的命令校验和错误", "reader received a command with a bad checksum",
           exc.CommandRejected),
    Status(0x11, "length_error", "阅读器收到的命令长度错误", "reader received a command with a bad length",
           exc.CommandRejected),
    Status(0x21, "bad_parameter", "命令参数错误", "bad command parameter", exc.CommandRejected),
    Status(0x23, "unauthorised", "越权操作", "operation not authorised", exc.CommandRejected),
    Status(0x24, "unknown_error", "阅读器无法识别的错误", "unrecognised error", exc.CommandRejected),
    Status(0x31, "card_auth_failed", "证件认证安全模块失败", "card failed to authenticate the SAM",
           exc.CardAuthenticationFailed),
    Status(0x32, "sam_auth_failed", "安全模块认证证件失败", "SAM failed to authenticate the card",
           exc.CardAuthenticationFailed),
    Status(0x33, "check_failed", "证件信息验证错误", "card information check failed", exc.CardAuthenticationFailed),
    Status(0x40, "unknown_card_type", "无法识别的证件类型", "unknown card type", exc.UnknownCardType),
    Status(0x60, "sam_self_test_failed", "安全模块自检失败，请联系维护人员", "SAM self-test failed", exc.SamError),
    Status(0x66, "sam_not_authorised", "安全模块未经授权，请联系维护人员", "SAM not authorised", exc.SamError),
]

STATUSES: dict[int, Status] = {s.code: s for s in _TABLE}


def lookup(code: int) -> Status:
    """The Status for an SW3 byte; unknown codes become a generic failure."""
    try:
        return STATUSES[code]
    except KeyError:
        return Status(code, "unlisted", "阅读器返回未知状态", "unlisted reader status", exc.ReaderStatusError)


def raise_for(code: int) -> Status:
    status = lookup(code)
    if status.error is not None:
        raise status.error(status)
    return status
