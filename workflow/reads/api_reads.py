"""Reads the JSON API needs that had no query in workflow/ yet: a deliverable's files, this
round's council votes, contributions, one's delegations, regulation versions and their diff,
a plan's dashboard.

No Flask here. Every read of an item checks visibility through `queries.get_item` (the
same NotFound for an item that does not exist and one the actor may not see); other reads
through `policy`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, aliased

from models import (
    Attachment,
    Contribution,
    CouncilVote,
    Delegation,
    Deliverable,
    Plan,
    RegulationVersion,
    Unit,
    User,
)
from workflow.core import clock, policy, service
from workflow.core.errors import NotFound, NotPermitted
from workflow.core.policy import Actor
from workflow.items import council, regulation
from workflow.reads import dashboard, queries


def _deliverable(session: Session, actor: Actor, deliverable_id: int) -> Deliverable:
    item = queries.get_item(session, actor, "deliverable", deliverable_id)
    assert isinstance(item, Deliverable)
    return item


def _files(session: Session, item_type: str, item_ids: list[int]) -> list[Attachment]:
    if not item_ids:
        return []
    return list(
        session.execute(
            select(Attachment)
            .where(Attachment.item_type == item_type, Attachment.item_id.in_(item_ids))
            .order_by(Attachment.item_id, Attachment.id)
        ).scalars()
    )


def deliverable_with_files(
    session: Session, actor: Actor, deliverable_id: int
) -> tuple[Deliverable, list[Attachment]]:
    """A deliverable the actor may see, with its files (oldest first)."""
    item = _deliverable(session, actor, deliverable_id)
    return item, _files(session, "deliverable", [item.id])


# --- council votes -----------------------------------------------------------------------


@dataclass(frozen=True)
class VoteRow:
    voter: str
    voter_name: str
    in_favour: bool
    comment: str
    at: datetime


@dataclass(frozen=True)
class VoteSheet:
    state: str
    round: int
    tally: council.Tally | None  # None: this kind is reviewed without a council
    votes: list[VoteRow]


def votes(session: Session, actor: Actor, deliverable_id: int) -> VoteSheet:
    """This round's votes on a deliverable the actor may see, oldest first."""
    item = _deliverable(session, actor, deliverable_id)
    snap = service.load_snapshot(session.connection(), "deliverable", item.id)
    rows = session.execute(
        select(
            User.username,
            User.full_name,
            CouncilVote.in_favour,
            CouncilVote.comment,
            CouncilVote.created_at,
        )
        .join(User, User.id == CouncilVote.user_id)
        .where(CouncilVote.deliverable_id == snap.id, CouncilVote.round == snap.round)
        .order_by(CouncilVote.id)
    ).all()
    return VoteSheet(
        state=snap.state,
        round=snap.round,
        tally=council.tally(session.connection(), snap),
        votes=[VoteRow(*row) for row in rows],
    )


# --- contributions -----------------------------------------------------------------------


@dataclass(frozen=True)
class ContributionRow:
    id: int
    unit: str
    author: str
    author_name: str
    body: str
    at: datetime
    files: list[Attachment]


def contributions(
    session: Session, actor: Actor, deliverable_id: int, only_id: int | None = None
) -> list[ContributionRow]:
    """The coordinating units' input to a deliverable the actor may see, oldest first
    (`only_id`: just that one)."""
    item = _deliverable(session, actor, deliverable_id)
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
        .where(Contribution.deliverable_id == item.id)
        .order_by(Contribution.id)
    )
    if only_id is not None:
        query = query.where(Contribution.id == only_id)
    rows = session.execute(query).all()
    files: dict[int, list[Attachment]] = {}
    for attachment in _files(session, "contribution", [r.id for r in rows]):
        files.setdefault(attachment.item_id, []).append(attachment)
    return [ContributionRow(*row, files=files.get(row.id, [])) for row in rows]


# --- delegations -------------------------------------------------------------------------


