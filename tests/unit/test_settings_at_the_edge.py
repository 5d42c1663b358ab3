"""Every environment variable is read through ``models/settings.py`` (the Settings class).

A module that reads ``os.environ`` or ``os.getenv`` itself has configuration nobody sees in
one place and nobody can pass in a test; this fails naming it. Handing the environment on to
a child process (``env={**os.environ, ...}``, or ``os.environ["X"] = ...`` for a child a
library spawns) is writing, not reading, and stays allowed.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = (
    "models",
    "security",
    "stores",
    "portals",
    "activities",
    "workflows",
    "workers",
    "starters",
)
SETTINGS = ROOT / "models" / "settings.py"
_READERS = {"environ", "environb", "getenv", "getenvb"}


def _reads(node: ast.AST) -> bool:
    """``os.environ`` / ``os.getenv`` (…), or ``from os import environ`` (…)."""
    if isinstance(node, ast.Attribute):
        return isinstance(node.value, ast.Name) and node.value.id == "os" and node.attr in _READERS
    if isinstance(node, ast.ImportFrom):
        return node.module == "os" and any(alias.name in _READERS for alias in node.names)
    return False


def environment_reads(source: str) -> list[int]:
    """Lines where ``source`` reads the process environment other than to pass it on."""
    tree = ast.parse(source)
    passed_on = {
        id(value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Dict)
        for key, value in zip(node.keys, node.values, strict=True)
        if key is None  # a ``**mapping`` entry of a dict display
    } | {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store)
    }
    return sorted(
        node.lineno  # type: ignore[attr-defined]
        for node in ast.walk(tree)
        if _reads(node) and id(node) not in passed_on
    )


def test_no_module_outside_settings_reads_the_environment() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line}"
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if path != SETTINGS
        for line in environment_reads(path.read_text())
    ]
    assert found == [], "read these through a Settings field passed in by the caller"


def test_the_check_sees_every_way_of_reading() -> None:
    source = "\n".join(
        [
            "import os",
            "from os import getenv",
            "a = os.environ.get('X')",
            "b = os.getenv('X')",
            "c = 'X' in os.environ",
            "d = os.environ['X']",
            "env = {**os.environ, 'X': '1'}",  # passed on to a child: allowed
            "os.environ['X'] = '1'",  # likewise
        ]
    )
    assert environment_reads(source) == [2, 3, 4, 5, 6]
