"""Reads for the pages of issue 5: delegations (and the authority they lend on an item's
page), council votes, coordinating units' contributions, regulation versions and their diff,
the data of a draft commendation decision, and the dashboard.

No Flask here. Each function is a fixed handful of queries (never one per row), checks what
the actor may see the way the engine does (`queries.get_item`: the same NotFound for an item
that does not exist and one the actor may not see), and returns plain dataclasses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session, aliased

from models import (
    Attachment,
    AuditEvent,
    Contribution,
    Council,
    CouncilMember,
    CouncilVote,
    Delegation,
    Deliverable,
    Plan,
    RegulationVersion,
    Task,
    Unit,
    User,
    UserRole,
)
from workflow.core import checkpoints, clock, policy, service
from workflow.core.errors import InvalidInput, InvalidTransition, NotFound, NotPermitted
from workflow.core.machine import APPROVED, DRAFT, SUBMITTED
from workflow.core.policy import Actor, ItemSnapshot
from workflow.items import kinds, regulation
from workflow.reads import dashboard, queries
from workflow.reads.reporting import PlanHeader, agency_symbol, describe_issuer, plan_reference

# --- delegation (ủy quyền) ----------------------------------------------------------------


@dataclass(frozen=True)
class Principal:
    """Someone whose authority the signed-in person may use today (they delegated it)."""

    username: str
    full_name: str
    actor: Actor


def principals(session: Session, person: Actor, today: date | None = None) -> list[Principal]:
    """The delegators of `person`'s delegations in force today, as the engine sees them;
    two queries (none when the person holds no delegation)."""
    if not person.active:
        return []
    today = today or clock.today_local()
    rows = session.execute(
        select(User.id, User.username, User.full_name, User.unit_id, Unit.name, User.active)
        .join(Delegation, Delegation.delegator_id == User.id)
        .outerjoin(Unit, Unit.id == User.unit_id)
        .where(
            Delegation.delegate_id == person.id,
            Delegation.starts_on <= today,
            Delegation.ends_on >= today,
            Delegation.revoked_at.is_(None),
        )
        .order_by(Delegation.id)
    ).all()
    if not rows:
        return []
    roles: dict[int, set[str]] = {}
    for user_id, role in session.execute(
        select(UserRole.user_id, UserRole.role).where(UserRole.user_id.in_([r.id for r in rows]))
    ):
        roles.setdefault(user_id, set()).add(role)
    found: dict[str, Principal] = {}
    for r in rows:
        if r.username in found:
            continue
        delegator = Actor(
            r.id, r.username, r.unit_id, r.name or "", frozenset(roles.get(r.id, ())),
            bool(r.active),
        )  # fmt: skip
        if not policy.may_delegate_to(delegator, person):  # as delegation.authority refuses
            continue
        found[r.username] = Principal(r.username, r.full_name, delegator)
    return list(found.values())


def acting_options(
    person: Actor,
    snap: ItemSnapshot,
    lent: list[Principal],
    participation: policy.Participation = policy.NO_PARTICIPATION,
) -> dict[str, list[tuple[str, str]]]:
    """action → the delegators (username, full name) with whose authority `person` may take
    it now: `policy.refusal`, as `service.perform(on_behalf_of=…)` asks it (no query)."""
    options: dict[str, list[tuple[str, str]]] = {}
    for principal in lent:
        authority = principal.actor
        if not policy.can_view(authority, snap):
            continue
        for action, source in policy.WHO_MAY:
            if source != snap.state:
                continue
            if policy.refusal(authority, snap, action, participation, person=person) is None:
                options.setdefault(action, []).append((principal.username, principal.full_name))
    return options


DELEGATION_STATUSES = ("active", "upcoming", "expired", "revoked")


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
    status: str  # one of DELEGATION_STATUSES, as of today
    can_revoke: bool


@dataclass(frozen=True)
class Colleague:
    username: str
    full_name: str
    unit_name: str


@dataclass(frozen=True)
class DelegationsPage:
    given: list[DelegationRow]  # I delegated
    received: list[DelegationRow]  # delegated to me
    others: list[DelegationRow]  # an administrator sees everyone's (and may revoke them)
    colleagues: list[Colleague]  # whom I may delegate to (empty if I may not delegate)
    can_delegate: bool
    today: date


def delegation_status(starts_on: date, ends_on: date, revoked: bool, today: date) -> str:
    if revoked:
        return "revoked"
    if ends_on < today:
        return "expired"
    if starts_on > today:
        return "upcoming"
    return "active"


def delegations_page(session: Session, actor: Actor, today: date | None = None) -> DelegationsPage:
    """The delegations the actor gave and received (an administrator: all), newest first,
    and the colleagues they may delegate to; two queries."""
    if not actor.active:
        raise NotPermitted("Tài khoản đã bị khóa.")
    today = today or clock.today_local()
    is_admin = policy.ADMIN in actor.roles
    delegator, delegate = aliased(User), aliased(User)
    query = (
        select(
            Delegation,
            delegator.username,
            delegator.full_name,
            delegate.username,
            delegate.full_name,
        )
        .join(delegator, delegator.id == Delegation.delegator_id)
        .join(delegate, delegate.id == Delegation.delegate_id)
        .order_by(Delegation.starts_on.desc(), Delegation.id.desc())
    )
    if not is_admin:
        query = query.where(
            or_(Delegation.delegator_id == actor.id, Delegation.delegate_id == actor.id)
        )
    given, received, others = [], [], []
    for d, from_user, from_name, to_user, to_name in session.execute(query):
        status = delegation_status(d.starts_on, d.ends_on, d.revoked_at is not None, today)
        row = DelegationRow(
            d.id,
            from_user,
            from_name,
            to_user,
            to_name,
            d.starts_on,
            d.ends_on,
            d.note or "",
            d.created_at,
            d.revoked_at,
            status,
            d.revoked_at is None and (d.delegator_id == actor.id or is_admin),
        )
        if d.delegator_id == actor.id:
            given.append(row)
        elif d.delegate_id == actor.id:
            received.append(row)
        else:
            others.append(row)
    can_delegate = policy.may_delegate(actor)
    return DelegationsPage(
        given, received, others, _delegates_for(session, actor), can_delegate, today
    )


def _delegates_for(session: Session, actor: Actor) -> list[Colleague]:
    """The colleagues `actor` may delegate to (policy.delegation_refusal); two queries,
    none for someone who may not delegate. Only users holding a delegable role are read."""
    if not policy.may_delegate(actor):
        return []
    holders = session.execute(
        select(UserRole.user_id, UserRole.role).where(
            UserRole.role.in_(sorted(policy.DELEGABLE | policy.NEVER_DELEGATES))
        )
    ).all()
    roles: dict[int, set[str]] = {}
    for user_id, role in holders:
        roles.setdefault(user_id, set()).add(role)
    rows = session.execute(
        select(User.id, User.username, User.full_name, User.unit_id, Unit.name)
        .outerjoin(Unit, Unit.id == User.unit_id)
        .where(User.active.is_(True), User.id.in_(list(roles)), User.id != actor.id)
        .order_by(Unit.id, User.full_name)
    ).all()
    return [
        Colleague(r.username, r.full_name, r.name or "")
        for r in rows
        if policy.may_delegate_to(
            actor, Actor(r.id, r.username, r.unit_id, r.name or "", frozenset(roles[r.id]))
        )
    ]


def check_can_delegate(actor: Actor) -> None:
    """Before reading the form: the refusal `delegation.delegate` would give first."""
    if not policy.may_delegate(actor):
        raise policy.delegation_refusal(actor, None).exception()


# --- council votes -----------------------------------------------------------------------


@dataclass(frozen=True)
class VoteRow:
    username: str
    full_name: str
    in_favour: bool
    comment: str
    at: datetime


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
    votes = [
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
            .where(CouncilVote.deliverable_id == snap.id, CouncilVote.round == snap.round)
            .order_by(CouncilVote.id)
        )
    ]
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


# --- coordinating units' contributions -----------------------------------------------------


@dataclass(frozen=True)
class FileRow:
    id: int
    filename: str
    content_type: str
    size: int


@dataclass(frozen=True)
class ContributionRow:
    id: int
    unit_name: str
    author: str
    author_name: str
    body: str
    created_at: datetime
    files: list[FileRow]


@dataclass(frozen=True)
class Contributions:
    rows: list[ContributionRow]
    can_add: bool
    # The actor's unit coordinates the task but the item is no longer a draft.
    closed_for_me: bool

    @property
    def shown(self) -> bool:
        return bool(self.rows) or self.can_add


def contributions_panel(session: Session, actor: Actor, snap: ItemSnapshot) -> Contributions:
    """The contributions to a deliverable the actor may see (oldest first, with their files)
    and whether the actor may add one now; three queries at most."""
    coordinating = (
        actor.active
        and policy.MEMBER in actor.roles
        and service.coordinates(session.connection(), actor, snap)
    )
    why = policy.why_not_contribute(actor, snap, coordinating)
    rows = session.execute(
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
        .where(Contribution.deliverable_id == snap.id)
        .order_by(Contribution.id)
    ).all()
    files: dict[int, list[FileRow]] = {}
    if rows:
        for a in session.execute(
            select(Attachment)
            .where(
                Attachment.item_type == "contribution",
                Attachment.item_id.in_([r.id for r in rows]),
            )
            .order_by(Attachment.id)
        ).scalars():
            files.setdefault(a.item_id, []).append(
                FileRow(a.id, a.filename, a.content_type, a.size)
            )
    return Contributions(
        [ContributionRow(*r, files=files.get(r.id, [])) for r in rows],
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


def contribution_deliverable(session: Session, contribution_id: int) -> int | None:
    return session.execute(
        select(Contribution.deliverable_id).where(Contribution.id == contribution_id)
    ).scalar_one_or_none()


# --- regulation versions --------------------------------------------------------------------


@dataclass(frozen=True)
class VersionRow:
    number: int
    created_by: str
    created_by_name: str
    created_at: datetime
    in_force: bool
    effective_date: date | None
    added: int  # lines added against the previous version
    removed: int


@dataclass(frozen=True)
class RegulationSummary:
    count: int
    latest: int | None
    in_force: int | None
    effective_date: date | None


@dataclass(frozen=True)
class VersionsPage:
    deliverable_id: int
    title: str
    state: str
    task_id: int
    task_number: int
    versions: list[VersionRow]  # newest first

    @property
    def in_force(self) -> VersionRow | None:
        return next((v for v in self.versions if v.in_force), None)


@dataclass(frozen=True)
class DiffLine:
    tag: str  # " " unchanged, "-" removed, "+" added
    text: str
    old_no: int | None
    new_no: int | None


@dataclass(frozen=True)
class VersionDiff:
    page: VersionsPage
    version: VersionRow
    previous: int | None  # None: the first version (shown against an empty text)
    lines: list[DiffLine]

    @property
    def added(self) -> int:
        return sum(1 for line in self.lines if line.tag == "+")

    @property
    def removed(self) -> int:
        return sum(1 for line in self.lines if line.tag == "-")


def regulation_summary(session: Session, snap: ItemSnapshot) -> RegulationSummary | None:
    if snap.deliverable_kind != "regulation":
        return None
    rows = session.execute(
        select(
            RegulationVersion.number, RegulationVersion.in_force, RegulationVersion.effective_date
        )
        .where(RegulationVersion.deliverable_id == snap.id)
        .order_by(RegulationVersion.number)
    ).all()
    in_force = next((r for r in rows if r.in_force), None)
    return RegulationSummary(
        len(rows),
        rows[-1].number if rows else None,
        in_force.number if in_force else None,
        in_force.effective_date if in_force else None,
    )


def _numbered(pairs: list[tuple[str, str]]) -> list[DiffLine]:
    old = new = 0
    lines = []
    for tag, text in pairs:
        if tag in (" ", "-"):
            old += 1
        if tag in (" ", "+"):
            new += 1
        lines.append(DiffLine(tag, text, old if tag != "+" else None, new if tag != "-" else None))
    return lines


def _versions(session: Session, actor: Actor, deliverable_id: int):
    item = queries.get_item(session, actor, "deliverable", deliverable_id)
    assert isinstance(item, Deliverable)
    regulation.require_versioned(item.kind)
    task_number = session.execute(select(Task.number).where(Task.id == item.task_id)).scalar_one()
    rows = session.execute(
        select(RegulationVersion, User.username, User.full_name)
        .join(User, User.id == RegulationVersion.created_by_id)
        .where(RegulationVersion.deliverable_id == item.id)
        .order_by(RegulationVersion.number)
    ).all()
    bodies: dict[int, str] = {}
    versions: list[VersionRow] = []
    previous = ""
    for v, username, full_name in rows:
        pairs = regulation.diff(previous, v.body)
        versions.append(
            VersionRow(
                v.number,
                username,
                full_name,
                v.created_at,
                v.in_force,
                v.effective_date,
                sum(1 for t, _ in pairs if t == "+"),
                sum(1 for t, _ in pairs if t == "-"),
            )
        )
        bodies[v.number] = v.body
        previous = v.body
    page = VersionsPage(
        item.id, item.title, item.state, item.task_id, task_number, list(reversed(versions))
    )
    return page, bodies


def regulation_versions(session: Session, actor: Actor, deliverable_id: int) -> VersionsPage:
    """A regulation's submitted versions, newest first, with what each changed."""
    return _versions(session, actor, deliverable_id)[0]


