"""Recognising one handwritten character from the strokes drawn on the kiosk's 手写 pad.

``Recognizer.recognize(strokes, pad_size)`` takes the strokes as the pad recorded them — lists of
(x, y) points in pad pixels, origin at the pad's top-left corner and y growing downwards (pass
``y_up=True`` for Kivy's bottom-left origin) — and returns a ``Recognition``: the candidate
characters best first, and a status the screen can turn into words.

What happens to the strokes before Zinnia sees them:

- the pad is scaled uniformly (aspect ratio kept, centred) onto the model's 300 x 300 canvas, the
  size the Simplified-Chinese Tegaki model answers best at; points outside the pad are clamped to
  its edge, and a stroke with no point on the pad at all is dropped;
- empty strokes are dropped; consecutive points closer than 2 canvas units are merged, so a
  finger resting on the glass adds nothing; a tap (one point) is read as a short dot (点);
- a *scribble* is recognised as nothing (status ``"scribble"``): a stroke that reverses direction
  sharply more than ``MAX_SHARP_TURNS`` times or whose ink is longer than ``MAX_STROKE_LENGTH``
  canvas sides (the most convoluted strokes of the standard stroke table, e.g. 横折折折钩 of 乃,
  turn four times), or more than ``MAX_STROKES`` strokes;
- candidates the model scores below ``min_score`` are left out; when none is left the status is
  ``"unclear"``.

Candidates are ranked by the model's score within three tiers: characters in ``prefer`` (the
screen passes the characters its search index knows, so what can be found comes first) scored
within ``PREFER_MARGIN`` of the best candidate, then the 3,755 common characters of GB 2312-80
level 1 (一级汉字), then the rest (radicals such as 囗 丶, rare characters). The margin keeps a
character written clearly in first place even when no guide holds it: 十 scores about 0.95 and
the next candidates below -0.7, so 二 (in the guides) does not jump ahead of it, while 入 (-0.47)
still comes before 人 (-0.19) when only 入 can be found. Errors: ``HandwritingUnavailable`` (library or model missing) from the
constructor; ``recognize`` itself raises nothing for any stroke input.
"""
from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Collection, Iterable, Sequence

from kiosk.handwriting.zinnia import DEFAULT_MODEL, LIBRARY_NAMES, ZinniaModel, ZinniaUnavailable

CANVAS = 300                 # the model's canvas side, in its own units
MIN_STEP = 2.0               # canvas units between kept points
TURN_STEP = 12.0             # canvas units between the points a turn is measured on
SHARP_TURN_DEGREES = 120.0   # a direction change at least this sharp counts as a reversal
MAX_SHARP_TURNS = 6          # per stroke; more is a scribble
MAX_STROKE_LENGTH = 4.0      # canvas sides of ink in one stroke; more is a scribble
TAP_DOT = 6.0                # canvas units: a tap becomes a dot this long
MAX_STROKES = 36             # strokes in one character (the most complex common ones have ~30)
DEFAULT_MIN_SCORE = -1.5     # Zinnia SVM score below which a candidate is not offered
PREFER_MARGIN = 0.5          # a preferred character is moved up only this close to the best score
DEFAULT_NBEST = 8

UNAVAILABLE_ZH = "手写识别暂不可用，请使用拼音输入。"
NOT_RECOGNISED_ZH = "没有认出这个字，请点“重写”后再写一次。"

Point = tuple[float, float]
Stroke = Sequence[Point]


class HandwritingUnavailable(RuntimeError):
    """Handwriting recognition cannot run here (library or model missing or unreadable).

    ``zh`` is the calm message for the citizen (手写识别暂不可用，请使用拼音输入。);
    ``detail`` says, in Chinese, what is missing, for the technician's self-test.
    """

    def __init__(self, detail: str, cause: str = "") -> None:
        super().__init__(cause or detail)
        self.zh = UNAVAILABLE_ZH
        self.detail = detail


@dataclass(frozen=True)
class Candidate:
    """One candidate character and the model's score for it (higher is better, roughly -2..2)."""
    char: str
    score: float


@dataclass(frozen=True)
class Recognition:
    """The answer for one set of strokes.

    status: "ok" (candidates found), "empty" (no ink on the pad), "scribble", "unclear" (no
    candidate scored above the floor), "unavailable" (no library or model), "error" (the
    recogniser failed; details logged by the worker). ``strokes`` is how many strokes were used.
    """
    candidates: tuple[Candidate, ...] = ()
    status: str = "empty"
    strokes: int = 0

    @property
    def chars(self) -> list[str]:
        """The candidate characters, best first."""
        return [c.char for c in self.candidates]

    @property
    def message_zh(self) -> str:
        """What the pad shows beside an empty candidate row; "" when nothing needs saying."""
        if self.status in ("scribble", "unclear"):
            return NOT_RECOGNISED_ZH
        if self.status in ("unavailable", "error"):
            return UNAVAILABLE_ZH
        return ""


def gb2312_level(char: str) -> int:
    """1 for the GB 2312-80 level-1 (common) characters, 2 for level 2, 3 otherwise."""
    try:
        b = char.encode("gb2312")
    except UnicodeEncodeError:
        return 3
    if len(b) != 2:
        return 3
    if 0xB0 <= b[0] <= 0xD7:
        return 1
    if 0xD8 <= b[0] <= 0xF7:
        return 2
    return 3


@dataclass(frozen=True)
class PreparedStrokes:
    """Strokes on the model's canvas (integer points) and whether they look like a scribble."""
    strokes: tuple[tuple[tuple[int, int], ...], ...] = ()
    scribble: bool = False


