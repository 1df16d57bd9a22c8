"""The packages depend in one direction: scoring and forms import neither Flask nor the
database nor the other packages; reports imports at most scoring (DESIGN.md)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {
    "scoring": {
        "flask",
        "flask_wtf",
        "sqlalchemy",
        "alembic",
        "appraisal_engine",
        "forms",
        "reports",
    },
    "forms": {
        "flask",
        "flask_wtf",
        "sqlalchemy",
        "alembic",
        "appraisal_engine",
        "scoring",
        "reports",
    },
    "reports": {"flask", "flask_wtf", "sqlalchemy", "alembic", "appraisal_engine", "forms"},
}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_only_what_its_layer_allows(package):
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"{package}/ has no modules"
    offending = {
        str(path.relative_to(ROOT)): sorted(imported_roots(path) & FORBIDDEN[package])
        for path in files
        if imported_roots(path) & FORBIDDEN[package]
    }
    assert offending == {}
