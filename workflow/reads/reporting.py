"""The results report of a plan ("Báo cáo kết quả thực hiện Kế hoạch"), as plain data.

`report_data` reads a plan, its tasks and deliverables, when each was approved, and the audit
events of a date range, in a fixed number of queries (ten, whatever the size of the plan),
and returns frozen dataclasses that the renderers in `documents/` turn into .docx, .xlsx
and HTML. No Flask here, no file formats.

Dates: the range is in local dates (Asia/Ho_Chi_Minh), both ends inclusive; the database
stores naive UTC, converted here. "On time" compares the local date of an item's (latest)
approval with its due date; an item not approved whose due date is before the report's end
date is overdue; an item without a due date (an ongoing task) is "Thường xuyên".
The states shown are the states at the time the report is produced.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from models import (
    AuditEvent,
    Deliverable,
    Plan,
    Task,
    TaskUnit,
    Unit,
    UnitGroup,
    User,
    UserRole,
    unit_group_member,
)
from workflow.core import checkpoints
from workflow.core.errors import InvalidInput, NotFound
from workflow.core.machine import APPROVED, STATE_LABELS, STATES
from workflow.core.policy import ROLE_LABELS
from workflow.items import kinds
from workflow.reads import wording

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

ON_TIME, LATE, OVERDUE, PENDING, ONGOING, UNKNOWN = (
    "on_time",
    "late",
    "overdue",
    "pending",
    "ongoing",
    "unknown",
)
TIMELINESS_LABELS = {
    ON_TIME: "Đúng hạn",
    LATE: "Trễ hạn",
    OVERDUE: "Quá hạn",
    PENDING: "Chưa đến hạn",
    ONGOING: "Thường xuyên",
    UNKNOWN: "Không xác định",
}
# The trail's actions and item types are named in workflow.reads.wording (one home).
ITEM_TYPE_LABELS = wording.ITEM_TYPE_LABELS
KIND_LABELS = kinds.KIND_LABELS


# --- the data ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanHeader:
    id: int
    code: str
    number: str  # as the plan writes it, possibly without its number: "/KH-SCT"
    title: str
    issuer: str  # "Sở Công Thương tỉnh Quảng Ngãi"
    issue_date: date | None
    parent_ref: str
    period_end: date | None
    # Derived from the issuer, for the Decree 30 header:
    parent_body: str  # "UBND TỈNH QUẢNG NGÃI" ("" when it cannot be told)
    parent_short: str  # "UBND tỉnh" (the recipient line "- UBND tỉnh (b/c);")
    agency: str  # "SỞ CÔNG THƯƠNG"
    agency_name: str  # "Sở Công Thương"
    place: str  # "Quảng Ngãi"
    symbol: str  # "SCT": the agency's abbreviation in document symbols


@dataclass(frozen=True)
class DeliverableLine:
    id: int
    task_number: int
    title: str
    kind: str
    kind_label: str
    unit: str
    required: bool
    due_date: date | None
    state: str
    state_label: str
    approved_at: datetime | None  # local time, naive (Asia/Ho_Chi_Minh)
    approved_by: str | None  # the login
    timeliness: str
    timeliness_label: str
    body: str
    approved_by_name: str = ""  # "Nguyễn Văn A (Ban Giám đốc Sở)"


@dataclass(frozen=True)
class DoneItem:
    """A deliverable approved within the range: what was done for a task."""

    deliverable_id: int
    title: str
    unit: str
    approved_on: date
    body: str


@dataclass(frozen=True)
class TaskLine:
    id: int
    number: int
    title: str
    lead_units: tuple[str, ...]
    coordinating_units: tuple[str, ...]
    lead_text: str  # as the plan writes it ("" when not recorded)
    lead_summary: str  # the lead units, a whole group of units named by the group's name
    timing_kind: str
    timing_text: str
    due_date: date | None
    state: str
    state_label: str
    approved_at: datetime | None
    timeliness: str
    timeliness_label: str
    deliverables: tuple[DeliverableLine, ...]
    done: tuple[DoneItem, ...]

    @property
    def deadline_text(self) -> str:
        """What the "Thời hạn" column shows: the due date, else the plan's wording."""
        if self.due_date is not None:
            return self.due_date.strftime("%d/%m/%Y")
        return self.timing_text or TIMELINESS_LABELS[ONGOING]

    @property
    def timing_line(self) -> str:
        """The plan's wording with the due date when it does not already say it:
        "Năm 2025 (hạn 31/12/2025)", "Hoàn thành trước ngày 15/11/2025", "Thường xuyên"."""
        text = self.timing_text or self.deadline_text
        due = self.due_date.strftime("%d/%m/%Y") if self.due_date else ""
        return f"{text} (hạn {due})" if due and due not in text else text

    @property
    def leads_text(self) -> str:
        return self.lead_summary or "; ".join(self.lead_units) or self.lead_text

    @property
    def approved_count(self) -> int:
        return sum(1 for d in self.deliverables if d.state == APPROVED)


