"""Read side for the pages: the user's queue, the plan overview, an item with everything
around it, the audit page. Each function is a fixed handful of queries, never one per row,
and returns plain dataclasses (no ORM objects leave here except where noted).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from models import (
    Attachment,
    AuditEvent,
    Comment,
    Deliverable,
    Plan,
    Task,
    TaskUnit,
    Unit,
    User,
)
from workflow.core import guards, machine, policy
from workflow.core.errors import InvalidTransition, NotFound, NotPermitted
from workflow.core.machine import APPROVED, DRAFT, REVIEWED, STATES, SUBMITTED
from workflow.core.policy import Actor
from workflow.core.service import available_actions, participation_of, snapshot_of
from workflow.items import kinds
from workflow.reads import queries, trail, ui_reads, wording
from workflow.reads.trail import TrailFilter

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
TRANSITION_ACTIONS = machine.ACTIONS
RETURN_ACTIONS = ("return", "reopen")
# A note the next person must read: a return or reopen (to the owners of a draft), or a
# Director's send-back (to the Office reviewers of a submitted item).
NOTE_ACTIONS = (*RETURN_ACTIONS, "send_back")
DUE_SOON_DAYS = 3


def local_today() -> date:
    """Today in Việt Nam: deadlines are local dates."""
    return datetime.now(LOCAL_TZ).date()


def is_overdue(due: date | None, state: str, today: date) -> bool:
    return due is not None and state != APPROVED and due < today


def is_due_soon(due: date | None, state: str, today: date, days: int = DUE_SOON_DAYS) -> bool:
    """Not yet approved, due today or within `days` days (not overdue yet)."""
    return due is not None and state != APPROVED and today <= due <= today + timedelta(days=days)


# --- shared row types ------------------------------------------------------------------


@dataclass(frozen=True)
class Note:
    """The last return (or reopen) of an item: what its owners must read; or the last
    send-back of a submitted item: what the Office reviewers must read."""

    action: str
    reason: str | None
    by: str  # the login
    at: datetime
    by_name: str = ""  # as shown: "Nguyễn Văn A (Văn phòng Sở)"


@dataclass(frozen=True)
class QueueRow:
    kind: str  # "task" | "deliverable"
    id: int
    title: str
    task_id: int
    task_number: int
    unit_id: int
    unit_name: str
    state: str
    version: int
    due_date: date | None
    overdue: bool
    updated_at: datetime
    submitted_by_me: bool = False
    returned: Note | None = None
    last_action: str | None = None  # the transition that brought it to its state


SECTION_KEYS = ("returned", "to_vote", "drafts", "to_review", "to_approve", "waiting")
SECTION_LIMIT = 20  # rows per section on the home page; "Xem thêm" pages the rest
PAGE_LIMIT = 50  # rows of one section's own page


@dataclass(frozen=True)
class QueueSection:
    key: str  # returned | to_vote | drafts | to_review | to_approve | waiting
    rows: list[QueueRow]
    total: int = 0  # rows the section holds in all (the page shows at most a limit)
    next_after: str | None = None  # keyset cursor of the next page, None on the last


@dataclass(frozen=True)
class Queue:
    sections: list[QueueSection]
    counts: dict[str, int]  # rows per section (every section of this user, shown or not)
    overdue: int  # overdue rows of all the sections
    section: str | None = None  # one section's page (?section=…) or the whole queue
    overdue_only: bool = False  # only the overdue rows (?overdue=1)

    @property
    def total(self) -> int:
        return sum(s.total for s in self.sections)


def _last_transitions(
    session: Session, refs: list[tuple[str, int]]
) -> dict[tuple[str, int], AuditEvent]:
    """The latest state-changing event of each item (a page's rows only, so the IN-list is
    bounded): one query per kind on (item_type, item_id, seq)."""
    found: dict[tuple[str, int], AuditEvent] = {}
    for kind in sorted({k for k, _ in refs}):
        ids = sorted({i for k, i in refs if k == kind})
        latest = (
            select(func.max(AuditEvent.seq).label("seq"))
            .where(
                AuditEvent.item_type == kind,
                AuditEvent.item_id.in_(ids),
                AuditEvent.action.in_(TRANSITION_ACTIONS),
            )
            .group_by(AuditEvent.item_id)
            .subquery()
        )
        for e in session.execute(
            select(AuditEvent).join(latest, AuditEvent.seq == latest.c.seq)
        ).scalars():
            found[(e.item_type, e.item_id)] = e
    return found


def _note(event: AuditEvent | None, who: str = "") -> Note | None:
    if event is None or event.action not in NOTE_ACTIONS:
        return None
    return Note(event.action, event.reason, event.actor_username, event.created_at, who)


# A row's place in every section: due date (none last), then deliverables before tasks, id.
_RANK = {"deliverable": 0, "task": 1}


def _cursor_text(row: QueueRow) -> str:
    due = row.due_date.isoformat() if row.due_date else ""
    return f"{1 if row.due_date is None else 0}.{due}.{_RANK[row.kind]}.{row.id}"


def parse_cursor(text: str | None) -> tuple[int, date | None, int, int] | None:
    """ "phase.yyyy-mm-dd.rank.id" → a tuple; None for anything else (start over)."""
    if not text:
        return None
    try:
        phase, due, rank, item_id = text.split(".")
        if len(item_id) > 10 or int(item_id) > 2**31 - 1:  # not an id the database holds
            return None
        return (
            int(phase) and 1,
            date.fromisoformat(due) if due else None,
            int(rank) and 1,
            int(item_id),
        )
    except ValueError:
        return None


def _keyset_page(session: Session, kind: str, stmt, table, after, limit: int) -> list:
    """Rows of one table after the cursor, in (due none last, rank, id) order, using the
    table's (…, due_date, id) index: dated rows first, then undated ones."""
    rank = _RANK[kind]
    due, ident = table.due_date, table.id
    rows: list = []
    if after is None or after[0] == 0:
        dated = stmt.where(due.is_not(None))
        if after is not None:
            _, c_due, c_rank, c_id = after
            if rank > c_rank:
                dated = dated.where(due >= c_due)
            elif rank < c_rank:
                dated = dated.where(due > c_due)
            else:
                dated = dated.where(or_(due > c_due, and_(due == c_due, ident > c_id)))
        rows = list(session.execute(dated.order_by(due, ident).limit(limit)))
    if len(rows) < limit:
        undated = stmt.where(due.is_(None))
        if after is not None and after[0] == 1:
            _, _, c_rank, c_id = after
            if rank < c_rank:
                return rows
            if rank == c_rank:
                undated = undated.where(ident > c_id)
        rows += list(session.execute(undated.order_by(ident).limit(limit - len(rows))))
    return rows


