"""Content core benchmark: check + release of N guides, and search latency.

Measured side by side in one run (the machine is shared and noisy):
- check+release vs. the floor of merely parsing the same YAML files (libyaml);
- indexed search vs. a naive scan of every guide, for 200 mixed queries
  (Chinese substrings, full pinyin, initials, aliases, material names).
Targets: check+release of 5,000 guides <= 10 s; search p99 <= 20 ms.

    .venv/bin/python bench/bench_content.py [--count 5000]
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.generate_guides import generate  # noqa: E402
from guides.loader import check_content  # noqa: E402
from guides.release import ReleaseStore  # noqa: E402
from guides.search import SearchIndex, normalize, pinyin_forms  # noqa: E402


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def naive_search(guides, q):
    q = normalize(q)
    out = []
    for g in guides:
        texts = [normalize(g.name), *pinyin_forms(g.name), *(normalize(a) for a in g.aliases),
                 *(normalize(m.name) for m in g.materials)]
        if any(q in t for t in texts):
            out.append(g.code)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        content_dir = generate(Path(tmp) / "content", args.count)
        files = sorted((content_dir / "guides").glob("*.yaml"))

        t0 = time.perf_counter()
        for f in files:
            yaml.load(f.read_bytes(), Loader=yaml.CSafeLoader)
        parse_s = time.perf_counter() - t0

        t0 = time.perf_counter()
        result = check_content(content_dir)
        check_s = time.perf_counter() - t0
        assert result.ok, result.errors[:3]
        t0 = time.perf_counter()
        release, _ = ReleaseStore(Path(tmp) / "instance").publish(result.content)
        release_s = time.perf_counter() - t0
        total = check_s + release_s

        guides = list(result.content.guides.values())
        t0 = time.perf_counter()
        index = SearchIndex(guides)
        build_s = time.perf_counter() - t0

        rng = random.Random(3)
        queries = []
        for _ in range(args.queries):
            g = rng.choice(guides)
            kind = rng.randrange(5)
            if kind == 0:
                queries.append(g.name[:2])
            elif kind == 1:
                queries.append(pinyin_forms(g.name)[1][: rng.randint(1, 4)])
            elif kind == 2:
                queries.append(pinyin_forms(g.name)[0][:6])
            elif kind == 3:
                queries.append(rng.choice(g.materials).name)
            else:
                queries.append(rng.choice(g.aliases or [g.name]))
        idx_ms, naive_ms = [], []
        for q in queries:
            t0 = time.perf_counter()
            index.search(q)
            idx_ms.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            naive_search(guides, q)
            naive_ms.append((time.perf_counter() - t0) * 1000)

    print(f"guides: {args.count}")
    print(f"yaml parse only (floor):   {parse_s:6.2f} s")
    print(f"check:                     {check_s:6.2f} s")
    print(f"release (write+hash):      {release_s:6.2f} s   {release.stamp}")
    print(f"check+release:             {total:6.2f} s   = {total / parse_s:.1f}x the parse floor; "
          f"target 10 s -> {total / 10:.2f} of budget")
    print(f"search index build:        {build_s:6.2f} s")
    print(f"search p50/p99 (indexed):  {pct(idx_ms, 50):6.2f} / {pct(idx_ms, 99):6.2f} ms over {len(queries)} queries; "
          f"target p99 20 ms -> {pct(idx_ms, 99) / 20:.2f} of budget")
    print(f"search p50/p99 (naive):    {pct(naive_ms, 50):6.2f} / {pct(naive_ms, 99):6.2f} ms; "
          f"index is {statistics.median(naive_ms) / max(statistics.median(idx_ms), 1e-6):.0f}x faster at p50")


if __name__ == "__main__":
    main()
