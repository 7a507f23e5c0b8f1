"""A small ctypes binding to Zinnia, the online handwriting recogniser (Debian's libzinnia0).

Only what recognition needs is bound: a recogniser opened on a model file, a character made of
strokes of integer points on a canvas of a given width and height, and the n best results with
their SVM scores (higher is better; the scale is the model's own). Zinnia's C API is in
zinnia.h (``zinnia_recognizer_*``, ``zinnia_character_*``, ``zinnia_result_*``).

No maintained Python wheel of Zinnia is published on PyPI, and Debian ships no Python 3 binding,
so the Debian library is loaded through ctypes; the library and the model are Debian packages
(``libzinnia0``, ``tegaki-zinnia-simplified-chinese``) installed by ``scripts/setup``.

Errors: ``ZinniaUnavailable`` when the shared library cannot be loaded or the model cannot be
opened. A Zinnia recogniser is not documented as thread-safe: callers serialise ``classify``
(``kiosk.handwriting.recognizer.Recognizer`` holds a lock).
"""
from __future__ import annotations

import ctypes
import ctypes.util
from pathlib import Path
from typing import Sequence

LIBRARY_NAMES = ("libzinnia.so.0", "libzinnia.so")
DEFAULT_MODEL = Path("/usr/share/tegaki/models/zinnia/handwriting-zh_CN.model")


class ZinniaUnavailable(RuntimeError):
    """The Zinnia library or its model is missing or unreadable; ``zh`` says which, in Chinese."""

    def __init__(self, message: str, zh: str) -> None:
        super().__init__(message)
        self.zh = zh


_lib: ctypes.CDLL | None = None


def load_library(names: Sequence[str] = LIBRARY_NAMES) -> ctypes.CDLL:
    """Load libzinnia (the default names once) and declare the functions used; raises ZinniaUnavailable."""
    global _lib
    default = tuple(names) == LIBRARY_NAMES
    if _lib is not None and default:
        return _lib
    lib = None
    candidates = list(names)
    found = ctypes.util.find_library("zinnia") if default else None
    if found and found not in candidates:
        candidates.append(found)
    for name in candidates:
        try:
            lib = ctypes.CDLL(name)
            break
        except OSError:
            continue
    if lib is None:
        raise ZinniaUnavailable(
            f"cannot load the Zinnia library (tried {', '.join(candidates)}); install libzinnia0",
            "未找到手写识别库 libzinnia0")
    p, c_size, c_int, c_char_p, c_float = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int,
                                           ctypes.c_char_p, ctypes.c_float)
    for fname, restype, argtypes in (
        ("zinnia_recognizer_new", p, []),
        ("zinnia_recognizer_destroy", None, [p]),
        ("zinnia_recognizer_open", c_int, [p, c_char_p]),
        ("zinnia_recognizer_close", c_int, [p]),
        ("zinnia_recognizer_size", c_size, [p]),
        ("zinnia_recognizer_strerror", c_char_p, [p]),
        ("zinnia_recognizer_classify", p, [p, p, c_size]),
        ("zinnia_character_new", p, []),
        ("zinnia_character_destroy", None, [p]),
        ("zinnia_character_clear", None, [p]),
        ("zinnia_character_set_width", None, [p, c_size]),
        ("zinnia_character_set_height", None, [p, c_size]),
        ("zinnia_character_add", c_int, [p, c_size, c_int, c_int]),
        ("zinnia_result_value", c_char_p, [p, c_size]),
        ("zinnia_result_score", c_float, [p, c_size]),
        ("zinnia_result_size", c_size, [p]),
        ("zinnia_result_destroy", None, [p]),
        ("zinnia_version", c_char_p, []),
    ):
        fn = getattr(lib, fname)
        fn.restype = restype
        fn.argtypes = argtypes
    if default:
        _lib = lib
    return lib


def version() -> str:
    """The loaded Zinnia's version string, e.g. "0.06"."""
    return load_library().zinnia_version().decode("ascii", "replace")


class ZinniaModel:
    """One opened Zinnia model: ``classify(strokes, width, height, nbest)``.

    ``strokes`` are sequences of integer (x, y) points on a canvas ``width`` x ``height``
    (Zinnia divides by them: features are positions relative to the canvas). Returns
    [(character, score), ...] best first, at most ``nbest`` entries; an empty list for no strokes.
    Call ``close()`` (or use as a context manager) to free the model.
    """

    def __init__(self, model: Path | str = DEFAULT_MODEL, *, library: Sequence[str] = LIBRARY_NAMES) -> None:
        self._lib = load_library(library)
        path = Path(model)
        if not path.is_file():
            raise ZinniaUnavailable(f"handwriting model not found: {path}; install tegaki-zinnia-simplified-chinese",
                                    f"未找到手写识别模型 {path}")
        self._rec = self._lib.zinnia_recognizer_new()
        if not self._rec:
            raise ZinniaUnavailable("zinnia_recognizer_new failed", "手写识别无法启动")
        if not self._lib.zinnia_recognizer_open(self._rec, str(path).encode()):
            err = (self._lib.zinnia_recognizer_strerror(self._rec) or b"").decode("utf-8", "replace")
            self._lib.zinnia_recognizer_destroy(self._rec)
            self._rec = None
            raise ZinniaUnavailable(f"cannot open handwriting model {path}: {err}",
                                    f"手写识别模型 {path} 无法打开")
        self.path = path
        self._char = self._lib.zinnia_character_new()

    @property
    def size(self) -> int:
        """How many characters the model knows."""
        return int(self._lib.zinnia_recognizer_size(self._rec))

    def classify(self, strokes: Sequence[Sequence[tuple[int, int]]], width: int, height: int,
                 nbest: int = 10) -> list[tuple[str, float]]:
        if self._rec is None:
            raise ZinniaUnavailable("the model is closed", "手写识别已关闭")
        lib, ch = self._lib, self._char
        lib.zinnia_character_clear(ch)
        lib.zinnia_character_set_width(ch, int(width))
        lib.zinnia_character_set_height(ch, int(height))
        added = 0
        for sid, stroke in enumerate(strokes):
            for x, y in stroke:
                lib.zinnia_character_add(ch, sid, int(x), int(y))
                added += 1
        if not added:
            return []
        result = lib.zinnia_recognizer_classify(self._rec, ch, int(nbest))
        if not result:
            return []
        try:
            out = []
            for i in range(lib.zinnia_result_size(result)):
                value = lib.zinnia_result_value(result, i)
                if value:
                    out.append((value.decode("utf-8", "replace"), float(lib.zinnia_result_score(result, i))))
            return out
        finally:
            lib.zinnia_result_destroy(result)

    def close(self) -> None:
        """Free the character and the recogniser; classify afterwards raises ZinniaUnavailable."""
        if self._char:
            self._lib.zinnia_character_destroy(self._char)
            self._char = None
        if self._rec:
            self._lib.zinnia_recognizer_close(self._rec)
            self._lib.zinnia_recognizer_destroy(self._rec)
            self._rec = None

    def __enter__(self) -> "ZinniaModel":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass
