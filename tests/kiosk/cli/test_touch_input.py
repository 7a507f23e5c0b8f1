"""The terminal's Kivy input configuration: one provider per device (a touchscreen seen by
SDL's mouse emulation and by probesysfs delivers every tap twice)."""
import json
import os
import subprocess
import sys

import pytest

from kiosk.config import ConfigError, parse_config
from tests.conftest import ROOT

SHOW = """
import json, sys
from kivy.config import Config
before = dict(Config.items("input"))
if sys.argv[1] != "-":
    from kiosk.config import KioskConfig
    from kiosk.cli.app import configure_kivy
    configure_kivy(KioskConfig(touch_input=sys.argv[1], fullscreen=False))
print(json.dumps({"before": before, "after": dict(Config.items("input"))}))
"""


def kivy_input(touch_input: str, tmp_path) -> dict:
    env = dict(os.environ, KIVY_HOME=str(tmp_path / "kivy-home"), KIVY_NO_ARGS="1", PYTHONPATH=str(ROOT),
               KIVY_NO_CONSOLELOG="1")
    out = subprocess.run([sys.executable, "-c", SHOW, touch_input], env=env, capture_output=True, text=True,
                         check=True, timeout=60)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_kivy_default_reads_a_touchscreen_twice_on_linux(tmp_path):
    seen = kivy_input("-", tmp_path)["after"]
    assert "mouse" in seen.values() and any(v.startswith("probesysfs") for v in seen.values()), seen


@pytest.mark.parametrize("touch_input,expected", [
    ("sdl", {"mouse": "mouse,disable_multitouch"}),
    ("mtdev", {"touchscreen": "probesysfs,provider=mtdev"}),
    ("hidinput", {"touchscreen": "probesysfs,provider=hidinput"}),
])
def test_the_kiosk_configures_exactly_one_provider(touch_input, expected, tmp_path):
    assert kivy_input(touch_input, tmp_path)["after"] == expected


def test_kiosk_toml_names_the_provider_or_says_what_is_allowed():
    assert parse_config({"screen": {"touch_input": "mtdev"}}).touch_input == "mtdev"
    assert parse_config({}).touch_input == "sdl"
    with pytest.raises(ConfigError, match="screen.touch_input 只能是 sdl、mtdev、hidinput"):
        parse_config({"screen": {"touch_input": "tuio"}}, "kiosk.toml")
