"""The fields of each deliverable kind (workflow/kinds.py) as plain HTML form fields.

A list (Steering Committee members, award nominations) is shown with a few empty rows.
More rows: with JavaScript (static/forms.js) a row is added or removed on the page; without
it the "Thêm dòng" button posts the form, which comes back as typed with one more empty
row (nothing is saved). Empty rows are dropped by `workflow.items.kinds.clean_data`. Dates are
typed dd/mm/yyyy and stored ISO; a date that is not one is reported next to its field.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from werkzeug.datastructures import MultiDict

from webapp.pages.common import parse_date
from workflow.core.errors import InvalidInput
from workflow.items import kinds

MEMBER_FIELDS = ("full_name", "position", "unit", "committee_role")
ENTRY_FIELDS = ("type", "name", "unit", "model_name", "achievements", "proposed_form")
LISTS = {"steering_committee": ("members", MEMBER_FIELDS), "nominations": ("entries", ENTRY_FIELDS)}
DATES = {"steering_committee": ("decision_date",), "regulation": ("effective_date",)}
SCALARS = {
    "steering_committee": ("decision_number", "decision_date"),
    "regulation": ("effective_date",),
    "periodic_report": tuple(kinds.REPORT_SECTIONS),
}
SELECTS = ("committee_role", "type")  # always sent, so they do not make a row filled
BLANK_ROWS = {"members": 3, "entries": 2}
# The kinds' vocabulary, for the templates (labels are translated with the `tr` filter).
VOCABULARY = {
    "committee_roles": kinds.COMMITTEE_ROLES,
    "nominee_types": kinds.NOMINEE_TYPES,
    "commendation_forms": kinds.COMMENDATION_FORMS,
    "report_sections": kinds.REPORT_SECTIONS,
    "file_purposes": kinds.FILE_PURPOSES,
    # The named files the upload asks "this file is…" for: only those a kind requires.
    "asked_purposes": {
        kind: {p: kinds.FILE_PURPOSES[kind][p] for p in purposes}
        for kind, purposes in kinds.REQUIRED_FILES.items()
    },
    "lists": {kind: name for kind, (name, _fields) in LISTS.items()},
    "max_rows": kinds.MAX_ROWS,
}
MIN_ROWS = {"members": 5, "entries": 3}


def _filled(row: dict[str, Any]) -> bool:
    return any(v for k, v in row.items() if k not in SELECTS)


def _display_date(value: str | None) -> str:
    if not value:
        return ""
    try:
        return date.fromisoformat(value).strftime("%d/%m/%Y")
    except ValueError:
        return value


def for_form(kind: str, data: dict[str, Any] | None) -> dict[str, Any]:
    """Stored data → the values the form shows (dates dd/mm/yyyy, blank rows added)."""
    data = data or {}
    values: dict[str, Any] = {}
    for name in SCALARS.get(kind, ()):
        value = data.get(name) or ""
        values[name] = _display_date(value) if name in DATES.get(kind, ()) else value
    if kind in LISTS:
        name, fields = LISTS[kind]
        rows = [{f: r.get(f) or "" for f in fields} for r in data.get(name) or []]
        blank = max(BLANK_ROWS[name], MIN_ROWS[name] - len(rows))
        values[name] = rows + [dict.fromkeys(fields, "") for _ in range(blank)]
    return values


def from_request(kind: str, form: MultiDict) -> dict[str, Any]:
    """The submitted values, as typed (to show again if the save is refused)."""
    values: dict[str, Any] = {n: (form.get(n) or "").strip() for n in SCALARS.get(kind, ())}
    if kind in LISTS:
        name, fields = LISTS[kind]
        try:
            count = min(int(form.get(f"{name}-count") or 0), kinds.MAX_ROWS)
        except ValueError:
            count = 0
        values[name] = [
            {f: (form.get(f"{name}-{i}-{f}") or "").strip() for f in fields} for i in range(count)
        ]
    return values


def to_data(kind: str, values: dict[str, Any], errors: dict[str, str]) -> dict[str, Any] | None:
    """Form values → the `data` edit_deliverable expects (None: the kind has no fields).

    A date that is not dd/mm/yyyy goes into `errors` under its field's name."""
    if kind not in SCALARS and kind not in LISTS:
        return None
    data: dict[str, Any] = {}
    for name in SCALARS.get(kind, ()):
        value = values.get(name) or ""
        if name in DATES.get(kind, ()):
            try:
                parsed = parse_date(value)
            except InvalidInput as error:
                errors[name] = error.message
                parsed = None
            value = parsed.isoformat() if parsed else ""
        data[name] = value
    if kind in LISTS:
        name, _fields = LISTS[kind]
        data[name] = [row for row in values.get(name) or [] if _filled(row)]
    return data


def with_one_more_row(kind: str, values: dict[str, Any]) -> dict[str, Any]:
    """The form as typed (every row kept where it was) with one more empty row."""
    if kind not in LISTS:
        return values
    name, fields = LISTS[kind]
    rows = list(values.get(name) or [])
    if len(rows) < kinds.MAX_ROWS:
        rows.append(dict.fromkeys(fields, ""))
    return {**values, name: rows}


def with_blank_rows(kind: str, values: dict[str, Any]) -> dict[str, Any]:
    if kind in LISTS:
        name, fields = LISTS[kind]
        rows = [r for r in values.get(name) or [] if _filled(r)]
        blank = max(BLANK_ROWS[name], MIN_ROWS[name] - len(rows))
        values = {**values, name: rows + [dict.fromkeys(fields, "") for _ in range(blank)]}
    return values


def display(kind: str, data: dict[str, Any] | None) -> dict[str, Any]:
    """Stored data → what the deliverable page shows (dates dd/mm/yyyy)."""
    data = dict(data or {})
    for name in DATES.get(kind, ()):
        data[name] = _display_date(data.get(name))
    return data
