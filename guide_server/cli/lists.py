"""`guide-server import-list` and `export-list`: a hall's 实施清单 in and out.

The commands themselves live in guides/implementation_list/cli.py (no Flask); this module adds
them to the group and connects ``import-list --as-drafts`` to the web editor: each imported guide
becomes a draft (never published by itself). A guide whose latest revision was not an import
(edited by hand since) is held unless ``--overwrite``.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from guide_server.cli.base import main
from guides.implementation_list.cli import export_list, make_import_list
from guides.implementation_list.merge import merge_guide


def _save_drafts(payloads, overwrite: bool, instance_dir: str) -> Iterator[str]:
    """Store ``DraftPayload``s as editor drafts of the instance; yields one Chinese line per guide."""
    from guide_server.cli.base import _database_url
    from guide_server.db import Database
    from guide_server.editor.service import EditorError, EditorService, system_account

    svc = EditorService(Database(_database_url(instance_dir)), Path(instance_dir).resolve())
    user = system_account("import-list")
    counts = {"新建": 0, "更新": 0, "未变": 0, "保留": 0, "失败": 0}
    known = {row.code for row in svc.list()}
    updates = []  # re-imported guides: few next to the new ones, handled one by one below

    def new_items():
        for p in payloads:
            if p.code in known:
                updates.append(p)
            else:
                yield p.code, p.data

    try:
        created = svc.create_many(user, new_items(), action="imported", detail="由实施清单导入")
    except EditorError as exc:
        counts["失败"] += 1
        yield f"未能写入新建的草稿（均未写入）：{exc}"
    else:
        counts["新建"] += len(created)
        yield from (f"{code}：已新建草稿" for code in created)
    for p in updates:
        row = svc.get(p.code)
        history = svc.history(p.code)  # newest first
        hand_edited = bool(history) and history[0].user_name != user.name
        if hand_edited and not overwrite:
            counts["保留"] += 1
            yield f"{p.code}：草稿在上次导入后被手工修改过，未覆盖（确需覆盖请加 --overwrite）"
            continue
        data = merge_guide(row.data, p.data, p.managed)
        if data == row.data:
            counts["未变"] += 1
            yield f"{p.code}：与现有草稿相同，未改动"
            continue
        try:
            svc.save(user, p.code, row.version, data, action="imported")
        except EditorError as exc:
            counts["失败"] += 1
            yield f"{p.code}：未能写入草稿：{exc}"
            continue
        counts["更新"] += 1
        yield f"{p.code}：已更新草稿"
    yield "草稿：" + "，".join(f"{k} {v} 项" for k, v in counts.items()) + "。草稿须经审核后才会发布。"


main.add_command(make_import_list(_save_drafts))
main.add_command(export_list)
