"""What the guide editor's workflow refuses, shared by the shared-guide and hall services.

Every message is Chinese, for people; views turn OutOfScope into 403, NotFound into 404 and
the rest into 400. No Flask.
"""
from __future__ import annotations

from guides.check_one import GuideCheck


class EditorError(Exception):
    """A request the workflow refuses; the message is Chinese, for people."""


class NotFound(EditorError):
    pass


class OutOfScope(EditorError):
    """The user's scope (guides.scopes) does not cover what they tried to change."""


class CheckFailed(EditorError):
    """The content checker found errors; `check` holds them (guides.check_one.GuideCheck)."""

    def __init__(self, check: GuideCheck):
        self.check = check
        super().__init__(f"内容检查未通过（{len(check.errors)} 处错误），请先按提示修改。")
