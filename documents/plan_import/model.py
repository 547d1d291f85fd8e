"""The data passed between the stages: tables, paragraphs with their source lines,
task items (nodes) and sections."""

from __future__ import annotations

from dataclasses import dataclass, field


class Break:
    """A hard paragraph boundary (a table cell ends)."""


BREAK = Break()


@dataclass
class Table:
    rows: list[list[str]]
    wrapped: bool  # cells hold hard-wrapped lines (text sources), not real paragraphs


Item = str | Table | Break


@dataclass
class Node:
    number: str
    heading: str
    depth: int = 1
    is_letter: bool = False
    body: list[str] = field(default_factory=list)
    leads: list[str] = field(default_factory=list)
    coords: list[str] = field(default_factory=list)
    timing: list[str] = field(default_factory=list)
    products: list[str] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)

    def has_fields(self) -> bool:
        return bool(self.leads or self.coords or self.timing or self.products)


@dataclass
class Section:
    label: str
    title: str
    is_task: bool
    paragraphs: list[str] = field(default_factory=list)
