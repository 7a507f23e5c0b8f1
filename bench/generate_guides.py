"""Generate N synthetic but valid v2 guides (a content folder the checker accepts without errors).

    python bench/generate_guides.py --count 5000 --out /tmp/content5k
"""
from __future__ import annotations

import argparse
import random
from pathlib import Path

import yaml

DEPTS = {"GA": "公安局户政科", "RS": "人力资源和社会保障局", "YB": "医疗保障局", "MZ": "民政局婚姻登记处",
         "SC": "市场监督管理局", "BDC": "不动产登记中心", "GJJ": "住房公积金中心", "SW": "税务局"}
CATEGORIES = [("huji", "户籍办理", "个人"), ("shebao", "社会保障", "个人"), ("yibao", "医疗保障", "个人"),
              ("hunyin", "婚姻登记", "个人"), ("qiye", "企业开办", "法人"), ("budongchan", "不动产登记", "个人"),
              ("gongjijin", "公积金", "个人"), ("nashui", "税务办理", "法人")]
SUBJECTS = ["居民身份证", "户口", "社保卡", "养老保险", "医保", "结婚证", "营业执照", "不动产权证", "公积金",
            "发票", "居住证", "护照", "驾驶证", "出生医学证明", "失业保险", "工伤认定", "残疾人证", "食品经营许可"]
ACTIONS = ["申领", "换领", "补领", "变更登记", "注销", "迁移", "备案", "提取", "转移登记", "查询", "年审", "延期"]
MATERIALS = ["居民身份证", "居民户口簿", "营业执照", "申请表", "结婚证", "不动产权证书", "劳动合同", "委托书",
             "出生医学证明", "银行卡", "租赁合同", "近期免冠照片", "社会保障卡", "房屋买卖合同", "完税凭证"]


ID_DOCS = ["居住证", "护照", "港澳居民来往内地通行证", "台湾居民来往大陆通行证", "外国人永久居留身份证"]


def guide(i: int, rng: random.Random) -> dict:
    """One valid v2 guide; every third has questions (情形), a "任选一种" group, fee items and
    time-limit variants that depend on the answer; every fifth leaves some recommended
    elements out (as real guides do), so the checker reports warnings for it."""
    dept = rng.choice(list(DEPTS))
    code = f"330382-{dept}-{i:04d}" if i < 10000 else f"330382-{dept}-{i % 10000:04d}"
    slug, cat, aud = rng.choice(CATEGORIES)
    name = f"{rng.choice(SUBJECTS)}{rng.choice(ACTIONS)}({i})"
    mats = rng.sample(MATERIALS, rng.randint(2, 6))
    speed = rng.choice(["即办件", "承诺件"])
    statutory = rng.randint(1, 60)
    promised = {"value": rng.randint(1, statutory), "unit": "工作日"} if speed == "承诺件" else "即时"
    materials: list[dict] = [{"name": m, "form": rng.choice(["原件", "复印件", "原件和复印件"]),
                              "copies": rng.randint(1, 3), "source": "申请人自备"} for m in mats]
    g: dict = {
        "code": code, "basic_code": f"{i:012d}", "name": name, "item_type": "公共服务", "audience": [aud],
        "category": cat, "department": f"乐清市{DEPTS[dept]}",
        "basis": [{"law": "中华人民共和国行政许可法", "article": "第三十条"}],
        "conditions": [f"符合{name}的办理条件之一：年满十八周岁", "本人到场或委托代理人办理"],
        "materials": materials,
        "time_limit": {"statutory": {"value": statutory, "unit": "工作日"}, "promised": promised},
        "speed": speed, "fee": {"charged": False}, "channels": ["窗口办理", "网上办理"], "visits": rng.randint(0, 1),
        "flow": [{"step": s, "who": "窗口", "time": "即时", "what": f"{s}并告知结果"} for s in ("受理", "审核", "办结")],
        "locations": [{"address": "乐清市市民中心一楼", "window": f"{rng.randint(1, 40)} 号窗口", "hours": "周一至周五 9:00-17:00"}],
        "contacts": {"consult": "0577-61234567", "complaint": "12345"},
        "result": {"name": f"{name}结果", "type": "其他"},
        "mistakes": [{"mistake": f"未携带{mats[0]}", "correct": f"请携带{mats[0]}原件"},
                     {"mistake": "材料复印件不清晰", "correct": "复印件须清晰完整"}],
        "faq": [{"q": "可以代办吗？", "a": "可以，代理人携带本人身份证件和委托书办理。"}],
        "aliases": [f"{rng.choice(SUBJECTS)}{rng.choice(ACTIONS)}"], "updated": "2026-11-01",
    }
    if i % 3 == 0:
        g["questions"] = [
            {"id": "kind", "ask": "您要办理哪一种？",
             "options": [{"id": "first", "label": "首次办理"}, {"id": "change", "label": "变更或补办"}]},
            {"id": "agent", "ask": "由谁办理？", "when": ["kind=change"],
             "options": [{"id": "self", "label": "本人办理"}, {"id": "proxy", "label": "委托他人办理"}]},
        ]
        materials[0]["when"] = ["kind=first"]
        docs = rng.sample(ID_DOCS, 3)
        materials.append({"one_of": "身份证明（任选一种）", "when": ["kind=change"],
                          "items": [{"name": d, "form": "原件", "copies": 1, "source": "申请人自备"} for d in docs]})
        materials.append({"name": "授权委托书", "form": "原件", "copies": 1, "source": "申请人自备",
                          "when": ["agent=proxy"]})
        g["fee"] = {"charged": True, "items": [
            {"name": "工本费", "amount": 20, "unit": "元/件", "when": ["kind=first"]},
            {"name": "补办工本费", "amount": 40, "unit": "元/件", "when": ["kind=change"]}]}
        g["time_limit"] = [dict(g["time_limit"], label="普通"),
                           {"label": "加急", "statutory": {"value": statutory, "unit": "工作日"}, "promised": "即时"}]
        g["mistakes"][0]["when"] = ["kind=first"]
    if i % 5 == 0:
        for key in ("basic_code", "result", "faq"):
            del g[key]
        del materials[1]["source"]
    return g


def generate(out: Path, count: int, seed: int = 7) -> Path:
    rng = random.Random(seed)
    (out / "guides").mkdir(parents=True, exist_ok=True)
    site = {"hall_name": "乐清市市民中心", "address": "乐清市伯乐东路 1 号", "hours": "周一至周五 9:00-17:00",
            "hotline": "0577-61234567", "public_base_url": "https://bs.example.gov.cn"}
    (out / "site.yaml").write_text(yaml.safe_dump(site, allow_unicode=True), encoding="utf-8")
    cats = [{"slug": s, "name": n, "audience": [a]} for s, n, a in CATEGORIES]
    (out / "categories.yaml").write_text(yaml.safe_dump(cats, allow_unicode=True), encoding="utf-8")
    seen = set()
    i = 0
    while len(seen) < count:
        i += 1
        g = guide(i, rng)
        if g["code"] in seen:
            continue
        seen.add(g["code"])
        (out / "guides" / f"{g['code']}.yaml").write_text(
            yaml.safe_dump(g, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    generate(args.out, args.count)
    print(f"{args.count} guides in {args.out}")