def _row_key(row: QueueRow) -> tuple:
    return (row.due_date is None, row.due_date or date.max, _RANK[row.kind], row.id)


def _deliverable_rows(session, where, after, limit, actor, today) -> list[QueueRow]:
    stmt = (
        select(Deliverable, Task.number, Unit.name)
        .join(Task, Task.id == Deliverable.task_id)
        .join(Unit, Unit.id == Deliverable.unit_id)
        .where(*where)
    )
    return [
        QueueRow(
            "deliverable", d.id, d.title, d.task_id, number, d.unit_id, unit_name, d.state,
            d.version, d.due_date, is_overdue(d.due_date, d.state, today), d.updated_at,
            d.submitted_by_id == actor.id, None, d.last_action,
        )
        for d, number, unit_name in _keyset_page(
            session, "deliverable", stmt, Deliverable, after, limit
        )
    ]  # fmt: skip


def _task_rows(session, where, after, limit, actor, today) -> list[QueueRow]:
    stmt = select(Task, Unit.name).join(Unit, Unit.id == Task.owner_unit_id).where(*where)
    return [
        QueueRow(
            "task", t.id, t.title, t.id, t.number, t.owner_unit_id, unit_name, t.state,
            t.version, t.due_date, is_overdue(t.due_date, t.state, today), t.updated_at,
            t.submitted_by_id == actor.id, None, t.last_action,
        )
        for t, unit_name in _keyset_page(session, "task", stmt, Task, after, limit)
    ]  # fmt: skip


