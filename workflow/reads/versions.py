"""A regulation's versions (Quy chế: each changed resubmission is one), what each changed
against the one before, and the summary on the item's page. The versions page and the API
read the same rows (`VersionRow`, `VersionDiff`).

No Flask here. Three queries at most.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Deliverable, RegulationVersion, Task, User
from workflow.core.errors import NotFound
from workflow.core.policy import Actor, ItemSnapshot
from workflow.items import regulation
from workflow.reads import queries


@dataclass(frozen=True)
class VersionRow:
    number: int
    created_by: str
    created_by_name: str
    created_at: datetime
    in_force: bool
    effective_date: date | None
    added: int  # lines added against the previous version
    removed: int
    body: str = ""


@dataclass(frozen=True)
class RegulationSummary:
    count: int
    latest: int | None
    in_force: int | None
    effective_date: date | None


@dataclass(frozen=True)
class VersionsPage:
    deliverable_id: int
    title: str
    state: str
    task_id: int
    task_number: int
    versions: list[VersionRow]  # newest first

    @property
    def in_force(self) -> VersionRow | None:
        return next((v for v in self.versions if v.in_force), None)


@dataclass(frozen=True)
class DiffLine:
    tag: str  # " " unchanged, "-" removed, "+" added
    text: str
    old_no: int | None
    new_no: int | None


@dataclass(frozen=True)
class VersionDiff:
    page: VersionsPage
    version: VersionRow
    previous: int | None  # None: the first version (shown against an empty text)
    lines: list[DiffLine]

    @property
    def added(self) -> int:
        return sum(1 for line in self.lines if line.tag == "+")

    @property
    def removed(self) -> int:
        return sum(1 for line in self.lines if line.tag == "-")


def regulation_summary(session: Session, snap: ItemSnapshot) -> RegulationSummary | None:
    if snap.deliverable_kind != "regulation":
        return None
    rows = session.execute(
        select(
            RegulationVersion.number, RegulationVersion.in_force, RegulationVersion.effective_date
        )
        .where(RegulationVersion.deliverable_id == snap.id)
        .order_by(RegulationVersion.number)
    ).all()
    in_force = next((r for r in rows if r.in_force), None)
    return RegulationSummary(
        len(rows),
        rows[-1].number if rows else None,
        in_force.number if in_force else None,
        in_force.effective_date if in_force else None,
    )


def _numbered(pairs: list[tuple[str, str]]) -> list[DiffLine]:
    old = new = 0
    lines = []
    for tag, text in pairs:
        if tag in (" ", "-"):
            old += 1
        if tag in (" ", "+"):
            new += 1
        lines.append(DiffLine(tag, text, old if tag != "+" else None, new if tag != "-" else None))
    return lines


def _versions(session: Session, actor: Actor, deliverable_id: int):
    item = queries.get_item(session, actor, "deliverable", deliverable_id)
    assert isinstance(item, Deliverable)
    regulation.require_versioned(item.kind)
    task_number = session.execute(select(Task.number).where(Task.id == item.task_id)).scalar_one()
    rows = session.execute(
        select(RegulationVersion, User.username, User.full_name)
        .join(User, User.id == RegulationVersion.created_by_id)
        .where(RegulationVersion.deliverable_id == item.id)
        .order_by(RegulationVersion.number)
    ).all()
    bodies: dict[int, str] = {}
    versions: list[VersionRow] = []
    previous = ""
    for v, username, full_name in rows:
        pairs = regulation.diff(previous, v.body)
        versions.append(
            VersionRow(
                v.number,
                username,
                full_name,
                v.created_at,
                v.in_force,
                v.effective_date,
                sum(1 for t, _ in pairs if t == "+"),
                sum(1 for t, _ in pairs if t == "-"),
                v.body,
            )
        )
        bodies[v.number] = v.body
        previous = v.body
    page = VersionsPage(
        item.id, item.title, item.state, item.task_id, task_number, list(reversed(versions))
    )
    return page, bodies


def regulation_versions(session: Session, actor: Actor, deliverable_id: int) -> VersionsPage:
    """A regulation's submitted versions, newest first, with what each changed."""
    return _versions(session, actor, deliverable_id)[0]


def regulation_diff(
    session: Session, actor: Actor, deliverable_id: int, number: int
) -> VersionDiff:
    """Version `number` against the one before it (the first against an empty text)."""
    page, bodies = _versions(session, actor, deliverable_id)
    version = next((v for v in page.versions if v.number == number), None)
    if version is None:
        raise NotFound(f"Quy chế này không có phiên bản {number}.")
    earlier = [n for n in bodies if n < number]
    previous = max(earlier) if earlier else None
    pairs = regulation.diff(bodies[previous] if previous else "", bodies[number])
    return VersionDiff(page, version, previous, _numbered(pairs))