@dataclass(frozen=True)
class Summary:
    tasks_total: int
    tasks_by_state: tuple[tuple[str, int], ...]  # (state, count) for every state, in order
    task_timeliness: tuple[tuple[str, int], ...]  # (timeliness, count), only those present
    deliverables_total: int
    deliverables_approved: int
    deliverables_approved_in_range: int
    on_time: int  # deliverables
    late: int
    overdue: int
    pending: int

    def tasks_in(self, state: str) -> int:
        return dict(self.tasks_by_state).get(state, 0)


@dataclass(frozen=True)
class EventLine:
    seq: int
    at: datetime  # local time, naive
    item_type: str
    item_type_label: str
    item_id: int | None
    item_label: str
    actor: str
    actor_unit: str
    actor_roles: str
    action: str
    action_label: str
    from_state: str
    to_state: str
    reason: str
    actor_name: str = ""  # "Nguyễn Văn A (Văn phòng Sở)" (the unit at that moment)
    roles_text: str = ""  # "Chuyên viên, Thẩm định (Văn phòng Sở)"


@dataclass(frozen=True)
class PlanReport:
    plan: PlanHeader
    date_from: date | None  # None: from the beginning
    date_to: date
    report_date: date  # the date printed beside the place ("Quảng Ngãi, ngày …")
    signer_title: str
    signer_name: str | None
    tasks: tuple[TaskLine, ...]
    summary: Summary
    events: tuple[EventLine, ...]
    # The audit trail's latest signed checkpoint ("a1b2c3d4e5f6 (sự kiện #123, 03/12/2026)"),
    # printed on the report so the paper copy carries it too.
    audit_checkpoint: str = checkpoints.NO_CHECKPOINT

    @property
    def title(self) -> str:
        """The report's subject line: "Kết quả thực hiện Kế hoạch … <plan title>"."""
        return f"Kết quả thực hiện {plan_reference(self.plan)}"

    @property
    def period_text(self) -> str:
        end = self.date_to.strftime("%d/%m/%Y")
        if self.date_from is None:
            return f"tính đến ngày {end}"
        return f"từ ngày {self.date_from.strftime('%d/%m/%Y')} đến ngày {end}"

    @property
    def deliverables(self) -> tuple[DeliverableLine, ...]:
        return tuple(d for t in self.tasks for d in t.deliverables)


# --- helpers -----------------------------------------------------------------------------


def local_today() -> date:
    return datetime.now(LOCAL_TZ).date()


def to_local(utc_naive: datetime) -> datetime:
    """A stored naive-UTC time as a naive Asia/Ho_Chi_Minh time."""
    return utc_naive.replace(tzinfo=UTC).astimezone(LOCAL_TZ).replace(tzinfo=None)


def local_day_start_utc(day: date) -> datetime:
    """The naive-UTC instant at which the local `day` begins."""
    return datetime.combine(day, time(0), LOCAL_TZ).astimezone(UTC).replace(tzinfo=None)


def timeliness(due: date | None, state: str, approved_at: datetime | None, as_of: date) -> str:
    if state == APPROVED:
        if due is None:
            return ONGOING
        if approved_at is None:
            return UNKNOWN
        return ON_TIME if approved_at.date() <= due else LATE
    if due is None:
        return ONGOING
    return OVERDUE if due < as_of else PENDING


def _lower_first(text: str) -> str:
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def plan_reference(plan: PlanHeader) -> str:
    """ "Kế hoạch số 12/KH-SCT ngày 10/11/2025 về …", or "Kế hoạch …" without a number."""
    parts = ["Kế hoạch"]
    has_number = wording.has_plan_number(plan.number)
    if has_number:
        parts.append(f"số {plan.number.strip()}")
    if plan.issue_date is not None:
        parts.append(f"ngày {plan.issue_date.strftime('%d/%m/%Y')}")
    title = _lower_first(plan.title.strip())
    if has_number or plan.issue_date is not None:
        parts.append(f"về {title}" if not title.startswith("về ") else title)
    else:
        parts.append(title)
    return " ".join(parts)


