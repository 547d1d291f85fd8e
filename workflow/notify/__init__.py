"""Telling people: the mail outbox written in each transition's transaction, its delivery,
reminders, and the in-app inbox (notifications). Importing the package registers their
after-transition hooks with core.effects."""

from workflow.notify import notifications, outbox  # noqa: F401
