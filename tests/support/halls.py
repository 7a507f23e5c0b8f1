"""A second hall (柳市镇便民服务中心) added to a copy of the small valid content fixture."""
from pathlib import Path

REGIONS = """\
- code: "330000"
  name: 浙江省
  children:
    - code: "330300"
      name: 温州市
      children:
        - code: "330382"
          name: 乐清市
          children:
            - code: "330382102"
              name: 柳市镇
              children:
                - code: "330382102201"
                  name: 长虹村
"""

HALL = """\
name: 柳市镇便民服务中心
address: 乐清市柳市镇前市街 1 号
hours: 周一至周五 8:30-12:00、13:30-17:00
hotline: 0577-61111111
public_base_url: /h/liushi
area_code: "0577"
region_code: "330382102"
featured: ["330382-GA-0001"]
offers:
  - code: "330382-GA-0001"
"""

OVERRIDE = """\
locations:
  - address: 乐清市柳市镇前市街 1 号一楼
    window: 3 号窗口
    hours: 周一至周五 8:30-12:00
contacts:
  consult: 0577-61111112
  complaint: 0577-61111113
"""


def add_second_hall(content: Path, own_guide: bool = False) -> Path:
    """Add regions.yaml and halls/liushi (offers 330382-GA-0001 with local windows and phones;
    with `own_guide`, also its own guide 330382-SC-0901, a copy of 330382-SC-0001)."""
    (content / "regions.yaml").write_text(REGIONS, encoding="utf-8")
    hall = content / "halls" / "liushi"
    (hall / "overrides").mkdir(parents=True)
    (hall / "hall.yaml").write_text(HALL, encoding="utf-8")
    (hall / "overrides" / "330382-GA-0001.yaml").write_text(OVERRIDE, encoding="utf-8")
    if own_guide:
        (hall / "guides").mkdir()
        src = (content / "guides" / "330382-SC-0001.yaml").read_text(encoding="utf-8")
        (hall / "guides" / "330382-SC-0901.yaml").write_text(
            src.replace("330382-SC-0001", "330382-SC-0901"), encoding="utf-8")
    return content
