"""workflow/reads: one module per concept, read by the pages and the API alike; documents/
render what it hands them; nothing in it writes."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
READS = ROOT / "workflow" / "reads"
# Names of the old split (a read model for the pages, another for the API): never again.
SPLIT_BY_CONSUMER = {"ui_reads", "api_reads", "inbox"}
# Data the document renderers may take: the report's and the decision's, the state labels.
DOCUMENT_SOURCES = {"workflow.reads.reporting", "workflow.reads.commendation"}
WRITES = {"commit", "flush", "add", "add_all", "delete", "merge", "begin"}


def _modules(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


def _name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def _from_imports(path: Path) -> set[str]:
    """`from a.b import c` as "a.b.c" and `import a.b` as "a.b"."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_no_read_module_is_split_by_who_reads_it():
    assert not {p.stem for p in _modules(READS)} & SPLIT_BY_CONSUMER


@pytest.mark.parametrize(
    "path", _modules(ROOT / "webapp" / "pages") + _modules(ROOT / "webapp" / "api"), ids=_name
)
def test_pages_and_api_read_the_concept_modules(path):
    wrong = {
        name
        for name in _from_imports(path)
        if name.startswith("workflow.reads.") and set(name.split(".")) & SPLIT_BY_CONSUMER
    }
    assert not wrong, f"{_name(path)} imports {sorted(wrong)}"


@pytest.mark.parametrize("path", _modules(ROOT / "documents"), ids=_name)
def test_documents_render_what_workflow_reads_hands_them(path):
    reads = {
        name.rsplit(".", 1)[0]
        for name in _from_imports(path)
        if name.startswith("workflow.") and not name.startswith("workflow.core.machine.")
    }
    assert reads <= DOCUMENT_SOURCES, f"{_name(path)} imports {sorted(reads)}"


@pytest.mark.parametrize("path", _modules(READS), ids=_name)
def test_reads_never_write(path):
    """No session write in a read module (rollback, to end a read transaction, is fine)."""
    calls = [
        f"line {node.lineno}: .{node.func.attr}()"
        for node in ast.walk(ast.parse(path.read_text("utf-8")))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in WRITES
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id in {"session", "conn", "connection", "db"}
    ]
    assert not calls, f"{_name(path)}: {calls}"
