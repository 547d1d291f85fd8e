"""The draft commendation decision (dự thảo quyết định khen thưởng): what
documents/commendation_docx renders from an approved nominations list.

No Flask here. A fixed handful of queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import AuditEvent, Council, Deliverable, Plan, Task, User, UserRole
from workflow.core import clock, policy
from workflow.core.errors import InvalidTransition, NotFound
from workflow.core.machine import APPROVED
from workflow.core.policy import Actor, ItemSnapshot
from workflow.items import kinds
from workflow.reads import queries
from workflow.reads.reporting import plan_header, plan_reference


@dataclass(frozen=True)
class Nominee:
    type: str  # "collective" | "individual"
    name: str
    unit: str
    model_name: str
    achievements: str
    proposed_form: str


@dataclass(frozen=True)
class Commendation:
    deliverable_id: int
    title: str
    parent_body: str  # "UBND TỈNH QUẢNG NGÃI"
    parent_short: str  # "UBND tỉnh"
    agency: str  # "SỞ CÔNG THƯƠNG"
    agency_name: str  # "Sở Công Thương"
    place: str
    symbol: str  # "SCT"
    plan_reference: str
    parent_ref: str  # the provincial plan the Department's plan carries out
    year: int
    approved_on: date | None
    nominees: list[Nominee]  # collectives first, then individuals, in the list's order
    council_name: str
    signer_prefix: str  # "KT. GIÁM ĐỐC" when a Deputy Director signs, else ""
    signer_title: str  # "GIÁM ĐỐC" or "PHÓ GIÁM ĐỐC"
    signer_name: str | None

    @property
    def collectives(self) -> list[Nominee]:
        return [n for n in self.nominees if n.type == "collective"]

    @property
    def individuals(self) -> list[Nominee]:
        return [n for n in self.nominees if n.type != "collective"]

    @property
    def forms(self) -> list[str]:
        return list(dict.fromkeys(n.proposed_form for n in self.nominees if n.proposed_form))


def commendation_ready(snap: ItemSnapshot) -> bool:
    return snap.deliverable_kind == "nominations" and snap.state == APPROVED


def commendation(session: Session, actor: Actor, deliverable_id: int) -> Commendation:
    """What the draft decision needs, from an approved nominations list the actor may see:
    NotFound if they may not see it (or it is no nominations list), InvalidTransition
    until it is approved."""
    item = queries.get_item(session, actor, "deliverable", deliverable_id)
    assert isinstance(item, Deliverable)
    if item.kind != "nominations":
        raise NotFound("Sản phẩm này không phải danh sách đề nghị khen thưởng.")
    if item.state != APPROVED:
        raise InvalidTransition(
            "Chỉ tải được dự thảo quyết định khen thưởng khi danh sách đã được phê duyệt."
        )
    plan = session.execute(
        select(Plan).join(Task, Task.plan_id == Plan.id).where(Task.id == item.task_id)
    ).scalar_one()
    approval = session.execute(
        select(AuditEvent.created_at, AuditEvent.actor_id, AuditEvent.on_behalf_of_id)
        .where(
            AuditEvent.item_type == "deliverable",
            AuditEvent.item_id == item.id,
            AuditEvent.action == "approve",
        )
        .order_by(AuditEvent.seq.desc())
        .limit(1)
    ).first()
    signer_prefix, signer_title, signer_name = "", "GIÁM ĐỐC", None
    if approval is not None:
        signer_id = approval.on_behalf_of_id or approval.actor_id
        name = session.execute(select(User.full_name).where(User.id == signer_id)).scalar()
        roles = set(
            session.execute(select(UserRole.role).where(UserRole.user_id == signer_id)).scalars()
        )
        if policy.DIRECTOR in roles:
            signer_name = name
        elif policy.DEPUTY in roles:
            signer_prefix, signer_title, signer_name = "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", name
    council_name = session.execute(
        select(Council.name).where(Council.deliverable_kind == item.kind)
    ).scalar()
    entries = kinds.clean_data("nominations", dict(item.data or {}))["entries"]
    nominees = [Nominee(**e) for e in entries]
    nominees.sort(key=lambda n: n.type != "collective")  # stable: the list's order kept
    header = plan_header(plan)
    approved_on = clock.local_date(approval.created_at) if approval is not None else None
    return Commendation(
        deliverable_id=item.id,
        title=item.title,
        parent_body=header.parent_body,
        parent_short=header.parent_short,
        agency=header.agency,
        agency_name=header.agency_name,
        place=header.place,
        symbol=header.symbol,
        plan_reference=plan_reference(header),
        parent_ref=header.parent_ref,
        year=(approved_on or clock.today_local()).year,
        approved_on=approved_on,
        nominees=nominees,
        council_name=council_name or "Hội đồng Thi đua - Khen thưởng",
        signer_prefix=signer_prefix,
        signer_title=signer_title,
        signer_name=signer_name,
    )
