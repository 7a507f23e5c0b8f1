"""Code-list profiles (codelists/*.yaml) and the vocabulary of labels (vocabulary.yaml).

Provinces code the same element differently: 材料形式 3 is 纸质和电子 in one list and 纸质或电子
in another; 满意度 1 is 非常满意 in one and 非常不满意 in another. So a cell is read as:

1. a label of the field's vocabulary ("纸质或电子", "行政许可") -> that label, whatever the
   profile;
2. otherwise a bare code ("4", "01") -> looked up in the profile named by --codes only; a code
   the profile lacks is an error (LE131), and so is a profile without that list (LE132);
3. otherwise an unknown label (LW302: the element is left absent).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from guides.implementation_list.cells import nfkc
from guides.yamlsource import load_plain_file

HERE = Path(__file__).parent
DEFAULT_PROFILE = "gbt39046"
_BARE_CODE = re.compile(r"^[0-9A-Za-z]{1,4}$")


class ProfileError(Exception):
    """A --codes profile that does not exist or cannot be read."""


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    lists: dict[str, dict[str, str]]

    def lookup(self, list_name: str, code: str) -> str | None:
        """The label of ``code`` in ``list_name``; digits also match without leading zeros.
        Raises KeyError when the profile has no such list."""
        table = self.lists[list_name]
        if code in table:
            return table[code]
        if code.isdigit():
            for k, v in table.items():
                if k.isdigit() and int(k) == int(code):
                    return v
        return None


def available_profiles() -> list[str]:
    return sorted(p.stem for p in (HERE / "codelists").glob("*.yaml"))


@lru_cache(maxsize=None)
def load_profile(name_or_path: str) -> Profile:
    """A built-in profile by name (gbt39046, province-reversed) or a YAML file by path.
    Raises ProfileError."""
    path = Path(name_or_path)
    if not path.suffix:
        path = HERE / "codelists" / f"{name_or_path}.yaml"
    if not path.is_file():
        raise ProfileError(f"代码表“{name_or_path}”不存在；可用的有：{'、'.join(available_profiles())}，"
                           "或给出代码表 YAML 文件的路径")
    try:
        data = load_plain_file(path)
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{path}: 代码表文件无法读取：{exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("lists"), dict):
        raise ProfileError(f"{path}: 代码表文件应有 lists: 按列名给出“代码: 名称”")
    lists: dict[str, dict[str, str]] = {}
    if data.get("extends"):
        lists.update(load_profile(str(data["extends"])).lists)
    for list_name, table in data["lists"].items():
        if not isinstance(table, dict):
            raise ProfileError(f"{path}: 代码表 {list_name} 应为“代码: 名称”")
        lists[str(list_name)] = {str(k): str(v) for k, v in table.items()}
    return Profile(str(data.get("name") or path.stem), str(data.get("title") or ""), lists)


@lru_cache(maxsize=None)
def vocabulary() -> dict[str, dict[str, object]]:
    data = load_plain_file(HERE / "vocabulary.yaml")
    return {section: {label_key(str(k)): v for k, v in table.items()} for section, table in data.items()}


def label_key(label: str) -> str:
    return re.sub(r"\s+", "", nfkc(label))


_MISSING = object()


@dataclass(frozen=True)
class Resolved:
    """A cell's reading: ``label`` as understood, ``value`` its v2 value (None: no v2 value),
    ``code`` when the cell held a bare code resolved through the profile."""
    label: str
    value: object
    code: str | None = None


class CodeError(ValueError):
    """A bare code the profile cannot resolve; ``code`` is LE131 or LE132."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


class UnknownLabel(ValueError):
    """Neither a known label nor a bare code."""


_resolved: dict[tuple, Resolved] = {}


def resolve(raw: str, vocab: str, codes: str | None, profile: Profile, column: str) -> Resolved:
    """Read one label cell (see the module docstring). ``column`` names the column in messages.
    Raises CodeError (LE131/LE132) or UnknownLabel."""
    key = (raw, vocab, codes, profile.name, id(profile))
    hit = _resolved.get(key)
    if hit is not None:
        return hit
    out = _resolve(raw, vocab, codes, profile, column)
    if len(_resolved) < 100_000:
        _resolved[key] = out
    return out


def _resolve(raw: str, vocab: str, codes: str | None, profile: Profile, column: str) -> Resolved:
    table = vocabulary()[vocab]
    key = label_key(raw)
    value = table.get(key, _MISSING)
    if value is not _MISSING:
        return Resolved(key, value)
    if _BARE_CODE.match(key) and codes:
        if codes not in profile.lists:
            raise CodeError("LE132", f"“{column}”填的是代码 {key}，但代码表 {profile.name} 没有“{column}”的代码；"
                                     "请在单元格中写名称，或用 --codes 指定含此代码的代码表")
        label = profile.lookup(codes, key)
        if label is None:
            known = "、".join(f"{k}={v}" for k, v in profile.lists[codes].items())
            raise CodeError("LE131", f"代码 {key} 不在代码表 {profile.name} 的“{column}”中（{known}）")
        value = table.get(label_key(label), _MISSING)
        if value is _MISSING:
            raise UnknownLabel(f"代码 {key} 在代码表 {profile.name} 中是“{label}”，但不是可识别的“{column}”")
        return Resolved(label, value, key)
    raise UnknownLabel(f"“{raw}”不是可识别的“{column}”（可用：{'、'.join(k for k in table)}）")