def _count(session: Session, model, where) -> int:
    return session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def _section_filters(
    actor: Actor, to_vote: set[int], on_council: bool = False
) -> dict[str, list[tuple[str, list]]]:
    """Each section's parts: (kind, conditions), each part one ordered range of an index
    (one state per part, so the range is read in due-date order and stops at the page's
    end). A row belongs to the first section that takes it, as it always did: returned,
    to_vote, drafts, to_review, to_approve, waiting."""
    roles = actor.roles
    is_member = policy.MEMBER in roles and actor.unit_id is not None
    is_reviewer = policy.REVIEWER in roles
    is_approver = bool(roles & policy.APPROVERS)
    not_voting = [Deliverable.id.not_in(to_vote)] if to_vote else []
    returned_d = Deliverable.last_action.in_(RETURN_ACTIONS)
    returned_t = Task.last_action.in_(RETURN_ACTIONS)
    fresh_d = or_(Deliverable.last_action.is_(None), Deliverable.last_action.not_in(RETURN_ACTIONS))
    fresh_t = or_(Task.last_action.is_(None), Task.last_action.not_in(RETURN_ACTIONS))
    open_required = (
        select(Deliverable.id)
        .where(
            Deliverable.task_id == Task.id,
            Deliverable.required.is_(True),
            Deliverable.state != APPROVED,
        )
        .exists()
    )
    filters: dict[str, list[tuple[str, list]]] = {}
    mine_d = [Deliverable.unit_id == actor.unit_id]
    mine_t = [Task.owner_unit_id == actor.unit_id]
    if is_member:
        filters["returned"] = [
            ("deliverable", [*mine_d, Deliverable.state == DRAFT, returned_d]),
            ("task", [*mine_t, Task.state == DRAFT, returned_t]),
        ]
    if on_council or to_vote:
        filters["to_vote"] = [
            ("deliverable", [Deliverable.id.in_(to_vote), Deliverable.state == state])
            for state in STATES
            if state != DRAFT and to_vote
        ]
    if is_member:
        filters["drafts"] = [
            ("deliverable", [*mine_d, Deliverable.state == DRAFT, fresh_d]),
            ("task", [*mine_t, Task.state == DRAFT, fresh_t, ~open_required]),
        ]
    if is_reviewer:
        filters["to_review"] = [
            ("deliverable", [Deliverable.state == SUBMITTED, *not_voting]),
            ("task", [Task.state == SUBMITTED]),
        ]
    if is_approver:
        filters["to_approve"] = [
            ("deliverable", [Deliverable.state == REVIEWED]),
            ("task", [Task.state == REVIEWED]),
        ]
    if is_member:
        waiting = [
            s for s, taken in ((SUBMITTED, is_reviewer), (REVIEWED, is_approver)) if not taken
        ]
        filters["waiting"] = [
            part
            for state in waiting
            for part in (
                ("deliverable", [*mine_d, Deliverable.state == state, *not_voting]),
                ("task", [*mine_t, Task.state == state]),
            )
        ]
        if not filters["waiting"]:
            del filters["waiting"]
    return filters


def my_queue(
    session: Session,
    actor: Actor,
    today: date | None = None,
    *,
    section: str | None = None,
    after: str | None = None,
    limit: int | None = None,
    overdue_only: bool = False,
) -> Queue:
    """What waits on this user, overdue first (earliest due date first). Every section is
    bounded (`limit` rows, keyset-paginated: `section` and `after` give one section's next
    page), counted by indexed aggregates; the notes of returned / sent-back items are read
    for the shown rows only. A fixed number of queries whatever the size.

    The counts (`Queue.counts`: section → rows, `Queue.overdue`: overdue rows of all the
    sections) are those of the lists themselves, so a chip never says more than its list
    holds; `overdue_only` keeps the overdue rows of every section."""
    today = today or local_today()
    roles = actor.roles
    is_member = policy.MEMBER in roles and actor.unit_id is not None
    on_council, to_vote = ui_reads.votes_waiting(session, actor)
    filters = _section_filters(actor, to_vote, on_council)
    if section is not None and section not in filters:
        section = None
    cursor = parse_cursor(after) if section is not None else None
    limit = limit or (PAGE_LIMIT if section is not None else SECTION_LIMIT)
    sections: list[QueueSection] = []
    counts: dict[str, int] = {}
    overdue = 0
    for key in SECTION_KEYS:
        if key not in filters:
            continue
        shown = section is None or key == section
        rows, total = [], 0
        for kind, where in filters[key]:
            table = Deliverable if kind == "deliverable" else Task
            late = [*where, table.due_date < today, table.state != APPROVED]
            n_late = _count(session, table, late)
            overdue += n_late
            if overdue_only:
                where, n = late, n_late
            else:
                n = _count(session, table, where)
            total += n
            if shown and n:
                read = _deliverable_rows if kind == "deliverable" else _task_rows
                rows += read(session, where, cursor, limit + 1, actor, today)
        counts[key] = total
        if not shown:
            continue
        rows.sort(key=_row_key)
        more = len(rows) > limit
        rows = rows[:limit]
        sections.append(QueueSection(key, rows, total, _cursor_text(rows[-1]) if more else None))
    # The notes (a return, a reopen, a Director's send-back) of the shown rows only.
    noted = [
        (r.kind, r.id)
        for s in sections
        for r in s.rows
        if r.state in (DRAFT, SUBMITTED) and r.last_action in NOTE_ACTIONS
    ]
    last = _last_transitions(session, noted)
    found = wording.people(session, (e.actor_username for e in last.values()))

    def note_of(ref: tuple[str, int]) -> Note | None:
        e = last.get(ref)
        if e is None:
            return None
        full_name = found.get(e.actor_username, ("", ""))[0]
        return _note(e, wording.person(full_name, e.actor_unit, e.actor_username))

    sections = [
        QueueSection(
            s.key,
            [_with_note(r, note) if (note := note_of((r.kind, r.id))) else r for r in s.rows],
            s.total,
            s.next_after,
        )
        for s in sections
    ]

    expected = {
        "to_vote": on_council,
        "drafts": is_member,
        "to_review": policy.REVIEWER in roles,
        "to_approve": bool(roles & policy.APPROVERS),
    }
    return Queue(
        [
            s
            for s in sections
            if s.rows or (expected.get(s.key, False) and not overdue_only) or section == s.key
        ],
        counts,
        overdue,
        section,
        overdue_only,
    )


