"""CSV import of a cell roster (UTF-8, Vietnamese headers or English ones), with a dry run."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from litestar import Controller, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter, RawBody

from api.http.errors import problems
from api.http.raw_body import raw_body_operation
from api.org.schemas import RosterReportOut
from domain import limits
from domain.actors import Actor
from domain.errors import DomainError, RuleViolationError
from domain.org.model import MembershipKind
from domain.org.phones import to_e164
from domain.org.roster import RosterRow, RowError, import_roster
from domain.org.service import OrgService

# Column -> accepted header spellings (case and accents as written by hand in Excel).
HEADERS = {
    "full_name": ("full_name", "họ và tên", "họ tên"),
    "phone": ("phone", "số điện thoại", "điện thoại"),
    "email": ("email",),
    "kind": ("kind", "loại"),
    "joined_on": ("joined_on", "ngày vào sinh hoạt"),
    "exempt": ("exempt", "miễn sinh hoạt"),
    "exempt_resolution_date": ("exempt_resolution_date", "ngày quyết định miễn"),
}
REQUIRED = ("full_name", "phone", "kind", "joined_on")
KINDS = {
    "full": MembershipKind.FULL,
    "chính thức": MembershipKind.FULL,
    "probationary": MembershipKind.PROBATIONARY,
    "dự bị": MembershipKind.PROBATIONARY,
}
YES = {"yes", "true", "1", "có", "x"}
NO = {"", "no", "false", "0", "không"}
MAX_ROWS = 500


def _date(raw: str) -> date:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(raw, fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    raise ValueError(raw)


def parse_roster(content: bytes) -> tuple[list[RosterRow], list[RowError]]:
    """Rows that parse, and an error for every field that does not (line numbers as in a
    spreadsheet: the header is line 1)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise RuleViolationError("roster_not_csv") from error
    if "\x00" in text:  # no text file holds one; PostgreSQL cannot store it
        raise RuleViolationError("roster_not_csv")
    # newline=None reads old Excel for Mac's bare CR line ends too; strict: a quote left open
    # is an error, not a row swallowing the rest of the file
    reader = csv.reader(io.StringIO(text, newline=None), strict=True)
    try:
        return _parse_lines(reader)
    except csv.Error as error:
        raise RuleViolationError("roster_not_csv") from error


def _parse_lines(reader: Iterator[list[str]]) -> tuple[list[RosterRow], list[RowError]]:
    header = [h.strip().lower() for h in next(reader, [])]
    columns = {
        name: header.index(spelling)
        for name, spellings in HEADERS.items()
        for spelling in spellings
        if spelling in header
    }
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise RuleViolationError(
            "roster_invalid", errors=[(f"line 1: {m}", "column_missing") for m in missing]
        )
    rows: list[RosterRow] = []
    errors: list[RowError] = []
    for line, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        if len(rows) + len(errors) >= MAX_ROWS:
            raise RuleViolationError("roster_invalid", errors=[(f"line {line}", "too_many_rows")])
        row, row_errors = _parse_row(line, values, columns)
        errors.extend(row_errors)
        if row is not None:
            rows.append(row)
    return rows, errors


def _parse_row(  # noqa: C901 - one check per column, flat
    line: int, values: list[str], columns: dict[str, int]
) -> tuple[RosterRow | None, list[RowError]]:
    def cell(name: str) -> str:
        index = columns.get(name)
        return values[index].strip() if index is not None and index < len(values) else ""

    errors: list[RowError] = []
    full_name = cell("full_name")
    if not full_name or len(full_name) > limits.NAME:
        errors.append(RowError(line, "fullName", "required"))
    phone = ""
    try:
        phone = to_e164(cell("phone"))
    except DomainError:
        errors.append(RowError(line, "phone", "invalid_phone"))
    email = cell("email") or None
    if email is not None and ("@" not in email or len(email) > limits.EMAIL):
        errors.append(RowError(line, "email", "invalid_email"))
    kind = KINDS.get(cell("kind").lower())
    if kind is None:
        errors.append(RowError(line, "kind", "invalid_kind"))
    joined_on = exempt_date = None
    try:
        joined_on = _date(cell("joined_on"))
    except ValueError:
        errors.append(RowError(line, "joinedOn", "invalid_date"))
    exempt_raw = cell("exempt").lower()
    if exempt_raw not in YES | NO:
        errors.append(RowError(line, "exempt", "invalid_boolean"))
    if cell("exempt_resolution_date"):
        try:
            exempt_date = _date(cell("exempt_resolution_date"))
        except ValueError:
            errors.append(RowError(line, "exemptResolutionDate", "invalid_date"))
    if errors or kind is None or joined_on is None:
        return None, errors
    return (
        RosterRow(
            line=line,
            full_name=full_name,
            phone=phone,
            email=email,
            kind=kind,
            joined_on=joined_on,
            exempt=exempt_raw in YES,
            exempt_resolution_date=exempt_date,
        ),
        [],
    )


class RosterController(Controller):
    path = "/api/v1/units/{cell_id:uuid}/roster"
    tags = ["organisation"]

    @post(
        "/",
        operation_id="ImportRoster",
        status_code=200,
        responses=problems(401, 403, 404, 409, 413, 422),
        operation_class=raw_body_operation("text/csv", "UTF-8 CSV with a header row", binary=False),
    )
    async def import_roster(
        self,
        cell_id: FromPath[UUID],
        body: RawBody,
        actor: NamedDependency[Actor],
        org: NamedDependency[OrgService],
        dry_run: Annotated[
            bool, QueryParameter(name="dryRun", description="Check only, write nothing")
        ] = False,
    ) -> RosterReportOut:
        """Add the members listed in a CSV file to a cell: all rows or none."""
        report = await import_roster(
            org, actor, cell_id, lambda: parse_roster(body), dry_run=dry_run
        )
        return RosterReportOut.of(report)
