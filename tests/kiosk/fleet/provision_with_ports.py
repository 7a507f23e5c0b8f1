"""Run the real `kiosk provision` on a machine whose serial ports are given, not probed.

    KIOSK_TEST_PORTS='[{"device": "/dev/ttyUSB0", "description": "USB Serial", "vid": 6790, "pid": 29987},
                       {"device": "/dev/ttyS0", "description": "ttyS0"}]' \\
    python tests/kiosk/fleet/provision_with_ports.py provision --server URL --code CODE --instance DIR

pyserial's port list is replaced by these entries (as field case 09-provision-picks-ttyS0.py
does); everything else is the product's own code, including the GA/T 467 exchange with each
port it tries.
"""
import json
import os
import sys

from serial.tools import list_ports, list_ports_common


def fake_comports(include_links=False):
    out = []
    for spec in json.loads(os.environ["KIOSK_TEST_PORTS"]):
        p = list_ports_common.ListPortInfo(spec["device"], skip_link_detection=True)
        p.description = spec.get("description", "n/a")
        p.vid, p.pid = spec.get("vid"), spec.get("pid")
        out.append(p)
    return out


if __name__ == "__main__":
    list_ports.comports = fake_comports
    from kiosk.cli import main
    sys.argv = ["kiosk"] + sys.argv[1:]
    main()