def _with_note(row: QueueRow, note: Note) -> QueueRow:
    return QueueRow(**{**row.__dict__, "returned": note})


# --- plan overview ---------------------------------------------------------------------


@dataclass(frozen=True)
class PlanInfo:
    id: int
    code: str
    number: str
    title: str
    issuer: str
    parent_ref: str
    period_end: date | None


@dataclass(frozen=True)
class PlanRow:
    task: queries.TaskRow
    overdue: bool


@dataclass(frozen=True)
class UnitOption:
    id: int
    name: str
    short_name: str


@dataclass(frozen=True)
class PlanOverview:
    plan: PlanInfo | None
    rows: list[PlanRow]
    units: list[UnitOption]
    total_tasks: int


def units(session: Session) -> list[UnitOption]:
    return [
        UnitOption(u.id, u.name, u.short_name)
        for u in session.execute(select(Unit).order_by(Unit.id)).scalars()
    ]


def plan_overview(
    session: Session,
    actor: Actor,
    *,
    unit_id: int | None = None,
    state: str | None = None,
    today: date | None = None,
    plan_id: int | None = None,
) -> PlanOverview:
    """A plan's tasks (every signed-in user may see tasks), filtered by unit and state; the
    first plan when no `plan_id` is given (NotFound for a plan that does not exist)."""
    if not actor.active:
        raise NotPermitted("Tài khoản đã bị khóa.")
    if state is not None and state not in STATES:
        state = None
    today = today or local_today()
    plan = queries.default_plan(session) if plan_id is None else session.get(Plan, plan_id)
    if plan is None and plan_id is not None:
        raise NotFound("Không tìm thấy kế hoạch này.")
    info = (
        PlanInfo(
            plan.id, plan.code, plan.number, plan.title, plan.issuer, plan.parent_ref,
            plan.period_end,
        )
        if plan is not None
        else None
    )  # fmt: skip
    options = units(session)
    names = {u.id: u.name for u in options}
    all_rows = queries.task_rows(session, plan.id) if plan is not None else []
    rows = [
        PlanRow(r, is_overdue(r.due_date, r.state, today))
        for r in all_rows
        if (state is None or r.state == state)
        and (
            unit_id is None
            or names.get(unit_id) in r.lead_units
            or names.get(unit_id) in r.coordinating_units
        )
    ]
    return PlanOverview(info, rows, options, len(all_rows))


# --- one item with everything around it -------------------------------------------------


@dataclass(frozen=True)
class AttachmentRow:
    id: int
    filename: str
    content_type: str
    size: int
    uploaded_by: str
    created_at: datetime
    purpose: str | None = None  # a file the kind asks for by name (workflow.items.kinds)
    uploaded_by_name: str = ""  # "Nguyễn Văn A (Văn phòng Sở)"


@dataclass(frozen=True)
class CommentRow:
    id: int
    author: str
    author_name: str
    body: str
    created_at: datetime


