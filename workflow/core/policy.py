"""Who may do what: visibility, and who may take each transition (separation of duties too).

Every rule reads an `Actor`, an `ItemSnapshot` and, for separation of duties, the item's
`Participation` (loaded by the service: once per item, or once for a whole list), so the
same decision is made for a page, an API call, a CLI command and a list of a thousand items
without a query per item. `refusal` is the one decision on a transition: `perform`,
`available_actions`, the pages' pre-checks and the API all ask it. Delegation (who may
delegate to whom, who may revoke) and due dates live here too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, or_, select, true

from workflow.core.errors import (
    InvalidInput,
    InvalidTransition,
    NotFound,
    NotPermitted,
    UnknownAction,
    WorkflowError,
)
from workflow.core.machine import (
    ACTION_LABELS,
    ACTIONS,
    APPROVED,
    DRAFT,
    REVIEWED,
    STATE_LABELS,
    SUBMITTED,
    TRANSITIONS,
    destination,
)

MEMBER, REVIEWER, DEPUTY, DIRECTOR, ADMIN, AUDITOR = (
    "member",
    "reviewer",
    "deputy_director",
    "director",
    "admin",
    "auditor",
)
ROLE_LABELS = {
    MEMBER: "Chuyên viên",
    REVIEWER: "Thẩm định (Văn phòng Sở)",
    DEPUTY: "Phó Giám đốc",
    DIRECTOR: "Giám đốc",
    ADMIN: "Quản trị",
    AUDITOR: "Kiểm tra nhật ký",
}
SEES_EVERYTHING = frozenset({REVIEWER, DEPUTY, DIRECTOR, ADMIN, AUDITOR})
APPROVERS = frozenset({DEPUTY, DIRECTOR})


@dataclass(frozen=True, slots=True)
class Actor:
    """A user as the engine sees them at the moment of acting."""

    id: int
    username: str
    unit_id: int | None
    unit_name: str
    roles: frozenset[str]
    active: bool = True

    @classmethod
    def of(cls, user: Any) -> Actor:
        return cls(
            id=user.id,
            username=user.username,
            unit_id=user.unit_id,
            unit_name=user.unit.name if user.unit is not None else "",
            roles=frozenset(user.roles),
            active=bool(user.active),
        )


@dataclass(frozen=True, slots=True)
class ItemSnapshot:
    """The fields of a task or deliverable that rules read."""

    kind: str  # "task" | "deliverable"
    id: int
    state: str
    version: int
    owner_unit_id: int
    submitted_by_id: int | None
    reviewed_by_id: int | None
    deliverable_kind: str | None = None  # None for tasks
    round: int = 0
    task_id: int | None = None  # a deliverable's task
    title: str = ""
    council_id: int | None = None  # the council whose votes review this kind, if any


# --- visibility ------------------------------------------------------------------------


def can_view(actor: Actor, item: ItemSnapshot, coordinating: bool = False) -> bool:
    """`coordinating`: the actor's unit coordinates (phối hợp) the item's task."""
    if not actor.active:
        return False
    if actor.roles & SEES_EVERYTHING or item.kind == "task":
        return True
    # A member sees their own unit's work at every stage, others' once it left draft, and
    # the drafts of tasks their unit coordinates (to contribute to them).
    return item.owner_unit_id == actor.unit_id or item.state != DRAFT or coordinating


def needs_coordination_check(actor: Actor, item: ItemSnapshot) -> bool:
    """Whether `can_view` depends on the actor's unit coordinating the item's task."""
    return item.kind == "deliverable" and not can_view(actor, item) and actor.active


def visible_deliverables(actor: Actor, deliverable: Any) -> ColumnElement[bool]:
    """The SQL form of `can_view` for deliverable lists (same rule, for one query)."""
    from models import TaskUnit

    if actor.roles & SEES_EVERYTHING:
        return true()
    coordinated = select(TaskUnit.task_id).where(
        TaskUnit.unit_id == actor.unit_id, TaskUnit.role == "coordinating"
    )
    return or_(
        deliverable.unit_id == actor.unit_id,
        deliverable.state != DRAFT,
        deliverable.task_id.in_(coordinated),
    )


def require_view(actor: Actor, item: ItemSnapshot, coordinating: bool = False) -> None:
    if not can_view(actor, item, coordinating):
        raise NotFound("Không tìm thấy mục này, hoặc bạn không có quyền xem.")


def why_not_contribute(actor: Actor, item: ItemSnapshot, coordinating: bool) -> str | None:
    """Coordinating units add input to the lead unit's draft; they never submit it."""
    if not actor.active or MEMBER not in actor.roles or not coordinating:
        return "Chỉ chuyên viên của đơn vị phối hợp mới được gửi ý kiến vào dự thảo này."
    if item.state != DRAFT:
        return "Chỉ gửi ý kiến khi sản phẩm đang ở trạng thái Dự thảo."
    return None


