"""Search index cost of indexing every reading of polyphones, measured side by side in one run.

The same N guides (generated, plus the sample content) are indexed twice: with the phrase
reading only (``max_readings=1``, what the index did before) and with every attested reading
(the default). Printed: build time, indexed spellings, posting entries, memory, query latency
over mixed queries (Chinese, pinyin, initials, polyphone readings, full-width, mixed), and
the ratios of the two.

    .venv/bin/python bench/bench_search.py [--count 5000]
"""
from __future__ import annotations

import argparse
import gc
import random
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.generate_guides import guide as generated_guide  # noqa: E402
from guides import search as gs  # noqa: E402
from guides.loader import load_content  # noqa: E402
from guides.model import Guide  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def clear_caches() -> None:
    for fn in (gs.normalize_query, gs.pinyin_readings, gs.pinyin_forms, gs._char_readings):
        fn.cache_clear()


def build(guides, max_readings):
    clear_caches()
    gc.collect()
    t0 = time.perf_counter()
    index = gs.SearchIndex(guides, max_readings=max_readings)
    seconds = time.perf_counter() - t0
    del index
    clear_caches()
    gc.collect()
    tracemalloc.start()  # a second build, traced (tracing slows it down several times)
    index = gs.SearchIndex(guides, max_readings=max_readings)
    memory = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    spellings = sum(1 for d in index._docs for label, *_ in d.fields if "pinyin" in label or "initials" in label)
    postings = sum(len(p) for p in index._postings.values())
    return index, seconds, spellings, postings, memory


def queries(guides, n, rng):
    out = []
    for _ in range(n):
        g = rng.choice(guides)
        full, initials = gs.pinyin_readings(g.name)
        kind = rng.randrange(6)
        if kind == 0:
            out.append(g.name[:2])
        elif kind == 1:
            out.append(initials[0][: rng.randint(1, 4)])
        elif kind == 2:
            out.append(full[0][:8])
        elif kind == 3:
            out.append(rng.choice(full)[-8:])  # any reading, often another one than the phrase reading
        elif kind == 4:
            out.append("".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in initials[0][:3]))
        else:
            out.append(g.name[:2] + full[0][len(gs.pinyin_forms(g.name[:2])[0]):][:4])  # 社保ka
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    rng = random.Random(11)
    guides = list(load_content(ROOT / "content").guides.values())
    guides += [Guide.model_validate(generated_guide(i, rng)) for i in range(args.count - len(guides))]

    t0 = time.perf_counter()
    gs._phrase_readings()
    attested_s = time.perf_counter() - t0

    one = build(guides, 1)
    every = build(guides, gs.MAX_READINGS)
    qs = queries(guides, args.queries, random.Random(5))
    lat = {1: [], gs.MAX_READINGS: []}
    found = {1: 0, gs.MAX_READINGS: 0}
    for q in qs:  # interleaved, so both see the same machine load
        for (index, *_), key in ((one, 1), (every, gs.MAX_READINGS)):
            t0 = time.perf_counter()
            hits = index.search(q)
            lat[key].append((time.perf_counter() - t0) * 1000)
            found[key] += bool(hits)

    print(f"guides: {len(guides)}; queries: {len(qs)}; attested readings table (once): {attested_s:.2f} s")
    print(f"{'':28}{'phrase reading only':>22}{'every reading':>16}{'ratio':>8}")
    rows = [("index build (s)", one[1], every[1]), ("pinyin spellings indexed", one[2], every[2]),
            ("posting entries", one[3], every[3]), ("memory (MB)", one[4] / 1e6, every[4] / 1e6),
            ("query p50 (ms)", pct(lat[1], 50), pct(lat[gs.MAX_READINGS], 50)),
            ("query p99 (ms)", pct(lat[1], 99), pct(lat[gs.MAX_READINGS], 99)),
            ("queries with a hit", found[1], found[gs.MAX_READINGS])]
    for label, a, b in rows:
        print(f"{label:28}{a:22.2f}{b:16.2f}{b / a if a else float('nan'):8.2f}")


if __name__ == "__main__":
    main()
