"""HTTP API of the kiosks: /api/v1/device/… (enroll, signed manifest, release parts and
attachments, events, heartbeat, queue tickets).

Every endpoint but /enroll needs ``Authorization: Bearer <device token>``: 401 when the
token is missing or unknown, 403 when the kiosk was revoked. Answers are JSON; errors are
``{"error": {"status": …, "message": "<Chinese>"}}``. The views only translate HTTP to and
from guide_server.fleet.service.FleetService.

The signed manifest and the release parts are sent gzip-compressed to a kiosk that accepts
it (requests does). They hold public content only. Compressing here also keeps an nginx in
front (scripts/nginx-guide-server.conf, gzip on) from compressing the manifest itself, which
would turn its ETag weak (W/"…"); weak or strong, If-None-Match is compared weakly (RFC 9110
13.1.2), so a kiosk that sends back exactly what it received gets its 304 either way.

Manifest deltas. ``GET /manifest?base=N``: the kiosk says it holds release N. When the
server has release N, the answer is the current release's manifest as a *delta envelope*
against N (guides.sync_format: the changed/added/removed guide entries, every other
top-level field, and the signature of the FULL new manifest), so after a one-guide change
a kiosk downloads about half a kilobyte of (compressed) manifest however many guides
there are. Without ``base`` (or ``base=0``), or when the server does not have N (never
published here), the answer is the full signed envelope; a ``base`` that is not a number
written in ASCII digits is refused with 400. Deltas are computed once per
(base, release) pair and kept in a small LRU.

ETags identify the exact body: ``R<n>-<24 hex of the release hash>`` for the full
manifest, ``…-d<N>`` for the delta against N, plus ``-gz`` for the compressed form. A
kiosk that says it holds the current release (``base`` = current number) already holds
one representation of it, and that one is selected: if its If-None-Match names any
representation of the current release in the negotiated encoding (full, or a delta from
whatever base it came from), the answer is 304 with that very ETag. So the first poll
after a delta catch-up is a 304 too, not a 200 with an empty delta.
"""
from __future__ import annotations

import gzip
import json
import re
import threading
from collections import OrderedDict

from flask import Blueprint, Response, current_app, g, request

from guides.hall_release import hall_release
from guides.halls import DEFAULT_HALL
from guides.release import ReleaseError, ReleaseStore, canonical_json
from guides.signing import key_id, public_key_text, sign_manifest
from guides.sync_format import ReleaseParts, delta_envelope
from guide_server.fleet.schemas import BODY_LIMITS, EnrollRequest, EventsRequest, HeartbeatRequest, TicketRequest
from guide_server.fleet.service import FleetError, FleetService
from guide_server.web import json_body, query_int

bp = Blueprint("device_api", __name__, url_prefix="/api/v1/device")


