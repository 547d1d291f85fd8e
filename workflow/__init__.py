"""The workflow engine: states, transitions, who may act, and the audit trail. No Flask here."""

from workflow.errors import (
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
from workflow.policy import Actor, ItemSnapshot
from workflow.service import Outcome, available_actions, perform

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
