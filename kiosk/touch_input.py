"""Which Kivy input provider reads the touchscreen: exactly one per device.

Kivy's default input section on Linux has two: `mouse` (SDL, which turns a finger into
mouse events) and `%(name)s = probesysfs` (the kernel's multitouch device through mtdev or
hidinput). A touchscreen is then seen by both and one tap arrives twice. The kiosk writes
its own section instead (`screen.touch_input` in kiosk.toml):

- ``sdl`` (default): the SDL window only; the touchscreen arrives as a single-touch
  pointer, as does a technician's USB mouse;
- ``mtdev`` / ``hidinput``: the touchscreen read from /dev/input by that provider only
  (probesysfs picks devices with multitouch axes); SDL's pointer events are not used.

Plain Python: `kiosk.cli.app.configure_kivy` puts the section into Kivy's Config.
"""
from __future__ import annotations

# kiosk.toml value -> Kivy [input] section (name -> provider spec)
TOUCH_INPUTS: dict[str, dict[str, str]] = {
    "sdl": {"mouse": "mouse,disable_multitouch"},
    "mtdev": {"touchscreen": "probesysfs,provider=mtdev"},
    "hidinput": {"touchscreen": "probesysfs,provider=hidinput"},
}


def input_section(touch_input: str) -> dict[str, str]:
    """Kivy's [input] section for `touch_input` (a key of TOUCH_INPUTS); KeyError otherwise."""
    return dict(TOUCH_INPUTS[touch_input])
