"""Admin accounts: users, roles, argon2 password hashes, lockout and login rate limit.

Domain service only: no Flask import. `guide_server.accounts.auth` translates HTTP to and
from it; `guide_server.cli.users` is the `guide-server users` command group.

Rules:
- roles are editor (writes guides), reviewer (reviews and publishes; decides 好差评 appeals),
  manager (hall manager: follows up 差评 cases, reads the dashboard), admin (may do everything);
- login names are 2–40 characters of a-z 0-9 . _ - and are stored in lower case;
- passwords have at least PASSWORD_MIN characters, are not guessable (guide_server.accounts.
  passwords: zxcvbn score, one repeated character, the user name) and are stored as argon2id
  hashes;
- after `lock_after` consecutive failed logins an account is locked for `lock_minutes`;
  a successful login resets the count;
- one client (a keyed, day-scoped hash of its address, never the address) may fail at most
  `rate_limit` logins within `rate_window` seconds, whichever account it tries;
- both limits are counters in the database, taken atomically (one UPDATE … RETURNING, or an
  upsert) BEFORE the password hash is checked: however many workers or app instances try at
  once, at most `lock_after` guesses per account and `rate_limit` per client reach the hash;
- a session is a row of its own (`admin_sessions`, keyed by the SHA-256 of a random token that
  only the session cookie holds): logging out deletes it; a changed password or role and a
  disabled account end every session of that user (the session epoch moves on).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Boolean, DateTime, Integer, String, case, delete, select, update
from sqlalchemy.orm import Mapped, mapped_column

from guides.scopes import ScopeError, check_scope
from guide_server.accounts.passwords import weak_password_reason
from guide_server.db import Base, Database

ROLES: dict[str, str] = {"editor": "编辑", "reviewer": "审核", "manager": "大厅管理", "admin": "管理员"}
PASSWORD_MIN = 10
PASSWORD_MAX = 256
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(40), nullable=False, unique=True)
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    failed_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    session_epoch: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    created: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    last_login: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # region code, hall:<id>, or "" for everything (guides.scopes)
    scope: Mapped[str] = mapped_column(String(40), nullable=False, default="", server_default="")


class LoginThrottle(Base):
    """Failed (or in-flight) logins of one client in its current window, by client hash only
    (no name, no address): the rate limit's memory, one row per client."""

    __tablename__ = "login_throttle"

    client: Mapped[str] = mapped_column(String(20), primary_key=True)
    window_start: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    failures: Mapped[int] = mapped_column(Integer, nullable=False)


class AdminSession(Base):
    """One logged-in browser. The cookie holds the token; the database only its SHA-256."""

    __tablename__ = "admin_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    user_id: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    epoch: Mapped[int] = mapped_column(Integer, nullable=False)
    created: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    expires: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class AccountError(ValueError):
    """A request the account rules refuse; the message is Chinese, for people."""


class LoginError(Exception):
    """Wrong name or password (deliberately not saying which)."""

    message = "用户名或密码不正确，请重新输入。"


class AccountLocked(LoginError):
    """The account is locked. `checked` is True for the failure that locked it (its password
    was checked and was wrong); False for an attempt refused without checking any password."""

    def __init__(self, until: dt.datetime, checked: bool = False):
        self.until = until
        self.checked = checked
        super().__init__()

    @property
    def message(self) -> str:  # type: ignore[override]
        lead = LoginError.message if self.checked else ""
        return (f"{lead}该账号因连续多次登录失败已暂时锁定，请在 {self.until.astimezone():%H:%M} 之后再试，"
                "或请管理员解除锁定。")


class LoginRateLimited(LoginError):
    message = "登录失败次数过多，请稍等几分钟后再试。"


