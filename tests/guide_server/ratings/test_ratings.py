"""好差评: form, CSRF token or same-origin check, validation, rate limit, escaping, aggregates, storage."""
from __future__ import annotations

import re
import sqlite3

import pytest
from sqlalchemy import text

from guide_server.db import Database, current_revision
from tests.support.postgres import database_dump

GA = "330382-GA-0001"
SAME_ORIGIN = {"Origin": "http://localhost"}


def rate(client, code=GA, headers=SAME_ORIGIN, environ_base=None, **form):
    data = {"level": "5", **form}
    return client.post(f"/g/{code}/rate", data=data, headers=headers, environ_base=environ_base or {})


def db_rows(app):
    db = app.extensions["ratings"].db
    db.ready()  # the table exists even when nothing was stored
    with db.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(text("SELECT * FROM ratings ORDER BY id"))]


def test_rating_from_the_guide_page_is_stored_and_thanked(client, app):
    resp = rate(client, level="4", reason=["clear", "once"], comment="窗口人员讲解很清楚")
    assert resp.status_code == 303 and resp.headers["Location"].endswith(f"/g/{GA}/rated")
    thanks = client.get(resp.headers["Location"])
    text = thanks.get_data(as_text=True)
    assert thanks.status_code == 200 and "感谢您的评价" in text and "共 1 条评价" in text and "100.0%" in text
    [row] = db_rows(app)
    assert row["guide_code"] == GA and row["level"] == 4 and row["reasons"] == "clear,once"
    assert row["comment"] == "窗口人员讲解很清楚" and row["release_number"] == 1 and row["channel"] == "phone"


def test_database_holds_no_ip_address(client, app):
    client.post(f"/g/{GA}/rate", data={"level": "5"}, headers=SAME_ORIGIN,
                environ_base={"REMOTE_ADDR": "203.0.113.77"})
    [row] = db_rows(app)
    flat = " ".join(str(v) for v in row.values())
    assert "203.0.113" not in flat
    assert re.fullmatch(r"[0-9a-f]{20}", row["client"])
    raw = database_dump(app.config["DATABASE_URL"])  # the SQLite file and its WAL, or a pg_dump
    assert GA.encode() in raw and b"203.0.113" not in raw


def test_post_without_token_from_another_site_is_refused(client, app):
    for headers in ({"Origin": "https://evil.example"}, {"Origin": "null"}, {},
                    {"Referer": "https://evil.example/page"}, {"Sec-Fetch-Site": "cross-site"}):
        resp = rate(client, headers=headers)
        assert resp.status_code == 403, headers
        assert "无法确认" in resp.get_data(as_text=True)
    assert db_rows(app) == []


def test_post_from_the_public_base_url_origin_is_accepted(client):
    # the exported page is served by nginx/CDN under the site's public URL
    assert rate(client, headers={"Origin": "https://bs.example.gov.cn"}).status_code == 303


def test_dynamic_form_carries_a_csrf_token_that_is_checked(client, app):
    form = client.get(f"/g/{GA}/rate")
    assert form.status_code == 200
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.get_data(as_text=True)).group(1)
    # with a token the Origin is not needed, but the token must be right
    bad = client.post(f"/g/{GA}/rate", data={"level": "3", "csrf_token": "forged"})
    assert bad.status_code == 400 and "页面已过期" in bad.get_data(as_text=True)
    good = client.post(f"/g/{GA}/rate", data={"level": "3", "csrf_token": token})
    assert good.status_code == 303
    assert [r["level"] for r in db_rows(app)] == [3]


@pytest.mark.parametrize("form, field, message", [
    ({"level": ""}, "level", "请选择一个满意程度"),
    ({"level": "9"}, "level", "选项无效"),
    ({"level": "abc"}, "level", "选项无效"),
    ({"level": "5", "reason": ["hack"]}, "reasons", "原因选项无效"),
    ({"level": "5", "comment": "很" * 201}, "comment", "最多 200 字"),
    ({"level": "5", "comment": "我的身份证 330382199001014210 办不了"}, "comment", "保护您的隐私"),
    ({"level": "5", "comment": "请回电 13912345678"}, "comment", "保护您的隐私"),
])
def test_bad_input_redisplays_the_form_with_a_message_and_stores_nothing(client, app, form, field, message):
    resp = client.post(f"/g/{GA}/rate", data=form, headers=SAME_ORIGIN)
    assert resp.status_code == 400
    body = resp.get_data(as_text=True)
    assert message in body and 'name="csrf_token"' in body and "请按提示修改" in body
    assert db_rows(app) == []


def test_comment_of_exactly_200_characters_is_fine(client, app):
    assert rate(client, comment="好" * 200).status_code == 303
    assert len(db_rows(app)[0]["comment"]) == 200


def test_comment_is_escaped_everywhere_it_is_shown(client):
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    assert rate(client, level="1", reason=["attitude"], comment=evil).status_code == 303
    for path in (f"/g/{GA}/ratings",):
        body = client.get(path).get_data(as_text=True)
        assert "<script>alert" not in body and "<img src=x" not in body
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in body
    # and when the form is redisplayed with an error
    resp = client.post(f"/g/{GA}/rate", data={"level": "", "comment": evil}, headers=SAME_ORIGIN)
    body = resp.get_data(as_text=True)
    assert "<script>alert" not in body and "&lt;script&gt;" in body


