"""Plans, their tasks, and the deliverables units produce for them.

Tasks and deliverables are both *workflow items*: they carry a state, a version (bumped by
every transition and edit, for optimistic concurrency) and who submitted and reviewed the
current round (for separation of duties).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from models.base import Base, utcnow
from models.org import Unit, _in

STATES = ("draft", "submitted", "reviewed", "approved")
TIMING_KINDS = ("ongoing", "deadline", "year", "period", "unknown")
DELIVERABLE_KINDS = (
    "document",
    "steering_committee",
    "regulation",
    "nominations",
    "periodic_report",
)
TASK_UNIT_ROLES = ("lead", "coordinating")


class Plan(Base):
    __tablename__ = "plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(80), unique=True)
    number: Mapped[str] = mapped_column(String(80), default="")
    title: Mapped[str] = mapped_column(Text)
    issuer: Mapped[str] = mapped_column(String(200))
    issue_date: Mapped[date | None] = mapped_column(Date)
    parent_ref: Mapped[str] = mapped_column(Text, default="")
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    source_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    tasks: Mapped[list[Task]] = relationship(back_populates="plan", order_by="Task.number")


class WorkflowItem:
    """Columns every item that moves through the approval machine has."""

    state: Mapped[str] = mapped_column(String(12), default="draft")
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Set by every transition (workflow.core.service), in the same UPDATE: when the item entered
    # its state (None: never moved) and the action that brought it there ("return"…), so
    # time-in-state and "returned" are read from the item, not from the whole trail.
    state_entered_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_action: Mapped[str | None] = mapped_column(String(40))

    @declared_attr
    def submitted_by_id(cls) -> Mapped[int | None]:  # noqa: N805
        return mapped_column(ForeignKey("user_account.id"))

    @declared_attr
    def reviewed_by_id(cls) -> Mapped[int | None]:  # noqa: N805
        return mapped_column(ForeignKey("user_account.id"))


class Task(WorkflowItem, Base):
    __tablename__ = "task"
    __table_args__ = (
        UniqueConstraint("plan_id", "number"),
        CheckConstraint(_in("state", STATES), name="state"),
        CheckConstraint(_in("timing_kind", TIMING_KINDS), name="timing_kind"),
        Index("ix_task_state_due_date", "state", "due_date"),
        Index("ix_task_owner_unit_id_state_due_date", "owner_unit_id", "state", "due_date"),
        Index("ix_task_plan_id_state", "plan_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    content: Mapped[str] = mapped_column(Text, default="")
    # The unit that owns the task's own record (its completion report): the first lead.
    owner_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    lead_text: Mapped[str] = mapped_column(Text, default="")
    coordinating_text: Mapped[str] = mapped_column(Text, default="")
    timing_kind: Mapped[str] = mapped_column(String(12))
    timing_text: Mapped[str] = mapped_column(String(200), default="")
    due_date: Mapped[date | None] = mapped_column(Date)

    plan: Mapped[Plan] = relationship(back_populates="tasks")
    owner_unit: Mapped[Unit] = relationship()
    unit_links: Mapped[list[TaskUnit]] = relationship(
        cascade="all, delete-orphan", order_by="TaskUnit.position"
    )
    deliverables: Mapped[list[Deliverable]] = relationship(
        back_populates="task", order_by="Deliverable.id"
    )

    def units(self, role: str) -> list[Unit]:
        return [link.unit for link in self.unit_links if link.role == role]


class TaskUnit(Base):
    """A unit's part in a task: lead (chủ trì) or coordinating (phối hợp)."""

    __tablename__ = "task_unit"
    __table_args__ = (
        CheckConstraint(_in("role", TASK_UNIT_ROLES), name="role"),
        Index("ix_task_unit_unit_id_role", "unit_id", "role"),
    )

    task_id: Mapped[int] = mapped_column(
        ForeignKey("task.id", ondelete="CASCADE"), primary_key=True
    )
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(12), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    unit: Mapped[Unit] = relationship(lazy="joined")


class Deliverable(WorkflowItem, Base):
    __tablename__ = "deliverable"
    __table_args__ = (
        CheckConstraint(_in("state", STATES), name="state"),
        CheckConstraint(_in("kind", DELIVERABLE_KINDS), name="kind"),
        Index("ix_deliverable_task_id_id", "task_id", "id"),
        Index("ix_deliverable_unit_id_state_id", "unit_id", "state", "id"),
        Index("ix_deliverable_state_due_date_id", "state", "due_date", "id"),
        Index(
            "ix_deliverable_unit_id_state_due_date_id_last_action",
            "unit_id",
            "state",
            "due_date",
            "id",
            "last_action",
        ),
        Index(
            "ix_deliverable_task_id_state_unit_id_due_date",
            "task_id",
            "state",
            "unit_id",
            "due_date",
        ),
        Index("ix_deliverable_kind_state", "kind", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    kind: Mapped[str] = mapped_column(String(24), default="document")
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text, default="")
    due_date: Mapped[date | None] = mapped_column(Date)
    # A task's own record can be submitted only when its required deliverables are approved.
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    # The kind's own fields (committee members, report sections, nominations…), validated
    # by workflow/kinds.py; JSON so that a new kind needs no migration.
    data: Mapped[dict] = mapped_column(JSON, default=dict, server_default=text("'{}'"))
    # Periodic reports cover [period_start, due_date].
    period_start: Mapped[date | None] = mapped_column(Date)
    # Each submission opens a new round (council votes are counted per round).
    round: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    task: Mapped[Task] = relationship(back_populates="deliverables")
    unit: Mapped[Unit] = relationship()


class StateStay(Base):
    """One stay of a deliverable in a state, written by the transition that ended it (same
    transaction): the dashboard's median time-in-state reads these, per plan, by index."""

    __tablename__ = "state_stay"
    __table_args__ = (
        CheckConstraint(_in("state", STATES), name="state"),
        Index("ix_state_stay_plan_id_state_seconds", "plan_id", "state", "seconds"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"))
    deliverable_id: Mapped[int] = mapped_column(ForeignKey("deliverable.id"), index=True)
    state: Mapped[str] = mapped_column(String(12))
    seconds: Mapped[float] = mapped_column(Float)
    ended_at: Mapped[datetime] = mapped_column(DateTime)
