"""Handwriting benchmark: time to recognise the character after each stroke.

    .venv/bin/python bench/bench_handwriting.py [--rounds N]

For each sample character (tests/kiosk/handwriting_samples.py: 十 户 社 人 口, written on a
600 x 600 pad with a point every 7 px) the pad asks for candidates after every stroke, with all
strokes so far. Measured side by side in one run:

1. bare Zinnia: ``ZinniaModel.classify`` on strokes already on the 300 x 300 canvas, 8 best —
   the floor no binding can beat;
2. ``Recognizer.recognize``: clamping, scaling, scribble check, 24 best, tiers — what the screen
   gets, per stroke. Target: <= 50 ms per stroke;
3. through ``RecognitionWorker``: from ``submit`` to the result callback on the worker thread
   (adds the thread hand-over).

Also prints the model's open time (the worker pays it once, off the UI thread).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kiosk.handwriting import RecognitionWorker, Recognizer, prepare  # noqa: E402
from kiosk.handwriting.recognizer import CANVAS  # noqa: E402
from kiosk.handwriting.zinnia import ZinniaModel  # noqa: E402
from tests.kiosk.handwriting_samples import CHARACTERS, draw  # noqa: E402

PAD = (600, 600)
TARGET_MS = 50.0


def _p95(samples: list[float]) -> float:
    s = sorted(samples)
    return s[min(len(s) - 1, int(round(0.95 * (len(s) - 1))))]


def _ms(samples: list[float]) -> str:
    s = sorted(samples)
    p95 = _p95(s)
    return f"median {statistics.median(s) * 1000:6.2f} ms   p95 {p95 * 1000:6.2f} ms   max {s[-1] * 1000:6.2f} ms"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=20, help="times each character is written (default 20)")
    args = ap.parse_args()

    t0 = time.perf_counter()
    rec = Recognizer()
    open_s = time.perf_counter() - t0
    bare = ZinniaModel()

    # every "after stroke k" request of every character, with a different tremble each round
    requests = []
    for r in range(args.rounds):
        for char in CHARACTERS:
            strokes = draw(char, PAD, seed=r)
            for k in range(1, len(strokes) + 1):
                requests.append(strokes[:k])
    canvas = [prepare(s, PAD).strokes for s in requests]

    t_bare, t_rec = [], []
    for strokes, on_canvas in zip(requests, canvas):   # interleaved, so load hits both alike
        t = time.perf_counter()
        bare.classify(on_canvas, CANVAS, CANVAS, 8)
        t_bare.append(time.perf_counter() - t)
        t = time.perf_counter()
        rec.recognize(strokes, PAD)
        t_rec.append(time.perf_counter() - t)

    done = threading.Event()
    worker = RecognitionWorker(lambda rid, r: done.set(), recognizer=rec)
    t_worker = []
    for strokes in requests[: max(20, len(requests) // 4)]:
        done.clear()
        t = time.perf_counter()
        worker.submit(strokes, PAD)
        done.wait(5)
        t_worker.append(time.perf_counter() - t)
    worker.close()

    correct = sum(ch in rec.recognize(draw(ch, PAD, seed=r), PAD).chars[:5]
                  for r in range(args.rounds) for ch in CHARACTERS)
    written = args.rounds * len(CHARACTERS)

    print(f"handwriting: {len(requests)} per-stroke requests ({', '.join(CHARACTERS)} x {args.rounds} rounds)")
    print(f"  model open                       {open_s * 1000:6.1f} ms (once, on the worker thread)")
    print(f"  bare zinnia classify             {_ms(t_bare)}")
    print(f"  Recognizer.recognize             {_ms(t_rec)}")
    print(f"  worker submit -> callback        {_ms(t_worker)}")
    ratio = statistics.median(t_rec) / statistics.median(t_bare)
    print(f"  recognize / bare zinnia (median) {ratio:6.2f}x")
    print(f"  written character in first five  {correct}/{written}")
    worst = max(_p95(t_rec), _p95(t_worker))
    verdict = "OK" if worst * 1000 <= TARGET_MS else "OVER TARGET"
    print(f"  target <= {TARGET_MS:.0f} ms per stroke (p95): {worst * 1000:.2f} ms  {verdict}")
    rec.close()
    bare.close()
    return 0 if worst * 1000 <= TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