_LOCALITY = re.compile(r"^(?P<agency>.+?)\s+(?P<kind>tỉnh|thành phố|TP\.?)\s+(?P<place>.+)$")


def describe_issuer(issuer: str) -> dict[str, str]:
    """ "Sở Công Thương tỉnh Quảng Ngãi" → the lines of the Decree 30 header."""
    issuer = unicodedata.normalize("NFC", " ".join(issuer.split()))
    match = _LOCALITY.match(issuer)
    if match is None:
        return {
            "parent_body": "",
            "parent_short": "",
            "agency": issuer.upper(),
            "agency_name": issuer,
            "place": "",
        }
    kind = "thành phố" if match["kind"].lower().startswith(("thành", "tp")) else "tỉnh"
    return {
        "parent_body": f"UBND {kind} {match['place']}".upper(),
        "parent_short": f"UBND {kind}",
        "agency": match["agency"].upper(),
        "agency_name": match["agency"],
        "place": match["place"],
    }


def agency_symbol(number: str, agency_name: str) -> str:
    """The agency part of a symbol: "SCT" from "/KH-SCT", else the initials of the name."""
    match = re.search(r"/[^/\s-]+-(\S+)\s*$", number or "")
    if match:
        return match[1]
    initials = "".join(w[0] for w in agency_name.split() if w[:1].isalpha())
    return unicodedata.normalize("NFC", initials).upper() or "CQ"


def group_units(names: list[str], groups: dict[str, list[str]]) -> list[str]:
    """Names with every complete group of two or more units replaced by the group's name.

    ["Văn phòng Sở", "Phòng A", "Phòng B", "Chi cục"] with the group "Các phòng thuộc Sở" =
    [Phòng A, Phòng B] → ["Văn phòng Sở", "Các phòng thuộc Sở", "Chi cục"].
    """
    result = list(names)
    for group, members in groups.items():
        if len(members) < 2 or not set(members) <= set(result):
            continue
        first = min(result.index(m) for m in members)
        result = [n for n in result if n not in members]
        result.insert(first, group)
    return result


def parse_date(text: str) -> date:
    """YYYY-MM-DD or dd/mm/yyyy; ValueError with a Vietnamese message otherwise."""
    value = (text or "").strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"ngày không hợp lệ “{text}”; dùng YYYY-MM-DD hoặc dd/mm/yyyy.")


def find_plan(session: Session, ref: str | int) -> Plan:
    """A plan by its code, or by its id; NotFound otherwise."""
    text = str(ref).strip()
    plan = session.execute(select(Plan).where(Plan.code == text)).scalar_one_or_none()
    if plan is None and text.isdigit():
        plan = session.get(Plan, int(text))
    if plan is None:
        raise NotFound(f"Không có kế hoạch “{text}” (nhập mã kế hoạch hoặc số hiệu ID).")
    return plan


# --- the query ---------------------------------------------------------------------------