@dataclass(frozen=True)
class EventRow:
    seq: int
    item_type: str
    item_id: int | None
    actor: str
    actor_name: str
    roles: list[str]
    unit: str
    action: str
    from_state: str | None
    to_state: str | None
    reason: str | None
    at: datetime
    client_addr: str | None
    detail: dict[str, Any]
    # Set when the actor used a delegation (ủy quyền): whose authority they acted with.
    on_behalf_of: str | None = None
    on_behalf_of_name: str = ""
    # As shown: "Nguyễn Văn A (Văn phòng Sở)" (the unit at that moment; "Hệ thống" for the
    # engine), the delegator likewise, and the people the detail names (login → shown).
    who: str = ""
    on_behalf_of_who: str = ""
    names: dict[str, str] = field(default_factory=dict)


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
    events: list[EventRow] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    reason_required: frozenset[str] = frozenset()
    destinations: dict[str, str] = field(default_factory=dict)  # action → state it leads to
    # Allowed actions a guard would still refuse now, with why (e.g. submit, body empty).
    blocked: dict[str, str] = field(default_factory=dict)
    can_edit: bool = False
    edit_blocked: str | None = None
    last_return: Note | None = None
    deliverables: list[DeliverableRow] = field(default_factory=list)
    can_add_deliverable: bool = False
    submitted_by_me: bool = False
    # Delegation: the actions the actor may take with their own authority, and, per action,
    # whose delegated authority (username, full name) would also allow it.
    own_actions: frozenset[str] = frozenset()
    acting_for: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    # The kinds' panels (None / empty when they do not apply to the item).
    council: ui_reads.CouncilPanel | None = None
    contributions: ui_reads.Contributions | None = None
    regulation: ui_reads.RegulationSummary | None = None
    commendation_ready: bool = False
    timing_kind: str = ""
    # Due dates come from the plan: only the Office reviewer or the Director change one.
    can_change_due_date: bool = False
    periods: list[PeriodGroup] = field(default_factory=list)  # ongoing tasks' reports
    other_deliverables: list[DeliverableRow] = field(default_factory=list)


# The detail fields of these actions that name a user (by login): shown by name.
_DETAIL_PEOPLE = {"delegate": "delegate", "create": "username", "set_roles": "username",
                  "deactivate": "username", "reactivate": "username"}  # fmt: skip


def _event_rows(session: Session, events: list[AuditEvent]) -> list[EventRow]:
    """The events with every person named ("Nguyễn Văn A (Văn phòng Sở)": the actor with
    their unit at that moment), all names read in one query."""
    details = [json.loads(e.detail or "{}") for e in events]
    named = [
        d.get(_DETAIL_PEOPLE[e.action])
        for e, d in zip(events, details, strict=True)
        if e.action in _DETAIL_PEOPLE
    ]
    usernames = (
        {e.actor_username for e in events}
        | {e.on_behalf_of_username for e in events if e.on_behalf_of_username}
        | {u for u in named if isinstance(u, str)}
    )
    found = wording.people(session, usernames)
    shown = wording.display_names_from(found, usernames)
    return [
        EventRow(
            seq=e.seq,
            item_type=e.item_type,
            item_id=e.item_id,
            actor=e.actor_username,
            actor_name=found.get(e.actor_username, ("", ""))[0],
            roles=[r for r in (e.actor_roles or "").split(",") if r],
            unit=e.actor_unit or "",
            action=e.action,
            from_state=e.from_state,
            to_state=e.to_state,
            reason=e.reason,
            at=e.created_at,
            client_addr=e.client_addr,
            detail=detail,
            on_behalf_of=e.on_behalf_of_username,
            on_behalf_of_name=found.get(e.on_behalf_of_username or "", ("", ""))[0],
            who=wording.person(
                found.get(e.actor_username, ("", ""))[0], e.actor_unit, e.actor_username
            ),
            on_behalf_of_who=shown.get(e.on_behalf_of_username or "", ""),
            names={u: shown[u] for u in (detail.get(_DETAIL_PEOPLE.get(e.action, "")),)
                   if isinstance(u, str) and u in shown},
        )
        for e, detail in zip(events, details, strict=True)
    ]  # fmt: skip


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