def _dumps(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _json(value, status: int = 200) -> Response:
    resp = Response(_dumps(value), status=status, mimetype="application/json")
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _gzip(body: bytes) -> bytes:
    return gzip.compress(body, compresslevel=9, mtime=0)


def _wants_gzip() -> bool:
    return request.accept_encodings["gzip"] > 0


def _error(status: int, message: str) -> Response:
    return _json({"error": {"status": status, "message": message}}, status)


# every ETag this API gives a manifest representation: R<n>-<hash24>[-d<base>][-gz]
MANIFEST_ETAG = re.compile(r"^R(\d{1,9})-([0-9a-f]{24})(?:-d\d{1,9})?(-gz)?$")


def fleet() -> FleetService:
    return current_app.extensions["fleet"]


class ReleaseCache:
    """Signed manifests, manifest deltas and release parts, computed once per release number
    (releases are immutable) or per (base, release) pair."""

    def __init__(self, instance, key, keep: int = 64, keep_deltas: int = 256):
        self.store = ReleaseStore(instance)
        self.key = key
        self.public_key = public_key_text(key.public_key())
        self.key_id = key_id(self.public_key)
        self.keep = keep
        self.keep_deltas = keep_deltas
        self._parts: OrderedDict[tuple[int, str], ReleaseParts] = OrderedDict()
        self._signed: dict[tuple[int, str], tuple[str, bytes, bytes, dict]] = {}
        self._deltas: OrderedDict[tuple[int, int, str], tuple[str, bytes, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def parts(self, number: int, hall: str = DEFAULT_HALL) -> ReleaseParts:
        """Release `number` in wire parts, as hall `hall`'s kiosks receive it (guides.hall_release)."""
        key = (number, hall)
        with self._lock:
            hit = self._parts.get(key)
            if hit is not None:
                self._parts.move_to_end(key)
                return hit
        manifest = self.store.manifest(number)
        if "halls" in manifest:
            if hall != DEFAULT_HALL and hall not in manifest["halls"]:
                raise ReleaseError(f"版本 R{number} 中没有大厅 {hall}")
            view, body = hall_release(self.store.load(number), hall)
            parts = ReleaseParts.from_body(number, view.manifest(), body)
        else:
            parts = ReleaseParts.read(self.store, number)
        with self._lock:
            self._parts[key] = parts
            while len(self._parts) > self.keep:
                self._parts.popitem(last=False)
        return parts

    def hall_manifest(self, number: int, hall: str) -> dict:
        """The manifest hall `hall`'s kiosks get for release `number` (the release's own
        manifest when it has no halls)."""
        manifest = self.store.manifest(number)
        return self.parts(number, hall).manifest if "halls" in manifest else manifest

    def _signed_entry(self, number: int, hall: str = DEFAULT_HALL) -> tuple[str, bytes, bytes, dict]:
        hit = self._signed.get((number, hall))
        if hit is None:
            manifest = self.hall_manifest(number, hall)
            envelope = sign_manifest(manifest, self.key)
            body = canonical_json(envelope)
            hit = (f'R{number}-{manifest["hash"][:24]}', body, _gzip(body), envelope)
            with self._lock:
                self._signed[(number, hall)] = hit
        return hit

    def signed(self, number: int, hall: str = DEFAULT_HALL) -> tuple[str, bytes, bytes]:
        """(ETag, body, gzipped body) of the signed manifest envelope of release `number`
        for the kiosks of hall `hall`."""
        return self._signed_entry(number, hall)[:3]

    def delta(self, base: int, number: int, hall: str = DEFAULT_HALL) -> tuple[str, bytes, bytes] | None:
        """(ETag, body, gzipped body) of release `number`'s delta envelope against release
        `base`, or None when this server has no release `base` (or `base` lacks the hall)."""
        key = (base, number, hall)
        with self._lock:
            hit = self._deltas.get(key)
            if hit is not None:
                self._deltas.move_to_end(key)
                return hit
        if base not in self.store.numbers():
            return None
        try:
            base_manifest = self.hall_manifest(base, hall)
        except ReleaseError:
            return None
        etag, _body, _gz, envelope = self._signed_entry(number, hall)
        body = canonical_json(delta_envelope(envelope, base_manifest))
        hit = (f"{etag}-d{base}", body, _gzip(body))
        with self._lock:
            self._deltas[key] = hit
            while len(self._deltas) > self.keep_deltas:
                self._deltas.popitem(last=False)
        return hit


def releases() -> ReleaseCache:
    return current_app.extensions["fleet_releases"]


@bp.errorhandler(FleetError)
def _fleet_error(exc: FleetError):
    return _error(exc.status, exc.message)


class HallNotInRelease(Exception):
    """The kiosk's hall is not in the release it asks for (removed, renamed, or a release
    from before it existed)."""

    def __init__(self, hall: str, number: int):
        super().__init__(hall, number)
        self.hall, self.number = hall, number


@bp.errorhandler(HallNotInRelease)
def _hall_not_in_release(exc: HallNotInRelease):
    current_app.logger.warning("kiosk %s of hall %s: no such hall in R%s", g.kiosk.name, exc.hall, exc.number)
    return _error(409, f"本终端登记在大厅 {exc.hall}，版本 R{exc.number} 中没有这个大厅，终端继续使用已有的版本。"
                       f"请在服务器上恢复该大厅并重新发布，或把终端重新登记到现有的大厅。")


@bp.errorhandler(ReleaseError)
def _release_error(exc: ReleaseError):
    current_app.logger.error("release unreadable: %s", exc)
    # the server's release files are damaged: a condition of the server, not of the kiosk's
    # request, which the operator repairs (re-release or roll back); kiosks keep what they have
    return _error(503, "服务器上的这个版本暂时无法读取，请稍后再试；如一直如此，请联系管理员。")


@bp.before_request
def _authenticate():
    if request.endpoint == "device_api.enroll":
        return None
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header[:7].lower() == "bearer " else None
    g.kiosk = fleet().authenticate(token)
    return None


@bp.post("/enroll")
def enroll():
    data = json_body(EnrollRequest, BODY_LIMITS["enroll"])
    kiosk, token = fleet().redeem(data.code, data.hardware or {})
    cache = releases()
    current_app.logger.info("kiosk %s enrolled (hall %s)", kiosk.name, kiosk.hall)
    return _json({"kiosk": {"name": kiosk.name, "hall": kiosk.hall, "tag": kiosk.tag}, "token": token,
                  "public_key": cache.public_key, "key_id": cache.key_id})


@bp.get("/me")
def me():
    k, cache = g.kiosk, releases()
    return _json({"kiosk": {"name": k.name, "hall": k.hall, "tag": k.tag},
                  "public_key": cache.public_key, "key_id": cache.key_id})


def _current_number() -> int | None:
    served = current_app.extensions["releases"].get()
    return served.release.number if served is not None else None


def _base_param() -> int | None:
    """The release number the kiosk says it holds (``?base=N``), None when absent or 0.
    Anything but ASCII digits is a 400 (guide_server.inputs.ascii_int)."""
    return query_int("base", minimum=0) or None


def _held_representation(release_tag: str, suffix: str) -> str | None:
    """The tag in If-None-Match (weak or strong) that names a representation of the release
    whose ETag is `release_tag` in the negotiated encoding (`suffix`), if any."""
    for tag in request.if_none_match.as_set(include_weak=True):
        m = MANIFEST_ETAG.match(tag)
        if m and f"R{m.group(1)}-{m.group(2)}" == release_tag and (m.group(3) or "") == suffix:
            return tag
    return None


@bp.get("/manifest")
def manifest():
    number = _current_number()
    if number is None:
        return _error(503, "服务器还没有发布任何版本。")
    cache = releases()
    base = _base_param()  # a malformed request is a 400 before anything else
    hall = _kiosk_hall(number)
    compressed = _wants_gzip()
    suffix = "-gz" if compressed else ""
    release_tag = cache.signed(number, hall)[0]
    held = _held_representation(release_tag, suffix) if base == number else None
    if held is not None:  # the kiosk holds the current release: its own representation is selected
        return _manifest_response(304, held)
    rep = cache.delta(base, number, hall) if base is not None else None
    etag, body, gz = rep or cache.signed(number, hall)
    etag += suffix
    if request.if_none_match.contains_weak(etag):  # If-None-Match compares weakly (RFC 9110 13.1.2)
        return _manifest_response(304, etag)
    return _manifest_response(200, etag, gz if compressed else body, compressed)


def _manifest_response(status: int, etag: str, body: bytes = b"", compressed: bool = False) -> Response:
    if status == 304:
        resp = Response(status=304)
    else:
        resp = Response(body, mimetype="application/json")
        resp.headers["Cache-Control"] = "no-cache"
        if compressed:
            resp.headers["Content-Encoding"] = "gzip"
    resp.set_etag(etag)
    resp.vary.add("Accept-Encoding")
    return resp


@bp.get("/releases/<int:number>/site")
def release_site(number: int):
    return _part(number, None)


@bp.get("/releases/<int:number>/guides/<code>")
def release_guide(number: int, code: str):
    return _part(number, code)


@bp.get("/releases/<int:number>/forms/<path:name>")
def release_attachment(number: int, name: str):
    """One attachment (blank form, sample) of release `number`, as the kiosk's manifest lists it:
    the bytes whose SHA-256 and size the signed manifest gives (checked again here)."""
    if number not in releases().store.numbers():
        return _error(404, f"没有版本 R{number}。")
    listed = releases().hall_manifest(number, _kiosk_hall(number)).get("attachments") or {}
    if name not in listed:
        return _error(404, f"版本 R{number} 中没有附件 {name[:80]}。")
    resp = Response(releases().store.attachment(number, name), mimetype="application/octet-stream")
    resp.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return resp


def _kiosk_hall(number: int) -> str:
    """The hall whose guides this kiosk receives from release `number`: the hall it was
    enrolled to (content/halls/<id>); the default hall for a release of one hall (whose
    kiosks may carry any hall label). HallNotInRelease (409) when a release of several halls
    has no such hall: a township's kiosk never silently shows another hall's windows and
    phones; it keeps the release it has."""
    hall = g.kiosk.hall
    halls = releases().store.manifest(number).get("halls") or {}
    if not halls or hall == DEFAULT_HALL:
        return DEFAULT_HALL
    if hall in halls:
        return hall
    raise HallNotInRelease(hall, number)


def _part(number: int, code: str | None) -> Response:
    if number not in releases().store.numbers():
        return _error(404, f"没有版本 R{number}。")
    parts = releases().parts(number, _kiosk_hall(number))
    if code is None:
        body = parts.site
    else:
        body = parts.guides.get(code)
        if body is None:
            return _error(404, f"版本 R{number} 中没有事项编码为 {code[:40]} 的办事指南。")
    compressed = _wants_gzip()
    resp = Response(_gzip(body) if compressed else body, mimetype="application/json")
    resp.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    if compressed:
        resp.headers["Content-Encoding"] = "gzip"
    resp.vary.add("Accept-Encoding")
    return resp


@bp.post("/events")
def events():
    data = json_body(EventsRequest, BODY_LIMITS["events"])
    result = fleet().store_events(g.kiosk, data.events)
    return _json(result.as_dict())


@bp.post("/heartbeat")
def heartbeat():
    data = json_body(HeartbeatRequest, BODY_LIMITS["heartbeat"])
    fleet().heartbeat(g.kiosk, data.model_dump(exclude_none=True))
    return _json({"ok": True, "release": _current_number()})


@bp.post("/tickets")
def tickets():
    data = json_body(TicketRequest, BODY_LIMITS["tickets"])
    issued = fleet().issue_ticket(g.kiosk, data.queue, data.request_key,
                                  window_minutes=int(current_app.config.get("TICKET_WAITING_MINUTES", 30)))
    return _json({"number": issued.number, "seq": issued.seq, "waiting": issued.waiting, "day": issued.day})
