"""Province-scale content: many halls offering shared guides with local overrides.

Generates a content folder of `--shared` shared guides and `--halls` halls, each offering
every shared guide (with `--overrides` of them overridden locally: windows and phones) plus
`--own` guides of its own; the resolved guides are halls x (shared + own). Measured side by
side in one run:
- full check + release vs. the floor of merely parsing the same YAML files (libyaml);
- re-release after one shared guide, one hall's own guide and one override changed, each
  with the check cache of the instance folder (guides.check_cache): only the changed file is
  parsed and checked, rules spanning files run again over every file's cached summary, and
  only the changed guides are dumped and hashed, and only the changed halls' parts written;
  each in a process of its own, as `guide-server release` runs, and as a ratio to the full run;
- in a process of its own, as a server worker: loading the release, every hall's home page
  and two guide pages of each through the Flask app (building each hall's view cold), search
  p50/p99 in random halls' views, and the worker's resident memory after all that (hall views
  are kept in a bounded LRU, guide_server.state.MAX_HALL_VIEWS, rendered pages up to
  MAX_PAGE_BYTES).
Targets: 200,000 guides over 1,500 halls check+release <= 60 s; re-release <= 1 s;
search p99 <= 20 ms; server memory <= 1 GB.

    .venv/bin/python bench/bench_province.py [--halls 150 --shared 120 --own 13 --overrides 20]
"""
from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.bench_content import pct, yaml_parse_floor  # noqa: E402
from bench.generate_guides import generate  # noqa: E402
from guides.check_cache import CheckCache  # noqa: E402
from guides.loader import check_content  # noqa: E402
from guides.publishing import undoes  # noqa: E402
from guides.release import ReleaseStore, build_release  # noqa: E402
from guide_server.state import MAX_HALL_VIEWS, MAX_PAGE_BYTES  # noqa: E402


def cpu_s() -> float:
    """CPU seconds of this process and its finished children (the checker's workers)."""
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + kids.ru_utime + kids.ru_stime


def age(root: Path, seconds: int = 3600) -> None:
    """Set every file's mtime `seconds` back: content not edited in the last moments, as in a
    real content folder (a file modified within guides.check_cache.RACY_NS of a check is
    hashed again, and its hall keeps no memo)."""
    import os

    for p in root.rglob("*"):
        if p.is_file():
            st = p.stat()
            os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns - seconds * 10**9))


