"""Shown when no valid release or content folder exists: a plain message, no crash."""
from __future__ import annotations

from kivy.properties import StringProperty

from kiosk.app.screens import load_kv
from kiosk.app.screens.common import KioskScreen


class NoContentScreen(KioskScreen):
    problem = StringProperty("")


load_kv(__file__)