@dataclass(frozen=True)
class DelegationRow:
    id: int
    delegator: str
    delegator_name: str
    delegate: str
    delegate_name: str
    starts_on: date
    ends_on: date
    note: str
    created_at: datetime
    revoked_at: datetime | None
    active: bool  # usable today: in its date range and not revoked


def _delegation_rows(session: Session, where, today: date | None) -> list[DelegationRow]:
    today = today or clock.today_local()
    giver, taker = aliased(User), aliased(User)
    rows = session.execute(
        select(Delegation, giver.username, giver.full_name, taker.username, taker.full_name)
        .join(giver, giver.id == Delegation.delegator_id)
        .join(taker, taker.id == Delegation.delegate_id)
        .where(where)
        .order_by(Delegation.starts_on.desc(), Delegation.id.desc())
    ).all()
    return [
        DelegationRow(
            id=d.id,
            delegator=giver_name,
            delegator_name=giver_full,
            delegate=taker_name,
            delegate_name=taker_full,
            starts_on=d.starts_on,
            ends_on=d.ends_on,
            note=d.note,
            created_at=d.created_at,
            revoked_at=d.revoked_at,
            active=d.revoked_at is None and d.starts_on <= today <= d.ends_on,
        )
        for d, giver_name, giver_full, taker_name, taker_full in rows
    ]


def delegations_of(
    session: Session, actor: Actor, today: date | None = None
) -> tuple[list[DelegationRow], list[DelegationRow]]:
    """(given, received): the actor's delegations, newest period first."""
    rows = _delegation_rows(
        session,
        or_(Delegation.delegator_id == actor.id, Delegation.delegate_id == actor.id),
        today,
    )
    given = [r for r in rows if r.delegator == actor.username]
    return given, [r for r in rows if r.delegator != actor.username]


def delegation(
    session: Session, actor: Actor, delegation_id: int, today: date | None = None
) -> DelegationRow:
    """One delegation, for its two people and administrators; NotFound for anyone else."""
    found = _delegation_rows(session, Delegation.id == delegation_id, today)
    if not found or not actor.active:
        raise NotFound("Không tìm thấy ủy quyền này.")
    row = found[0]
    if actor.username not in (row.delegator, row.delegate) and policy.ADMIN not in actor.roles:
        raise NotFound("Không tìm thấy ủy quyền này.")
    return row


# --- regulation versions -----------------------------------------------------------------


def regulation_versions(
    session: Session, actor: Actor, deliverable_id: int
) -> list[RegulationVersion]:
    """The submitted texts of a regulation the actor may see; NotFound for other kinds
    (as the page: regulation.require_versioned)."""
    item = _deliverable(session, actor, deliverable_id)
    regulation.require_versioned(item.kind)
    return regulation.versions(session, item.id)


@dataclass(frozen=True)
class VersionDiff:
    number: int
    previous: int | None  # None: the first version, shown against an empty text
    lines: list[tuple[str, str]]


def regulation_diff(
    session: Session, actor: Actor, deliverable_id: int, number: int
) -> VersionDiff:
    """What version `number` changed against the one before it."""
    texts = {v.number: v.body for v in regulation_versions(session, actor, deliverable_id)}
    if number not in texts:
        raise NotFound(f"Không có phiên bản số {number} của quy chế này.")
    previous = number - 1 if number - 1 in texts else None
    old = texts[previous] if previous is not None else ""
    return VersionDiff(number, previous, regulation.diff(old, texts[number]))


# --- dashboard ---------------------------------------------------------------------------


def plan_dashboard(
    session: Session, actor: Actor, plan_id: int, today: date | None = None
) -> dashboard.Dashboard:
    """A plan's progress in figures (counts only, no item's content): for every signed-in
    user, as the plan overview shows progress to everyone."""
    if not actor.active:
        raise NotPermitted("Tài khoản đã bị khóa.")
    if session.get(Plan, plan_id) is None:
        raise NotFound("Không tìm thấy kế hoạch.")
    return dashboard.dashboard(session, plan_id, today or clock.today_local())
