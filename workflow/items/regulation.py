"""A regulation (Quy chế) is a document with versions: each submission whose text changed is
a new version; reviewers see what changed; the approved version is in force."""

from __future__ import annotations

import difflib

from sqlalchemy import Connection, func, select, update
from sqlalchemy.orm import Session

from models import Deliverable, RegulationVersion
from workflow.core import clock, effects
from workflow.core.errors import NotFound
from workflow.core.policy import Actor, ItemSnapshot

_D = Deliverable.__table__
_V = RegulationVersion.__table__
VERSIONED_KINDS = frozenset({"regulation"})


def require_versioned(kind: str | None) -> None:
    """Only a regulation has versions: any other kind answers NotFound (page and API)."""
    if kind not in VERSIONED_KINDS:
        raise NotFound("Sản phẩm này không phải là quy chế có phiên bản.")


@effects.on_transition
def after_transition(conn: Connection, done: effects.Transitioned) -> None:
    """A regulation's text becomes a version when submitted, and is in force when approved."""
    if done.snap.deliverable_kind not in VERSIONED_KINDS:
        return
    if done.action == "submit":
        _snapshot_text(conn, done.snap, done.actor)
    elif done.action == "approve":
        _put_in_force(conn, done.snap)


def _snapshot_text(conn: Connection, snap: ItemSnapshot, actor: Actor) -> None:
    body = conn.execute(select(_D.c.body).where(_D.c.id == snap.id)).scalar_one()
    last = conn.execute(
        select(_V.c.number, _V.c.body)
        .where(_V.c.deliverable_id == snap.id)
        .order_by(_V.c.number.desc())
        .limit(1)
    ).first()
    if last is not None and last.body == body:
        return  # resubmitted unchanged: still the same version
    conn.execute(
        _V.insert().values(
            deliverable_id=snap.id,
            number=(last.number if last else 0) + 1,
            body=body,
            created_by_id=actor.id,
            in_force=False,
        )
    )


def _put_in_force(conn: Connection, snap: ItemSnapshot) -> None:
    data = conn.execute(select(_D.c.data).where(_D.c.id == snap.id)).scalar_one() or {}
    latest = conn.execute(
        select(func.max(_V.c.number)).where(_V.c.deliverable_id == snap.id)
    ).scalar_one()
    if latest is None:
        return
    effective = data.get("effective_date") if isinstance(data, dict) else None
    conn.execute(update(_V).where(_V.c.deliverable_id == snap.id).values(in_force=False))
    conn.execute(
        update(_V)
        .where(_V.c.deliverable_id == snap.id, _V.c.number == latest)
        .values(
            in_force=True,
            effective_date=clock.parse_iso(effective) if effective else clock.today_local(),
        )
    )


def versions(session: Session, deliverable_id: int) -> list[RegulationVersion]:
    return list(
        session.execute(
            select(RegulationVersion)
            .where(RegulationVersion.deliverable_id == deliverable_id)
            .order_by(RegulationVersion.number)
        ).scalars()
    )


def diff(old: str, new: str) -> list[tuple[str, str]]:
    """A readable line diff: (" " | "-" | "+", line) pairs, unchanged context included."""
    lines = []
    for line in difflib.ndiff(old.splitlines(), new.splitlines()):
        tag = line[:1]
        if tag in (" ", "-", "+"):
            lines.append((tag, line[2:]))
    return lines
