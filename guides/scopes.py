"""Who may change what, when one server holds several halls: a user's scope.

A scope is one of
- ``""``: everything (a single-hall deployment, the province's or the system's own staff);
- a region code (GB/T 2260, 6 digits; or a township's 9 / village's 12 digits): that region and
  every region and hall under it, e.g. the city 330300 covers the county 330382 and its townships;
- ``hall:<id>``: that hall only (content/halls/<id>, or ``hall:main`` for the default hall).

Shared guides (content/guides/, the text a city writes once for its counties and townships,
三级四同) belong to the default hall, whose region is site.yaml's region_code: only users whose
scope covers that region may edit, review or publish them. No Flask.
"""
from __future__ import annotations


from guides.halls import DEFAULT_HALL, HALL_ID, REGION_CODE, region_parent_prefix

EVERYTHING = ""


class ScopeError(ValueError):
    """A scope that is not well formed; the message is Chinese."""


def check_scope(scope: str) -> str:
    """`scope` normalised (stripped), or ScopeError saying what a scope may be."""
    scope = (scope or "").strip()
    if scope == EVERYTHING or REGION_CODE.match(scope):
        return scope
    if scope.startswith("hall:") and (HALL_ID.match(scope[5:]) or scope[5:] == DEFAULT_HALL):
        return scope
    raise ScopeError(f"权限范围格式错误：{scope} 应为行政区划代码（如 330382）、hall:大厅标识（如 hall:liushi），"
                     "或留空表示全部")


def region_covers(scope_region: str, region: str) -> bool:
    """True when region `region` lies in (or is) region `scope_region` (GB/T 2260 prefixes)."""
    return len(region) >= len(scope_region) and region.startswith(region_parent_prefix(scope_region))


def covers_hall(scope: str, hall_id: str, hall_region: str | None) -> bool:
    """True when a user of `scope` may change what belongs to hall `hall_id` (region `hall_region`)."""
    if scope == EVERYTHING:
        return True
    if scope.startswith("hall:"):
        return scope[5:] == hall_id
    return hall_region is not None and region_covers(scope, hall_region)


def covers_shared(scope: str, default_region: str | None) -> bool:
    """True when a user of `scope` may edit, review or publish the shared guides, which belong to
    the default hall of region `default_region` (site.yaml's region_code)."""
    return covers_hall(scope, DEFAULT_HALL, default_region)


def scope_label(scope: str, region_names: dict[str, str] | None = None) -> str:
    """A scope for people: 全部, 乐清市（330382）, 大厅 liushi."""
    if scope == EVERYTHING:
        return "全部"
    if scope.startswith("hall:"):
        return f"大厅 {scope[5:]}"
    name = (region_names or {}).get(scope)
    return f"{name}（{scope}）" if name else f"区划 {scope}"


