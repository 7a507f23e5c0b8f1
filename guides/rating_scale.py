"""The 好差评 vocabulary shared by the kiosk and the guide server: levels, reasons, channels.

Levels are the five of GB/T 39734-2020 7.3 (非常满意 … 非常不满意); 不满意 and 非常不满意 are a
差评 (GB/T 39734 9, 国办发〔2019〕51号), which opens a follow-up case on the server.

Reasons are keyed by a stable id (stored and sent over the wire; never the label). The 差评
reasons are grouped under the second-level indicators of the national 好差评 evaluation content
(GB/T 39734 附录A; 线下: 服务效率、服务水平、服务态度; 线上: 办事指南精确度、办事便捷度、平台操作性),
each said the way a citizen would say it. Good reasons are offered for 满意 and 非常满意.

Channels (评价渠道, GB/T 39734 6): where a rating was given. Nothing else about the person is kept.
"""
from __future__ import annotations

# level value -> label, best first
LEVELS: dict[int, str] = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
BAD_LEVELS = frozenset({1, 2})      # 差评
SATISFIED_LEVELS = frozenset({3, 4, 5})  # counted as satisfied in the 满意率

GOOD_REASONS: dict[str, str] = {
    "clear": "指南清楚准确",
    "once": "一次办成",
    "fast": "办理快捷",
    "polite": "服务热情周到",
}
# id -> (label, national indicator it belongs to)
BAD_REASONS: dict[str, tuple[str, str]] = {
    "mismatch": ("指南与实际要求不一致", "办事指南精确度"),
    "extra": ("被要求提交指南以外的材料", "办事指南精确度"),
    "untold": ("没有一次性告知需要的材料", "服务水平"),
    "unskilled": ("工作人员业务不熟练", "服务水平"),
    "repeat": ("需要多次跑腿", "办事便捷度"),
    "slow": ("等候或办理时间长", "服务效率"),
    "overdue": ("超过承诺的办理时限", "服务效率"),
    "attitude": ("服务态度不好", "服务态度"),
    "device": ("自助设备或页面不好用", "平台操作性"),
}
REASONS: dict[str, str] = {**GOOD_REASONS, **{k: v[0] for k, v in BAD_REASONS.items()}}

CHANNELS: dict[str, str] = {"kiosk": "自助终端", "phone": "手机页面", "poster": "海报二维码", "window": "窗口二维码"}


def is_bad(level: int) -> bool:
    """True for 不满意 and 非常不满意 (a 差评)."""
    return level in BAD_LEVELS


def reasons_for(level: int) -> dict[str, str]:
    """The reasons offered for `level`: id -> label (差评 reasons for 1–2, good ones for 4–5, none for 3)."""
    if level in BAD_LEVELS:
        return {k: v[0] for k, v in BAD_REASONS.items()}
    if level >= 4:
        return dict(GOOD_REASONS)
    return {}


def reason_id(value: str) -> str | None:
    """The id of a reason given as id or as its label (older kiosks sent labels); None if unknown."""
    if value in REASONS:
        return value
    for k, label in REASONS.items():
        if label == value:
            return k
    return None
