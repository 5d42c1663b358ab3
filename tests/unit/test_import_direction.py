"""Imports point one way: starters → workers → workflows → activities → portals → security →
stores → models.

Each layer may import itself and any layer below it, never one above. Workflows may import
activities only inside ``workflow.unsafe.imports_passed_through()`` (for typed references
to activity methods); the sandbox is a separate program and is not part of the chain.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYERS = (
    "starters",
    "workers",
    "workflows",
    "activities",
    "portals",
    "security",
    "stores",
    "models",
)


def _imports(tree: ast.Module) -> list[tuple[str, int, bool]]:
    """(module, line, inside imports_passed_through) for every absolute import."""
    found: list[tuple[str, int, bool]] = []

    def visit(node: ast.AST, passed_through: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inside = passed_through or (
                isinstance(child, ast.With)
                and any(
                    "imports_passed_through" in ast.unparse(i.context_expr) for i in child.items
                )
            )
            if isinstance(child, ast.Import):
                found.extend((alias.name, child.lineno, inside) for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                found.append((child.module, child.lineno, inside))
            visit(child, inside)

    visit(tree, False)
    return found


def _violations(layer: str) -> list[str]:
    rank = LAYERS.index(layer)
    problems = []
    for path in sorted((ROOT / layer).rglob("*.py")):
        for module, line, passed_through in _imports(ast.parse(path.read_text())):
            top = module.split(".")[0]
            if top not in LAYERS:
                continue
            where = f"{path.relative_to(ROOT)}:{line} imports {module}"
            if LAYERS.index(top) < rank:
                problems.append(f"{where} (upward: {top} is above {layer})")
            elif layer == "workflows" and top == "activities" and not passed_through:
                problems.append(f"{where} outside workflow.unsafe.imports_passed_through()")
    return problems


@pytest.mark.parametrize("layer", LAYERS)
def test_imports_point_down(layer: str) -> None:
    assert _violations(layer) == []


def test_the_check_catches_an_upward_import(tmp_path: Path) -> None:
    # Positive control: the same walk flags an upward and a plain workflow→activity import.
    tree = ast.parse(
        "from temporalio import workflow\n"
        "from workflows.post_payment import PostPaymentWorkflow\n"
        "from activities.payments import PaymentActivities\n"
        "with workflow.unsafe.imports_passed_through():\n"
        "    from activities.sessions import SessionActivities\n"
    )
    assert [(m, inside) for m, _, inside in _imports(tree)] == [
        ("temporalio", False),
        ("workflows.post_payment", False),
        ("activities.payments", False),
        ("activities.sessions", True),
    ]
    for layer in LAYERS:
        assert (ROOT / layer).is_dir(), layer
