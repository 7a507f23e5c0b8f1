"""Everything the kiosk says to citizens about devices, in plain Chinese with a next step.

`reader_message` / `printer_message` turn a device exception into one of these.
Messages never contain card data.
"""
from __future__ import annotations

PLACE_CARD = "请将身份证放在读卡区"
READING_CARD = "正在读取身份证，请不要移动证件"
NO_CARD = "没有检测到身份证。请将身份证平放在读卡区，再点“重新读卡”"
CARD_UNREADABLE = "身份证没有读出来。请拿起证件，重新平放在读卡区，再点“重新读卡”；仍不行请联系工作人员"
CARD_UNSUPPORTED = "这张证件暂时不能在本机取号，请到人工窗口取号"
READER_UNAVAILABLE = "读卡器暂不可用，请到人工窗口取号或联系工作人员"
PRINTER_UNAVAILABLE = "打印机暂不可用，请扫码带走或联系工作人员"
TICKET_PRINTER_UNAVAILABLE = "打印机暂不可用，请记下屏幕上的排队号，或联系工作人员"
TICKET_NOT_ISSUED = "打印机暂不可用，暂时不能取号，请到人工窗口取号或联系工作人员"
PRINTING = "正在打印，请稍候……"
PRINTED = "打印完成，请从出纸口取走一次告知单"
TICKET_PRINTED = "取号成功，请取走排队号和身份证，留意叫号"
NO_CONTENT = "本机暂时没有可用的办事指南，请联系工作人员"
SEARCH_HELP = "请向大厅工作人员求助，说出您要办的事，他们会帮您找到办事指南。"
STALE_CONTENT = "离线"


def reader_message(error: BaseException) -> str:
    from hardware import exceptions as exc

    if isinstance(error, exc.NoCardTimeout) or isinstance(error, exc.NoCard):
        return NO_CARD
    if isinstance(error, exc.UnknownCardType):
        return CARD_UNSUPPORTED
    if isinstance(error, (exc.CardSelectFailed, exc.CardReadFailed, exc.CardAuthenticationFailed,
                          exc.CardDataError, exc.FrameError)):
        return CARD_UNREADABLE
    return READER_UNAVAILABLE


def printer_message(error: BaseException | None, for_ticket: bool = False) -> str:
    return TICKET_PRINTER_UNAVAILABLE if for_ticket else PRINTER_UNAVAILABLE
