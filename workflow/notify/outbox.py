"""Mail: written to the outbox in the transaction of the action that causes it, sent later by
`pheduyet send-mail` (leased, sent outside any transaction, retried with back-off), so a
request never waits on SMTP and a failed action sends nothing. `remind` builds the
due-soon / overdue lists for cron."""

from __future__ import annotations

import contextlib
import secrets
import smtplib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from typing import Any

from sqlalchemy import (
    Connection,
    DateTime,
    Integer,
    String,
    Text,
    bindparam,
    literal,
    select,
    update,
)
from sqlalchemy.orm import Session

from models import CouncilMember, Deliverable, OutboxMessage, Unit, User, UserRole, utcnow
from workflow.accounts.users import SYSTEM
from workflow.core import audit, effects, machine
from workflow.core.policy import APPROVERS, MEMBER, REVIEWER, ItemSnapshot
from workflow.core.transaction import write_transaction
from workflow.notify import notifications
from workflow.reads import wording

_OUTBOX = OutboxMessage.__table__
MAX_BACKOFF = timedelta(hours=6)
SIGNATURE = "\n\n--\nHệ thống theo dõi kế hoạch (pheduyet) — Sở Công Thương tỉnh Quảng Ngãi"


@dataclass(frozen=True)
class SmtpSettings:
    host: str = "localhost"
    port: int = 25
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    sender: str = "pheduyet@localhost"
    timeout: float = 10.0


def _users_with_roles(conn: Connection, roles: frozenset[str]) -> list[tuple[int, str]]:
    return list(
        conn.execute(
            select(User.id, User.email)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role.in_(roles), User.active.is_(True), User.email.is_not(None))
            .distinct()
        ).all()
    )


def _queue_for(people) -> Any:
    """INSERT INTO outbox … SELECT from `people` (a select of user id and email): the
    recipients are found and their mail written in one statement, built once."""
    now = bindparam("now", type_=DateTime)
    message = (
        bindparam("subject", type_=String),
        bindparam("body", type_=Text),
        now,
        literal(0, Integer),
        now,
    )
    return _OUTBOX.insert().from_select(
        ["to_user_id", "to_addr", "subject", "body", "created_at", "attempts", "next_attempt_at"],
        people.add_columns(*message),
    )


_ACTIVE_WITH_MAIL = (User.active.is_(True), User.email.is_not(None), User.id != bindparam("actor"))
_TO_ROLES = _queue_for(
    select(User.id, User.email).where(
        *_ACTIVE_WITH_MAIL,
        User.id.in_(
            select(UserRole.user_id).where(UserRole.role.in_(bindparam("roles", expanding=True)))
        ),
    )
)
_TO_USER = _queue_for(
    select(User.id, User.email).where(*_ACTIVE_WITH_MAIL, User.id == bindparam("user"))
)
_TO_COUNCIL = _queue_for(
    select(User.id, User.email).where(
        *_ACTIVE_WITH_MAIL,
        User.id.in_(
            select(CouncilMember.user_id).where(CouncilMember.council_id == bindparam("council"))
        ),
    )
)


def _route(snap: ItemSnapshot, action: str) -> tuple[Any, dict[str, Any]] | None:
    """Who must act next (or whose item came back) after `action`: (statement, params)."""
    if action == "submit":
        if snap.council_id is not None:
            return _TO_COUNCIL, {"council": snap.council_id}
        return _TO_ROLES, {"roles": [REVIEWER]}
    if action == "review":
        return _TO_ROLES, {"roles": sorted(APPROVERS)}
    if action == "send_back":
        return _TO_ROLES, {"roles": [REVIEWER]}
    if action in ("return", "approve", "reopen") and snap.submitted_by_id:
        return _TO_USER, {"user": snap.submitted_by_id}
    return None


# What the recipient does next, in the mail after each action that writes one.
_NEXT = {
    "submit": "thẩm định (Văn phòng Sở) hoặc biểu quyết (Hội đồng).",
    "review": "Giám đốc phê duyệt.",
    "send_back": "Văn phòng Sở thẩm định lại.",
    "return": "sửa theo lý do rồi trình lại.",
    "reopen": "sửa theo lý do rồi trình lại.",
    "approve": "không còn bước nào; mục đã hoàn thành.",
}


