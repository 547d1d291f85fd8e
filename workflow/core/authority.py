"""Acting with someone else's authority: the delegator as an `Actor`, if the person holds an
active delegation (ủy quyền) from them today that the delegation rule still allows. The
engine checks this each time a delegation is used; making and revoking delegations is
`workflow.items.delegation`."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, select

from models import Delegation, Unit, User, UserRole
from workflow.core import clock, policy
from workflow.core.errors import NotPermitted
from workflow.core.policy import Actor


def actor_where(conn: Connection, where) -> Actor | None:
    user = conn.execute(
        select(User.id, User.username, User.unit_id, Unit.name, User.active)
        .outerjoin(Unit, Unit.id == User.unit_id)
        .where(where)
    ).first()
    if user is None:
        return None
    roles = frozenset(
        conn.execute(select(UserRole.role).where(UserRole.user_id == user.id)).scalars()
    )
    return Actor(user.id, user.username, user.unit_id, user.name or "", roles, bool(user.active))


def _actor_of_user_id(conn: Connection, user_id: int) -> Actor:
    found = actor_where(conn, User.id == user_id)
    assert found is not None
    return found


def delegated_authority(
    conn: Connection, person: Actor, delegator_username: str, today: date | None = None
) -> Actor:
    """The delegator as an Actor, if `person` holds an active delegation from them today."""
    today = today or clock.today_local()
    row = conn.execute(
        select(Delegation.delegator_id)
        .join(User, User.id == Delegation.delegator_id)
        .where(
            Delegation.delegate_id == person.id,
            User.username == delegator_username.strip().lower(),
            Delegation.starts_on <= today,
            Delegation.ends_on >= today,
            Delegation.revoked_at.is_(None),
        )
        .limit(1)
    ).first()
    if row is None or not person.active:
        raise NotPermitted(f"Bạn không có ủy quyền còn hiệu lực của “{delegator_username}”.")
    delegator = _actor_of_user_id(conn, row.delegator_id)
    refused = policy.delegation_refusal(delegator, person)
    if refused is not None:  # roles changed since, or made before the rule: no authority
        raise NotPermitted(
            f"Ủy quyền của “{delegator_username}” cho bạn không còn hợp lệ: {refused.message}"
        )
    return delegator
