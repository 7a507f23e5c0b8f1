"""Kivy views: one module and one .kv file per screen, side by side.

Screens hold no state of their own beyond what they display; the state lives
in kiosk.app.controllers and the app object (kiosk.app.kiosk_app.KioskApp).
"""
from pathlib import Path

from kivy.lang import Builder

HERE = Path(__file__).parent


def load_kv(module_file: str) -> None:
    """Load the .kv file beside a screen module once."""
    path = str(Path(module_file).with_suffix(".kv"))
    if path not in Builder.files:
        Builder.load_file(path)
