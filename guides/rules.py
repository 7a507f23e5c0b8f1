"""Content rules of CONTENT-STANDARD.md (v2) beyond the schema.

Rules read the raw YAML data (so they still run when the schema has complaints
elsewhere in the file) and defend against wrong types, which the schema reports.
Every finding is ``path:line: CODE message``; the codes are listed in guides.findings.
Rules about questions, ``when`` and answer paths live in guides.pathrules, absent
recommended elements in guides.completeness.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from guides import textsafety
from guides.codes import uscc_check_char, uscc_check_ok, uscc_well_formed, valid_basic_code, valid_code
from guides.findings import Finding, Severity
from guides.pathrules import compatible, path_rules
from guides.phones import valid_phone
from guides.vague import EXEMPT_KEYS, find_vague
from guides.yamlsource import SourceDoc

BLANK_FEE = {"", "无", "暂无", "-", "—", "/", "空"}
FORM_SUFFIXES = {".pdf", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg"}


def _err(doc: SourceDoc, path: tuple, code: str, message: str,
         severity: Severity = Severity.error) -> Finding:
    return Finding(doc.path, doc.line(path), code, message, severity)


def _strings(value: Any, path: tuple) -> list[tuple[tuple, str]]:
    """(path, text) of every string in `value`, depth first, in file order."""
    out: list[tuple[tuple, str]] = []
    stack = [(path, value)]
    while stack:
        p, v = stack.pop()
        if isinstance(v, str):
            out.append((p, v))
        elif isinstance(v, dict):
            stack.extend((p + (k,), x) for k, x in reversed(list(v.items())))
        elif isinstance(v, list):
            stack.extend((p + (i,), x) for i, x in reversed(list(enumerate(v))))
    return out


def _texts(value: Any, key: str | None, texts: list[str], prose: list[str]) -> None:
    """Every string of `value` into `texts`, and those not under an exempt key into `prose`
    (the fast pass of `text_rules`: no paths)."""
    if isinstance(value, str):
        texts.append(value)
        if key not in EXEMPT_KEYS:
            prose.append(value)
    elif isinstance(value, dict):
        for k, v in value.items():
            _texts(v, k if isinstance(k, str) else key, texts, prose)
    elif isinstance(value, list):
        for v in value:
            _texts(v, key, texts, prose)


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


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


# ------------------------------------------------------------------------------------ text
def _last_key(path: tuple) -> str | None:
    for key in reversed(path):
        if isinstance(key, str):
            return key
    return None


def text_rules(doc: SourceDoc, *, vague: bool) -> Iterator[Finding]:
    """Markup (E209), invisible control characters (E222) and characters the bundled font
    cannot draw (E223) in every string of the file; vague wording (E201) in every prose
    field when `vague` is set (guides).

    Each rule first runs once over all strings joined by line breaks (no pattern spans a
    line break), and looks string by string only when that finds something: a clean file
    costs one pass per rule."""
    texts: list[str] = []
    prose: list[str] = []
    _texts(doc.data, None, texts, prose)
    joined = "\n".join(texts)
    has_markup = textsafety.MARKUP_RE.search(joined) is not None
    has_control = textsafety.CONTROL_RE.search(joined) is not None
    has_undrawable = not joined.isascii() and bool(textsafety.undrawable("".join(set(joined))))
    has_vague = vague and find_vague("\n".join(prose)) is not None
    if not (has_markup or has_control or has_undrawable or has_vague):
        return
    for path, text in _strings(doc.data, ()):
        piece = textsafety.markup(text) if has_markup else None
        if piece:
            yield _err(doc, path, "E209", f"文本含标记或脚本：“{piece}”不能出现在指南文字中，书名请用《》")
        if has_control:
            bad = textsafety.control_chars(text)
            if bad:
                names = "、".join(textsafety.describe(c) for c in bad)
                yield _err(doc, path, "E222", f"文本含不可见控制字符：{names}，会打乱文字方向或隐藏内容，请删除")
        if has_undrawable:
            missing = textsafety.undrawable(text)
            if missing:
                chars = "、".join(f"“{c}”（{textsafety.describe(c)}）" for c in missing)
                yield _err(doc, path, "E223", f"字体无法显示：{chars} 不在内置字体 Noto Sans SC 中，"
                                              "海报和自助终端上会显示为空白，请改用常用字或加注读音")
        if has_vague and _last_key(path) not in EXEMPT_KEYS:
            match = find_vague(text)
            if match:
                yield _err(doc, path, "E201", f"模糊条款：“{match.words}”含义不明（{match.kind}），"
                                              "请逐项写明具体内容或删除")


# ------------------------------------------------------------------------------------ formats
def valid_url(text: str, *, https_only: bool = False) -> bool:
    """An absolute http(s) URL with a dotted host name and no spaces."""
    if not isinstance(text, str) or any(c.isspace() for c in text):
        return False
    parts = urlsplit(text)
    schemes = ("https",) if https_only else ("http", "https")
    return parts.scheme in schemes and bool(parts.hostname) and "." in (parts.hostname or "")


def check_urls(doc: SourceDoc, paths: list[tuple], *, https_only: bool = False) -> Iterator[Finding]:
    for path in paths:
        value = _get(doc.data, path)
        if value is not None and not valid_url(value, https_only=https_only):
            yield _err(doc, path, "E211", f"网址格式错误：{value!s} 应为以 https:// 开头的完整网址")


def check_phone(doc: SourceDoc, path: tuple) -> Iterator[Finding]:
    text = _get(doc.data, path)
    if not isinstance(text, str):  # missing or wrong type: the schema says so
        return
    if not valid_phone(text):
        yield _err(doc, path, "E210", f"电话号码格式错误：{text} 应写成 区号-号码（如 0577-61881125）、"
                                      "7-8 位本地号码、12345 这类服务号码、400/800 号码或手机号，分机写在“转”后")


def _codes(doc: SourceDoc, data: dict, stem: str) -> Iterator[Finding]:
    code = data.get("code")
    if isinstance(code, str):
        if not valid_code(code):
            yield _err(doc, ("code",), "E206", f"事项编码格式错误：{code} 应为 6-64 位字母、数字或“-”，"
                                                "以字母或数字开头（如 11330382002609422Q3000102001000）")
        if code != stem:
            yield _err(doc, ("code",), "E208", f"文件名与事项编码不一致：文件名为 {stem}.yaml，事项编码为 {code}")
    elif code is not None:
        yield _err(doc, ("code",), "E206", "事项编码格式错误：应为带引号的文字，如 \"330382-GA-0001\"")
    basic = data.get("basic_code")
    if basic is not None and not valid_basic_code(basic):
        yield _err(doc, ("basic_code",), "E206", f"基本编码格式错误：{basic} 应为 6-32 位字母、数字或“-”，请加引号")
    dept = data.get("department_code")
    if dept is not None:
        if not uscc_well_formed(dept):
            yield _err(doc, ("department_code",), "E206",
                       f"实施主体编码格式错误：{dept} 应为 18 位统一社会信用代码（数字和大写字母，不含 I、O、Z、S、V）")
        elif not uscc_check_ok(dept):
            yield _err(doc, ("department_code",), "W403",
                       f"统一社会信用代码校验位不符：{dept} 按 GB 32100 计算校验位应为“{uscc_check_char(dept[:17])}”，"
                       f"而不是“{dept[-1]}”，请核对（旧清单中的代码可能有误）",
                       Severity.warning)


def _files(doc: SourceDoc, data: dict, forms_dir: Path | None) -> Iterator[Finding]:
    """blank_form / sample / flow_image / forms[].file / result.sample: files under content/forms/."""
    paths: list[tuple] = [("flow_image",), ("result", "sample")]
    for i, entry in enumerate(_list(data, "materials")):
        paths += [("materials", i, "blank_form"), ("materials", i, "sample")]
        for j, _ in enumerate(_list(entry, "items")):
            paths += [("materials", i, "items", j, "blank_form"), ("materials", i, "items", j, "sample")]
    for i, _ in enumerate(_list(data, "forms")):
        paths += [("forms", i, "file"), ("forms", i, "sample")]
    for path in paths:
        name = _get(data, path)
        if not isinstance(name, str):
            continue
        rel = PurePosixPath(name)
        if rel.is_absolute() or ".." in rel.parts or "\\" in name or not name.strip():
            yield _err(doc, path, "E224", f"附件路径错误：“{name}”应为“content/forms/”文件夹中的文件名，如“shenling-biao.pdf”")
        elif rel.suffix.lower() not in FORM_SUFFIXES:
            yield _err(doc, path, "E224", f"附件格式错误：“{name}”应为 PDF 或图片（.pdf .png .jpg .svg）")
        elif forms_dir is not None and not (forms_dir / rel).is_file():
            yield _err(doc, path, "E224", f"附件文件不存在：“content/forms/{name}”找不到")


# ------------------------------------------------------------------------------------ limits
def _limit(value: Any) -> tuple[int, str] | str | None:
    if isinstance(value, dict):
        v, unit = _int(value.get("value")), value.get("unit")
        return (v, unit) if v is not None and isinstance(unit, str) else None
    return value if isinstance(value, str) else None


def _longer_than_one_working_day(limit: Any) -> bool:
    if not isinstance(limit, tuple):
        return False
    value, unit = limit
    return (unit in ("工作日", "自然日") and value > 1) or (unit == "小时" and value > 24)


def _time_rules(doc: SourceDoc, data: dict) -> Iterator[Finding]:
    raw = data.get("time_limit")
    if isinstance(raw, dict):
        variants = [(("time_limit",), raw)]
    elif isinstance(raw, list):
        variants = [(("time_limit", i), v) for i, v in enumerate(raw) if isinstance(v, dict)]
    else:
        return
    speed = data.get("speed")
    speeds = ([(None, speed)] if isinstance(speed, str) else
              [(s.get("when"), s.get("speed")) for s in speed if isinstance(s, dict)] if isinstance(speed, list) else [])
    for path, variant in variants:
        statutory, promised = _limit(variant.get("statutory")), _limit(variant.get("promised"))
        when = variant.get("when")
        applying = [s for w, s in speeds if compatible(w, when)]
        immediate = bool(applying) and all(s == "即办件" for s in applying)
        if (isinstance(statutory, tuple) and isinstance(promised, tuple) and statutory[1] == promised[1]
                and promised[0] > statutory[0]):
            yield _err(doc, path + ("promised",), "E202",
                       f"承诺时限超过法定时限：承诺 {promised[0]} 个{promised[1]}，大于法定 {statutory[0]} 个{statutory[1]}")
        if immediate and _longer_than_one_working_day(promised):
            yield _err(doc, path + ("promised",), "E203",
                       f"即办件承诺时限超过 1 个工作日：即办件应当场或 1 个工作日内办结，不能承诺 {promised[0]} 个{promised[1]}"
                       "（否则请写承诺件）")
        if "statutory" not in variant and "promised" not in variant and not immediate:
            yield _err(doc, path, "E104", "缺少必备要素：办理时限，法定时限(statutory)和承诺时限(promised)至少写一项"
                                          "（即办件可不写）")


# ------------------------------------------------------------------------------------ fee, visits
def _fee_rules(doc: SourceDoc, data: dict) -> Iterator[Finding]:
    fee = data.get("fee")
    if not isinstance(fee, dict):
        return  # a string such as 无, or absent: the schema reports E204 / E104
    for key in ("waiver", "basis"):
        value = fee.get(key)
        if isinstance(value, str) and value.strip() in BLANK_FEE:
            yield _err(doc, ("fee", key), "E204", f"收费信息写成了“{value.strip()}”：没有就不写这一项，不要写“无”")
    items = fee.get("items")
    for i, item in enumerate(items if isinstance(items, list) else []):
        if not isinstance(item, dict):
            continue
        text = item.get("text")
        if isinstance(text, str) and text.strip() in BLANK_FEE:
            yield _err(doc, ("fee", "items", i, "text"), "E204",
                       f"收费信息写成了“{text.strip()}”：不收费请写 charged: false，收费的写明金额(amount)或标准(text)")
        elif item.get("amount") is None and text is None:
            name = item.get("name") if isinstance(item.get("name"), str) else f"第 {i + 1} 项"
            yield _err(doc, ("fee", "items", i), "E214",
                       f"收费标准缺失：收费项目“{name}”既没有金额(amount)也没有标准说明(text)")
    if fee.get("charged") is True and not items:
        yield _err(doc, ("fee",), "W402", "收费标准未载明：写了收费(charged: true)但没有收费项目，"
                                          "各终端将显示“收费标准未载明”并提示咨询电话", Severity.warning)


def _visit_rules(doc: SourceDoc, data: dict) -> Iterator[Finding]:
    visits = _int(data.get("visits"))
    if visits is None:
        return
    if visits > 1:
        reason = data.get("visits_reason")
        if isinstance(reason, str) and reason.strip():
            yield _err(doc, ("visits",), "W301", f"到现场次数超过一次：需到现场 {visits} 次（理由：{reason.strip()}）",
                       Severity.warning)
        else:
            yield _err(doc, ("visits",), "E205", f"到现场次数超过一次且未说明理由：到现场 {visits} 次须填写 visits_reason")
    channels = data.get("channels")
    if visits == 0 and isinstance(channels, list) and channels and all(c == "窗口办理" for c in channels):
        yield _err(doc, ("visits",), "E219", "零上门与办理方式矛盾：visits 为 0（零上门），但办理方式只有窗口办理，"
                                             "请写明网上、掌上或快递等不用到现场的方式，或改正到现场次数")


# ------------------------------------------------------------------------------------ entry points
def guide_rules(doc: SourceDoc, stem: str, forms_dir: Path | None = None) -> Iterator[Finding]:
    """All rules for one guide file; `stem` is the file name without .yaml; `forms_dir` is
    content/forms/ (attachments are checked to exist there; None skips that check)."""
    data = doc.data
    if not isinstance(data, dict):
        return
    yield from _codes(doc, data, stem)
    yield from _time_rules(doc, data)
    yield from _fee_rules(doc, data)
    yield from _visit_rules(doc, data)
    yield from path_rules(doc)
    contacts = data.get("contacts")
    if isinstance(contacts, dict):
        for key in ("consult", "complaint"):
            yield from check_phone(doc, ("contacts", key))
    urls = [("online_url",)] + [("forms", i, "url") for i, _ in enumerate(_list(data, "forms"))]
    yield from check_urls(doc, urls, https_only=True)
    yield from _files(doc, data, forms_dir)
    yield from text_rules(doc, vague=True)


def site_rules(doc: SourceDoc) -> Iterator[Finding]:
    """Rules for site.yaml: the hotline, the public URL, and the text rules without 模糊条款."""
    if not isinstance(doc.data, dict):
        return
    yield from check_phone(doc, ("hotline",))
    yield from check_urls(doc, [("public_base_url",)])
    yield from text_rules(doc, vague=False)


def categories_rules(doc: SourceDoc) -> Iterator[Finding]:
    """Rules for categories.yaml, retired.yaml and regions.yaml: the text rules without 模糊条款."""
    yield from text_rules(doc, vague=False)


def hall_site_rules(doc: SourceDoc) -> Iterator[Finding]:
    """Rules for a hall's hall.yaml (its site data, as site.yaml for the default hall): the
    hotline, and the text rules without 模糊条款. Its public_base_url may be a path on this
    server; guides.halls checks that."""
    if not isinstance(doc.data, dict):
        return
    yield from check_phone(doc, ("hotline",))
    yield from text_rules(doc, vague=False)


def override_rules(doc: SourceDoc) -> Iterator[Finding]:
    """Rules for a hall's local override of a shared guide (guides.halls.LOCAL_KEYS): the
    elements it holds are guide elements, so they get the guide's rules for them (phones,
    网上办理入口, fee) and the guide's text rules, 模糊条款 included."""
    data = doc.data
    if not isinstance(data, dict):
        return
    yield from _fee_rules(doc, data)
    contacts = data.get("contacts")
    if isinstance(contacts, dict):
        for key in ("consult", "complaint"):
            yield from check_phone(doc, ("contacts", key))
    yield from check_urls(doc, [("online_url",)], https_only=True)
    yield from text_rules(doc, vague=True)
