"""The in-app inbox (issue 12): what came back to me, what waits on my review, approval or
vote, what falls due within three days.

Notifications are stored rows, written in the transaction of the action that causes them
(`after_transition`, called from `workflow.core.effects`) or by `remind` (cron) for due dates, so
a failed action notifies nobody and the unread count is one bounded range of the
(user_id, read_at, id) index, whatever the size of the plans and the audit trail.
When an item moves on, its earlier unread notifications are settled (marked read): what
they asked for has been done, by someone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Connection, func, select, update
from sqlalchemy.orm import Session

from models import (
    CouncilMember,
    Deliverable,
    Notification,
    Plan,
    Task,
    Unit,
    User,
    UserRole,
    utcnow,
)
from workflow.core import effects, machine, policy
from workflow.core.errors import NotFound
from workflow.core.policy import APPROVERS, MEMBER, REVIEWER, Actor, ItemSnapshot

KINDS = ("returned", "to_review", "to_vote", "to_approve", "sent_back", "approved", "due_soon")
UNREAD_CAP = 100  # the header says "99+" beyond: the count never reads more than this
PAGE_SIZE = 30
DUE_SOON_DAYS = 3

_NOTIFICATION = Notification.__table__


def _role_holders(roles) -> select:
    return select(UserRole.user_id).where(UserRole.role.in_(sorted(roles)))


def _recipients(conn: Connection, snap: ItemSnapshot, action: str) -> tuple[str, list[int]]:
    """(kind, user ids) of whoever must act next, or whose item came back / went through."""
    active = select(User.id).where(User.active.is_(True))
    if action == "submit":
        if snap.council_id is not None:
            people = active.where(
                User.id.in_(
                    select(CouncilMember.user_id).where(CouncilMember.council_id == snap.council_id)
                )
            )
            kind = "to_vote"
        else:
            people, kind = active.where(User.id.in_(_role_holders({REVIEWER}))), "to_review"
    elif action == "review":
        people, kind = active.where(User.id.in_(_role_holders(APPROVERS))), "to_approve"
    elif action == "send_back":
        people, kind = active.where(User.id.in_(_role_holders({REVIEWER}))), "sent_back"
    elif action in ("return", "reopen"):
        # the owning unit's members (and whoever submitted it, wherever they sit now)
        members = active.where(
            User.unit_id == snap.owner_unit_id, User.id.in_(_role_holders({MEMBER}))
        )
        ids = set(conn.execute(members).scalars())
        if snap.submitted_by_id:
            ids |= set(conn.execute(active.where(User.id == snap.submitted_by_id)).scalars())
        return "returned", sorted(ids)
    elif action == "approve" and snap.submitted_by_id:
        people, kind = active.where(User.id == snap.submitted_by_id), "approved"
    else:
        return "", []
    return kind, sorted(set(conn.execute(people).scalars()))


def _display_name(conn: Connection, actor: Actor) -> str:
    name = conn.execute(select(User.full_name).where(User.id == actor.id)).scalar()
    name = name or actor.username
    return f"{name} ({actor.unit_name})" if actor.unit_name else name


@effects.on_transition
def after_transition(conn: Connection, done: effects.Transitioned) -> None:
    """In the transition's transaction: settle the item's earlier unread notifications and
    tell whoever acts next. A bounded write: one row per person concerned."""
    snap, action, actor, reason = done.snap, done.action, done.actor, done.reason
    now = utcnow()
    conn.execute(
        update(_NOTIFICATION)
        .where(
            _NOTIFICATION.c.item_type == snap.kind,
            _NOTIFICATION.c.item_id == snap.id,
            _NOTIFICATION.c.kind.in_(KINDS),
            _NOTIFICATION.c.read_at.is_(None),
        )
        .values(read_at=now)
    )
    kind, people = _recipients(conn, snap, action)
    people = [p for p in people if p != actor.id]
    if not people:
        return
    title = snap.title or ""
    if snap.kind == "task":
        title = "Báo cáo hoàn thành nhiệm vụ: " + title
    due = _due_date(conn, snap)
    conn.execute(
        _NOTIFICATION.insert(),
        [
            {
                "user_id": person,
                "kind": kind,
                "item_type": snap.kind,
                "item_id": snap.id,
                "title": title[:300],
                "actor_name": _display_name(conn, actor)[:200],
                "reason": reason,
                "due_date": due,
                "created_at": now,
                "read_at": None,
            }
            for person in people
        ],
    )


def _due_date(conn: Connection, snap: ItemSnapshot) -> date | None:
    table = Task if snap.kind == "task" else Deliverable
    return conn.execute(select(table.due_date).where(table.id == snap.id)).scalar()


def record_due_soon(conn: Connection, today: date, days: int = DUE_SOON_DAYS) -> int:
    """For `remind` (cron): each member of a unit with a deliverable not yet approved and
    due between today and `days` days on is told once per item and due date. Returns the
    rows written."""
    items = conn.execute(
        select(Deliverable.id, Deliverable.title, Deliverable.due_date, Deliverable.unit_id)
        .where(
            Deliverable.state != machine.APPROVED,
            Deliverable.due_date >= today,
            Deliverable.due_date <= today + timedelta(days=days),
        )
        .order_by(Deliverable.due_date, Deliverable.id)
    ).all()
    if not items:
        return 0
    told: set[tuple[int, int, date | None]] = set()
    ids = [i.id for i in items]
    for start in range(0, len(ids), 500):
        told |= {
            (row.item_id, row.user_id, row.due_date)
            for row in conn.execute(
                select(Notification.item_id, Notification.user_id, Notification.due_date).where(
                    Notification.item_type == "deliverable",
                    Notification.item_id.in_(ids[start : start + 500]),
                    Notification.kind == "due_soon",
                )
            )
        }
    members: dict[int, list[int]] = {}
    for uid, unit_id in conn.execute(
        select(User.id, User.unit_id).where(
            User.active.is_(True),
            User.unit_id.in_({i.unit_id for i in items}),
            User.id.in_(_role_holders({MEMBER})),
        )
    ):
        members.setdefault(unit_id, []).append(uid)
    now = utcnow()
    rows = [
        {
            "user_id": uid,
            "kind": "due_soon",
            "item_type": "deliverable",
            "item_id": item.id,
            "title": item.title[:300],
            "actor_name": "",
            "reason": None,
            "due_date": item.due_date,
            "created_at": now,
            "read_at": None,
        }
        for item in items
        for uid in members.get(item.unit_id, ())
        if (item.id, uid, item.due_date) not in told
    ]
    if rows:
        conn.execute(_NOTIFICATION.insert(), rows)
    return len(rows)


# --- reads -------------------------------------------------------------------------------


def unread_count(session: Session, user_id: int) -> int:
    """At most UNREAD_CAP: one range of the (user_id, read_at, id) index, stopped early."""
    unread = (
        select(Notification.id)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        # the index's own order: the planner reads its range, never the table (PostgreSQL
        # chose a sequential scan for a reader holding half the rows)
        .order_by(Notification.user_id, Notification.read_at, Notification.id)
        .limit(UNREAD_CAP)
        .subquery()
    )
    return session.execute(select(func.count()).select_from(unread)).scalar_one()


@dataclass(frozen=True)
class NotificationRow:
    id: int
    kind: str
    item_type: str
    item_id: int
    title: str
    actor_name: str
    reason: str | None
    due_date: date | None
    created_at: datetime
    read: bool


@dataclass(frozen=True)
class NotificationsPage:
    rows: list[NotificationRow]
    unread: int  # capped at UNREAD_CAP
    next_before: int | None  # keyset cursor of the next (older) page
    only_unread: bool


def page(
    session: Session,
    actor: Actor,
    *,
    before: int | None = None,
    only_unread: bool = False,
    limit: int = PAGE_SIZE,
) -> NotificationsPage:
    """The actor's notifications, newest first, `limit` a page (keyset on id)."""
    limit = max(1, min(limit, 100))
    stmt = select(Notification).where(Notification.user_id == actor.id)
    if only_unread:
        stmt = stmt.where(Notification.read_at.is_(None))
    if before is not None:
        stmt = stmt.where(Notification.id < before)
    # (user_id, id) descending: the (user_id, id) index's order, so the page is a range of
    # it (ordering by id alone, PostgreSQL walked the primary key backwards past others' rows)
    newest_first = (Notification.user_id.desc(), Notification.id.desc())
    found = list(session.execute(stmt.order_by(*newest_first).limit(limit + 1)).scalars())
    more = len(found) > limit
    found = found[:limit]
    rows = [
        NotificationRow(
            n.id, n.kind, n.item_type, n.item_id, n.title, n.actor_name, n.reason, n.due_date,
            n.created_at, n.read_at is not None,
        )
        for n in found
    ]  # fmt: skip
    return NotificationsPage(
        rows, unread_count(session, actor.id), found[-1].id if more else None, only_unread
    )


