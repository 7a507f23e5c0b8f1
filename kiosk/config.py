"""The kiosk's one TOML configuration file.

Default location: ``<instance>/kiosk.toml``; every key is optional::

    [hall]
    name = ""                    # overrides site.yaml's hall name when set
    timezone = "Asia/Shanghai"   # every time shown or printed is hall time, whatever the OS says
    [screen]
    orientation = "portrait"     # or "landscape"
    fullscreen = true            # false only on a developer's desk
    touch_input = "sdl"          # Kivy input provider of the touchscreen: sdl, mtdev or hidinput (one only)
    [idle]
    seconds = 60                 # no touch this long -> countdown
    countdown = 10               # then home, card-holder data wiped
    [devices]
    reader = "ga467:///dev/ttyUSB0?baud=115200"
    printer = "usb://0416:5011"
    printer_profile = "80mm"     # 58mm, 80mm, 58mm-gbk, 80mm-gbk
    card_wait_seconds = 30
    [maintenance]
    pin_hash = ""                # argon2id hash of this kiosk's PIN, written by kiosk provision / set-pin
    pin = "246810"               # a plain PIN (development); the default makes `kiosk run` refuse to start
    [content]
    dir = ""                     # a content folder instead of the instance's release store
    stale_hours = 48             # older last sync -> "离线" badge on the home screen
    [tickets]
    waiting_window_minutes = 30
    [[tickets.queues]]           # none: one queue per content category, A, B, C …
    prefix = "A"
    name = "户籍办理"
    [search]
    input = "pinyin"             # the search screen opens on 拼音 or "handwriting" (手写)
    keyboard = "az"              # letter keys in A–Z order, or "qwerty"; people can switch on screen
    popular = 6                  # most searched terms shown on an empty search (0: none)
    handwriting_model = ""       # a Zinnia model file; "" is Debian's Simplified-Chinese model
    [voice]                      # read-aloud (语音播报): see kiosk/speech/settings.py
    enabled = true
    volume = 80
"""
from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kiosk.hall_time import DEFAULT_TIME_ZONE, hall_zone
from kiosk.maintenance_pin import DEFAULT_PIN
from kiosk.touch_input import TOUCH_INPUTS
from kiosk.speech.settings import VoiceSettings, VoiceSettingsError

ORIENTATIONS = {"portrait": (1080, 1920), "landscape": (1920, 1080)}
SEARCH_INPUTS = ("pinyin", "handwriting")
KEYBOARDS = ("az", "qwerty")
MAX_POPULAR = 12


@dataclass(frozen=True)
class Queue:
    """A 取号 queue: letter prefix of its numbers, name shown on the button, optional note."""
    prefix: str          # "A"
    name: str            # "户籍办理"
    note: str = ""       # e.g. "居民身份证、户口、居住证"


class ConfigError(Exception):
    """A configuration file that cannot be used; the message says where and why."""


@dataclass
class KioskConfig:
    hall_name: str = ""
    timezone: str = DEFAULT_TIME_ZONE
    orientation: str = "portrait"
    fullscreen: bool = True
    touch_input: str = "sdl"
    idle_seconds: float = 60
    countdown_seconds: float = 10
    reader: str = "ga467:///dev/ttyUSB0?baud=115200"
    printer: str = "usb://0416:5011"
    printer_profile: str = "80mm"
    card_wait_seconds: float = 30
    maintenance_pin: str = DEFAULT_PIN
    maintenance_pin_hash: str = ""
    content_dir: str = ""
    stale_hours: float = 48
    waiting_window_minutes: int = 30
    queues: list[Queue] = field(default_factory=list)
    search_input: str = "pinyin"
    keyboard: str = "az"
    popular_terms: int = 6
    handwriting_model: str = ""
    voice: VoiceSettings = field(default_factory=VoiceSettings)

    @property
    def window_size(self) -> tuple[int, int]:
        return ORIENTATIONS[self.orientation]

    def to_toml(self) -> dict:
        d = {
            "hall": {"name": self.hall_name, "timezone": self.timezone},
            "screen": {"orientation": self.orientation, "fullscreen": self.fullscreen,
                       "touch_input": self.touch_input},
            "idle": {"seconds": self.idle_seconds, "countdown": self.countdown_seconds},
            "devices": {"reader": self.reader, "printer": self.printer,
                        "printer_profile": self.printer_profile, "card_wait_seconds": self.card_wait_seconds},
            "maintenance": ({"pin_hash": self.maintenance_pin_hash} if self.maintenance_pin_hash
                            else {"pin": self.maintenance_pin}),
            "content": {"dir": self.content_dir, "stale_hours": self.stale_hours},
            "tickets": {"waiting_window_minutes": self.waiting_window_minutes},
            "search": {"input": self.search_input, "keyboard": self.keyboard, "popular": self.popular_terms,
                       "handwriting_model": self.handwriting_model},
            "voice": self.voice.to_table(),
        }
        if self.queues:
            d["tickets"]["queues"] = [asdict(q) for q in self.queues]
        return d