@effects.on_transition
def after_transition(conn: Connection, done: effects.Transitioned) -> None:
    """Mail to whoever must act next, queued in the transition's transaction."""
    snap, action, to_state, actor, reason = (
        done.snap,
        done.action,
        done.to_state,
        done.actor,
        done.reason,
    )
    route = _route(snap, action)
    if route is None:
        return
    statement, params = route
    label = machine.ACTION_LABELS[action]
    what = ("Nhiệm vụ: " if snap.kind == "task" else "") + snap.title
    full_name = conn.execute(select(User.full_name).where(User.id == actor.id)).scalar()
    who = wording.person(full_name, actor.unit_name, actor.username)
    body = f"{who} đã “{label}” mục: {what}.\nTrạng thái mới: {machine.STATE_LABELS[to_state]}."
    if reason:
        body += f"\nLý do: {reason}"
    if action in _NEXT:
        body += f"\nViệc tiếp theo: {_NEXT[action]}"
    body += "\nĐăng nhập hệ thống để xem và xử lý." + SIGNATURE
    conn.execute(
        statement,
        {
            **params,
            "actor": actor.id,
            "subject": f"[pheduyet] {label}: {what}"[:300],
            "body": body,
            "now": utcnow(),
        },
    )


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 … minutes, at most six hours."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


LEASE = timedelta(minutes=30)  # longer than a batch can take; then it may be claimed again


@dataclass(frozen=True)
class _Claimed:
    id: int
    to_addr: str
    subject: str
    body: str
    attempts: int


def claim(session: Session, claimer: str, *, now: datetime, limit: int = 200) -> list[_Claimed]:
    """Lease the due messages to `claimer` in one short write transaction: their
    next_attempt_at moves to the end of the lease, so no other sender takes them meanwhile,
    and a sender that dies leaves them due again when the lease ends."""
    with write_transaction(session, audited=False) as write:
        due = list(
            session.execute(
                select(OutboxMessage.id)
                .where(OutboxMessage.sent_at.is_(None), OutboxMessage.next_attempt_at <= now)
                .order_by(OutboxMessage.id)
                .limit(limit)
            ).scalars()
        )
        if not due:
            write.discard()
            return []
        session.execute(
            update(_OUTBOX)
            .where(
                _OUTBOX.c.id.in_(due),
                _OUTBOX.c.sent_at.is_(None),
                _OUTBOX.c.next_attempt_at <= now,
            )
            .values(claimed_by=claimer, next_attempt_at=now + LEASE)
        )
        claimed = [
            _Claimed(r.id, r.to_addr, r.subject, r.body, r.attempts)
            for r in session.execute(
                select(_OUTBOX).where(_OUTBOX.c.id.in_(due), _OUTBOX.c.claimed_by == claimer)
            )
        ]
    return sorted(claimed, key=lambda m: m.id)


def _still_mine(session: Session, message_id: int, claimer: str) -> bool:
    mine = session.execute(
        select(_OUTBOX.c.id).where(_OUTBOX.c.id == message_id, _OUTBOX.c.claimed_by == claimer)
    ).first()
    session.rollback()  # a read: no transaction stays open while the server talks
    return mine is not None


def _record(session: Session, message: _Claimed, claimer: str, **values: Any) -> None:
    """Write one message's result in a short transaction (only if the lease is still ours)."""
    with write_transaction(session, audited=False):
        session.execute(
            update(_OUTBOX)
            .where(_OUTBOX.c.id == message.id, _OUTBOX.c.claimed_by == claimer)
            .values(attempts=message.attempts + 1, claimed_by=None, **values)
        )


