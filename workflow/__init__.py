"""The workflow engine: states, transitions, who may act, and the audit trail. No Flask here.

Layers, each importing only those below it (tests/test_layers.py holds this):
  core     the machine, policy, guards, audit chain, `perform`, write transactions; imports
           only `models`. Its extension points (core.effects) are filled by:
  items    what items are and how they are edited: kinds, editing, council, delegation,
           regulation, periodic reports;
  notify   the mail outbox and reminders;
  accounts users, passwords, sign-in throttling, API tokens, administration;
  reads    read-only views for pages, API and reports (never writes);
  intake   import of plans, the demo seed, load generation.
"""

from workflow.core.errors import (
    Incomplete,
    InvalidInput,
    InvalidTransition,
    NotFound,
    NotPermitted,
    ReasonRequired,
    StaleVersion,
    UnknownAction,
    WorkflowError,
)
from workflow.core.policy import Actor, ItemSnapshot
from workflow.core.service import Outcome, available_actions, perform

__all__ = [
    "Actor",
    "Incomplete",
    "InvalidInput",
    "InvalidTransition",
    "ItemSnapshot",
    "NotFound",
    "NotPermitted",
    "Outcome",
    "ReasonRequired",
    "StaleVersion",
    "UnknownAction",
    "WorkflowError",
    "available_actions",
    "perform",
]

# The layers above core register their hooks with core.effects when imported: importing
# `workflow` (which any `workflow.*` import does first) makes the engine complete.
from workflow import items, notify  # noqa: E402, F401
