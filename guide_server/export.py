"""Static export of the phone site: the app's own responses written to files.

Every page is fetched through the app (test client), so a file is byte-identical
to what the app serves at its URL. Layout (nginx maps URLs onto it, see
scripts/nginx-guide-server.conf; `elder/` holds the 长辈版 of every page):

    index.html  c/<slug>.html  g/<code>.html  g/<code>/print.html  404.html
    elder/...   (same names)   static/site.css  qr/<code>.svg  qr/<code>.png
    release.json (the manifest of the exported release)
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

MARKER = ".guide-export"
NOT_FOUND_PROBE = "/__no_such_page__"


class ExportError(Exception):
    pass


def site_files(served) -> list[tuple[str, str, bool]]:
    """(URL path, file name, is_page) of everything the static site holds."""
    rel = served.release
    out: list[tuple[str, str, bool]] = [("/", "index.html", True), (NOT_FOUND_PROBE, "404.html", True)]
    out += [(f"/c/{c.slug}", f"c/{c.slug}.html", True) for c in rel.categories]
    for code in rel.guides:
        out += [(f"/g/{code}", f"g/{code}.html", True), (f"/g/{code}/print", f"g/{code}/print.html", True),
                (f"/qr/{code}.svg", f"qr/{code}.svg", False), (f"/qr/{code}.png", f"qr/{code}.png", False)]
    for code in rel.retired:  # posters of retired guides still carry these QR URLs
        out += [(f"/g/{code}", f"g/{code}.html", True)]
    return out


def export_site(app, out: Path, progress=None) -> tuple[int, int]:
    """Write the site to `out` (replacing an earlier export there). Returns (release number, files)."""
    from guide_server.web import MODE_COOKIE, ELDER

    out = Path(out).resolve()
    if out.exists() and any(out.iterdir()) and not (out / MARKER).exists():
        raise ExportError(f"{out} 不是空目录，也不是以前导出的目录；为免误删，请换一个目录。")
    served = app.extensions["releases"].get()
    if served is None:
        raise ExportError("实例中还没有发布任何版本。")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    count = 0
    retired_urls = {f"/g/{code}" for code in served.release.retired}
    try:
        client = app.test_client()
        for url, name, is_page in site_files(served):
            for elder in ((False, True) if is_page else (False,)):
                client.delete_cookie(MODE_COOKIE)
                if elder:
                    client.set_cookie(MODE_COOKIE, ELDER)
                resp = client.get(url)
                want = 404 if url == NOT_FOUND_PROBE else 410 if url in retired_urls else 200
                if resp.status_code != want:
                    raise ExportError(f"{url}: 应答 {resp.status_code}，导出中止")
                path = tmp / ("elder/" + name if elder else name)
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(resp.get_data())
                count += 1
            if progress:
                progress(url)
        static = Path(app.static_folder)
        shutil.copytree(static, tmp / "static")
        count += sum(1 for p in static.rglob("*") if p.is_file())
        (tmp / "release.json").write_bytes(client.get("/api/v1/release").get_data())
        (tmp / MARKER).write_text(served.release.stamp + "\n", encoding="utf-8")
        for p in [tmp, *tmp.rglob("*")]:
            os.chmod(p, 0o755 if p.is_dir() else 0o644)
        old = None
        if out.exists():
            old = out.with_name(f".{out.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            os.rename(out, old)
        os.rename(tmp, out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return served.release.number, count
