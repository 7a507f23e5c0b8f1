"""Response models of the public JSON API and its part of the OpenAPI 3.1 document.

The guide, site and category schemas are the content core's own pydantic models
(guides.model), so the API description cannot drift from what is served. The whole
document (this part, the device API's and the shared models) is put together by
guide_server.openapi.build_document. No Flask import.
"""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from guides.model import Category, Guide, Site
from guide_server.openapi import (IF_NONE_MATCH, INPUT_ERRORS, NOT_MODIFIED, ApiPart, ErrorResponse,
                                  Manifest, build_document, error, json_response)

SEARCH_MAX = 50   # longest search query, in characters
LIMIT_MAX = 50    # most hits one search answers


class SiteInfo(BaseModel):
    release: str = Field(description="release stamp")
    site: Site
    categories: list[Category]


class SearchHit(BaseModel):
    code: str
    name: str
    score: int
    field: str = Field(description="what matched: name, pinyin, initials, alias, material, category, code")
    url: str = Field(description="the guide's stable public URL (also in its QR code)")


class SearchResponse(BaseModel):
    query: str
    release: str
    hits: list[SearchHit]


MODELS = (Guide, Manifest, SiteInfo, SearchResponse, ErrorResponse)


def public_part() -> ApiPart:
    """The read-only public API: release manifest, site, one guide, search, this document."""
    unavailable = error("尚未发布版本或版本暂时无法读取")
    std = {"304": NOT_MODIFIED, "503": unavailable, **INPUT_ERRORS}
    return ApiPart(models=MODELS, paths={
        "/api/v1/release": {"get": {
            "operationId": "getRelease", "summary": "当前版本清单",
            "parameters": [IF_NONE_MATCH],
            "responses": {"200": json_response("Manifest", "当前版本清单", etag=True), **std},
        }},
        "/api/v1/site": {"get": {
            "operationId": "getSite", "summary": "大厅信息和主题分类",
            "parameters": [IF_NONE_MATCH],
            "responses": {"200": json_response("SiteInfo", "大厅信息和主题分类", etag=True), **std},
        }},
        "/api/v1/guides/{code}": {"get": {
            "operationId": "getGuide", "summary": "一个事项的办事指南",
            "parameters": [{"name": "code", "in": "path", "required": True, "schema": {"type": "string"},
                            "description": "事项编码"}, IF_NONE_MATCH],
            "responses": {"200": json_response("Guide", "办事指南（响应体的 SHA-256 等于清单中该事项的哈希）", etag=True),
                          "404": error("没有这个事项"), **std},
        }},
        "/api/v1/search": {"get": {
            "operationId": "search", "summary": "搜索事项（中文、拼音、拼音首字母）",
            "parameters": [
                {"name": "q", "in": "query", "required": True,
                 "schema": {"type": "string", "minLength": 1, "maxLength": SEARCH_MAX, "pattern": r"\S"}},
                {"name": "limit", "in": "query", "required": False,
                 "schema": {"type": "integer", "minimum": 1, "maximum": LIMIT_MAX, "default": 20}},
                IF_NONE_MATCH,
            ],
            "responses": {"200": json_response("SearchResponse", "搜索结果", etag=True), **std},
        }},
        "/api/v1/openapi.json": {"get": {
            "operationId": "getOpenApi", "summary": "本接口说明（OpenAPI 3.1）",
            "parameters": [IF_NONE_MATCH],
            "responses": {"200": json_response({"type": "object"}, "OpenAPI 3.1 文档", etag=True),
                          "304": NOT_MODIFIED, **INPUT_ERRORS},
        }},
    })


def openapi_document(parts: list[ApiPart] | None = None) -> dict[str, Any]:
    """The whole OpenAPI document: the public API and `parts` of other features."""
    return build_document([public_part(), *(parts or [])])
