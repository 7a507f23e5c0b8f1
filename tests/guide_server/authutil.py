"""Helpers for tests of pages behind a login (guide editor, kiosk fleet).

    app = make_auth_app(instance)                 # create_app with cheap password hashing
    add_user(app, "ed", "editor")                 # password: PASSWORD
    client = app.test_client(); login(client, "ed")
    client.post(url, data={"csrf_token": csrf_token(client, page_url), ...})
"""
from __future__ import annotations

import re

PASSWORD = "correct horse battery"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def make_auth_app(instance, **config):
    from guide_server import create_app

    cfg = {"TESTING": True, "INSTANCE_DIR": str(instance), "PASSWORD_HASH_PROFILE": "cheap"}
    cfg.update(config)
    return create_app(cfg)


def add_user(app, name: str, role: str, password: str = PASSWORD):
    return app.extensions["accounts"].add(name, role, password)


def csrf_token(client, url: str = "/login") -> str:
    html = client.get(url).get_data(as_text=True)
    m = _TOKEN.search(html)
    assert m, f"no CSRF token on {url}"
    return m.group(1)


def login(client, name: str, password: str = PASSWORD, next: str = ""):
    token = csrf_token(client, "/login")
    return client.post("/login", data={"csrf_token": token, "name": name, "password": password, "next": next})


def logout(client):
    token = csrf_token(client, "/logout")
    return client.post("/logout", data={"csrf_token": token})
