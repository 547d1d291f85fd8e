"""Mail: the outbox written in each transition's transaction, its delivery, reminders.
Importing the package registers the outbox's after-transition hook with core.effects."""

from workflow.notify import outbox  # noqa: F401