@dataclass(frozen=True)
class Account:
    """A user as the rest of the application sees it (never the password hash)."""

    id: int
    name: str
    role: str
    active: bool
    session_epoch: int
    locked_until: dt.datetime | None = None
    last_login: dt.datetime | None = None
    scope: str = ""  # guides.scopes: region code, hall:<id>, or "" for everything

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)

    def has_role(self, *roles: str) -> bool:
        """True when the user holds one of `roles`; admin holds every role."""
        return self.active and (self.role == "admin" or self.role in roles)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _aware(t: dt.datetime | None) -> dt.datetime | None:
    # SQLite hands back naive datetimes; they were stored in UTC.
    if t is not None and t.tzinfo is None:
        return t.replace(tzinfo=dt.timezone.utc)
    return t


def _account(u: User) -> Account:
    return Account(u.id, u.name, u.role, u.active, u.session_epoch, _aware(u.locked_until), _aware(u.last_login),
                   u.scope or "")


def make_hasher(profile: str = "default") -> PasswordHasher:
    """argon2id hasher: "default" = argon2-cffi's RFC 9106 low-memory profile;
    "cheap" = minimal cost, for tests only."""
    if profile == "cheap":
        return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, hash_len=16, salt_len=16)
    if profile != "default":
        raise ValueError(f"unknown password hash profile {profile!r}")
    return PasswordHasher()


def normalize_name(name: str) -> str:
    n = (name or "").strip().lower()
    if not NAME_RE.match(n):
        raise AccountError("用户名须为 2～40 个字符，只能包含英文字母、数字、点、下划线和连字符，并以字母或数字开头。")
    return n


def check_password_rules(password: str, name: str | None = None) -> None:
    """AccountError with the reason in Chinese when `password` may not be used by user `name`:
    too short or long, or guessable (guide_server.accounts.passwords.weak_password_reason)."""
    if len(password) < PASSWORD_MIN:
        raise AccountError(f"密码至少需要 {PASSWORD_MIN} 个字符。")
    if len(password) > PASSWORD_MAX:
        raise AccountError(f"密码最多 {PASSWORD_MAX} 个字符。")
    reason = weak_password_reason(password, name)
    if reason:
        raise AccountError(reason)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def check_role(role: str) -> str:
    if role not in ROLES:
        raise AccountError("角色只能是：" + "、".join(f"{k}（{v}）" for k, v in ROLES.items()) + "。")
    return role


