"""The approval machine, declared once, as data.

One `transitions.Machine` for the whole process, holding no model: an action is fired by
passing a short-lived `Attempt` (the item's snapshot plus the request) to the event, so no
database row is ever attached to the shared machine and nothing is built per row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from transitions import Machine

from workflow.core import guards

DRAFT, SUBMITTED, REVIEWED, APPROVED = "draft", "submitted", "reviewed", "approved"
STATES = (DRAFT, SUBMITTED, REVIEWED, APPROVED)

STATE_LABELS = {
    DRAFT: "Dự thảo",
    SUBMITTED: "Đã trình",
    REVIEWED: "Đã thẩm định",
    APPROVED: "Đã phê duyệt",
}


@dataclass(frozen=True, slots=True)
class Transition:
    """One row of DOMAIN.md's transition table, and everything the engine derives from it.

    `guards` are names in workflow.core.guards (`reason_given` is added when `needs_reason`);
    `who` names the rule in workflow.core.policy.WHO_RULES that says who may take it."""

    trigger: str
    source: str
    dest: str
    who: str
    label: str
    guards: tuple[str, ...] = ()
    needs_reason: bool = False

    @property
    def all_guards(self) -> tuple[str, ...]:
        return (*self.guards, "reason_given") if self.needs_reason else self.guards


TRANSITIONS: tuple[Transition, ...] = (
    Transition("submit", DRAFT, SUBMITTED, "owning_member", "Trình", ("item_is_complete",)),
    Transition("withdraw", SUBMITTED, DRAFT, "submitter_or_owning_member", "Thu hồi"),
    Transition("review", SUBMITTED, REVIEWED, "reviewer", "Thẩm định", ("council_quorum_met",)),
    Transition("return", SUBMITTED, DRAFT, "reviewer", "Trả lại", needs_reason=True),
    Transition("return", REVIEWED, DRAFT, "approver", "Trả lại", needs_reason=True),
    Transition(
        "send_back", REVIEWED, SUBMITTED, "approver", "Chuyển thẩm định lại", needs_reason=True
    ),
    Transition("approve", REVIEWED, APPROVED, "approver", "Phê duyệt"),
    Transition("reopen", APPROVED, DRAFT, "director", "Mở lại", needs_reason=True),
)

# Derived, never written twice:
ACTIONS: tuple[str, ...] = tuple(dict.fromkeys(t.trigger for t in TRANSITIONS))
ACTION_LABELS: dict[str, str] = {
    a: next(t.label for t in TRANSITIONS if t.trigger == a) for a in ACTIONS
}
REASON_REQUIRED: frozenset[tuple[str, str]] = frozenset(
    (t.trigger, t.source) for t in TRANSITIONS if t.needs_reason
)
BY_STEP: dict[tuple[str, str], Transition] = {(t.trigger, t.source): t for t in TRANSITIONS}


@dataclass
class Attempt:
    """What one firing of the machine works on; discarded afterwards."""

    state: str
    item: Any
    reason: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)


def _condition(guard_name: str):
    guard = getattr(guards, guard_name)

    def check(event_data) -> bool:
        guard(event_data.model)  # raises a typed error when it fails
        return True

    check.__name__ = guard_name
    return check


MACHINE = Machine(
    model=None,
    states=list(STATES),
    initial=DRAFT,
    transitions=[
        {
            "trigger": t.trigger,
            "source": t.source,
            "dest": t.dest,
            "conditions": [_condition(g) for g in t.all_guards],
        }
        for t in TRANSITIONS
    ],
    auto_transitions=False,
    send_event=True,
    ignore_invalid_triggers=False,
)


def destination(action: str, source: str) -> str | None:
    """Where `action` leads from `source`, or None if the machine has no such transition."""
    event = MACHINE.events.get(action)
    if event is None:
        return None
    found = event.transitions.get(source)
    return found[0].dest if found else None


def fire(attempt: Attempt, action: str) -> str:
    """Run the transition (guards included) on the attempt; returns the new state."""
    MACHINE.events[action].trigger(attempt)
    return attempt.state
