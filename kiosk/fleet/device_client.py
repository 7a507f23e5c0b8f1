"""HTTP client of the guide server's device API (/api/v1/device/…), with requests.

`DeviceApiError` carries the server's Chinese message and HTTP status; `Offline` means the
server could not be reached at all (no network, refused, timed out, 5xx from a proxy).
"""
from __future__ import annotations

import json
from typing import Any

import requests

from guides.release import canonical_json

CONNECT_TIMEOUT = 3.05
READ_TIMEOUT = 15.0


class DeviceApiError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message

    @property
    def auth_failed(self) -> bool:
        return self.status in (401, 403)


class Offline(Exception):
    """The server cannot be reached."""


def _message(resp: requests.Response) -> str:
    try:
        return str(resp.json()["error"]["message"])
    except (ValueError, KeyError, TypeError):
        return f"服务器返回 HTTP {resp.status_code}"


class DeviceClient:
    def __init__(self, server: str, token: str | None = None, *, timeout: float = READ_TIMEOUT,
                 session: requests.Session | None = None):
        self.server = server.rstrip("/")
        self.token = token
        self.timeout = (CONNECT_TIMEOUT, timeout)
        self.http = session or requests.Session()
        self.bytes_received = 0

    def close(self) -> None:
        self.http.close()

    def _request(self, method: str, path: str, *, body: Any = None, headers: dict | None = None,
                 timeout: float | None = None, ok=(200,)) -> requests.Response:
        h = {"Accept": "application/json"}
        if self.token:
            h["Authorization"] = f"Bearer {self.token}"
        if body is not None:
            h["Content-Type"] = "application/json"
        h.update(headers or {})
        data = canonical_json(body) if body is not None else None
        to = (CONNECT_TIMEOUT, timeout) if timeout else self.timeout
        try:
            resp = self.http.request(method, self.server + "/api/v1/device" + path, data=data, headers=h,
                                     timeout=to, allow_redirects=False)
        except requests.RequestException as exc:
            raise Offline(f"无法连接服务器 {self.server}：{type(exc).__name__}") from None
        self.bytes_received += len(resp.content)
        if resp.status_code in ok:
            return resp
        if resp.status_code in (502, 503, 504) and "json" not in resp.headers.get("Content-Type", ""):
            raise Offline(f"服务器 {self.server} 暂时不可用（HTTP {resp.status_code}）")
        raise DeviceApiError(resp.status_code, _message(resp))

    def _json(self, resp: requests.Response) -> Any:
        try:
            return resp.json()
        except ValueError:
            raise DeviceApiError(resp.status_code, "服务器的应答不是 JSON") from None

    # -- endpoints ------------------------------------------------------------------------
    def enroll(self, code: str, hardware: dict | None = None) -> dict:
        return self._json(self._request("POST", "/enroll", body={"code": code, "hardware": hardware or {}}))

    def me(self) -> dict:
        return self._json(self._request("GET", "/me"))

    def manifest(self, etag: str | None, base: int | None = None) -> tuple[int, str | None, bytes]:
        """(status, ETag, body): 304 with an empty body when `etag` is still current.

        `etag` is sent back in If-None-Match exactly as the server (or a proxy such as nginx,
        which may have made it weak: ``W/"…"``) gave it; the returned ETag is the header's
        value as received. With `base` (the release number this kiosk holds) the server may
        answer a delta envelope against that release (guides.sync_format)."""
        headers = {"If-None-Match": if_none_match(etag)} if etag else {}
        path = "/manifest" + (f"?base={int(base)}" if base is not None else "")
        resp = self._request("GET", path, headers=headers, ok=(200, 304))
        tag = resp.headers.get("ETag", "").strip() or None
        return resp.status_code, tag, resp.content

    def site(self, number: int) -> bytes:
        return self._request("GET", f"/releases/{number}/site").content

    def guide(self, number: int, code: str) -> bytes:
        return self._request("GET", f"/releases/{number}/guides/{code}").content

    def attachment(self, number: int, name: str) -> bytes:
        """The bytes of attachment `name` (a file name under forms/) of release `number`."""
        from urllib.parse import quote

        return self._request("GET", f"/releases/{number}/forms/{quote(name)}", timeout=60).content

    def events(self, events: list[dict]) -> dict:
        return self._json(self._request("POST", "/events", body={"events": events}))

    def heartbeat(self, data: dict) -> dict:
        return self._json(self._request("POST", "/heartbeat", body=data, timeout=10))

    def ticket(self, queue: str, request_key: str, timeout: float = 3.0) -> dict:
        return self._json(self._request("POST", "/tickets", body={"queue": queue, "request_key": request_key},
                                        timeout=timeout))


def if_none_match(etag: str) -> str:
    """The If-None-Match value for a stored ETag: verbatim when it is a quoted entity tag
    (``"…"`` or ``W/"…"``); an older sync-state.json kept it without quotes, so quote that."""
    etag = etag.strip()
    if etag.startswith('"') or etag.startswith('W/"'):
        return etag
    return f'"{etag}"'


def loads(body: bytes) -> Any:
    return json.loads(body)