def can_read_full_audit(actor: Actor) -> bool:
    return actor.active and bool(actor.roles & SEES_EVERYTHING)


REPORT_REFUSED = (
    "Chỉ Giám đốc, Phó Giám đốc, Văn phòng Sở (thẩm định), kiểm tra và quản trị "
    "mới xem được báo cáo kết quả."
)


def require_report_access(actor: Actor) -> None:
    """The results report (page, .docx, .xlsx): whoever reads the whole trail."""
    if not can_read_full_audit(actor):
        raise NotPermitted(REPORT_REFUSED)


def is_admin(actor: Actor) -> bool:
    return actor.active and ADMIN in actor.roles


def require_admin(actor: Actor) -> None:
    """Users, units and plan imports are an administrator's."""
    if not is_admin(actor):
        raise NotPermitted("Chỉ quản trị hệ thống mới được thực hiện.")


# --- who may take a transition -----------------------------------------------------------

Rule = Callable[[Actor, ItemSnapshot], str | None]  # None = allowed, else why not


def _owning_member(actor: Actor, item: ItemSnapshot) -> str | None:
    if MEMBER in actor.roles and actor.unit_id == item.owner_unit_id:
        return None
    return "Chỉ chuyên viên của đơn vị chủ trì mới được thực hiện."


def _submitter_or_owning_member(actor: Actor, item: ItemSnapshot) -> str | None:
    if actor.id == item.submitted_by_id:
        return None
    return _owning_member(actor, item)


def _reviewer(actor: Actor, item: ItemSnapshot) -> str | None:
    if REVIEWER in actor.roles:
        return None
    return "Chỉ người thẩm định của Văn phòng Sở mới được thực hiện."


def _approver(actor: Actor, item: ItemSnapshot) -> str | None:
    if actor.roles & APPROVERS:
        return None
    return "Chỉ Giám đốc hoặc Phó Giám đốc mới được thực hiện."


def _director(actor: Actor, item: ItemSnapshot) -> str | None:
    if DIRECTOR in actor.roles:
        return None
    return "Chỉ Giám đốc mới được mở lại mục đã phê duyệt."


# The rules a transition's `who` names (workflow.core.machine.TRANSITIONS), with the roles
# that can ever satisfy each: an actor with none of them is refused as not permitted
# whatever the item's state (403 before 409). Whether they are independent of the item is
# `independence` (below).
WHO_RULES: dict[str, tuple[Rule, frozenset[str]]] = {
    "owning_member": (_owning_member, frozenset({MEMBER})),
    "submitter_or_owning_member": (_submitter_or_owning_member, frozenset({MEMBER})),
    "reviewer": (_reviewer, frozenset({REVIEWER})),
    "approver": (_approver, APPROVERS),
    "director": (_director, frozenset({DIRECTOR})),
}
# Derived from the table, keyed like the machine's transitions: (action, source state).
WHO_MAY: dict[tuple[str, str], Rule] = {
    (t.trigger, t.source): WHO_RULES[t.who][0] for t in TRANSITIONS
}
ROLES_FOR_ACTION: dict[str, frozenset[str]] = {}
for _t in TRANSITIONS:
    ROLES_FOR_ACTION[_t.trigger] = (
        ROLES_FOR_ACTION.get(_t.trigger, frozenset()) | WHO_RULES[_t.who][1]
    )
del _t


def may_ever(actor: Actor, action: str) -> bool:
    return actor.active and bool(actor.roles & ROLES_FOR_ACTION.get(action, frozenset()))


# --- separation of duties ----------------------------------------------------------------
#
# The *current round* of an item (vòng xử lý) runs from its creation, or from its last
# reopening after an approval, to now: returns and send-backs do not end it, since the text
# under review still holds what was written before them. Who took part in it:
#   authors     created the item, edited its content, attached or removed its files;
#   submitters  submitted it (every submission of the round, not only the last);
#   reviewers   reviewed it, or voted in favour in its council (each in-favour vote is a
#               review: the last voter alone is not the only reviewer).
# Review-stage decisions (review, return a submitted item, a council vote) are refused to
# authors and submitters; approval-stage decisions (approve, return a reviewed item, send
# it back) to authors, submitters and reviewers. Both people are bound when a delegation
# is used: the one acting and the one whose authority they use.