def regulation_diff(
    session: Session, actor: Actor, deliverable_id: int, number: int
) -> VersionDiff:
    """Version `number` against the one before it (the first against an empty text)."""
    page, bodies = _versions(session, actor, deliverable_id)
    version = next((v for v in page.versions if v.number == number), None)
    if version is None:
        raise NotFound(f"Quy chế này không có phiên bản {number}.")
    earlier = [n for n in bodies if n < number]
    previous = max(earlier) if earlier else None
    pairs = regulation.diff(bodies[previous] if previous else "", bodies[number])
    return VersionDiff(page, version, previous, _numbered(pairs))


# --- the draft commendation decision -------------------------------------------------------


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
    parts = describe_issuer(plan.issuer)
    approved_on = clock.local_date(approval.created_at) if approval is not None else None
    return Commendation(
        deliverable_id=item.id,
        title=item.title,
        parent_body=parts["parent_body"],
        parent_short=parts["parent_short"],
        agency=parts["agency"],
        agency_name=parts["agency_name"],
        place=parts["place"],
        symbol=agency_symbol(plan.number or "", parts["agency_name"]),
        plan_reference=plan_reference(_plan_header(plan, parts)),
        parent_ref=plan.parent_ref or "",
        year=(approved_on or clock.today_local()).year,
        approved_on=approved_on,
        nominees=nominees,
        council_name=council_name or "Hội đồng Thi đua - Khen thưởng",
        signer_prefix=signer_prefix,
        signer_title=signer_title,
        signer_name=signer_name,
    )


