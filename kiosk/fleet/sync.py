"""Content sync: the kiosk's copy of the server's current release, verified and swapped atomically.

One pass (`sync_once`):

1. GET the signed manifest with If-None-Match (the ETag of the last good pass, sent back
   exactly as received) and ``?base=<current release number>``; 304: done. The server
   answers a kiosk that holds a release it knows with a delta envelope against it
   (guides.sync_format): the kiosk rebuilds the full manifest from its own verified copy
   of that release and the delta. A delta made against another release than the kiosk's
   copy (renumbered server) makes it fetch the full manifest instead.
2. Verify the Ed25519 signature with the public key pinned at provisioning, over the
   canonical JSON of the full manifest (received or rebuilt: a wrong or altered delta
   rebuilds another manifest, whose signature fails), and the shape.
3. Reuse every guide whose hash is unchanged from the current local release; download only
   the others, each checked against its SHA-256 in the manifest; put content.json back
   together and check the whole-release hash (this also covers site and categories, which
   are downloaded only when that check fails with the old ones); parse it as the app will.
   Attachments (blank forms, samples: the manifest's ``attachments`` name -> SHA-256 and
   ``attachment_sizes`` name -> bytes) likewise: a file the current local release holds with
   the same hash (re-checked on disk) is reused, every other one downloaded and checked
   against its size and SHA-256 before anything is written.
4. Write the release folder, attachments under forms/ included, under a temporary name (files
   fsynced, folders fsynced), rename it to R<nnnn>, fsync releases/, replace CURRENT atomically
   (guides.release.atomic_write). So the attachments of a release appear together with it or
   not at all. The previous release is kept to fall back on; older ones are removed.

A release in a content format this program does not read (the manifest's ``schema``: a newer
server's 3 on a kiosk that reads 2, say) is refused before anything is downloaded: the kiosk
keeps its last good release, logs the reason and keeps it in ``sync-state.json`` (``refused``)
for its heartbeat and status until a pass succeeds, i.e. until the kiosk software is updated
(or the server goes back to a format it reads).

A rejected release (unsigned, wrong key, altered, truncated, wrong hash) is logged with its
reason and changes nothing: the kiosk stays on its last good release. Unreachable server:
nothing changes either, and ``sync-state.json`` records since when the kiosk is offline.

The on-disk layout is guides.release's (releases/R<nnnn>/{manifest.json, content.json},
releases/CURRENT), plus signature.json, so kiosk/content.py loads it unchanged.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from guides.release import (SCHEMA, ReleaseError, ReleaseStore, atomic_write, canonical_json,
                            content_from_document, fsync_dir, sha256)
from guides.signing import SignatureError, verify_envelope
from guides.sync_format import (DeltaBaseMismatch, FormatError, apply_delta, assemble_body, check_manifest,
                                site_part)
from kiosk.content import SYNC_STATE
from kiosk.fleet.device_client import DeviceApiError, DeviceClient, Offline

log = logging.getLogger("kiosk.fleet.sync")

KEEP = 2  # current + previous
# The content format (release manifest "schema", guides.release.SCHEMA) this kiosk reads.
SUPPORTED_SCHEMA = SCHEMA



def _clause(text: str) -> str:
    """`text` as a clause of a longer sentence: without its closing full stop (a server's or a
    reason's message ends in "。", and "。；" is not Chinese punctuation)."""
    return text.rstrip().rstrip("。.！!")

class SyncRejected(Exception):
    """The server offered a release this kiosk will not use; the message says why (Chinese)."""


class FormatUnsupported(SyncRejected):
    """A release in a content format this kiosk does not read; `message` is the whole Chinese
    sentence for people (what, and which release the kiosk keeps using)."""

    def __init__(self, schema: int, number: int, current: int | None):
        if schema > SUPPORTED_SCHEMA:
            what = f"内容格式版本 {schema} 高于本机支持的 {SUPPORTED_SCHEMA}，请升级终端软件"
        else:
            what = f"内容格式版本 {schema} 低于本机支持的 {SUPPORTED_SCHEMA}，请联系管理员用新版服务器重新发布"
        keep = f"继续使用上一版内容 R{current}" if current else "本机还没有任何可用内容"
        self.schema, self.number, self.message = schema, number, f"{_clause(what)}；{keep}"
        super().__init__(self.message)


@dataclass
class SyncResult:
    ok: bool
    changed: bool = False
    number: int | None = None
    previous: int | None = None
    downloaded: list[str] = field(default_factory=list)
    reused: int = 0
    forms_downloaded: list[str] = field(default_factory=list)  # attachments fetched in this pass
    forms_reused: int = 0
    removed: int = 0
    bytes: int = 0
    offline: bool = False
    message: str = ""
    delta_base: int | None = None  # the manifest came as a delta against this local release


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


# -- sync-state.json -------------------------------------------------------------------------
def read_state(instance: Path) -> dict[str, Any]:
    try:
        data = json.loads((instance / SYNC_STATE).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def write_state(instance: Path, **changes: Any) -> dict[str, Any]:
    state = read_state(instance)
    state.update(changes)
    instance.mkdir(parents=True, exist_ok=True)
    atomic_write(instance / SYNC_STATE, json.dumps(state, ensure_ascii=False, indent=1).encode("utf-8"))
    return state


def _ok(instance: Path, now: dt.datetime, **changes: Any) -> None:
    write_state(instance, last_ok=now.isoformat(), last_attempt=now.isoformat(), last_error="",
                offline_since=None, refused=None, **changes)


def refused_reason(instance: Path) -> str | None:
    """Why the kiosk does not take the server's current release (a content format it does not
    read), in Chinese, or None. Kept from the refusing pass until a pass succeeds."""
    refused = read_state(instance).get("refused")
    return str(refused.get("reason"))[:400] if isinstance(refused, dict) and refused.get("reason") else None


def offline_since(instance: Path) -> dt.datetime | None:
    """When the kiosk lost its server (first failed pass after the last good one), or None."""
    value = read_state(instance).get("offline_since")
    try:
        return dt.datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


# -- the local store ------------------------------------------------------------------------
def _valid(store: ReleaseStore, number: int) -> bool:
    try:
        store.load(number)
        return True
    except (ReleaseError, ValueError, KeyError, TypeError):
        return False


def _attachments_intact(store: ReleaseStore, number: int) -> bool:
    """Every attachment the manifest of local release `number` lists is on disk and matches.
    (A release synced by an older kiosk program has none on disk: it still loads and is shown,
    and the next pass that brings it again fetches them.)"""
    try:
        for name in store.manifest(number).get("attachments") or {}:
            store.attachment(number, name)
        return True
    except ReleaseError:
        return False


def repair(instance: Path) -> int | None:
    """Make CURRENT name a release that loads: remove crash leftovers, and fall back to the
    newest valid release when CURRENT is missing or broken. Returns the current number."""
    store = ReleaseStore(instance)
    store.clean_temporaries()
    if not store.root.is_dir():
        return None
    for stale in store.root.glob(".CURRENT.*"):
        stale.unlink(missing_ok=True)
    try:
        current = store.current_number()
    except ReleaseError:
        current = None
    if current is not None and _valid(store, current):
        return current
    for number in reversed(store.numbers()):
        if _valid(store, number):
            log.error("CURRENT %s is unusable; falling back to R%s", current, number)
            atomic_write(store.root / "CURRENT", f"{number}\n".encode())
            return number
    return None


def _current_doc(store: ReleaseStore) -> tuple[int | None, dict[str, Any] | None, dict[str, str]]:
    """(number, content document, manifest guide hashes) of the current local release."""
    try:
        number = store.current_number()
        if number is None:
            return None, None, {}
        manifest = store.manifest(number)
        body = (store.folder(number) / "content.json").read_bytes()
        if sha256(body) != manifest.get("hash"):
            return None, None, {}
        return number, json.loads(body), dict(manifest.get("guides", {}))
    except (ReleaseError, OSError, ValueError):
        return None, None, {}


def _write_file(path: Path, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.chmod(path, 0o444)


def _write_release(store: ReleaseStore, number: int, manifest: dict, body: bytes, envelope: dict,
                   forms: dict[str, bytes | Path] | None = None) -> None:
    """Release folder R<number>: content, manifest, signature and the attachments `forms`
    (name -> downloaded bytes, or the verified file of the current release to reuse)."""
    store.root.mkdir(parents=True, exist_ok=True)
    target = store.folder(number)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=store.root))
    try:
        for name, data in (("content.json", body), ("manifest.json", canonical_json(manifest)),
                           ("signature.json", canonical_json(envelope))):
            _write_file(tmp / name, data)
        for name, source in sorted((forms or {}).items()):
            dest = tmp / "forms" / name
            dest.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(source, Path):
                try:
                    os.link(source, dest)  # releases are read-only: the two share one file
                except OSError:
                    _write_file(dest, source.read_bytes())
            else:
                _write_file(dest, source)
        if forms:
            for folder in sorted({p for p in (tmp / "forms").rglob("*") if p.is_dir()} | {tmp / "forms"},
                                 key=lambda p: len(p.parts), reverse=True):
                fsync_dir(folder)
                os.chmod(folder, 0o555)
        fsync_dir(tmp)
        os.chmod(tmp, 0o555)
        if target.exists():  # a broken copy of the same number: set it aside first
            _writable(target)
            aside = Path(tempfile.mkdtemp(prefix=".tmp-old-", dir=store.root))
            os.rename(target, aside / "old")
        os.rename(tmp, target)
    except BaseException:
        _writable(tmp)
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    fsync_dir(store.root)


def _writable(folder: Path) -> None:
    """Make a read-only release folder (and its forms/ folders) removable."""
    for p in [folder, *(q for q in folder.rglob("*") if q.is_dir())] if folder.is_dir() else []:
        try:
            os.chmod(p, 0o755)
        except OSError:
            pass


def _prune(store: ReleaseStore, keep: set[int]) -> int:
    removed = 0
    for number in store.numbers():
        if number not in keep:
            folder = store.folder(number)
            _writable(folder)
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    store.clean_temporaries()
    return removed


# -- one pass ------------------------------------------------------------------------------------
def sync_once(instance: Path, client: DeviceClient, public_key: str,
              now: dt.datetime | None = None) -> SyncResult:
    """One sync pass. Never raises for server, network or content problems: the result says."""
    instance = Path(instance)
    with _sync_lock(instance):
        return _sync_locked(instance, client, public_key, now or now_utc())


@contextlib.contextmanager
def _sync_lock(instance: Path):
    """One pass at a time per instance (the app's loop and a technician's `kiosk sync`).
    A killed holder's lock goes with its process."""
    instance.mkdir(parents=True, exist_ok=True)
    with open(instance / ".sync-lock", "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        yield


def _sync_locked(instance: Path, client: DeviceClient, public_key: str, now: dt.datetime) -> SyncResult:
    repair(instance)
    store = ReleaseStore(instance)
    state = read_state(instance)
    current, old_doc, old_hashes = _current_doc(store)
    start_bytes = client.bytes_received
    etag = state.get("etag") if state.get("etag_release") == current and current is not None else None
    try:
        status, new_etag, body = client.manifest(etag, base=current if old_doc is not None else None)
        if status == 304:
            _ok(instance, now)
            return SyncResult(True, number=current, message=f"内容没有变化（R{current}）。",
                              bytes=client.bytes_received - start_bytes)
        envelope, new_etag, delta_base = _envelope(store, client, body, new_etag,
                                                   current if old_doc is not None else None)
        result = _apply(instance, store, client, public_key, envelope, current, old_doc, old_hashes, delta_base)
    except Offline as exc:
        since = state.get("offline_since") or now.isoformat()
        write_state(instance, last_attempt=now.isoformat(), last_error=str(exc), offline_since=since)
        log.warning("sync: %s", exc)
        have = f"继续使用本机的 R{current}" if current else "本机还没有任何版本"
        return SyncResult(False, number=current, offline=True, message=f"{_clause(str(exc))}；{have}。")
    except FormatUnsupported as exc:
        write_state(instance, last_attempt=now.isoformat(), last_error=exc.message,
                    refused={"schema": exc.schema, "release": exc.number, "reason": exc.message})
        log.error("sync refused R%s: %s", exc.number, exc.message)
        return SyncResult(False, number=current, message=f"未更新：{_clause(exc.message)}。",
                          bytes=client.bytes_received - start_bytes)
    except (SyncRejected, DeviceApiError) as exc:
        reason = exc.message if isinstance(exc, DeviceApiError) else str(exc)
        # 409: this kiosk's hall is not in the server's release — kept like a refused format, so
        # the heartbeat reports it and the fleet list shows why, not just "behind"
        hall_gone = isinstance(exc, DeviceApiError) and exc.status == 409
        write_state(instance, last_attempt=now.isoformat(), last_error=reason,
                    **({"refused": {"hall": True, "reason": reason}} if hall_gone else {}))
        log.error("sync rejected: %s", reason)
        have = f"继续使用上一个可用版本 R{current}" if current else "本机还没有任何可用版本"
        return SyncResult(False, number=current, message=f"未更新：{_clause(reason)}；{have}。",
                          bytes=client.bytes_received - start_bytes)
    result.bytes = client.bytes_received - start_bytes
    result.delta_base = delta_base
    _ok(instance, now, etag=new_etag, etag_release=result.number)
    log.info("sync: %s", result.message)
    return result


def _parse_envelope(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        raise SyncRejected("版本清单不是有效的 JSON（可能传输中被截断）") from None


def _envelope(store: ReleaseStore, client: DeviceClient, body: bytes, etag: str | None,
              base: int | None) -> tuple[Any, str | None, int | None]:
    """(full signed envelope, its ETag, base release of the delta or None) from a manifest
    answer: a full envelope as it came, a delta envelope rebuilt against the local release
    `base` (not verified yet: `_apply` verifies the signature over the rebuilt manifest,
    exactly as for a full one)."""
    envelope = _parse_envelope(body)
    if not isinstance(envelope, dict) or "delta" not in envelope:
        return envelope, etag, None
    try:
        if base is None:
            raise DeltaBaseMismatch("本机没有可作为增量基础的版本")
        try:
            base_manifest = store.manifest(base)
        except ReleaseError as exc:
            raise DeltaBaseMismatch(str(exc)) from None
        manifest = apply_delta(base_manifest, envelope["delta"])
    except DeltaBaseMismatch as exc:
        log.warning("sync: %s；改为下载完整的版本清单", exc)
        _status, etag, body = client.manifest(None)
        envelope = _parse_envelope(body)
        if isinstance(envelope, dict) and "delta" in envelope:
            raise SyncRejected("服务器在没有增量基础时仍返回了增量版本清单") from None
        return envelope, etag, None
    except FormatError as exc:
        raise SyncRejected(f"{exc}（增量版本清单，基于 R{base}）") from None
    return {"manifest": manifest, "signature": envelope.get("signature"), "key_id": envelope.get("key_id")}, etag, base


def _apply(instance: Path, store: ReleaseStore, client: DeviceClient, public_key: str, envelope: Any,
           current: int | None, old_doc: dict | None, old_hashes: dict[str, str],
           delta_base: int | None = None) -> SyncResult:
    try:
        manifest = check_manifest(verify_envelope(envelope, public_key))
    except (SignatureError, FormatError) as exc:
        where = f"（增量版本清单，基于 R{delta_base}）" if delta_base is not None else ""
        raise SyncRejected(f"{exc}{where}") from None
    number = manifest["number"]
    if manifest.get("schema", 1) != SUPPORTED_SCHEMA:
        raise FormatUnsupported(manifest.get("schema", 1), number, current)
    if (number == current and old_doc is not None and store.manifest(current).get("hash") == manifest["hash"]
            and _attachments_intact(store, current)):
        return SyncResult(True, number=number, message=f"内容没有变化（R{number}）。")
    if number in store.numbers() and number != current:
        try:
            local = store.manifest(number)
        except ReleaseError:
            local = {}
        if local.get("hash") == manifest["hash"] and _valid(store, number) and _attachments_intact(store, number):
            atomic_write(store.root / "CURRENT", f"{number}\n".encode())
            removed = _prune(store, {number, current} if current else {number})
            return SyncResult(True, changed=True, number=number, previous=current, removed=removed,
                              message=f"已切换到本机保存的 R{number}（上一个版本 R{current}）。")

    old_guides = old_doc["guides"] if old_doc else {}
    guides: dict[str, Any] = {}
    downloaded: list[str] = []
    reused = 0
    for code, h in manifest["guides"].items():
        if old_hashes.get(code) == h and code in old_guides:
            guides[code] = old_guides[code]
            reused += 1
            continue
        part = client.guide(number, code)
        if sha256(part) != h:
            raise SyncRejected(f"事项 {code} 的内容与版本清单中的哈希不符（可能被截断或篡改）")
        guides[code] = json.loads(part)
        downloaded.append(code)
    site = site_part(old_doc) if old_doc else None
    content = assemble_body(site, guides) if site else b""
    if not site or sha256(content) != manifest["hash"]:
        part = client.site(number)
        try:
            site = json.loads(part)
            content = assemble_body(site, guides)
        except (ValueError, KeyError, TypeError):
            raise SyncRejected("站点信息无法解析（可能传输中被截断）") from None
        downloaded.append("site")
        if sha256(content) != manifest["hash"]:
            raise SyncRejected("重新组装的内容与版本清单中的哈希不符（可能被篡改）")
    try:
        content_from_document(json.loads(content))
    except Exception as exc:  # pydantic ValidationError and friends: the app could not show it
        raise SyncRejected(f"新版本的内容无法解析：{type(exc).__name__}") from None
    forms, forms_downloaded = _fetch_attachments(store, client, number, manifest, current)

    _write_release(store, number, manifest, content, envelope, forms)
    atomic_write(store.root / "CURRENT", f"{number}\n".encode())
    removed = _prune(store, {number, current} if current else {number})
    n_guides = len([d for d in downloaded if d != "site"])
    forms_reused = len(forms) - len(forms_downloaded)
    attached = (f"；附件下载 {len(forms_downloaded)} 个，沿用 {forms_reused} 个" if forms else "")
    msg = (f"已更新到 R{number}（上一个版本 {'R' + str(current) if current else '无'}）："
           f"下载 {n_guides} 个事项{'和站点信息' if 'site' in downloaded else ''}，沿用 {reused} 个未变化的事项"
           f"{attached}。")
    return SyncResult(True, changed=True, number=number, previous=current, downloaded=downloaded,
                      reused=reused, removed=removed, message=msg, forms_downloaded=forms_downloaded,
                      forms_reused=forms_reused)


def _fetch_attachments(store: ReleaseStore, client: DeviceClient, number: int, manifest: dict,
                       current: int | None) -> tuple[dict[str, bytes | Path], list[str]]:
    """(name -> bytes or reusable local file, names downloaded) of the manifest's attachments.

    A file of the current local release is reused when the manifest gives the same SHA-256
    and the file on disk still has it; every other one is downloaded and must have the
    manifest's size (when given) and SHA-256, else SyncRejected and nothing is written."""
    wanted: dict[str, str] = manifest.get("attachments") or {}
    sizes: dict[str, int] = manifest.get("attachment_sizes") or {}
    have: dict[str, str] = {}
    if current is not None:
        try:
            have = store.manifest(current).get("attachments") or {}
        except ReleaseError:
            have = {}
    out: dict[str, bytes | Path] = {}
    downloaded: list[str] = []
    for name, h in sorted(wanted.items()):
        if have.get(name) == h:
            local = store.folder(current) / "forms" / name
            try:
                if sha256(local.read_bytes()) == h:
                    out[name] = local
                    continue
            except OSError:
                pass
        data = client.attachment(number, name)
        if name in sizes and len(data) != sizes[name]:
            raise SyncRejected(f"附件 {name} 的大小 {len(data)} 字节与版本清单中的 {sizes[name]} 字节不符"
                               "（可能被截断）")
        if sha256(data) != h:
            raise SyncRejected(f"附件 {name} 的内容与版本清单中的哈希不符（可能被篡改）")
        out[name] = data
        downloaded.append(name)
    return out, downloaded


def boot_release(instance: Path, stale_hours: float = 48):
    """What the app shows after a (re)start: repair, then load the current release."""
    from kiosk.content import load_kiosk_content

    repair(Path(instance))
    return load_kiosk_content(None, instance, stale_hours)
