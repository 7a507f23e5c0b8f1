"""Technician commands for the card reader and receipt printer."""
from __future__ import annotations

from kiosk.cli import main  # noqa: F401
