"""Kept for existing importers: the plan importer lives in `documents.plan_import`."""

from documents.plan_import import (
    PlanImportError,
    parse_plan,
    parse_plan_bytes,
    parse_plan_file,
    parse_plan_text,
)

__all__ = [
    "PlanImportError",
    "parse_plan",
    "parse_plan_bytes",
    "parse_plan_file",
    "parse_plan_text",
]
