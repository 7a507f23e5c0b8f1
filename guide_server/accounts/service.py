"""Admin accounts: users, roles, argon2 password hashes, lockout and login rate limit.

Domain service only: no Flask import. `guide_server.accounts.auth` translates HTTP to and
from it; `guide_server.cli.users` is the `guide-server users` command group.

Rules:
- roles are editor (writes guides), reviewer (reviews and publishes), admin (may do everything);
- login names are 2–40 characters of a-z 0-9 . _ - and are stored in lower case;
- passwords have at least PASSWORD_MIN characters and are stored as argon2id hashes;
- after `lock_after` consecutive failed logins an account is locked for `lock_minutes`;
  a successful login resets the count;
- one client (a keyed, day-scoped hash of its address, never the address) may fail at most
  `rate_limit` logins within `rate_window` seconds, whichever account it tries;
- a changed password or a disabled account ends all sessions of that user (session epoch).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Boolean, DateTime, Index, Integer, String, delete, func, select
from sqlalchemy.orm import Mapped, mapped_column

from guides.scopes import ScopeError, check_scope
from guide_server.db import Base, Database

ROLES: dict[str, str] = {"editor": "编辑", "reviewer": "审核", "admin": "管理员"}
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


class LoginFailure(Base):
    """One failed login, by client hash only (no name, no address): the rate limit's memory."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client: Mapped[str] = mapped_column(String(20), nullable=False)
    created: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)

    __table_args__ = (Index("ix_login_failures_client_created", "client", "created"),)


class AccountError(ValueError):
    """A request the account rules refuse; the message is Chinese, for people."""


class LoginError(Exception):
    """Wrong name or password (deliberately not saying which)."""

    message = "用户名或密码不正确，请重新输入。"


class AccountLocked(LoginError):
    def __init__(self, until: dt.datetime):
        self.until = until
        super().__init__()

    @property
    def message(self) -> str:  # type: ignore[override]
        return (f"该账号因连续多次登录失败已暂时锁定，请在 {self.until.astimezone():%H:%M} 之后再试，"
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
    if len(password) < PASSWORD_MIN:
        raise AccountError(f"密码至少需要 {PASSWORD_MIN} 个字符。")
    if len(password) > PASSWORD_MAX:
        raise AccountError(f"密码最多 {PASSWORD_MAX} 个字符。")
    if name and password.lower() == name.lower():
        raise AccountError("密码不能与用户名相同。")


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
            fn(u)
            s.flush()
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
        """
        now = now or _now()
        self.db.ready()
        # Failures must be committed, so the outcome is raised after the transaction ends.
        with self.db.session.begin() as s:
            outcome = self._login(s, name, password or "", client, now)
        if isinstance(outcome, LoginError):
            raise outcome
        return outcome

    def _login(self, s, name: str, password: str, client: str, now: dt.datetime) -> Account | LoginError:
        recent = s.scalar(select(func.count()).select_from(LoginFailure)
                          .where(LoginFailure.client == client, LoginFailure.created > now - self.rate_window))
        if recent >= self.rate_limit:
            return LoginRateLimited()
        u = s.scalar(select(User).where(User.name == (name or "").strip().lower()))
        if u is None or not u.active:
            self._verify(self._dummy_hash(), password)
            self._fail(s, client, now)
            return LoginError()
        locked = _aware(u.locked_until)
        if locked is not None and locked > now:
            return AccountLocked(locked)
        if not self._verify(u.password_hash, password):
            self._fail(s, client, now)
            u.failed_count += 1
            if u.failed_count >= self.lock_after:
                u.locked_until = now + self.lock_time
                u.failed_count = 0
                return AccountLocked(u.locked_until)
            return LoginError()
        u.failed_count = 0
        u.locked_until = None
        u.last_login = now
        if self.hasher.check_needs_rehash(u.password_hash):
            u.password_hash = self.hasher.hash(password)
        return _account(u)

    def _verify(self, digest: str, password: str) -> bool:
        try:
            return self.hasher.verify(digest, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def _fail(self, s, client: str, now: dt.datetime) -> None:
        s.add(LoginFailure(client=client, created=now))
        # keep the table small: forget failures older than the window
        s.execute(delete(LoginFailure).where(LoginFailure.created < now - self.rate_window))

    def session_valid(self, user_id: int, epoch: int) -> Account | None:
        """The account behind a session, or None when it is gone, disabled or its epoch moved on."""
        acct = self.get(user_id)
        if acct is None or not acct.active or acct.session_epoch != epoch:
            return None
        return acct
