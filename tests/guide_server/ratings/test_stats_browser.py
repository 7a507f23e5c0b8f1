"""The hall manager's view in a real browser (headless Chromium): a citizen gives a 差评 on the
phone page with a contact; the manager sees it on /admin/stats and /admin/cases, the charts are
drawn (server-side SVG images, no script), each with its table; axe finds nothing serious on
the dashboard, a case, the phone form and /pingjia.

Screenshots go to $RATINGS_SCREENSHOTS (default var/screenshots/ratings/).
"""
from __future__ import annotations

import datetime as dt
import os
import random
from pathlib import Path

import pytest

from guides.loader import load_content
from guides.release import ReleaseStore
from tests.conftest import SAMPLE_CONTENT
from tests.guide_server.authutil import PASSWORD, add_user, make_auth_app
from tests.support.browser import CHROMEDRIVER, CHROMIUM, Browser
from tests.support.live_server import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]
CHINA = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def shots() -> Path:
    return Path(os.environ.get("RATINGS_SCREENSHOTS") or Path(__file__).resolve().parents[3] / "var" / "screenshots" / "ratings")


def _seed(app) -> str:
    """A year of ratings, scans, prints, tickets and no-hit searches, as the hall would have them."""
    from guide_server.ratings.service import parse
    from guide_server.usage import key_for, upsert

    release = ReleaseStore(app.instance_path).current()
    guides = list(release.guides.values())[:12]
    rnd = random.Random(7)
    ratings = app.extensions["ratings"]
    with ratings.db.session.begin() as s:
        for i in range(600):
            g = rnd.choice(guides)
            at = dt.datetime(2026, rnd.randint(1, 11), rnd.randint(1, 28), rnd.randint(8, 17), tzinfo=CHINA)
            level = rnd.choice((5, 5, 5, 4, 4, 4, 3, 2, 1))
            reasons = ["slow"] if level <= 2 else []
            ratings.add(g.code, release.number, parse(str(level), reasons, ""), "", now=at,
                        channel=rnd.choice(("kiosk", "phone", "phone", "poster", "window")),
                        hall=release.site.hall_name, department=g.department, s=s)
        counts = {}
        for i in range(400):
            g = rnd.choice(guides)
            at = dt.datetime(2026, rnd.randint(1, 11), rnd.randint(1, 28), rnd.choice((8, 9, 9, 10, 10, 10, 11, 14, 15, 16)),
                             tzinfo=CHINA)
            for key in (key_for("view", "phone", release.site.hall_name, g.code, at=at),
                        key_for("scan", "poster", release.site.hall_name, g.code, rnd.choice(("hall-1f", "hall-2f", "bank-a")), at=at),
                        key_for("print", "kiosk", release.site.hall_name, g.code, at=at),
                        key_for("ticket", "kiosk", release.site.hall_name, rnd.choice("ABC"), at=at)):
                counts[key] = counts.get(key, 0) + 1
        for q, n in (("公积金提取", 9), ("GJJ", 6), ("护照", 4)):
            counts[key_for("nohit", "phone", release.site.hall_name, q, at=dt.datetime(2026, 11, 3, tzinfo=CHINA))] = n
        upsert(s, counts)
    return guides[0].code


def _login(b: Browser, base: str, name: str) -> None:
    b.goto(base + "/login")
    b.fill("#name", name)
    b.fill("#password", PASSWORD)
    b.click("form button[type=submit]", navigate=True)
    b.wait_for("document.querySelector('.who') !== null", "logged-in header")


def _serious(b: Browser) -> list:
    return [v for v in b.axe_violations() if v.get("impact") in ("serious", "critical")]


def test_chaping_on_the_phone_then_the_dashboard_and_the_case_in_chromium(tmp_path, shots):
    assert CHROMIUM.exists() and CHROMEDRIVER.exists(), "chromium and chromium-driver are in scripts/apt-packages.txt"
    instance = tmp_path / "instance"
    ReleaseStore(instance).publish(load_content(SAMPLE_CONTENT))
    app = make_auth_app(instance)
    add_user(app, "mia", "manager")
    code = _seed(app)
    with LiveServer(app) as base:
        with Browser(390, 844) as phone:
            phone.goto(f"{base}/g/{code}/rate")
            assert _serious(phone) == []
            phone.tap("input[name=level][value='1']")
            phone.tap("input[name=reason][value='mismatch']")
            phone.fill("textarea[name=comment]", "窗口要求的材料比指南多")
            phone.fill("input[name=contact]", "138 1234 5678")
            phone.screenshot(shots / "1-phone-chaping.png", full_page=True)
            phone.click("form button[type=submit]", navigate=True)
            assert "感谢您的评价" in phone.text()
        with Browser(width=1280, height=900, mobile=False) as b:
            _login(b, base, "mia")
            b.goto(f"{base}/admin/stats?from=2026-01&to=2026-11")
            b.wait_for("Array.from(document.images).every(i => i.complete)", "charts loaded")
            sizes = b.js("Array.from(document.querySelectorAll('.chart img')).map(i => [i.naturalWidth, i.naturalHeight])")
            assert len(sizes) == 10 and all(w > 0 and h > 0 for w, h in sizes), sizes
            assert "GJJ" in b.text() and "公积金提取" in b.text()          # the no-hit search list
            assert _serious(b) == []
            assert [e for e in b.console_errors() if "favicon" not in e] == []   # no CSP or image error
            b.screenshot(shots / "2-stats.png", full_page=True)
            b.js("document.getElementById('h-usage-ticket').scrollIntoView()")
            b.screenshot(shots / "2b-stats-hall-load-and-no-hit-searches.png")
            b.goto(f"{base}/admin/stats/satisfaction-guide.svg?from=2026-01&to=2026-11")
            assert "<script" not in b.driver.page_source
            b.goto(f"{base}/admin/cases")
            assert "138****5678" in b.text() and "13812345678" not in b.text()
            b.screenshot(shots / "3-cases.png", full_page=True)
            case_link = b.js("Array.from(document.querySelectorAll('table a')).map(a => a.href)"
                             ".find(h => /\\/admin\\/cases\\/\\d+$/.test(h))")
            b.goto(case_link)
            assert "窗口要求的材料比指南多" in b.text() and _serious(b) == []
            b.screenshot(shots / "4-case.png", full_page=True)
            b.fill("#note-verify", "调阅窗口记录，情况属实")
            b.click("#note-verify ~ * button, form:has(#note-verify) button", navigate=True)
            assert "整改中" in b.text()
            b.fill("#note-rectified", "已更正办事指南材料清单，并培训窗口人员")
            b.click("form:has(#note-rectified) button", navigate=True)
            assert "已整改" in b.text()
        with Browser(390, 844) as phone:
            phone.goto(f"{base}/pingjia?from=2026-01&to=2026-12")
            assert "已更正办事指南材料清单" in phone.text() and "5678" not in phone.text()
            assert _serious(phone) == []
            phone.screenshot(shots / "5-pingjia.png", full_page=True)
