"""The Nu HTML checker (vnu-jar, Java 17) finds no error on any page type."""
from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from tests.guide_server.conftest import ROOT

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
GA = "330382-GA-0001"


@pytest.mark.slow
def test_every_page_type_is_valid_html(client, tmp_path):
    assert VNU.exists(), "vnu-jar is missing: run scripts/setup (package.json)"
    assert shutil.which("java"), "Java is missing: run scripts/setup"
    pages = {
        "home": "/", "category": "/c/huji", "search": "/search?q=sfz", "search-empty": "/search?q=火星",
        "search-blank": "/search", "guide": f"/g/{GA}", "guide-sc": "/g/330382-SC-0001", "print": f"/g/{GA}/print",
        "not-found": "/g/330382-XX-0000", "not-found-other": "/nowhere", "rate-form": f"/g/{GA}/rate",
        "ratings": "/ratings", "guide-ratings": f"/g/{GA}/ratings", "method-not-allowed": "/mode/elder",
    }
    files = []
    for mode in ("standard", "elder"):
        client.get(f"/mode/{mode}")
        for name, path in pages.items():
            resp = client.post(path) if name == "method-not-allowed" else client.get(path)
            f = tmp_path / f"{mode}-{name}.html"
            f.write_bytes(resp.data)
            files.append(f)
    # pages that exist only after a POST: the form with errors and the thank-you page
    bad = client.post(f"/g/{GA}/rate", data={"level": "", "comment": "<b>x</b>"}, headers={"Origin": "http://localhost"})
    (tmp_path / "rate-errors.html").write_bytes(bad.data)
    ok = client.post(f"/g/{GA}/rate", data={"level": "2", "comment": "排队太久"}, headers={"Origin": "http://localhost"},
                     follow_redirects=True)
    assert "感谢" in ok.get_data(as_text=True)
    (tmp_path / "thanks.html").write_bytes(ok.data)
    (tmp_path / "guide-ratings-with-comment.html").write_bytes(client.get(f"/g/{GA}/ratings").data)
    files += [tmp_path / "rate-errors.html", tmp_path / "thanks.html", tmp_path / "guide-ratings-with-comment.html"]
    run = subprocess.run(["java", "-Xss4m", "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, files)],
                         capture_output=True, text=True, timeout=180)
    messages = json.loads(run.stderr or run.stdout or '{"messages": []}')["messages"]
    errors = [(m.get("url", "").rsplit("/", 1)[-1], m.get("message")) for m in messages if m.get("type") == "error"]
    assert errors == []
    assert len(files) == 31