def _plan_header(plan: Plan, parts: dict[str, str]) -> PlanHeader:
    return PlanHeader(
        id=plan.id,
        code=plan.code,
        number=plan.number or "",
        title=plan.title,
        issuer=plan.issuer,
        issue_date=plan.issue_date,
        parent_ref=plan.parent_ref or "",
        period_end=plan.period_end,
        symbol=agency_symbol(plan.number or "", parts["agency_name"]),
        **parts,
    )


# --- dashboard ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DashboardPage:
    plan_id: int | None
    plan_title: str
    plan_code: str
    today: date
    board: dashboard.Dashboard | None
    # The audit trail's latest signed checkpoint, for the page's footer line (issue 9).
    audit_checkpoint: checkpoints.Checkpoint | None = None


def dashboard_page(
    session: Session, actor: Actor, today: date | None = None, plan_id: int | None = None
) -> DashboardPage:
    """A plan's progress, the first plan's without `plan_id` (every signed-in user may see
    the figures)."""
    if not actor.active:
        raise NotPermitted("Tài khoản đã bị khóa.")
    today = today or clock.today_local()
    plan = queries.default_plan(session) if plan_id is None else session.get(Plan, plan_id)
    if plan is None and plan_id is not None:
        raise NotFound("Không tìm thấy kế hoạch này.")
    latest = checkpoints.latest(session)
    if plan is None:
        return DashboardPage(None, "", "", today, None, latest)
    return DashboardPage(
        plan.id, plan.title, plan.code, today, dashboard.dashboard(session, plan.id, today), latest
    )