def report_data(
    session: Session,
    plan_id: int,
    date_from: date | None = None,
    date_to: date | None = None,
    *,
    report_date: date | None = None,
) -> PlanReport:
    """Everything the results report shows, for one plan and a range of local dates.

    `date_to` defaults to today (Việt Nam); `date_from` None means from the beginning.
    Nine queries whatever the number of tasks, deliverables and events.
    """
    today = local_today()
    date_to = date_to or today
    if date_from is not None and date_from > date_to:
        raise InvalidInput(
            f"Ngày bắt đầu ({date_from:%d/%m/%Y}) sau ngày kết thúc ({date_to:%d/%m/%Y})."
        )
    plan = session.get(Plan, plan_id)  # 1
    if plan is None:
        raise NotFound(f"Không có kế hoạch có ID {plan_id}.")
    header = plan_header(plan)

    tasks = session.execute(  # 2
        select(Task).where(Task.plan_id == plan_id).order_by(Task.number)
    ).scalars()
    tasks = list(tasks)
    task_ids = select(Task.id).where(Task.plan_id == plan_id).scalar_subquery()
    deliverable_ids = (
        select(Deliverable.id)
        .join(Task, Task.id == Deliverable.task_id)
        .where(Task.plan_id == plan_id)
        .scalar_subquery()
    )

    units: dict[tuple[int, str], list[str]] = {}
    for task_id, role, name in session.execute(  # 3
        select(TaskUnit.task_id, TaskUnit.role, Unit.name)
        .join(Unit, Unit.id == TaskUnit.unit_id)
        .join(Task, Task.id == TaskUnit.task_id)
        .where(Task.plan_id == plan_id)
        .order_by(TaskUnit.task_id, TaskUnit.role, TaskUnit.position)
    ):
        units.setdefault((task_id, role), []).append(name)

    deliverables = session.execute(  # 4
        select(Deliverable, Unit.name)
        .join(Unit, Unit.id == Deliverable.unit_id)
        .join(Task, Task.id == Deliverable.task_id)
        .where(Task.plan_id == plan_id)
        .order_by(Deliverable.task_id, Deliverable.id)
    ).all()

    plan_items = or_(
        and_(AuditEvent.item_type == "task", AuditEvent.item_id.in_(task_ids)),
        and_(AuditEvent.item_type == "deliverable", AuditEvent.item_id.in_(deliverable_ids)),
    )
    last_approval = (
        select(func.max(AuditEvent.seq))
        .where(AuditEvent.action == "approve", plan_items)
        .group_by(AuditEvent.item_type, AuditEvent.item_id)
    )
    approvals: dict[tuple[str, int], tuple[datetime, str]] = {
        (kind, item_id): (to_local(at), username)
        for kind, item_id, at, username in session.execute(  # 5
            select(
                AuditEvent.item_type,
                AuditEvent.item_id,
                AuditEvent.created_at,
                AuditEvent.actor_username,
            ).where(AuditEvent.seq.in_(last_approval))
        )
    }

    start = local_day_start_utc(date_from) if date_from is not None else None
    end = local_day_start_utc(date_to + timedelta(days=1))
    in_range = [AuditEvent.created_at < end]
    if start is not None:
        in_range.append(AuditEvent.created_at >= start)
    events = session.execute(  # 6
        select(AuditEvent)
        .where(
            or_(plan_items, and_(AuditEvent.item_type == "plan", AuditEvent.item_id == plan_id)),
            *in_range,
        )
        .order_by(AuditEvent.seq)
    ).scalars()
    events = list(events)

    groups: dict[str, list[str]] = {}
    for group_name, unit_name in session.execute(  # 7
        select(UnitGroup.name, Unit.name)
        .join(unit_group_member, unit_group_member.c.group_id == UnitGroup.id)
        .join(Unit, Unit.id == unit_group_member.c.unit_id)
        .order_by(UnitGroup.id, Unit.id)
    ):
        groups.setdefault(group_name, []).append(unit_name)

    directors = session.execute(  # 8
        select(User.full_name)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == "director", User.active.is_(True))
        .order_by(User.id)
        .limit(2)
    ).scalars()
    directors = list(directors)
    signer_name = directors[0] if len(directors) == 1 else None

    found = wording.people(  # 10
        session, [a[1] for a in approvals.values()] + [e.actor_username for e in events]
    )

    def full_name(username: str) -> str:
        return found.get(username, ("", ""))[0]

    def in_period(moment: datetime | None) -> bool:
        if moment is None:
            return False
        return (date_from is None or moment.date() >= date_from) and moment.date() <= date_to

    by_task: dict[int, list[DeliverableLine]] = {}
    done: dict[int, list[DoneItem]] = {}
    task_numbers = {t.id: t.number for t in tasks}
    for d, unit_name in deliverables:
        approved = approvals.get(("deliverable", d.id)) if d.state == APPROVED else None
        at = approved[0] if approved else None
        status = timeliness(d.due_date, d.state, at, date_to)
        by_task.setdefault(d.task_id, []).append(
            DeliverableLine(
                id=d.id,
                task_number=task_numbers[d.task_id],
                title=d.title,
                kind=d.kind,
                kind_label=KIND_LABELS.get(d.kind, d.kind),
                unit=unit_name,
                required=bool(d.required),
                due_date=d.due_date,
                state=d.state,
                state_label=STATE_LABELS[d.state],
                approved_at=at,
                approved_by=approved[1] if approved else None,
                approved_by_name=wording.person(*found.get(approved[1], ("", "")), approved[1])
                if approved
                else "",
                timeliness=status,
                timeliness_label=TIMELINESS_LABELS[status],
                body=d.body or "",
            )
        )
        if at is not None and in_period(at):
            done.setdefault(d.task_id, []).append(
                DoneItem(d.id, d.title, unit_name, at.date(), (d.body or "").strip())
            )

    lines = []
    for t in tasks:
        approved = approvals.get(("task", t.id)) if t.state == APPROVED else None
        at = approved[0] if approved else None
        status = timeliness(t.due_date, t.state, at, date_to)
        lines.append(
            TaskLine(
                id=t.id,
                number=t.number,
                title=t.title,
                lead_units=tuple(units.get((t.id, "lead"), [])),
                coordinating_units=tuple(units.get((t.id, "coordinating"), [])),
                lead_text=t.lead_text or "",
                lead_summary="; ".join(group_units(units.get((t.id, "lead"), []), groups)),
                timing_kind=t.timing_kind,
                timing_text=t.timing_text or "",
                due_date=t.due_date,
                state=t.state,
                state_label=STATE_LABELS[t.state],
                approved_at=at,
                timeliness=status,
                timeliness_label=TIMELINESS_LABELS[status],
                deliverables=tuple(by_task.get(t.id, [])),
                done=tuple(done.get(t.id, [])),
            )
        )

    labels = _item_labels(lines)
    return PlanReport(
        plan=header,
        date_from=date_from,
        date_to=date_to,
        report_date=report_date or today,
        signer_title="GIÁM ĐỐC",
        signer_name=signer_name,
        tasks=tuple(lines),
        summary=_summary(lines, sum(len(v) for v in done.values())),
        events=tuple(_event_line(e, labels, header, full_name(e.actor_username)) for e in events),
        audit_checkpoint=checkpoints.latest_text(session),  # 9
    )