def _attachments(session: Session, kind: str, item_id: int) -> list[AttachmentRow]:
    return [
        AttachmentRow(
            a.id, a.filename, a.content_type, a.size, username, a.created_at, a.purpose,
            wording.person(full_name, unit, username),
        )
        for a, username, full_name, unit in session.execute(
            select(Attachment, User.username, User.full_name, Unit.name)
            .join(User, User.id == Attachment.uploaded_by_id)
            .outerjoin(Unit, Unit.id == User.unit_id)
            .where(Attachment.item_type == kind, Attachment.item_id == item_id)
            .order_by(Attachment.id)
        )
    ]  # fmt: skip


def _last_return(events: list[AuditEvent], rows: list[EventRow]) -> Note | None:
    """The item's last transition as a note, if a return, reopen or send-back (`rows`, the
    same events as shown, give who did it by name)."""
    transitions = [
        (e, r) for e, r in zip(events, rows, strict=True) if e.action in TRANSITION_ACTIONS
    ]
    return _note(transitions[-1][0], transitions[-1][1].who) if transitions else None


def _blocked(
    actions: list[str], missing: list[str], panel: ui_reads.CouncilPanel | None = None
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
    lent = ui_reads.acting_options(actor, snap, ui_reads.principals(session, actor, today), taken)
    wanted = set(own) | set(lent)
    ordered = [a for a, source in policy.WHO_MAY if source == snap.state and a in wanted]
    return list(dict.fromkeys(ordered)), lent


def _destinations(state: str, actions: list[str]) -> dict[str, str]:
    return {a: to for a in actions if (to := machine.destination(a, state)) is not None}


def _reason_required(state: str, actions: list[str]) -> frozenset[str]:
    return frozenset(a for a in actions if (a, state) in machine.REASON_REQUIRED)


def deliverable_detail(
    session: Session, actor: Actor, deliverable_id: int, today: date | None = None
) -> ItemDetail:
    """A deliverable the actor may see, with files, comments, trail and allowed actions
    (their own, and those a delegation lends them), the council's votes, coordinating
    units' contributions and a regulation's versions where the kind has them."""
    today = today or local_today()
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
    events = trail.item_events(session, actor, "deliverable", d.id)
    taken = participation_of(session.connection(), snap)
    own = available_actions(actor, snap, taken)
    actions, acting_for = _with_delegations(session, actor, snap, own, today, taken)
    why_not_edit = policy.why_not_edit(actor, snap)
    attachments = _attachments(session, "deliverable", d.id)
    missing = kinds.missing(
        d.kind, d.title, d.body, d.data, (a.purpose for a in attachments if a.purpose)
    )
    panel = ui_reads.council_panel(session, actor, snap, taken)
    contributions = ui_reads.contributions_panel(session, actor, snap)
    rows = _event_rows(session, events)
    return ItemDetail(
        kind="deliverable",
        id=d.id,
        title=d.title,
        body=d.body,
        state=d.state,
        version=d.version,
        due_date=d.due_date,
        overdue=is_overdue(d.due_date, d.state, today),
        unit_name=unit_name,
        task_id=d.task_id,
        task_number=task_number,
        task_title=task_title,
        deliverable_kind=d.kind,
        data=dict(d.data or {}),
        attachments=attachments,
        comments=_comments(session, "deliverable", d.id),
        events=rows,
        actions=actions,
        reason_required=_reason_required(d.state, actions),
        destinations=_destinations(d.state, actions),
        blocked=_blocked(actions, missing, panel),
        can_edit=why_not_edit is None,
        edit_blocked=why_not_edit,
        last_return=_last_return(events, rows) if d.state in (DRAFT, SUBMITTED) else None,
        submitted_by_me=d.submitted_by_id == actor.id,
        own_actions=frozenset(own),
        acting_for=acting_for,
        council=panel,
        contributions=contributions if contributions.shown else None,
        regulation=ui_reads.regulation_summary(session, snap),
        commendation_ready=ui_reads.commendation_ready(snap),
        can_change_due_date=policy.can_change_due_date(actor, snap),
    )


def task_detail(
    session: Session,
    actor: Actor,
    task_id: int,
    today: date | None = None,
    due_soon_days: int = DUE_SOON_DAYS,
) -> ItemDetail:
    """A task: its text from the plan, units, the deliverables the actor may see (an ongoing
    task's periodic reports grouped by period), its own record's state and actions, comments
    and trail."""
    today = today or local_today()
    t = queries.get_item(session, actor, "task", task_id)
    assert isinstance(t, Task)
    snap = snapshot_of(t)
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
            is_overdue(d.due_date, d.state, today),
            is_due_soon(d.due_date, d.state, today, due_soon_days), d.period_start,
        )
        for d, _, unit_name in queries.deliverable_rows(session, actor, task_id=t.id)
    ]  # fmt: skip
    periods, others = _by_period(deliverables) if t.timing_kind == "ongoing" else ([], [])
    events = trail.item_events(session, actor, "task", t.id)
    rows = _event_rows(session, events)
    taken = participation_of(session.connection(), snap)
    own = available_actions(actor, snap, taken)
    actions, acting_for = _with_delegations(session, actor, snap, own, today, taken)
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
        kind="task",
        id=t.id,
        title=t.title,
        body=t.content,
        state=t.state,
        version=t.version,
        due_date=t.due_date,
        overdue=is_overdue(t.due_date, t.state, today),
        unit_name=owner,
        task_id=t.id,
        task_number=t.number,
        task_title=t.title,
        timing_text=t.timing_text,
        lead_units=leads,
        coordinating_units=[name for role, _, name in links if role == "coordinating"],
        comments=_comments(session, "task", t.id),
        events=rows,
        actions=actions,
        reason_required=_reason_required(t.state, actions),
        destinations=_destinations(t.state, actions),
        blocked=_blocked(actions, guards.task_missing(open_required)),
        last_return=_last_return(events, rows) if t.state == DRAFT else None,
        deliverables=deliverables,
        can_add_deliverable=policy.can_create_deliverable(actor, lead_ids),
        submitted_by_me=t.submitted_by_id == actor.id,
        own_actions=frozenset(own),
        acting_for=acting_for,
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
        _attachments(session, "deliverable", d.id), dict(d.data or {}),
    )  # fmt: skip


