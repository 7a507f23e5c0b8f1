"""Content core benchmark: check + release of N v2 guides, resolving a case, and search latency.

Measured side by side in one run (the machine is shared and noisy):
- check+release vs. the floor of merely parsing the same YAML files (libyaml); a third of the
  generated guides have questions (情形), "任选一种" groups, fee items and time-limit variants;
- resolving one answer path (guides.cases.resolve) over every path of every guide with
  questions, against the cost of reading one attribute of the guide (the floor of a lookup);
- indexed search vs. a naive scan of every guide, for 200 mixed queries
  (Chinese substrings, full pinyin, initials, aliases, material names).
Targets: check+release of 5,000 guides <= 10 s; resolve p99 <= 1 ms; search p99 <= 20 ms.

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
from guides.cases import all_paths, resolve  # noqa: E402
from guides.loader import check_content  # noqa: E402
from guides.release import ReleaseStore  # noqa: E402
from guides.search import SearchIndex, normalize, pinyin_forms  # noqa: E402


def yaml_parse_floor(files) -> float:
    """Seconds to parse ``files`` with libyaml and nothing else: the floor a content check is
    measured against."""
    t0 = time.perf_counter()
    for f in files:
        yaml.load(f.read_bytes(), Loader=yaml.CSafeLoader)
    return time.perf_counter() - t0


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def naive_search(guides, q):
    q = normalize(q)
    out = []
    for g in guides:
        texts = [normalize(g.name), *pinyin_forms(g.name), *(normalize(a) for a in g.aliases or ()),
                 *(normalize(m.name) for m in g.all_materials())]
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

        parse_s = yaml_parse_floor(files)

        t0 = time.perf_counter()
        result = check_content(content_dir)
        check_s = time.perf_counter() - t0

        # The same per file, interleaved (parse a file, check it, next file) on one core, so that
        # the shared machine's load drifts through both sides alike: a steadier ratio.
        from guides.loader import _check_guide_file
        sample = files[:: max(1, len(files) // 600)]
        forms = content_dir / "forms"
        one_parse = one_check = 0.0
        for f in sample:
            t1 = time.perf_counter()
            yaml.load(f.read_bytes(), Loader=yaml.CSafeLoader)
            t2 = time.perf_counter()
            _check_guide_file(f, forms)
            t3 = time.perf_counter()
            one_parse += t2 - t1
            one_check += t3 - t2
        assert result.ok, result.errors[:3]
        t0 = time.perf_counter()
        release, _ = ReleaseStore(Path(tmp) / "instance").publish(result.content)
        release_s = time.perf_counter() - t0
        total = check_s + release_s

        guides = list(result.content.guides.values())
        with_questions = [g for g in guides if g.questions]
        paths = [(g, a) for g in with_questions for a in all_paths(g)]
        for g, a in paths:  # first resolve of a guide builds its compiled form: not the steady state
            resolve(g, a)
        resolve_us, resolve_cpu_us, floor_us = [], [], []
        for _ in range(3):
            for g, a in paths:
                c1 = time.thread_time_ns()
                t1 = time.perf_counter()
                resolve(g, a)
                resolve_us.append((time.perf_counter() - t1) * 1e6)
                resolve_cpu_us.append((time.thread_time_ns() - c1) / 1000)
                t1 = time.perf_counter()
                g.fee.charged  # noqa: B018 - the floor: one attribute read through the same loop
                floor_us.append((time.perf_counter() - t1) * 1e6)
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
                queries.append(rng.choice(g.all_materials()).name)
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
    print(f"check per file, interleaved with its parse, one core: {one_check / one_parse:.2f}x the parse "
          f"({len(sample)} files; steadier than the wall times above on a loaded machine)")
    print(f"resolve p50/p99:           {pct(resolve_us, 50):6.1f} / {pct(resolve_us, 99):6.1f} us over {len(resolve_us)} "
          f"resolves ({len(with_questions)} guides with questions, {len(paths)} paths); "
          f"target p99 1 ms -> {pct(resolve_us, 99) / 1000:.3f} of budget; "
          f"{pct(resolve_us, 50) / max(pct(floor_us, 50), 1e-3):.0f}x an attribute read at p50")
    print(f"resolve p50/p99, CPU time: {pct(resolve_cpu_us, 50):6.1f} / {pct(resolve_cpu_us, 99):6.1f} us "
          "(this thread's CPU only: unaffected by other processes taking the core)")
    print(f"search index build:        {build_s:6.2f} s")
    print(f"search p50/p99 (indexed):  {pct(idx_ms, 50):6.2f} / {pct(idx_ms, 99):6.2f} ms over {len(queries)} queries; "
          f"target p99 20 ms -> {pct(idx_ms, 99) / 20:.2f} of budget")
    print(f"search p50/p99 (naive):    {pct(naive_ms, 50):6.2f} / {pct(naive_ms, 99):6.2f} ms; "
          f"index is {statistics.median(naive_ms) / max(statistics.median(idx_ms), 1e-6):.0f}x faster at p50")


if __name__ == "__main__":
    main()
