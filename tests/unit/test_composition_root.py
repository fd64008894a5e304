"""Every use case is built in chibo/bootstrap.py and nowhere else in the program, so the API,
the worker and the commands cannot run one use case with different collaborators."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROGRAM = ("api", "chibo", "db", "domain", "notifications", "schedules")
BOOTSTRAP = ROOT / "chibo" / "bootstrap.py"


def _modules() -> dict[Path, ast.Module]:
    return {
        path: ast.parse(path.read_text(), str(path))
        for folder in PROGRAM
        for path in (ROOT / folder).rglob("*.py")
        if "piccolo_migrations" not in path.parts
    }


def _built(tree: ast.Module, names: set[str]) -> set[str]:
    calls = (node.func for node in ast.walk(tree) if isinstance(node, ast.Call))
    return {
        name
        for func in calls
        if (name := func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)) in names
    }


def test_services_are_built_only_in_the_bootstrap() -> None:
    modules = _modules()
    services = {
        node.name
        for path, tree in modules.items()
        if path.parts[len(ROOT.parts)] == "domain"
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef) and node.name.endswith("Service")
    } | {"Notifier"}
    assert {
        "MeetingRecordService",
        "MeetingPlanningService",
        "TaskService",
        "OrgService",
        "ReminderService",
    } <= services
    elsewhere = {
        str(path.relative_to(ROOT)): built
        for path, tree in modules.items()
        if path != BOOTSTRAP and (built := _built(tree, services))
    }
    assert elsewhere == {}, elsewhere
    assert _built(modules[BOOTSTRAP], services) == services