def mark_read(session: Session, actor: Actor, notification_id: int) -> Notification:
    """Mark one of the actor's own notifications read (NotFound for anyone else's)."""
    found = session.execute(
        select(Notification).where(
            Notification.id == notification_id, Notification.user_id == actor.id
        )
    ).scalar_one_or_none()
    if found is None:
        raise NotFound("Không tìm thấy thông báo này.")
    if found.read_at is None:
        found.read_at = utcnow()
    session.commit()
    return found


def mark_all_read(session: Session, actor: Actor) -> int:
    """Every unread notification of the actor; returns how many."""
    result = session.execute(
        update(_NOTIFICATION)
        .where(_NOTIFICATION.c.user_id == actor.id, _NOTIFICATION.c.read_at.is_(None))
        .values(read_at=utcnow())
    )
    session.commit()
    return result.rowcount or 0


# --- search by title across plans ------------------------------------------------------

SEARCH_MIN, SEARCH_MAX = 2, 100
SEARCH_PAGE = 30
# A title search reads at most this many deliverables (an id range of the primary key) per
# request, whatever it finds: a rare word never scans the whole province; "Tìm tiếp" goes on.
SEARCH_WINDOW = 20_000


@dataclass(frozen=True)
class SearchRow:
    kind: str  # "task" | "deliverable"
    id: int
    title: str
    plan_id: int
    plan_title: str
    task_number: int
    unit_name: str
    state: str
    due_date: date | None


