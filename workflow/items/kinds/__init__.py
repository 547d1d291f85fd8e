"""Deliverable kinds: their own fields (kept in `Deliverable.data`), how to validate them, and
the completeness check each kind needs before it may be submitted.

One module per kind in this package (`document`, `steering_committee`, …), each with a
`KIND` (workflow.items.kinds.fields.Kind): its label, its pydantic model (which serves the
validation here, the page's form fields and the API's schema), what submitting needs, the
files it asks for. A module added here is a new kind once `models.DELIVERABLE_KINDS` (the
database's list) names it.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, bindparam, select

from models import DELIVERABLE_KINDS, Attachment, Deliverable
from workflow.core import effects
from workflow.core.policy import ItemSnapshot
from workflow.items.kinds.fields import MAX_ROWS, MAX_TEXT, Kind, Spec, clean, specs

__all__ = ["KINDS", "MAX_ROWS", "MAX_TEXT", "Kind", "clean_data", "form_fields", "missing"]


def _discover() -> dict[str, Kind]:
    found: dict[str, Kind] = {}
    for module in pkgutil.iter_modules(__path__):
        kind = getattr(importlib.import_module(f"{__name__}.{module.name}"), "KIND", None)
        if isinstance(kind, Kind):
            found[kind.name] = kind
    if set(found) != set(DELIVERABLE_KINDS):
        raise RuntimeError(
            f"Loại sản phẩm không khớp: mô-đun {sorted(found)}, cơ sở dữ liệu "
            f"{sorted(DELIVERABLE_KINDS)}."
        )
    return {name: found[name] for name in DELIVERABLE_KINDS}  # the database's order


KINDS: dict[str, Kind] = _discover()
KIND_LABELS = {name: kind.label for name, kind in KINDS.items()}
# Files a kind names: kind → purpose → label (accepted on an attachment, shown beside it).
FILE_PURPOSES = {name: dict(kind.files) for name, kind in KINDS.items() if kind.files}
# The named files a kind needs before it may be submitted. None today: task 2's working
# rules and its assignment notice are products of their own in the plan (each drafted,
# reviewed and approved), so the committee's decision does not ask for them a second time
# as its files.
REQUIRED_FILES: dict[str, tuple[str, ...]] = {}
# The kinds' named code lists (committee roles, nominee types, …), for templates.
VOCABULARY: dict[str, Any] = {k: v for kind in KINDS.values() for k, v in kind.vocabulary.items()}
COMMITTEE_ROLES = VOCABULARY["committee_roles"]
NOMINEE_TYPES = VOCABULARY["nominee_types"]
COMMENDATION_FORMS = VOCABULARY["commendation_forms"]
REPORT_SECTIONS = VOCABULARY["report_sections"]


def clean_data(kind: str, data: Any) -> dict[str, Any]:
    """The kind's fields, validated and normalised; unknown keys are refused."""
    return clean(KINDS[kind].data, data)


def form_fields(kind: str) -> tuple[Spec, ...]:
    """The kind's fields as its form shows them, in order."""
    return specs(KINDS[kind].data)


def data_models() -> dict[str, type]:
    """Each kind's pydantic model (for the API's schema)."""
    return {name: kind.data for name, kind in KINDS.items()}


def missing(
    kind: str, title: str, body: str, data: dict[str, Any] | None, purposes: Iterable[str]
) -> list[str]:
    """What the item still lacks before it can be submitted, in words for its author."""
    spec = KINDS[kind]
    purposes = set(purposes)
    lacks = [] if (title or "").strip() else ["thiếu tiêu đề"]
    if spec.body and not (body or "").strip():
        lacks.append(spec.body)
    lacks.extend(spec.lacks(data or {}))
    lacks.extend(
        f"thiếu tệp “{spec.files[p]}”" for p in REQUIRED_FILES.get(kind, ()) if p not in purposes
    )
    return lacks


_D = Deliverable.__table__
_A = Attachment.__table__
_CONTENT = select(_D.c.kind, _D.c.title, _D.c.body, _D.c.data).where(
    _D.c.id == bindparam("item_id")
)
_PURPOSES = select(_A.c.purpose).where(
    _A.c.item_type == "deliverable",
    _A.c.item_id == bindparam("item_id"),
    _A.c.purpose.is_not(None),
)


@effects.fact("submit", "deliverable", "missing")
def missing_content(conn: Connection, snap: ItemSnapshot) -> list[str]:
    """The submit guard's fact for a deliverable: what its kind still lacks, read under the
    lock."""
    kind, title, body, data = conn.execute(_CONTENT, {"item_id": snap.id}).one()
    purposes = (
        conn.execute(_PURPOSES, {"item_id": snap.id}).scalars() if kind in FILE_PURPOSES else ()
    )
    return missing(kind, title, body, data, purposes)