class AccountService:
    def __init__(self, db: Database, hasher: PasswordHasher | None = None, *, lock_after: int = 5,
                 lock_minutes: int = 15, rate_limit: int = 10, rate_window: int = 600):
        self.db = db
        self.hasher = hasher or make_hasher()
        self.lock_after = lock_after
        self.lock_time = dt.timedelta(minutes=lock_minutes)
        self.rate_limit = rate_limit
        self.rate_window = dt.timedelta(seconds=rate_window)
        self._dummy: str | None = None

    # -- administration ------------------------------------------------------------------------
    def add(self, name: str, role: str, password: str, now: dt.datetime | None = None,
            scope: str = "") -> Account:
        """A new active user; `scope` limits what they may change (guides.scopes; "" = all)."""
        name = normalize_name(name)
        check_role(role)
        check_password_rules(password, name)
        try:
            scope = check_scope(scope)
        except ScopeError as exc:
            raise AccountError(str(exc)) from None
        self.db.ready()
        with self.db.session.begin() as s:
            if s.scalar(select(User.id).where(User.name == name)) is not None:
                raise AccountError(f"用户名 {name} 已存在。")
            u = User(name=name, role=role, password_hash=self.hasher.hash(password), active=True,
                     failed_count=0, session_epoch=1, created=now or _now(), scope=scope)
            s.add(u)
            s.flush()
            return _account(u)

    def get(self, user_id: int) -> Account | None:
        self.db.ready()
        with self.db.session() as s:
            u = s.get(User, user_id)
            return _account(u) if u is not None else None

    def by_name(self, name: str) -> Account | None:
        self.db.ready()
        with self.db.session() as s:
            u = s.scalar(select(User).where(User.name == (name or "").strip().lower()))
            return _account(u) if u is not None else None

    def list(self) -> list[Account]:
        self.db.ready()
        with self.db.session() as s:
            return [_account(u) for u in s.scalars(select(User).order_by(User.name))]

    def _update(self, name: str, fn) -> Account:
        self.db.ready()
        with self.db.session.begin() as s:
            u = s.scalar(select(User).where(User.name == (name or "").strip().lower()))
            if u is None:
                raise AccountError(f"没有用户 {name}。")
            epoch = u.session_epoch
            fn(u)
            s.flush()
            if u.session_epoch != epoch:  # the sessions of the old epoch are over: forget them
                s.execute(delete(AdminSession).where(AdminSession.user_id == u.id))
            return _account(u)

    def set_password(self, name: str, password: str) -> Account:
        """New password; ends the user's sessions and clears a lockout."""
        check_password_rules(password, name)
        digest = self.hasher.hash(password)

        def fn(u: User) -> None:
            u.password_hash = digest
            u.session_epoch += 1
            u.failed_count = 0
            u.locked_until = None
        return self._update(name, fn)

    def set_scope(self, name: str, scope: str) -> Account:
        """Change what user `name` may change (guides.scopes); ends their sessions."""
        try:
            scope = check_scope(scope)
        except ScopeError as exc:
            raise AccountError(str(exc)) from None

        def fn(u: User) -> None:
            u.scope = scope
            u.session_epoch += 1
        return self._update(name, fn)

    def set_role(self, name: str, role: str) -> Account:
        check_role(role)

        def fn(u: User) -> None:
            u.role = role
            u.session_epoch += 1
        return self._update(name, fn)

    def disable(self, name: str) -> Account:
        def fn(u: User) -> None:
            u.active = False
            u.session_epoch += 1
        return self._update(name, fn)

    def enable(self, name: str) -> Account:
        """Enable the account again and clear any lockout."""
        def fn(u: User) -> None:
            u.active = True
            u.failed_count = 0
            u.locked_until = None
        return self._update(name, fn)

    # -- login -----------------------------------------------------------------------------------
    def _dummy_hash(self) -> str:
        if self._dummy is None:
            self._dummy = self.hasher.hash("not a password of anyone")
        return self._dummy

    def authenticate(self, name: str, password: str, client: str, now: dt.datetime | None = None) -> Account:
        """The account for a correct name and password.

        Raises LoginRateLimited when `client` failed too often recently, AccountLocked while
        the account is locked (even with the right password), LoginError otherwise.

        Each attempt first takes a slot of the client's counter and then one of the account's,
        each in one atomic statement committed before the hash is checked, so parallel
        attempts (other threads, workers or servers) cannot all see "not locked yet".
        A slot is given back when the attempt succeeds or is refused unchecked.
        """
        now = now or _now()
        self.db.ready()
        if self._take_client_slot(client, now) > self.rate_limit:
            raise LoginRateLimited()
        with self.db.session() as s:
            u = s.scalar(select(User).where(User.name == (name or "").strip().lower()))
            user = _account(u) if u is not None else None
            digest = u.password_hash if u is not None else None
        if user is None or not user.active:
            self._verify(self._dummy_hash(), password or "")
            raise LoginError()
        slot, locked = self._take_account_slot(user.id, now)
        if locked is not None and locked > now:
            self._give_back_client_slot(client)
            raise AccountLocked(locked)
        if slot > self.lock_after:  # the other attempts in flight already used every guess
            self._give_back_client_slot(client)
            raise AccountLocked(now + self.lock_time)
        if not self._verify(digest, password or ""):
            if slot >= self.lock_after:
                until = now + self.lock_time
                with self.db.session.begin() as s:
                    s.execute(update(User).where(User.id == user.id).values(locked_until=until))
                raise AccountLocked(until, checked=True)
            raise LoginError()
        with self.db.session.begin() as s:
            values = dict(failed_count=0, locked_until=None, last_login=now)
            if self.hasher.check_needs_rehash(digest):
                values["password_hash"] = self.hasher.hash(password)
            s.execute(update(User).where(User.id == user.id).values(**values))
        self._give_back_client_slot(client)
        return self.get(user.id)

    def _take_client_slot(self, client: str, now: dt.datetime) -> int:
        """Count one attempt of `client` (a fresh window when the last one is over) and return
        the count, in one upsert."""
        expired = LoginThrottle.window_start <= now - self.rate_window
        with self.db.session.begin() as s:
            stmt = _upsert(s, LoginThrottle, dict(client=client, window_start=now, failures=1), ["client"], dict(
                failures=case((expired, 1), else_=LoginThrottle.failures + 1),
                window_start=case((expired, now), else_=LoginThrottle.window_start)))
            return s.execute(stmt.returning(LoginThrottle.failures)).scalar_one()

    def _give_back_client_slot(self, client: str) -> None:
        with self.db.session.begin() as s:
            s.execute(update(LoginThrottle).where(LoginThrottle.client == client, LoginThrottle.failures > 0)
                      .values(failures=LoginThrottle.failures - 1))

    def _take_account_slot(self, user_id: int, now: dt.datetime) -> tuple[int, dt.datetime | None]:
        """Count one attempt on the account (from 1 again once a lock has run out) and return
        (count, locked_until), in one UPDATE … RETURNING."""
        over = User.locked_until.is_not(None) & (User.locked_until <= now)
        with self.db.session.begin() as s:
            count, locked = s.execute(
                update(User).where(User.id == user_id)
                .values(failed_count=case((over, 1), else_=User.failed_count + 1),
                        locked_until=case((over, None), else_=User.locked_until))
                .returning(User.failed_count, User.locked_until)).one()
        return count, _aware(locked)

    def _verify(self, digest: str, password: str) -> bool:
        try:
            return self.hasher.verify(digest, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    # -- sessions ----------------------------------------------------------------------------------
    def start_session(self, user: Account, hours: float, now: dt.datetime | None = None) -> str:
        """A new session for `user` lasting `hours`; returns the token for the cookie (the
        database keeps only its SHA-256). Sessions that ran out are deleted on the way."""
        now = now or _now()
        token = secrets.token_urlsafe(32)
        self.db.ready()
        with self.db.session.begin() as s:
            s.execute(delete(AdminSession).where(AdminSession.expires < now))
            s.add(AdminSession(token_hash=_token_hash(token), user_id=user.id, epoch=user.session_epoch,
                               created=now, expires=now + dt.timedelta(hours=hours)))
        return token

    def session_account(self, token: str | None, now: dt.datetime | None = None) -> Account | None:
        """The account of a live session: its row exists and has not run out, the account is
        active and its epoch has not moved on since the login. None otherwise."""
        if not isinstance(token, str) or not 20 <= len(token) <= 100:
            return None
        now = now or _now()
        self.db.ready()
        with self.db.session() as s:
            row = s.execute(select(AdminSession, User).join(User, User.id == AdminSession.user_id)
                            .where(AdminSession.token_hash == _token_hash(token))).first()
            if row is None:
                return None
            sess, u = row
            if _aware(sess.expires) <= now or not u.active or u.session_epoch != sess.epoch:
                return None
            return _account(u)

    def end_session(self, token: str | None) -> None:
        """Log one session out: its row is deleted, so a copy of the cookie opens nothing."""
        if isinstance(token, str) and token:
            self.db.ready()
            with self.db.session.begin() as s:
                s.execute(delete(AdminSession).where(AdminSession.token_hash == _token_hash(token)))

    def change_own_password(self, name: str, current: str, new: str, client: str) -> Account:
        """A user's own password change: the current password is checked like a login (same
        limits), the new one against the rules; every session of the user ends."""
        try:
            self.authenticate(name, current, client)
        except LoginError as exc:
            if type(exc) is LoginError:
                raise AccountError("当前密码不正确，密码未修改。") from None
            raise AccountError(exc.message) from None
        if new == current:
            raise AccountError("新密码不能与当前密码相同。")
        return self.set_password(name, new)


def _upsert(s, model, values: dict, conflict: list[str], set_: dict):
    """INSERT … ON CONFLICT (conflict) DO UPDATE SET set_, for SQLite and PostgreSQL."""
    if s.bind.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(model).values(**values).on_conflict_do_update(index_elements=conflict, set_=set_)
