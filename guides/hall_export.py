"""Bringing a release's halls back into a content folder: overrides and own guides as files.

The web editor publishes a hall's override or own guide into a release; `export_hall_files`
writes them to content/halls/<id>/overrides/<key>.yaml and content/halls/<id>/guides/<code>.yaml
with the rule of guides.publishing.export_published: a missing file is written, an equal one
left as it is, a different one replaced only with `overwrite` (else reported as kept). An
override the release no longer has (deleted in the editor) removes its file with `overwrite`.
A live hall whose folder is missing (removed by hand: a release would take its own guides
offline) is written whole, hall.yaml included; an existing hall.yaml and regions.yaml are the
folder's own and not touched.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import yaml
from pydantic import ValidationError

from guides.model import Guide
from guides.yamlsource import load_plain_file


def _load(path: Path) -> Any:
    try:
        return load_plain_file(path)
    except (OSError, yaml.YAMLError):
        return ...  # unreadable: equal to nothing


def _guide_json(data: Any) -> Any:
    try:
        return Guide.model_validate(data).model_dump(mode="json")
    except ValidationError:
        return ...


def export_hall_files(release, folder: Path, *, overwrite: bool, report, dump: Callable[[Any], str]) -> None:
    """Write the halls of `release` into `folder`/halls (see the module docstring); `report`
    is a guides.publishing.ExportReport, `dump` the YAML writer."""
    rel_guides = release.guides

    def put(path: Path, value: Any, same: bool) -> None:
        if path.exists() and same:
            report.same.append(path)
        elif path.exists() and not overwrite:
            report.kept.append(path)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(dump(value), encoding="utf-8")
            report.written.append(path)

    for hall_id, hall in sorted(release.content.halls.items()):
        base = folder / "halls" / hall_id
        if not base.exists():  # the live hall's folder is gone: bring it back whole
            put(base / "hall.yaml", hall.site.model_dump(mode="json", exclude_defaults=True), False)
        elif not (base / "hall.yaml").is_file():
            continue
        by_source = {o.source: o for o in hall.offered}
        for offer in hall.site.offers:
            key = offer.basic_code or offer.code or ""
            source = offer.code if offer.code is not None else next(
                (c for c, g in rel_guides.items() if g.basic_code == offer.basic_code), None)
            live = by_source.get(source)
            path = base / "overrides" / f"{key}.yaml"
            if live is None:
                continue
            if live.override:
                put(path, live.override, path.exists() and _load(path) == live.override)
            elif path.exists():
                if _load(path) in (None, {}):
                    report.same.append(path)
                elif overwrite:
                    path.unlink()
                    report.removed.append(path)
                else:
                    report.kept.append(path)
        for code, guide in sorted(hall.own.items()):
            path = base / "guides" / f"{code}.yaml"
            put(path, guide.model_dump(mode="json", exclude_defaults=True),
                path.exists() and _guide_json(_load(path)) == guide.model_dump(mode="json"))