def rss_mb(field: str = "VmRSS") -> float:
    """This process's resident memory in MB (`field` "VmHWM": its peak since it started; unlike
    getrusage's ru_maxrss, which a child started by fork + exec inherits from a larger parent)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def build(root: Path, halls: int, shared: int, own: int, overrides: int) -> Path:
    content = generate(root, shared + halls * own)
    files = sorted((content / "guides").glob("*.yaml"))
    shared_codes = [p.stem for p in files[:shared]]
    rng = random.Random(11)
    # GB/T 2260: a township is its county's 6 digits + 3; past 999 halls the next county of the city
    counties = [{"code": f"3303{82 - k:02d}", "name": f"第{k + 1}县", "children": [
        {"code": f"3303{82 - k:02d}{i:03d}", "name": f"第{i}镇"} for i in range(1, min(999, halls - k * 999) + 1)]}
        for k in range((halls + 998) // 999)]
    (content / "regions.yaml").write_text(yaml.safe_dump(
        [{"code": "330000", "name": "浙江省", "children": [{"code": "330300", "name": "温州市",
                                                          "children": counties}]}],
        allow_unicode=True), encoding="utf-8")
    for h in range(halls):
        folder = content / "halls" / f"hall-{h:04d}"
        (folder / "guides").mkdir(parents=True)
        (folder / "overrides").mkdir()
        for p in files[shared + h * own: shared + (h + 1) * own]:
            p.rename(folder / "guides" / p.name)
        hall = {"name": f"第{h + 1}镇便民服务中心", "address": f"乐清市第{h + 1}镇人民路 1 号",
                "hours": "周一至周五 8:30-17:00", "hotline": f"0577-6{h:07d}"[:13], "area_code": "0577",
                "region_code": f"3303{82 - h // 999:02d}{h % 999 + 1:03d}", "offers": [{"code": c} for c in shared_codes]}
        (folder / "hall.yaml").write_text(yaml.safe_dump(hall, allow_unicode=True), encoding="utf-8")
        for c in rng.sample(shared_codes, min(overrides, shared)):
            over = {"locations": [{"address": f"乐清市第{h + 1}镇人民路 1 号", "window": f"{rng.randint(1, 9)} 号窗口",
                                   "hours": "周一至周五 8:30-12:00"}],
                    "contacts": {"consult": f"0577-6{h % 1000:03d}{rng.randint(1000, 9999)}", "complaint": "12345"}}
            (folder / "overrides" / f"{c}.yaml").write_text(yaml.safe_dump(over, allow_unicode=True), encoding="utf-8")
    return content


PAGES_PER_HALL = 2


def rerelease_once(instance: Path, content_dir: Path) -> dict:
    """One re-release the way `guide-server release` makes it, in a process of its own (as the
    command runs; not in the benchmark's process, which holds the whole first check): cache
    load, check, cache save, the check of what the release would undo, publish. Seconds."""
    store = ReleaseStore(instance)
    c0 = cpu_s()
    t0 = time.perf_counter()
    cache = CheckCache(instance)
    t1 = time.perf_counter()
    again = check_content(content_dir, cache)
    assert again.ok, [str(f) for f in again.errors[:3]]
    t2 = time.perf_counter()
    assert undoes(store, again.content, "content") == []  # as `guide-server release` does
    _second, created = store.publish(again.content)
    t3 = time.perf_counter()
    cache.save()  # after publishing, as `guide-server release` does
    t4 = time.perf_counter()
    return {"total": t4 - t0, "cpu": cpu_s() - c0, "load": t1 - t0, "check": t2 - t1, "save": t4 - t3,
            "release": t3 - t2, "misses": cache.misses, "hits": cache.hits, "created": created}


def serve(instance: Path, queries: int) -> dict:
    """What one server worker holds and how fast it answers: the app on the current release of
    `instance`, every hall's home page and PAGES_PER_HALL guide pages of each rendered through
    the Flask app, then `queries` searches in random halls. Figures in ms and MB."""
    from guide_server import create_app
    from guide_server.web import served

    t0 = time.perf_counter()
    app = create_app({"TESTING": True, "INSTANCE_DIR": str(instance),
                      "DATABASE_URL": f"sqlite:///{instance / 'bench.sqlite3'}"})
    client = app.test_client()
    assert client.get("/").status_code == 200  # the hall list: the release is loaded
    load_s = time.perf_counter() - t0
    rss_loaded = rss_mb()
    with app.test_request_context("/"):
        root = served()
    hall_ids = list(root.release.content.halls)
    rng = random.Random(5)
    cold_ms, page_ms, search_ms = [], [], []
    for hid in hall_ids:
        t0 = time.perf_counter()
        assert client.get(f"/h/{hid}/").status_code == 200
        cold_ms.append((time.perf_counter() - t0) * 1000)
        for code in rng.sample(root.release.content.hall_codes(hid), PAGES_PER_HALL):
            t0 = time.perf_counter()
            assert client.get(f"/h/{hid}/g/{code}").status_code == 200
            page_ms.append((time.perf_counter() - t0) * 1000)
    for _ in range(queries):
        view = root.hall(rng.choice(hall_ids))
        g = rng.choice(list(view.guides.values()))
        q = rng.choice([g.name[:2], g.name[:4], g.materials[0].name, (g.aliases or [g.name])[0]])
        t0 = time.perf_counter()
        view.index.search(q, limit=30)
        search_ms.append((time.perf_counter() - t0) * 1000)
    return {"load_s": load_s, "rss_loaded": rss_loaded, "halls": len(hall_ids),
            "cold_p50": pct(cold_ms, 50), "cold_p99": pct(cold_ms, 99), "pages": len(page_ms),
            "page_p50": pct(page_ms, 50), "page_p99": pct(page_ms, 99), "queries": len(search_ms),
            "search_p50": pct(search_ms, 50), "search_p99": pct(search_ms, 99), "rss_after": rss_mb(),
            "rss_peak": rss_mb("VmHWM")}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--serve", metavar="INSTANCE", help=argparse.SUPPRESS)  # the serving phase, in its own process
    parser.add_argument("--rerelease", metavar="INSTANCE", help=argparse.SUPPRESS)  # one re-release, in its own process
    parser.add_argument("--content", help=argparse.SUPPRESS)
    parser.add_argument("--halls", type=int, default=150)
    parser.add_argument("--shared", type=int, default=120)
    parser.add_argument("--own", type=int, default=13)
    parser.add_argument("--overrides", type=int, default=20)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=5, help="re-releases of each kind (median and max printed)")
    args = parser.parse_args()
    if args.serve:
        print(json.dumps(serve(Path(args.serve), args.queries)))
        return
    if args.rerelease:
        print(json.dumps(rerelease_once(Path(args.rerelease), Path(args.content))))
        return
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        content_dir = build(Path(tmp) / "content", args.halls, args.shared, args.own, args.overrides)
        gen_s = time.perf_counter() - t0
        age(content_dir)
        files = sorted(content_dir.rglob("*.yaml"))

        parse_s = yaml_parse_floor(files)

        instance = Path(tmp) / "instance"
        store = ReleaseStore(instance)
        c0 = cpu_s()
        t0 = time.perf_counter()
        cache = CheckCache(instance)  # empty: the first release checks every file and fills it
        result = check_content(content_dir, cache)
        check_s = time.perf_counter() - t0
        assert result.ok, [str(f) for f in result.errors[:3]]
        t0 = time.perf_counter()
        release, _ = store.publish(result.content)
        release_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        cache.save()  # after publishing, as `guide-server release` does
        save_s = time.perf_counter() - t0
        total = check_s + save_s + release_s
        total_cpu = cpu_s() - c0
        resolved = sum(len(h) for h in release.hall_hashes.values())

        def rerelease(path: Path, old: str, new: str) -> tuple[list[float], float, str]:
            """`args.repeats` re-releases after `path` changed, back and forth between `old`
            and `new` (each a real change: a new release): their totals, the last one's CPU
            and what it did."""
            totals: list[float] = []
            for i in range(args.repeats):
                a, b = (old, new) if i % 2 == 0 else (new, old)
                text = path.read_text(encoding="utf-8")
                assert a in text, (path, a)
                path.write_text(text.replace(a, b, 1), encoding="utf-8")
                before = store.load(store.current_number())
                r = json.loads(subprocess.run(
                    [sys.executable, __file__, "--rerelease", str(instance), "--content", str(content_dir)],
                    check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1])
                totals.append(r["total"])
            second = store.load(store.current_number())
            halls = [h for h, part in second.hall_parts.items() if before.hall_parts.get(h) != part]
            changed = sum(1 for h in halls for c, x in second.hall_hashes[h].items() if before.hall_hashes[h].get(c) != x)
            return totals, r["cpu"], (
                f"last: cache load {r['load']:.2f} + check {r['check']:.2f} + undo check + release {r['release']:.2f} + "
                f"cache save {r['save']:.2f} s; {r['misses']} file(s) parsed, {r['hits']} from the cache; "
                f"new release: {r['created']}, {len(halls)} hall part(s) written, "
                f"{changed} resolved guide hash(es) changed")

        hall0 = content_dir / "halls" / "hall-0000"
        shared_file = sorted((content_dir / "guides").glob("*.yaml"))[0]
        own_file = sorted((hall0 / "guides").glob("*.yaml"))[0]
        override = sorted((hall0 / "overrides").glob("*.yaml"))[0]
        reruns = [
            ("1 shared guide changed", *rerelease(shared_file, "本人到场或委托代理人办理", "本人到场或委托代理人办理（须带原件）")),
            ("1 own guide changed", *rerelease(own_file, "本人到场或委托代理人办理", "本人到场或委托代理人办理（须带原件）")),
            ("1 override changed", *rerelease(override, "complaint: '12345'", "complaint: '0577-12345'")),
        ]
        # the last incremental release against one built from scratch (no cache) of the same folder
        scratch = check_content(content_dir)
        same = build_release(scratch.content).hash == store.current().hash

        serving = json.loads(subprocess.run(
            [sys.executable, __file__, "--serve", str(instance), "--queries", str(args.queries)],
            check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1])

    print(f"scale: {args.halls} halls x ({args.shared} shared + {args.own} own) = {resolved} resolved guides "
          f"(+ default hall), {len(files)} YAML files, {args.overrides} local overrides per hall; "
          f"generated in {gen_s:.1f} s")
    print(f"yaml parse only (floor):    {parse_s:7.2f} s")
    print(f"check:                      {check_s:7.2f} s")
    print(f"check cache written:        {save_s:7.2f} s")
    print(f"release (hash+write):       {release_s:7.2f} s   {release.stamp}")
    print(f"check+release:              {total:7.2f} s   = {total / parse_s:.1f}x the parse floor "
          f"(CPU {total_cpu:.1f} s, workers included)")
    for label, totals, cpu, detail in reruns:
        mid, top = statistics.median(totals), max(totals)
        print(f"re-release, {label + ':':<23}{mid:6.2f} s median, {top:.2f} s max of {len(totals)} "
              f"(each in a process of its own) = {mid / total:.3f} of the full run; "
              f"target 1 s -> {mid:.2f} / {top:.2f} of budget (CPU {cpu:.2f} s)")
        print(f"    ({', '.join(f'{t:.2f}' for t in totals)} s; {detail})")
    print(f"last incremental release == release built from scratch: {same}")
    v = serving
    print("serving, in a process of its own as a server worker (the app, the release, pages rendered):")
    print(f"  app + release loaded:      {v['load_s']:7.2f} s, RSS {v['rss_loaded']:6.0f} MB")
    print(f"  hall view cold p50/p99:    {v['cold_p50']:7.2f} / {v['cold_p99']:7.2f} ms over {v['halls']} halls")
    print(f"  page p50/p99:              {v['page_p50']:7.2f} / {v['page_p99']:7.2f} ms over {v['pages']} pages "
          f"(every hall's home page and {PAGES_PER_HALL} guide pages of each, 在其他大厅办理 included)")
    print(f"  search p50/p99 in a hall:  {v['search_p50']:7.2f} / {v['search_p99']:7.2f} ms over {v['queries']} "
          f"queries; target p99 20 ms -> {v['search_p99'] / 20:.2f} of budget")
    print(f"  memory (RSS):              {v['rss_after']:7.0f} MB after all that, peak {v['rss_peak']:.0f} MB; "
          f"target 1 GB -> {v['rss_peak'] / 1024:.2f} of budget (at most {MAX_HALL_VIEWS} hall views and "
          f"{MAX_PAGE_BYTES // 2**20} MB of pages kept)")


if __name__ == "__main__":
    main()
