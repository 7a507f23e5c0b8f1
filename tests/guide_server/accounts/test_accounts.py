"""Admin accounts: the domain service (hashing, roles, lockout, rate limit), the migration
and the `guide-server users` commands."""
from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner
from sqlalchemy import inspect

from guide_server.accounts.service import (AccountError, AccountLocked, AccountService, LoginError,
                                   LoginRateLimited, make_hasher)
from guide_server.cli import main
from guide_server.db import Database, current_revision

PW = "correct horse battery"
T0 = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def svc(db_url):
    return AccountService(Database(db_url), make_hasher("cheap"),
                          lock_after=3, lock_minutes=15, rate_limit=5, rate_window=600)


def test_migration_creates_users_at_revision_0002(db_url):
    db = Database(db_url)
    db.ready()
    from alembic.script import ScriptDirectory
    from alembic.config import Config
    from guide_server.db import MIGRATIONS

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    script = ScriptDirectory.from_config(cfg)
    assert current_revision(db.engine) == script.get_current_head()
    assert script.get_revision("0002").down_revision == "0001"
    tables = inspect(db.engine).get_table_names()
    assert {"users", "login_throttle", "admin_sessions", "ratings"} <= set(tables)


def test_password_is_stored_as_argon2id_and_verifies(svc):
    acct = svc.add("Alice", "editor", PW)
    assert acct.name == "alice"
    with svc.db.session() as s:
        from guide_server.accounts.service import User
        digest = s.get(User, acct.id).password_hash
    assert digest.startswith("$argon2id$") and PW not in digest
    assert svc.authenticate("ALICE", PW, "c1").id == acct.id
    with pytest.raises(LoginError):
        svc.authenticate("alice", PW + "x", "c1")


@pytest.mark.parametrize("name,role,pw,msg", [
    ("a", "editor", PW, "用户名"),
    ("bad name", "editor", PW, "用户名"),
    ("carol", "owner", PW, "角色"),
    ("carol", "editor", "short", "至少"),
    ("carol12345", "editor", "carol12345", "不能与用户名相同"),
])
def test_add_refuses_bad_input(svc, name, role, pw, msg):
    with pytest.raises(AccountError, match=msg):
        svc.add(name, role, pw)


def test_duplicate_name_refused_case_insensitively(svc):
    svc.add("dave", "editor", PW)
    with pytest.raises(AccountError, match="已存在"):
        svc.add("DAVE", "reviewer", PW)


def test_admin_holds_every_role_others_only_their_own(svc):
    admin = svc.add("root1", "admin", PW)
    ed = svc.add("ed", "editor", PW)
    assert admin.has_role("editor") and admin.has_role("reviewer")
    assert ed.has_role("editor") and not ed.has_role("reviewer") and not ed.has_role("admin")


def test_lockout_after_consecutive_failures_even_with_right_password(svc):
    svc.add("erin", "editor", PW)
    for _ in range(2):
        with pytest.raises(LoginError) as e:
            svc.authenticate("erin", "wrong password", "c1", now=T0)
        assert not isinstance(e.value, AccountLocked)
    with pytest.raises(AccountLocked):
        svc.authenticate("erin", "wrong password", "c2", now=T0)
    with pytest.raises(AccountLocked):
        svc.authenticate("erin", PW, "c3", now=T0 + dt.timedelta(minutes=14))
    assert svc.authenticate("erin", PW, "c3", now=T0 + dt.timedelta(minutes=16)).name == "erin"


def test_success_resets_the_failure_count(svc):
    svc.add("fay", "editor", PW)
    for i in range(4):
        with pytest.raises(LoginError):
            svc.authenticate("fay", "nope nope", f"c{i}", now=T0)
        if i % 2 == 1:
            svc.authenticate("fay", PW, f"c{i}", now=T0)


def test_enable_and_passwd_clear_a_lockout(svc):
    svc.add("gus", "editor", PW)
    for _ in range(3):
        with pytest.raises(LoginError):
            svc.authenticate("gus", "nope nope", "c", now=T0)
    svc.enable("gus")
    assert svc.authenticate("gus", PW, "other", now=T0).name == "gus"


def test_client_rate_limit_across_accounts(svc):
    for i in range(5):
        with pytest.raises(LoginError) as e:
            svc.authenticate(f"nobody{i}", "whatever pw", "attacker", now=T0)
        assert not isinstance(e.value, LoginRateLimited)
    svc.add("hal", "editor", PW)
    with pytest.raises(LoginRateLimited):
        svc.authenticate("hal", PW, "attacker", now=T0 + dt.timedelta(seconds=1))
    assert svc.authenticate("hal", PW, "someone-else", now=T0).name == "hal"
    assert svc.authenticate("hal", PW, "attacker", now=T0 + dt.timedelta(seconds=601)).name == "hal"


def test_disabled_user_cannot_log_in_and_sessions_end(svc):
    acct = svc.add("ivy", "editor", PW)
    token = svc.start_session(acct, hours=12)
    assert svc.session_account(token).name == "ivy"
    svc.disable("ivy")
    assert svc.session_account(token) is None
    with pytest.raises(LoginError):
        svc.authenticate("ivy", PW, "c")


def test_new_password_ends_sessions(svc):
    acct = svc.add("jo", "editor", PW)
    token = svc.start_session(acct, hours=12)
    svc.set_password("jo", "another long secret")
    assert svc.session_account(token) is None
    with pytest.raises(LoginError):
        svc.authenticate("jo", PW, "c")
    assert svc.authenticate("jo", "another long secret", "c").name == "jo"


