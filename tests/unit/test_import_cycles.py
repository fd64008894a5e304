"""No module of the program imports itself back through others: the layers contract in
pyproject.toml (run by `make lint`) keeps packages apart; this keeps modules acyclic."""

from __future__ import annotations

import grimp

PACKAGES = ("chibo", "api", "schedules", "db", "notifications", "domain")


def cycles(imports: dict[str, set[str]]) -> list[list[str]]:
    """Every back edge of a depth-first walk, as the cycle it closes."""
    state: dict[str, int] = {}  # 1: on the path, 2: done
    path: list[str] = []
    found: list[list[str]] = []

    def walk(module: str) -> None:
        state[module] = 1
        path.append(module)
        for other in sorted(imports.get(module, ())):
            if state.get(other) == 1:
                found.append([*path[path.index(other) :], other])
            elif other not in state:
                walk(other)
        path.pop()
        state[module] = 2

    for module in sorted(imports):
        if module not in state:
            walk(module)
    return found


def test_a_cycle_is_found() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_program_has_no_import_cycle() -> None:
    graph = grimp.build_graph(*PACKAGES)
    imports = {m: graph.find_modules_directly_imported_by(m) for m in graph.modules}
    assert cycles(imports) == []
