"""Council votes: a deliverable kind can need M of N votes of a named council before it
counts as reviewed (e.g. the emulation council for "Dân vận khéo" nominations)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from models import Council, CouncilMember, CouncilVote
from workflow.core import audit, effects, machine, policy
from workflow.core.errors import InvalidInput, InvalidTransition, NotPermitted
from workflow.core.policy import Actor, ItemSnapshot


@dataclass(frozen=True)
class Tally:
    council: str
    quorum: int
    members: int
    votes_for: int
    votes_against: int

    @property
    def reached(self) -> bool:
        return self.votes_for >= self.quorum


def council_for(conn: Connection, deliverable_kind: str | None):
    """(id, name, quorum) of the council that reviews this kind, or None."""
    if deliverable_kind is None:
        return None
    return conn.execute(
        select(Council.id, Council.name, Council.quorum).where(
            Council.deliverable_kind == deliverable_kind
        )
    ).first()


@effects.fact("review", "deliverable", "council")
def tally(conn: Connection, snap: ItemSnapshot) -> Tally | None:
    """This round's votes on the item; None if its kind needs no council."""
    council = (
        conn.execute(
            select(Council.id, Council.name, Council.quorum).where(Council.id == snap.council_id)
        ).first()
        if snap.council_id is not None
        else None
    )
    if council is None:
        return None
    members = conn.execute(
        select(func.count())
        .select_from(CouncilMember)
        .where(CouncilMember.council_id == council.id)
    ).scalar_one()
    votes = dict(
        conn.execute(
            select(CouncilVote.in_favour, func.count())
            .where(CouncilVote.deliverable_id == snap.id, CouncilVote.round == snap.round)
            .group_by(CouncilVote.in_favour)
        ).all()
    )
    return Tally(council.name, council.quorum, members, votes.get(True, 0), votes.get(False, 0))


def cast_vote(
    session: Session,
    actor: Actor,
    deliverable_id: int,
    *,
    in_favour: bool,
    comment: str = "",
    client_addr: str | None = None,
) -> Tally:
    """Record a member's vote (audited); when the quorum is met the item becomes reviewed."""
    from workflow.core.service import apply_transition, locked_item, participation_of

    with locked_item(session, actor, "deliverable", deliverable_id) as (conn, head, snap):
        council = council_for(conn, snap.deliverable_kind)
        if council is None:
            raise InvalidInput("Loại sản phẩm này không cần Hội đồng bỏ phiếu.")
        if snap.state != machine.SUBMITTED:
            raise InvalidTransition("Chỉ bỏ phiếu khi sản phẩm đang ở trạng thái Đã trình.")
        is_member = conn.execute(
            select(CouncilMember.user_id).where(
                CouncilMember.council_id == council.id, CouncilMember.user_id == actor.id
            )
        ).first()
        if is_member is None or not actor.active:
            raise NotPermitted(f"Bạn không phải thành viên {council.name}.")
        why = policy.why_not_vote(actor, snap, participation_of(conn, snap))
        if why is not None:
            raise NotPermitted(why)
        already = conn.execute(
            select(CouncilVote.id).where(
                CouncilVote.deliverable_id == snap.id,
                CouncilVote.round == snap.round,
                CouncilVote.user_id == actor.id,
            )
        ).first()
        if already is not None:
            raise InvalidTransition("Bạn đã bỏ phiếu cho lần trình này.")
        session.add(
            CouncilVote(
                deliverable_id=snap.id,
                round=snap.round,
                user_id=actor.id,
                in_favour=in_favour,
                comment=comment.strip(),
            )
        )
        session.flush()
        result = tally(conn, snap)
        event = audit.append(
            conn,
            head,
            item_type="deliverable",
            item_id=snap.id,
            action="vote",
            client_addr=client_addr,
            detail={
                "in_favour": in_favour,
                "comment": comment.strip(),
                "round": snap.round,
                "votes_for": result.votes_for,
                "votes_against": result.votes_against,
                "quorum": result.quorum,
            },
            **audit.actor_fields(actor),
        )
        if result.reached:
            apply_transition(
                conn,
                (event["seq"], event["hash"]),
                snap,
                "review",
                actor,
                client_addr=client_addr,
                detail={
                    "council": result.council,
                    "votes_for": result.votes_for,
                    "quorum": result.quorum,
                },
            )
    return result