@dataclass(frozen=True)
class SearchPage:
    q: str
    state: str | None
    tasks: list[SearchRow]  # the first matching tasks (every user sees tasks)
    rows: list[SearchRow]  # a page of deliverables the actor may see, by id
    next_after: int | None
    plan_id: int | None = None  # one plan's deliverables (the dashboard's chips)
    overdue: bool = False
    total: int | None = None  # one plan's matching deliverables, all units (as the chips)
    visible: int | None = None  # … of which the actor may see (the list's length)
    window_end: bool = False  # the page stopped at SEARCH_WINDOW, not at a full page

    @property
    def active(self) -> bool:
        return len(self.q) >= SEARCH_MIN or self.plan_id is not None


def _pattern(q: str) -> str:
    return "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def search(
    session: Session,
    actor: Actor,
    q: str,
    *,
    state: str | None = None,
    after: int | None = None,
    limit: int = SEARCH_PAGE,
    plan_id: int | None = None,
    overdue: bool = False,
    today: date | None = None,
) -> SearchPage:
    """Tasks and deliverables whose title holds `q` (case-insensitive), across every plan,
    deliverables filtered by what the actor may see; or one plan's deliverables in a state
    / overdue (what the dashboard's chips count, with both counts: all units', and the ones
    the actor may see). Bounded: `q` of 2 to 100 characters (or a plan), a page of `limit`
    deliverables in id order after the keyset cursor `after`, reading at most SEARCH_WINDOW
    deliverables' ids (then `next_after` is the window's end: "Tìm tiếp"), at most 10 tasks;
    a plan's counts and rows read that plan's rows only."""
    from workflow.core import clock

    q = " ".join((q or "").split())[:SEARCH_MAX]
    if state not in machine.STATES:
        state = None
    empty = SearchPage(q, state, [], [], None, plan_id, overdue)
    if len(q) < SEARCH_MIN and plan_id is None:
        return empty
    today = today or clock.today_local()
    pattern = _pattern(q) if len(q) >= SEARCH_MIN else None
    tasks: list[SearchRow] = []
    if after is None and pattern is not None:
        found_tasks = select(Task, Plan, Unit.name).join(Plan, Plan.id == Task.plan_id)
        found_tasks = found_tasks.outerjoin(Unit, Unit.id == Task.owner_unit_id)
        found_tasks = found_tasks.where(Task.title.ilike(pattern, escape="\\"))
        if plan_id is not None:
            found_tasks = found_tasks.where(Task.plan_id == plan_id)
        tasks = [
            SearchRow("task", t.id, t.title, p.id, p.title, t.number, u or "", t.state, t.due_date)
            for t, p, u in session.execute(found_tasks.order_by(Task.id).limit(10))
        ]
    where = []
    if pattern is not None:
        where.append(Deliverable.title.ilike(pattern, escape="\\"))
    if plan_id is not None:
        where.append(Deliverable.task_id.in_(select(Task.id).where(Task.plan_id == plan_id)))
    if state is not None:
        where.append(Deliverable.state == state)
    if overdue:
        where += [Deliverable.due_date < today, Deliverable.state != machine.APPROVED]
    seen = policy.visible_deliverables(actor, Deliverable)
    total = visible = None
    if plan_id is not None:
        count = select(func.count()).select_from(Deliverable)
        total = session.execute(count.where(*where)).scalar_one()
        visible = session.execute(count.where(*where, seen)).scalar_one()
    stmt = (
        select(Deliverable, Task.number, Task.plan_id, Plan.title, Unit.name)
        .join(Task, Task.id == Deliverable.task_id)
        .join(Plan, Plan.id == Task.plan_id)
        .join(Unit, Unit.id == Deliverable.unit_id)
        .where(*where, seen)
    )
    if after is not None:
        stmt = stmt.where(Deliverable.id > after)
    window_to = None
    if plan_id is None:  # a title search across plans: one window of ids per request
        window_to = (after or 0) + SEARCH_WINDOW
        stmt = stmt.where(Deliverable.id <= window_to)
    found = session.execute(stmt.order_by(Deliverable.id).limit(limit + 1)).all()
    more = len(found) > limit
    window_end = False
    if not more and window_to is not None:
        last_id = session.execute(select(func.max(Deliverable.id))).scalar() or 0
        window_end = last_id > window_to
    rows = [
        SearchRow("deliverable", d.id, d.title, pid, plan_title, number, unit, d.state, d.due_date)
        for d, number, pid, plan_title, unit in found[:limit]
    ]
    next_after = rows[-1].id if more else (window_to if window_end else None)
    return SearchPage(
        q, state, tasks, rows, next_after, plan_id, overdue, total, visible, window_end
    )
