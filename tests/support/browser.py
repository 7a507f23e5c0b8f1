"""Headless Chromium for the browser tests, driven by Selenium WebDriver through Debian's
`chromium-driver` (/usr/bin/chromedriver, the same version as /usr/bin/chromium).

    with Browser(390, 844) as b:                      # a phone: mobile emulation, touch, DPR 1
        b.goto(base + "/g/330382-GA-0001")
        b.js("document.documentElement.scrollWidth")   # evaluate an expression, get a Python value
        b.axe_violations()                             # axe-core from node_modules/axe-core
        b.screenshot(path)                             # PNG of the viewport (full_page=True: whole page)
        b.tap(".check label"); b.fill("#name", "ed"); b.click("button", navigate=True)

Nothing is downloaded at run time: the chromedriver and Chromium paths are given explicitly, so
Selenium Manager is never started (and is told to stay offline should anything start it). Each
Browser has a fresh profile and gives Chromium the project's Noto Sans SC through fontconfig,
since a bare Debian has no Chinese font. Script evaluation goes through WebDriver's Execute
Script, which the page's Content-Security-Policy does not govern; the page's own scripts and
resources are still subject to it, and its violations show in `console_errors()`.
"""
from __future__ import annotations

import base64
import json
import os
import shutil
import tempfile
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import (JavascriptException, StaleElementReferenceException, TimeoutException,
                                        WebDriverException)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.actions import interaction
from selenium.webdriver.common.actions.action_builder import ActionBuilder
from selenium.webdriver.common.actions.pointer_input import PointerInput
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.wait import WebDriverWait

