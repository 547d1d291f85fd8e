"""Who may do what: visibility, and who may take each transition (separation of duties too).

Every rule reads an `Actor` and an `ItemSnapshot` only, so the same decision is made for a
page, an API call, a CLI command and a list of a thousand items without a query per item.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, or_, select, true

from workflow.errors import NotFound, NotPermitted
from workflow.machine import APPROVED, DRAFT, REVIEWED, SUBMITTED

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
        return "Chỉ chuyên viên của đơn vị phối hợp mới được góp ý kiến vào dự thảo này."
    if item.state != DRAFT:
        return "Chỉ góp ý kiến khi sản phẩm đang ở trạng thái Dự thảo."
    return None


def can_read_full_audit(actor: Actor) -> bool:
    return actor.active and bool(actor.roles & SEES_EVERYTHING)


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


def _reviewer_not_submitter(actor: Actor, item: ItemSnapshot) -> str | None:
    if REVIEWER not in actor.roles:
        return "Chỉ người thẩm định của Văn phòng Sở mới được thực hiện."
    if actor.id == item.submitted_by_id:
        return "Người đã trình không được tự thẩm định (tách bạch nhiệm vụ)."
    return None


def _reviewer(actor: Actor, item: ItemSnapshot) -> str | None:
    if REVIEWER in actor.roles:
        return None
    return "Chỉ người thẩm định của Văn phòng Sở mới được thực hiện."


def _approver(actor: Actor, item: ItemSnapshot) -> str | None:
    if actor.roles & APPROVERS:
        return None
    return "Chỉ Giám đốc hoặc Phó Giám đốc mới được thực hiện."


def _approver_independent(actor: Actor, item: ItemSnapshot) -> str | None:
    if not actor.roles & APPROVERS:
        return "Chỉ Giám đốc hoặc Phó Giám đốc mới được phê duyệt."
    if actor.id in (item.submitted_by_id, item.reviewed_by_id):
        return (
            "Người phê duyệt không được là người đã trình hoặc đã thẩm định (tách bạch nhiệm vụ)."
        )
    return None


def _director(actor: Actor, item: ItemSnapshot) -> str | None:
    if DIRECTOR in actor.roles:
        return None
    return "Chỉ Giám đốc mới được mở lại mục đã phê duyệt."


# Keyed like the machine's transitions: (action, source state).
WHO_MAY: dict[tuple[str, str], Rule] = {
    ("submit", DRAFT): _owning_member,
    ("withdraw", SUBMITTED): _submitter_or_owning_member,
    ("review", SUBMITTED): _reviewer_not_submitter,
    ("return", SUBMITTED): _reviewer,
    ("return", REVIEWED): _approver,
    ("send_back", REVIEWED): _approver,
    ("approve", REVIEWED): _approver_independent,
    ("reopen", APPROVED): _director,
}

# The roles that can take an action from *some* state: an actor with none of them is
# refused as not permitted whatever the item's state (403 before 409).
ROLES_FOR_ACTION: dict[str, frozenset[str]] = {
    "submit": frozenset({MEMBER}),
    "withdraw": frozenset({MEMBER}),
    "review": frozenset({REVIEWER}),
    "return": frozenset({REVIEWER}) | APPROVERS,
    "send_back": APPROVERS,
    "approve": APPROVERS,
    "reopen": frozenset({DIRECTOR}),
}


def may_ever(actor: Actor, action: str) -> bool:
    return actor.active and bool(actor.roles & ROLES_FOR_ACTION.get(action, frozenset()))


def why_not(actor: Actor, item: ItemSnapshot, action: str) -> str | None:
    """None if the actor may take `action` on the item in its current state."""
    if not actor.active:
        return "Tài khoản đã bị khóa."
    rule = WHO_MAY.get((action, item.state))
    if rule is None:
        return "Trạng thái hiện tại không cho phép thao tác này."
    return rule(actor, item)


def require_independent(person: Actor, item: ItemSnapshot, action: str) -> None:
    """Separation of duties holds for the person too, when they act with a delegation."""
    if action in ("review", "approve") and person.id in (item.submitted_by_id, item.reviewed_by_id):
        raise NotPermitted(
            "Người đã trình hoặc đã thẩm định không được thực hiện bước này (tách bạch nhiệm vụ)."
        )


def require_permission(actor: Actor, item: ItemSnapshot, action: str) -> None:
    reason = why_not(actor, item, action)
    if reason is not None:
        raise NotPermitted(reason, action=action)


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


def can_create_deliverable(actor: Actor, lead_unit_ids: set[int]) -> bool:
    """A member of one of the task's lead units may add a deliverable for their unit."""
    return actor.active and MEMBER in actor.roles and actor.unit_id in lead_unit_ids
