"""The one door: every interface (pages, API, CLI) changes an item's state through `perform`.

`perform` takes the chain lock, re-reads the item under it, checks visibility, version,
permission, the machine and its guards, then writes the new state, the bumped version and
the audit event, and commits: one transaction, all or nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Connection,
    Table,
    and_,
    bindparam,
    case,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session, object_session

from models import AuditEvent, Council, Deliverable, Task, TaskUnit, utcnow
from workflow.core import audit, effects, guards, machine, policy, stays
from workflow.core.authority import delegated_authority
from workflow.core.errors import NotFound, StaleVersion
from workflow.core.policy import NO_PARTICIPATION, Actor, ItemSnapshot, Participation
from workflow.core.transaction import write_transaction

ITEM_KINDS = ("task", "deliverable")
_TABLES: dict[str, Table] = {"task": Task.__table__, "deliverable": Deliverable.__table__}
_ID = bindparam("item_id")


def _snapshot_query(kind: str):
    """One SELECT gives everything the rules, guards and effects read about an item."""
    t = _TABLES[kind]
    if kind == "task":
        return select(
            t.c.id,
            t.c.state,
            t.c.version,
            t.c.owner_unit_id,
            t.c.submitted_by_id,
            t.c.reviewed_by_id,
            literal(None),
            literal(0),
            literal(None),
            t.c.title,
            literal(None),
        ).where(t.c.id == _ID)
    council = Council.__table__
    return (
        select(
            t.c.id,
            t.c.state,
            t.c.version,
            t.c.unit_id,
            t.c.submitted_by_id,
            t.c.reviewed_by_id,
            t.c.kind,
            t.c.round,
            t.c.task_id,
            t.c.title,
            council.c.id,
        )
        .select_from(t.outerjoin(council, council.c.deliverable_kind == t.c.kind))
        .where(t.c.id == _ID)
    )


_SNAPSHOT = {kind: _snapshot_query(kind) for kind in ITEM_KINDS}


@dataclass(frozen=True)
class Outcome:
    kind: str
    id: int
    action: str
    from_state: str
    to_state: str
    version: int
    audit_seq: int


def item_ref(item: Any) -> tuple[str, int]:
    """("task" | "deliverable", id) for an ORM item or a (kind, id) pair."""
    if isinstance(item, Task):
        return "task", item.id
    if isinstance(item, Deliverable):
        return "deliverable", item.id
    kind, item_id = item
    if kind not in ITEM_KINDS:
        raise NotFound("Không tìm thấy mục này.")
    return kind, int(item_id)


def snapshot_of(item: Task | Deliverable) -> ItemSnapshot:
    kind = "task" if isinstance(item, Task) else "deliverable"
    return ItemSnapshot(
        kind=kind,
        id=item.id,
        state=item.state,
        version=item.version,
        owner_unit_id=item.owner_unit_id if kind == "task" else item.unit_id,
        submitted_by_id=item.submitted_by_id,
        reviewed_by_id=item.reviewed_by_id,
        deliverable_kind=item.kind if kind == "deliverable" else None,
        round=item.round if kind == "deliverable" else 0,
        task_id=item.task_id if kind == "deliverable" else None,
        title=item.title,
    )


_TU = TaskUnit.__table__
_COORDINATES = select(_TU.c.task_id).where(
    _TU.c.task_id == bindparam("task_id"),
    _TU.c.unit_id == bindparam("unit_id"),
    _TU.c.role == "coordinating",
)


def coordinates(conn: Connection, actor: Actor, snap: ItemSnapshot) -> bool:
    """Whether the actor's unit coordinates the deliverable's task (one query, only asked
    when visibility depends on it)."""
    if snap.task_id is None or actor.unit_id is None:
        return False
    found = conn.execute(_COORDINATES, {"task_id": snap.task_id, "unit_id": actor.unit_id})
    return found.first() is not None


def require_view(conn: Connection, actor: Actor, snap: ItemSnapshot) -> None:
    policy.require_view(
        actor,
        snap,
        policy.needs_coordination_check(actor, snap) and coordinates(conn, actor, snap),
    )


def load_snapshot(conn: Connection, kind: str, item_id: int) -> ItemSnapshot:
    row = conn.execute(_SNAPSHOT[kind], {"item_id": item_id}).first()
    if row is None:
        raise NotFound("Không tìm thấy mục này, hoặc bạn không có quyền xem.")
    return ItemSnapshot(kind, *row)


@contextmanager
def locked_item(
    session: Session, actor: Actor, kind: str, item_id: int, expected_version: int | None = None
) -> Iterator[tuple[Connection, tuple[int, str], ItemSnapshot]]:
    """Take the chain lock, re-read the item under it, check it is visible and unchanged.

    Yields (connection, chain head, snapshot); commits when the block ends, rolls back if
    it raises. Every write of the engine runs inside one of these.
    """
    with write_transaction(session) as write:
        snap = load_snapshot(write.conn, kind, item_id)
        require_view(write.conn, actor, snap)
        if expected_version is not None and snap.version != expected_version:
            raise StaleVersion(
                "Mục này vừa được người khác thay đổi; hãy tải lại trang và thử lại.",
                current_version=snap.version,
            )
        yield write.conn, write.head, snap


_E = AuditEvent.__table__
_PARTICIPATION_COLUMNS = (
    _E.c.item_type,
    _E.c.item_id,
    _E.c.action,
    _E.c.actor_id,
    _E.c.on_behalf_of_id,
    case((_E.c.action == "vote", _E.c.detail), else_=None),
)


def _fold(rows) -> dict[tuple[str, int], Participation]:
    events: dict[tuple[str, int], list] = {}
    for item_type, item_id, action, actor_id, behalf_id, vote_detail in rows:
        in_favour = bool(json.loads(vote_detail).get("in_favour")) if vote_detail else False
        events.setdefault((item_type, item_id), []).append((action, actor_id, behalf_id, in_favour))
    return {ref: policy.participation(found) for ref, found in events.items()}


def participations(
    conn: Connection, snaps: list[ItemSnapshot]
) -> dict[tuple[str, int], Participation]:
    """Who took part in each item's current round (policy.participation), for the items
    whose decisions depend on it: one query over the items' own events, read through the
    (item_type, item_id, seq) index, so its cost follows those items' histories, never the
    whole trail."""
    refs = list(dict.fromkeys((s.kind, s.id) for s in snaps if policy.needs_participation(s)))
    if not refs:
        return {}
    ids: dict[str, list[int]] = {}
    for kind, item_id in refs:
        ids.setdefault(kind, []).append(item_id)
    rows = conn.execute(
        select(*_PARTICIPATION_COLUMNS)
        .where(
            or_(*(and_(_E.c.item_type == k, _E.c.item_id.in_(v)) for k, v in ids.items())),
            _E.c.action.in_(sorted(policy.PARTICIPATION_ACTIONS)),
        )
        .order_by(_E.c.seq)
    )
    return _fold(rows)


def participation_of(conn: Connection, snap: ItemSnapshot) -> Participation:
    return participations(conn, [snap]).get((snap.kind, snap.id), NO_PARTICIPATION)


def _connection_of(item: Any) -> Connection | None:
    found = object_session(item) if isinstance(item, Task | Deliverable) else None
    return found.connection() if found is not None else None


def available_actions(
    actor: Actor,
    item: ItemSnapshot | Task | Deliverable,
    participation: Participation | None = None,
) -> list[str]:
    """The actions `actor` may take on the item now (guards that need input not checked):
    those `policy.refusal` does not refuse, exactly what `perform` would let through.
    `participation`: who took part in the item's round (`participations`, loaded once for
    a list); read here for an ORM item when it is not given."""
    snap = item if isinstance(item, ItemSnapshot) else snapshot_of(item)
    if not policy.can_view(actor, snap):
        return []
    if participation is None:
        conn = _connection_of(item)
        participation = participation_of(conn, snap) if conn is not None else NO_PARTICIPATION
    return [
        action
        for (action, source) in policy.WHO_MAY
        if source == snap.state and policy.refusal(actor, snap, action, participation) is None
    ]


def decide(
    conn: Connection,
    actor: Actor,
    snap: ItemSnapshot,
    action: str,
    on_behalf_of: str | None = None,
) -> Actor:
    """Raise what `perform` refuses `action` with (the item already seen by `actor`);
    return whose authority it is taken with. Reads, never writes: `perform` calls it under
    the lock, the pages before asking for a confirmation."""
    if action not in machine.ACTIONS:  # after visibility: an unseen item stays unseen
        raise policy.refusal(actor, snap, action).exception()
    authority = actor
    if on_behalf_of is not None:
        authority = delegated_authority(conn, actor, on_behalf_of)
        require_view(conn, authority, snap)
    participation = participation_of(conn, snap)
    found = policy.refusal(authority, snap, action, participation, person=actor)
    if found is not None:
        raise found.exception()
    return authority


def check_action(
    session: Session,
    actor: Actor,
    item: Any,
    action: str,
    on_behalf_of: str | None = None,
) -> None:
    """What `perform` would refuse with for `action` now, raised without writing anything
    (pages ask before a confirmation): the same `decide`, outside the lock."""
    kind, item_id = item_ref(item)
    conn = session.connection()
    snap = load_snapshot(conn, kind, item_id)
    require_view(conn, actor, snap)
    decide(conn, actor, snap, action, on_behalf_of)


_D = Deliverable.__table__
_UNAPPROVED_REQUIRED = (
    select(func.count())
    .select_from(_D)
    .where(_D.c.task_id == _ID, _D.c.required.is_(True), _D.c.state != machine.APPROVED)
)


def missing_for(session: Session, item: Any) -> list[str]:
    """What the item still lacks before it can be submitted (the submit guard's facts), for
    pages that show it before anyone clicks."""
    kind, item_id = item_ref(item)
    conn = session.connection()
    return effects.facts(conn, load_snapshot(conn, kind, item_id), "submit").get("missing", [])


@effects.fact("submit", "task", "missing")
def _task_missing(conn: Connection, snap: ItemSnapshot) -> list[str]:
    open_count = conn.execute(_UNAPPROVED_REQUIRED, {"item_id": snap.id}).scalar_one()
    return guards.task_missing(open_count)


def _transition_statement(kind: str, who: tuple[str, ...], new_round: bool):
    """UPDATE … SET state, version, updated_at[, who columns] WHERE id AND version (built once).

    A deliverable's submission, or its sending back for another review, opens a new round
    (council votes count per round: old votes never review the item again).
    """
    table = _TABLES[kind]
    values: dict[str, Any] = {"state": bindparam("to_state"), "version": bindparam("new_version")}
    values["updated_at"] = bindparam("now")
    values["state_entered_at"] = bindparam("now")
    values["last_action"] = bindparam("action")
    values.update({column: bindparam(f"set_{column}") for column in who})
    if new_round:
        values["round"] = table.c.round + 1
    return (
        update(table)
        .where(table.c.id == _ID, table.c.version == bindparam("old_version"))
        .values(values)
    )


_TRANSITION_STATEMENTS: dict[tuple[str, tuple[str, ...], bool], Any] = {}


def _who_fields(action: str, actor: Actor, to_state: str) -> dict[str, Any]:
    """Who submitted / reviewed the current round, for separation of duties."""
    if action == "submit":
        return {"submitted_by_id": actor.id, "reviewed_by_id": None}
    if action == "review":
        return {"reviewed_by_id": actor.id}
    if to_state in (machine.DRAFT, machine.SUBMITTED):
        return {"reviewed_by_id": None}
    return {}


def change_item(
    conn: Connection,
    head: tuple[int, str],
    snap: ItemSnapshot,
    actor: Actor,
    action: str,
    values: dict[str, Any],
    *,
    detail: dict[str, Any] | None = None,
    reason: str | None = None,
    client_addr: str | None = None,
) -> int:
    """Write an edit of the item's own fields (not its state), move its version on and
    audit it as `action`, under the lock `locked_item` took; returns the new version. The
    one place besides a transition that changes `version`, so an edit and a transition can
    never pass each other."""
    table = (Task if snap.kind == "task" else Deliverable).__table__
    version = snap.version + 1
    changed = conn.execute(
        update(table)
        .where(table.c.id == snap.id, table.c.version == snap.version)
        .values(**values, version=version, updated_at=utcnow())
    ).rowcount
    if changed != 1:  # cannot happen under the chain lock; refuse rather than guess
        raise StaleVersion("Mục này vừa được người khác thay đổi; hãy tải lại trang.")
    audit.append(
        conn,
        head,
        item_type=snap.kind,
        item_id=snap.id,
        action=action,
        from_state=snap.state,
        to_state=snap.state,
        reason=reason,
        client_addr=client_addr,
        detail={"version": version, **(detail or {})},
        **audit.actor_fields(actor),
    )
    return version


def perform(
    session: Session,
    actor: Actor,
    item: Any,
    action: str,
    *,
    reason: str | None = None,
    expected_version: int | None = None,
    client_addr: str | None = None,
    on_behalf_of: str | None = None,
) -> Outcome:
    """Take `action` on a task or deliverable as `actor`, or raise a WorkflowError.

    Commits on success, rolls the session back on any error. When `item` is an ORM object
    and no `expected_version` is given, the version it was loaded with is expected.
    `on_behalf_of` names a user whose active delegation (ủy quyền) the actor uses: the
    rules are checked with that user's roles, the trail records both people.
    """
    kind, item_id = item_ref(item)
    if expected_version is None and isinstance(item, Task | Deliverable):
        expected_version = item.__dict__.get("version")
    reason = (reason or "").strip() or None
    with locked_item(session, actor, kind, item_id, expected_version) as (conn, head, snap):
        authority = decide(conn, actor, snap, action, on_behalf_of)
        event = apply_transition(
            conn,
            head,
            snap,
            action,
            actor,
            authority=authority,
            reason=reason,
            client_addr=client_addr,
        )
    return Outcome(
        kind, item_id, action, snap.state, event["to_state"], snap.version + 1, event["seq"]
    )


def apply_transition(
    conn: Connection,
    head: tuple[int, str],
    snap: ItemSnapshot,
    action: str,
    actor: Actor,
    *,
    authority: Actor | None = None,
    reason: str | None = None,
    client_addr: str | None = None,
    detail: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Fire the machine (guards included), write state, version and the audit event, and the
    transition's effects (mail, regulation versions). Permission was checked by the caller;
    runs inside `locked_item`. Returns the audit event as written."""
    authority = authority or actor
    facts = effects.facts(conn, snap, action)
    to_state = machine.fire(machine.Attempt(snap.state, snap, reason, facts), action)

    who = _who_fields(action, actor, to_state)
    now = utcnow()
    stay = stays.started(conn, snap.id) if snap.kind == "deliverable" else None
    key = (snap.kind, tuple(who), snap.kind == "deliverable" and action in ("submit", "send_back"))
    statement = _TRANSITION_STATEMENTS.get(key)
    if statement is None:
        statement = _TRANSITION_STATEMENTS[key] = _transition_statement(*key)
    changed = conn.execute(
        statement,
        {
            "item_id": snap.id,
            "old_version": snap.version,
            "to_state": to_state,
            "new_version": snap.version + 1,
            "now": now,
            "action": action,
            **{f"set_{column}": value for column, value in who.items()},
        },
    ).rowcount
    if changed != 1:  # cannot happen under the chain lock; refuse rather than guess
        raise StaleVersion("Mục này vừa được người khác thay đổi; hãy tải lại trang.")
    if stay is not None:
        stays.record(conn, stay, snap.state, now)
    on_behalf = (
        {"on_behalf_of_id": authority.id, "on_behalf_of_username": authority.username}
        if authority is not actor
        else {}
    )
    event = audit.append(
        conn,
        head,
        item_type=snap.kind,
        item_id=snap.id,
        action=action,
        from_state=snap.state,
        to_state=to_state,
        reason=reason,
        client_addr=client_addr,
        created_at=now,  # the same instant as the item's state_entered_at
        detail={"version": snap.version + 1, **(detail or {})},
        **audit.actor_fields(actor),
        **on_behalf,
    )
    effects.after_transition(conn, effects.Transitioned(snap, action, to_state, actor, reason))
    return event
