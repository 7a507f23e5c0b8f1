"""Static export of the phone site: the app's own responses written to files.

Every page is fetched through the app (test client), so a file is byte-identical
to what the app serves at its URL. Layout (nginx maps URLs onto it, see
scripts/nginx-guide-server.conf; `elder/` holds the 长辈版 of every page):

    index.html  404.html  c/<slug>.html
    g/<code>.html                 the stable poster URL /g/<code> (whole guide, grouped by case)
    g/<code>/a/<query>.html       one answer path /g/<code>?<query>, e.g. g/X/a/why=lost&age=child.html
    g/<code>/print.html
    h/<hall>/index.html           several halls only: /h/<hall>/ and, under h/<hall>/, the hall's
    h/<hall>/c/<slug>.html        category pages, guide pages, their answer paths and print pages
    h/<hall>/g/<code>.html, h/<hall>/g/<code>/a/<query>.html, h/<hall>/g/<code>/print.html
    forms/<name>                  the release's attachments (空白表格, 示例样表), as /forms/<name> serves them
    elder/...   (same names)   static/site.css  qr/<code>.svg  qr/<code>.png
    release.json (the manifest of the exported release)

An answer path's <query> is its stable query string in the guide's question order
(guides.cases.path_query: ``why=lost&age=child``); every path a page links to is exported
(`answer_queries`). nginx serves the file whose name is the request's query string as sent;
any other query (another order, share parameters, an unknown question or option) is not a
file and goes to the app, which answers it (an unknown option: its 404 page).
"""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from pathlib import Path
from urllib.parse import quote

MARKER = ".guide-export"
NOT_FOUND_PROBE = "/__no_such_page__"


class ExportError(Exception):
    pass


# What nginx accepts as an answer path's file name (scripts/nginx-guide-server.conf, map $guide_answers).
QUERY_FILE = re.compile(r"[a-z][a-z0-9_]{0,23}=[a-z][a-z0-9_]{0,23}(&[a-z][a-z0-9_]{0,23}=[a-z][a-z0-9_]{0,23}){0,31}",
                        re.ASCII)
MAX_PATHS = 4096  # per guide: a question tree beyond this is left to the app


def answer_queries(guide, limit: int = MAX_PATHS) -> list[str]:
    """The stable query strings of every answer path reachable from the guide's page by its
    links (each open question's options, from no answer on), in the order found; [] for a
    guide without questions. Partial paths are included: the page offers them."""
    from guides.cases import path_query, resolve, with_answer

    seen: dict[str, dict[str, str]] = {}
    todo: list[dict[str, str]] = [{}]
    while todo and len(seen) < limit:
        answers = todo.pop(0)
        for q in resolve(guide, answers).open_questions:
            for o in q.options:
                nxt = with_answer(guide, answers, q.id, o.id)
                query = path_query(guide, nxt)
                if query not in seen and len(seen) < limit:
                    seen[query] = nxt
                    todo.append(nxt)
    return [q for q in seen if QUERY_FILE.fullmatch(q)]


def _guide_files(prefix: str, code: str, guide, print_page: bool = True) -> list[tuple[str, str, bool]]:
    """The pages of one guide under URL prefix `prefix` ("" or "/h/<hall>")."""
    base = prefix.lstrip("/") + "/" if prefix else ""
    out = [(f"{prefix}/g/{code}", f"{base}g/{code}.html", True)]
    out += [(f"{prefix}/g/{code}?{q}", f"{base}g/{code}/a/{q}.html", True) for q in answer_queries(guide)]
    if print_page:
        out.append((f"{prefix}/g/{code}/print", f"{base}g/{code}/print.html", True))
    return out


def site_files(served) -> list[tuple[str, str, bool]]:
    """(URL path with query, file name, is_page) of everything the static site holds."""
    from guides.halls import DEFAULT_HALL

    rel = served.release
    out: list[tuple[str, str, bool]] = [("/", "index.html", True), (NOT_FOUND_PROBE, "404.html", True)]
    out += [(f"/c/{c.slug}", f"c/{c.slug}.html", True) for c in rel.categories]
    for code, guide in rel.guides.items():
        out += _guide_files("", code, guide)
        out += [(f"/qr/{code}.svg", f"qr/{code}.svg", False), (f"/qr/{code}.png", f"qr/{code}.png", False)]
    for code in rel.retired:  # posters of retired guides still carry these QR URLs
        out += [(f"/g/{code}", f"g/{code}.html", True)]
    if served.several_halls:
        offered = {code for h in rel.content.halls.values() for code in h.codes()}
        for code in sorted(offered - set(rel.guides) - set(rel.retired)):
            # the stable /g/<code> of an item only other halls offer: the app picks the hall (or
            # asks which); its answer paths are left to the app
            out.append((f"/g/{code}", f"g/{code}.html", True))
        for hall_id in [DEFAULT_HALL, *rel.content.halls]:
            view = served.hall(hall_id)
            out.append((f"/h/{hall_id}/", f"h/{hall_id}/index.html", True))
            out += [(f"/h/{hall_id}/c/{c.slug}", f"h/{hall_id}/c/{c.slug}.html", True) for c in rel.categories]
            for code, guide in view.guides.items():
                out += _guide_files(f"/h/{hall_id}", code, guide)
    # attachments the release folder holds (one written by hand without forms/ has none to serve)
    forms = rel.content.forms
    out += [(f"/forms/{quote(name)}", f"forms/{name}", False) for name in sorted(rel.attachments)
            if forms is not None and (forms / name).is_file()]
    return out


def _write_pages(client, served, tmp: Path, progress=None) -> int:
    """Every page and file of `site_files` fetched through the app into `tmp` (pages in both
    display modes); ExportError when one does not answer as expected. Returns the file count."""
    from guide_server.web import MODE_COOKIE, ELDER

    count = 0
    retired_urls = {f"/g/{code}" for code in served.release.retired}
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
    return count


def export_site(app, out: Path, progress=None) -> tuple[int, int]:
    """Write the site to `out` (replacing an earlier export there). Returns (release number, files)."""
    out = Path(out).resolve()
    if out.exists() and any(out.iterdir()) and not (out / MARKER).exists():
        raise ExportError(f"{out} 不是空目录，也不是以前导出的目录；为免误删，请换一个目录。")
    served = app.extensions["releases"].get()
    if served is None:
        raise ExportError("实例中还没有发布任何版本。")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    usage = app.extensions.get("usage")
    try:
        client = app.test_client()
        # the export fetching its own pages is not a citizen's view: nothing is counted
        with usage.not_counting() if usage is not None else contextlib.nullcontext():
            count = _write_pages(client, served, tmp, progress)
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
