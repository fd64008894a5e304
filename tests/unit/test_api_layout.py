"""api/ holds HTTP only, laid out one way: app.py, the shared plumbing in api/http/, and one
package per area with its controller module(s) and the area's bodies in schemas.py."""

from __future__ import annotations

import ast
from pathlib import Path

API = Path(__file__).resolve().parents[2] / "api"
PLUMBING = API / "http"
# Libraries that do a job outside HTTP: their adapters live beside the composition root (chibo/)
# or the rule in the domain, never in api/.
NOT_HTTP = {"argon2", "phonenumbers", "piccolo", "firebase_admin", "apscheduler"}


def _areas() -> list[Path]:
    return sorted(p for p in API.iterdir() if p.is_dir() and p.name not in {"http", "__pycache__"})


def _imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def _body_classes(path: Path) -> list[str]:
    """Request and reply bodies: classes built on In or Out (or on such a class)."""
    bodies: list[str] = []
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.ClassDef):
            bases = {b.id for b in node.bases if isinstance(b, ast.Name)}
            if bases & {"In", "Out", *bodies}:
                bodies.append(node.name)
    return bodies


def test_only_the_app_factory_sits_at_the_top_of_api() -> None:
    assert sorted(p.name for p in API.glob("*.py")) == ["__init__.py", "app.py"]


def test_every_area_is_a_package_with_controllers_and_schemas() -> None:
    for area in _areas():
        modules = {p.name for p in area.glob("*.py")}
        assert {"__init__.py", "schemas.py"} <= modules, area.name
        assert modules - {"__init__.py", "schemas.py"}, f"{area.name} has no controller"


def test_bodies_live_in_the_areas_schemas_module() -> None:
    misplaced = [
        f"{path.relative_to(API)}: {name}"
        for path in sorted(API.rglob("*.py"))
        if path.name != "schemas.py"
        for name in _body_classes(path)
    ]
    assert misplaced == []


def test_api_uses_no_library_of_another_layer() -> None:
    leaks = {
        str(path.relative_to(API)): sorted(_imported_roots(path) & NOT_HTTP)
        for path in sorted(API.rglob("*.py"))
    }
    assert {path: libs for path, libs in leaks.items() if libs} == {}


def test_plumbing_imports_no_area() -> None:
    """The plumbing is shared by every area, so it may not depend on one."""
    areas = {f"api.{area.name}" for area in _areas()}
    offenders = {
        str(path.relative_to(API)): node.module
        for path in sorted(PLUMBING.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ImportFrom)
        and node.module
        and any(node.module == a or node.module.startswith(a + ".") for a in areas)
    }
    assert offenders == {}
