"""Delegation (ủy quyền): a Director, Deputy Director or reviewer lets a named colleague act
with their authority for a date range. Creating and revoking are audited; every action taken
with a delegation records both people (see service.perform). Who may delegate to whom, and
who may revoke, is `policy.delegation_refusal` / `policy.revoke_refusal`: checked here when
a delegation is made, used and revoked, and by the pages before they ask for a
confirmation."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Delegation, User, utcnow
from workflow.core import audit, clock, policy
from workflow.core.authority import actor_where
from workflow.core.errors import InvalidInput, NotFound
from workflow.core.policy import Actor
from workflow.core.transaction import write_transaction

DELEGABLE = policy.DELEGABLE


def active_for(
    session: Session, person: Actor, today: date | None = None
) -> list[tuple[int, str, str]]:
    """(delegation id, delegator username, full name) the person may act for today."""
    today = today or clock.today_local()
    return [
        tuple(r)
        for r in session.execute(
            select(Delegation.id, User.username, User.full_name)
            .join(User, User.id == Delegation.delegator_id)
            .where(
                Delegation.delegate_id == person.id,
                Delegation.starts_on <= today,
                Delegation.ends_on >= today,
                Delegation.revoked_at.is_(None),
            )
            .order_by(Delegation.id)
        )
    ]


def delegate(
    session: Session,
    by: Actor,
    *,
    delegate_username: str,
    starts_on: date,
    ends_on: date,
    note: str = "",
    client_addr: str | None = None,
) -> Delegation:
    """`by` delegates their own authority (reviewer, deputy director, director) to someone
    who could hold it (policy.DELEGATE_MAY_HOLD)."""
    if not policy.may_delegate(by):
        raise policy.delegation_refusal(by, None).exception()
    if ends_on < starts_on:
        raise InvalidInput("Ngày kết thúc phải sau hoặc bằng ngày bắt đầu.")
    with write_transaction(session) as write:
        conn, head = write.conn, write.head
        target = actor_where(conn, User.username == delegate_username.strip().lower())
        if target is None or not target.active:
            raise InvalidInput(f"Không có người dùng đang hoạt động “{delegate_username}”.")
        refused = policy.delegation_refusal(by, target)
        if refused is not None:
            raise refused.exception()
        delegation = Delegation(
            delegator_id=by.id,
            delegate_id=target.id,
            starts_on=starts_on,
            ends_on=ends_on,
            note=note.strip(),
        )
        session.add(delegation)
        session.flush()
        audit.append(
            conn,
            head,
            item_type="delegation",
            item_id=delegation.id,
            action="delegate",
            client_addr=client_addr,
            detail={
                "delegate": target.username,
                "starts_on": starts_on.isoformat(),
                "ends_on": ends_on.isoformat(),
                "note": delegation.note,
            },
            **audit.actor_fields(by),
        )
    return delegation


def _revocable(session: Session, by: Actor, delegation_id: int) -> Delegation:
    delegation = session.get(Delegation, delegation_id)
    if delegation is None:
        raise NotFound("Không tìm thấy ủy quyền này.")
    refused = policy.revoke_refusal(
        by, delegation.delegator_id, delegation.delegate_id, delegation.revoked_at is not None
    )
    if refused is not None:
        raise refused.exception()
    return delegation


def check_revoke(session: Session, by: Actor, delegation_id: int) -> None:
    """What `revoke` would refuse with, raised without writing (before a confirmation):
    404 unseen or missing, 403 for its delegate, 409 already revoked."""
    _revocable(session, by, delegation_id)


def revoke(
    session: Session, by: Actor, delegation_id: int, *, client_addr: str | None = None
) -> None:
    """The delegator (or an administrator) ends a delegation now."""
    with write_transaction(session) as write:
        conn, head = write.conn, write.head
        delegation = _revocable(session, by, delegation_id)
        delegation.revoked_at = utcnow()
        session.flush()
        audit.append(
            conn,
            head,
            item_type="delegation",
            item_id=delegation.id,
            action="revoke",
            client_addr=client_addr,
            detail={},
            **audit.actor_fields(by),
        )
