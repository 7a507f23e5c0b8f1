"""Real browser: Debian's headless Chromium at 390×844 against `guide-server serve`.

Screenshots (var/screenshots/) of home, a guide, 长辈版 and the 404; axe-core with zero
serious or critical violations on every page type; the 适老化 measures in 长辈版;
no third-party request and no console/CSP error; a rating sent from the page itself.
"""
from __future__ import annotations

import struct
from pathlib import Path

import pytest

from tests.guide_server.conftest import ROOT
from tests.support.browser import AXE, CHROMEDRIVER, CHROMIUM, Browser

pytestmark = pytest.mark.browser

SHOTS = ROOT / "var" / "screenshots"
GA = "330382-GA-0001"

PAGE_TYPES = {
    "home": "/",
    "category": "/c/huji",
    "search": "/search?q=sfz",
    "search-empty": "/search?q=火星签证",
    "guide": f"/g/{GA}",
    "print": f"/g/{GA}/print",
    "not-found": "/g/330382-XX-0000",
    "rate-form": f"/g/{GA}/rate",
    "ratings": "/ratings",
    "guide-ratings": f"/g/{GA}/ratings",
}


@pytest.fixture(scope="module")
def browser():
    assert CHROMIUM.exists(), "Chromium is missing: run scripts/setup (scripts/apt-packages.txt)"
    assert CHROMEDRIVER.exists(), "chromedriver is missing: run scripts/setup (scripts/apt-packages.txt)"
    assert AXE.exists(), "axe-core is missing: run scripts/setup (package.json)"
    b = Browser(390, 844)
    try:
        yield b
    finally:
        b.close()


def png_size(path: Path) -> tuple[int, int]:
    return struct.unpack(">II", path.read_bytes()[16:24])


def run_axe(b: Browser) -> list[dict]:
    return b.axe_violations()


def set_mode(b: Browser, base: str, mode: str) -> None:
    b.goto(f"{base}/mode/{mode}?next=/")


@pytest.mark.parametrize("mode", ["standard", "elder"])
def test_axe_finds_no_serious_or_critical_violation_on_any_page_type(browser, live_server, mode):
    set_mode(browser, live_server, mode)
    problems = {}
    for name, path in PAGE_TYPES.items():
        browser.goto(live_server + path)
        bad = [v for v in run_axe(browser) if v["impact"] in ("serious", "critical")]
        if bad:
            problems[name] = bad
    set_mode(browser, live_server, "standard")
    assert problems == {}


def test_screenshots_of_home_guide_elder_and_404(browser, live_server):
    set_mode(browser, live_server, "standard")
    shots = {}
    for name, path in (("home", "/"), ("guide", f"/g/{GA}"), ("404", "/g/330382-XX-0000")):
        browser.goto(live_server + path)
        shots[name] = browser.screenshot(SHOTS / f"{name}.png")
    set_mode(browser, live_server, "elder")
    browser.goto(f"{live_server}/g/{GA}")
    shots["guide-elder"] = browser.screenshot(SHOTS / "guide-elder.png")
    browser.goto(live_server + "/")
    shots["home-elder"] = browser.screenshot(SHOTS / "home-elder.png")
    set_mode(browser, live_server, "standard")
    for name, path in shots.items():
        assert png_size(path) == (390, 844), name
    # the elder screenshot differs from the standard one: larger type moves everything
    assert shots["guide"].read_bytes() != shots["guide-elder"].read_bytes()


def test_page_fits_the_phone_and_loads_nothing_from_elsewhere(browser, live_server):
    set_mode(browser, live_server, "standard")
    for path in ("/", f"/g/{GA}", "/search?q=社保", "/g/330382-XX-0000"):
        mark = browser.mark()
        browser.goto(live_server + path)
        assert browser.js("document.documentElement.scrollWidth") <= 390, path
        urls = browser.requested_urls(since=mark)
        assert urls and all(u.startswith(live_server) for u in urls), urls
        errors = [e for e in browser.console_errors(since=mark) if "404" not in e]
        assert errors == [], errors  # a CSP violation would show here
    assert browser.js("document.scripts.length") == 0


ELDER_PROBE = """(() => {
  const cs = e => getComputedStyle(e);
  const visible = e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  const texts = [...document.querySelectorAll('main p, main li, main dd, main dt, main span, main label, main a, main summary')]
     .filter(e => visible(e) && [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()));
  const targets = [...document.querySelectorAll(
     '.list a, .cats a, button, .btn, .tel, summary, .check label, .levels label, .reasons label, .mode, .crumbs a')]
     .filter(visible);
  return {
    body: parseFloat(cs(document.body).fontSize),
    lineHeight: parseFloat(cs(document.body).lineHeight) / parseFloat(cs(document.body).fontSize),
    h1: parseFloat(cs(document.querySelector('h1')).fontSize),
    smallest: Math.min(...texts.map(e => parseFloat(cs(e).fontSize))),
    tightest: Math.min(...texts.map(e => parseFloat(cs(e).lineHeight) / parseFloat(cs(e).fontSize))),
    smallTargets: targets.filter(e => e.getBoundingClientRect().height < 60).map(e => e.textContent.trim().slice(0, 12)),
    targets: targets.length,
  };
})()"""


def test_elder_mode_meets_the_ageing_friendly_measures_in_the_browser(browser, live_server):
    set_mode(browser, live_server, "elder")
    try:
        for path in ("/", f"/g/{GA}", "/c/huji"):
            browser.goto(live_server + path)
            m = browser.js(ELDER_PROBE)
            assert m["body"] >= 18 and m["smallest"] >= 18, (path, m)
            assert m["h1"] > m["body"], (path, m)
            assert m["lineHeight"] >= 1.3 and m["tightest"] >= 1.3, (path, m)
            assert m["targets"] > 3 and m["smallTargets"] == [], (path, m)
    finally:
        set_mode(browser, live_server, "standard")


def test_material_checklist_ticks_with_a_tap_and_no_script(browser, live_server):
    browser.goto(f"{live_server}/g/{GA}")
    assert browser.js("document.querySelector('.check input').checked") is False
    browser.tap(".check label")
    assert browser.js("document.querySelector('.check input').checked") is True


def test_rating_sent_from_the_guide_page_is_thanked(browser, live_server):
    browser.goto(f"{live_server}/g/{GA}")
    browser.click("input[name=level][value='4']")
    browser.click("input[name=reason][value='clear']")
    browser.fill(".rate textarea", "材料清单很清楚<b>好</b>")
    browser.click(".rate button[type=submit]", navigate=True)
    assert browser.js("location.pathname") == f"/g/{GA}/rated"
    assert "感谢您的评价" in browser.js("document.body.innerText")
    bad = [v for v in run_axe(browser) if v["impact"] in ("serious", "critical")]
    assert bad == []
    browser.goto(f"{live_server}/g/{GA}/ratings")
    assert "材料清单很清楚<b>好</b>" in browser.js("document.body.innerText")  # shown as text, not markup
    assert browser.js("document.querySelectorAll('.comments b').length") == 0
