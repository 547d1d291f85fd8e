"""The fields of each deliverable kind as plain HTML form fields, read off the kind's model
(`workflow.items.kinds.form_fields`): nothing here names a kind or one of its fields.

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
from workflow.items.kinds.fields import Spec

# The kinds' vocabulary and fields, for the templates (labels translated with `tr`).
VOCABULARY = {
    **kinds.VOCABULARY,
    "file_purposes": kinds.FILE_PURPOSES,
    "fields": {name: kinds.form_fields(name) for name in kinds.KINDS},
    # The named files the upload asks "this file is…" for: only those a kind requires.
    "asked_purposes": {
        kind: {p: kinds.FILE_PURPOSES[kind][p] for p in purposes}
        for kind, purposes in kinds.REQUIRED_FILES.items()
    },
    "lists": {
        name: lists[0].name
        for name in kinds.KINDS
        if (lists := [f for f in kinds.form_fields(name) if f.widget.kind == "rows"])
    },
    "max_rows": kinds.MAX_ROWS,
}


def _fields(kind: str) -> tuple[Spec, ...]:
    return kinds.form_fields(kind) if kind in kinds.KINDS else ()


def _scalars(kind: str) -> list[Spec]:
    return [f for f in _fields(kind) if f.widget.kind != "rows"]


def _lists(kind: str) -> list[Spec]:
    return [f for f in _fields(kind) if f.widget.kind == "rows"]


def _filled(spec: Spec, row: dict[str, Any]) -> bool:
    # Selects are always sent, so they do not make a row filled.
    return any(row.get(c.name) for c in spec.columns if c.widget.kind != "select")


def _display_date(value: str | None) -> str:
    if not value:
        return ""
    try:
        return date.fromisoformat(value).strftime("%d/%m/%Y")
    except ValueError:
        return value


def _blank_rows(spec: Spec, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    blank = max(spec.widget.blank, spec.widget.least - len(rows))
    return rows + [dict.fromkeys((c.name for c in spec.columns), "") for _ in range(blank)]


def for_form(kind: str, data: dict[str, Any] | None) -> dict[str, Any]:
    """Stored data → the values the form shows (dates dd/mm/yyyy, blank rows added)."""
    data = data or {}
    values: dict[str, Any] = {}
    for f in _scalars(kind):
        value = data.get(f.name) or ""
        values[f.name] = _display_date(value) if f.widget.kind == "date" else value
    for f in _lists(kind):
        rows = [{c.name: r.get(c.name) or "" for c in f.columns} for r in data.get(f.name) or []]
        values[f.name] = _blank_rows(f, rows)
    return values


def from_request(kind: str, form: MultiDict) -> dict[str, Any]:
    """The submitted values, as typed (to show again if the save is refused)."""
    values: dict[str, Any] = {f.name: (form.get(f.name) or "").strip() for f in _scalars(kind)}
    for f in _lists(kind):
        try:
            count = min(int(form.get(f"{f.name}-count") or 0), kinds.MAX_ROWS)
        except ValueError:
            count = 0
        values[f.name] = [
            {c.name: (form.get(f"{f.name}-{i}-{c.name}") or "").strip() for c in f.columns}
            for i in range(count)
        ]
    return values


def to_data(
    kind: str, values: dict[str, Any], errors: dict[str, str] | None = None
) -> dict[str, Any] | None:
    """Form values → the `data` edit_deliverable expects (None: the kind has no fields).

    A date that is not dd/mm/yyyy goes into `errors` under its field's name (raised as
    InvalidInput when no `errors` is given)."""
    if not _fields(kind):
        return None
    data: dict[str, Any] = {}
    for f in _scalars(kind):
        value = values.get(f.name) or ""
        if f.widget.kind == "date":
            try:
                parsed = parse_date(value)
            except InvalidInput as error:
                if errors is None:
                    raise
                errors[f.name] = error.message
                parsed = None
            value = parsed.isoformat() if parsed else ""
        data[f.name] = value
    for f in _lists(kind):
        data[f.name] = [row for row in values.get(f.name) or [] if _filled(f, row)]
    return data


def with_one_more_row(kind: str, values: dict[str, Any]) -> dict[str, Any]:
    """The form as typed (every row kept where it was) with one more empty row."""
    for f in _lists(kind):
        rows = list(values.get(f.name) or [])
        if len(rows) < kinds.MAX_ROWS:
            rows.append(dict.fromkeys((c.name for c in f.columns), ""))
        values = {**values, f.name: rows}
    return values


def with_blank_rows(kind: str, values: dict[str, Any]) -> dict[str, Any]:
    for f in _lists(kind):
        values = {**values, f.name: _blank_rows(f, [r for r in values.get(f.name) or []
                                                    if _filled(f, r)])}  # fmt: skip
    return values


def display(kind: str, data: dict[str, Any] | None) -> dict[str, Any]:
    """Stored data → what the deliverable page shows (dates dd/mm/yyyy)."""
    data = dict(data or {})
    for f in _scalars(kind):
        if f.widget.kind == "date":
            data[f.name] = _display_date(data.get(f.name))
    return data
