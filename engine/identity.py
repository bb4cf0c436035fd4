"""Users, organisations and passwords (argon2); turns a user into the engine's Actor."""

from __future__ import annotations

from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from .access import Actor
from .clock import SHANGHAI, Clock
from .errors import EngineError, InvalidData
from .i18n import N_
from .models import LoginFailure, Organisation, User
from .passwords import check_password
from .roles import DISTRICT_ROLES, DISTRICTS, ORGANISATION_ROLES, ROLES

_HASHER = PasswordHasher()
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
LOCK_DURATION = timedelta(minutes=15)


class LockedOut(EngineError):
    """Too many wrong passwords for this name: sign-in refused until `until`."""

    def __init__(self, until: datetime) -> None:
        local = until.astimezone(SHANGHAI).strftime("%H:%M")
        super().__init__(N_("密码错误次数过多，账户已临时锁定，请于 %(time)s 后再试", time=local))
        self.until = until
_DUMMY_HASH = _HASHER.hash("diagflow: a password nobody has")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def actor_of(user: User) -> Actor:
    return Actor(
        user_id=user.id,
        username=user.username,
        role=user.role,
        district=user.district,
        organisation_id=user.organisation_id,
        display_name=user.display_name,
    )


class IdentityService:
    """Create and find users and organisations; check passwords."""

    def __init__(self, sessions: sessionmaker[Session], clock: Clock) -> None:
        self.sessions = sessions
        self.clock = clock

    def authenticate(self, username: str, password: str) -> Actor | None:
        """The actor for a correct username and password, else None (same cost either way).

        After MAX_FAILURES wrong passwords within FAILURE_WINDOW the name is locked for
        LOCK_DURATION, whatever is entered (LockedOut says until when).
        """
        now = self.clock.now()
        try:
            return self._authenticate(username, password, now)
        except IntegrityError:  # two wrong passwords for one name at the same moment; one is counted
            return None

    def _authenticate(self, username: str, password: str, now: datetime) -> Actor | None:
        with self.sessions.begin() as session:
            failure = session.get(LoginFailure, username)
            if failure is not None and failure.locked_until is not None and failure.locked_until > now:
                raise LockedOut(failure.locked_until)
            user = session.scalar(select(User).where(User.username == username))
            if user is not None and user.is_active and verify_password(user.password_hash, password):
                if failure is not None:
                    session.delete(failure)
                return actor_of(user)
            if user is None or not user.is_active:
                verify_password(_DUMMY_HASH, password)
            self._count_failure(session, failure, username, now)
            return None

    @staticmethod
    def _count_failure(session: Session, failure: LoginFailure | None, username: str, now: datetime) -> None:
        if failure is None or now - failure.first_at > FAILURE_WINDOW:
            if failure is not None:
                session.delete(failure)
                session.flush()
            session.add(LoginFailure(username=username, count=1, first_at=now, locked_until=None))
            return
        failure.count += 1
        if failure.count >= MAX_FAILURES:
            failure.locked_until = now + LOCK_DURATION

    def actor(self, user_id: int) -> Actor | None:
        with self.sessions() as session:
            user = session.get(User, user_id)
            return actor_of(user) if user is not None and user.is_active else None

    def display_names(self, user_ids: set[int]) -> dict[int, str]:
        if not user_ids:
            return {}
        with self.sessions() as session:
            rows = session.execute(select(User.id, User.display_name).where(User.id.in_(user_ids)))
            return {user_id: name for user_id, name in rows}

    def organisation_names(self, organisation_ids: set[int]) -> dict[int, str]:
        if not organisation_ids:
            return {}
        with self.sessions() as session:
            rows = session.execute(
                select(Organisation.id, Organisation.name).where(Organisation.id.in_(organisation_ids))
            )
            return {org_id: name for org_id, name in rows}

    def ensure_organisation(self, name: str, kind: str, credit_code: str, district: str | None) -> int:
        """Create the organisation unless one with this credit code exists; return its id."""
        with self.sessions.begin() as session:
            org = session.scalar(select(Organisation).where(Organisation.credit_code == credit_code))
            if org is None:
                org = Organisation(
                    name=name, kind=kind, credit_code=credit_code, district=district, created_at=self.clock.now()
                )
                session.add(org)
                session.flush()
            return org.id

    def ensure_user(
        self,
        username: str,
        password: str,
        display_name: str,
        role: str,
        district: str | None = None,
        organisation_id: int | None = None,
        password_hash: str | None = None,
        email: str | None = None,
    ) -> int:
        """Create the user unless it exists; return its id. Checks role and scope make sense.

        `password_hash` lets a bulk loader hash a shared password once instead of per user;
        `password` must satisfy the password policy either way (engine/passwords.py).
        """
        problems = _user_problems(role, district, organisation_id)
        if problems:
            raise InvalidData(problems)
        check_password(password, username)
        with self.sessions.begin() as session:
            user = session.scalar(select(User).where(User.username == username))
            if user is None:
                user = User(
                    username=username,
                    password_hash=password_hash or hash_password(password),
                    display_name=display_name,
                    role=role,
                    district=district,
                    organisation_id=organisation_id,
                    email=email,
                    created_at=self.clock.now(),
                )
                session.add(user)
                session.flush()
            return user.id

    def set_password(self, username: str, password: str) -> None:
        """Give `username` a new password that satisfies the policy; clears its login lock."""
        check_password(password, username)
        with self.sessions.begin() as session:
            user = session.scalar(select(User).where(User.username == username))
            if user is None:
                raise InvalidData({"username": N_("没有用户 %(username)s", username=username)})
            user.password_hash = hash_password(password)
            failure = session.get(LoginFailure, username)
            if failure is not None:
                session.delete(failure)


def _user_problems(role: str, district: str | None, organisation_id: int | None) -> dict[str, str]:
    problems = {}
    if role not in ROLES:
        problems["role"] = N_("未知角色 %(role)s", role=role)
    if role in DISTRICT_ROLES and district not in DISTRICTS:
        problems["district"] = N_("区县角色必须指定济南市的区县")
    if role in ORGANISATION_ROLES and organisation_id is None:
        problems["organisation_id"] = N_("服务商和企业用户必须属于一个单位")
    return problems
