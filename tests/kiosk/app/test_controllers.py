"""Controllers, config, content and store: plain Python, no window."""
import datetime as dt
import subprocess
import sys

import pytest

from guides.loader import load_content
from guides.search import SearchIndex
from kiosk.config import ConfigError, KioskConfig, load_config, parse_config, write_config
from kiosk.content import load_kiosk_content
from kiosk.app.controllers import tickets as tk
from kiosk.app.controllers.guide_view import SECTION_TITLES, guide_sections, guide_summary
from kiosk.app.controllers.idle import ACTIVE, COUNTDOWN, EXPIRED, IdleTimer
from kiosk.app.controllers.ratings import RatingStore
from kiosk.app.controllers.search import DELETE, SearchController
from kiosk.app.controllers.session import CardHolder, Session
from kiosk.app.controllers.theme import ELDER, NORMAL, contrast
from kiosk.store import KioskStore


class FakeClock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self):
        return self.t


def test_idle_timer_counts_down_then_expires_and_a_touch_restarts_it():
    clock = FakeClock()
    idle = IdleTimer(60, 10, clock=clock)
    clock.t += 59.5
    assert idle.state().phase == ACTIVE
    clock.t += 0.5
    assert idle.state().phase == COUNTDOWN and idle.state().remaining == 10
    clock.t += 3.2
    assert idle.state().phase == COUNTDOWN and idle.state().remaining == 7
    idle.touch()
    assert idle.state().phase == ACTIVE
    clock.t += 70
    assert idle.state().phase == EXPIRED


def test_controllers_and_device_service_import_no_kivy():
    code = ("import sys, kiosk.app.controllers.idle, kiosk.app.controllers.session, kiosk.app.controllers.search, "
            "kiosk.app.controllers.tickets, kiosk.app.controllers.ratings, kiosk.app.controllers.theme, "
            "kiosk.app.controllers.guide_view, kiosk.devices, kiosk.config, kiosk.content; "
            "assert not [m for m in sys.modules if m.split('.')[0] == 'kivy'], 'kivy imported'")
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.fixture(scope="module")
def sample_index():
    from tests.kiosk.conftest import copy_sample_content
    import tempfile
    from pathlib import Path
    content = load_content(copy_sample_content(Path(tempfile.mkdtemp()) / "c"))
    return content, SearchIndex(content.guides.values())


def test_search_by_initials_updates_on_every_key_and_delete(sample_index):
    content, index = sample_index
    s = SearchController(index)
    s.press("S")
    s.press("F")
    hits = s.press("Z")
    assert s.query == "SFZ"
    assert "330382-GA-0001" in [h.code for h in hits]   # 居民身份证换领
    assert "找到" in s.message
    s.press("Q")
    s.press("X")
    assert s.results == [] and "没有找到" in s.message
    s.press(DELETE)
    s.press(DELETE)
    assert s.query == "SFZ" and s.results
    with pytest.raises(ValueError):
        s.press("身")


def test_search_says_when_there_are_more_hits_than_rows(sample_index):
    content, index = sample_index
    s = SearchController(index, limit=8)
    s.press("D")   # 登记, 档案, 单位 … far more than eight
    assert len(s.results) == 8 and s.more
    assert "超过 8 个" in s.message and "再输入字母" in s.message
    s.clear()
    for key in "SFZ":   # 居民身份证换领, 居民身份证补领
        s.press(key)
    assert not s.more and 1 < len(s.results) < 8
    assert s.message == f"找到 {len(s.results)} 个相关事项，请点击查看"


def test_guide_sections_hold_every_element_of_the_guide(sample_index):
    content, _ = sample_index
    g = content.guides["330382-GA-0001"]
    sections = guide_sections(g, content.site)
    titles = [s.title for s in sections]
    for required in ("受理条件", "申请材料", "办理流程", "易错范例", "办理时限", "收费", "到现场次数", "地点和时间", "电话"):
        assert required in titles
    assert set(titles) <= set(SECTION_TITLES)
    text = "\n".join(line for s in sections for line in s.lines)
    for m in g.all_materials():
        assert m.name in text
    for step in g.flow:
        assert step.what in text
    assert g.contacts.consult in text and g.mistakes[0].correct in text
    assert "第 1 步" in text and "原件 1 份" in text
    # without answers, what depends on the reason for 换领 is shown under its case
    assert "〔情形：证件严重损坏不能辨认〕损坏换领工本费 40 元/证" in text
    path = "\n".join(line for s in guide_sections(g, content.site, {"reason": "damaged"}) for line in s.lines)
    assert "损坏换领工本费 40 元/证" in path and "换领工本费 20 元/证" not in path and "〔情形" not in path


