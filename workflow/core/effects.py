"""The engine's extension points. Core calls them; the layers above it register here when
`workflow` is imported (`workflow/__init__.py`), so core imports nothing above itself:

- `on_transition`: what follows a transition in its transaction (a regulation's versions,
  mail to whoever acts next);
- `fact`: what a transition's guards must know, loaded under the lock (a council's tally
  before a review, what a deliverable kind still lacks before it is submitted).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from workflow.core.policy import Actor, ItemSnapshot


@dataclass(frozen=True, slots=True)
class Transitioned:
    """A transition just written: what an after-transition hook is told."""

    snap: ItemSnapshot  # the item as it was before
    action: str
    to_state: str
    actor: Actor
    reason: str | None


AfterTransition = Callable[[Connection, Transitioned], None]
FactSource = Callable[[Connection, ItemSnapshot], Any]

_AFTER: list[AfterTransition] = []
_FACTS: dict[tuple[str, str], dict[str, FactSource]] = {}


def on_transition(hook: AfterTransition) -> AfterTransition:
    """Register `hook(conn, transitioned)`, run in order of registration after every
    transition, inside its transaction."""
    if hook not in _AFTER:
        _AFTER.append(hook)
    return hook


def fact(action: str, item_kind: str, name: str) -> Callable[[FactSource], FactSource]:
    """Register `source(conn, snap)` as the fact `name` the guards of `action` on an item
    of `item_kind` ("task" or "deliverable") read."""

    def register(source: FactSource) -> FactSource:
        _FACTS.setdefault((action, item_kind), {})[name] = source
        return source

    return register


def facts(conn: Connection, snap: ItemSnapshot, action: str) -> dict[str, Any]:
    return {
        name: source(conn, snap) for name, source in _FACTS.get((action, snap.kind), {}).items()
    }


def after_transition(conn: Connection, done: Transitioned) -> None:
    for hook in _AFTER:
        hook(conn, done)
