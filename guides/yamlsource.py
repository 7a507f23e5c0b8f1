"""YAML loading that keeps the line number of every key and value.

PyYAML's composer (libyaml when present) builds a node tree with marks; we turn
it into plain Python data and a table ``{path: line}`` where a path is a tuple
of keys and list indexes, e.g. ``("materials", 2, "name")``. Lines are 1-based.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_constructor = yaml.constructor.SafeConstructor()

Path_ = tuple[str | int, ...]


class YamlSyntaxError(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass
class SourceDoc:
    path: str
    data: Any
    value_lines: dict[Path_, int] = field(default_factory=dict)
    key_lines: dict[Path_, int] = field(default_factory=dict)
    duplicate_keys: list[tuple[str, int]] = field(default_factory=list)

    def line(self, path: Path_) -> int:
        """Line of the value at `path`, or of its nearest ancestor present."""
        p = tuple(path)
        while p:
            if p in self.key_lines:
                return self.key_lines[p]
            if p in self.value_lines:
                return self.value_lines[p]
            p = p[:-1]
        return self.value_lines.get((), 1)


def _walk(node: yaml.Node, path: Path_, doc: SourceDoc) -> Any:
    doc.value_lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _constructor.construct_object(key_node, deep=True)
            if not isinstance(key, (str, int)):
                key = str(key)
            child = path + (key,)
            if key in out:
                doc.duplicate_keys.append((str(key), key_node.start_mark.line + 1))
            doc.key_lines[child] = key_node.start_mark.line + 1
            out[key] = _walk(value_node, child, doc)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_walk(item, path + (i,), doc) for i, item in enumerate(node.value)]
    try:
        return _constructor.construct_object(node, deep=True)
    except ValueError as exc:  # e.g. an impossible date such as 2026-13-01
        raise YamlSyntaxError(node.start_mark.line + 1, f"无法识别的值 {node.value}:{exc}") from None


def parse_yaml(text: str, path: str) -> SourceDoc:
    doc = SourceDoc(path=path, data=None)
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise YamlSyntaxError(line, (exc.problem or str(exc)).strip()) from None
    except yaml.YAMLError as exc:  # e.g. a reader error on a control character
        raise YamlSyntaxError(getattr(getattr(exc, "mark", None), "line", 0) + 1, str(exc)) from None
    if node is None:
        doc.data = None
        return doc
    try:
        doc.data = _walk(node, (), doc)
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise YamlSyntaxError(mark.line + 1 if mark else 1, (exc.problem or str(exc)).strip()) from None
    return doc


def read_yaml(path: Path, display: str) -> SourceDoc:
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
