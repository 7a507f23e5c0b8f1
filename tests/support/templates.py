"""Compiled Jinja templates shared by every Flask app a test session creates.

Most guide server tests build an app of their own (`create_app`), and each app has its own Jinja
environment, which compiles every template it renders from source again: about a tenth of a
second per test for the few pages a test opens. `SharedTemplateCache` is a Jinja bytecode cache
(the mechanism Jinja offers for exactly this) held in memory for the session, so a template is
compiled once per session and loaded from its compiled code afterwards.

It changes nothing a test can see: Jinja only uses cached code whose source checksum matches the
template's current source, and the cache key below also holds every environment setting that
shapes the compiled code, so an environment set up differently compiles its own.
"""
from __future__ import annotations

import threading

from jinja2 import BytecodeCache, Environment
from jinja2.bccache import Bucket

# Environment attributes that change what a template compiles to.
_COMPILE_SETTINGS = ("block_start_string", "block_end_string", "variable_start_string", "variable_end_string",
                     "comment_start_string", "comment_end_string", "line_statement_prefix",
                     "line_comment_prefix", "trim_blocks", "lstrip_blocks", "newline_sequence",
                     "keep_trailing_newline", "optimized")


class SharedTemplateCache(BytecodeCache):
    """A Jinja bytecode cache in memory, keyed by template name, file and compile settings."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def get_bucket(self, environment: Environment, name: str, filename: str | None, source: str) -> Bucket:
        settings = tuple(getattr(environment, a) for a in _COMPILE_SETTINGS)
        autoescape = environment.autoescape
        if callable(autoescape):  # Flask's select_jinja_autoescape: decided per template name
            autoescape = autoescape(name)
        extensions = tuple(sorted(environment.extensions))
        key = self.get_cache_key(name, filename) + repr((settings, autoescape, extensions))
        bucket = Bucket(environment, key, self.get_source_checksum(source))
        self.load_bytecode(bucket)
        return bucket

    def load_bytecode(self, bucket: Bucket) -> None:
        with self._lock:
            code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        code = bucket.bytecode_to_string()
        with self._lock:
            self._code[bucket.key] = code

    def clear(self) -> None:
        with self._lock:
            self._code.clear()
