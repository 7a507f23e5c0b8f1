"""A city (温州市 330300) whose 市民中心 holds the shared guides, and three halls under it:
柳市镇 (liushi, 330382102) and 北白象镇 (baixiang, 330382103) in county A (乐清市 330382), and
瑞安市民中心 (ruian) in county B (瑞安市 330381). Each offers 330382-GA-0001; liushi and ruian
override its windows, liushi also has its own guide 330382-SC-0901."""
from __future__ import annotations

from pathlib import Path

from tests.support.halls import add_second_hall

GA = "330382-GA-0001"
REGIONS = """\
- code: "330000"
  name: 浙江省
  children:
    - code: "330300"
      name: 温州市
      children:
        - code: "330381"
          name: 瑞安市
        - code: "330382"
          name: 乐清市
          children:
            - code: "330382102"
              name: 柳市镇
            - code: "330382103"
              name: 北白象镇
"""


def _hall(content: Path, hall_id: str, name: str, region: str, override: str | None) -> None:
    folder = content / "halls" / hall_id
    (folder / "overrides").mkdir(parents=True)
    (folder / "hall.yaml").write_text(
        f"name: {name}\naddress: {name}一楼\nhours: 周一至周五 8:30-17:00\nhotline: 0577-6555000{len(hall_id)}\n"
        f"region_code: \"{region}\"\noffers:\n  - code: \"{GA}\"\n", encoding="utf-8")
    if override:
        (folder / "overrides" / f"{GA}.yaml").write_text(override, encoding="utf-8")


def city_with_halls(content: Path) -> Path:
    """Turn a copy of the valid fixture into the city described above (the shared guides'
    region becomes the city 330300)."""
    add_second_hall(content, own_guide=True)
    (content / "regions.yaml").write_text(REGIONS, encoding="utf-8")
    site = content / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace('region_code: "330382"', 'region_code: "330300"'),
                    encoding="utf-8")
    _hall(content, "baixiang", "北白象镇便民服务中心", "330382103", None)
    _hall(content, "ruian", "瑞安市民中心", "330381",
          "locations:\n  - {address: 瑞安市万松路 1 号, window: 8 号窗口, hours: 周一至周五 8:30-12:00}\n")
    return content