def attachment_for_download(session: Session, actor: Actor, attachment_id: int) -> Attachment:
    """An attachment whose item the actor may see; NotFound otherwise (same answer)."""
    attachment = session.get(Attachment, attachment_id)
    if attachment is None:
        raise NotFound("Không tìm thấy tệp này, hoặc bạn không có quyền xem.")
    kind, item_id = attachment.item_type, attachment.item_id
    if kind == "contribution":  # a coordinating unit's file: whoever sees the deliverable
        kind, item_id = "deliverable", ui_reads.contribution_deliverable(session, item_id)
        if item_id is None:
            raise NotFound("Không tìm thấy tệp này, hoặc bạn không có quyền xem.")
    queries.get_item(session, actor, kind, item_id)
    return attachment


def ensure_visible(session: Session, actor: Actor, item: tuple[str, int]) -> None:
    """NotFound unless the item exists and the actor may see it."""
    kind, item_id = item
    if kind not in ("task", "deliverable"):
        raise NotFound("Không tìm thấy mục này, hoặc bạn không có quyền xem.")
    queries.get_item(session, actor, kind, item_id)


def check_can_attach(session: Session, actor: Actor, deliverable_id: int) -> None:
    """Before a file is stored: the same refusal `record_attachment` would give."""
    deliverable_for_edit(session, actor, deliverable_id)


# --- the whole trail -------------------------------------------------------------------


@dataclass(frozen=True)
class AuditPage:
    events: list[EventRow]
    next_before: int | None
    units: list[UnitOption]
    actions: list[str]
    item_titles: dict[tuple[str, int], str]


# Every action the engine writes to the trail (the filter's choices: a constant list, not
# a DISTINCT over the whole trail on every view).
KNOWN_ACTIONS: tuple[str, ...] = (
    *machine.ACTIONS,
    "create", "edit", "comment", "attach", "detach", "vote", "contribute", "delegate",
    "revoke", "periodic_reports", "remind", "api_token_issue", "api_token_revoke",
    "set_roles", "deactivate", "reactivate", "login", "login_failed", "login_throttled",
    "logout", "password_change", "download", "change_due_date", "delete",
)  # fmt: skip


def audit_actions(session: Session | None = None) -> list[str]:
    return sorted(KNOWN_ACTIONS)