def send_pending(
    session: Session, smtp: SmtpSettings, *, now: datetime | None = None, limit: int = 200
) -> tuple[int, int]:
    """Send what is due; returns (sent, failed).

    The messages are claimed (leased) in one short transaction, sent with no transaction
    open — a slow mail server never holds the database's write lock, which on SQLite would
    make users' actions wait and fail — and each result is recorded in a short transaction
    of its own."""
    now = now or utcnow()
    claimer = secrets.token_hex(8)
    claimed = claim(session, claimer, now=now, limit=limit)
    if not claimed:
        return 0, 0
    sent = failed = 0
    try:
        client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
        if smtp.starttls:
            client.starttls()
        if smtp.username:
            client.login(smtp.username, smtp.password or "")
    except (OSError, smtplib.SMTPException) as error:
        for message in claimed:
            _record(
                session,
                message,
                claimer,
                next_attempt_at=now + backoff(message.attempts + 1),
                last_error=f"kết nối SMTP: {error}"[:500],
            )
        return 0, len(claimed)
    try:
        for message in claimed:
            if not _still_mine(session, message.id, claimer):
                continue  # the lease ran out and another sender took it
            mail = EmailMessage()
            mail["From"], mail["To"], mail["Subject"] = (
                smtp.sender,
                message.to_addr,
                message.subject,
            )
            mail.set_content(message.body)
            try:
                client.send_message(mail)
            except (OSError, smtplib.SMTPException) as error:
                _record(
                    session,
                    message,
                    claimer,
                    next_attempt_at=now + backoff(message.attempts + 1),
                    last_error=str(error)[:500],
                )
                failed += 1
            else:
                _record(session, message, claimer, sent_at=utcnow(), last_error=None)
                sent += 1
    finally:
        with contextlib.suppress(OSError, smtplib.SMTPException):
            client.quit()
    return sent, failed


@dataclass(frozen=True)
class ReminderReport:
    units: int
    messages: int
    escalated_items: int


def remind(
    session: Session, *, today: date, due_soon_days: int = 3, escalate_after_days: int = 7
) -> ReminderReport:
    """Queue one mail per member of each unit with due-soon or overdue items, and one to the
    Office reviewers listing items overdue by more than `escalate_after_days`."""
    with write_transaction(session) as write:
        conn, head = write.conn, write.head
        rows = conn.execute(
            select(
                Deliverable.id,
                Deliverable.title,
                Deliverable.due_date,
                Deliverable.unit_id,
                Unit.name,
            )
            .join(Unit, Unit.id == Deliverable.unit_id)
            .where(
                Deliverable.state != machine.APPROVED,
                Deliverable.due_date <= today + timedelta(days=due_soon_days),
            )
            .order_by(Deliverable.due_date, Deliverable.id)
        ).all()
        by_unit: dict[int, list] = defaultdict(list)
        for row in rows:
            by_unit[row.unit_id].append(row)
        members: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for uid, email, unit_id in conn.execute(
            select(User.id, User.email, User.unit_id)
            .join(UserRole, UserRole.user_id == User.id)
            .where(
                UserRole.role == MEMBER,
                User.unit_id.in_(list(by_unit)),
                User.active.is_(True),
                User.email.is_not(None),
            )
        ):
            members[unit_id].append((uid, email))
        outbox = []

        def line(row) -> str:
            days = (today - row.due_date).days
            when = f"quá hạn {days} ngày" if days > 0 else f"hạn {row.due_date:%d/%m/%Y}"
            return f"- [{row.id}] {row.title} ({when})"

        for unit_id, items in by_unit.items():
            body = "Các sản phẩm sắp đến hạn hoặc đã quá hạn của đơn vị:\n" + "\n".join(
                map(line, items)
            )
            for uid, email in members[unit_id]:
                outbox.append((uid, email, f"[pheduyet] Nhắc hạn: {len(items)} sản phẩm", body))
        late = [r for r in rows if (today - r.due_date).days > escalate_after_days]
        if late:
            body = f"Các sản phẩm quá hạn trên {escalate_after_days} ngày:\n" + "\n".join(
                f"{line(r)} — {r.name}" for r in late
            )
            for uid, email in _users_with_roles(conn, frozenset({REVIEWER})):
                outbox.append(
                    (uid, email, f"[pheduyet] Quá hạn cần đôn đốc: {len(late)} sản phẩm", body)
                )
        if outbox:
            conn.execute(
                _OUTBOX.insert(),
                [
                    {
                        "to_user_id": uid,
                        "to_addr": email,
                        "subject": subject,
                        "body": body + SIGNATURE,
                        "created_at": utcnow(),
                        "attempts": 0,
                        "next_attempt_at": utcnow(),
                    }
                    for uid, email, subject, body in outbox
                ],
            )
        notifications.record_due_soon(conn, today, due_soon_days)  # the in-app inbox too
        audit.append(
            conn,
            head,
            item_type="reminder",
            item_id=None,
            action="remind",
            detail={
                "date": today.isoformat(),
                "units": len(by_unit),
                "messages": len(outbox),
                "escalated": len(late),
            },
            **audit.actor_fields(SYSTEM),
        )
    return ReminderReport(len(by_unit), len(outbox), len(late))
