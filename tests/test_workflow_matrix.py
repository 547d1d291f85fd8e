"""DOMAIN.md's transition table, cell by cell: every role × action × state.

The expectations are written here from the domain table, independently of workflow/policy.
"""

from __future__ import annotations

import pytest

from tests.helpers import audit_count, bring_to, office_deliverable, state_and_version
from workflow.core import errors, service
from workflow.core.machine import ACTIONS, STATES

# Who each demo user is, relative to an item owned by Văn phòng Sở (task 2's Steering
# Committee decision; Chi cục QLTT coordinates task 2, so it sees the draft).
ROLES = {
    "owning_member": "vp.chuyenvien",
    "coordinating_member": "qltt.chuyenvien",
    "office_reviewer": "vp.thamdinh",
    "deputy_director": "phogiamdoc",
    "director": "giamdoc",
    "admin": "admin",
    "auditor": "kiemtra",
}

# (role, action, from state) → to state: the only cells that succeed.
ALLOWED = {
    ("owning_member", "submit", "draft"): "submitted",
    ("owning_member", "withdraw", "submitted"): "draft",
    ("office_reviewer", "review", "submitted"): "reviewed",
    ("office_reviewer", "return", "submitted"): "draft",
    ("deputy_director", "return", "reviewed"): "draft",
    ("director", "return", "reviewed"): "draft",
    ("deputy_director", "send_back", "reviewed"): "submitted",
    ("director", "send_back", "reviewed"): "submitted",
    ("deputy_director", "approve", "reviewed"): "approved",
    ("director", "approve", "reviewed"): "approved",
    ("director", "reopen", "approved"): "draft",
}
# The actions each role can take from *some* state (else: not permitted, whatever the state).
CAPABLE = {
    "owning_member": {"submit", "withdraw"},
    "coordinating_member": {"submit", "withdraw"},
    "office_reviewer": {"review", "return"},
    "deputy_director": {"return", "send_back", "approve"},
    "director": {"return", "send_back", "approve", "reopen"},
    "admin": set(),
    "auditor": set(),
}
SOURCES = {  # the states each action starts from, in the domain table
    "submit": {"draft"},
    "withdraw": {"submitted"},
    "review": {"submitted"},
    "return": {"submitted", "reviewed"},
    "send_back": {"reviewed"},
    "approve": {"reviewed"},
    "reopen": {"approved"},
}
NEEDS_REASON = {"return", "send_back", "reopen"}


def expected_refusal(role: str, action: str, state: str) -> type[errors.WorkflowError]:
    if action not in CAPABLE[role]:
        return errors.NotPermitted
    if state not in SOURCES[action]:
        return errors.InvalidTransition
    return errors.NotPermitted


CELLS = [(r, a, s) for r in ROLES for a in ACTIONS for s in STATES]


@pytest.mark.parametrize(("role", "action", "state"), CELLS, ids=["-".join(c) for c in CELLS])
def test_transition_matrix_cell(session, actors, role, action, state):
    item = ("deliverable", office_deliverable(session).id)
    bring_to(session, actors, item, state)
    before_events = audit_count(session)
    before = state_and_version(session, item)
    reason = "Cần bổ sung số liệu." if action in NEEDS_REASON else None

    if (role, action, state) in ALLOWED:
        outcome = service.perform(session, actors[ROLES[role]], item, action, reason=reason)
        assert outcome.to_state == ALLOWED[(role, action, state)]
        assert state_and_version(session, item) == (outcome.to_state, before[1] + 1)
        assert audit_count(session) == before_events + 1
    else:
        with pytest.raises(expected_refusal(role, action, state)):
            service.perform(session, actors[ROLES[role]], item, action, reason=reason)
        assert state_and_version(session, item) == before
        assert audit_count(session) == before_events


def test_matrix_covers_every_allowed_row_of_the_domain_table():
    assert {(a, s) for (_, a, s) in ALLOWED} == {(a, s) for a in SOURCES for s in SOURCES[a]}


@pytest.mark.parametrize(
    ("state", "username", "action"),
    [
        ("submitted", "vp.thamdinh", "return"),
        ("reviewed", "giamdoc", "return"),
        ("reviewed", "phogiamdoc", "send_back"),
        ("approved", "giamdoc", "reopen"),
    ],
)
@pytest.mark.parametrize("reason", [None, "", "   "])
def test_return_send_back_and_reopen_need_a_reason(
    session, actors, state, username, action, reason
):
    item = ("deliverable", office_deliverable(session).id)
    bring_to(session, actors, item, state)
    events = audit_count(session)
    with pytest.raises(errors.ReasonRequired):
        service.perform(session, actors[username], item, action, reason=reason)
    assert state_and_version(session, item)[0] == state
    assert audit_count(session) == events


def test_unknown_action_is_refused(session, actors):
    item = ("deliverable", office_deliverable(session).id)
    with pytest.raises(errors.UnknownAction):
        service.perform(session, actors["vp.chuyenvien"], item, "publish")
