"""The workflow engine: states, transitions, who may act, and the audit trail. No Flask here."""

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