# (section, key) -> (attribute, type)
_KEYS = {
    ("hall", "name"): ("hall_name", str),
    ("hall", "timezone"): ("timezone", str),
    ("screen", "orientation"): ("orientation", str),
    ("screen", "fullscreen"): ("fullscreen", bool),
    ("screen", "touch_input"): ("touch_input", str),
    ("idle", "seconds"): ("idle_seconds", (int, float)),
    ("idle", "countdown"): ("countdown_seconds", (int, float)),
    ("devices", "reader"): ("reader", str),
    ("devices", "printer"): ("printer", str),
    ("devices", "printer_profile"): ("printer_profile", str),
    ("devices", "card_wait_seconds"): ("card_wait_seconds", (int, float)),
    ("maintenance", "pin"): ("maintenance_pin", str),
    ("maintenance", "pin_hash"): ("maintenance_pin_hash", str),
    ("content", "dir"): ("content_dir", str),
    ("content", "stale_hours"): ("stale_hours", (int, float)),
    ("tickets", "waiting_window_minutes"): ("waiting_window_minutes", int),
    ("search", "input"): ("search_input", str),
    ("search", "keyboard"): ("keyboard", str),
    ("search", "popular"): ("popular_terms", int),
    ("search", "handwriting_model"): ("handwriting_model", str),
}


def parse_config(data: dict, where: str = "kiosk.toml") -> KioskConfig:
    cfg = KioskConfig()
    for section, body in data.items():
        if not isinstance(body, dict):
            raise ConfigError(f"{where}: [{section}] 应为一个表(section)")
        if section == "voice":
            try:
                cfg.voice = VoiceSettings.from_table(body, where)
            except VoiceSettingsError as e:
                raise ConfigError(str(e)) from None
            continue
        for key, value in body.items():
            if (section, key) == ("tickets", "queues"):
                cfg.queues = _queues(value, where)
                continue
            try:
                attr, typ = _KEYS[(section, key)]
            except KeyError:
                known = ", ".join(f"{s}.{k}" for s, k in _KEYS)
                raise ConfigError(f"{where}: 不认识的配置项 {section}.{key}（可用：{known})") from None
            if isinstance(value, bool) and typ is not bool or not isinstance(value, typ):
                raise ConfigError(f"{where}: {section}.{key} 的值 {value!r} 类型不对")
            setattr(cfg, attr, value)
    if cfg.orientation not in ORIENTATIONS:
        raise ConfigError(f"{where}: screen.orientation 只能是 portrait 或 landscape,不是 {cfg.orientation!r}")
    try:
        hall_zone(cfg.timezone)
    except ValueError as e:
        raise ConfigError(f"{where}: hall.timezone {e}") from None
    if cfg.touch_input not in TOUCH_INPUTS:
        raise ConfigError(f"{where}: screen.touch_input 只能是 {'、'.join(TOUCH_INPUTS)}，不是 {cfg.touch_input!r}")
    if cfg.idle_seconds <= 0 or cfg.countdown_seconds < 0:
        raise ConfigError(f"{where}: idle.seconds 必须大于 0,idle.countdown 不能为负数")
    if cfg.search_input not in SEARCH_INPUTS:
        raise ConfigError(f"{where}: search.input 只能是 pinyin（拼音）或 handwriting（手写），不是 {cfg.search_input!r}")
    if cfg.keyboard not in KEYBOARDS:
        raise ConfigError(f"{where}: search.keyboard 只能是 az（字母顺序）或 qwerty，不是 {cfg.keyboard!r}")
    if not 0 <= cfg.popular_terms <= MAX_POPULAR:
        raise ConfigError(f"{where}: search.popular 应为 0 到 {MAX_POPULAR} 的整数，不是 {cfg.popular_terms}")
    if cfg.maintenance_pin_hash:
        if not cfg.maintenance_pin_hash.startswith("$argon2"):
            raise ConfigError(f"{where}: maintenance.pin_hash 不是 kiosk provision / kiosk set-pin 写入的摘要")
        if "pin" not in data.get("maintenance", {}):
            cfg.maintenance_pin = ""   # only the hash opens maintenance
    elif not (cfg.maintenance_pin.isdigit() and 4 <= len(cfg.maintenance_pin) <= 12):
        raise ConfigError(f"{where}: maintenance.pin 应为 4 到 12 位数字")
    return cfg


def _queues(value, where: str) -> list[Queue]:
    if not isinstance(value, list):
        raise ConfigError(f"{where}: tickets.queues 应为 [[tickets.queues]] 表的列表")
    out, seen = [], set()
    for i, q in enumerate(value, 1):
        if not isinstance(q, dict) or set(q) - {"prefix", "name", "note"} or not {"prefix", "name"} <= set(q):
            raise ConfigError(f"{where}: 第 {i} 个 tickets.queues 应有 prefix、name(可选 note)")
        prefix = str(q["prefix"])
        if not (len(prefix) == 1 and prefix.isascii() and prefix.isupper()) or prefix in seen:
            raise ConfigError(f"{where}: 队列前缀 {prefix!r} 应为一个不重复的大写字母")
        seen.add(prefix)
        out.append(Queue(prefix, str(q["name"]), str(q.get("note", ""))))
    return out


def load_config(path: str | Path | None) -> KioskConfig:
    """Read the TOML file; a missing default file means the defaults."""
    if path is None:
        return KioskConfig()
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{p}: 配置文件不存在") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{p}: 不是有效的 TOML:{e}") from None
    return parse_config(data, str(p))


def write_config(cfg: KioskConfig, path: str | Path) -> None:
    import tomli_w
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(tomli_w.dumps(cfg.to_toml()), encoding="utf-8")
