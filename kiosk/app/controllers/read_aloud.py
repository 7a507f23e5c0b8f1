"""Read-aloud (语音播报) on the screens: the guide's summary and materials on 朗读, and the key
prompts as they appear. Plain Python; the host provides ``speaker`` (kiosk.speech.Speaker),
``elder`` and ``screen(name)``; the guide screen has ``reading`` (bool) and ``voice_message``.

What is read comes from guide content and the screens' fixed messages only — never from the
card holder's data: ``Narrator`` has no parameter for it, and ``speech_text`` strips anything
that looks like an ID or mobile number besides.

    materials_for_reading(guide) -> [MaterialGroup | str, ...]
"""
from __future__ import annotations

import re

import logging

from kiosk.app.controllers.guide_view import guide_summary
from kiosk.speech import MaterialGroup, Narrator, SpeechResult

log = logging.getLogger(__name__)

OPTIONAL_LABEL = "视情况提供"


def _value(x) -> str:
    return str(getattr(x, "value", x) or "")


def _spoken_material(m) -> str:
    """"居民身份证（原件）", "近期免冠一寸照片（原件，2 份）": name, then form and copies when stated."""
    extra = [_value(getattr(m, "form", None))]
    copies = getattr(m, "copies", None)
    if copies and copies > 1:
        extra.append(f"{copies} 份")
    extra = [e for e in extra if e]
    return f"{m.name}（{'，'.join(extra)}）" if extra else m.name


def _fetched(m) -> bool:
    """The office fetches it by data sharing: the citizen brings nothing (免提交)."""
    return bool(getattr(m, "shared", False)) or _value(getattr(m, "necessity", None)) == "免提交"


def materials_for_reading(guide, answers=None) -> list:
    """The materials a citizen must bring, as the Narrator takes them: the required ones first as a
    plain list, groups to choose from under their own label ("身份证明，任选一种"), then the
    optional ones under 视情况提供. Materials the office fetches itself are not read. Works on
    the guide model's materials (a plain list, or materials and ``one_of`` groups); with
    `answers` (a 情形 path) only that path's materials (guides.cases.resolve)."""
    required: list[str] = []
    groups: list[MaterialGroup] = []
    optional: list[str] = []
    entries = getattr(guide, "materials", ()) or ()
    if answers:
        from guides.cases import resolve
        entries = list(resolve(guide, answers).materials)
    for m in entries:
        items = getattr(m, "items", None)
        if getattr(m, "one_of", None) and items:
            names = [_spoken_material(i) for i in items if not _fetched(i)]
            choose = getattr(m, "choose", 1) or 1
            if names:
                groups.append(MaterialGroup(f"{m.one_of}，以下任选{choose}种", names))
            continue
        if _fetched(m):
            continue
        (required if getattr(m, "required", True) else optional).append(_spoken_material(m))
    out: list = list(required) + list(groups)
    if optional:
        out.append(MaterialGroup(OPTIONAL_LABEL, optional))
    return out


def summary_for_reading(guide, answers=None) -> str:
    """The facts at the top of the guide screen (办理时限, 收费, 到现场) as one sentence for the ear,
    for the 情形 path `answers` when given; where the screen says 需缴费，见下方 the listener hears
    the fee standard itself."""
    from guides.present import guide_view

    view = guide_view(guide, None, answers)
    fee_lines = next((f.lines for f in view.facts if f.label == "收费"), ())
    parts = []
    for label, value in guide_summary(guide, None, view):
        fee = getattr(guide, "fee", None)
        if label == "收费" and getattr(fee, "charged", False) and fee_lines:
            value = "；".join(re.sub(r"^〔情形：(.*?)〕", r"\1：", line) for line in fee_lines)
        elif label == "收费":
            value = value.replace("，见下方", "")
        parts.append(f"{label}：{value}")
    return "。".join(parts)


class ReadAloud:
    """朗读 on the guide screen and spoken prompts; see the module docstring."""

    def __init__(self, host, narrator: Narrator | None = None) -> None:
        self.host = host
        self.narrator = narrator or Narrator()
        self._guide_text: str | None = None

    @property
    def settings(self):
        return self.host.speaker.settings

    def button_shown(self) -> bool:
        """Whether 朗读 shows now: voice on, and 长辈模式 (or the standard mode when set)."""
        return self.settings.show_read_button(bool(self.host.elder))

    def read_guide(self, guide, answers=None) -> str | None:
        """Read the guide's title (with the chosen 情形 when `answers` name a path), its one-line
        summary (``summary_for_reading``) and its materials (``materials_for_reading``), as the
        screen shows them; returns the text handed to the speaker, or None when there is nothing
        to say (voice off)."""
        scr = self.host.screen("guide")
        title = guide.name
        if answers:
            from guides.cases import resolve
            title += "，" + "，".join(a.option.label for a in resolve(guide, answers).answers)
        text = self.narrator.guide(title, summary_for_reading(guide, answers), materials_for_reading(guide, answers))
        said = self.host.speaker.say(text)
        self._guide_text = said
        scr.voice_message = ""
        scr.reading = said is not None
        return said

    def stop(self) -> None:
        """Stop reading (停止朗读, leaving the guide, the idle reset)."""
        self._guide_text = None
        self.host.speaker.stop()
        scr = self.host.screen("guide")
        scr.reading = False

    def prompt(self, message: str) -> str | None:
        """Say a key prompt shown on a screen (请将身份证放在读卡区, 打印完成…, a fault and its next
        step) when spoken prompts are on; returns the text handed to the speaker, or None."""
        if not message:
            return None
        try:
            return self.host.speaker.prompt(self.narrator.prompt(message))
        except Exception:  # a prompt is never worth an error on the screen
            log.exception("spoken prompt failed")
            return None

    def result(self, text: str, result: SpeechResult) -> None:
        """The speaker finished ``text`` (on the UI thread): the guide screen's 朗读 turns back,
        and a failure shows the calm line (语音播报暂不可用，请看屏幕上的文字。)."""
        if text != self._guide_text:
            return
        self._guide_text = None
        scr = self.host.screen("guide")
        scr.reading = False
        scr.voice_message = result.message_zh