def test_rate_limit_per_client(client, app):
    limit = app.config["RATING_LIMIT"]
    for i in range(limit):  # different words each time: the same words again are one rating (a retry)
        assert rate(client, comment=f"第 {i} 次", environ_base={"REMOTE_ADDR": "198.51.100.1"}).status_code == 303
    blocked = rate(client, comment="再一次", environ_base={"REMOTE_ADDR": "198.51.100.1"})
    assert blocked.status_code == 429 and "太频繁" in blocked.get_data(as_text=True)
    assert blocked.headers["Retry-After"] == str(app.config["RATING_WINDOW"])
    # another client is not affected
    assert rate(client, environ_base={"REMOTE_ADDR": "198.51.100.2"}).status_code == 303
    assert len(db_rows(app)) == limit + 1


def test_aggregates_per_guide_and_for_all(client):
    for i, level in enumerate(("5", "5", "3", "1")):  # four people
        rate(client, level=level, reason=["slow"] if level == "1" else [],
             environ_base={"REMOTE_ADDR": f"192.0.2.{i + 10}"})
    rate(client, code="330382-SC-0001", level="2", reason=["repeat"], environ_base={"REMOTE_ADDR": "192.0.2.200"})
    page = client.get(f"/g/{GA}/ratings").get_data(as_text=True)
    assert "共 4 条评价" in page and "75.0%" in page and "等候或办理时间长：1 次" in page
    assert re.search(r"<th scope=\"row\">非常满意</th><td>2</td>", page)
    overview = client.get("/ratings").get_data(as_text=True)
    assert "75.0%" in overview and "0.0%" in overview
    # `guide-server ratings --json` (every guide at once) names the reasons too
    every = {code: s.as_dict() for code, s in client.application.extensions["ratings"].summaries().items()}
    assert every[GA]["reasons"] == {"等候或办理时间长": 1} and every[GA]["total"] == 4
    assert list(every["330382-SC-0001"]["reasons"].values()) == [1]


def test_rating_an_unknown_guide_is_404(client, app):
    assert rate(client, code="330382-XX-0000").status_code == 404
    assert client.get("/g/330382-XX-0000/rated").status_code == 404
    assert client.get("/g/330382-XX-0000/ratings").status_code == 404
    assert db_rows(app) == []


def test_rating_routes_reject_wrong_methods(client):
    assert client.put(f"/g/{GA}/rate").status_code == 405
    assert client.post(f"/g/{GA}/rated").status_code == 405


def test_oversized_post_is_refused(client):
    resp = client.post(f"/g/{GA}/rate", data={"level": "5", "comment": "x" * 100_000}, headers=SAME_ORIGIN)
    assert resp.status_code == 413


def test_alembic_creates_the_schema_and_is_idempotent(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'r.sqlite3'}")
    db.ready()
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from guide_server.db import MIGRATIONS

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    assert current_revision(db.engine) == ScriptDirectory.from_config(cfg).get_current_head()
    Database(db.url).ready()
    with sqlite3.connect(tmp_path / "r.sqlite3") as conn:
        cols = {r[1] for r in conn.execute("PRAGMA table_info(ratings)")}
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    assert cols == {"id", "guide_code", "release_number", "level", "reasons", "comment", "channel", "client",
                    "created", "hall", "department", "queue", "revoked"}
    assert mode == "wal"


def test_database_url_from_environment(tmp_path, monkeypatch, instance):
    from guide_server import create_app

    target = tmp_path / "elsewhere.sqlite3"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{target}")
    app = create_app({"TESTING": True, "INSTANCE_DIR": str(instance)})
    assert app.config["DATABASE_URL"] == f"sqlite:///{target}"
    resp = app.test_client().post(f"/g/{GA}/rate", data={"level": "5"}, headers=SAME_ORIGIN)
    assert resp.status_code == 303 and target.exists()
    assert not (instance / "ratings.sqlite3").exists()


def test_default_database_lives_in_the_instance_folder(instance, monkeypatch):
    from guide_server import create_app

    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app({"TESTING": True, "INSTANCE_DIR": str(instance)})
    rate(app.test_client())
    assert (instance / "ratings.sqlite3").exists()


def test_a_plain_postgresql_url_uses_the_installed_driver(instance, postgres, monkeypatch):
    """DATABASE_URL=postgresql://… (as operators write it) works with psycopg 3."""
    from guide_server import create_app
    from tests.support.postgres import database_name, migrated_template

    url = postgres.create_database(template=migrated_template(postgres))
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    monkeypatch.setenv("DATABASE_URL", plain)
    app = create_app({"TESTING": True, "INSTANCE_DIR": str(instance)})
    assert rate(app.test_client()).status_code == 303
    assert postgres.execute("SELECT guide_code, level FROM ratings", database=database_name(url)) == [(GA, 5)]
    assert not (instance / "ratings.sqlite3").exists()
    app.extensions["ratings"].db.engine.dispose()
    postgres.drop_database(url)


@pytest.mark.parametrize("comment", [
    "请打电话给我 +86 138 1234 5678",
    "手机：138-1234-5678",
    "联系１３８１２３４５６７８",
    "我的身份证 330382 19900101 4214",
])
def test_comment_with_a_phone_or_id_number_however_written_is_refused(comment):
    from guide_server.ratings.service import RatingError, parse

    with pytest.raises(RatingError) as exc:
        parse("2", [], comment)
    assert "隐私" in exc.value.errors["comment"]


def test_comment_naming_the_office_phone_is_kept():
    from guide_server.ratings.service import parse

    data = parse("2", ["slow"], "打了 0577-61881125 没人接", public_numbers=("0577-61881125",))
    assert data.comment == "打了 0577-61881125 没人接"
