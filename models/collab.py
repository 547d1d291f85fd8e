"""Issue-5 structures: regulation versions, council votes, delegation, the mail outbox,
and coordinating units' contributions."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class RegulationVersion(Base):
    """One submitted text of a regulation (Quy chế); each resubmission is a new number."""

    __tablename__ = "regulation_version"
    __table_args__ = (UniqueConstraint("deliverable_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    deliverable_id: Mapped[int] = mapped_column(ForeignKey("deliverable.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    in_force: Mapped[bool] = mapped_column(Boolean, default=False)
    effective_date: Mapped[date | None] = mapped_column(Date)


class Council(Base):
    """A named group that votes (e.g. Hội đồng Thi đua - Khen thưởng); M of N decide."""

    __tablename__ = "council"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    quorum: Mapped[int] = mapped_column(Integer)
    # The deliverable kind whose review this council's votes replace.
    deliverable_kind: Mapped[str] = mapped_column(String(24), unique=True)


class CouncilMember(Base):
    __tablename__ = "council_member"

    council_id: Mapped[int] = mapped_column(
        ForeignKey("council.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id"), primary_key=True, index=True
    )


class CouncilVote(Base):
    __tablename__ = "council_vote"
    __table_args__ = (UniqueConstraint("deliverable_id", "round", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    deliverable_id: Mapped[int] = mapped_column(ForeignKey("deliverable.id"))
    round: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    in_favour: Mapped[bool] = mapped_column(Boolean)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Delegation(Base):
    """Ủy quyền: the delegate may act on behalf of the delegator from starts_on to ends_on."""

    __tablename__ = "delegation"
    __table_args__ = (
        Index("ix_delegation_delegate_id_starts_on", "delegate_id", "starts_on"),
        Index("ix_delegation_delegator_id_starts_on", "delegator_id", "starts_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    delegator_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    delegate_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)


class OutboxMessage(Base):
    """Mail written in the same transaction as the action that caused it; sent later."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        Index("ix_outbox_message_sent_at_next_attempt_at", "sent_at", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    to_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    to_addr: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    # The sender that leased the message (send-mail claims due messages in a short
    # transaction and moves next_attempt_at to the lease's end); None when not leased.
    claimed_by: Mapped[str | None] = mapped_column(String(40))


class Contribution(Base):
    """A coordinating unit's input (đơn vị phối hợp) to the lead unit's deliverable."""

    __tablename__ = "contribution"
    __table_args__ = (Index("ix_contribution_deliverable_id_id", "deliverable_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    deliverable_id: Mapped[int] = mapped_column(ForeignKey("deliverable.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Notification(Base):
    """One line of a person's inbox (issue 12): an item came back to them, waits on their
    review / approval / vote, or falls due soon. Written in the transaction of the action
    that caused it (or by `remind` for due dates); `read_at` is set when they read it."""

    __tablename__ = "notification"
    __table_args__ = (
        # the unread count (user, unread) and the inbox's pages (user, newest first)
        Index("ix_notification_user_id_read_at_id", "user_id", "read_at", "id"),
        Index("ix_notification_user_id_id", "user_id", "id"),
        # "already told about this item" (due-date reminders are written once per item)
        Index("ix_notification_item_type_item_id_kind", "item_type", "item_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    kind: Mapped[str] = mapped_column(String(20))
    item_type: Mapped[str] = mapped_column(String(20))
    item_id: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    actor_name: Mapped[str] = mapped_column(String(200), default="")
    reason: Mapped[str | None] = mapped_column(Text)
    due_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime)
