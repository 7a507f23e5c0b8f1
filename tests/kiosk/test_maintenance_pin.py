"""Each kiosk gets its own maintenance PIN (random, shown once, kept as a hash); `kiosk run`
refuses the factory default outside --simulate."""
import os
import re
import subprocess
import sys

import pytest

from kiosk.config import ConfigError, KioskConfig, load_config, parse_config, write_config
from kiosk.maintenance_pin import (DEFAULT_PIN, check_pin, default_pin_problem, hash_pin, new_pin,
                                   uses_default_pin)
from tests.conftest import ROOT


def kiosk(*args, instance):
    env = dict(os.environ, PYTHONPATH=str(ROOT), KIVY_NO_ARGS="1")
    env.pop("KIOSK_INSTANCE", None)
    return subprocess.run([sys.executable, "-m", "kiosk.cli", *args, "--instance", str(instance)],
                          capture_output=True, text=True, env=env, timeout=60)


def test_new_pins_are_random_eight_digits_and_never_the_default():
    pins = {new_pin() for _ in range(50)}
    assert len(pins) == 50 and DEFAULT_PIN not in pins
    assert all(re.fullmatch(r"\d{8}", p) for p in pins)


def test_a_hash_opens_maintenance_for_its_pin_only():
    h = hash_pin("13572468")
    assert h.startswith("$argon2id$") and "13572468" not in h
    assert check_pin("13572468", pin_hash=h)
    assert not check_pin("246810", pin_hash=h) and not check_pin("", pin_hash=h)
    assert not check_pin("13572468", pin_hash=h[:-4] + "AAAA")
    assert check_pin("2468", plain="2468") and not check_pin("", plain="")
    with pytest.raises(ValueError):
        hash_pin("12ab")


def test_the_default_is_refused_outside_simulate():
    assert uses_default_pin("", DEFAULT_PIN) and uses_default_pin(hash_pin(DEFAULT_PIN), "")
    assert "出厂默认值 246810" in default_pin_problem("", DEFAULT_PIN, simulate=False)
    assert default_pin_problem("", DEFAULT_PIN, simulate=True) is None
    assert default_pin_problem(hash_pin("13572468"), "", simulate=False) is None


def test_config_keeps_only_the_hash(tmp_path):
    cfg = KioskConfig(maintenance_pin="", maintenance_pin_hash=hash_pin("97531864"))
    write_config(cfg, tmp_path / "kiosk.toml")
    text = (tmp_path / "kiosk.toml").read_text()
    assert "pin_hash" in text and "97531864" not in text and "246810" not in text
    again = load_config(tmp_path / "kiosk.toml")
    assert again.maintenance_pin == "" and check_pin("97531864", pin_hash=again.maintenance_pin_hash)
    with pytest.raises(ConfigError, match="maintenance.pin_hash 不是"):
        parse_config({"maintenance": {"pin_hash": "97531864"}})


def test_kiosk_run_refuses_the_default_pin_in_chinese(tmp_path):
    out = kiosk("run", instance=tmp_path)
    assert out.returncode == 2
    assert "维护密码仍是出厂默认值 246810" in out.stderr and "kiosk provision" in out.stderr
    assert "Traceback" not in out.stderr and "Error" not in out.stderr


def test_set_pin_shows_a_new_pin_once_and_stores_its_hash(tmp_path):
    out = kiosk("set-pin", instance=tmp_path)
    assert out.returncode == 0, out.stderr
    pin = re.search(r"本机新的维护密码：(\d{8})", out.stdout).group(1)
    text = (tmp_path / "kiosk.toml").read_text()
    assert pin not in text
    cfg = load_config(tmp_path / "kiosk.toml")
    assert check_pin(pin, pin_hash=cfg.maintenance_pin_hash, plain=cfg.maintenance_pin)
    assert not check_pin(DEFAULT_PIN, pin_hash=cfg.maintenance_pin_hash, plain=cfg.maintenance_pin)
    assert default_pin_problem(cfg.maintenance_pin_hash, cfg.maintenance_pin, simulate=False) is None
