"""The user's work queue (the home page): what waits on them, in sections (returned, to
vote, drafts, to review, to approve, waiting), each bounded and keyset-paginated, with the
counts of what they may see. A fixed number of queries whatever the size.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from models import Deliverable, Task, Unit
from workflow.core import policy
from workflow.core.machine import APPROVED, DRAFT, REVIEWED, STATES, SUBMITTED
from workflow.core.policy import Actor
from workflow.reads import deadlines, trail, votes, wording


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
    returned: trail.Note | None = None
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
            d.version, d.due_date, deadlines.is_overdue(d.due_date, d.state, today), d.updated_at,
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
            t.version, t.due_date, deadlines.is_overdue(t.due_date, t.state, today), t.updated_at,
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
    returned_d = Deliverable.last_action.in_(trail.RETURN_ACTIONS)
    returned_t = Task.last_action.in_(trail.RETURN_ACTIONS)
    fresh_d = or_(
        Deliverable.last_action.is_(None), Deliverable.last_action.not_in(trail.RETURN_ACTIONS)
    )
    fresh_t = or_(Task.last_action.is_(None), Task.last_action.not_in(trail.RETURN_ACTIONS))
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
    today = today or deadlines.local_today()
    roles = actor.roles
    is_member = policy.MEMBER in roles and actor.unit_id is not None
    on_council, to_vote = votes.votes_waiting(session, actor)
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
        if r.state in (DRAFT, SUBMITTED) and r.last_action in trail.NOTE_ACTIONS
    ]
    last = trail.last_transitions(session, noted)
    found = wording.people(session, (e.actor_username for e in last.values()))

    def note_of(ref: tuple[str, int]) -> trail.Note | None:
        e = last.get(ref)
        if e is None:
            return None
        full_name = found.get(e.actor_username, ("", ""))[0]
        return trail.note_of(e, wording.person(full_name, e.actor_unit, e.actor_username))

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


def _with_note(row: QueueRow, note: trail.Note) -> QueueRow:
    return QueueRow(**{**row.__dict__, "returned": note})
