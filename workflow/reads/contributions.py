"""Coordinating units' contributions (ý kiến đóng góp) to the lead unit's draft: the rows
(with their files) the item page and the API both show, whether the actor may add one, and
the refusal adding one would give.

No Flask here. Three queries at most, never one per row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Contribution, Unit, User
from workflow.core import policy, service
from workflow.core.errors import InvalidTransition, NotPermitted
from workflow.core.machine import DRAFT
from workflow.core.policy import Actor, ItemSnapshot
from workflow.reads import queries
from workflow.reads.attachments import AttachmentRow, attachment_rows


@dataclass(frozen=True)
class ContributionRow:
    id: int
    unit_name: str
    author: str
    author_name: str
    body: str
    created_at: datetime
    files: list[AttachmentRow]


@dataclass(frozen=True)
class Contributions:
    rows: list[ContributionRow]
    can_add: bool
    # The actor's unit coordinates the task but the item is no longer a draft.
    closed_for_me: bool

    @property
    def shown(self) -> bool:
        return bool(self.rows) or self.can_add


def contribution_rows(
    session: Session, deliverable_id: int, only_id: int | None = None
) -> list[ContributionRow]:
    """A deliverable's contributions, oldest first, with their files (`only_id`: just that
    one); two queries. The caller has checked the actor may see the deliverable."""
    query = (
        select(
            Contribution.id,
            Unit.name,
            User.username,
            User.full_name,
            Contribution.body,
            Contribution.created_at,
        )
        .join(Unit, Unit.id == Contribution.unit_id)
        .join(User, User.id == Contribution.author_id)
        .where(Contribution.deliverable_id == deliverable_id)
        .order_by(Contribution.id)
    )
    if only_id is not None:
        query = query.where(Contribution.id == only_id)
    rows = session.execute(query).all()
    files: dict[int, list[AttachmentRow]] = {}
    for a in attachment_rows(session, "contribution", [r.id for r in rows]):
        files.setdefault(a.item_id, []).append(a)
    return [ContributionRow(*r, files=files.get(r.id, [])) for r in rows]


def contributions(
    session: Session, actor: Actor, deliverable_id: int, only_id: int | None = None
) -> list[ContributionRow]:
    """The contributions to a deliverable the actor may see (NotFound otherwise)."""
    item = queries.get_item(session, actor, "deliverable", deliverable_id)
    return contribution_rows(session, item.id, only_id)


def contributions_panel(session: Session, actor: Actor, snap: ItemSnapshot) -> Contributions:
    """The contributions to a deliverable the actor may see (oldest first, with their files)
    and whether the actor may add one now; three queries at most."""
    coordinating = (
        actor.active
        and policy.MEMBER in actor.roles
        and service.coordinates(session.connection(), actor, snap)
    )
    why = policy.why_not_contribute(actor, snap, coordinating)
    return Contributions(
        contribution_rows(session, snap.id),
        can_add=why is None,
        closed_for_me=bool(coordinating) and snap.state != DRAFT,
    )


def check_can_contribute(session: Session, actor: Actor, deliverable_id: int) -> None:
    """Before any file is stored: the refusal `editing.add_contribution` would give
    (404 unseen, 403 not a coordinating member, 409 not a draft)."""
    item = queries.get_item(session, actor, "deliverable", deliverable_id)
    snap = service.snapshot_of(item)
    coordinating = service.coordinates(session.connection(), actor, snap)
    why = policy.why_not_contribute(actor, snap, coordinating)
    if why is not None:
        raise (InvalidTransition if snap.state != DRAFT else NotPermitted)(why)
