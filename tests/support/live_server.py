"""A Flask app served on 127.0.0.1 from a thread, for browser tests that need a private app."""
from __future__ import annotations

import threading

from werkzeug.serving import make_server


class LiveServer:
    """The Flask app on 127.0.0.1 at a free port, in a thread.

        with LiveServer(app) as base:   # base is "http://127.0.0.1:<port>"
            ...
    """

    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        return f"http://127.0.0.1:{self.server.server_port}"

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join(10)