def test_guide_sections_leave_out_what_the_guide_does_not_state(sample_index):
    content, _ = sample_index
    g = content.guides["330382-GA-0001"].model_copy(update={"visits": None})
    titles = [s.title for s in guide_sections(g, content.site)]
    assert "到现场次数" not in titles
    assert [k for k, _ in guide_summary(g, content.site)] == ["办理时限", "收费"]


def test_ticket_numbers_run_per_day_and_per_queue(tmp_path):
    store = KioskStore(tmp_path / "kiosk.db")
    issuer = tk.SqliteTicketIssuer(store, window_minutes=30)
    a, b = tk.Queue("A", "户籍办理"), tk.Queue("B", "社会保障")
    day1 = dt.datetime(2026, 11, 22, 9, 0)
    assert issuer.issue(a, day1) == tk.IssuedNumber("A001", 0)
    assert issuer.issue(a, day1 + dt.timedelta(minutes=5)) == tk.IssuedNumber("A002", 1)
    assert issuer.issue(b, day1 + dt.timedelta(minutes=6)).number == "B001"
    # an hour later the early tickets no longer count as waiting
    assert issuer.issue(a, day1 + dt.timedelta(minutes=70)) == tk.IssuedNumber("A003", 0)
    assert issuer.issue(a, dt.datetime(2026, 11, 23, 8, 30)).number == "A001"
    # a second kiosk process on the same database continues the sequence
    again = tk.SqliteTicketIssuer(KioskStore(tmp_path / "kiosk.db"))
    assert again.issue(b, day1 + dt.timedelta(minutes=8)).number == "B002"


def test_ticket_flow_holds_masked_data_only_and_forgets_it(tmp_path):
    issuer = tk.SqliteTicketIssuer(KioskStore(tmp_path / "k.db"))
    flow = tk.TicketFlow(issuer, [tk.Queue("A", "户籍办理")], "测试中心", "0577-61234567")
    flow.start()
    assert flow.state == tk.READING
    with pytest.raises(RuntimeError):
        flow.choose(flow.queues[0])
    flow.card_read(CardHolder("张*", "330382********4210"))
    assert flow.state == tk.CHOOSE
    ticket = flow.choose(flow.queues[0], now=dt.datetime(2026, 11, 22, 10, 5))
    assert ticket.number == "A001"
    assert ("证件号码", "330382********4210") in ticket.lines()
    flow.printed()
    assert flow.state == tk.DONE
    flow.forget_holder()
    assert flow.holder is None and flow.ticket.holder is None
    assert all("330382" not in v for _, v in flow.ticket.lines())
    flow.wipe()
    assert flow.ticket is None and flow.state == tk.NEED_CARD


def test_session_wipe_forgets_everything_and_bumps_generation():
    s = Session()
    s.holder = CardHolder("张*", "330382********4210")
    s.elder = True
    g = s.generation
    s.wipe()
    assert s.holder is None and not s.elder and not s.has_personal_data and s.generation == g + 1


def test_ratings_store_five_levels_without_personal_data(tmp_path):
    store = KioskStore(tmp_path / "k.db")
    ratings = RatingStore(store)
    ratings.add("330382-GA-0001", 5, ["clear"], source="checklist")
    ratings.add("queue:A", 2, ["slow"], source="ticket")
    with pytest.raises(ValueError):
        ratings.add("330382-GA-0001", 6)
    with pytest.raises(ValueError):
        ratings.add("330382-GA-0001", 5, ["slow"])  # a complaint reason under 非常满意
    rows = ratings.all()
    assert [(r.subject, r.level, r.reasons) for r in rows] == [
        ("330382-GA-0001", 5, ("clear",)), ("queue:A", 2, ("slow",))]
    cols = [c[1] for c in store.execute("PRAGMA table_info(ratings)")]
    assert not {"name", "id_number", "holder"} & set(cols)


