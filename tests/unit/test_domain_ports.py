"""A port (a Protocol the domain needs implemented outside it) lives in ``domain/<area>/ports.py``
or, when every area shares it, in ``domain/ports.py``: a newcomer finds what to implement in one
kind of place. A Protocol of attributes only (a shape the domain's own objects have, such as
``Versioned``; read-only ones declared as properties, as a frozen dataclass's fields must be) is
no port."""

from __future__ import annotations

import ast
from pathlib import Path

DOMAIN = Path(__file__).resolve().parents[2] / "domain"


def _is_protocol(base: ast.expr) -> bool:
    return (isinstance(base, ast.Name) and base.id == "Protocol") or (
        isinstance(base, ast.Attribute) and base.attr == "Protocol"
    )


def _is_method(item: ast.stmt) -> bool:
    """A function of the class other than a read-only attribute (``@property``)."""
    return isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and not any(
        isinstance(d, ast.Name) and d.id == "property" for d in item.decorator_list
    )


def _ports_outside_ports_modules(root: Path) -> list[str]:
    return [
        f"{path.relative_to(root.parent)}: {node.name}"
        for path in sorted(root.rglob("*.py"))
        if path.name != "ports.py"
        for node in ast.walk(ast.parse(path.read_text(), str(path)))
        if isinstance(node, ast.ClassDef)
        and any(_is_protocol(base) for base in node.bases)
        and any(_is_method(item) for item in node.body)
    ]


def test_ports_live_only_in_ports_modules() -> None:
    assert _ports_outside_ports_modules(DOMAIN) == []


def test_a_port_in_a_service_module_is_found(tmp_path: Path) -> None:
    area = tmp_path / "domain" / "things"
    area.mkdir(parents=True)
    (area / "ports.py").write_text("class ThingRepository(Protocol): ...\n")
    (area / "service.py").write_text(
        "class Store(typing.Protocol):\n    async def put(self, b: bytes) -> str: ...\n"
        "class Versioned(Protocol):\n    version: int\n"
        "class OfACell(Protocol):\n    @property\n    def cell_id(self) -> UUID: ...\n"
        "class Loader(Protocol):\n    @property\n    def n(self) -> int: ...\n"
        "    def load(self) -> int: ...\n"
        "class ThingService: ...\n"
    )
    assert _ports_outside_ports_modules(tmp_path / "domain") == [
        "domain/things/service.py: Store",
        "domain/things/service.py: Loader",
    ]
