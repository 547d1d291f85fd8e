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

ACTION_LABELS = {
    "submit": "Trình",
    "withdraw": "Thu hồi",
    "review": "Thẩm định",
    "return": "Trả lại",
    "send_back": "Chuyển thẩm định lại",
    "approve": "Phê duyệt",
    "reopen": "Mở lại",
}

# DOMAIN.md's transition table. `guards` are names in workflow.core.guards; who may act on each
# row is workflow.core.policy's business (keyed by (action, source)).
TRANSITIONS: tuple[dict[str, Any], ...] = (
    {"trigger": "submit", "source": DRAFT, "dest": SUBMITTED, "guards": ("item_is_complete",)},
    {"trigger": "withdraw", "source": SUBMITTED, "dest": DRAFT, "guards": ()},
    {"trigger": "review", "source": SUBMITTED, "dest": REVIEWED, "guards": ("council_quorum_met",)},
    {"trigger": "return", "source": SUBMITTED, "dest": DRAFT, "guards": ("reason_given",)},
    {"trigger": "return", "source": REVIEWED, "dest": DRAFT, "guards": ("reason_given",)},
    {"trigger": "send_back", "source": REVIEWED, "dest": SUBMITTED, "guards": ("reason_given",)},
    {"trigger": "approve", "source": REVIEWED, "dest": APPROVED, "guards": ()},
    {"trigger": "reopen", "source": APPROVED, "dest": DRAFT, "guards": ("reason_given",)},
)

ACTIONS: tuple[str, ...] = tuple(dict.fromkeys(t["trigger"] for t in TRANSITIONS))
REASON_REQUIRED: frozenset[tuple[str, str]] = frozenset(
    (t["trigger"], t["source"]) for t in TRANSITIONS if "reason_given" in t["guards"]
)


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
            "trigger": t["trigger"],
            "source": t["source"],
            "dest": t["dest"],
            "conditions": [_condition(g) for g in t["guards"]],
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
