"""Request and response models of the device API (/api/v1/device/…) and its part of the
OpenAPI document. Every request body is validated by one of these models (after the size
and depth checks of guide_server.inputs) before the fleet service sees it.

Requests are strict about types (a string is never a number, an object never a string)
and lenient about keys a newer kiosk may add (they are ignored). Each event of a batch is
checked one by one by the service, so that one bad event is answered in `rejected`
instead of refusing the whole batch (the outbox would otherwise resend it for ever).
No Flask import.
"""
from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from guides.model import Category, Guide, Retired, Site
from guide_server.openapi import (BODY_ERRORS, IF_NONE_MATCH, INPUT_ERRORS, NOT_MODIFIED, ApiPart, Manifest, error,
                                  json_response, ref, request_body)

MAX_INT = 2**31 - 1
Count = Annotated[int, Field(strict=True, ge=0, le=MAX_INT)]
Number = Annotated[float, Field(ge=0, le=MAX_INT)]   # the models are strict: a JSON number, never text

# byte limits per route, under the app's MAX_CONTENT_LENGTH (64 KiB)
BODY_LIMITS = {"enroll": 4096, "heartbeat": 8192, "tickets": 1024, "events": 64 * 1024}


class _Request(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)


# -- requests ------------------------------------------------------------------------------------------
class EnrollRequest(_Request):
    code: Annotated[str, Field(min_length=1, max_length=64, description="登记码，如 ABCD-EFGH-JKLM")]
    hardware: dict[str, JsonValue] | None = Field(default=None, description="终端检测到的硬件（计数与型号，无个人信息）")


class DeviceReport(_Request):
    state: Annotated[str, Field(max_length=32, description="设备状态代码，如 ok、near_end、out、fault")]
    text: Annotated[str, Field(max_length=400)] | None = Field(default=None, description="给人看的说明")


class HeartbeatRequest(_Request):
    release: Count | None = Field(default=None, description="终端当前持有的版本号")
    app_version: Annotated[str, Field(max_length=100)] | None = None
    uptime: Number | None = Field(default=None, description="秒")
    disk_free_mb: Number | None = None
    outbox_backlog: Count | None = Field(default=None, description="待上传事件数")
    offline_since: Annotated[str, Field(max_length=64)] | None = None
    printer: DeviceReport | None = None
    reader: DeviceReport | None = None
    content_refused: Annotated[str, Field(max_length=400)] | None = Field(
        default=None, description="终端不接受服务器当前版本的原因（内容格式版本不受支持），没有时不发送")


class EventsRequest(_Request):
    events: Annotated[list[dict[str, JsonValue]], Field(min_length=1, max_length=200)] = Field(
        description="事件列表，每个事件为 {key, kind, at, data}：key 为 8–64 位幂等键，kind 为 rating、ticket、"
                    "print、fault 之一，at 为 ISO 8601 时间，data 为不含个人信息的 JSON 对象；"
                    "不合格的事件在 rejected 中逐个说明")


class TicketRequest(_Request):
    queue: Annotated[str, Field(pattern=r"^[A-Z]{1,2}$", description="队列前缀，一到两个大写字母")]
    request_key: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{8,64}$", description="幂等键：重试时不变")]


# -- responses -----------------------------------------------------------------------------------------
class KioskInfo(BaseModel):
    name: str
    hall: str
    tag: str


class EnrollResponse(BaseModel):
    kiosk: KioskInfo
    token: str = Field(description="设备凭证（只在此处出现一次）")
    public_key: str = Field(description="版本签名公钥（PEM）")
    key_id: str


class MeResponse(BaseModel):
    kiosk: KioskInfo
    public_key: str
    key_id: str


class SignedManifest(BaseModel):
    manifest: Manifest
    signature: str = Field(description="Ed25519 签名（base64），对象为 manifest 的规范 JSON")
    key_id: str


class Delta(BaseModel):
    base: int
    base_hash: str
    fields: dict[str, Any]
    changed: dict[str, str]
    removed: list[str]


class DeltaManifest(BaseModel):
    delta: Delta
    signature: str = Field(description="完整新清单的签名")
    key_id: str


class SitePart(BaseModel):
    site: Site
    categories: list[Category]
    retired: list[Retired] | None = None


class RejectedEvent(BaseModel):
    key: str
    reason: str


class EventsResponse(BaseModel):
    stored: int
    duplicates: int
    rejected: list[RejectedEvent]
    replay: bool
    message: str


class HeartbeatResponse(BaseModel):
    ok: bool
    release: int | None


class TicketResponse(BaseModel):
    number: str
    seq: int
    waiting: int
    day: str


REQUESTS = (EnrollRequest, HeartbeatRequest, EventsRequest, TicketRequest)
RESPONSES = (EnrollResponse, MeResponse, SignedManifest, DeltaManifest, SitePart, Guide, EventsResponse,
             HeartbeatResponse, TicketResponse)


