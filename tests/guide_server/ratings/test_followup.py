"""The 差评 follow-up as people use it: a citizen's 差评 on the phone opens a case; the hall
manager verifies and rectifies it, calls back and the contact is gone; reviewers decide appeals;
deadlines count working days across 国庆 2026 and its 调休 Saturday; forbidden steps are refused."""
from __future__ import annotations

import datetime as dt
import io
import logging
import re
import zipfile

import pytest
from sqlalchemy import text

from guide_server.accounts.service import Account
from guide_server.ratings.calendar import CalendarError, WorkCalendar, parse_schedule
from guide_server.ratings.cases import CaseError, Forbidden
from tests.guide_server.authutil import add_user, csrf_token, login, make_auth_app
from tests.support.postgres import database_dump

GA = "330382-GA-0001"
SAME_ORIGIN = {"Origin": "http://localhost"}
PHONE = "13812345678"
CHINA = dt.timezone(dt.timedelta(hours=8))


def china(y, m, d, h=10):
    return dt.datetime(y, m, d, h, tzinfo=CHINA)


@pytest.fixture
def app(instance, db_url):
    """The app on SQLite and on PostgreSQL (db_url: tests/guide_server/ratings/conftest.py)."""
    app = make_auth_app(instance, DATABASE_URL=db_url)
    for name, role in (("mia", "manager"), ("max", "manager"), ("rita", "reviewer"), ("ed", "editor"),
                       ("ada", "admin")):
        add_user(app, name, role)
    return app


def acct(name, role):
    return Account(1, name, role, True, 1)


def bad_rating(client, contact=PHONE, addr="203.0.113.9"):
    data = {"level": "1", "reason": ["mismatch", "repeat"], "comment": "窗口要的材料和指南上写的不一样", "contact": contact}
    resp = client.post(f"/g/{GA}/rate", data=data, headers=SAME_ORIGIN, environ_base={"REMOTE_ADDR": addr})
    assert resp.status_code == 303, resp.get_data(as_text=True)
    return resp


def step(client, case_id, action, note=""):
    token = csrf_token(client, f"/admin/cases/{case_id}")
    return client.post(f"/admin/cases/{case_id}", data={"csrf_token": token, "action": action, "note": note})


# -- working days ---------------------------------------------------------------------------------
def test_deadlines_count_working_days_across_guoqing_2026_and_its_tiaoxiu_saturday():
    cal = WorkCalendar.load()
    assert not cal.is_working_day(dt.date(2026, 10, 1)) and not cal.is_working_day(dt.date(2026, 10, 7))
    assert cal.is_working_day(dt.date(2026, 10, 10))            # 调休 Saturday
    assert cal.is_working_day(dt.date(2026, 9, 20))             # 调休 Sunday before 国庆
    assert not cal.is_working_day(dt.date(2026, 10, 11))        # an ordinary Sunday
    # 核实 1 working day from Wednesday 30 September: the holiday week is skipped
    assert cal.add_working_days(dt.date(2026, 9, 30), 1) == dt.date(2026, 10, 8)
    # 整改 15 working days: 10-08, 10-09, 10-10 (Saturday worked), then 12 more
    assert cal.add_working_days(dt.date(2026, 9, 30), 15) == dt.date(2026, 10, 27)
    # without the 调休 day it would be one day later: the data file matters
    plain = WorkCalendar({})
    assert plain.add_working_days(dt.date(2026, 9, 30), 15) == dt.date(2026, 10, 21)
    assert cal.missing_years(2026, 2027) == [2027]


def test_a_case_opened_before_guoqing_is_due_after_it_and_is_flagged_overdue_after_that(app):
    svc = app.extensions["cases"]
    ratings = app.extensions["ratings"]
    from guide_server.ratings.service import parse
    ratings.add(GA, 1, parse("2", ["slow"], ""), "c", now=china(2026, 9, 30, 16), hall="测试市民中心")
    [case] = svc.list(now=china(2026, 10, 8, 17))
    assert case.verify_due == dt.date(2026, 10, 8) and case.overdue_step is None     # due today
    assert svc.list(now=china(2026, 10, 9, 9))[0].overdue_step == "核实"              # a day later
    case = svc.act(acct("mia", "manager"), case.id, "verify", "", now=china(2026, 10, 9, 9))
    assert case.rectify_due == dt.date(2026, 10, 29)   # 15 working days after Friday 10-09: Saturday 10-10 is the first
    assert case.callback_due is None                   # anonymous: nobody to call back


