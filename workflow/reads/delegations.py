"""Delegations (ủy quyền): who lends the signed-in person their authority today and what
it lets them do on an item, the delegations page, and one's delegations in the API (the
same `DelegationRow` for both).

No Flask here. A fixed handful of queries each, never one per row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, aliased

from models import Delegation, Unit, User, UserRole
from workflow.core import clock, policy
from workflow.core.errors import NotFound, NotPermitted
from workflow.core.policy import Actor, ItemSnapshot


@dataclass(frozen=True)
class Principal:
    """Someone whose authority the signed-in person may use today (they delegated it)."""

    username: str
    full_name: str
    actor: Actor


def principals(session: Session, person: Actor, today: date | None = None) -> list[Principal]:
    """The delegators of `person`'s delegations in force today, as the engine sees them;
    two queries (none when the person holds no delegation)."""
    if not person.active:
        return []
    today = today or clock.today_local()
    rows = session.execute(
        select(User.id, User.username, User.full_name, User.unit_id, Unit.name, User.active)
        .join(Delegation, Delegation.delegator_id == User.id)
        .outerjoin(Unit, Unit.id == User.unit_id)
        .where(
            Delegation.delegate_id == person.id,
            Delegation.starts_on <= today,
            Delegation.ends_on >= today,
            Delegation.revoked_at.is_(None),
        )
        .order_by(Delegation.id)
    ).all()
    if not rows:
        return []
    roles: dict[int, set[str]] = {}
    for user_id, role in session.execute(
        select(UserRole.user_id, UserRole.role).where(UserRole.user_id.in_([r.id for r in rows]))
    ):
        roles.setdefault(user_id, set()).add(role)
    found: dict[str, Principal] = {}
    for r in rows:
        if r.username in found:
            continue
        delegator = Actor(
            r.id, r.username, r.unit_id, r.name or "", frozenset(roles.get(r.id, ())),
            bool(r.active),
        )  # fmt: skip
        if not policy.may_delegate_to(delegator, person):  # as delegation.authority refuses
            continue
        found[r.username] = Principal(r.username, r.full_name, delegator)
    return list(found.values())


def acting_options(
    person: Actor,
    snap: ItemSnapshot,
    lent: list[Principal],
    participation: policy.Participation = policy.NO_PARTICIPATION,
) -> dict[str, list[tuple[str, str]]]:
    """action → the delegators (username, full name) with whose authority `person` may take
    it now: `policy.refusal`, as `service.perform(on_behalf_of=…)` asks it (no query)."""
    options: dict[str, list[tuple[str, str]]] = {}
    for principal in lent:
        authority = principal.actor
        if not policy.can_view(authority, snap):
            continue
        for action, source in policy.WHO_MAY:
            if source != snap.state:
                continue
            if policy.refusal(authority, snap, action, participation, person=person) is None:
                options.setdefault(action, []).append((principal.username, principal.full_name))
    return options


DELEGATION_STATUSES = ("active", "upcoming", "expired", "revoked")


@dataclass(frozen=True)
class DelegationRow:
    id: int
    delegator: str
    delegator_name: str
    delegate: str
    delegate_name: str
    starts_on: date
    ends_on: date
    note: str
    created_at: datetime
    revoked_at: datetime | None
    status: str  # one of DELEGATION_STATUSES, as of today
    can_revoke: bool  # by the actor who read it

    @property
    def active(self) -> bool:
        """Usable today: in its date range and not revoked."""
        return self.status == "active"


@dataclass(frozen=True)
class Colleague:
    username: str
    full_name: str
    unit_name: str


@dataclass(frozen=True)
class DelegationsPage:
    given: list[DelegationRow]  # I delegated
    received: list[DelegationRow]  # delegated to me
    others: list[DelegationRow]  # an administrator sees everyone's (and may revoke them)
    colleagues: list[Colleague]  # whom I may delegate to (empty if I may not delegate)
    can_delegate: bool
    today: date


def delegation_status(starts_on: date, ends_on: date, revoked: bool, today: date) -> str:
    if revoked:
        return "revoked"
    if ends_on < today:
        return "expired"
    if starts_on > today:
        return "upcoming"
    return "active"


def _rows(session: Session, actor: Actor, where, today: date) -> list[DelegationRow]:
    """Delegations with their two people, newest period first (one query)."""
    is_admin = policy.ADMIN in actor.roles
    delegator, delegate = aliased(User), aliased(User)
    query = (
        select(
            Delegation,
            delegator.username,
            delegator.full_name,
            delegate.username,
            delegate.full_name,
        )
        .join(delegator, delegator.id == Delegation.delegator_id)
        .join(delegate, delegate.id == Delegation.delegate_id)
        .order_by(Delegation.starts_on.desc(), Delegation.id.desc())
    )
    if where is not None:
        query = query.where(where)
    return [
        DelegationRow(
            d.id,
            from_user,
            from_name,
            to_user,
            to_name,
            d.starts_on,
            d.ends_on,
            d.note or "",
            d.created_at,
            d.revoked_at,
            delegation_status(d.starts_on, d.ends_on, d.revoked_at is not None, today),
            d.revoked_at is None and (d.delegator_id == actor.id or is_admin),
        )
        for d, from_user, from_name, to_user, to_name in session.execute(query)
    ]


def _mine(actor: Actor):
    return or_(Delegation.delegator_id == actor.id, Delegation.delegate_id == actor.id)


def delegations_page(session: Session, actor: Actor, today: date | None = None) -> DelegationsPage:
    """The delegations the actor gave and received (an administrator: all), newest first,
    and the colleagues they may delegate to; two queries."""
    if not actor.active:
        raise NotPermitted("Tài khoản đã bị khóa.")
    today = today or clock.today_local()
    is_admin = policy.ADMIN in actor.roles
    given, received, others = [], [], []
    for row in _rows(session, actor, None if is_admin else _mine(actor), today):
        if row.delegator == actor.username:
            given.append(row)
        elif row.delegate == actor.username:
            received.append(row)
        else:
            others.append(row)
    can_delegate = policy.may_delegate(actor)
    return DelegationsPage(
        given, received, others, _delegates_for(session, actor), can_delegate, today
    )


def delegations_of(
    session: Session, actor: Actor, today: date | None = None
) -> tuple[list[DelegationRow], list[DelegationRow]]:
    """(given, received): the actor's own delegations, newest period first (the API)."""
    rows = _rows(session, actor, _mine(actor), today or clock.today_local())
    given = [r for r in rows if r.delegator == actor.username]
    return given, [r for r in rows if r.delegator != actor.username]