def device_part() -> ApiPart:
    """The device API's operations for the OpenAPI document."""
    bearer = [{"deviceToken": []}]
    auth = {"401": error("缺少或无效的设备凭证"), "403": error("终端已停用")}
    no_such_hall = error("本终端登记的大厅不在这个版本中（大厅已删除或改名）；终端继续使用已有的版本")
    number = {"name": "number", "in": "path", "required": True,
              "schema": {"type": "integer", "minimum": 0, "maximum": MAX_INT}, "description": "版本号"}
    gz = {"Content-Encoding": {"schema": {"type": "string"}, "description": "gzip（客户端接受时）"}}

    def post(op: str, summary: str, body: str, answer: str, *, secured: bool = True, extra=None) -> dict:
        out = {"operationId": op, "summary": summary, "requestBody": request_body(body, summary),
               "responses": {"200": json_response(answer, summary), **INPUT_ERRORS, **BODY_ERRORS,
                             **(auth if secured else {}), **(extra or {})}}
        if secured:
            out["security"] = bearer
        else:
            out["security"] = []
        return out

    return ApiPart(
        models=RESPONSES, requests=REQUESTS,
        security={"deviceToken": {"type": "http", "scheme": "bearer",
                                  "description": "登记时发给终端的设备凭证（<终端编号>.<随机串>）"}},
        paths={
            "/api/v1/device/enroll": {"post": post(
                "enrollKiosk", "用一次性登记码换取设备凭证", "EnrollRequest", "EnrollResponse", secured=False,
                extra={"403": error("登记码不正确、已用过或已过期")})},
            "/api/v1/device/me": {"get": {
                "operationId": "getKiosk", "summary": "本终端的信息和签名公钥", "security": bearer,
                "responses": {"200": json_response("MeResponse", "本终端"), **INPUT_ERRORS, **auth}}},
            "/api/v1/device/manifest": {"get": {
                "operationId": "getSignedManifest", "summary": "当前版本的签名清单（持有版本 base 时为差量）",
                "security": bearer,
                "parameters": [{"name": "base", "in": "query", "required": False,
                                "schema": {"type": "integer", "minimum": 0, "maximum": MAX_INT},
                                "description": "终端持有的版本号"}, IF_NONE_MATCH],
                "responses": {"200": json_response({"oneOf": [ref("SignedManifest"), ref("DeltaManifest")]},
                                                   "签名清单或差量", etag=True, headers=gz),
                              "304": NOT_MODIFIED, **INPUT_ERRORS, **auth, "409": no_such_hall,
                              "503": error("服务器还没有发布任何版本，或这个版本的文件已损坏")}}},
            "/api/v1/device/releases/{number}/site": {"get": {
                "operationId": "getReleaseSite", "summary": "某版本的大厅信息和主题分类", "security": bearer,
                "parameters": [number],
                "responses": {"200": json_response("SitePart", "版本的站点部分", headers=gz), **INPUT_ERRORS, **auth,
                              "404": error("没有这个版本"), "409": no_such_hall}}},
            "/api/v1/device/releases/{number}/guides/{code}": {"get": {
                "operationId": "getReleaseGuide", "summary": "某版本中一个事项的办事指南", "security": bearer,
                "parameters": [number, {"name": "code", "in": "path", "required": True,
                                        "schema": {"type": "string"}, "description": "事项编码"}],
                "responses": {"200": json_response("Guide", "办事指南（字节与清单中的哈希一致）", headers=gz),
                              **INPUT_ERRORS, **auth, "404": error("没有这个版本或事项"), "409": no_such_hall}}},
            "/api/v1/device/releases/{number}/forms/{name}": {"get": {
                "operationId": "getReleaseAttachment", "summary": "某版本的一个附件（空白表格、示例样表）",
                "security": bearer,
                "parameters": [number, {"name": "name", "in": "path", "required": True,
                                        "schema": {"type": "string"}, "description": "forms/ 下的文件名"}],
                "responses": {"200": {"description": "附件的字节（与清单中的哈希和大小一致）",
                                      "content": {"application/octet-stream": {"schema": {"type": "string",
                                                                                          "format": "binary"}}}},
                              **INPUT_ERRORS, **auth, "404": error("没有这个版本或附件"), "409": no_such_hall}}},
            "/api/v1/device/events": {"post": post("uploadEvents", "上传事件（幂等）", "EventsRequest",
                                                   "EventsResponse")},
            "/api/v1/device/heartbeat": {"post": post("sendHeartbeat", "心跳：终端和设备状态", "HeartbeatRequest",
                                                      "HeartbeatResponse")},
            "/api/v1/device/tickets": {"post": post("issueTicket", "取号（同一幂等键重试得同一号码）", "TicketRequest",
                                                    "TicketResponse")},
        })
