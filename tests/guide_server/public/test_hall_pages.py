"""Phone pages of several halls: picker, /h/<hall>/ pages, links between halls, stable /g/<code>."""
import re

import pytest

from guides.loader import load_content
from guides.release import ReleaseStore
from tests.support.halls import add_second_hall


@pytest.fixture
def halls_client(tmp_path, valid_content):
    from guide_server import create_app

    add_second_hall(valid_content, own_guide=True)
    inst = tmp_path / "halls-instance"
    ReleaseStore(inst).publish(load_content(valid_content))
    app = create_app({"TESTING": True, "INSTANCE_DIR": str(inst),
                      "DATABASE_URL": f"sqlite:///{inst / 'db.sqlite3'}"})
    return app.test_client()


def _text(resp):
    assert resp.status_code == 200, resp.status_code
    return resp.get_data(as_text=True)


def _links(html):
    return re.findall(r'href="([^"]+)"', html)


def test_picker_lists_both_halls(halls_client):
    html = _text(halls_client.get("/"))
    assert "选择办事大厅" in html and "测试市民中心" in html and "柳市镇便民服务中心" in html
    assert "/h/main/" in _links(html) and "/h/liushi/" in _links(html)
    assert "柳市镇" in html  # the hall's region from regions.yaml


def test_each_hall_home_shows_only_its_guides_and_links_stay_in_the_hall(halls_client):
    main = _text(halls_client.get("/h/main/"))
    liushi = _text(halls_client.get("/h/liushi/"))
    assert "测试市民中心" in main and "0577-61111111" in liushi
    # search finds only the hall's guides, and its links keep the citizen in the hall
    search_main = _text(halls_client.get("/h/main/search?q=个体工商户"))
    search_liushi = _text(halls_client.get("/h/liushi/search?q=个体工商户"))
    assert "/h/main/g/330382-SC-0001" in _links(search_main)
    assert "/h/liushi/g/330382-SC-0901" in _links(search_liushi)
    assert not any("330382-SC-0001" in l for l in _links(search_liushi))
    assert halls_client.get("/h/liushi/g/330382-SC-0001").status_code == 404
    assert halls_client.get("/h/main/g/330382-SC-0901").status_code == 404
    assert halls_client.get("/h/nowhere/").status_code == 404


def test_local_windows_and_phones_on_the_hall_page_with_links_to_other_hall(halls_client):
    local = _text(halls_client.get("/h/liushi/g/330382-GA-0001"))
    shared = _text(halls_client.get("/h/main/g/330382-GA-0001"))
    assert "3 号窗口" in local and "0577-61111112" in local
    assert "3 号窗口" not in shared and "0577-61111112" not in shared
    assert "在其他大厅办理" in local and "/h/main/g/330382-GA-0001" in _links(local)
    assert "在其他大厅办理" in shared and "/h/liushi/g/330382-GA-0001" in _links(shared)
    assert "/h/liushi/g/330382-GA-0001/print" in _links(local)
    assert "3 号窗口" in _text(halls_client.get("/h/liushi/g/330382-GA-0001/print"))


def test_printed_poster_urls_keep_working(halls_client):
    # printed by the default hall: its page, unchanged
    shared = _text(halls_client.get("/g/330382-GA-0001"))
    assert "3 号窗口" not in shared and "在其他大厅办理" in shared
    # only one hall has the code: that hall's page
    own = _text(halls_client.get("/g/330382-SC-0901"))
    assert "柳市镇便民服务中心" in own
    assert halls_client.get("/g/330382-ZZ-0404").status_code == 404


def test_code_of_several_halls_not_in_default_hall_asks_which_hall(tmp_path, valid_content):
    from guide_server import create_app

    add_second_hall(valid_content, own_guide=True)
    second = valid_content / "halls" / "hongqiao"
    (second / "overrides").mkdir(parents=True)
    (second / "hall.yaml").write_text((valid_content / "halls" / "liushi" / "hall.yaml").read_text(
        encoding="utf-8").replace("柳市镇", "虹桥镇").replace('featured: ["330382-GA-0001"]\n', ""), encoding="utf-8")
    (second / "overrides" / "330382-GA-0001.yaml").write_text('code: "330382-GA-0903"\n', encoding="utf-8")
    liushi = valid_content / "halls" / "liushi" / "overrides" / "330382-GA-0001.yaml"
    liushi.write_text('code: "330382-GA-0903"\n', encoding="utf-8")
    (valid_content / "halls" / "liushi" / "hall.yaml").write_text(
        (valid_content / "halls" / "liushi" / "hall.yaml").read_text(encoding="utf-8").replace(
            'featured: ["330382-GA-0001"]\n', ""), encoding="utf-8")
    inst = tmp_path / "i"
    ReleaseStore(inst).publish(load_content(valid_content))
    client = create_app({"TESTING": True, "INSTANCE_DIR": str(inst),
                         "DATABASE_URL": f"sqlite:///{inst / 'db.sqlite3'}"}).test_client()
    html = _text(client.get("/g/330382-GA-0903"))
    assert "请选择您要去的大厅" in html
    assert {"/h/liushi/g/330382-GA-0903", "/h/hongqiao/g/330382-GA-0903"} <= set(_links(html))


