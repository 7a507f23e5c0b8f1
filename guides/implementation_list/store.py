"""Writing imported guides into a content folder, and remembering what was imported.

``plan_write`` compares each imported guide with ``guides/<code>.yaml`` and decides:
new, update (with a diff), same (nothing to write), held (edited by hand since the last
import: not overwritten without ``overwrite=True``) or overwrite. ``apply_plan`` then writes
every file under a temporary name, flushes, and renames them into place, then replaces
``import-state.json``; an error before the renames leaves the folder as it was.

``import-state.json`` (at the content folder's root; the checker and releases ignore it)
holds, per code, the hash of the guide as last imported. A file whose current hash differs —
or a guide that was never imported — counts as edited by hand.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import secrets
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from guides.implementation_list.diff import diff_guides
from guides.implementation_list.mapping import ImportResult
from guides.implementation_list.merge import merge_guide
from guides.implementation_list.yamlout import dump_guide, guide_hash
from guides.release import fsync_dir
from guides.yamlsource import load_plain_file

STATE_FILE = "import-state.json"
STATE_FORMAT = 1
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class WriteError(Exception):
    """The content folder could not be written; nothing was changed."""


@dataclass
class Action:
    code: str
    kind: str            # new | update | same | held | overwrite
    path: Path
    data: dict | None    # what is (or would be) written
    diff: list[str] = field(default_factory=list)
    reason: str = ""

    @property
    def writes(self) -> bool:
        return self.kind in ("new", "update", "overwrite")


@dataclass
class Plan:
    folder: Path
    actions: list[Action]
    state: dict
    not_in_file: list[str]

    def count(self, kind: str) -> int:
        return sum(1 for a in self.actions if a.kind == kind)


def read_state(folder: Path) -> dict:
    path = folder / STATE_FILE
    if not path.is_file():
        return {"format": STATE_FORMAT, "guides": {}}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise WriteError(f"{path}: 导入记录无法读取（{exc}）；如确认不再需要，可删除该文件后重新导入"
                         "（所有已有事项将被视为手工修改过）") from None
    if not isinstance(data, dict) or not isinstance(data.get("guides"), dict):
        raise WriteError(f"{path}: 导入记录格式不对")
    return data


def _read_existing(path: Path) -> tuple[dict | None, str | None]:
    if not path.is_file():
        return None, None
    try:
        data = load_plain_file(path)
    except (OSError, yaml.YAMLError, UnicodeDecodeError, ValueError) as exc:
        return None, f"现有文件无法解析（{str(exc).splitlines()[0][:80]}）"
    if not isinstance(data, dict):
        return None, "现有文件不是一个事项"
    return data, None


def plan_write(result: ImportResult, folder: str | Path, *, overwrite: bool = False) -> Plan:
    """Decide what an import would write into ``folder`` (nothing is written here)."""
    folder = Path(folder)
    state = read_state(folder)
    known = state["guides"]
    actions: list[Action] = []
    for code, guide in result.guides.items():
        path = folder / "guides" / f"{code}.yaml"
        existing, broken = _read_existing(path)
        if broken:
            kind = "overwrite" if overwrite else "held"
            data = merge_guide(None, guide.data, guide.managed)
            actions.append(Action(code, kind, path, data, [], broken))
            continue
        merged = merge_guide(existing, guide.data, guide.managed)
        if existing is None:
            actions.append(Action(code, "new", path, merged, diff_guides(None, merged)))
            continue
        if merged == existing:
            actions.append(Action(code, "same", path, merged))
            continue
        diff = diff_guides(existing, merged)
        record = known.get(code)
        if record is None:
            by_hand, why = True, "此事项不是由实施清单导入的（手工编写）"
        else:
            by_hand = record.get("hash") != guide_hash(existing)
            why = "上次导入后被手工修改过" if by_hand else ""
        if by_hand:
            actions.append(Action(code, "overwrite" if overwrite else "held", path, merged, diff, why))
        else:
            actions.append(Action(code, "update", path, merged, diff))
    imported_now = set(result.guides)
    not_in_file = sorted(c for c in known if c not in imported_now)
    return Plan(folder, actions, state, not_in_file)


def apply_plan(plan: Plan, *, sources: list[str], profile: str, texts: dict[str, str] | None = None) -> int:
    """Write the plan's new/update/overwrite guides and the import state; returns the
    number of files written. ``texts``: the YAML of each guide, when already dumped. Raises WriteError
    (then nothing was renamed into place)."""
    guides_dir = plan.folder / "guides"
    writes = [a for a in plan.actions if a.writes]
    with _import_lock(plan.folder):
        _remove_leftovers(plan.folder)
        return _apply(plan, guides_dir, writes, sources, profile, texts)


@contextmanager
def _import_lock(folder: Path):
    """One import writes into a content folder at a time (an flock on <folder>/.import.lock)."""
    import fcntl

    try:
        folder.mkdir(parents=True, exist_ok=True)
        fh = open(folder / ".import.lock", "a")
    except OSError as exc:
        raise WriteError(f"{folder}: 写入失败（{exc.strerror or exc}），内容目录未作任何修改") from None
    with fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        yield


_LEFTOVER = re.compile(r"^\..+\.[0-9a-f]{8}\.tmp$")


def _remove_leftovers(folder: Path) -> None:
    """Temporary files of an import that was killed before renaming them into place (they
    never became content: only renamed files are). Called under the import lock."""
    for d in (folder, folder / "guides"):
        if d.is_dir():
            for p in d.iterdir():
                if _LEFTOVER.match(p.name):
                    p.unlink(missing_ok=True)


def _apply(plan: Plan, guides_dir: Path, writes: list, sources: list[str], profile: str,
           texts: dict[str, str] | None) -> int:
    token = secrets.token_hex(4)
    temps: list[tuple[Path, Path]] = []
    state = {"format": STATE_FORMAT, "guides": dict(plan.state.get("guides", {}))}
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
    try:
        guides_dir.mkdir(parents=True, exist_ok=True)
        for action in writes:
            tmp = guides_dir / f".{action.code}.yaml.{token}.tmp"
            tmp.write_text(texts[action.code] if texts else dump_guide(action.data), encoding="utf-8")
            temps.append((tmp, action.path))
        for action in plan.actions:
            if action.writes or action.kind == "same":
                state["guides"][action.code] = {"hash": guide_hash(action.data), "sources": sources,
                                                "profile": profile, "imported": now}
        state_tmp = plan.folder / f".{STATE_FILE}.{token}.tmp"
        state_tmp.write_text(json.dumps(state, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                             encoding="utf-8")
        temps.append((state_tmp, plan.folder / STATE_FILE))
        os.sync()  # one flush for all temporaries (an fsync per file costs minutes for 20,000 guides)
    except OSError as exc:
        for tmp, _ in temps:
            tmp.unlink(missing_ok=True)
        raise WriteError(f"{plan.folder}: 写入失败（{exc.strerror or exc}），内容目录未作任何修改") from None
    for tmp, final in temps:
        os.replace(tmp, final)
    fsync_dir(guides_dir)
    fsync_dir(plan.folder)
    return len(writes)
