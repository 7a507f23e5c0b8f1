"""Content rules of CONTENT-STANDARD.md beyond the schema.

Rules read the raw YAML data (so they still run when the schema has complaints
elsewhere in the file) and defend against wrong types, which the schema reports.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from guides.findings import Finding, Severity
from guides.yamlsource import SourceDoc

CODE_RE = re.compile(r"^\d{6}-[A-Z]{2,4}-\d{4}$")
# 区号-号码 (optional extension), a national 12xxx service line, or 400/800 numbers.
PHONE_RE = re.compile(r"^(0\d{2,3}-\d{7,8}(-\d{1,5})?|1\d{4}|[48]00-?\d{3}-?\d{4})$")
# Vague catch-all wording (消除办事指南中的模糊条款).
VAGUE_TERMS = ("其他材料", "有关材料", "相关材料", "其他相关", "相关证明", "其他证明", "等材料",
               "其他条件", "法律法规规定的其他", "等相关", "其他必要", "其它材料", "其它证明",
               "其他有关", "另行通知", "视情况")
MARKUP_RE = re.compile(r"[<>]|javascript:|&#?\w+;", re.IGNORECASE)
BLANK_FEE = {"", "无", "暂无", "-", "—", "/"}


def _err(doc: SourceDoc, path: tuple, code: str, message: str,
         severity: Severity = Severity.error) -> Finding:
    return Finding(doc.path, doc.line(path), code, message, severity)


def _strings(value: Any, path: tuple) -> Iterator[tuple[tuple, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _strings(v, path + (i,))


def valid_url(text: str) -> bool:
    if not isinstance(text, str) or any(c.isspace() for c in text):
        return False
    parts = urlsplit(text)
    return parts.scheme in ("http", "https") and bool(parts.hostname) and "." in (parts.hostname or "")


def check_markup(doc: SourceDoc) -> Iterator[Finding]:
    for path, text in _strings(doc.data, ()):
        if MARKUP_RE.search(text):
            yield _err(doc, path, "E209", "文本含标记或脚本：不能使用 < > 或 HTML 实体，书名请用《》")


def check_urls(doc: SourceDoc, paths: list[tuple]) -> Iterator[Finding]:
    for path in paths:
        value = _get(doc.data, path)
        if value is not None and not valid_url(value):
            yield _err(doc, path, "E211", f"网址格式错误：{value!s} 应为以 https:// 开头的完整网址")


def check_phone(doc: SourceDoc, path: tuple) -> Iterator[Finding]:
    text = _get(doc.data, path)
    if not isinstance(text, str):  # missing or wrong type: the schema says so
        return
    if not PHONE_RE.match(text):
        yield _err(doc, path, "E210", f"电话号码格式错误：{text} 应写成 区号-号码（如 0577-61234567）或 12345 这类服务热线")


def _get(data: Any, path: tuple) -> Any:
    for key in path:
        if isinstance(key, int):
            if not isinstance(data, list) or key >= len(data):
                return None
        elif not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def _list(data: Any, key: str) -> list:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, list) else []


def guide_rules(doc: SourceDoc, stem: str) -> Iterator[Finding]:
    """All rules for one guide file; `stem` is the file name without .yaml."""
    data = doc.data
    if not isinstance(data, dict):
        return
    code = data.get("code")
    if isinstance(code, str):
        if not CODE_RE.match(code):
            yield _err(doc, ("code",), "E206", f"事项编码格式错误：{code} 应形如 330382-GA-0001（6 位区划-部门字母-4 位序号）")
        if code != stem:
            yield _err(doc, ("code",), "E208", f"文件名与事项编码不一致：文件名为 {stem}.yaml，事项编码为 {code}")
    elif code is not None:
        yield _err(doc, ("code",), "E206", "事项编码格式错误：应为带引号的文字，如 \"330382-GA-0001\"")

    # 模糊条款 in conditions and materials.
    for area in ("conditions", "materials"):
        for path, text in _strings(data.get(area), (area,)):
            for term in VAGUE_TERMS:
                if term in text:
                    yield _err(doc, path, "E201", f"模糊条款：“{term}”含义不明，请逐项写明具体内容或删除")
                    break

    # Time limits.
    limit = data.get("time_limit")
    if isinstance(limit, dict):
        statutory, promised = limit.get("statutory_days"), limit.get("promised_days")
        if isinstance(statutory, int) and isinstance(promised, int) and promised > statutory:
            yield _err(doc, ("time_limit", "promised_days"), "E202",
                       f"承诺时限超过法定时限：承诺 {promised} 个工作日大于法定 {statutory} 个工作日")
        if data.get("speed") == "即办件" and isinstance(promised, int) and promised > 0:
            yield _err(doc, ("time_limit", "promised_days"), "E203",
                       f"即办件承诺时限应为 0：即办件当场办结，承诺时限不能是 {promised} 个工作日")

    # Fee: never blank, never 无.
    if "fee" in data:
        fee = data["fee"]
        if isinstance(fee, dict) and fee.get("charged") is True:
            for key, label in (("standard", "收费标准"), ("basis", "收费依据")):
                value = fee.get(key)
                if value is None or (isinstance(value, str) and value.strip() in BLANK_FEE):
                    yield _err(doc, ("fee", key) if key in fee else ("fee",), "E214",
                               f"收费标准或依据缺失：收费事项须写明{label}({key})")

    # Visits: 0 or 1; more needs a reason.
    visits = data.get("visits")
    if isinstance(visits, int) and not isinstance(visits, bool) and visits > 1:
        reason = data.get("visits_reason")
        if isinstance(reason, str) and reason.strip():
            yield _err(doc, ("visits",), "W301", f"到现场次数超过一次：需到现场 {visits} 次（理由：{reason.strip()})",
                       Severity.warning)
        else:
            yield _err(doc, ("visits",), "E205", f"到现场次数超过一次且未说明理由：到现场 {visits} 次须填写 visits_reason")

    # The same material twice.
    seen: dict[str, int] = {}
    for i, material in enumerate(_list(data, "materials")):
        name = material.get("name") if isinstance(material, dict) else None
        if not isinstance(name, str):
            continue
        key = re.sub(r"\s+", "", name)
        if key in seen:
            yield _err(doc, ("materials", i, "name"), "E212",
                       f"申报材料重复：“{name}”与第 {seen[key] + 1} 项重复")
        else:
            seen[key] = i

    # Phones and URLs.
    contacts = data.get("contacts")
    if isinstance(contacts, dict):
        for key in ("consult", "complaint"):
            yield from check_phone(doc, ("contacts", key))
    urls = [("online_url",)]
    for i, _ in enumerate(_list(data, "forms")):
        urls += [("forms", i, "url"), ("forms", i, "sample_url")]
    yield from check_urls(doc, urls)
    yield from check_markup(doc)


def site_rules(doc: SourceDoc) -> Iterator[Finding]:
    if not isinstance(doc.data, dict):
        return
    yield from check_phone(doc, ("hotline",))
    yield from check_urls(doc, [("public_base_url",)])
    yield from check_markup(doc)
