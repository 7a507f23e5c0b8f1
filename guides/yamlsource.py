"""YAML loading that can point at the line of every key and value.

Data is loaded with libyaml (when present); the table of lines, ``{path: line}``
where a path is a tuple of keys and list indexes such as ``("materials", 2,
"name")``, is built only when a finding needs it, from the composed node tree.
Lines are 1-based.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Path_ = tuple[str | int, ...]


class YamlSyntaxError(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


class _Loader(_Base):
    """Safe loader that records duplicate keys instead of silently keeping the last."""

    def __init__(self, stream):
        super().__init__(stream)
        self.duplicates: list[tuple[str, int]] = []

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else id(key_node)
            if key in seen:
                self.duplicates.append((str(key), key_node.start_mark.line + 1))
            seen.add(key)
        return super().construct_mapping(node, deep)


@dataclass
class SourceDoc:
    path: str
    data: Any
    text: str = ""
    duplicate_keys: list[tuple[str, int]] = field(default_factory=list)
    _value_lines: dict[Path_, int] | None = field(default=None, repr=False)
    _key_lines: dict[Path_, int] = field(default_factory=dict, repr=False)

    def _lines(self) -> dict[Path_, int]:
        if self._value_lines is None:
            self._value_lines = {}
            node = yaml.compose(self.text, Loader=_Base) if self.text else None
            if node is not None:
                self._mark(node, ())
        return self._value_lines

    def _mark(self, node: yaml.Node, path: Path_) -> None:
        self._value_lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                child = path + (key_node.value if isinstance(key_node, yaml.ScalarNode) else "?",)
                self._key_lines.setdefault(child, key_node.start_mark.line + 1)
                self._mark(value_node, child)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                self._mark(item, path + (i,))

    def line(self, path: Path_) -> int:
        """Line of the key (or value) at `path`, or of its nearest ancestor present."""
        values = self._lines()
        p = tuple(path)
        while p:
            if p in self._key_lines:
                return self._key_lines[p]
            if p in values:
                return values[p]
            p = p[:-1]
        return values.get((), 1)


def _locate_constructor_error(text: str, exc: Exception) -> YamlSyntaxError:
    """Find the scalar that failed to construct (e.g. the date 2026-13-01)."""
    constructor = yaml.constructor.SafeConstructor()
    stack = [yaml.compose(text, Loader=_Base)]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            stack.extend(v for pair in node.value for v in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif node is not None:
            try:
                constructor.construct_object(node)
            except (ValueError, yaml.YAMLError) as inner:
                return YamlSyntaxError(node.start_mark.line + 1, f"无法识别的值 {node.value}:{inner}")
    return YamlSyntaxError(1, str(exc))


def parse_yaml(text: str, path: str) -> SourceDoc:
    loader = _Loader(text)
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise YamlSyntaxError(line, (exc.problem or str(exc)).strip()) from None
    except yaml.YAMLError as exc:  # e.g. a reader error on a control character
        raise YamlSyntaxError(getattr(getattr(exc, "mark", None), "line", 0) + 1, str(exc)) from None
    except ValueError as exc:  # an impossible date and the like: find its line
        raise _locate_constructor_error(text, exc) from None
    finally:
        loader.dispose()
    return SourceDoc(path=path, data=data, text=text, duplicate_keys=loader.duplicates)


def read_yaml(path: Path, display: str, raw: bytes | None = None) -> SourceDoc:
    """Parse YAML file `path` (named `display` in messages); `raw`: its bytes, already read."""
    if raw is None:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise FileNotFoundError(f"{display}: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise YamlSyntaxError(line, "文件不是 UTF-8 编码") from None
    return parse_yaml(text, display)
