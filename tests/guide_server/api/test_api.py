"""JSON API: manifest, guides, site, search, ETag/304, JSON errors, OpenAPI 3.1 from the models."""
from __future__ import annotations

import hashlib
import re

import pytest

from guides.model import Guide
from guides.release import ReleaseStore
from guide_server.api.models import Manifest, ResolvedPath, SearchResponse, SiteInfo

GA = "330382-GA-0001"


def test_release_manifest_matches_the_store(client, app):
    rel = ReleaseStore(app.instance_path).current()
    resp = client.get("/api/v1/release")
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    doc = resp.json
    Manifest.model_validate(doc)
    assert doc["number"] == 1 and doc["hash"] == rel.hash and doc["stamp"] == rel.stamp
    assert doc["guides"] == rel.guide_hashes
    assert resp.headers["ETag"] == f'"{rel.hash}"'


def test_guide_body_hashes_to_the_manifest_entry(client):
    manifest = client.get("/api/v1/release").json
    for code, digest in manifest["guides"].items():
        resp = client.get(f"/api/v1/guides/{code}")
        assert resp.status_code == 200
        assert hashlib.sha256(resp.data).hexdigest() == digest
        g = Guide.model_validate(resp.json)
        assert g.code == code


def test_site_info(client):
    doc = client.get("/api/v1/site").json
    SiteInfo.model_validate(doc)
    assert doc["site"]["hall_name"] == "测试市民中心" and {c["slug"] for c in doc["categories"]} >= {"huji"}


@pytest.mark.parametrize("path", ["/api/v1/release", "/api/v1/site", f"/api/v1/guides/{GA}",
                                  "/api/v1/search?q=sfz", "/api/v1/openapi.json"])
def test_everything_cacheable_answers_304(client, path):
    first = client.get(path)
    assert first.status_code == 200 and first.headers["ETag"]
    again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    other = client.get(path, headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200


def test_search_api_finds_by_pinyin_and_gives_stable_urls(client):
    doc = client.get("/api/v1/search", query_string={"q": "shenfenzheng"}).json
    SearchResponse.model_validate(doc)
    assert doc["hits"][0]["code"] == GA
    assert doc["hits"][0]["url"] == f"https://bs.example.gov.cn/g/{GA}"
    assert client.get("/api/v1/search?q=火星签证").json["hits"] == []


@pytest.mark.parametrize("query, message", [
    ({}, "q"), ({"q": ""}, "q"), ({"q": "   "}, "q"), ({"q": "x" * 51}, "50"),
    ({"q": "a", "limit": "0"}, "limit"), ({"q": "a", "limit": "abc"}, "limit"),
    ({"q": "a", "limit": "-1"}, "limit"), ({"q": "a", "limit": "999"}, "limit"),
])
def test_search_api_bad_input_is_a_json_400(client, query, message):
    resp = client.get("/api/v1/search", query_string=query)
    assert resp.status_code == 400 and resp.mimetype == "application/json"
    assert message in resp.json["error"]["message"] and resp.json["error"]["status"] == 400


@pytest.mark.parametrize("path", ["/api/v1/guides/nope", "/api/v1/guides/%00", "/api/v1/guides/" + "x" * 500,
                                  "/api/v1/none", "/api/v2/release"])
def test_unknown_api_paths_are_json_404(client, path):
    resp = client.get(path)
    assert resp.status_code == 404 and resp.mimetype == "application/json"
    assert resp.json["error"]["message"]
    assert len(resp.json["error"]["message"]) < 200


def test_no_anonymous_write_api(client):
    for path in ("/api/v1/release", f"/api/v1/guides/{GA}", "/api/v1/search?q=a"):
        resp = client.post(path, json={})
        assert resp.status_code == 405 and resp.json["error"]["message"]


def test_openapi_document_is_3_1_and_built_from_the_models(client):
    doc = client.get("/api/v1/openapi.json").json
    assert doc["openapi"].startswith("3.1")
    # every operation the app routes under /api/ is documented, the device API's included
    routed = set()
    for rule in client.application.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            routed |= {(path, m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}}
    documented = {(path, m) for path, item in doc["paths"].items() for m in item}
    assert routed == documented and len(documented) == 14
    schemas = doc["components"]["schemas"]
    # the guide schema is the content core's own model
    assert schemas["Guide"]["properties"].keys() == Guide.model_json_schema()["properties"].keys()
    assert "mistakes" in schemas["Guide"]["required"]

    def refs(node):
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "$ref":
                    yield v
                else:
                    yield from refs(v)
        elif isinstance(node, list):
            for v in node:
                yield from refs(v)

    all_refs = set(refs(doc))
    assert all_refs and all(r.startswith("#/components/schemas/") for r in all_refs)
    assert {r.rsplit("/", 1)[1] for r in all_refs} <= set(schemas)
    assert "$defs" not in str(doc)


def test_every_documented_route_answers_as_documented(client):
    doc = client.get("/api/v1/openapi.json").json
    for path, item in doc["paths"].items():
        if path.startswith("/api/v1/device/") or path.endswith("/openapi.json"):
            continue  # the device API and the document itself: tests/guide_server/test_fuzz_api.py
        url = path.replace("{code}", GA) + ("?q=sfz" if path.endswith("search") else "")
        resp = client.get(url)
        assert str(resp.status_code) in item["get"]["responses"], path
        schema = item["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        refs = [s["$ref"] for s in schema.get("oneOf", [schema])]
        ref = refs[0].rsplit("/", 1)[1]
        model = {"Manifest": Manifest, "SiteInfo": SiteInfo, "Guide": Guide, "SearchResponse": SearchResponse}[ref]
        model.model_validate(resp.json)
        if len(refs) > 1:  # the guide with question parameters: one answer path
            assert refs[1].endswith("/ResolvedPath")
            ResolvedPath.model_validate(client.get(url + "?why=lost").json)


def test_the_api_resolves_an_answer_path_with_the_page_parameters(client):
    body = client.get(f"/api/v1/guides/{GA}?why=lost").json
    assert body["complete"] and body["query"] == "why=lost"
    assert body["url"] == f"https://bs.example.gov.cn/g/{GA}?why=lost"
    assert [a["label"] for a in body["answers"]] == ["证件遗失（补领）"]
    assert [m.get("one_of") or m["name"] for m in body["materials"]] == ["身份证明（任选一种）", "居民身份证申领登记表"]
    assert [(f["name"], f["amount"]) for f in body["fees"]] == [("工本费", 40)]
    resp = client.get(f"/api/v1/guides/{GA}?why=stolen")
    assert resp.status_code == 404 and "stolen" in resp.json["error"]["message"]
    assert client.get(f"/api/v1/guides/{GA}?who=me").status_code == 404
