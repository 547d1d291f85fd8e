"""Arranging items in a given state, the way users would get them there (through perform)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import AuditEvent, Deliverable, Task
from workflow import editing, service
from workflow.policy import Actor

# The path from draft to each state, as (username, action) steps by the demo users.
PATH_TO = {
    "draft": (),
    "submitted": (("vp.chuyenvien", "submit"),),
    "reviewed": (("vp.chuyenvien", "submit"), ("vp.thamdinh", "review")),
    "approved": (("vp.chuyenvien", "submit"), ("vp.thamdinh", "review"), ("giamdoc", "approve")),
}


def office_deliverable(session: Session, kind: str = "steering_committee") -> Deliverable:
    return session.execute(select(Deliverable).where(Deliverable.kind == kind)).scalar_one()


def fill(session: Session, actors: dict[str, Actor], deliverable_id: int) -> None:
    editing.edit_deliverable(
        session, actors["vp.chuyenvien"], deliverable_id, {"body": "Nội dung đầy đủ."}
    )


def bring_to(session: Session, actors: dict[str, Actor], item: tuple[str, int], state: str) -> None:
    if item[0] == "deliverable":
        fill(session, actors, item[1])
    for username, action in PATH_TO[state]:
        service.perform(session, actors[username], item, action)


def audit_count(session: Session) -> int:
    session.rollback()
    return session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()


def state_and_version(session: Session, item: tuple[str, int]) -> tuple[str, int]:
    session.rollback()
    model = Task if item[0] == "task" else Deliverable
    row = session.get(model, item[1])
    session.refresh(row)
    return row.state, row.version
