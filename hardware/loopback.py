"""A listening socket on the loopback interface, for the device simulators."""
from __future__ import annotations

import socket

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def loopback_listener(port: int, host: str, backlog: int, what: str) -> socket.socket:
    """Listen on 127.0.0.1:`port` (0: any free port). Simulators never listen beyond this machine."""
    if host not in LOOPBACK:
        raise ValueError(f"the {what} simulator only listens on the loopback interface")
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(backlog)
    return srv
