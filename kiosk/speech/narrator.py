"""What the kiosk reads aloud: a guide's one-line summary and the materials of the citizen's case,
and the key prompts the screens show.

The narrator composes plain text from what it is given — guide content (title, summary, the
material names and group labels of the resolved case) and the screens' own prompt strings — and
passes it through ``speech_text``; it has no parameter for anything read from an ID card, so a
name or ID number has no way in. Every method returns the text to hand to ``Speaker.say`` (already
prepared; ``say`` preparing it again changes nothing).

    n = Narrator()
    n.guide("社会保障卡申领", "本人带身份证到窗口办理，当场制卡。",
            [MaterialGroup("必交材料", ["居民身份证（原件）", "近期免冠一寸照片 1 张"])])
    -> 社会保障卡申领。本人带身份证到窗口办理，当场制卡。请准备以下材料，共两项。必交材料：
       第一，居民身份证，原件。第二，近期免冠一寸照片一张。
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence, Union

from kiosk.speech.text import number, speech_text

_END = "。！？!?"
_TRIM = " \t\r\n，,；;、：:。"


@dataclass(frozen=True)
class MaterialGroup:
    """A group of materials as the case lists them: its label (e.g. 必交材料, 委托他人办理的还需)
    and the material names in order."""
    label: str
    materials: Sequence[str]


MaterialList = Sequence[Union[str, MaterialGroup]]


def _sentence(text: str) -> str:
    text = (text or "").strip()
    if not text:
        return ""
    return text if text[-1] in _END else text.rstrip(_TRIM) + "。"


def _spoken_name(name: str) -> str:
    # brackets are read as a pause: 居民身份证（原件） -> 居民身份证，原件
    name = re.sub(r"\s*[（(]\s*", "，", name.strip())
    name = re.sub(r"\s*[）)]\s*", "，", name)
    return name.strip(_TRIM)


def _items(names: Sequence[str]) -> str:
    names = [n for n in (_spoken_name(x) for x in names) if n]
    if len(names) == 1:
        return names[0] + "。"
    return "".join(f"第{number(str(i))}，{n}。" for i, n in enumerate(names, 1))


class Narrator:
    """Composes spoken text; holds no state and no personal data."""

    def guide(self, title: str, summary: str = "", materials: MaterialList = ()) -> str:
        """Title, one-line summary, then the materials: "请准备以下材料，共N项。" and each one in
        order ("第一，…。第二，…。"), under each group's label when groups are given. Loose names
        before the first group are read first. No materials: nothing is said about materials
        (the narrator does not claim none are needed)."""
        parts = [_sentence(title), _sentence(summary)]
        loose: list[str] = []
        groups: list[MaterialGroup] = []
        for item in materials or ():
            if isinstance(item, MaterialGroup):
                groups.append(item)
            elif isinstance(item, str):
                loose.append(item)
        total = len([n for n in loose if n.strip()]) + sum(len([n for n in g.materials if n.strip()]) for g in groups)
        if total:
            parts.append(f"请准备以下材料，共{total}项。")  # speech_text says 两项 for 2
            if loose:
                parts.append(_items(loose))
            for g in groups:
                names = [n for n in g.materials if n.strip()]
                if not names:
                    continue
                label = g.label.strip().rstrip(_TRIM)
                parts.append((label + "：" if label else "") + _items(names))
        return speech_text("".join(p for p in parts if p))

    def prompt(self, message: str) -> str:
        """A prompt exactly as the screen shows it (e.g. 请将身份证放在读卡区), as one sentence."""
        return speech_text(_sentence(message))

    def error(self, message: str, next_step: str = "") -> str:
        """An error and its next step: "打印机暂不可用。请扫码带走或联系工作人员。"."""
        return speech_text(_sentence(message) + _sentence(next_step))