def prepare(strokes: Iterable[Stroke], pad_size: tuple[float, float], *, y_up: bool = False) -> PreparedStrokes:
    """Map pad strokes onto the 300 x 300 canvas (see the module docstring); never raises.

    Malformed points (not two finite numbers) are skipped. A pad with a non-positive side yields
    no strokes.
    """
    try:
        width, height = float(pad_size[0]), float(pad_size[1])
    except (TypeError, ValueError, IndexError):
        return PreparedStrokes()
    if not (width > 0 and height > 0 and math.isfinite(width) and math.isfinite(height)):
        return PreparedStrokes()
    scale = CANVAS / max(width, height)
    ox = (CANVAS - width * scale) / 2
    oy = (CANVAS - height * scale) / 2
    out: list[tuple[tuple[int, int], ...]] = []
    scribble = False
    for stroke in strokes or ():
        pts: list[Point] = []
        inside = False
        for p in stroke or ():
            try:
                x, y = float(p[0]), float(p[1])
            except (TypeError, ValueError, IndexError):
                continue
            if not (math.isfinite(x) and math.isfinite(y)):
                continue
            if y_up:
                y = height - y
            if 0 <= x <= width and 0 <= y <= height:
                inside = True
            x = min(max(x, 0.0), width)
            y = min(max(y, 0.0), height)
            cx, cy = ox + x * scale, oy + y * scale
            if pts and math.hypot(cx - pts[-1][0], cy - pts[-1][1]) < MIN_STEP:
                continue
            pts.append((cx, cy))
        if not pts or not inside:
            continue
        if len(pts) == 1:  # a tap: read as a short dot (点), written towards the lower right
            x, y = pts[0]
            pts.append((min(x + TAP_DOT, CANVAS), min(y + TAP_DOT, CANVAS)))
        if _looks_scribbled(pts):
            scribble = True
        out.append(tuple((min(CANVAS, int(round(x))), min(CANVAS, int(round(y)))) for x, y in pts))
    if len(out) > MAX_STROKES:
        scribble = True
    return PreparedStrokes(tuple(out), scribble)


def _looks_scribbled(pts: Sequence[Point]) -> bool:
    length = sum(math.hypot(b[0] - a[0], b[1] - a[1]) for a, b in zip(pts, pts[1:]))
    if length > MAX_STROKE_LENGTH * CANVAS:
        return True
    # resample at TURN_STEP so finger jitter does not count as turning
    coarse = [pts[0]]
    for p in pts[1:]:
        if math.hypot(p[0] - coarse[-1][0], p[1] - coarse[-1][1]) >= TURN_STEP:
            coarse.append(p)
    turns = 0
    for a, b, c in zip(coarse, coarse[1:], coarse[2:]):
        h1 = math.atan2(b[1] - a[1], b[0] - a[0])
        h2 = math.atan2(c[1] - b[1], c[0] - b[0])
        d = abs(math.degrees(h2 - h1)) % 360
        if min(d, 360 - d) >= SHARP_TURN_DEGREES:
            turns += 1
    return turns > MAX_SHARP_TURNS


@dataclass
class Recognizer:
    """Zinnia with the Simplified-Chinese model, behind a lock (one classify at a time).

    ``Recognizer(model=..., nbest=8, min_score=-1.5)``; raises HandwritingUnavailable when the
    library or model is missing. ``recognize(strokes, pad_size, *, y_up=False, prefer=None)`` ->
    Recognition. ``close()`` frees the model.
    """
    model: Path | str = DEFAULT_MODEL
    nbest: int = DEFAULT_NBEST
    min_score: float = DEFAULT_MIN_SCORE
    library: Sequence[str] = LIBRARY_NAMES
    _zinnia: ZinniaModel = field(init=False, repr=False)
    _lock: threading.Lock = field(init=False, repr=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        try:
            self._zinnia = ZinniaModel(self.model, library=self.library)
        except ZinniaUnavailable as exc:
            raise HandwritingUnavailable(exc.zh, str(exc)) from exc

    @property
    def size(self) -> int:
        """How many characters the model knows (6,763 for the Simplified-Chinese model: GB 2312)."""
        return self._zinnia.size

    def recognize(self, strokes: Iterable[Stroke], pad_size: tuple[float, float], *, y_up: bool = False,
                  prefer: Collection[str] | None = None, nbest: int | None = None) -> Recognition:
        prepared = prepare(strokes, pad_size, y_up=y_up)
        return self.classify(prepared, prefer=prefer, nbest=nbest)

    def classify(self, prepared: PreparedStrokes, *, prefer: Collection[str] | None = None,
                 nbest: int | None = None) -> Recognition:
        """Recognise strokes already on the canvas (``prepare``'s output)."""
        n = len(prepared.strokes)
        if not n:
            return Recognition((), "empty", 0)
        if prepared.scribble:
            return Recognition((), "scribble", n)
        want = nbest or self.nbest
        # ask for more than shown, so the tiers can bring a common character up
        with self._lock:
            raw = self._zinnia.classify(prepared.strokes, CANVAS, CANVAS, max(want * 3, 20))
        kept = [Candidate(ch, score) for ch, score in raw if score >= self.min_score and ch.strip()]
        if not kept:
            return Recognition((), "unclear", n)
        preferred = set(prefer) if prefer else set()
        best = max(c.score for c in kept)

        def tier(c: Candidate) -> int:
            if c.char in preferred and c.score >= best - PREFER_MARGIN:
                return 0
            return gb2312_level(c.char)
        kept.sort(key=lambda c: (tier(c), -c.score))
        return Recognition(tuple(kept[:want]), "ok", n)

    def close(self) -> None:
        with self._lock:
            self._zinnia.close()
