"""Stage 6, resolve: units matched to known units, timing text to a kind and due
date, a title from the first sentence, and per task and field a confidence and the
source lines it came from."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from documents.plan_import.model import Node
from documents.plan_import.patterns import label_value
from documents.timing import parse_timing
from documents.units import KnownUnit, fold, match_units


def _first_sentence(text: str, limit: int = 160) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    for m in re.finditer(r"[.;:]", text):
        after = text[m.end() :].lstrip()
        if m.group() in ";:" or not after or after[0].isupper():
            if m.group() == "." and text[max(0, m.start() - 2) : m.start()] == "..":
                continue
            text = text[: m.start()]
            break
    text = re.sub(r",?\s*cụ thể$", "", text).strip(" ,")
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0].rstrip(" ,;") + "…"
    return text


def _dedupe(names: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for name in names:
        key = fold(name)
        if key not in seen:
            seen.add(key)
            out.append(name)
    return out


def task_dict(node: Node, known: Sequence[KnownUnit]) -> dict[str, Any]:
    body = [node.heading, *node.body] if node.heading else list(node.body)
    title_source = node.heading or next(iter(node.body), "")
    return {
        "number": node.number,
        "title": _first_sentence(label_value(title_source)),
        "content": "\n".join(b for b in body if b),
        "lead_units": match_units(_dedupe(node.leads), known),
        "coordinating_units": match_units(_dedupe(node.coords), known),
        "timing": parse_timing("; ".join(node.timing) or None).as_dict(),
        "products": node.products,
        "subtasks": [task_dict(child, known) for child in node.children],
    }
