"""Reading the audit trail: one item's events, the whole trail filtered and paginated (the
audit page, the API, the CSV export), and the notes (a return, a send-back) it holds. One
row type, `EventRow`, for the pages and the API."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import String, func, select, type_coerce
from sqlalchemy.orm import Session

from models import AuditEvent, Deliverable, Plan, Task, Unit, User
from workflow.core import clock, machine, policy, service
from workflow.core.errors import NotPermitted
from workflow.core.policy import Actor
from workflow.reads import queries, wording
from workflow.reads.queries import UnitOption

TRANSITION_ACTIONS = machine.ACTIONS
RETURN_ACTIONS = ("return", "reopen")
# A note the next person must read: a return or reopen (to the owners of a draft), or a
# Director's send-back (to the Office reviewers of a submitted item).
NOTE_ACTIONS = (*RETURN_ACTIONS, "send_back")

MAX_PAGE = 200


@dataclass(frozen=True)
class TrailFilter:
    item_type: str | None = None
    item_id: int | None = None
    username: str | None = None
    unit_id: int | None = None
    action: str | None = None
    date_from: date | None = None  # inclusive, days in Asia/Ho_Chi_Minh (as users see them)
    date_to: date | None = None  # inclusive


def _utc_start_of(day: date) -> datetime:
    """Local midnight of `day`, as the naive UTC the trail stores."""
    local = datetime.combine(day, time.min, tzinfo=clock.LOCAL)
    return local.astimezone(UTC).replace(tzinfo=None)


# --- one event, as the pages and the API show it --------------------------------------


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


# The detail fields of these actions that name a user (by login): shown by name.
_DETAIL_PEOPLE = {"delegate": "delegate", "create": "username", "set_roles": "username",
                  "deactivate": "username", "reactivate": "username"}  # fmt: skip


def event_rows(session: Session, events: list[AuditEvent]) -> list[EventRow]:
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


# --- the notes a return or a send-back leaves ------------------------------------------


@dataclass(frozen=True)
class Note:
    """The last return (or reopen) of an item: what its owners must read; or the last
    send-back of a submitted item: what the Office reviewers must read."""

    action: str
    reason: str | None
    by: str  # the login
    at: datetime
    by_name: str = ""  # as shown: "Nguyễn Văn A (Văn phòng Sở)"


def note_of(event: AuditEvent | None, who: str = "") -> Note | None:
    if event is None or event.action not in NOTE_ACTIONS:
        return None
    return Note(event.action, event.reason, event.actor_username, event.created_at, who)


def last_return(events: list[AuditEvent], rows: list[EventRow]) -> Note | None:
    """The item's last transition as a note, if a return, reopen or send-back (`rows`, the
    same events as shown, give who did it by name)."""
    transitions = [
        (e, r) for e, r in zip(events, rows, strict=True) if e.action in TRANSITION_ACTIONS
    ]
    return note_of(transitions[-1][0], transitions[-1][1].who) if transitions else None


def last_transitions(
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


# --- reading the trail -------------------------------------------------------------------


def item_events(session: Session, actor: Actor, kind: str, item_id: int) -> list[AuditEvent]:
    """An item's events, oldest first; NotFound if the actor may not see the item."""
    conn = session.connection()
    service.require_view(conn, actor, service.load_snapshot(conn, kind, item_id))
    return list(
        session.execute(
            select(AuditEvent)
            .where(AuditEvent.item_type == kind, AuditEvent.item_id == item_id)
            .order_by(AuditEvent.seq)
        ).scalars()
    )


def _filtered(query, where: TrailFilter):
    if where.item_type:
        query = query.where(AuditEvent.item_type == where.item_type)
    if where.item_id is not None:
        query = query.where(AuditEvent.item_id == where.item_id)
    if where.username:
        query = query.where(AuditEvent.actor_username == where.username.strip().lower())
    if where.unit_id is not None:
        query = query.where(AuditEvent.actor_unit_id == where.unit_id)
    if where.action:
        query = query.where(AuditEvent.action == where.action)
    if where.date_from:
        query = query.where(AuditEvent.created_at >= _utc_start_of(where.date_from))
    if where.date_to:
        query = query.where(
            AuditEvent.created_at < _utc_start_of(where.date_to + timedelta(days=1))
        )
    return query


def events_page(
    session: Session,
    actor: Actor,
    where: TrailFilter = TrailFilter(),
    *,
    before_seq: int | None = None,
    limit: int = 50,
) -> tuple[list[AuditEvent], int | None]:
    """Newest first, keyset-paginated on seq; returns (events, cursor for the next page)."""
    if not policy.can_read_full_audit(actor):
        raise NotPermitted("Bạn không có quyền xem toàn bộ nhật ký.")
    limit = max(1, min(limit, MAX_PAGE))
    query = _filtered(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(limit + 1), where)
    if before_seq is not None:
        query = query.where(AuditEvent.seq < before_seq)
    events = list(session.execute(query).scalars())
    cursor = events[limit - 1].seq if len(events) > limit else None
    return events[:limit], cursor


_E = AuditEvent.__table__.c
# What a bulk export reads, in this order; the time as stored text on SQLite (parsed once
# with `datetime.fromisoformat`, much faster than the generic result processor).
EXPORT_COLUMNS = (
    _E.seq, type_coerce(_E.created_at, String), _E.actor_username, _E.actor_roles,
    _E.actor_unit, _E.action, _E.item_type, _E.item_id, _E.from_state, _E.to_state,
    _E.reason, _E.client_addr, _E.detail, _E.on_behalf_of_username,
)  # fmt: skip


def export_page(
    session: Session, where: TrailFilter, *, before_seq: int | None, limit: int
) -> tuple[list[tuple], int | None]:
    """Like `events_page` (the caller checked permission), as plain tuples (EXPORT_COLUMNS)
    for a bulk export: no ORM objects, pages as large as asked."""
    query = _filtered(select(*EXPORT_COLUMNS).order_by(_E.seq.desc()).limit(limit + 1), where)
    if before_seq is not None:
        query = query.where(_E.seq < before_seq)
    rows = session.execute(query).all()
    cursor = rows[limit - 1][0] if len(rows) > limit else None
    return rows[:limit], cursor


# --- the audit page and the CSV export ---------------------------------------------------


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


def item_titles(session: Session, events: list[EventRow]) -> dict[tuple[str, int], str]:
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
    events, cursor = events_page(session, actor, where, before_seq=before, limit=limit)
    rows = event_rows(session, events)
    return AuditPage(
        rows, cursor, queries.units(session), audit_actions(session), item_titles(session, rows)
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
                events, before = export_page(session, where, before_seq=before, limit=EXPORT_BATCH)
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
