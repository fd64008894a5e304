"""Every error code the code can raise has a title in Vietnamese and in English.

The raisable codes are read from the source, not listed by hand: a string literal given to a
``DomainError`` class, or to any function's parameter named ``code`` (``actor.require(…, code)``,
``translating_unique(code)``, ``problem_response(request, status, code)`` …). A new code without
a title fails here instead of reaching a phone as "Bad request".
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from api.http.error_texts import TITLES
from api.http.errors import EXCEPTION_HANDLERS
from domain.errors import DomainError

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("domain", "api", "db", "notifications", "schedules")


def _domain_errors(cls: type[DomainError]) -> Iterator[str]:
    yield cls.__name__
    for sub in cls.__subclasses__():
        yield from _domain_errors(sub)


def _trees() -> list[tuple[Path, ast.Module]]:
    return [
        (path, ast.parse(path.read_text(), str(path)))
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
    ]


def _code_parameters(trees: list[tuple[Path, ast.Module]]) -> dict[str, int]:
    """Callable name -> position of its ``code`` argument."""
    assert EXCEPTION_HANDLERS  # the api's own DomainError subclasses are imported
    positions = dict.fromkeys(_domain_errors(DomainError), 0)
    for _, tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                names = [a.arg for a in [*node.args.posonlyargs, *node.args.args]]
                if names[:1] in (["self"], ["cls"]):
                    names = names[1:]
                if "code" in names:
                    positions[node.name] = names.index("code")
    return positions


def _literals(node: ast.expr) -> Iterator[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.IfExp):
        yield from _literals(node.body)
        yield from _literals(node.orelse)


def raisable_codes() -> dict[str, str]:
    """Code -> where it is first raised."""
    trees = _trees()
    positions = _code_parameters(trees)
    codes: dict[str, str] = {}
    for path, tree in trees:
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name not in positions:
                continue
            given = [k.value for k in node.keywords if k.arg == "code"]
            if len(node.args) > positions[name]:
                given.append(node.args[positions[name]])
            for argument in given:
                for code in _literals(argument):
                    where = f"{path.relative_to(ROOT)}:{node.lineno}"
                    codes.setdefault(code, where)
    return codes


def test_the_scan_finds_codes_raised_directly_and_through_code_parameters() -> None:
    codes = raisable_codes()
    assert "task_not_found" in codes  # NotFoundError("task_not_found")
    assert "task_manage_forbidden" in codes  # actor.require(…, "task_manage_forbidden")
    assert "refresh_token_reused" in codes  # UnauthenticatedError(a if … else b)
    assert "idempotency_key_reused" in codes  # _problem(request, 422, code, send)
    assert len(codes) > 100


def test_every_raisable_code_has_a_vietnamese_and_an_english_title() -> None:
    untitled = {
        code: where
        for code, where in raisable_codes().items()
        if not all(text.strip() for text in TITLES.get(code, ("", "")))
    }
    assert untitled == {}
