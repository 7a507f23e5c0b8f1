"""YAML loading that can point at the line of every key and value.

Data is loaded with libyaml (when present); the table of lines, ``{path: line}``
where a path is a tuple of keys and list indexes such as ``("materials", 2,
"name")``, is built only when a finding needs it, from the composed node tree.
Lines are 1-based.

Content YAML is a plain tree: before any Python object is built, the event stream is
scanned and a document with an anchor (``&a``), an alias (``*a``) or nesting deeper than
`MAX_DEPTH` is refused (`YamlSyntaxError` at its line), so a self-referencing or "billion
laughs" file can neither recurse nor blow up. Files are read through `read_limited`: no
symlink is followed and no more than `MAX_BYTES` are read.
"""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Path_ = tuple[str | int, ...]

MAX_BYTES = 1024 * 1024
"""Largest content YAML file read, in bytes (1 MiB; the largest real guide is ~20 KiB)."""
MAX_DEPTH = 50
"""Deepest nesting of mappings and lists accepted (the content standard needs fewer than 10)."""


KEY_EXCERPT = 24
"""Most characters of a key or value from a file that a message repeats."""


def excerpt(value: object, limit: int = KEY_EXCERPT) -> str:
    """A short, printable excerpt of `value` for a message: control and format characters
    dropped, at most `limit` characters, "…" when cut (a file's content is never echoed)."""
    text = "".join(ch for ch in str(value) if ch.isprintable())
    return text if len(text) <= limit else text[:limit] + "…"


class YamlSyntaxError(yaml.YAMLError):
    """YAML refused at 1-based `line` with Chinese `message` (a yaml.YAMLError, so code
    that treats any YAML error as "unreadable" treats this one so too)."""

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
    _node: yaml.Node | None = field(default=None, repr=False)  # the composed tree the data came from

    def _lines(self) -> dict[Path_, int]:
        if self._value_lines is None:
            self._value_lines = {}
            node = self._node
            if node is None and self.text:
                node = yaml.compose(self.text, Loader=_Base)
            self._node = None  # lines are all we needed it for
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


class SourceRefused(FileNotFoundError):
    """A content file that is not read at all: a symlink, not a regular file, or larger
    than `MAX_BYTES`. ``str()`` is "path: reason" (Chinese), as FileNotFoundError from
    `read_yaml`; `strerror` is the reason alone."""

    def __init__(self, display: str, reason: str):
        super().__init__(reason)
        self.strerror = reason
        self.display = display

    def __str__(self) -> str:
        return f"{self.display}: {self.strerror}"


def read_limited(path: Path | str, display: str | None = None, limit: int = MAX_BYTES) -> bytes:
    """The bytes of content file `path`, read without following a symlink (O_NOFOLLOW)
    and never more than `limit` + 1 bytes. Raises `SourceRefused` for a symlink, a
    non-regular file or a file over `limit` bytes; other OSError as open() does."""
    display = str(path) if display is None else display
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        if os.path.islink(path):
            raise SourceRefused(display, "是符号链接，内容目录中不允许使用符号链接（不会读取其指向的文件）") from None
        raise exc
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise SourceRefused(display, "不是普通文件")
        if st.st_size > limit:
            raise SourceRefused(display, f"文件过大（{st.st_size} 字节），单个内容文件不能超过 {limit // 1024} KB")
        raw = f.read(limit + 1)
    if len(raw) > limit:
        raise SourceRefused(display, f"文件过大，单个内容文件不能超过 {limit // 1024} KB")
    return raw


def _surely_plain(text: str, max_depth: int) -> bool:
    """True when `text` can hold neither an anchor, an alias, a tag nor nesting deeper than
    `max_depth`, judged from its characters alone (then the event scan is not needed).

    Anchors, aliases, tags and explicit keys need "&", "*", "!" or "?"; in block style a
    nested collection starts further right than its parent, or after a "- " on the same line,
    or (a sequence under a key) at the key's column with its items' mappings two columns
    further right, so block depth is at most 2 x (the deepest indentation + the most "- " at
    the start of one line) + 2; flow style adds at most one level per "[" or "{". Any text
    this cannot vouch for is scanned."""
    if any(ch in text for ch in "&*!?\t\x85\u2028\u2029") or text.count("\r") != text.count("\r\n"):
        return False  # also tabs and line breaks other than LF / CRLF: lines are not what they seem
    brackets = text.count("[") + text.count("{")
    if brackets >= max_depth:
        return False
    deepest = 0
    for line in text.split("\n"):
        line = line.rstrip("\r")
        rest = line.lstrip(" ")
        indent = len(line) - len(rest)
        dashes = 0
        while rest.startswith("- ") or rest == "-":
            dashes += 1
            rest = rest[2:].lstrip(" ")
        deepest = max(deepest, indent + dashes)
    return 2 * deepest + 2 + brackets < max_depth


