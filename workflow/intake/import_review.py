"""Between reading a plan document and importing it: the admin's preview and corrections.

The upload page reads and parses a document (documents.reading / documents.plan_parser),
keeps the upload and what was found on disk (`PreviewStore`: `<folder>/<sha256>` and
`<folder>/<sha256>.json`, never in the cookie session), shows it (`review`), takes the
admin's corrections (`Corrections`) and imports the corrected data (`confirm`, which calls
`workflow.intake.importing.import_plan`: one transaction, audited).

`apply_corrections` and `review` are pure: they read the parser's JSON and the
organisation's units (`importing.known_units`) and return new data, never touching it.
No Flask here; the web views parse the form into a `Corrections`.
"""

from __future__ import annotations

import copy
import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Plan
from workflow.accounts.admin import require_admin
from workflow.core.errors import Conflict, InvalidInput, NotFound
from workflow.core.policy import Actor
from workflow.intake import importing

PREVIEW_HOURS = 24
NEW = "new:"  # a lead option naming a unit the organisation does not have yet
_TOKEN = re.compile(r"^[0-9a-f]{64}$")
_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")


def plan_code(sha256: str) -> str:
    """The code `importing.import_plan` gives the plan imported from this file."""
    return f"KH-{sha256[:12]}"


def start(session: Session, actor: Actor, sha256: str) -> list[dict[str, Any]]:
    """Before a file is read: admins only, and not a file already imported (409).

    Returns the organisation's units and groups, which the parser matches names against."""
    require_admin(actor)
    code = plan_code(sha256)
    if session.execute(select(Plan.id).where(Plan.code == code)).first():
        raise Conflict(f"Văn bản này đã được nhập (mã kế hoạch {code}).")
    return importing.known_units(session)


# --- what is kept between the preview and the confirmation ------------------------------


@dataclass
class Upload:
    """One uploaded document and what the parser found in it."""

    sha256: str
    source_name: str
    size: int
    kind: str  # "text" | "docx"
    encoding: str | None
    warnings: list[str]
    uploaded_at: str  # ISO 8601, UTC
    uploaded_by: str
    parsed: dict[str, Any]
    source_text: str = ""
    plan_code: str | None = None  # set once imported

    @property
    def token(self) -> str:
        return self.sha256

    @property
    def uploaded(self) -> datetime:
        return datetime.fromisoformat(self.uploaded_at)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Upload:
        names = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in names})


class PreviewStore:
    """Uploads waiting for confirmation, as files: the bytes under their SHA-256 and the
    parsed JSON beside them. A preview expires `hours` after its upload; imported files are
    kept (with the plan's code) as the source of the plan."""

    def __init__(self, folder: str | Path, hours: int = PREVIEW_HOURS) -> None:
        self.folder = Path(folder)
        self.ttl = timedelta(hours=hours)

    def _paths(self, token: str) -> tuple[Path, Path]:
        if not _TOKEN.match(token or ""):
            raise NotFound(_GONE)
        return self.folder / token, self.folder / f"{token}.json"

    def save(self, upload: Upload, data: bytes) -> str:
        raw, meta = self._paths(upload.sha256)
        self.folder.mkdir(parents=True, exist_ok=True)
        if not raw.exists():
            _write_atomic(raw, data)
        _write_atomic(meta, json.dumps(asdict(upload), ensure_ascii=False).encode("utf-8"))
        return upload.token

    def load(self, token: str, now: datetime | None = None) -> Upload:
        """The preview; NotFound if unknown or expired, Conflict if already imported."""
        _, meta = self._paths(token)
        try:
            upload = Upload.from_json(json.loads(meta.read_text("utf-8")))
        except (OSError, ValueError, TypeError) as exc:
            raise NotFound(_GONE) from exc
        if upload.plan_code:
            raise Conflict(f"Văn bản này đã được nhập (mã kế hoạch {upload.plan_code}).")
        if self.expired(upload, now):
            raise NotFound(_GONE)
        return upload

    def expired(self, upload: Upload, now: datetime | None = None) -> bool:
        return (now or datetime.now(UTC)) - upload.uploaded > self.ttl

    def mark_imported(self, upload: Upload, code: str) -> None:
        upload.plan_code = code
        _, meta = self._paths(upload.sha256)
        _write_atomic(meta, json.dumps(asdict(upload), ensure_ascii=False).encode("utf-8"))

    def _all(self) -> list[Upload]:
        if not self.folder.is_dir():
            return []
        found = []
        for meta in self.folder.glob("*.json"):
            try:
                found.append(Upload.from_json(json.loads(meta.read_text("utf-8"))))
            except (OSError, ValueError, TypeError):
                continue
        return found

    def pending(self, now: datetime | None = None) -> list[Upload]:
        """Previews not imported and not expired, newest first."""
        rows = [u for u in self._all() if not u.plan_code and not self.expired(u, now)]
        return sorted(rows, key=lambda u: u.uploaded_at, reverse=True)

    def sweep(self, now: datetime | None = None) -> int:
        """Delete expired previews that were never imported; how many."""
        gone = 0
        for upload in self._all():
            if upload.plan_code or not self.expired(upload, now):
                continue
            for path in self._paths(upload.sha256):
                path.unlink(missing_ok=True)
            gone += 1
        return gone