@dataclass(frozen=True, slots=True)
class Participation:
    """Who took part in the item's current round (user ids); see above."""

    authors: frozenset[int] = frozenset()
    submitters: frozenset[int] = frozenset()
    reviewers: frozenset[int] = frozenset()


NO_PARTICIPATION = Participation()

# The audit actions that make someone an author of the item's content.
# A contribution from a coordinating unit is text and files in the draft: authoring too.
AUTHORING_ACTIONS = frozenset({"create", "edit", "attach", "detach", "contribute"})
# Every audit action `participation` reads (reopen starts a new round).
PARTICIPATION_ACTIONS = AUTHORING_ACTIONS | {"submit", "review", "vote", "reopen"}

REVIEW_STAGE = frozenset({("review", SUBMITTED), ("return", SUBMITTED)})
APPROVAL_STAGE = frozenset({("approve", REVIEWED), ("return", REVIEWED), ("send_back", REVIEWED)})


def participation(events: Iterable[tuple[str, int | None, int | None, bool]]) -> Participation:
    """Fold the item's events, oldest first, as (action, actor id, on-behalf-of id, in
    favour) into who took part in the current round."""
    authors: set[int] = set()
    submitters: set[int] = set()
    reviewers: set[int] = set()
    for action, actor_id, behalf_id, in_favour in events:
        if action == "reopen":
            authors, submitters, reviewers = set(), set(), set()
            continue
        people = {p for p in (actor_id, behalf_id) if p is not None}
        if action in AUTHORING_ACTIONS:
            authors |= people
        elif action == "submit":
            submitters |= people
        elif action == "review" or (action == "vote" and in_favour):
            reviewers |= people
    return Participation(frozenset(authors), frozenset(submitters), frozenset(reviewers))


def needs_participation(item: ItemSnapshot) -> bool:
    """Whether any decision on the item now depends on who took part in its round."""
    return item.state in (SUBMITTED, REVIEWED)


def _stage_refusal(person: Actor, item: ItemSnapshot, part: Participation, stage) -> str | None:
    label = {**ACTION_LABELS, "vote": "Bỏ phiếu"}[stage[0]].lower()
    if person.id in part.authors:
        return (
            f"Người đã soạn, sửa nội dung hoặc tải tệp của mục này không được {label} "
            "chính mục đó (tách bạch nhiệm vụ)."
        )
    if person.id in part.submitters or person.id == item.submitted_by_id:
        return f"Người đã trình không được tự {label} mục mình trình (tách bạch nhiệm vụ)."
    if stage in APPROVAL_STAGE and (
        person.id in part.reviewers or person.id == item.reviewed_by_id
    ):
        return (
            "Người đã thẩm định hoặc bỏ phiếu tán thành không được "
            f"{label} mục đó (tách bạch nhiệm vụ)."
        )
    return None


def why_not_independent(
    person: Actor, item: ItemSnapshot, action: str, part: Participation = NO_PARTICIPATION
) -> str | None:
    """None if `person` took no part in the item's round that bars them from `action`."""
    stage = (action, item.state)
    if stage not in REVIEW_STAGE and stage not in APPROVAL_STAGE:
        return None
    return _stage_refusal(person, item, part, stage)


def why_not_vote(person: Actor, item: ItemSnapshot, part: Participation) -> str | None:
    """A council vote is a review: its authors and submitters may not cast one."""
    return _stage_refusal(person, item, part, ("vote", SUBMITTED))


@dataclass(frozen=True)
class Refusal:
    """Why an action is refused, and as which typed error (its HTTP status, CLI exit)."""

    error: type[WorkflowError]
    message: str
    context: dict[str, Any] = field(default_factory=dict)

    def exception(self) -> WorkflowError:
        return self.error(self.message, **self.context)