def plan_header(plan: Plan) -> PlanHeader:
    """A plan's header as a document of Decree 30 writes it (reports, decisions)."""
    parts = describe_issuer(plan.issuer)
    return PlanHeader(
        id=plan.id,
        code=plan.code,
        number=plan.number or "",
        title=plan.title,
        issuer=plan.issuer,
        issue_date=plan.issue_date,
        parent_ref=plan.parent_ref or "",
        period_end=plan.period_end,
        symbol=agency_symbol(plan.number or "", parts["agency_name"]),
        **parts,
    )


def _summary(tasks: list[TaskLine], approved_in_range: int) -> Summary:
    states = Counter(t.state for t in tasks)
    task_status = Counter(t.timeliness for t in tasks)
    items = [d for t in tasks for d in t.deliverables]
    status = Counter(d.timeliness for d in items)
    return Summary(
        tasks_total=len(tasks),
        tasks_by_state=tuple((s, states.get(s, 0)) for s in STATES),
        task_timeliness=tuple((k, task_status[k]) for k in TIMELINESS_LABELS if task_status.get(k)),
        deliverables_total=len(items),
        deliverables_approved=sum(1 for d in items if d.state == APPROVED),
        deliverables_approved_in_range=approved_in_range,
        on_time=status.get(ON_TIME, 0),
        late=status.get(LATE, 0),
        overdue=status.get(OVERDUE, 0),
        pending=status.get(PENDING, 0),
    )


def _item_labels(tasks: list[TaskLine]) -> dict[tuple[str, int], str]:
    labels: dict[tuple[str, int], str] = {}
    for t in tasks:
        labels[("task", t.id)] = f"Nhiệm vụ {t.number}. {t.title}"
        for d in t.deliverables:
            labels[("deliverable", d.id)] = f"NV {t.number} – {d.title}"
    return labels


def _event_line(
    e: AuditEvent, labels: dict[tuple[str, int], str], plan: PlanHeader, full_name: str = ""
) -> EventLine:
    if e.item_type == "plan":
        label = wording.plan_name(plan.number, plan.title)
    else:
        label = labels.get((e.item_type, e.item_id or 0), "")
    return EventLine(
        seq=e.seq,
        at=to_local(e.created_at),
        item_type=e.item_type,
        item_type_label=ITEM_TYPE_LABELS.get(e.item_type, e.item_type),
        item_id=e.item_id,
        item_label=label,
        actor=e.actor_username,
        actor_unit=e.actor_unit or "",
        actor_roles=e.actor_roles or "",
        action=e.action,
        action_label=wording.EVENT_LABELS.get(e.action, e.action),
        from_state=STATE_LABELS.get(e.from_state or "", e.from_state or ""),
        to_state=STATE_LABELS.get(e.to_state or "", e.to_state or ""),
        reason=e.reason or "",
        actor_name=wording.person(full_name, e.actor_unit, e.actor_username),
        roles_text=", ".join(ROLE_LABELS.get(r, r) for r in (e.actor_roles or "").split(",") if r),
    )