def check_plain_tree(text: str, max_depth: int = MAX_DEPTH) -> None:
    """Refuse YAML that is not a plain tree, scanning parser events only (no object is
    built): raises `YamlSyntaxError` at the line of the first anchor, alias or of the
    node that nests deeper than `max_depth`. Syntax errors surface as yaml.YAMLError.
    Text whose characters already rule all that out (`_surely_plain`) is not scanned."""
    if _surely_plain(text, max_depth):
        return
    depth = 0
    for event in yaml.parse(text, Loader=_Base):
        if isinstance(event, yaml.AliasEvent):
            raise YamlSyntaxError(event.start_mark.line + 1,
                                  f"不允许使用别名（*{event.anchor}），请把内容直接写出来")
        if isinstance(event, yaml.NodeEvent) and event.anchor is not None:
            raise YamlSyntaxError(event.start_mark.line + 1,
                                  f"不允许使用锚点（&{event.anchor}），请去掉锚点，把内容直接写出来")
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > max_depth:
                raise YamlSyntaxError(event.start_mark.line + 1, f"嵌套层次过深（超过 {max_depth} 层）")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def safe_load_plain(text: str) -> Any:
    """yaml.safe_load for a plain tree: `check_plain_tree` first, then the data. Raises
    `YamlSyntaxError` (a refused anchor, alias or depth) or yaml.YAMLError (syntax)."""
    check_plain_tree(text)
    return yaml.load(text, Loader=_Base)


def load_plain_file(path: Path | str) -> Any:
    """The data of YAML file `path` read as `read_limited` reads (no symlink, at most
    `MAX_BYTES`) and loaded as `safe_load_plain` loads (no anchor, alias or deep nesting).
    Raises OSError (SourceRefused among them), UnicodeDecodeError or yaml.YAMLError
    (YamlSyntaxError among them)."""
    try:
        return safe_load_plain(read_limited(path).decode("utf-8-sig"))
    except YamlSyntaxError as exc:  # name the line: callers put the path in front
        raise YamlSyntaxError(exc.line, f"第 {exc.line} 行：{exc.message}") from None


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
                return YamlSyntaxError(node.start_mark.line + 1, f"无法识别的值 {excerpt(node.value)}：{excerpt(inner, 80)}")
    return YamlSyntaxError(1, str(exc))


def parse_yaml(text: str, path: str) -> SourceDoc:
    """The SourceDoc of YAML `text` (named `path`); raises `YamlSyntaxError` (line, Chinese
    message) for a syntax error, an anchor or alias, or nesting deeper than `MAX_DEPTH`."""
    loader = _Loader(text)
    node = None
    try:
        check_plain_tree(text)
        node = loader.get_single_node()  # composed once: the data, and the lines messages point to
        data = loader.construct_document(node) if node is not None else None
    except YamlSyntaxError:
        raise
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
    return SourceDoc(path=path, data=data, text=text, duplicate_keys=loader.duplicates, _node=node)


def read_yaml(path: Path, display: str, raw: bytes | None = None) -> SourceDoc:
    """Parse YAML file `path` (named `display` in messages); `raw`: its bytes, already read."""
    if raw is None:
        try:
            raw = read_limited(path, display)
        except SourceRefused:
            raise
        except OSError as exc:
            raise FileNotFoundError(f"{display}: {exc.strerror}") from None
    elif len(raw) > MAX_BYTES:
        raise SourceRefused(display, f"文件过大（{len(raw)} 字节），单个内容文件不能超过 {MAX_BYTES // 1024} KB")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise YamlSyntaxError(line, "文件不是 UTF-8 编码") from None
    return parse_yaml(text, display)
