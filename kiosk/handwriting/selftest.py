"""Self-test of handwriting recognition: the library loads, the model opens, and a 十 written
as a horizontal then a vertical stroke comes back as the first candidate."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

from kiosk.handwriting.recognizer import HandwritingUnavailable, Recognizer
from kiosk.handwriting.zinnia import DEFAULT_MODEL, LIBRARY_NAMES, version
from kiosk.selfcheck import SelfTestItem

WHAT = "手写识别"
# 十 on a 300 x 300 pad: 一 left to right, then 丨 top to bottom, a point every 10 pixels
SAMPLE_SHI = ([(x, 140) for x in range(40, 261, 10)], [(150, y) for y in range(30, 281, 10)])


def selftest(model: Path | str = DEFAULT_MODEL, *, library: Sequence[str] = LIBRARY_NAMES) -> SelfTestItem:
    """Open the model and recognise 十; never raises. state "missing" when the library or model is
    not installed, "fault" when it opens but does not recognise 十."""
    try:
        rec = Recognizer(model, library=library)
    except HandwritingUnavailable as exc:
        return SelfTestItem(WHAT, False, f"{exc.detail}（需安装 libzinnia0 和 tegaki-zinnia-simplified-chinese）",
                            "missing")
    try:
        result = rec.recognize([list(s) for s in SAMPLE_SHI], (300, 300))
        size = rec.size
    except Exception as exc:  # a broken model must show as a failed line, not a traceback
        return SelfTestItem(WHAT, False, f"识别出错：{type(exc).__name__}", "fault")
    finally:
        rec.close()
    if result.chars[:1] != ["十"]:
        got = "、".join(result.chars[:3]) or "无结果"
        return SelfTestItem(WHAT, False, f"试写“十”未能识别（得到：{got}），模型 {model} 可能已损坏", "fault")
    return SelfTestItem(WHAT, True, f"Zinnia {version()}，模型 {Path(model).name} 共 {size} 字，试写“十”识别正确",
                        "ok")