def refusal(
    actor: Actor,
    item: ItemSnapshot,
    action: str,
    participation: Participation = NO_PARTICIPATION,
    *,
    person: Actor | None = None,
) -> Refusal | None:
    """THE decision on a transition: None if it may be taken now, else why not.

    `actor` is whose authority is used: the person acting, or with a delegation the
    delegator (then `person` is who acts). `perform`, `available_actions`, the item pages'
    action lists and pre-checks, and the API all ask this one function. The caller has
    checked the item is visible; guards needing input (a reason, completeness, a council's
    quorum) are the machine's.
    """
    person = person or actor
    if action not in ACTIONS:
        return Refusal(UnknownAction, f"Không có thao tác “{action}”.", {"action": action})
    if not actor.active or not person.active:
        return Refusal(NotPermitted, "Tài khoản đã bị khóa.", {"action": action})
    if not may_ever(actor, action):
        return Refusal(
            NotPermitted, "Vai trò của bạn không được thực hiện thao tác này.", {"action": action}
        )
    if destination(action, item.state) is None:
        return Refusal(
            InvalidTransition,
            f"Không thể “{ACTION_LABELS[action]}” khi mục đang ở trạng thái "
            f"“{STATE_LABELS[item.state]}”.",
            {"state": item.state},
        )
    why = WHO_MAY[(action, item.state)](actor, item)
    for who in dict.fromkeys((actor, person)):
        if why is None:
            why = why_not_independent(who, item, action, participation)
    return None if why is None else Refusal(NotPermitted, why, {"action": action})


def why_not(
    actor: Actor,
    item: ItemSnapshot,
    action: str,
    participation: Participation = NO_PARTICIPATION,
) -> str | None:
    """None if the actor may take `action` on the item now; else the refusal's message."""
    found = refusal(actor, item, action, participation)
    return None if found is None else found.message


def require_permission(
    actor: Actor,
    item: ItemSnapshot,
    action: str,
    participation: Participation = NO_PARTICIPATION,
    *,
    person: Actor | None = None,
) -> None:
    found = refusal(actor, item, action, participation, person=person)
    if found is not None:
        raise found.exception()


# --- delegation (ủy quyền) ----------------------------------------------------------------

DELEGABLE = frozenset({REVIEWER, DEPUTY, DIRECTOR})
# Who may hold a delegated authority: for each role a delegator holds, a delegate must hold
# one of these (someone who could hold that authority in their own right). Giám đốc → a
# Phó Giám đốc; Phó Giám đốc → another Phó Giám đốc (or the Giám đốc); an Office reviewer →
# another Office reviewer. Never an auditor (they check the trail the delegate would
# write), never an account without such a role (an administrator's), never oneself.
DELEGATE_MAY_HOLD: dict[str, frozenset[str]] = {
    DIRECTOR: frozenset({DEPUTY}),
    DEPUTY: frozenset({DEPUTY, DIRECTOR}),
    REVIEWER: frozenset({REVIEWER}),
}
NEVER_DELEGATES = frozenset({AUDITOR})


def may_delegate(actor: Actor) -> bool:
    return actor.active and bool(actor.roles & DELEGABLE)


def delegation_refusal(by: Actor, to: Actor | None) -> Refusal | None:
    """May `by` delegate their authority to `to` (None: no such active user)? Checked when
    the delegation is made and again each time it is used."""
    if not may_delegate(by):
        return Refusal(
            NotPermitted, "Chỉ Giám đốc, Phó Giám đốc hoặc người thẩm định mới được ủy quyền."
        )
    if to is None or not to.active:
        return Refusal(InvalidInput, "Không có người dùng đang hoạt động này.")
    if to.id == by.id:
        return Refusal(InvalidInput, "Không thể ủy quyền cho chính mình.")
    if to.roles & NEVER_DELEGATES:
        return Refusal(
            InvalidInput,
            f"Không ủy quyền cho {ROLE_LABELS[AUDITOR].lower()}: người kiểm tra phải độc lập "
            "với việc được kiểm tra.",
        )
    for role in sorted(by.roles & DELEGABLE):
        if not to.roles & DELEGATE_MAY_HOLD[role]:
            allowed = " hoặc ".join(ROLE_LABELS[r] for r in sorted(DELEGATE_MAY_HOLD[role]))
            return Refusal(
                InvalidInput,
                f"{ROLE_LABELS[role]} chỉ ủy quyền được cho người có vai trò {allowed}; "
                f"“{to.username}” không có vai trò đó.",
            )
    return None


def may_delegate_to(by: Actor, to: Actor) -> bool:
    return delegation_refusal(by, to) is None


def revoke_refusal(
    actor: Actor, delegator_id: int, delegate_id: int, revoked: bool
) -> Refusal | None:
    """The delegator or an administrator revokes; the delegate is refused (403); to anyone
    else the delegation does not exist (404); revoking twice is a conflict (409)."""
    is_admin = actor.active and ADMIN in actor.roles
    if not actor.active or (actor.id not in (delegator_id, delegate_id) and not is_admin):
        return Refusal(NotFound, "Không tìm thấy ủy quyền này.")
    if actor.id != delegator_id and not is_admin:
        return Refusal(NotPermitted, "Chỉ người ủy quyền hoặc quản trị mới được chấm dứt ủy quyền.")
    if revoked:
        return Refusal(InvalidTransition, "Ủy quyền này đã được chấm dứt.")
    return None


