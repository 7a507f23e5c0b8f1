"""A hall's release form: the part file of a `Hall` (guides.hall_part) and back.

`part_of` serialises a hall into its part (from the forms the checker made, or afresh),
`resolved_hashes` gives the hash of each resolved guide it offers, `hall_of_part` makes a
`Hall` from a part file, its guides kept in release form until read.
"""
from __future__ import annotations

import hashlib

from guides.guideset import GuideSet, canonical_bytes
from guides.hall_part import PartError, PartRef, is_plain, part_bytes, part_document, part_hashes, read_part
from guides.halls import Hall, OfferedList, resolve_offer


def part_of(hall: Hall, shared: GuideSet) -> bytes:
    """The part bytes of `hall`, from the release forms the checker made when
    `hall.release_memo` still describes its members, else serialised afresh (`shared`: the
    root guides its offers name; ValidationError when an offer's override does not fit its
    shared guide)."""
    memo = hall.release_memo
    if memo is not None and memo[0] is hall.own and memo[1] is hall.offered and memo[2] is hall.site_data:
        own, offered_form, site_form, hashes = GuideSet.of(memo[0]), memo[3], memo[4], memo[5]
        return part_bytes(own, offered_form, site_form, part_hashes(own, hall.offered, hashes))
    own = GuideSet.of(hall.own)
    hashes = {code: own.hash(code) for code in own}
    for offer in hall.offered:
        if not is_plain(offer):
            hashes[offer.code] = offer.resolved_hash or hashlib.sha256(
                canonical_bytes(resolve_offer(shared[offer.source], offer).dump())).hexdigest()
    offered_form = canonical_bytes([{"code": o.code, "source": o.source, "override": o.override}
                                    for o in hall.offered])
    site_form = canonical_bytes(hall.site.model_dump(mode="json"))
    return part_bytes(own, offered_form, site_form, hashes)


def resolved_hashes(hall: Hall, shared: GuideSet) -> dict[str, str]:
    """SHA-256 of each resolved guide `hall` offers, by code (sorted): its part's hashes, and
    the shared guide's hash for each plain offer."""
    memo = hall.release_memo
    if memo is not None and memo[0] is hall.own and memo[1] is hall.offered:
        out = dict(memo[5])
    else:
        out = part_document(part_of(hall, shared), hall.id)["hashes"]
    out.update((o.code, shared.hash(o.source)) for o in hall.offered if is_plain(o))
    return dict(sorted(out.items()))


def hall_of_part(hall_id: str, ref: PartRef) -> Hall:
    """Hall `hall_id` made from part `ref` (read and checked): own guides and site stay in
    release form until read; `release_memo` carries the forms and `ref`, so writing the hall
    into a release again links the file. PartError when the file is damaged."""
    doc = part_document(read_part(ref), ref.path)
    try:
        own = GuideSet.parsed(dict(sorted(doc["own"].items())))
        hashes = dict(doc["hashes"])
        offered_form = canonical_bytes(doc["offered"])
        site = canonical_bytes(doc["site"])
    except (AttributeError, TypeError) as exc:
        raise PartError(f"{ref.path}: 大厅数据无法解析：{exc}") from None
    offered = OfferedList(offered_form, hashes)
    return Hall(hall_id, site, own, offered, (own, offered, site, offered_form, site, hashes, ref))
