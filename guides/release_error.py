"""The error of a release that cannot be read (guides.release re-exports it)."""
from __future__ import annotations


class ReleaseError(Exception):
    """A release that cannot be read, is corrupt, or does not exist; the message names the
    release or file (Chinese, for the operator)."""
