"""Administration: users and units. Admins only; every change is an audit event.

Each write takes the chain lock (`audit.lock_head`), changes the rows and appends its
event in one transaction, like workflow/editing.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from models import ROLES, Unit, UnitGroup, User, UserRole, unit_group_member
from workflow.accounts import users as accounts
from workflow.core import audit, policy
from workflow.core.errors import InvalidInput, NotFound
from workflow.core.policy import Actor
from workflow.core.transaction import write_transaction

require_admin = policy.require_admin


@dataclass(frozen=True)
class UserRow:
    id: int
    username: str
    full_name: str
    email: str | None
    unit_id: int
    unit_code: str
    unit_name: str
    roles: list[str]
    active: bool
    created_at: datetime


@dataclass(frozen=True)
class UnitRow:
    id: int
    code: str
    name: str
    short_name: str
    kind: str
    groups: list[str]
    users: int


@dataclass(frozen=True)
class Overview:
    users: list[UserRow]
    units: list[UnitRow]
    roles: tuple[str, ...]


def _user_row(user: User) -> UserRow:
    return UserRow(
        user.id,
        user.username,
        user.full_name,
        user.email,
        user.unit_id,
        user.unit.code,
        user.unit.name,
        sorted(user.roles),
        bool(user.active),
        user.created_at,
    )


def overview(session: Session, actor: Actor) -> Overview:
    """Users (with unit and roles) and units (with groups and user counts): four queries."""
    require_admin(actor)
    users = session.execute(select(User).order_by(User.unit_id, User.username)).scalars().all()
    counts = dict(session.execute(select(User.unit_id, func.count()).group_by(User.unit_id)).all())
    groups: dict[int, list[str]] = {}
    for unit_id, name in session.execute(
        select(unit_group_member.c.unit_id, UnitGroup.name).join(
            UnitGroup, UnitGroup.id == unit_group_member.c.group_id
        )
    ):
        groups.setdefault(unit_id, []).append(name)
    units = [
        UnitRow(
            u.id, u.code, u.name, u.short_name, u.kind, groups.get(u.id, []), counts.get(u.id, 0)
        )
        for u in session.execute(select(Unit).order_by(Unit.id)).scalars()
    ]
    return Overview([_user_row(u) for u in users], units, ROLES)


def get_user(session: Session, actor: Actor, user_id: int) -> UserRow:
    require_admin(actor)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("Không có người dùng này.")
    return _user_row(user)


def create_user(
    session: Session,
    actor: Actor,
    *,
    username: str,
    full_name: str,
    unit_code: str,
    roles: list[str] | tuple[str, ...],
    password: str,
    email: str | None = None,
    password_method: str | None = None,
    client_addr: str | None = None,
) -> UserRow:
    """A new user, audited as created by `actor`; commits (rolls back on error)."""
    require_admin(actor)
    with write_transaction(session):
        user = accounts.create_user(
            session,
            username=username,
            full_name=full_name,
            unit_code=unit_code,
            roles=list(roles),
            password=password,
            email=(email or "").strip() or None,
            by=actor,
            password_method=password_method,
            client_addr=client_addr,
        )
        row = _user_row(user)
    return row


@contextmanager
def _locked_user(
    session: Session, actor: Actor, user_id: int
) -> Iterator[tuple[Connection, tuple[int, str], User]]:
    """An admin's write on one user: the write transaction, the user re-read under it."""
    require_admin(actor)
    with write_transaction(session) as write:
        user = session.get(User, user_id, populate_existing=True)
        if user is None:
            raise NotFound("Không có người dùng này.")
        yield write.conn, write.head, user


def set_active(
    session: Session, actor: Actor, user_id: int, active: bool, *, client_addr: str | None = None
) -> UserRow:
    """Deactivate (sign-in refused) or reactivate a user; either way every session and API
    token of theirs ends. Commits."""
    with _locked_user(session, actor, user_id) as (conn, head, user):
        if user.id == actor.id and not active:
            raise InvalidInput("Không thể tự khóa tài khoản của chính mình.")
        if bool(user.active) != active:
            user.active = active
            # Both ways: a session from before the deactivation must not come back to life.
            revoked = accounts.end_sessions(session, user)
            audit.append(
                conn,
                head,
                item_type="user",
                item_id=user.id,
                action="reactivate" if active else "deactivate",
                client_addr=client_addr,
                detail={"username": user.username, "tokens_revoked": revoked},
                **audit.actor_fields(actor),
            )
        row = _user_row(user)
    return row


def set_roles(
    session: Session,
    actor: Actor,
    user_id: int,
    roles: list[str] | tuple[str, ...],
    *,
    client_addr: str | None = None,
) -> UserRow:
    """Replace a user's roles, ending their sessions and tokens; commits. An admin cannot
    drop their own admin role."""
    require_admin(actor)  # before looking at the input: a non-admin learns nothing
    wanted = sorted(set(roles))
    bad = [r for r in wanted if r not in ROLES]
    if bad or not wanted:
        raise InvalidInput(
            f"Vai trò không hợp lệ: {', '.join(bad) or '(trống)'}; chọn trong: {', '.join(ROLES)}."
        )
    with _locked_user(session, actor, user_id) as (conn, head, user):
        before = sorted(user.roles)
        if user.id == actor.id and policy.ADMIN not in wanted:
            raise InvalidInput("Không thể tự bỏ vai trò quản trị của chính mình.")
        if before != wanted:
            for row in [r for r in user.role_rows if r.role not in wanted]:
                user.role_rows.remove(row)
            user.role_rows.extend(UserRole(role=r) for r in wanted if r not in before)
            session.flush()
            revoked = accounts.end_sessions(session, user)  # signs in again with the new roles
            audit.append(
                conn,
                head,
                item_type="user",
                item_id=user.id,
                action="set_roles",
                client_addr=client_addr,
                detail={
                    "username": user.username,
                    "from": before,
                    "to": wanted,
                    "tokens_revoked": revoked,
                },
                **audit.actor_fields(actor),
            )
        row = _user_row(user)
    return row
