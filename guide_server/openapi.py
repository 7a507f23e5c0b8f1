"""Building blocks of the OpenAPI 3.1 document: each feature that serves JSON describes its
operations as an `ApiPart` (paths plus the pydantic models they refer to), and
`build_document` puts the parts together. The schemas come from the same pydantic models
that validate requests and shape responses, so the document cannot drift from the code.

Shared models live here too: the error body every JSON answer uses and the release
manifest (served by the public API and, signed, by the device API). No Flask import.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field

API_VERSION = "2.0.0"  # 2: guides in content model v2 (CONTENT-STANDARD v2); answer paths


class Manifest(BaseModel):
    """The current release: its number, hash and one hash per guide.

    Each guide hash is the SHA-256 of the exact bytes served at /api/v1/guides/{code}."""

    schema_: int = Field(alias="schema", description="manifest format version")
    number: int | None
    created: str = Field(description="ISO 8601 time the release was published")
    hash: str = Field(description="SHA-256 of the release's canonical content")
    stamp: str = Field(description='what every surface shows, e.g. "版本 R12 · 2026-11-22 · 9f3a1c"')
    guides: dict[str, str] = Field(description="事项编码 -> SHA-256 of the guide document")
    attachments: dict[str, str] | None = Field(default=None, description="file name under forms/ (blank form, "
                                               "sample) -> SHA-256 of its bytes; absent when there are none")
    attachment_sizes: dict[str, int] | None = Field(default=None, description="file name under forms/ -> size "
                                                    "in bytes (releases published before sizes were kept lack it)")


class ErrorBody(BaseModel):
    status: int
    message: str = Field(description="a message in Chinese for people")


class ErrorResponse(BaseModel):
    error: ErrorBody


@dataclass
class ApiPart:
    """Operations of one feature: `paths` as in an OpenAPI document, `models` whose schemas
    the paths refer to as #/components/schemas/<Name>, `security` schemes they use."""

    paths: dict[str, Any]
    models: tuple[type[BaseModel], ...] = ()
    requests: tuple[type[BaseModel], ...] = ()   # request body models (validation-mode schemas)
    security: dict[str, Any] = field(default_factory=dict)


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def json_response(schema: str | dict, description: str, *, etag: bool = False,
                  headers: dict[str, Any] | None = None) -> dict[str, Any]:
    """A response with a JSON body: `schema` is a model name or a schema object."""
    out: dict[str, Any] = {"description": description,
                           "content": {"application/json": {"schema": ref(schema) if isinstance(schema, str)
                                                            else schema}}}
    hdrs = dict(headers or {})
    if etag:
        hdrs["ETag"] = {"schema": {"type": "string"}, "description": "strong validator"}
    if hdrs:
        out["headers"] = hdrs
    return out


def error(description: str) -> dict[str, Any]:
    return json_response("ErrorResponse", description)


NOT_MODIFIED = {"description": "未变化（If-None-Match 与 ETag 相同）"}
IF_NONE_MATCH = {"name": "If-None-Match", "in": "header", "required": False, "schema": {"type": "string"}}
# answers every operation may give for input it refuses before use (guide_server.inputs)
INPUT_ERRORS = {
    "400": error("参数或请求体格式有误（说明见 message）"),
    "405": {"description": "不支持这种请求方式（Allow 头列出支持的方式）",
            "headers": {"Allow": {"schema": {"type": "string"}}}},
}
BODY_ERRORS = {
    "413": error("请求体过大"),
    "415": error("请求体不是 JSON（Content-Type 应为 application/json）"),
    "422": error("请求体不符合接口要求（message 指出字段）"),
}


def request_body(model: str, description: str) -> dict[str, Any]:
    return {"required": True, "description": description,
            "content": {"application/json": {"schema": ref(model)}}}


def schemas_of(models, mode: str = "serialization") -> dict[str, Any]:
    """Component schemas of pydantic models, their nested models included: responses as
    serialised (``mode="serialization"``), request bodies as validated (``mode="validation"``)."""
    out: dict[str, Any] = {}
    for model in models:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}", mode=mode, by_alias=True)
        out.update(schema.pop("$defs", {}))
        out[model.__name__] = schema
    return out


def build_document(parts: list[ApiPart]) -> dict[str, Any]:
    """The OpenAPI 3.1 document of all `parts`."""
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = schemas_of((ErrorResponse, Manifest))
    security: dict[str, Any] = {}
    for part in parts:
        paths.update(part.paths)
        schemas.update(schemas_of(part.models))
        schemas.update(schemas_of(part.requests, mode="validation"))
        security.update(part.security)
    components: dict[str, Any] = {"schemas": schemas}
    if security:
        components["securitySchemes"] = security
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "扫码办事 办事指南 API",
            "version": API_VERSION,
            "description": "当前发布版本的办事指南（只读），以及自助终端的设备接口（登记、签名清单、版本分片、"
                           "事件、心跳、取号）。可缓存的响应带 ETag，请求带 If-None-Match 时未变化返回 304。"
                           "错误一律为 {\"error\": {\"status\", \"message\"}}，message 为中文说明。",
        },
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "paths": paths,
        "components": components,
    }
