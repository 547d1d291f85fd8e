"""One item with everything around it: a deliverable or a task with its files, comments,
trail, allowed actions (their own and those a delegation lends), and the council,
contributions and regulation panels; the draft as its editor sees it. Each function is a
fixed handful of queries, never one per row, and returns plain dataclasses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Comment, Deliverable, Task, TaskUnit, Unit, User
from workflow.core import guards, machine, policy
from workflow.core.errors import InvalidTransition, NotFound, NotPermitted
from workflow.core.machine import APPROVED, DRAFT, SUBMITTED
from workflow.core.policy import Actor
from workflow.core.service import available_actions, participation_of, snapshot_of
from workflow.items import kinds
from workflow.reads import (
    commendation,
    contributions,
    deadlines,
    delegations,
    queries,
    trail,
    versions,
    votes,
)
from workflow.reads.attachments import AttachmentRow, attachment_rows


@dataclass(frozen=True)
class CommentRow:
    id: int
    author: str
    author_name: str
    body: str
    created_at: datetime


@dataclass(frozen=True)
class DeliverableRow:
    id: int
    title: str
    kind: str
    unit_name: str
    state: str
    due_date: date | None
    overdue: bool
    due_soon: bool = False
    period_start: date | None = None  # periodic reports: the first day of their period


@dataclass(frozen=True)
class PeriodGroup:
    """A period of an ongoing task ("tháng 11/2025"): its periodic reports, one per lead."""

    first: date
    last: date
    months: int  # 1: a month, 3: a quarter
    rows: list[DeliverableRow]

    @property
    def approved(self) -> int:
        return sum(1 for r in self.rows if r.state == APPROVED)

    @property
    def overdue(self) -> int:
        return sum(1 for r in self.rows if r.overdue)

    @property
    def due_soon(self) -> int:
        return sum(1 for r in self.rows if r.due_soon)

    @property
    def quarter(self) -> str:
        return ("I", "II", "III", "IV")[(self.first.month - 1) // 3]


@dataclass
class ItemDetail:
    kind: str
    id: int
    title: str
    body: str
    state: str
    version: int
    due_date: date | None
    overdue: bool
    unit_name: str
    task_id: int
    task_number: int
    task_title: str
    deliverable_kind: str | None = None
    data: dict[str, Any] = field(default_factory=dict)  # the kind's own fields
    timing_text: str = ""
    lead_units: list[str] = field(default_factory=list)
    coordinating_units: list[str] = field(default_factory=list)
    attachments: list[AttachmentRow] = field(default_factory=list)
    comments: list[CommentRow] = field(default_factory=list)
    events: list[trail.EventRow] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    reason_required: frozenset[str] = frozenset()
    destinations: dict[str, str] = field(default_factory=dict)  # action → state it leads to
    # Allowed actions a guard would still refuse now, with why (e.g. submit, body empty).
    blocked: dict[str, str] = field(default_factory=dict)
    can_edit: bool = False
    edit_blocked: str | None = None
    last_return: trail.Note | None = None
    deliverables: list[DeliverableRow] = field(default_factory=list)
    can_add_deliverable: bool = False
    submitted_by_me: bool = False
    # Delegation: the actions the actor may take with their own authority, and, per action,
    # whose delegated authority (username, full name) would also allow it.
    own_actions: frozenset[str] = frozenset()
    acting_for: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    # The council, contributions and regulation panels (None when they do not apply).
    council: votes.CouncilPanel | None = None
    contributions: contributions.Contributions | None = None
    regulation: versions.RegulationSummary | None = None
    commendation_ready: bool = False
    timing_kind: str = ""
    # Due dates come from the plan: only the Office reviewer or the Director change one.
    can_change_due_date: bool = False
    periods: list[PeriodGroup] = field(default_factory=list)  # ongoing tasks' reports
    other_deliverables: list[DeliverableRow] = field(default_factory=list)


def _comments(session: Session, kind: str, item_id: int) -> list[CommentRow]:
    return [
        CommentRow(c.id, username, full_name, c.body, c.created_at)
        for c, username, full_name in session.execute(
            select(Comment, User.username, User.full_name)
            .join(User, User.id == Comment.author_id)
            .where(Comment.item_type == kind, Comment.item_id == item_id)
            .order_by(Comment.id)
        )
    ]


def _blocked(
    actions: list[str], missing: list[str], panel: votes.CouncilPanel | None = None
) -> dict[str, str]:
    blocked = {}
    if "submit" in actions and missing:
        blocked["submit"] = "Chưa thể trình: " + "; ".join(missing) + "."
    if "review" in actions and panel is not None and not panel.reached:
        blocked["review"] = (
            f"Thẩm định bằng phiếu của {panel.name}: cần {panel.quorum} phiếu tán thành, "
            f"hiện có {panel.votes_for}. Sản phẩm tự chuyển sang Đã thẩm định khi đủ phiếu."
        )
    return blocked


def _with_delegations(
    session: Session, actor: Actor, snap, own: list[str], today: date, taken
) -> tuple[list[str], dict[str, list[tuple[str, str]]]]:
    """The actor's own actions plus those a delegation lends them, in the machine's order."""
    lent = delegations.acting_options(
        actor, snap, delegations.principals(session, actor, today), taken
    )
    wanted = set(own) | set(lent)
    ordered = [a for a, source in policy.WHO_MAY if source == snap.state and a in wanted]
    return list(dict.fromkeys(ordered)), lent


def _destinations(state: str, actions: list[str]) -> dict[str, str]:
    return {a: to for a in actions if (to := machine.destination(a, state)) is not None}


def _reason_required(state: str, actions: list[str]) -> frozenset[str]:
    return frozenset(a for a in actions if (a, state) in machine.REASON_REQUIRED)


def _around(session: Session, actor: Actor, item: Task | Deliverable, today: date, noted):
    """What a task's and a deliverable's pages share: the record itself, its comments and
    trail (the last return when its state is one of `noted`), and the allowed actions (the
    actor's own and those a delegation lends them). Returns (participation, fields)."""
    snap = snapshot_of(item)
    events = trail.item_events(session, actor, snap.kind, item.id)
    rows = trail.event_rows(session, events)
    taken = participation_of(session.connection(), snap)
    own = available_actions(actor, snap, taken)
    actions, acting_for = _with_delegations(session, actor, snap, own, today, taken)
    return taken, dict(
        kind=snap.kind,
        id=item.id,
        title=item.title,
        state=item.state,
        version=item.version,
        due_date=item.due_date,
        overdue=deadlines.is_overdue(item.due_date, item.state, today),
        comments=_comments(session, snap.kind, item.id),
        events=rows,
        actions=actions,
        reason_required=_reason_required(item.state, actions),
        destinations=_destinations(item.state, actions),
        last_return=trail.last_return(events, rows) if item.state in noted else None,
        submitted_by_me=item.submitted_by_id == actor.id,
        own_actions=frozenset(own),
        acting_for=acting_for,
    )


def deliverable_detail(
    session: Session, actor: Actor, deliverable_id: int, today: date | None = None
) -> ItemDetail:
    """A deliverable the actor may see, with files, comments, trail and allowed actions
    (their own, and those a delegation lends them), the council's votes, coordinating
    units' contributions and a regulation's versions where the kind has them."""
    today = today or deadlines.local_today()
    d = queries.get_item(session, actor, "deliverable", deliverable_id)
    assert isinstance(d, Deliverable)
    snap = snapshot_of(d)
    task_number, task_title, unit_name = session.execute(
        select(Task.number, Task.title, Unit.name)
        .select_from(Deliverable)
        .join(Unit, Unit.id == Deliverable.unit_id)
        .join(Task, Task.id == Deliverable.task_id)
        .where(Deliverable.id == d.id)
    ).one()
    taken, shared = _around(session, actor, d, today, (DRAFT, SUBMITTED))
    why_not_edit = policy.why_not_edit(actor, snap)
    attachments = attachment_rows(session, "deliverable", [d.id])
    missing = kinds.missing(
        d.kind, d.title, d.body, d.data, (a.purpose for a in attachments if a.purpose)
    )
    panel = votes.council_panel(session, actor, snap, taken)
    offered = contributions.contributions_panel(session, actor, snap)
    return ItemDetail(
        **shared,
        body=d.body,
        unit_name=unit_name,
        task_id=d.task_id,
        task_number=task_number,
        task_title=task_title,
        deliverable_kind=d.kind,
        data=dict(d.data or {}),
        attachments=attachments,
        blocked=_blocked(shared["actions"], missing, panel),
        can_edit=why_not_edit is None,
        edit_blocked=why_not_edit,
        council=panel,
        contributions=offered if offered.shown else None,
        regulation=versions.regulation_summary(session, snap),
        commendation_ready=commendation.commendation_ready(snap),
        can_change_due_date=policy.can_change_due_date(actor, snap),
    )


def task_detail(
    session: Session,
    actor: Actor,
    task_id: int,
    today: date | None = None,
    due_soon_days: int = deadlines.DUE_SOON_DAYS,
) -> ItemDetail:
    """A task: its text from the plan, units, the deliverables the actor may see (an ongoing
    task's periodic reports grouped by period), its own record's state and actions, comments
    and trail."""
    today = today or deadlines.local_today()
    t = queries.get_item(session, actor, "task", task_id)
    assert isinstance(t, Task)
    links = session.execute(
        select(TaskUnit.role, TaskUnit.unit_id, Unit.name)
        .join(Unit, Unit.id == TaskUnit.unit_id)
        .where(TaskUnit.task_id == t.id)
        .order_by(TaskUnit.role, TaskUnit.position)
    ).all()
    leads = [name for role, _, name in links if role == "lead"]
    lead_ids = {uid for role, uid, _ in links if role == "lead"}
    owner = next((name for _, uid, name in links if uid == t.owner_unit_id), "")
    deliverables = [
        DeliverableRow(
            d.id, d.title, d.kind, unit_name, d.state, d.due_date,
            deadlines.is_overdue(d.due_date, d.state, today),
            deadlines.is_due_soon(d.due_date, d.state, today, due_soon_days), d.period_start,
        )
        for d, _, unit_name in queries.deliverable_rows(session, actor, task_id=t.id)
    ]  # fmt: skip
    periods, others = _by_period(deliverables) if t.timing_kind == "ongoing" else ([], [])
    _, shared = _around(session, actor, t, today, (DRAFT,))
    open_required = session.execute(
        select(func.count())
        .select_from(Deliverable)
        .where(
            Deliverable.task_id == t.id,
            Deliverable.required.is_(True),
            Deliverable.state != APPROVED,
        )
    ).scalar_one()
    return ItemDetail(
        **shared,
        body=t.content,
        unit_name=owner,
        task_id=t.id,
        task_number=t.number,
        task_title=t.title,
        timing_text=t.timing_text,
        lead_units=leads,
        coordinating_units=[name for role, _, name in links if role == "coordinating"],
        blocked=_blocked(shared["actions"], guards.task_missing(open_required)),
        deliverables=deliverables,
        can_add_deliverable=policy.can_create_deliverable(actor, lead_ids),
        timing_kind=t.timing_kind,
        periods=periods,
        other_deliverables=others,
    )


def _by_period(rows: list[DeliverableRow]) -> tuple[list[PeriodGroup], list[DeliverableRow]]:
    """Periodic reports grouped by their period (oldest first); the other deliverables."""
    groups: dict[date, list[DeliverableRow]] = {}
    others = []
    for row in rows:
        if row.kind == "periodic_report" and row.period_start is not None:
            groups.setdefault(row.period_start, []).append(row)
        else:
            others.append(row)
    periods = []
    for first in sorted(groups):
        members = sorted(groups[first], key=lambda r: (r.unit_name, r.id))
        last = max((r.due_date for r in members if r.due_date), default=first)
        # Monthly or quarterly (workflow.items.periodic); a quarter cut short by the plan's end
        # still starts a quarter.
        months = 1 if (first.year, first.month) == (last.year, last.month) else 3
        periods.append(PeriodGroup(first, last, months, members))
    return periods, others


@dataclass(frozen=True)
class EditableDeliverable:
    id: int
    title: str
    body: str
    due_date: date | None
    version: int
    kind: str
    task_number: int
    unit_name: str
    attachments: list[AttachmentRow]
    data: dict[str, Any]


def deliverable_for_edit(
    session: Session, actor: Actor, deliverable_id: int
) -> EditableDeliverable:
    """The draft as its editor sees it; the same errors `edit_deliverable` would raise."""
    d = queries.get_item(session, actor, "deliverable", deliverable_id)
    assert isinstance(d, Deliverable)
    snap = snapshot_of(d)
    why = policy.why_not_edit(actor, snap)
    if why is not None:
        raise (InvalidTransition if snap.state != DRAFT else NotPermitted)(why)
    number, unit_name = session.execute(
        select(Task.number, Unit.name)
        .select_from(Deliverable)
        .join(Unit, Unit.id == Deliverable.unit_id)
        .join(Task, Task.id == Deliverable.task_id)
        .where(Deliverable.id == d.id)
    ).one()
    return EditableDeliverable(
        d.id, d.title, d.body, d.due_date, d.version, d.kind, number, unit_name,
        attachment_rows(session, "deliverable", [d.id]), dict(d.data or {}),
    )  # fmt: skip


def ensure_visible(session: Session, actor: Actor, item: tuple[str, int]) -> None:
    """NotFound unless the item exists and the actor may see it."""
    kind, item_id = item
    if kind not in ("task", "deliverable"):
        raise NotFound("Không tìm thấy mục này, hoặc bạn không có quyền xem.")
    queries.get_item(session, actor, kind, item_id)


def check_can_attach(session: Session, actor: Actor, deliverable_id: int) -> None:
    """Before a file is stored: the same refusal `record_attachment` would give."""
    deliverable_for_edit(session, actor, deliverable_id)


def deliverable_with_files(
    session: Session, actor: Actor, deliverable_id: int
) -> tuple[Deliverable, list[AttachmentRow]]:
    """A deliverable the actor may see, with its files (oldest first): the API's detail."""
    item = queries.get_item(session, actor, "deliverable", deliverable_id)
    assert isinstance(item, Deliverable)
    return item, attachment_rows(session, "deliverable", [item.id])
