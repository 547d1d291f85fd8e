"""SQLAlchemy models: data only. Imported by workflow/, never the reverse."""

from models.audit import AuditCheckpoint, AuditEvent, AuditHead
from models.auth import ApiToken, LoginFailure
from models.base import Base, utcnow
from models.collab import (
    Contribution,
    Council,
    CouncilMember,
    CouncilVote,
    Delegation,
    Notification,
    OutboxMessage,
    RegulationVersion,
)
from models.content import Attachment, Comment
from models.org import ROLES, Unit, UnitGroup, User, UserRole, unit_group_member
from models.plan import (
    DELIVERABLE_KINDS,
    STATES,
    TIMING_KINDS,
    Deliverable,
    Plan,
    StateStay,
    Task,
    TaskUnit,
)

__all__ = [
    "Contribution",
    "Council",
    "CouncilMember",
    "CouncilVote",
    "Delegation",
    "Notification",
    "OutboxMessage",
    "RegulationVersion",
    "ApiToken",
    "Attachment",
    "Comment",
    "LoginFailure",
    "AuditCheckpoint",
    "AuditEvent",
    "AuditHead",
    "Base",
    "DELIVERABLE_KINDS",
    "Deliverable",
    "Plan",
    "StateStay",
    "ROLES",
    "STATES",
    "TIMING_KINDS",
    "Task",
    "TaskUnit",
    "Unit",
    "UnitGroup",
    "User",
    "UserRole",
    "unit_group_member",
    "utcnow",
]