_GONE = (
    "Không có bản xem trước này, hoặc bản xem trước đã hết hạn "
    f"(sau {PREVIEW_HOURS} giờ): hãy tải tệp lên lại."
)


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


# --- corrections -------------------------------------------------------------------------


@dataclass(frozen=True)
class Corrections:
    """What the admin changed on the preview, by task position (0-based) in `tasks`.

    `leads[i]` replaces task i's lead units: unit or group codes, or NEW + a name the
    document wrote that the organisation lacks. `due[i]` is the due date as typed
    (dd/mm/yyyy, empty for none). A task missing from either keeps what was parsed."""

    leads: Mapping[int, Sequence[str]] = field(default_factory=dict)
    due: Mapping[int, str] = field(default_factory=dict)
    create_units: bool = False
    default_lead: str | None = None


def parse_day(text: str | None) -> date | None:
    value = (text or "").strip()
    if not value:
        return None
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(value)


def _by_code(known: Sequence[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    return {u["code"]: u for u in known}


def _corrected_leads(
    task: Mapping[str, Any], chosen: Sequence[str], known: Mapping[str, Mapping[str, Any]]
) -> list[dict[str, Any]]:
    written = task.get("lead_units", [])
    wanted = list(dict.fromkeys(v.strip() for v in chosen if v and v.strip()))
    for value in wanted:
        if value.startswith(NEW):
            name = value[len(NEW) :]
            if not any(not m.get("code") and m["name"] == name for m in written):
                raise InvalidInput(
                    f"Nhiệm vụ {task['number']}: “{name}” không phải đơn vị văn bản ghi; "
                    "hãy tải lại trang xem trước."
                )
        elif value not in known:
            raise InvalidInput(f"Nhiệm vụ {task['number']}: không có đơn vị mã “{value}”.")
    kept = [
        dict(m)
        for m in written
        if (m.get("code") and m["code"] in wanted)
        or (not m.get("code") and NEW + m["name"] in wanted)
    ]
    have = {m["code"] for m in kept if m.get("code")}
    added = [
        {"name": known[v]["name"], "matched": known[v]["name"], "code": v}
        for v in wanted
        if not v.startswith(NEW) and v not in have
    ]
    # A unit written twice (e.g. matched by two spellings) stays once.
    seen: set[str] = set()
    result = []
    for m in kept + added:
        key = m.get("code") or NEW + m["name"]
        if key not in seen:
            seen.add(key)
            result.append(m)
    return result


def _corrected_timing(task: Mapping[str, Any], typed: str) -> dict[str, Any]:
    timing = dict(task.get("timing") or {"kind": "unknown", "text": None, "due_date": None})
    try:
        day = parse_day(typed)
    except ValueError:
        raise InvalidInput(
            f"Nhiệm vụ {task['number']}: ngày “{typed.strip()}” không hợp lệ; "
            "hãy nhập theo dạng dd/mm/yyyy."
        ) from None
    before = timing.get("due_date")
    if (day.isoformat() if day else None) == before:
        return timing
    if day is None:  # the admin removed the date the parser read
        return {"kind": "unknown", "text": "", "due_date": None}
    return {
        "kind": "deadline",
        "text": f"Hoàn thành trước ngày {day:%d/%m/%Y}",
        "due_date": day.isoformat(),
    }


def apply_corrections(
    parsed: Mapping[str, Any], known: Sequence[Mapping[str, Any]], corrections: Corrections
) -> dict[str, Any]:
    """A corrected copy of the parser's JSON (the input is not changed).

    Leads: the chosen codes, keeping the document's wording for units it named (the order
    is the document's, then units added by the admin). Due date: unchanged when the same
    day; a new day makes the timing a deadline "Hoàn thành trước ngày dd/mm/yyyy"; an
    emptied date leaves the timing unknown. Raises InvalidInput naming the task."""
    result = copy.deepcopy(dict(parsed))
    units = _by_code(known)
    for index, task in enumerate(result.get("tasks", [])):
        if index in corrections.leads:
            task["lead_units"] = _corrected_leads(task, corrections.leads[index], units)
        if index in corrections.due:
            task["timing"] = _corrected_timing(task, corrections.due[index])
    lead = corrections.default_lead
    if lead and (lead not in units or units[lead].get("group")):
        raise InvalidInput(f"Không có đơn vị mã “{lead}” để làm đơn vị chủ trì mặc định.")
    return result


# --- what the preview shows ------------------------------------------------------------


@dataclass(frozen=True)
class Mention:
    """A unit as the document writes it, and the organisation's unit it matched (if any)."""

    name: str
    matched: str | None
    code: str | None
    group: bool = False

    @property
    def known(self) -> bool:
        return bool(self.code)


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    group: bool = False
    new: bool = False


@dataclass(frozen=True)
class Part:
    """A sub-task (depth 1 = directly under the task)."""

    depth: int
    number: str
    title: str
    leads: list[Mention]
    coordinating: list[Mention]
    timing_kind: str
    timing_text: str
    due_date: date | None
    products: list[str]


# How sure the importer was of a field below which the preview asks the admin to check
# it first (documents.plan_import.resolve gives 0.95 for a labelled line or a table
# cell, 0.7 for a sentence, 0.5–0.6 for nothing found where something was expected).
LOW_CONFIDENCE = 0.75
FIELD_LABELS = {
    "lead_units": "Chủ trì",
    "coordinating_units": "Phối hợp",
    "due_date": "Thời gian",
}
HOW_LABELS = {
    "label": "dòng có nhãn",
    "table": "ô của bảng nhiệm vụ",
    "sentence": "câu văn",
    "heading": "tiêu đề mục theo đơn vị",
}


@dataclass(frozen=True)
class Field:
    """One field of a task as the preview shows it: how sure the importer is, where it
    read it (source lines, 1-based) and how."""

    key: str  # "lead_units", "coordinating_units", "due_date"
    label: str
    confidence: float | None
    lines: tuple[int, int] | None
    how: str | None

    @property
    def low(self) -> bool:
        return self.confidence is not None and self.confidence < LOW_CONFIDENCE

    @property
    def percent(self) -> str:
        return f"{round(self.confidence * 100)}%" if self.confidence is not None else "—"


@dataclass(frozen=True)
class LowField:
    index: int
    number: str
    field: Field


@dataclass(frozen=True)
class TaskReview:
    index: int
    number: str
    title: str
    content: str
    leads: list[Mention]
    coordinating: list[Mention]
    timing_kind: str
    timing_text: str
    due_date: date | None
    due_typed: str  # what the due-date box shows
    products: list[str]
    parts: list[Part]
    chosen: list[str]  # the lead options ticked
    new_options: list[Option]  # names the document wrote that the organisation lacks
    leads_from_parts: bool  # no lead of its own, but its sub-tasks name theirs
    fields: list[Field]  # least sure first
    source_lines: tuple[int, int] | None
    source_excerpt: str  # the document's lines the task came from (text uploads)

    @property
    def field(self) -> dict[str, Field]:
        return {f.key: f for f in self.fields}

    @property
    def low(self) -> bool:
        return any(f.low for f in self.fields)


@dataclass(frozen=True)
class Review:
    plan: dict[str, Any]
    tasks: list[TaskReview]
    unknown_units: list[str]
    unplaced: list[str]
    options: list[Option]  # the organisation's units and groups, as lead choices
    unit_options: list[Option]  # units only (the default lead)
    without_lead: list[str]  # numbers of tasks that would have no lead unit
    create_units: bool
    default_lead: str | None
    plan_date: date | None
    low_fields: list[LowField]  # every task's low-confidence fields, least sure first
    line_unit: str  # "dòng" (text) or "đoạn" (.docx paragraphs)


def _fields(task: Mapping[str, Any]) -> list[Field]:
    confidence = task.get("confidence") or {}
    sources = task.get("field_sources") or {}
    fields = []
    for key, label in FIELD_LABELS.items():
        source = sources.get(key) or {}
        lines = source.get("lines")
        fields.append(
            Field(
                key,
                label,
                confidence.get(key),
                (int(lines[0]), int(lines[1])) if lines else None,
                HOW_LABELS.get(source.get("how") or "", source.get("how")),
            )
        )
    return sorted(fields, key=lambda f: 1.0 if f.confidence is None else f.confidence)


_EXCERPT_LINES = 40


def _source_lines(text: str | None) -> list[str]:
    """The upload's lines as the parser numbered them (split once per preview)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n") if text else []


def _excerpt(all_lines: list[str], lines: tuple[int, int] | None) -> str:
    """The source lines a task came from (at most 40), numbered as in the file."""
    if not all_lines or not lines:
        return ""
    first, last = lines
    last = min(last, first + _EXCERPT_LINES - 1, len(all_lines))
    return "\n".join(f"{n:>5}  {all_lines[n - 1]}" for n in range(first, last + 1))


def _mentions(matches: Sequence[Mapping[str, Any]], groups: set[str]) -> list[Mention]:
    return [
        Mention(m["name"], m.get("matched"), m.get("code"), m.get("code") in groups)
        for m in matches
    ]


def _iso(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _parts(task: Mapping[str, Any], groups: set[str], depth: int = 1) -> list[Part]:
    out = []
    for sub in task.get("subtasks", []):
        timing = sub.get("timing") or {}
        out.append(
            Part(
                depth,
                str(sub.get("number", "")),
                sub.get("title") or "",
                _mentions(sub.get("lead_units", []), groups),
                _mentions(sub.get("coordinating_units", []), groups),
                timing.get("kind") or "unknown",
                timing.get("text") or "",
                _iso(timing.get("due_date")),
                list(sub.get("products", [])),
            )
        )
        out.extend(_parts(sub, groups, depth + 1))
    return out


def _lead_values(task: Mapping[str, Any]) -> list[str]:
    return [m["code"] if m.get("code") else NEW + m["name"] for m in task.get("lead_units", [])]


def review(
    parsed: Mapping[str, Any],
    known: Sequence[Mapping[str, Any]],
    corrections: Corrections | None = None,
    source_text: str | None = None,
    kind: str = "text",
) -> Review:
    """The preview of a parsed document, with the admin's corrections when the form came
    back (the boxes show what was typed, even when it was refused). Each task shows how
    sure the importer is of each field, least sure first, and the source lines it came
    from (`source_text`: the decoded upload, for the excerpt of a text file)."""
    corrections = corrections or Corrections()
    groups = {u["code"] for u in known if u.get("group")}
    options = [Option(u["code"], u["name"], bool(u.get("group"))) for u in known]
    tasks = []
    without_lead = []
    source_lines = _source_lines(source_text) if kind == "text" else []
    for index, task in enumerate(parsed.get("tasks", [])):
        timing = task.get("timing") or {}
        due = _iso(timing.get("due_date"))
        chosen = list(corrections.leads.get(index, _lead_values(task)))
        parts = _parts(task, groups)
        from_parts = not task.get("lead_units") and any(p.leads for p in parts)
        new_names = list(
            dict.fromkeys(m["name"] for m in task.get("lead_units", []) if not m.get("code"))
        )
        if not chosen and not from_parts:
            without_lead.append(str(task.get("number", index + 1)))
        lines = task.get("source_lines")
        span = (int(lines[0]), int(lines[1])) if lines else None
        tasks.append(
            TaskReview(
                index=index,
                number=str(task.get("number", index + 1)),
                title=task.get("title") or "",
                content=task.get("content") or "",
                leads=_mentions(task.get("lead_units", []), groups),
                coordinating=_mentions(task.get("coordinating_units", []), groups),
                timing_kind=timing.get("kind") or "unknown",
                timing_text=timing.get("text") or "",
                due_date=due,
                due_typed=corrections.due.get(index, due.strftime("%d/%m/%Y") if due else ""),
                products=list(task.get("products", [])),
                parts=parts,
                chosen=chosen,
                new_options=[Option(NEW + n, n, new=True) for n in new_names],
                leads_from_parts=from_parts,
                fields=_fields(task),
                source_lines=span,
                source_excerpt=_excerpt(source_lines, span) if kind == "text" else "",
            )
        )
    low_fields = sorted(
        (LowField(t.index, t.number, f) for t in tasks for f in t.fields if f.low),
        key=lambda low: (low.field.confidence, low.index),
    )
    header = dict(parsed.get("plan", {}))
    return Review(
        plan=header,
        tasks=tasks,
        unknown_units=importing.unknown_unit_names(dict(parsed)),
        unplaced=list(parsed.get("unplaced", [])),
        options=options,
        unit_options=[o for o in options if not o.group],
        without_lead=without_lead,
        create_units=corrections.create_units,
        default_lead=corrections.default_lead,
        plan_date=_iso(header.get("date")),
        low_fields=low_fields,
        line_unit="đoạn" if kind == "docx" else "dòng",
    )


def preview(
    session: Session, actor: Actor, upload: Upload, corrections: Corrections | None = None
) -> Review:
    """Admins only: the review of a stored upload against today's units."""
    require_admin(actor)
    return review(
        upload.parsed,
        importing.known_units(session),
        corrections,
        source_text=upload.source_text,
        kind=upload.kind,
    )


def confirm(session: Session, actor: Actor, upload: Upload, corrections: Corrections) -> Plan:
    """Admins only: import the corrected document (one transaction, audited with the
    file's name and SHA-256). InvalidInput for a bad correction or unknown units without
    `create_units`; Conflict if the file was imported meanwhile."""
    require_admin(actor)
    corrected = apply_corrections(upload.parsed, importing.known_units(session), corrections)
    return importing.import_plan(
        session,
        actor,
        corrected,
        source_name=upload.source_name,
        sha256=upload.sha256,
        source_text=upload.source_text,
        create_units=corrections.create_units,
        default_lead=corrections.default_lead or None,
    )
