"""Run a WSGI app factory under gunicorn with the project's settings.

`guide-server serve` and the benchmark's hello-world app use the same
`options()`, so their figures compare like with like.
"""
from __future__ import annotations

import os
from collections.abc import Callable

from gunicorn.app.base import BaseApplication


def default_workers() -> int:
    return max(2, (os.cpu_count() or 1) * 2)


def options(host: str = "127.0.0.1", port: int = 8000, workers: int | None = None,
            access_log: bool = False) -> dict:
    return {
        "bind": f"{host}:{port}",
        "workers": workers or default_workers(),
        "worker_class": "sync",
        "preload_app": True,
        "timeout": 30,
        "graceful_timeout": 10,
        "keepalive": 2,
        # No access log by default: a log line per scan would hold every visitor's address.
        "accesslog": "-" if access_log else None,
        "errorlog": "-",
        "loglevel": "info",
        "proc_name": "guide-server",
        "control_socket_disable": True,  # several servers may run side by side (tests, bench)
    }


class Server(BaseApplication):
    def __init__(self, factory: Callable, opts: dict):
        self.factory = factory
        self.opts = opts
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.opts.items():
            if value is not None:
                self.cfg.set(key, value)

    def load(self):
        return self.factory()


def run(factory: Callable, opts: dict) -> None:
    Server(factory, opts).run()
