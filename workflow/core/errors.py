"""Typed errors of the engine. Every interface maps them the same way (HTTP status, CLI exit)."""

from __future__ import annotations


class WorkflowError(Exception):
    """Base class. `code` is stable (API `error` field); the message is for people."""

    code = "workflow_error"
    http_status = 400

    def __init__(self, message: str, **context: object) -> None:
        super().__init__(message)
        self.message = message
        self.context = context


class UnknownAction(WorkflowError):
    code = "unknown_action"
    http_status = 400


class NotFound(WorkflowError):
    """The item does not exist, or the actor may not see it (the two look the same)."""

    code = "not_found"
    http_status = 404


class NotPermitted(WorkflowError):
    code = "not_permitted"
    http_status = 403


class InvalidTransition(WorkflowError):
    """The item's current state does not allow the action."""

    code = "invalid_transition"
    http_status = 409


class Incomplete(InvalidTransition):
    """A guard found the item not ready (missing fields, deliverables not approved)."""

    code = "incomplete"
    http_status = 409


class ReasonRequired(WorkflowError):
    code = "reason_required"
    http_status = 400


class StaleVersion(WorkflowError):
    """The item changed since the actor loaded it."""

    code = "stale_version"
    http_status = 409


class Conflict(WorkflowError):
    """The request clashes with what exists (e.g. the same plan imported twice)."""

    code = "conflict"
    http_status = 409


class InvalidInput(WorkflowError):
    code = "invalid_input"
    http_status = 400
