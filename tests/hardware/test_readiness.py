"""A long-running process may hold more than 1,024 descriptors; waiting for bytes must still
work there (select.select() refuses such descriptors, poll does not)."""
from __future__ import annotations

import os
import resource
import select
import socket

import pytest

from hardware.readiness import readable


@pytest.fixture
def high_pair():
    """A connected socket pair whose reading end has descriptor number 1500."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft <= 1500:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
    a, b = socket.socketpair()
    os.dup2(a.fileno(), 1500)
    a.close()
    high = socket.socket(fileno=1500)
    yield high, b
    high.close()
    b.close()
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_waiting_on_a_descriptor_above_1024(high_pair):
    high, other = high_pair
    with pytest.raises(ValueError):  # what the simulators and the network printer used to hit
        select.select([high], [], [], 0)
    assert readable(high, 0.05) is False
    other.sendall(b"\x10\x04\x01")  # DLE EOT 1, as a status query arrives
    assert readable(high, 1.0) is True
    assert high.recv(16) == b"\x10\x04\x01"


def test_a_closed_socket_is_an_error_not_a_wait():
    s, t = socket.socketpair()
    s.close()
    t.close()
    with pytest.raises(ValueError):
        readable(s, 0.01)