def test_holiday_files_are_checked_with_file_and_line(tmp_path):
    bad = "year: 2027\nsource: 通知\nholidays:\n  - {name: 元旦, from: 2027-01-01, to: 2027-01-03}\n" \
          "workdays:\n  - {date: 2027-01-05, for: 元旦}\n"
    with pytest.raises(CalendarError, match=r"2027\.yaml:6: 2027-01-05 是周一至周五"):
        parse_schedule(bad, "2027.yaml")
    with pytest.raises(CalendarError, match=r"x\.yaml:4: .*不在 2027 年内"):
        parse_schedule("year: 2027\nsource: s\nholidays:\n  - {name: 元旦, from: 2026-12-31, to: 2027-01-01}\n",
                       "x.yaml")
    with pytest.raises(CalendarError, match=r"y\.yaml:3: 不认识的项“holiday”"):
        parse_schedule("year: 2027\nsource: s\nholiday: []\n", "y.yaml")
    with pytest.raises(CalendarError, match=r"z\.yaml:3: .*不允许使用锚点（&h）"):
        parse_schedule("year: 2027\nsource: s\nholidays: &h [*h]\n", "z.yaml")


def test_holiday_files_behind_a_symlink_are_not_read(tmp_path):
    from guide_server.ratings.calendar import install

    secret = tmp_path / "secret.txt"
    secret.write_text("year: 2027\nsource: s\nholidays: []\nworkdays: []\n", encoding="utf-8")
    folder = tmp_path / "inst" / "holidays"
    folder.mkdir(parents=True)
    (folder / "2027.yaml").symlink_to(secret)
    with pytest.raises(CalendarError, match="符号链接"):
        WorkCalendar.load(tmp_path / "inst")
    with pytest.raises(CalendarError, match="符号链接"):
        install(tmp_path / "other", folder / "2027.yaml")