def _item_titles(session: Session, events: list[EventRow]) -> dict[tuple[str, int], str]:
    want: dict[str, set[int]] = {"task": set(), "deliverable": set(), "user": set(), "plan": set()}
    for e in events:
        if e.item_type in want and e.item_id is not None:
            want[e.item_type].add(e.item_id)
    titles: dict[tuple[str, int], str] = {}
    if want["task"]:
        for i, n, title in session.execute(
            select(Task.id, Task.number, Task.title).where(Task.id.in_(want["task"]))
        ):
            titles[("task", i)] = f"NV {n}. {title}"
    if want["deliverable"]:
        for i, title in session.execute(
            select(Deliverable.id, Deliverable.title).where(Deliverable.id.in_(want["deliverable"]))
        ):
            titles[("deliverable", i)] = title
    if want["user"]:
        for i, username, full_name, unit in session.execute(
            select(User.id, User.username, User.full_name, Unit.name)
            .outerjoin(Unit, Unit.id == User.unit_id)
            .where(User.id.in_(want["user"]))
        ):
            titles[("user", i)] = wording.person(full_name, unit, username)
    if want["plan"]:
        for i, number, title in session.execute(
            select(Plan.id, Plan.number, Plan.title).where(Plan.id.in_(want["plan"]))
        ):
            titles[("plan", i)] = f"{wording.plan_number(number)}: {title}"
    return titles


def audit_page(
    session: Session,
    actor: Actor,
    where: TrailFilter,
    *,
    before: int | None = None,
    limit: int = 50,
) -> AuditPage:
    """A page of the whole trail (newest first) with what the filter form needs."""
    events, cursor = trail.events_page(session, actor, where, before_seq=before, limit=limit)
    rows = _event_rows(session, events)
    return AuditPage(
        rows, cursor, units(session), audit_actions(session), _item_titles(session, rows)
    )


def require_full_audit(actor: Actor) -> None:
    if not policy.can_read_full_audit(actor):
        raise NotPermitted("Bạn không có quyền xem toàn bộ nhật ký.")


EXPORT_BATCH = 2000
# The fields of each exported event, in order (what `audit_export` yields).
EXPORT_FIELDS = (
    "seq", "at", "actor", "actor_name", "roles", "unit", "action", "item_type", "item_id",
    "from_state", "to_state", "reason", "client_addr", "detail", "on_behalf_of", "people",
)  # fmt: skip
_NOBODY: dict[str, str] = {}


def _as_datetime(value: Any) -> datetime:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _named_in(action: str, detail: str | None) -> str | None:
    """The login an event's detail names (a delegate, a user created or changed)."""
    if action not in _DETAIL_PEOPLE or not detail:
        return None
    named = json.loads(detail).get(_DETAIL_PEOPLE[action])
    return named if isinstance(named, str) else None


def audit_export(
    session_factory: Callable[[], Session],
    actor: Actor,
    where: TrailFilter,
    *,
    max_rows: int | None = None,
) -> Iterator[tuple]:
    """Every matching event, newest first (CSV export), as tuples of EXPORT_FIELDS (the
    roles comma-separated, the detail as its stored JSON text, `people` the delegator and
    whoever the detail names, login → "Nguyễn Văn A (Văn phòng Sở)"), streamed: pages of
    EXPORT_BATCH on the seq index, names read once per page for the logins not seen yet, on
    a session of its own that is always closed when the iteration ends or is abandoned
    (the caller's session is never held open by a download). Checks permission before
    anything is read."""
    require_full_audit(actor)

    def rows() -> Iterator[tuple]:
        session = session_factory()
        names: dict[str, tuple[str, str]] = {}  # login → (full name, unit today)
        try:
            before, sent = None, 0
            while max_rows is None or sent < max_rows:
                events, before = trail.export_page(
                    session, where, before_seq=before, limit=EXPORT_BATCH
                )
                if max_rows is not None:
                    events = events[: max_rows - sent]
                named = [_named_in(e[5], e[12]) for e in events]
                wanted = (
                    ({e[2] for e in events} | {e[13] for e in events if e[13]} | set(named))
                    - names.keys()
                    - {None}
                )
                if wanted:
                    found = wording.people(session, wanted)
                    names.update({u: found.get(u, ("", "")) for u in wanted})
                session.rollback()  # no transaction held between pages
                for (seq, at, who, roles, unit, action, item_type, item_id, *rest), other in zip(
                    events, named, strict=True
                ):
                    on_behalf_of = rest[-1]
                    people = _NOBODY
                    if on_behalf_of or other:
                        people = {
                            u: wording.person(*names.get(u, ("", "")), username=u)
                            for u in (on_behalf_of, other)
                            if u
                        }
                    yield (
                        seq, _as_datetime(at), who, names.get(who, ("", ""))[0], roles or "",
                        unit or "", action, item_type, item_id, *rest, people,
                    )  # fmt: skip
                sent += len(events)
                if before is None:
                    return
        finally:
            session.close()

    return rows()