def test_role_change_and_logout_end_sessions_and_expiry_is_kept(svc):
    acct = svc.add("kim", "editor", PW)
    first, second = svc.start_session(acct, hours=12), svc.start_session(acct, hours=12)
    svc.end_session(first)  # logging out ends this session only
    assert svc.session_account(first) is None and svc.session_account(second).name == "kim"
    svc.set_role("kim", "reviewer")
    assert svc.session_account(second) is None
    third = svc.start_session(svc.get(acct.id), hours=1, now=T0)
    assert svc.session_account(third, now=T0 + dt.timedelta(minutes=59)).role == "reviewer"
    assert svc.session_account(third, now=T0 + dt.timedelta(minutes=61)) is None
    for junk in (None, "", "x" * 5, "y" * 43, 42):
        assert svc.session_account(junk) is None


@pytest.mark.parametrize("pw, why", [
    (" " * 10, "全是同一个字符"), ("aaaaaaaaaaaaaaaa", "全是同一个字符"), ("password12", "常见密码"),
    ("1234567890", "常见密码"), ("qwertyuiop", "常见密码"), ("abcabcabcabc", "重复"),
    ("kim2026!!!", "用户名"), ("MIK-kim-kim", "用户名"),
])
def test_weak_passwords_are_refused_with_the_reason(svc, pw, why):
    with pytest.raises(AccountError, match=why):
        svc.add("kim", "editor", pw)
    acct = svc.add("kim", "editor", "a sturdy long phrase")
    with pytest.raises(AccountError, match=why):
        svc.set_password("kim", pw)
    assert svc.authenticate("kim", "a sturdy long phrase", "c").id == acct.id


# -- CLI ---------------------------------------------------------------------------------------

def _cli(args, input=None):
    return CliRunner().invoke(main, args, input=input)


@pytest.fixture
def cli_db(db_url, monkeypatch):
    """The `guide-server users` commands work on DATABASE_URL (SQLite or PostgreSQL)."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    return db_url


def test_cli_add_reads_password_from_stdin_and_lists(tmp_path, cli_db):
    inst = str(tmp_path)
    r = _cli(["users", "add", "kim", "--role", "reviewer", "--instance", inst], input=PW + "\n")
    assert r.exit_code == 0, r.output
    assert "已新增账号 kim（审核）" in r.output
    r = _cli(["users", "list", "--instance", inst])
    assert "kim" in r.output and "reviewer" in r.output and "正常" in r.output and "从未登录" in r.output
    assert AccountService(Database(cli_db)).authenticate("kim", PW, "c").role == "reviewer"
    # the last login is shown in China time, whatever zone the database hands back
    from guides.release import CHINA_TZ

    now = dt.datetime.now(CHINA_TZ)
    shown = {(now - dt.timedelta(minutes=m)).strftime("%Y-%m-%d %H:%M") for m in (0, 1)}
    listed = _cli(["users", "list", "--instance", inst]).output
    assert any(f"最近登录：{t}" in listed for t in shown), listed
    assert not (tmp_path / "ratings.sqlite3").exists()  # nothing went to the instance's default database


def test_cli_refuses_short_password_and_unknown_role(tmp_path):
    r = _cli(["users", "add", "lee", "--role", "editor", "--instance", str(tmp_path)], input="short\n")
    assert r.exit_code == 1 and "至少" in r.output
    r = _cli(["users", "add", "lee", "--role", "boss", "--instance", str(tmp_path)], input=PW + "\n")
    assert r.exit_code == 2


def test_cli_passwd_and_disable(tmp_path, cli_db):
    inst = str(tmp_path)
    _cli(["users", "add", "max", "--role", "editor", "--instance", inst], input=PW + "\n")
    r = _cli(["users", "passwd", "max", "--instance", inst], input="a brand new secret\n")
    assert r.exit_code == 0, r.output
    svc = AccountService(Database(cli_db))
    assert svc.authenticate("max", "a brand new secret", "c").name == "max"
    r = _cli(["users", "disable", "max", "--instance", inst])
    assert r.exit_code == 0 and "已停用" in r.output
    assert "已停用" in _cli(["users", "list", "--instance", inst]).output
    with pytest.raises(LoginError):
        svc.authenticate("max", "a brand new secret", "c")
    r = _cli(["users", "passwd", "nobody", "--instance", inst], input="a brand new secret\n")
    assert r.exit_code == 1 and "没有用户" in r.output


@pytest.mark.parametrize("pw, why", [(" " * 10, "全是同一个字符"), ("password12", "常见密码"),
                                     ("1234567890", "常见密码"), ("nora-2026!", "用户名")])
def test_cli_refuses_weak_passwords_with_the_reason(tmp_path, pw, why, cli_db):
    inst = str(tmp_path)
    r = _cli(["users", "add", "nora", "--role", "editor", "--instance", inst], input=pw + "\n")
    assert r.exit_code == 1 and why in r.output and "Traceback" not in r.output
    assert "nora" not in _cli(["users", "list", "--instance", inst]).output
    _cli(["users", "add", "nora", "--role", "editor", "--instance", inst], input=PW + "\n")
    r = _cli(["users", "passwd", "nora", "--instance", inst], input=pw + "\n")
    assert r.exit_code == 1 and why in r.output
    assert AccountService(Database(cli_db)).authenticate("nora", PW, "c").name == "nora"
