"""Council votes (e.g. the emulation council on "Dân vận khéo" nominations): this round's
votes, the council panel of an item's page, whether the actor may vote, and what waits for
their vote. The pages and the API read the same rows (`VoteRow`).

No Flask here. A fixed handful of queries each, never one per row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from models import Council, CouncilMember, CouncilVote, Deliverable, User
from workflow.core import policy, service
from workflow.core.errors import InvalidInput, InvalidTransition, NotPermitted
from workflow.core.machine import SUBMITTED
from workflow.core.policy import Actor, ItemSnapshot
from workflow.items import council
from workflow.reads import queries


@dataclass(frozen=True)
class VoteRow:
    username: str  # the voter
    full_name: str
    in_favour: bool
    comment: str
    at: datetime


def round_votes(session: Session, deliverable_id: int, round_: int) -> list[VoteRow]:
    """One round's votes on a deliverable, oldest first (one query)."""
    return [
        VoteRow(*row)
        for row in session.execute(
            select(
                User.username,
                User.full_name,
                CouncilVote.in_favour,
                CouncilVote.comment,
                CouncilVote.created_at,
            )
            .join(User, User.id == CouncilVote.user_id)
            .where(CouncilVote.deliverable_id == deliverable_id, CouncilVote.round == round_)
            .order_by(CouncilVote.id)
        )
    ]


@dataclass(frozen=True)
class VoteSheet:
    """This round's votes with the council's tally (the API's list of votes)."""

    state: str
    round: int
    tally: council.Tally | None  # None: this kind is reviewed without a council
    votes: list[VoteRow]


def votes(session: Session, actor: Actor, deliverable_id: int) -> VoteSheet:
    """This round's votes on a deliverable the actor may see, oldest first."""
    item = queries.get_item(session, actor, "deliverable", deliverable_id)
    snap = service.load_snapshot(session.connection(), "deliverable", item.id)
    return VoteSheet(
        state=snap.state,
        round=snap.round,
        tally=council.tally(session.connection(), snap),
        votes=round_votes(session, snap.id, snap.round),
    )


@dataclass(frozen=True)
class CouncilPanel:
    name: str
    quorum: int
    members: list[str]  # full names
    round: int  # the submission the votes belong to (0: never submitted)
    votes: list[VoteRow]
    is_member: bool
    voted: bool
    # Why the actor may not vote now: None (they may), "not_member", "not_submitted",
    # "submitter" or "author" (separation of duties: policy.why_not_vote) or "voted".
    refusal: str | None
    refusal_message: str = ""

    @property
    def votes_for(self) -> int:
        return sum(1 for v in self.votes if v.in_favour)

    @property
    def votes_against(self) -> int:
        return sum(1 for v in self.votes if not v.in_favour)

    @property
    def reached(self) -> bool:
        return self.votes_for >= self.quorum

    @property
    def can_vote(self) -> bool:
        return self.refusal is None


def council_panel(
    session: Session,
    actor: Actor,
    snap: ItemSnapshot,
    participation: policy.Participation | None = None,
) -> CouncilPanel | None:
    """The council that reviews the item's kind, this round's votes and whether the actor
    may vote (the rules of `council.cast_vote`); None when the kind needs no council.
    The caller has checked the actor may see the item. Four queries at most."""
    if snap.kind != "deliverable":
        return None
    found = session.execute(
        select(Council.id, Council.name, Council.quorum).where(
            Council.deliverable_kind == snap.deliverable_kind
        )
    ).first()
    if found is None:
        return None
    members = session.execute(
        select(User.id, User.full_name)
        .join(CouncilMember, CouncilMember.user_id == User.id)
        .where(CouncilMember.council_id == found.id)
        .order_by(User.id)
    ).all()
    votes = round_votes(session, snap.id, snap.round)
    is_member = actor.active and any(uid == actor.id for uid, _ in members)
    voted = any(v.username == actor.username for v in votes) and snap.round > 0
    why = None
    if is_member and snap.state == SUBMITTED:
        if participation is None:
            participation = service.participation_of(session.connection(), snap)
        why = policy.why_not_vote(actor, snap, participation)
    if not is_member:
        refusal = "not_member"
    elif snap.state != SUBMITTED:
        refusal = "not_submitted"
    elif why is not None:
        submitted = actor.id == snap.submitted_by_id or actor.id in participation.submitters
        refusal = "submitter" if submitted and actor.id not in participation.authors else "author"
    elif voted:
        refusal = "voted"
    else:
        refusal = None
    return CouncilPanel(
        found.name,
        found.quorum,
        [name for _, name in members],
        snap.round,
        votes,
        is_member,
        voted,
        refusal,
        why or "",
    )


def check_can_vote(session: Session, actor: Actor, deliverable_id: int) -> CouncilPanel:
    """Before reading the vote: the refusal `council.cast_vote` would give, in its order
    (404 unseen, 400 no council for the kind, 409 not submitted, 403 not a member or the
    submitter, 409 already voted)."""
    item = queries.get_item(session, actor, "deliverable", deliverable_id)
    snap = service.snapshot_of(item)
    panel = council_panel(session, actor, snap)
    if panel is None:
        raise InvalidInput("Loại sản phẩm này không cần Hội đồng bỏ phiếu.")
    if snap.state != SUBMITTED:
        raise InvalidTransition("Chỉ bỏ phiếu khi sản phẩm đang ở trạng thái Đã trình.")
    if panel.refusal == "not_member":
        raise NotPermitted(f"Bạn không phải thành viên {panel.name}.")
    if panel.refusal in ("submitter", "author"):
        raise NotPermitted(panel.refusal_message)
    if panel.refusal == "voted":
        raise InvalidTransition("Bạn đã bỏ phiếu cho lần trình này.")
    return panel


def votes_waiting(session: Session, actor: Actor) -> tuple[bool, set[int]]:
    """(whether the actor sits on a council, the ids of submitted deliverables waiting for
    their vote this round — not those they may not vote on: policy.why_not_vote). One
    query, three for a member."""
    if not actor.active:
        return False, set()
    kinds_voted = list(
        session.execute(
            select(Council.deliverable_kind)
            .join(CouncilMember, CouncilMember.council_id == Council.id)
            .where(CouncilMember.user_id == actor.id)
        ).scalars()
    )
    if not kinds_voted:
        return False, set()
    mine = exists().where(
        CouncilVote.deliverable_id == Deliverable.id,
        CouncilVote.round == Deliverable.round,
        CouncilVote.user_id == actor.id,
    )
    waiting = [
        service.snapshot_of(d)
        for d in session.execute(
            select(Deliverable).where(
                Deliverable.kind.in_(kinds_voted),
                Deliverable.state == SUBMITTED,
                or_(
                    Deliverable.submitted_by_id.is_(None),
                    Deliverable.submitted_by_id != actor.id,
                ),
                ~mine,
            )
        ).scalars()
    ]
    taken = service.participations(session.connection(), waiting)
    return True, {
        snap.id
        for snap in waiting
        if policy.why_not_vote(
            actor, snap, taken.get((snap.kind, snap.id), policy.NO_PARTICIPATION)
        )
        is None
    }