def test_a_kiosk_database_from_before_comments_gets_the_column_and_keeps_its_ratings(tmp_path):
    import sqlite3
    old = sqlite3.connect(tmp_path / "k.db")
    old.executescript("CREATE TABLE ratings (id INTEGER PRIMARY KEY AUTOINCREMENT, subject TEXT NOT NULL, "
                      "level INTEGER NOT NULL, reasons TEXT NOT NULL DEFAULT '', source TEXT NOT NULL, "
                      "release TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL);"
                      "INSERT INTO ratings (subject, level, source, created_at) VALUES ('queue:A', 5, 'ticket', 'x');")
    old.commit()
    old.close()
    ratings = RatingStore(KioskStore(tmp_path / "k.db"))
    ratings.add("330382-GA-0001", 1, ["slow"], source="guide", comment="等太久")
    assert [(r.subject, r.comment) for r in ratings.all()] == [("queue:A", ""), ("330382-GA-0001", "等太久")]
    with pytest.raises(ValueError, match="手机号码"):
        ratings.add("330382-GA-0001", 1, ["slow"], comment="回电 13812345678")
    with pytest.raises(ValueError, match="不满意的原因"):
        ratings.add("330382-GA-0001", 1, [])
    assert len(ratings.all()) == 2
    assert b"13812345678" not in b"".join(p.read_bytes() for p in tmp_path.glob("k.db*"))


def test_elder_theme_is_bigger_with_high_contrast():
    assert ELDER.scale >= 1.4 * NORMAL.scale
    assert ELDER.target >= 60 and NORMAL.target >= 60
    assert contrast(ELDER.fg, ELDER.bg) >= 7 and contrast(ELDER.accent_fg, ELDER.accent) >= 7
    assert contrast(NORMAL.fg, NORMAL.bg) >= 4.5


def test_config_round_trip_and_plain_errors(tmp_path):
    cfg = KioskConfig(orientation="landscape", idle_seconds=45, maintenance_pin="9876",
                      queues=[tk.Queue("A", "户籍办理"), tk.Queue("B", "社保医保")])
    path = tmp_path / "kiosk.toml"
    write_config(cfg, path)
    back = load_config(path)
    assert back.orientation == "landscape" and back.window_size == (1920, 1080)
    assert back.idle_seconds == 45 and [q.prefix for q in back.queues] == ["A", "B"]
    with pytest.raises(ConfigError, match="不认识的配置项 idle.secs"):
        parse_config({"idle": {"secs": 3}})
    with pytest.raises(ConfigError, match="orientation"):
        parse_config({"screen": {"orientation": "upside"}})
    with pytest.raises(ConfigError, match="pin"):
        parse_config({"maintenance": {"pin": "12"}})
    with pytest.raises(ConfigError, match="类型不对"):
        parse_config({"idle": {"seconds": "60"}})


def test_no_valid_content_is_a_plain_problem_not_a_crash(tmp_path, fixture_content):
    empty = load_kiosk_content(None, tmp_path)
    assert not empty.ok and "还没有同步" in empty.problem
    bad = tmp_path / "bad"
    bad.mkdir()
    broken = load_kiosk_content(bad, tmp_path)
    assert not broken.ok and "检查未通过" in broken.problem
    good = load_kiosk_content(fixture_content, tmp_path)
    assert good.ok and good.fresh and "版本" in good.release.stamp


def test_release_store_content_is_stale_without_a_recent_sync(tmp_path, fixture_content):
    import json
    from guides.release import ReleaseStore
    ReleaseStore(tmp_path).publish(load_content(fixture_content))
    now = dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.timezone.utc)
    assert not load_kiosk_content(None, tmp_path, 48, now=now).fresh
    (tmp_path / "sync-state.json").write_text(json.dumps({"last_ok": "2026-11-22T08:00:00+00:00"}))
    c = load_kiosk_content(None, tmp_path, 48, now=now)
    assert c.ok and c.fresh and c.release.number == 1
    assert not load_kiosk_content(None, tmp_path, 2, now=now).fresh
