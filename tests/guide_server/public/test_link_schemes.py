"""Render-time second wall: a release written by hand, past the checker, with javascript:,
data: and vbscript: URLs (in every spelling a browser would still run) never turns them into
links on the phone page, the print page or the static export; http(s), tel and mailto links
stay links."""
from __future__ import annotations

import json
import re

import pytest

from guides.release import ReleaseStore, canonical_json, sha256
from guide_server.security import safe_url

GA = "330382-GA-0001"
HOSTILE = ["javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)",
           "java\nscript:alert(1)", "\x01javascript:alert(1)", "data:text/html,<script>alert(1)</script>",
           "vbscript:msgbox(1)", "file:///etc/passwd", "//evil.example/x", "/\\evil.example"]


@pytest.mark.parametrize("url", HOSTILE)
def test_safe_url_refuses_every_spelling_of_a_script_url(url):
    assert safe_url(url) is None


@pytest.mark.parametrize("url", ["https://www.zjzwfw.gov.cn/", "http://x.gov.cn/a?b=1", "tel:12345",
                                 "mailto:a@b.cn", "/g/330382-GA-0001"])
def test_safe_url_keeps_ordinary_links(url):
    assert safe_url(url) == url


def _hand_written_release(instance, online_url: str, form_url: str, sample_url: str) -> int:
    """Copy the current release, put the URLs into GA, and write it as the next release by
    hand: content.json, manifest.json with matching hashes, CURRENT — no checker involved."""
    store = ReleaseStore(instance)
    manifest, body = store.verified_body(store.current_number())
    doc = json.loads(body)
    guide = doc["guides"][GA]
    guide["online_url"] = online_url
    guide["forms"] = [{"name": "申请表", "url": form_url, "sample_url": sample_url}]
    new_body = canonical_json(doc)
    number = manifest["number"] + 1
    manifest = dict(manifest, number=number, hash=sha256(new_body),
                    guides={c: sha256(canonical_json(g)) for c, g in doc["guides"].items()})
    folder = store.folder(number)
    folder.mkdir()
    (folder / "content.json").write_bytes(new_body)
    (folder / "manifest.json").write_bytes(canonical_json(manifest))
    (store.root / "CURRENT").write_text(f"{number}\n")
    return number


def _links(html: str) -> list[str]:
    return re.findall(r'<a\b[^>]*\bhref="([^"]*)"', html)


@pytest.mark.parametrize("url", ["javascript:alert(1)", "java&#9;script:alert(1)", "data:text/html,x",
                                 "vbscript:msgbox(1)"])
def test_a_release_that_bypassed_the_checker_never_renders_a_script_link(instance, url, tmp_path):
    from guide_server import create_app
    from guide_server.export import export_site

    raw = url.replace("&#9;", "\t")
    _hand_written_release(instance, raw, raw, raw)
    app = create_app({"TESTING": True, "INSTANCE_DIR": str(instance)})
    client = app.test_client()
    for path in (f"/g/{GA}", f"/g/{GA}/print"):
        for cookie in (None, "elder"):
            if cookie:
                client.set_cookie("mode", cookie)
            r = client.get(path)
            assert r.status_code == 200
            html = r.get_data(as_text=True)
            assert "表格地址无效" in html and "样本地址无效" in html
            hrefs = _links(html)
            assert hrefs and not [h for h in hrefs if re.match(r"\s*(java|vb)\s*script|data:", h, re.I)], hrefs
            client.delete_cookie("mode")
    export_site(app, tmp_path / "site")
    for page in (tmp_path / "site" / "g" / f"{GA}.html", tmp_path / "site" / "elder" / "g" / f"{GA}.html"):
        hrefs = _links(page.read_text(encoding="utf-8"))
        assert hrefs and not [h for h in hrefs if "script:" in h.lower() or h.lower().startswith("data:")]


def test_ordinary_links_of_a_release_stay_links(instance):
    from guide_server import create_app

    _hand_written_release(instance, "https://www.zjzwfw.gov.cn/", "https://x.gov.cn/form.pdf",
                          "https://x.gov.cn/sample.pdf")
    html = create_app({"TESTING": True, "INSTANCE_DIR": str(instance)}).test_client().get(f"/g/{GA}").get_data(
        as_text=True)
    assert {"https://www.zjzwfw.gov.cn/", "https://x.gov.cn/form.pdf", "https://x.gov.cn/sample.pdf"} <= set(_links(html))
