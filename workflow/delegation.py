"""Delegation (ủy quyền): a Director, Deputy Director or reviewer lets a named colleague act
with their authority for a date range. Creating and revoking are audited; every action taken
with a delegation records both people (see service.perform)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from models import Delegation, Unit, User, UserRole, utcnow
from models.database import begin_write
from workflow import audit, clock, policy
from workflow.errors import InvalidInput, NotFound, NotPermitted
from workflow.policy import Actor

DELEGABLE = frozenset({policy.REVIEWER, policy.DEPUTY, policy.DIRECTOR})


def _actor_of_user_id(conn: Connection, user_id: int) -> Actor:
    user = conn.execute(
        select(User.id, User.username, User.unit_id, Unit.name, User.active)
        .join(Unit, Unit.id == User.unit_id)
        .where(User.id == user_id)
    ).one()
    roles = frozenset(
        conn.execute(select(UserRole.role).where(UserRole.user_id == user_id)).scalars()
    )
    return Actor(user.id, user.username, user.unit_id, user.name, roles, bool(user.active))


def authority(
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
    return _actor_of_user_id(conn, row.delegator_id)


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
    """`by` delegates their own authority (reviewer, deputy director, director)."""
    if not by.active or not by.roles & DELEGABLE:
        raise NotPermitted("Chỉ Giám đốc, Phó Giám đốc hoặc người thẩm định mới được ủy quyền.")
    if ends_on < starts_on:
        raise InvalidInput("Ngày kết thúc phải sau hoặc bằng ngày bắt đầu.")
    begin_write(session)
    try:
        conn = session.connection()
        head = audit.lock_head(conn)
        target = session.execute(
            select(User).where(User.username == delegate_username.strip().lower())
        ).scalar_one_or_none()
        if target is None or not target.active:
            raise InvalidInput(f"Không có người dùng đang hoạt động “{delegate_username}”.")
        if target.id == by.id:
            raise InvalidInput("Không thể ủy quyền cho chính mình.")
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
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return delegation


def revoke(
    session: Session, by: Actor, delegation_id: int, *, client_addr: str | None = None
) -> None:
    """The delegator (or an administrator) ends a delegation now."""
    begin_write(session)
    try:
        conn = session.connection()
        head = audit.lock_head(conn)
        delegation = session.get(Delegation, delegation_id)
        if delegation is None:
            raise NotFound("Không tìm thấy ủy quyền này.")
        if by.id != delegation.delegator_id and policy.ADMIN not in by.roles:
            raise NotPermitted("Chỉ người ủy quyền hoặc quản trị mới được thu hồi ủy quyền.")
        if delegation.revoked_at is not None:
            raise InvalidInput("Ủy quyền này đã được thu hồi.")
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
        session.commit()
    except BaseException:
        session.rollback()
        raise