# Selenium Manager must never fetch a driver or a browser: it is skipped when the driver path is
# given (below); these keep it offline and quiet if some code path starts it anyway.
os.environ["SE_OFFLINE"] = "true"
os.environ["SE_AVOID_STATS"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
FONT_DIR = ROOT / "guides" / "fonts"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--hide-scrollbars", "--mute-audio")
# the axe-core report reduced to what a failing assertion should show
AXE_RUN = ("return axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => "
           "({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' '))})));")


class BrowserError(AssertionError):
    """The browser could not start, or a page did not reach the state a test waited for."""


class Browser:
    """One headless Chromium window of `width`×`height` CSS pixels at device pixel ratio 1.

    `mobile=True` emulates a phone (mobile viewport, touch events), as the phone pages are
    used; `mobile=False` is a desktop window, as the editor is used. `timeout` (seconds) bounds
    page loads, scripts and every wait. Raises BrowserError when Chromium, chromedriver or
    axe-core is missing, or when a wait times out.
    """

    def __init__(self, width: int = 390, height: int = 844, *, mobile: bool = True, timeout: float = 30.0):
        for path, what in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
            if not path.exists():
                raise BrowserError(f"{path} is missing: run scripts/setup ({what} is in scripts/apt-packages.txt)")
        self.width, self.height, self.mobile, self.timeout = width, height, mobile, timeout
        self.dir = Path(tempfile.mkdtemp(prefix="chromium-"))
        fonts = self.dir / "fonts.conf"
        fonts.write_text('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
                         '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
                         f'<dir>{FONT_DIR}</dir><cachedir>{self.dir / "fc-cache"}</cachedir></fontconfig>')
        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        for flag in FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={self.dir / 'profile'}")
        options.add_argument(f"--window-size={width},{height}")
        # the viewport is exactly width×height (a headless window's own size leaves it smaller)
        options.add_experimental_option("mobileEmulation", {"deviceMetrics": {
            "width": width, "height": height, "pixelRatio": 1.0, "mobile": mobile, "touch": mobile}})
        # "performance" carries the DevTools Network events (every request), "browser" the console
        options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
        service = Service(executable_path=str(CHROMEDRIVER), log_output=str(self.dir / "chromedriver.log"),
                          env={**os.environ, "FONTCONFIG_FILE": str(fonts)})
        try:
            self.driver = webdriver.Chrome(options=options, service=service)
        except WebDriverException as err:
            log = self.log_text()[-2000:]
            shutil.rmtree(self.dir, ignore_errors=True)
            raise BrowserError(f"Chromium did not start: {err.msg}\n{log}") from err
        self.driver.set_page_load_timeout(timeout)
        self.driver.set_script_timeout(timeout)
        self._requests: list[str] = []
        self._errors: list[str] = []
        self._seen: list[tuple[int, int]] = []

    # -- pages -----------------------------------------------------------------------------
    def goto(self, url: str) -> None:
        """Open `url` and wait for its load event (an error status such as 404 is a loaded page)."""
        self.driver.get(url)

    @property
    def url(self) -> str:
        """The address of the current page."""
        return self.driver.current_url

    def js(self, expression: str, *args):
        """The value of a JavaScript expression in the page (a promise is awaited); `args`
        are available as arguments[0]... (a WebElement arrives as its DOM element)."""
        return self.driver.execute_script(f"return ({expression});", *args)

    def text(self, selector: str = "body") -> str:
        """The text a reader sees in the first element matching `selector` ('' when none does)."""
        found = self.driver.find_elements(By.CSS_SELECTOR, selector)
        return found[0].text if found else ""

    def wait_for(self, condition: str, what: str = "") -> None:
        """Wait until the JavaScript expression `condition` is true in the page."""
        wait = WebDriverWait(self.driver, self.timeout, poll_frequency=0.05, ignored_exceptions=(JavascriptException,))
        try:
            wait.until(lambda d: d.execute_script(f"return Boolean({condition});"))
        except TimeoutException:
            raise BrowserError(f"timed out waiting for {what or condition} on {self.url}") from None

    # -- input -----------------------------------------------------------------------------
    def find(self, selector: str) -> WebElement:
        """The first element matching the CSS `selector`, scrolled to the middle of the viewport."""
        found = self.driver.find_elements(By.CSS_SELECTOR, selector)
        if not found:
            raise BrowserError(f"no element {selector} on {self.url}")
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center', inline: 'center'});", found[0])
        return found[0]

    def click(self, selector: str, navigate: bool = False) -> None:
        """Click the element as a mouse would; with `navigate`, wait until the next page has loaded.

        When the page replaces the element between finding and clicking it (a page still
        settling: Chromium then says the node "does not belong to the document" and has not
        clicked), the element is found again and clicked, up to three times."""
        for attempt in range(3):
            element = self.find(selector)
            page = self.driver.find_element(By.TAG_NAME, "html") if navigate else None
            try:
                element.click()
                break
            except StaleElementReferenceException:
                if attempt == 2:
                    raise
            except WebDriverException as exc:
                if "does not belong to the document" not in str(exc) or attempt == 2:
                    raise
        if page is not None:
            self._wait_for_new_page(page)

    def tap(self, selector: str) -> None:
        """Tap the middle of the element with a finger (a touch pointer: down, then up)."""
        element = self.find(selector)
        finger = PointerInput(interaction.POINTER_TOUCH, "finger")
        actions = ActionBuilder(self.driver, mouse=finger)
        actions.pointer_action.move_to(element).pointer_down().pointer_up()
        actions.perform()

    def fill(self, selector: str, value: str) -> None:
        """Type `value` into a field, replacing what it held (input and change events fire as
        when a person types); for a <select>, choose the option whose value is `value`."""
        element = self.find(selector)
        if element.tag_name == "select":
            Select(element).select_by_value(value)
            return
        element.clear()
        element.send_keys(value)

    def _wait_for_new_page(self, old_root: WebElement) -> None:
        def old_page_gone(_driver) -> bool:
            # Chromium reports an element of a replaced document either as stale or, while the
            # new document is being attached, as a node that "does not belong to the document".
            try:
                old_root.is_enabled()
            except StaleElementReferenceException:
                return True
            except WebDriverException as exc:
                if "does not belong to the document" in str(exc):
                    return True
                raise
            return False

        try:
            WebDriverWait(self.driver, self.timeout).until(old_page_gone)
        except TimeoutException:
            raise BrowserError(f"no new page after the click on {self.url}") from None
        self.wait_for("document.readyState === 'complete'", "the page to load")

    # -- checks ----------------------------------------------------------------------------
    def axe_violations(self) -> list[dict]:
        """axe-core's violations on the current page: [{id, impact, help, nodes: [selector]}].
        axe-core comes from node_modules (package.json), injected once per page."""
        if not AXE.exists():
            raise BrowserError(f"{AXE} is missing: run scripts/setup (axe-core is in package.json)")
        if not self.driver.execute_script("return typeof window.axe !== 'undefined';"):
            self.driver.execute_script(AXE.read_text(encoding="utf-8"))
        return self.driver.execute_script(AXE_RUN)

    def screenshot(self, path: Path, full_page: bool = False) -> Path:
        """Write a PNG of the viewport (width×height pixels) to `path`; with `full_page`, of the
        whole page as laid out in this viewport (at most 6000 pixels tall)."""
        if full_page:
            width, height = self.js("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
            shot = self.driver.execute_cdp_cmd("Page.captureScreenshot", {
                "format": "png", "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": width, "height": min(height, 6000), "scale": 1}})
            png = base64.b64decode(shot["data"])
        else:
            png = self.driver.get_screenshot_as_png()
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(png)
        return path

    def mark(self) -> int:
        """A bookmark in the record of requests and console errors, for `since=` below."""
        self._collect()
        self._seen.append((len(self._requests), len(self._errors)))
        return len(self._seen) - 1

    def requested_urls(self, since: int | None = None) -> list[str]:
        """Every URL the browser requested (documents, styles, images...), since `mark()`."""
        self._collect()
        return self._requests[self._seen[since][0]:] if since is not None else list(self._requests)

    def console_errors(self, since: int | None = None) -> list[str]:
        """Console messages of level error (script errors, CSP violations, failed loads), since `mark()`."""
        self._collect()
        return self._errors[self._seen[since][1]:] if since is not None else list(self._errors)

    def _collect(self) -> None:
        for entry in self.driver.get_log("performance"):
            event = json.loads(entry["message"])["message"]
            if event.get("method") == "Network.requestWillBeSent":
                self._requests.append(event["params"]["request"]["url"])
        for entry in self.driver.get_log("browser"):
            if entry["level"] == "SEVERE":
                self._errors.append(entry["message"])

    # -- lifetime --------------------------------------------------------------------------
    def log_text(self) -> str:
        """chromedriver's log (Chromium's own start-up errors land there too)."""
        try:
            return (self.dir / "chromedriver.log").read_text(errors="replace")
        except OSError:
            return ""

    def close(self) -> None:
        """Quit Chromium and chromedriver and remove the profile."""
        try:
            self.driver.quit()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> "Browser":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
