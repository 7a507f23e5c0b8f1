"""Wait until a socket or file descriptor has bytes to read, for any descriptor number.

select.select() refuses descriptors numbered 1024 and above (FD_SETSIZE), which a long-running
kiosk or server process can reach; poll(2) has no such limit.
"""
from __future__ import annotations

import select


def readable(fd_or_file, timeout: float) -> bool:
    """True when `fd_or_file` (an int descriptor or anything with fileno()) can be read without
    blocking — data, end of file or an error to collect — within `timeout` seconds (≥ 0).
    OSError/ValueError when it is closed."""
    fd = fd_or_file if isinstance(fd_or_file, int) else fd_or_file.fileno()
    if fd < 0:
        raise ValueError("file descriptor is closed")
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLPRI)
    return bool(poller.poll(max(0.0, timeout) * 1000))