def test_one_hall_site_keeps_its_home_at_root(client):
    html = _text(client.get("/"))
    assert "选择办事大厅" not in html and "/h/" not in html
    assert client.get("/h/main/").status_code == 200


def test_a_halls_own_guide_has_a_rating_page(halls_client):
    assert halls_client.get("/g/330382-SC-0901/rate").status_code == 200
    assert halls_client.get("/g/330382-ZZ-0404/rate").status_code == 404


@pytest.mark.slow
def test_hall_pages_are_valid_html(halls_client, tmp_path):
    import json
    import subprocess

    from tests.guide_server.public.test_html_valid import VNU

    pages = {"picker": "/", "hall-home": "/h/liushi/", "hall-guide": "/h/liushi/g/330382-GA-0001",
             "hall-print": "/h/liushi/g/330382-GA-0001/print", "hall-search": "/h/liushi/search?q=个体",
             "default-guide": "/g/330382-GA-0001", "hall-category": "/h/liushi/c/huji"}
    files = []
    for name, path in pages.items():
        resp = halls_client.get(path)
        assert resp.status_code == 200, (path, resp.status_code)
        f = tmp_path / f"{name}.html"
        f.write_bytes(resp.data)
        files.append(f)
    run = subprocess.run(["java", "-Xss4m", "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, files)],
                         capture_output=True, text=True, timeout=180)
    messages = json.loads(run.stderr or run.stdout or '{"messages": []}')["messages"]
    assert [(m.get("url", "").rsplit("/", 1)[-1], m.get("message")) for m in messages if m.get("type") == "error"] == []


def test_a_province_lists_the_nearest_other_halls_and_counts_the_rest(tmp_path, valid_content):
    """With many halls offering an item, a guide page lists the MAX_OTHER_HALLS nearest by
    region code (same township first) and says how many more there are."""
    from guide_server import create_app
    from guide_server.state import MAX_OTHER_HALLS
    from tests.support.halls import HALL, REGIONS

    add_second_hall(valid_content)
    (valid_content / "regions.yaml").write_text(
        REGIONS + '            - code: "330382103"\n              name: 北白象镇\n', encoding="utf-8")
    halls = valid_content / "halls"
    near = ["liushi-a", "liushi-b"]
    far = [f"beibaixiang-{i:02d}" for i in range(14)]
    for hall_id in near + far:
        (halls / hall_id).mkdir()
        text = HALL.replace("柳市镇便民服务中心", f"{hall_id} 便民服务点").replace("/h/liushi", f"/h/{hall_id}")
        if hall_id in far:
            text = text.replace('"330382102"', '"330382103"')
        (halls / hall_id / "hall.yaml").write_text(text, encoding="utf-8")
    inst = tmp_path / "province-instance"
    ReleaseStore(inst).publish(load_content(valid_content))
    client = create_app({"TESTING": True, "INSTANCE_DIR": str(inst),
                         "DATABASE_URL": f"sqlite:///{inst / 'db.sqlite3'}"}).test_client()
    html = _text(client.get("/h/liushi/g/330382-GA-0001"))
    section = html.split('class="other-halls"', 1)[1].split("</section>", 1)[0]
    listed = re.findall(r'href="/h/([^/]+)/g/330382-GA-0001"', section)
    assert len(listed) == MAX_OTHER_HALLS and "liushi" not in listed
    assert listed[:2] == near  # the same township (330382102) first
    assert set(listed[2:]) <= set(far)
    total_others = len(near) + len(far) + 1  # and the default hall
    assert f"另有 {total_others - MAX_OTHER_HALLS} 个大厅也可办理此事项" in section