# --- editing -----------------------------------------------------------------------------


def why_not_edit(actor: Actor, item: ItemSnapshot) -> str | None:
    """Drafts only, by a member of the owning unit (tasks' texts come from the plan)."""
    if not actor.active:
        return "Tài khoản đã bị khóa."
    if item.kind != "deliverable":
        return "Nội dung nhiệm vụ lấy từ kế hoạch, không sửa tại đây."
    if item.state != DRAFT:
        return "Chỉ sửa được khi đang ở trạng thái Dự thảo."
    return _owning_member(actor, item)


def can_edit(actor: Actor, item: ItemSnapshot) -> bool:
    return why_not_edit(actor, item) is None


def why_not_remove_attachment(
    actor: Actor, item: ItemSnapshot, uploaded_by_id: int | None
) -> str | None:
    """A wrong file comes off while the item is a draft (returned items are drafts again):
    by whoever uploaded it, if still a member, or by a member of the owning unit. After
    submission the files are what was reviewed: they stay."""
    if not actor.active:
        return "Tài khoản đã bị khóa."
    if item.kind != "deliverable" or item.state != DRAFT:
        return "Chỉ gỡ được tệp khi sản phẩm đang ở trạng thái Dự thảo."
    if actor.id == uploaded_by_id and MEMBER in actor.roles:
        return None
    if _owning_member(actor, item) is None:
        return None
    return "Chỉ người đã tải tệp lên hoặc chuyên viên của đơn vị chủ trì mới được gỡ tệp."


# Kinds the system creates for the plan by itself (one per period): never deleted by hand.
SYSTEM_KINDS = frozenset({"periodic_report"})


def why_not_delete_draft(
    actor: Actor, item: ItemSnapshot, created_by_id: int | None, ever_submitted: bool
) -> tuple[type[WorkflowError], str] | None:
    """A mistaken draft goes away: one the unit added itself (`created_by_id`: who added
    it; None for the plan's own products and the system's periodic reports), never
    submitted, by its author or a member of the owning unit. The trail keeps its record."""
    if not actor.active:
        return NotPermitted, "Tài khoản đã bị khóa."
    if item.kind != "deliverable":
        return InvalidTransition, "Nhiệm vụ lấy từ kế hoạch, không xóa được."
    if actor.id != created_by_id and _owning_member(actor, item) is not None:
        return NotPermitted, (
            "Chỉ người tạo dự thảo hoặc chuyên viên của đơn vị chủ trì mới được xóa dự thảo."
        )
    if MEMBER not in actor.roles:
        return NotPermitted, "Chỉ chuyên viên của đơn vị chủ trì mới được xóa dự thảo."
    if item.state != DRAFT or ever_submitted:
        return InvalidTransition, (
            "Chỉ xóa được dự thảo chưa từng được trình; dự thảo đã trình thì sửa và trình lại."
        )
    if created_by_id is None or item.deliverable_kind in SYSTEM_KINDS:
        return InvalidTransition, (
            "Sản phẩm này do kế hoạch quy định (hoặc hệ thống tạo theo kỳ), không xóa được; "
            "hãy sửa nội dung."
        )
    return None


def can_create_deliverable(actor: Actor, lead_unit_ids: set[int]) -> bool:
    """A member of one of the task's lead units may add a deliverable for their unit."""
    return actor.active and MEMBER in actor.roles and actor.unit_id in lead_unit_ids


# --- due dates -------------------------------------------------------------------------------

DUE_DATE_KEEPERS = frozenset({REVIEWER, DIRECTOR})
DUE_DATE_FROM_PLAN = (
    "Hạn hoàn thành lấy từ kế hoạch; chỉ người thẩm định của Văn phòng Sở hoặc Giám đốc "
    "mới được đổi, kèm lý do."
)


def why_not_change_due_date(actor: Actor, item: ItemSnapshot) -> str | None:
    """Due dates come from the plan: a unit never moves its own deadlines. The Office
    reviewer or the Director may change one (with a reason, audited), in any state but
    approved (an approved item is no longer due)."""
    if not actor.active or not actor.roles & DUE_DATE_KEEPERS:
        return DUE_DATE_FROM_PLAN
    return None


def can_change_due_date(actor: Actor, item: ItemSnapshot) -> bool:
    return why_not_change_due_date(actor, item) is None and item.state != APPROVED
