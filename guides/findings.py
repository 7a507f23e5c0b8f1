"""Checker findings: one line each, `path:line: CODE message`."""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Severity(str, Enum):
    error = "error"
    warning = "warning"


@dataclass(frozen=True, order=True)
class Finding:
    path: str
    line: int
    code: str
    message: str
    severity: Severity = Severity.error

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.error

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.code} {self.message}"


# Every code the checker can emit, with the rule it names. Codes never change
# meaning; content/README.md lists them for editors.
CODES: dict[str, str] = {
    "E001": "YAML 语法错误",
    "E002": "文件缺失或无法读取",
    "E003": "重复的键",
    "E101": "未知字段",
    "E102": "缺少必填项",
    "E103": "类型或取值错误",
    "E104": "缺少必备要素",
    "E105": "缺少必备要素（易错范例）",
    "E201": "模糊条款",
    "E202": "承诺时限超过法定时限",
    "E203": "即办件承诺时限超过 1 个工作日",
    "E204": "收费信息写成了“无”",
    "E205": "到现场次数超过一次且未说明理由",
    "E206": "编码格式错误",
    "E207": "事项编码重复",
    "E208": "文件名与事项编码不一致",
    "E209": "文本含标记或脚本",
    "E210": "电话号码格式错误",
    "E211": "网址格式错误",
    "E212": "申请材料重复",
    "E213": "主题分类不存在",
    "E214": "收费标准缺失",
    "E215": "常用事项不存在",
    "E216": "分类标识重复",
    "E217": "已调整事项仍有事项文件",
    "E218": "接替事项不存在",
    "E219": "零上门与办理方式矛盾",
    "E220": "情形条件引用了不存在的问题或选项",
    "E221": "情形缺少申请材料",
    "E222": "文本含不可见控制字符",
    "E223": "字体无法显示",
    "E224": "附件文件错误",
    "E225": "情形问题或选项标识重复",
    "E226": "材料组设置错误",
    "W301": "到现场次数超过一次",
    "W302": "分类下没有事项",
    "W401": "缺少推荐要素",
    "W402": "收费标准未载明",
    "W403": "统一社会信用代码校验位不符",
    "W404": "情形组合过多",
}
