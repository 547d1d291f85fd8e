"""The architecture, held by a test: dependencies point one way (webapp → workflow →
models), `workflow/core` imports nothing of the layers above it, nothing in `workflow/`
imports Flask, and only the engine's one door (`workflow/core/service.py`) writes an
item's state, version or round."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / "workflow"
ITEM_COLUMNS = frozenset({"state", "version", "round"})
# Writes synthetic history in bulk for benchmarks (rows inserted with their final state);
# the audit chain it writes is verified like any other.
BULK_HISTORY = {WORKFLOW / "intake" / "genload.py"}


def _modules(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


def _imports(path: Path) -> set[str]:
    """Every module name `path` imports (absolute imports only: the project uses no others)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: relative import"
            module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def _ours(name: str) -> bool:
    return name.split(".")[0] in {"workflow", "webapp", "documents", "models", "flask"}


def _name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


@pytest.mark.parametrize("path", _modules(WORKFLOW / "core"), ids=_name)
def test_core_imports_only_itself_and_models(path):
    outside = {
        name
        for name in _imports(path)
        if _ours(name)
        and not name.startswith("workflow.core")
        and name.split(".")[0] != "models"
        and name != "workflow"  # `from workflow.core import x` names the package too
    }
    assert not outside, f"{_name(path)} imports {sorted(outside)}"


@pytest.mark.parametrize("path", _modules(WORKFLOW), ids=_name)
def test_workflow_imports_neither_flask_nor_webapp(path):
    names = {n.split(".")[0] for n in _imports(path)}
    # werkzeug.security (password hashing) is a library, not the web framework
    assert not names & {"flask", "flask_login", "flask_wtf", "flask_babel", "webapp"}


@pytest.mark.parametrize(
    "path", _modules(ROOT / "documents") + _modules(ROOT / "models"), ids=_name
)
def test_documents_and_models_do_not_reach_up(path):
    names = {n.split(".")[0] for n in _imports(path)}
    assert "webapp" not in names and "flask" not in names
    if path.is_relative_to(ROOT / "models"):
        assert "workflow" not in names and "documents" not in names


def _item_writes(path: Path) -> list[str]:
    """Where `path` assigns an item's state/version/round: `x.state = …`, or a
    `.values(state=…)` / `.values({"state": …})` of an UPDATE or INSERT."""
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Attribute) and target.attr in ITEM_COLUMNS:
                found.append(f"line {node.lineno}: .{target.attr} =")
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("Task", "Deliverable")
        ):
            for key in sorted({k.arg for k in node.keywords} & ITEM_COLUMNS):
                found.append(f"line {node.lineno}: {node.func.id}({key}=…)")
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "values"
        ):
            keys = {k.arg for k in node.keywords}
            for arg in node.args:
                if isinstance(arg, ast.Dict):
                    keys |= {k.value for k in arg.keys if isinstance(k, ast.Constant)}
            for key in sorted(keys & ITEM_COLUMNS):
                found.append(f"line {node.lineno}: .values({key}=…)")
    return found


@pytest.mark.parametrize("path", _modules(WORKFLOW), ids=_name)
def test_only_the_service_writes_state_version_or_round(path):
    if path == WORKFLOW / "core" / "service.py" or path in BULK_HISTORY:
        assert _item_writes(WORKFLOW / "core" / "service.py")  # the check does see writes
        return
    assert _item_writes(path) == [], _name(path)


def test_the_write_check_sees_an_assignment_and_an_update(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "item.state = 'approved'\n"
        "conn.execute(update(t).values(version=2))\n"
        "conn.execute(update(t).values({'round': 3}))\n"
        "session.add(Deliverable(title='x', state='reviewed'))\n"
    )
    assert len(_item_writes(sample)) == 4
