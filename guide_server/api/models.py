"""Response models of the public JSON API and its part of the OpenAPI 3.1 document.

The guide, site and category schemas are the content core's own pydantic models
(guides.model), so the API description cannot drift from what is served. The whole
document (this part, the device API's and the shared models) is put together by
guide_server.openapi.build_document. No Flask import.
"""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from guides.model import (Category, Condition, FeeItem, FlowStep, Guide, Location, Material, MaterialGroup, Mistake,
                          Site, SpeedVariant, TimeLimit)
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


class PathAnswer(BaseModel):
    question: str = Field(description="question id")
    option: str = Field(description="option id")
    ask: str
    label: str


class ResolvedPath(BaseModel):
    """One answer path of a guide (/api/v1/guides/{code}?<question>=<option>…): what applies on it.
    Worked out by guides.cases.resolve, the same function every surface uses."""
    code: str
    release: str = Field(description="release stamp")
    query: str = Field(description="the path's stable query string, questions in order")
    url: str = Field(description="the path's stable public URL (the kiosk's 带走 QR code)")
    complete: bool = Field(description="every question on this path is answered")
    answers: list[PathAnswer]
    open_questions: list[str] = Field(description="ids of the questions to ask next")
    conditions: list[Condition]
    materials: list[MaterialGroup | Material]
    time_limits: list[TimeLimit]
    speeds: list[SpeedVariant]
    fees: list[FeeItem] = Field(description="fee items on this path (none when the guide charges nothing)")
    flow: list[FlowStep]
    locations: list[Location]
    mistakes: list[Mistake]


MODELS = (Guide, ResolvedPath, Manifest, SiteInfo, SearchResponse, ErrorResponse)


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
                            "description": "事项编码"}, IF_NONE_MATCH,
                           {"name": "answers", "in": "query", "required": False, "style": "form", "explode": True,
                            "schema": {"type": "object", "additionalProperties": {"type": "string"}},
                            "description": "情形回答：<问题标识>=<选项标识>，与手机页网址相同"}],
            "responses": {"200": json_response({"oneOf": [{"$ref": "#/components/schemas/Guide"},
                                                          {"$ref": "#/components/schemas/ResolvedPath"}]},
                                               "无情形参数：办事指南（响应体的 SHA-256 等于清单中该事项的哈希）；"
                                               "有情形参数：该情形适用的内容", etag=True),
                          "404": error("没有这个事项，或没有这个情形问题或选项"), **std},
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