def delegation_row(
    session: Session, actor: Actor, delegation_id: int, today: date | None = None
) -> DelegationRow:
    """One delegation, for its two people and administrators; NotFound for anyone else."""
    found = _rows(session, actor, Delegation.id == delegation_id, today or clock.today_local())
    if not found or not actor.active:
        raise NotFound("Không tìm thấy ủy quyền này.")
    row = found[0]
    if actor.username not in (row.delegator, row.delegate) and policy.ADMIN not in actor.roles:
        raise NotFound("Không tìm thấy ủy quyền này.")
    return row


def _delegates_for(session: Session, actor: Actor) -> list[Colleague]:
    """The colleagues `actor` may delegate to (policy.delegation_refusal); two queries,
    none for someone who may not delegate. Only users holding a delegable role are read."""
    if not policy.may_delegate(actor):
        return []
    holders = session.execute(
        select(UserRole.user_id, UserRole.role).where(
            UserRole.role.in_(sorted(policy.DELEGABLE | policy.NEVER_DELEGATES))
        )
    ).all()
    roles: dict[int, set[str]] = {}
    for user_id, role in holders:
        roles.setdefault(user_id, set()).add(role)
    rows = session.execute(
        select(User.id, User.username, User.full_name, User.unit_id, Unit.name)
        .outerjoin(Unit, Unit.id == User.unit_id)
        .where(User.active.is_(True), User.id.in_(list(roles)), User.id != actor.id)
        .order_by(Unit.id, User.full_name)
    ).all()
    return [
        Colleague(r.username, r.full_name, r.name or "")
        for r in rows
        if policy.may_delegate_to(
            actor, Actor(r.id, r.username, r.unit_id, r.name or "", frozenset(roles[r.id]))
        )
    ]


def check_can_delegate(actor: Actor) -> None:
    """Before reading the form: the refusal `delegation.delegate` would give first."""
    if not policy.may_delegate(actor):
        raise policy.delegation_refusal(actor, None).exception()
