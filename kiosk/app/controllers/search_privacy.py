"""Whether a search query may be kept: counted as a popular term or sent to the editors as a
query that found nothing. Terms only — a query that may carry personal data is never kept.

A query is not kept when it holds:

- a phone or ID number in any writing ``guides.personal_data.find_personal_data`` recognises
  (mobile, landline with area code, GB 11643 ID number);
- a run of 7 or more digits (spaces, dashes and dots between them ignored): the kiosk's query
  line holds at most 16 characters, so an ID or bank-card number typed there is always a
  fragment, and a 7–8 digit local phone number has no area code to recognise it by;
- only two to four Chinese characters starting with a common surname, for a query that found
  nothing (``name_like``): a person's name typed by mistake is never a guide's name, so it is
  exactly the kind of query that ends with no hit. A real term dropped this way (高考) is the
  price of never sending a name.
"""
from __future__ import annotations

import re

from guides.personal_data import find_personal_data

# Common Chinese surnames (those borne by most of the population), one character each.
COMMON_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩邓冯曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任卢姚沈钟姜"
    "崔谭陆范汪廖石金韦贾夏付傅方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严莫孔向常汤康易乔赖文"
    "欧施洪牛庞樊殷兰葛倪温齐单")
_DIGIT_RUN = re.compile(r"\d{7,}")
_HANZI_ONLY = re.compile(r"^[\u3400-\u9fff]{2,4}$")


def personal_reason(query: str) -> str | None:
    """Why ``query`` may carry personal data (a short English reason for the log, never the
    query itself), or None when it holds nothing that looks personal."""
    import unicodedata
    text = unicodedata.normalize("NFKC", query or "")
    if find_personal_data(text):
        return "phone or ID number"
    if _DIGIT_RUN.search(re.sub(r"[\s\-.·_]", "", text)):
        return "long run of digits"
    return None


def name_like(query: str) -> bool:
    """True for two to four Chinese characters starting with a common surname (张三, 欧阳娜娜 is
    missed: its surname is two characters and not listed)."""
    q = (query or "").strip()
    return bool(_HANZI_ONLY.match(q)) and q[0] in COMMON_SURNAMES


def may_keep(query: str, *, found: bool) -> bool:
    """True when ``query`` may be kept as a term: nothing personal in it and, when it ``found``
    nothing, it does not look like a name."""
    if not query or personal_reason(query):
        return False
    return found or not name_like(query)
