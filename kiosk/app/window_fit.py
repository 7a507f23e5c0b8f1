"""A windowed kiosk (a developer's desk, `kiosk run --windowed`) fits the screen it opens on.

The kiosk screens are laid out in pixels for the terminal's panel, 1080x1920 or 1920x1080; a
1080x1920 window on a 1920x1080 desktop ran off the screen. The window is made as large as
the desktop's usable area allows with the panel's aspect, and the app is drawn at the panel's
size and scaled into it (KioskApp wraps its root in a Scatter), so the layout is the
terminal's, only smaller; touches are scaled back by the Scatter.

The usable area comes from the SDL library Kivy's window runs on
(SDL_GetDisplayUsableBounds of the first display), found among the libraries this process
has loaded; nothing is guessed when it cannot be found.
"""
from __future__ import annotations

import ctypes
import logging

log = logging.getLogger(__name__)

MARGIN = 0.95   # of the usable area: room for the window's frame and title bar


def fit_scale(panel: tuple[int, int], usable: tuple[int, int], margin: float = MARGIN) -> float:
    """How much a window of `panel` px must shrink (<= 1) to fit `margin` of `usable` px, aspect kept."""
    pw, ph = panel
    uw, uh = usable
    if pw <= 0 or ph <= 0 or uw <= 0 or uh <= 0:
        return 1.0
    return min(1.0, uw * margin / pw, uh * margin / ph)


class _Rect(ctypes.Structure):
    _fields_ = [("x", ctypes.c_int), ("y", ctypes.c_int), ("w", ctypes.c_int), ("h", ctypes.c_int)]


def _loaded_sdl() -> str | None:
    """The path of the SDL2 library this process has loaded (Kivy's window), or None."""
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
            for line in maps:
                path = line.rsplit(" ", 1)[-1].strip()
                name = path.rsplit("/", 1)[-1]
                if name.startswith("libSDL2-2") or name.startswith("libSDL2.") or name == "libSDL2-2.0.so.0":
                    return path
    except OSError:
        return None
    return None


def usable_display_size(display: int = 0) -> tuple[int, int] | None:
    """The usable size (px, without panels and docks) of `display`, from the window's SDL; None
    when SDL is not loaded or does not know (e.g. no display at all)."""
    path = _loaded_sdl()
    if path is None:
        return None
    try:
        sdl = ctypes.CDLL(path)
        rect = _Rect()
        if sdl.SDL_GetNumVideoDisplays() <= display or sdl.SDL_GetDisplayUsableBounds(display, ctypes.byref(rect)):
            return None
    except (OSError, AttributeError) as e:
        log.info("no display bounds from %s: %s", path, e)
        return None
    return (rect.w, rect.h) if rect.w > 0 and rect.h > 0 else None