def test_loading_a_new_year_by_command_changes_deadlines_of_a_running_app(app, instance, tmp_path):
    from click.testing import CliRunner

    from guide_server.cli import main
    svc = app.extensions["cases"]
    assert svc.calendar.is_working_day(dt.date(2027, 1, 1))          # no 2027 file: a plain Friday
    f = tmp_path / "2027.yaml"
    f.write_text("year: 2027\nsource: 测试用安排\nholidays:\n  - {name: 元旦, from: 2027-01-01, to: 2027-01-03}\n"
                 "workdays: []\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["ratings", "holidays", "load", str(f), "--instance", str(instance)])
    assert res.exit_code == 0, res.output
    assert "已载入 2027 年" in res.output
    assert not svc.calendar.is_working_day(dt.date(2027, 1, 1))
    broken = tmp_path / "broken.yaml"
    broken.write_text("year: 2028\nsource: s\nholidays: [{name: x, from: 2028-02-30, to: 2028-03-01}]\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["ratings", "holidays", "load", str(broken), "--instance", str(instance)])
    assert res.exit_code == 1 and "broken.yaml:3" in res.output and "Traceback" not in res.output
    assert not (instance / "holidays" / "2028.yaml").exists()


# -- the whole loop, over HTTP ------------------------------------------------------------------------
def export_bytes(client, key: str, fmt: str) -> bytes:
    """A dashboard download as searchable bytes (an XLSX is a zip of XML parts: unpacked)."""
    resp = client.get(f"/admin/stats/{key}.{fmt}")
    assert resp.status_code == 200
    if fmt != "xlsx":
        return resp.data
    with zipfile.ZipFile(io.BytesIO(resp.data)) as z:
        body = b"".join(z.read(n) for n in z.namelist())
    assert b"<sheetData" in body
    return body


def assert_phone_nowhere(app, instance, client, caplog, capfd):
    """After a 实名差评's case closed: no full contact number (nor its masked form) in the database
    (SQLite file and WAL, or pg_dump), the audit log, any dashboard export, the log records
    and the process output of the whole flow, or any file in the instance folder."""
    from guide_server.privacy import digits_of
    from guide_server.ratings.stats import Period

    stats = app.extensions["stats"]
    keys = [t.key for t in stats.dashboard(Period("2020-01", "2030-12"))]
    assert len(keys) == 10 and "cases" in keys
    for key in keys:
        for fmt in ("csv", "xlsx"):
            body = export_bytes(client, key, fmt)
            assert PHONE.encode() not in body and b"5678" not in body
    with app.extensions["ratings"].db.engine.connect() as conn:
        audit = [" ".join(str(v) for v in r) for r in conn.execute(text("SELECT * FROM audit_log"))]
        contacts = conn.execute(text("SELECT count(*) FROM rating_contacts")).scalar_one()
    assert audit and contacts == 0
    assert not [a for a in audit if PHONE in digits_of(a) or "138****5678" in a]
    db_bytes = database_dump(app.config["DATABASE_URL"])   # the SQLite file and its WAL, or a pg_dump
    assert PHONE.encode() not in db_bytes and PHONE.encode("utf-16-le") not in db_bytes
    assert b"138****5678" not in db_bytes                    # the masked form went with it
    out, err = capfd.readouterr()
    assert PHONE not in caplog.text and PHONE not in out + err and "138****5678" not in caplog.text
    assert not [p for p in instance.rglob("*") if p.is_file() and PHONE.encode() in p.read_bytes()]


def test_phone_chaping_case_verify_rectify_callback_publish_and_contact_gone(app, instance, caplog, capfd):
    caplog.set_level(logging.DEBUG)
    citizen = app.test_client()
    assert bad_rating(citizen).status_code == 303
    mia = app.test_client()
    login(mia, "mia")
    listing = mia.get("/admin/cases").get_data(as_text=True)
    assert "138****5678" in listing and PHONE not in listing and "待核实" in listing
    case_id = int(re.search(r'href="/admin/cases/(\d+)"', listing).group(1))
    page = mia.get(f"/admin/cases/{case_id}").get_data(as_text=True)
    assert "指南与实际要求不一致" in page and "需要多次跑腿" in page and PHONE not in page
    # a note holding the citizen's number is refused, in any writing
    resp = step(mia, case_id, "verify", "已电话联系 138-1234-5678 核实")
    assert resp.status_code == 400 and "不能写群众的联系电话" in resp.get_data(as_text=True)
    assert step(mia, case_id, "verify", "调阅窗口记录，情况属实").status_code == 303
    # the editor fixes the guide and closes the 整改 step with what was done (published later)
    ed = app.test_client()
    login(ed, "ed")
    assert step(ed, case_id, "callback", "x").status_code == 403       # an editor cannot call back
    assert step(ed, case_id, "rectified", "已更正办事指南中的材料清单，并对窗口人员进行培训").status_code == 303
    # the manager looks up the number to call back (audited), then records the call back
    token = csrf_token(mia, f"/admin/cases/{case_id}")
    shown = mia.post(f"/admin/cases/{case_id}/contact", data={"csrf_token": token}).get_data(as_text=True)
    assert PHONE in shown
    assert step(mia, case_id, "callback", "群众对整改结果表示满意").status_code == 303
    page = mia.get(f"/admin/cases/{case_id}").get_data(as_text=True)
    assert "已回访" in page and "138****5678" not in page and "已删除" in page
    # published, with what was done and nothing personal
    pub = citizen.get("/pingjia").get_data(as_text=True)
    assert "已更正办事指南中的材料清单" in pub and "测试市公安局户政科" in pub
    assert "窗口要的材料" not in pub and "5678" not in pub
    # every transition is in the audit log, in order, by whom
    hist = app.extensions["cases"].history(case_id)
    assert [h.action for h in hist] == ["case_opened", "case_verify", "case_rectified", "case_reveal", "case_callback"]
    assert [h.user_name for h in hist][1:] == ["mia", "ed", "mia", "mia"]
    # the daily digest runs over the closed case too (it logs and writes a file)
    from click.testing import CliRunner
    from guide_server.cli import main
    res = CliRunner().invoke(main, ["ratings", "digest", "--instance", str(instance)],
                             env={"DATABASE_URL": app.config["DATABASE_URL"]})
    assert res.exit_code == 0, res.output
    assert PHONE not in res.output
    # no full number anywhere: database files (incl. WAL), audit log, logs, exports
    assert_phone_nowhere(app, instance, mia, caplog, capfd)


def test_a_revoked_chaping_leaves_no_contact_anywhere(app, instance, caplog, capfd):
    """The other way a 实名差评's case closes: an appeal the reviewer grants (撤销)."""
    caplog.set_level(logging.DEBUG)
    bad_rating(app.test_client())
    svc = app.extensions["cases"]
    case_id = svc.list()[0].id
    mia, rita = app.test_client(), app.test_client()
    login(mia, "mia"), login(rita, "rita")
    token = csrf_token(mia, f"/admin/cases/{case_id}")
    assert PHONE in mia.post(f"/admin/cases/{case_id}/contact", data={"csrf_token": token}).get_data(as_text=True)
    for fmt in ("csv", "xlsx"):   # while the case is open, the export holds the case but not the contact
        body = export_bytes(mia, "cases", fmt)
        assert "待核实".encode() in body and b"5678" not in body
    assert step(mia, case_id, "appeal", "评价人当天未到大厅办理此事项").status_code == 303
    assert step(rita, case_id, "revoke", "经核查监控，评价人未办理此事项").status_code == 303
    assert svc.get(case_id).closed
    assert_phone_nowhere(app, instance, mia, caplog, capfd)


def test_contact_is_stored_encrypted_and_apart_from_the_rating(app, instance):
    assert bad_rating(app.test_client()).status_code == 303
    db = app.extensions["ratings"].db
    with db.engine.connect() as conn:
        rating_cols = set(conn.execute(text("SELECT * FROM ratings")).keys())
        [(masked, sealed)] = conn.execute(text("SELECT masked, sealed FROM rating_contacts")).all()
    assert not {"contact", "phone"} & rating_cols
    assert masked == "138****5678" and PHONE not in sealed
    assert PHONE.encode() not in database_dump(app.config["DATABASE_URL"])
    assert (instance / "contact_key").stat().st_mode & 0o077 == 0


def test_appeal_goes_to_a_reviewer_who_did_not_file_it_and_a_revoked_chaping_stops_counting(app):
    svc = app.extensions["cases"]
    citizen = app.test_client()
    bad_rating(citizen)
    case_id = svc.list()[0].id
    mia, rita, ada = (app.test_client() for _ in range(3))
    login(mia, "mia"), login(rita, "rita"), login(ada, "ada")
    assert step(rita, case_id, "appeal", "恶意差评").status_code == 403          # only the hall files appeals
    assert step(mia, case_id, "appeal", "").status_code == 400                 # a reason is required
    assert step(mia, case_id, "appeal", "评价人当天未到大厅办理此事项").status_code == 303
    assert step(mia, case_id, "revoke", "x").status_code == 403                # a manager does not decide
    assert svc.get(case_id).state == "appeal"
    summary = app.extensions["ratings"].summary(GA)
    assert summary.total == 1
    assert step(rita, case_id, "revoke", "经核查监控，评价人未办理此事项").status_code == 303
    case = svc.get(case_id)
    assert case.state == "revoked" and case.closed and case.contact_masked is None
    assert app.extensions["ratings"].summary(GA).total == 0                    # no longer counted
    stats = app.extensions["stats"]
    from guide_server.ratings.stats import Period
    assert stats.satisfaction("guide", Period("2020-01", "2030-12")).rows == [] or \
        all(r[2] == 0 for r in stats.satisfaction("guide", Period("2020-01", "2030-12")).rows)
    # an admin may not decide an appeal they filed either
    bad_rating(citizen, contact="", addr="203.0.113.10")   # another person (the same words twice are one rating)
    other = svc.list()[0].id
    assert step(ada, other, "appeal", "重复评价").status_code == 303
    resp = step(ada, other, "uphold", "维持")
    assert resp.status_code == 403 and "不能复核自己提出的申诉" in resp.get_data(as_text=True)
    assert step(rita, other, "uphold", "证据不足，维持差评").status_code == 303
    assert svc.get(other).state == "rectify" and svc.get(other).rectify_due is not None


@pytest.mark.parametrize("role, allowed", [
    ("manager", {"verify", "rectified", "callback", "appeal"}),
    ("editor", {"rectified"}),
    ("reviewer", {"uphold", "revoke"}),
    ("admin", {"verify", "rectified", "callback", "appeal", "uphold", "revoke"}),
])
def test_who_may_take_which_step(app, role, allowed):
    from guide_server.ratings.cases import ACTIONS
    svc = app.extensions["cases"]
    for action in ACTIONS:
        user = acct("someone", role)
        bad_rating(app.test_client(), addr=f"198.51.100.{list(ACTIONS).index(action)}")
        case_id = svc.list()[0].id
        start = ACTIONS[action][1][0]
        # bring the case to the state the action starts from, as the right people would
        path = {"verify": [], "rectify": ["verify"], "rectified": ["verify", "rectified"],
                "appeal": ["appeal"]}[start]
        for a in path:
            svc.act(acct("mia", "manager") if a != "rectified" else acct("ed", "editor"), case_id, a, "说明")
        try:
            svc.act(user, case_id, action, "说明")
            took = True
        except Forbidden:
            took = False
        assert took == (action in allowed), (role, action)


def test_steps_out_of_order_are_refused_in_words(app):
    svc = app.extensions["cases"]
    bad_rating(app.test_client(), contact="")
    case_id = svc.list()[0].id
    with pytest.raises(CaseError, match="现在是“待核实”，不能“已回访”"):
        svc.act(acct("mia", "manager"), case_id, "callback", "已回访")
    svc.act(acct("mia", "manager"), case_id, "verify")
    with pytest.raises(CaseError, match="请填写整改了什么"):
        svc.act(acct("mia", "manager"), case_id, "rectified", "  ")
    case = svc.act(acct("mia", "manager"), case_id, "rectified", "窗口增设引导员")
    assert case.state == "rectified" and case.closed          # anonymous: 已整改 closes it
    with pytest.raises(CaseError):
        svc.act(acct("mia", "manager"), case_id, "callback", "x")
    with pytest.raises(CaseError, match="身份证号码"):
        from guide_server.ratings.cases import check_note
        check_note("申请人 330382199001024210 已联系")


def test_deadline_settings_are_admin_only_and_in_range(app):
    svc = app.extensions["cases"]
    with pytest.raises(Forbidden):
        svc.set_deadlines(acct("mia", "manager"), "", 1, 10, 2)
    with pytest.raises(CaseError, match="整改时限应为 5～15"):
        svc.set_deadlines(acct("ada", "admin"), "测试市民中心", 1, 20, 2)
    svc.set_deadlines(acct("ada", "admin"), "测试市民中心", 2, 5, 3)
    from guide_server.ratings.service import parse
    app.extensions["ratings"].add(GA, 1, parse("1", ["slow"], ""), "c", now=china(2026, 9, 30), hall="测试市民中心")
    case = svc.list()[0]
    assert case.verify_due == dt.date(2026, 10, 9)         # 2 working days after 9-30
    ada = app.test_client()
    login(ada, "ada")
    page = ada.get("/admin/cases/settings").get_data(as_text=True)
    assert "测试市民中心" in page and "2026 年：放假 33 天，调休上班 6 天" in page
    mia = app.test_client()
    login(mia, "mia")
    assert mia.get("/admin/cases/settings").status_code == 403


# -- citizen input -------------------------------------------------------------------------------------
@pytest.mark.parametrize("form, field, message", [
    ({"level": "1", "reason": []}, "reasons", "请至少选择一项不满意的原因"),
    ({"level": "5", "reason": ["slow"]}, "reasons", "勾选了不满意的原因"),
    ({"level": "1", "reason": ["slow"], "comment": "请联系我妻子 139 1234 5678"}, "comment", "请删去意见建议中的手机号码（第 8–20 个字）"),
    ({"level": "1", "reason": ["slow"], "comment": "身份证３３０３８２１９９００１０２４２１０"}, "comment", "身份证号码"),
    ({"level": "1", "reason": ["slow"], "contact": "330382199001024210"}, "contact", "不要填写身份证号码"),
    ({"level": "1", "reason": ["slow"], "contact": "13812345678 或 13912345678"}, "contact", "请只填一个电话号码"),
    ({"level": "1", "reason": ["slow"], "contact": "张先生 13812345678"}, "contact", "请只填一个电话号码"),
    ({"level": "5", "contact": "13812345678"}, "contact", "只用于差评的整改回访"),
])
def test_bad_rating_input_is_refused_with_a_message_and_nothing_stored(app, form, field, message):
    resp = app.test_client().post(f"/g/{GA}/rate", data=form, headers=SAME_ORIGIN)
    assert resp.status_code == 400 and message in resp.get_data(as_text=True)
    assert app.extensions["cases"].list(state="all") == []
    assert app.extensions["ratings"].summary(GA).total == 0


def test_a_comment_may_quote_the_numbers_the_guide_publishes(app):
    resp = app.test_client().post(f"/g/{GA}/rate", headers=SAME_ORIGIN, data={
        "level": "2", "reason": ["slow"], "comment": "打 0577-61234567 咨询电话没人接", "contact": "0577 6123 4999"})
    assert resp.status_code == 303
    assert app.extensions["cases"].list()[0].contact_masked == "0577****4999"


# -- channels, scans and kiosk events ----------------------------------------------------------------------
def test_poster_qr_source_tag_is_counted_then_the_stable_url_and_the_rating_channel(app):
    c = app.test_client()
    resp = c.get(f"/g/{GA}?src=hall-2f-east")
    assert resp.status_code == 302 and resp.headers["Location"] == f"/g/{GA}"
    assert c.get(f"/g/{GA}?src=window-05&case=renew").headers["Location"] == f"/g/{GA}?case=renew"
    assert c.get(f"/g/{GA}?src=<script>").headers["Location"] == f"/g/{GA}"   # a bad tag: not counted
    c.get(f"/g/{GA}?src=hall-2f-east")
    assert c.post(f"/g/{GA}/rate", data={"level": "5"}, headers=SAME_ORIGIN).status_code == 303
    app.extensions["usage"].flush()
    from guide_server.ratings.stats import Period
    stats = app.extensions["stats"]
    scans = stats.scans_by_source(Period("2020-01", "2030-12")).rows
    assert sorted(scans) == [["hall-2f-east", "海报二维码", 2], ["window-05", "窗口二维码", 1]]
    by_channel = {r[0]: r[2] for r in stats.satisfaction("channel", Period("2020-01", "2030-12")).rows}
    assert by_channel == {"poster": 1}


def test_a_hall_posters_source_tag_is_counted_under_the_hall_then_its_stable_url(tmp_path, valid_content, db_url):
    """A hall's poster QR (/h/<hall>/g/<code>?src=<tag>) counts like /g/<code>?src=: by tag and
    under that hall, and the phone lands on the hall's stable URL without the tag."""
    from guides.loader import load_content
    from guides.release import ReleaseStore
    from guide_server.ratings.stats import Period
    from tests.support.halls import add_second_hall

    add_second_hall(valid_content)
    inst = tmp_path / "halls-instance"
    ReleaseStore(inst).publish(load_content(valid_content))
    app = make_auth_app(inst, DATABASE_URL=db_url)
    c = app.test_client()
    resp = c.get(f"/h/liushi/g/{GA}?src=liushi-1f")
    assert resp.status_code == 302 and resp.headers["Location"] == f"/h/liushi/g/{GA}"
    assert "via=poster" in resp.headers["Set-Cookie"] and "Path=/g/" in resp.headers["Set-Cookie"]
    assert c.get(f"/h/liushi/g/{GA}?src=window-3&case=renew").headers["Location"] == f"/h/liushi/g/{GA}?case=renew"
    assert c.get(f"/h/liushi/g/{GA}?src=<b>").headers["Location"] == f"/h/liushi/g/{GA}"   # bad tag: not counted
    assert c.get(f"/h/nowhere/g/{GA}?src=liushi-1f").status_code == 404
    assert c.get(f"/h/liushi/g/330382-SC-0001?src=liushi-1f").status_code == 404    # not offered there
    assert c.get(f"/h/liushi/g/{GA}").status_code == 200
    c.get(f"/g/{GA}?src=hall-2f")
    app.extensions["usage"].flush()
    stats, period = app.extensions["stats"], Period("2020-01", "2030-12")
    assert sorted(stats.scans_by_source(period, "柳市镇便民服务中心").rows) == [
        ["liushi-1f", "海报二维码", 1], ["window-3", "窗口二维码", 1]]
    assert stats.scans_by_source(period, "测试市民中心").rows == [["hall-2f", "海报二维码", 1]]
    views = stats.usage_by_guide("view", period, "柳市镇便民服务中心").rows
    assert [r[-1] for r in views] == [1]                       # the page the scans land on, not the redirects
    # a 差评 given on the hall's page counts under that hall, with the poster's channel, and may
    # quote the hall's own published phone
    c.get(f"/h/liushi/g/{GA}?src=liushi-1f")
    page = c.get(f"/h/liushi/g/{GA}").get_data(as_text=True)
    assert '<input type="hidden" name="hall" value="liushi">' in page
    resp = c.post(f"/g/{GA}/rate", headers=SAME_ORIGIN, data={
        "hall": "liushi", "level": "2", "reason": ["slow"], "comment": "0577-61111112 一直占线"})
    assert resp.status_code == 303, resp.get_data(as_text=True)
    [case] = app.extensions["cases"].list()
    assert (case.hall, case.channel, case.comment) == ("柳市镇便民服务中心", "poster", "0577-61111112 一直占线")
    # a hall that does not offer the guide (or does not exist) does not move the rating
    c.post(f"/g/{GA}/rate", headers=SAME_ORIGIN, data={"hall": "nowhere", "level": "5"})
    halls = {r[0] for r in stats.satisfaction("channel", period, "测试市民中心").rows}
    assert halls == {"poster"}


def test_a_rating_of_a_halls_own_guide_counts_under_that_hall_even_without_the_form_field(
        tmp_path, valid_content, db_url):
    """A form posted without the page's hidden hall field (a saved page, a script): a guide only
    one hall offers is that hall's; a shared guide stays with the default hall."""
    from guides.loader import load_content
    from guides.release import ReleaseStore
    from tests.support.halls import add_second_hall

    add_second_hall(valid_content, own_guide=True)
    inst = tmp_path / "halls-instance"
    ReleaseStore(inst).publish(load_content(valid_content))
    app = make_auth_app(inst, DATABASE_URL=db_url)
    c = app.test_client()
    for code in ("330382-SC-0901", GA):
        resp = c.post(f"/g/{code}/rate", headers=SAME_ORIGIN, data={"level": "2", "reason": ["slow"]})
        assert resp.status_code == 303, resp.get_data(as_text=True)
    halls = {case.guide_code: case.hall for case in app.extensions["cases"].list()}
    assert halls == {"330382-SC-0901": "柳市镇便民服务中心", GA: "测试市民中心"}


def test_kiosk_events_count_in_the_same_figures(app):
    fleet = app.extensions["fleet"]
    code, _ = fleet.enroll("测试市民中心", "k1")
    _kiosk, token = fleet.redeem(code)
    c = app.test_client()
    auth = {"Authorization": f"Bearer {token}"}
    at = "2026-10-12T09:15:00+08:00"
    events = [
        {"key": "r" * 32, "kind": "rating", "at": at, "data": {"subject": GA, "level": 2, "reasons": ["slow"],
                                                               "comment": "排队太久", "source": "checklist",
                                                               "release": "R1"}},
        {"key": "q" * 32, "kind": "rating", "at": at, "data": {"subject": "queue:A", "level": 5, "reasons": [],
                                                               "source": "ticket", "release": "R1"}},
        {"key": "p" * 32, "kind": "print", "at": at, "data": {"what": "checklist", "code": GA, "ok": True}},
        {"key": "t" * 32, "kind": "ticket", "at": at, "data": {"queue": "A", "number": "A001", "day": "2026-10-12",
                                                               "source": "server"}},
        {"key": "s" * 32, "kind": "search_nohit", "at": at, "data": {"query": "WSBZ", "input": "pinyin",
                                                                     "release": "R1"}},
    ]
    # through the device API, as the kiosk's outbox sends them
    first = c.post("/api/v1/device/events", json={"events": events}, headers=auth)
    assert first.status_code == 200 and first.get_json()["stored"] == 5, first.get_json()
    again = c.post("/api/v1/device/events", json={"events": events}, headers=auth)
    assert again.get_json()["duplicates"] == 5                      # a replay counts nothing twice
    # a comment with a phone number never gets past the kiosk; should one arrive, it is not kept
    phone = [{"key": "x" * 32, "kind": "rating", "at": at,
              "data": {"subject": GA, "level": 1, "reasons": ["slow"], "comment": "打我电话 138 1234 5678",
                       "source": "guide", "release": "R1"}}]
    refused = c.post("/api/v1/device/events", json={"events": phone}, headers=auth).get_json()
    assert refused["stored"] == 0 and "电话或证件号码" in refused["rejected"][0]["reason"]
    assert PHONE.encode() not in database_dump(app.config["DATABASE_URL"])
    c.get("/search?q=" + "无此事项")
    c.get("/search?q=" + "身份证 330382199001024210")                # never recorded
    app.extensions["usage"].flush()
    from guide_server.ratings.stats import Period
    stats, p = app.extensions["stats"], Period("2026-01", "2030-12")
    [case] = app.extensions["cases"].list()
    assert case.channel == "kiosk" and case.hall == "测试市民中心" and case.department == "测试市公安局户政科"
    assert case.reasons == ("slow",) and case.comment == "排队太久"        # what the kiosk screen asked
    assert not case.named
    channels = {r[0]: (r[2], r[4]) for r in stats.satisfaction("channel", p).rows}
    assert channels == {"kiosk": (2, 1)}
    assert stats.usage_by_guide("print", p).rows == [[GA, GA, 1]]
    tickets = stats.tickets_by_hour(p)
    assert tickets.columns == ["时段", "A 队列"] and ["09:00", 1] in tickets.rows
    misses = stats.no_hit_searches(p).rows
    assert sorted(misses) == [["WSBZ", "自助终端", 1], ["无此事项", "手机页面", 1]]


def test_phone_page_views_are_counted_without_anything_about_the_visitor(app):
    c = app.test_client()
    for _ in range(3):
        c.get(f"/g/{GA}", environ_base={"REMOTE_ADDR": "192.0.2.77"})
    c.get("/g/330382-XX-9999")
    app.extensions["usage"].flush()
    with app.extensions["ratings"].db.engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(text("SELECT kind, channel, subject, n FROM usage_counts"))]
    assert rows == [("view", "phone", GA, 3)]
    assert b"192.0.2.77" not in database_dump(app.config["DATABASE_URL"])


# -- daily digest ---------------------------------------------------------------------------------------
def test_digest_lists_overdue_cases_in_a_file_and_a_log_line(app, instance, caplog):
    from click.testing import CliRunner

    from guide_server.cli import main
    from guide_server.ratings.service import parse
    app.extensions["ratings"].add(GA, 1, parse("1", ["slow"], "", "13812345678"), "c", now=china(2026, 9, 30),
                                  hall="测试市民中心")
    caplog.set_level(logging.INFO, logger="guide_server.ratings")
    res = CliRunner().invoke(main, ["ratings", "digest", "--instance", str(instance)],
                             env={"DATABASE_URL": app.config["DATABASE_URL"]})
    assert res.exit_code == 0, res.output
    assert "逾期 1 件（核实 1）" in res.output
    [digest] = (instance / "digests").glob("差评日报-*.txt")
    text = digest.read_text(encoding="utf-8")
    assert "核实期限 2026-10-08" in text and PHONE not in text and "5678" not in text
    assert any("逾期 1 件" in r.getMessage() for r in caplog.records)
    # the contact outlives neither the case nor its retention period
    from guide_server.ratings.contacts import RETENTION_DAYS
    svc = app.extensions["cases"]
    assert svc.list()[0].contact_masked == "138****5678"                   # the case is open, 61 days old
    assert svc.purge_contacts(now=china(2026, 9, 30) + dt.timedelta(days=RETENTION_DAYS + 1)) == 1
    assert svc.list()[0].contact_masked is None


def test_posters_with_a_source_tag_carry_it_in_the_qr_only(app, instance, tmp_path):
    """The QR of a tagged poster decodes to …/g/<code>?src=<tag>; the printed URL stays the stable one."""
    import pypdfium2 as pdfium
    import zxingcpp
    from click.testing import CliRunner

    from guide_server.cli import main
    out = tmp_path / "posters"
    res = CliRunner().invoke(main, ["posters", "--src", "hall-2f", "--out", str(out), "--instance", str(instance), GA])
    assert res.exit_code == 0, res.output
    page = pdfium.PdfDocument(str(out / f"{GA}.pdf"))[0]
    image = page.render(scale=3).to_pil()
    [code] = zxingcpp.read_barcodes(image)
    assert code.text.endswith(f"/g/{GA}?src=hall-2f")
    assert f"/g/{GA}?src" not in page.get_textpage().get_text_range()
    bad = CliRunner().invoke(main, ["posters", "--src", "大厅", "--out", str(out), "--instance", str(instance), GA])
    assert bad.exit_code == 1 and "来源标记" in bad.output


def test_upgrading_a_database_with_ratings_counts_them_in_the_figures(tmp_path):
    """Ratings stored before the follow-up existed (channel "web") become phone ratings and count."""
    from guide_server.db import Database, upgrade
    from guide_server.ratings.cases import CaseService
    from guide_server.ratings.stats import Period, StatsService

    db = Database(f"sqlite:///{tmp_path / 'old.sqlite3'}", auto_migrate=False)
    upgrade(db.engine, "0004")
    with db.engine.begin() as conn:
        for level, created in ((5, "2026-10-31 17:00:00"), (1, "2026-10-31 16:30:00")):  # 11-01 01:00 / 00:30 in Beijing
            conn.execute(text("INSERT INTO ratings (guide_code, release_number, level, reasons, comment, channel, client, "
                              "created) VALUES (:g, 1, :l, '', NULL, 'web', 'x', :c)"), {"g": GA, "l": level, "c": created})
    upgrade(db.engine)
    stats = StatsService(db, CaseService(db, tmp_path))
    assert stats.satisfaction("channel", Period("2026-11", "2026-11")).rows == [["phone", "手机页面", 2, 1, 1, 50.0]]
    assert stats.levels_over_time(Period("2026-10", "2026-10")).rows[0][6] == 0     # Beijing time: November


def test_an_admin_loads_a_year_of_holidays_on_the_settings_page(app, instance):
    import io
    ada = app.test_client()
    login(ada, "ada")
    token = csrf_token(ada, "/admin/cases/settings")
    bad = ada.post("/admin/cases/holidays", content_type="multipart/form-data", data={
        "csrf_token": token, "file": (io.BytesIO("year: 2027\nsource: s\nholidays: [{name: 元旦}]\n".encode()), "2027.yaml")})
    assert bad.status_code == 400 and "2027.yaml:3" in bad.get_data(as_text=True)
    good = ada.post("/admin/cases/holidays", content_type="multipart/form-data", data={
        "csrf_token": token, "file": (io.BytesIO(
            "year: 2027\nsource: 测试通知\nholidays:\n  - {name: 元旦, from: 2027-01-01, to: 2027-01-03}\n".encode()),
            "2027.yaml")})
    assert good.status_code == 200 and "已载入 2027 年节假日安排（放假 3 天" in good.get_data(as_text=True)
    assert not app.extensions["cases"].calendar.is_working_day(dt.date(2027, 1, 1))
    mia = app.test_client()
    login(mia, "mia")
    assert mia.post("/admin/cases/holidays", data={"csrf_token": csrf_token(mia, "/admin/cases")}).status_code == 403
