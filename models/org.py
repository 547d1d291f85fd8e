"""The organisation: units, groups of units, users and their roles."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow

UNIT_KINDS = ("office", "division", "sub_department", "leadership")
ROLES = ("member", "reviewer", "deputy_director", "director", "admin", "auditor")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


unit_group_member = Table(
    "unit_group_member",
    Base.metadata,
    Column("group_id", ForeignKey("unit_group.id", ondelete="CASCADE"), primary_key=True),
    Column("unit_id", ForeignKey("unit.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Unit(Base):
    __tablename__ = "unit"
    __table_args__ = (CheckConstraint(_in("kind", UNIT_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    short_name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(20))
    # Other spellings a document may use ("Chi cục QLTT"); one per line.
    aliases: Mapped[str] = mapped_column(Text, default="")

    groups: Mapped[list[UnitGroup]] = relationship(
        secondary=unit_group_member, back_populates="units"
    )


class UnitGroup(Base):
    """A named set of units, e.g. "Các phòng thuộc Sở" (the Department's divisions)."""

    __tablename__ = "unit_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    aliases: Mapped[str] = mapped_column(Text, default="")

    units: Mapped[list[Unit]] = relationship(
        secondary=unit_group_member, back_populates="groups", order_by="Unit.id"
    )


class User(Base):
    __tablename__ = "user_account"
    __table_args__ = (Index("ix_user_account_unit_id_active", "unit_id", "active"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(200))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Put into every session and remember-me cookie at sign-in; raised by sign-out, a
    # password change, (de)activation and a change of roles, which ends them all.
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    unit: Mapped[Unit] = relationship(lazy="joined")
    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="UserRole.role"
    )

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(r.role for r in self.role_rows)


class UserRole(Base):
    __tablename__ = "user_role"
    __table_args__ = (
        CheckConstraint(_in("role", ROLES), name="role"),
        Index("ix_user_role_role", "role"),
    )

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(20), primary_key=True)
