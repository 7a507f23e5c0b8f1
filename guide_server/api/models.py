"""Response models of the JSON API and the OpenAPI 3.1 document built from them.

The guide, site and category schemas are the content core's own pydantic models
(guides.model), so the API description cannot drift from what is served.
No Flask import.
"""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from guides.model import (Category, Condition, FeeItem, FlowStep, Guide, Location, Material, MaterialGroup, Mistake,
                          Site, SpeedVariant, TimeLimit)

API_VERSION = "2.0.0"  # 2: guides in content model v2 (CONTENT-STANDARD v2)


class Manifest(BaseModel):
    """The current release: its number, hash and one hash per guide.

    Each guide hash is the SHA-256 of the exact bytes served at /api/v1/guides/{code}."""

    schema_: int = Field(alias="schema", description="manifest format version")
    number: int | None
    created: str = Field(description="ISO 8601 time the release was published")
    hash: str = Field(description="SHA-256 of the release's canonical content")
    stamp: str = Field(description='what every surface shows, e.g. "版本 R12 · 2026-11-22 · 9f3a1c"')
    guides: dict[str, str] = Field(description="事项编码 -> SHA-256 of the guide document")


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


class ErrorBody(BaseModel):
    status: int
    message: str = Field(description="a message in Chinese for people")


class ErrorResponse(BaseModel):
    error: ErrorBody


MODELS = (Guide, ResolvedPath, Manifest, SiteInfo, SearchResponse, ErrorResponse)


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(name: str, description: str, etag: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {"description": description,
                           "content": {"application/json": {"schema": _ref(name)}}}
    if etag:
        out["headers"] = {"ETag": {"schema": {"type": "string"}, "description": "strong validator"}}
    return out


def openapi_document() -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    for model in MODELS:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}", mode="serialization",
                                         by_alias=True)
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
    not_modified = {"description": "未变化（If-None-Match 与 ETag 相同）"}
    error = lambda text: _json("ErrorResponse", text, etag=False)  # noqa: E731
    if_none_match = {"name": "If-None-Match", "in": "header", "required": False, "schema": {"type": "string"}}
    unavailable = error("尚未发布版本或版本暂时无法读取")
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "扫码办事 办事指南 API",
            "version": API_VERSION,
            "description": "当前发布版本的办事指南，供自助终端和其他客户端同步。只读；"
                           "所有可缓存的响应带 ETag，请求带 If-None-Match 时未变化返回 304。",
        },
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "paths": {
            "/api/v1/release": {"get": {
                "operationId": "getRelease", "summary": "当前版本清单",
                "parameters": [if_none_match],
                "responses": {"200": _json("Manifest", "当前版本清单"), "304": not_modified, "503": unavailable},
            }},
            "/api/v1/site": {"get": {
                "operationId": "getSite", "summary": "大厅信息和主题分类",
                "parameters": [if_none_match],
                "responses": {"200": _json("SiteInfo", "大厅信息和主题分类"), "304": not_modified,
                              "503": unavailable},
            }},
            "/api/v1/guides/{code}": {"get": {
                "operationId": "getGuide", "summary": "一个事项的办事指南",
                "parameters": [{"name": "code", "in": "path", "required": True, "schema": {"type": "string"},
                                "description": "事项编码"}, if_none_match,
                               {"name": "answers", "in": "query", "required": False, "style": "form", "explode": True,
                                "schema": {"type": "object", "additionalProperties": {"type": "string"}},
                                "description": "情形回答：<问题标识>=<选项标识>，与手机页网址相同"}],
                "responses": {"200": {"description": "无情形参数：办事指南（响应体的 SHA-256 等于清单中该事项的哈希）；"
                                                     "有情形参数：该情形适用的内容",
                                      "content": {"application/json": {"schema": {"oneOf": [
                                          _ref("Guide"), _ref("ResolvedPath")]}}},
                                      "headers": {"ETag": {"schema": {"type": "string"}, "description": "strong validator"}}},
                              "304": not_modified, "404": error("没有这个事项，或没有这个情形问题或选项"),
                              "503": unavailable},
            }},
            "/api/v1/search": {"get": {
                "operationId": "search", "summary": "搜索事项（中文、拼音、拼音首字母）",
                "parameters": [
                    {"name": "q", "in": "query", "required": True,
                     "schema": {"type": "string", "minLength": 1, "maxLength": 50}},
                    {"name": "limit", "in": "query", "required": False,
                     "schema": {"type": "integer", "minimum": 1, "maximum": 50, "default": 20}},
                    if_none_match,
                ],
                "responses": {"200": _json("SearchResponse", "搜索结果"), "304": not_modified,
                              "400": error("参数有误"), "503": unavailable},
            }},
        },
        "components": {"schemas": schemas},
    }
