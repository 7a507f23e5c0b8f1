"""A guide whose 情形 questions form a tree, added to a copy of the sample content.

content/ has no guide with a `when` question yet, so the kiosk tests add this one (built on the
valid fixture's 换领/补领 guide): "您要办理哪一种？" first; only on 补领 "您的户口在本市吗？".
Each path has its own materials, and 本市 补领 has a 任选一种 group."""
from __future__ import annotations

from pathlib import Path

from tests.kiosk.conftest import copy_sample_content

CODE = "330382-GA-0099"
NAME = "居民身份证换领、补领"
WHY, WHERE = "您要办理哪一种？", "您的户口在本市吗？"
RENEW, LOST = "有效期满、证件损坏或登记项目变更（换领）", "证件遗失（补领）"
LOCAL, AWAY = "户口在本市", "户口在外地（异地补领）"

GUIDE = f'''code: "{CODE}"
name: {NAME}
item_type: 行政确认
audience: [个人]
category: 户籍办理
department: 乐清市公安局户政管理大队
basis:
  - {{law: 中华人民共和国居民身份证法, article: 第十一条}}
questions:
  - id: why
    ask: {WHY}
    options:
      - {{id: renew, label: {RENEW}}}
      - {{id: lost, label: {LOST}}}
  - id: where
    ask: {WHERE}
    when: [why=lost]
    options:
      - {{id: local, label: {LOCAL}}}
      - {{id: away, label: {AWAY}}}
conditions:
  - 居民身份证有效期满、证件损坏难以辨认、登记项目变更或证件遗失
materials:
  - {{name: 原居民身份证, form: 原件, copies: 1, source: 申请人自备, when: [why=renew]}}
  - one_of: 身份证明
    when: [why=lost, where=local]
    items:
      - {{name: 居民户口簿, form: 原件, copies: 1, source: 申请人自备}}
      - {{name: 户籍证明, form: 原件, copies: 1, source: 政府部门核发}}
  - {{name: 居住证, form: 原件, copies: 1, source: 政府部门核发, when: [why=lost, where=away]}}
  - {{name: 居民身份证申领登记表, form: 原件, copies: 1, source: 窗口提供}}
time_limit: {{promised: {{value: 20, unit: 工作日}}}}
speed: 承诺件
fee:
  charged: true
  items:
    - {{name: 工本费, amount: 20, unit: 元/证, when: [why=renew]}}
    - {{name: 工本费, amount: 40, unit: 元/证, when: [why=lost]}}
channels: [窗口办理]
locations:
  - {{address: 乐清市市民中心一楼 A 区, window: 1-6 号公安综合窗口, hours: 周一至周五 8:30-12:00、13:30-17:00}}
  - {{address: 乐清市市民中心一楼 A 区, window: 7 号异地办证窗口, when: [where=away]}}
contacts: {{consult: "0577-61881101", complaint: "12345"}}
mistakes:
  - {{mistake: 未带原居民身份证, correct: 换领时带上原证件，遗失的请选择补领, when: [why=renew]}}
  - {{mistake: 异地补领只带了复印件, correct: 带居住证原件, when: [where=away]}}
updated: 2026-11-01
'''


def content_with_nested_guide(dest: Path) -> Path:
    """A copy of content/ at `dest` with the nested-question guide added to 户籍办理."""
    copy_sample_content(dest)
    (dest / "guides" / f"{CODE}.yaml").write_text(GUIDE, encoding="utf-8")
    return dest


def load_nested_guide(tmp: Path):
    """(guide, site) of the nested-question guide, loaded and checked as the kiosk loads content."""
    from guides.loader import load_content
    content = load_content(content_with_nested_guide(tmp / "content"))
    return content.guides[CODE], content.site
