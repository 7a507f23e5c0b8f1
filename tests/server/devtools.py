"""Headless Chromium for the editor's browser test, driven over the DevTools websocket,
and a live server. (tests/server/browser.py is the phone pages' pipe-based driver.)

    with LiveServer(app) as base, Browser() as b:
        b.go(base + "/login")
        b.fill("#name", "ed"); b.click("button[type=submit]", navigate=True)
        b.wait_for("document.querySelector('h1') !== null")
        b.screenshot(path)
"""
from __future__ import annotations

import base64
import itertools
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import websocket
from werkzeug.serving import make_server

FONT_DIR = Path(__file__).resolve().parents[2] / "guides" / "fonts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage", "--hide-scrollbars"]


class LiveServer:
    """The Flask app on 127.0.0.1 at a free port, in a thread."""

    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        return f"http://127.0.0.1:{self.server.server_port}"

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join(10)


class BrowserError(AssertionError):
    pass


class Browser:
    def __init__(self, width: int = 1280, height: int = 900, timeout: float = 20.0):
        self.width, self.height, self.timeout = width, height, timeout
        self._ids = itertools.count(1)

    def __enter__(self) -> "Browser":
        self.profile = Path(tempfile.mkdtemp(prefix="chromium-test-"))
        # The machine may have no Chinese font: give Chromium the project's Noto Sans SC.
        fonts = self.profile / "fonts.conf"
        fonts.write_text('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
                         '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
                         f'<dir>{FONT_DIR}</dir><cachedir>{self.profile / "fc-cache"}</cachedir></fontconfig>')
        env = dict(os.environ, FONTCONFIG_FILE=str(fonts))
        self.proc = subprocess.Popen([CHROMIUM, *FLAGS, f"--user-data-dir={self.profile}",
                                      "--remote-debugging-port=0", f"--window-size={self.width},{self.height}",
                                      "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        port_file = self.profile / "DevToolsActivePort"
        deadline = time.monotonic() + self.timeout
        while not port_file.exists() or not port_file.read_text().strip():
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.__exit__()
                raise BrowserError("Chromium did not start")
            time.sleep(0.05)
        port = int(port_file.read_text().split()[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as r:
            pages = [t for t in json.load(r) if t["type"] == "page"]
        self.ws = websocket.create_connection(pages[0]["webSocketDebuggerUrl"], timeout=self.timeout,
                                              suppress_origin=True)
        self.send("Page.enable")
        self.send("Runtime.enable")
        self.send("Emulation.setDeviceMetricsOverride", width=self.width, height=self.height,
                  deviceScaleFactor=1, mobile=False)
        return self

    def __exit__(self, *exc):
        try:
            if getattr(self, "ws", None):
                self.ws.close()
        finally:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
            shutil.rmtree(self.profile, ignore_errors=True)

    # -- protocol ---------------------------------------------------------------------------------
    def send(self, method: str, **params):
        msg_id = next(self._ids)
        self.ws.send(json.dumps({"id": msg_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == msg_id:
                if "error" in msg:
                    raise BrowserError(f"{method}: {msg['error']}")
                return msg.get("result", {})

    def js(self, expression: str):
        res = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in res:
            raise BrowserError(f"{expression[:80]}: {res['exceptionDetails'].get('text')} "
                               f"{res['exceptionDetails'].get('exception', {}).get('description', '')}")
        return res["result"].get("value")

    # -- helpers ---------------------------------------------------------------------------------------
    def wait_for(self, condition: str, what: str = "") -> None:
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            try:
                if self.js(f"Boolean({condition})"):
                    return
            except BrowserError:
                pass  # page in the middle of navigating
            time.sleep(0.05)
        raise BrowserError(f"timed out waiting for {what or condition} on {self.url}")

    @property
    def url(self) -> str:
        try:
            return self.js("location.href")
        except BrowserError:
            return "?"

    def go(self, url: str) -> None:
        self.js("window.__nav = 1")
        self.send("Page.navigate", url=url)
        self._loaded()

    def _loaded(self) -> None:
        self.wait_for("window.__nav === undefined && document.readyState === 'complete'", "page load")

    def click(self, selector: str, navigate: bool = False) -> None:
        if navigate:
            self.js("window.__nav = 1")
        ok = self.js(f"(() => {{ const e = document.querySelector({json.dumps(selector)}); if (!e) return false; "
                     "e.scrollIntoView({block: 'center'}); e.click(); return true; })()")
        if not ok:
            raise BrowserError(f"no element {selector} on {self.url}")
        if navigate:
            self._loaded()

    def fill(self, selector: str, value: str) -> None:
        """Set a field's value as typing would, firing input and change events."""
        ok = self.js(f"(() => {{ const e = document.querySelector({json.dumps(selector)}); if (!e) return false; "
                     f"e.focus(); e.value = {json.dumps(value)}; "
                     "e.dispatchEvent(new Event('input', {bubbles: true})); "
                     "e.dispatchEvent(new Event('change', {bubbles: true})); return true; })()")
        if not ok:
            raise BrowserError(f"no field {selector} on {self.url}")

    def text(self, selector: str = "body") -> str:
        return self.js(f"(document.querySelector({json.dumps(selector)}) || {{innerText: ''}}).innerText")

    def screenshot(self, path: Path, full_page: bool = True) -> Path:
        params = {"format": "png"}
        if full_page:
            size = self.js("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
            params["clip"] = {"x": 0, "y": 0, "width": size[0], "height": min(size[1], 6000), "scale": 1}
            params["captureBeyondViewport"] = True
        data = self.send("Page.captureScreenshot", **params)["data"]
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path
