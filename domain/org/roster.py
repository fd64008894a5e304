"""Import of a cell roster: every row checked first, nothing written unless all rows are good."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from domain.actors import Actor, Permission
from domain.errors import RuleViolationError
from domain.org.model import Locale, MembershipKind, check_cell
from domain.org.ports import OrgRepository
from domain.org.service import NewMembership, NewPerson, OrgService


@dataclass(frozen=True, slots=True)
class RosterRow:
    line: int
    full_name: str
    phone: str
    email: str | None
    kind: MembershipKind
    joined_on: date
    exempt: bool
    exempt_resolution_date: date | None


@dataclass(frozen=True, slots=True)
class RowError:
    line: int
    field: str
    code: str


@dataclass(slots=True)
class RosterReport:
    rows: int
    new_people: int = 0
    existing_people: int = 0
    errors: list[RowError] = field(default_factory=list)
    applied: bool = False


async def check_rows(
    repo: OrgRepository, actor: Actor, cell_id: UUID, rows: list[RosterRow]
) -> tuple[RosterReport, dict[int, UUID]]:
    """Validate without writing; returns the report and the existing person of each line."""
    report = RosterReport(rows=len(rows))
    existing: dict[int, UUID] = {}
    seen: dict[str, int] = {}
    for row in rows:
        if row.phone in seen:
            report.errors.append(RowError(row.line, "phone", "duplicate_in_file"))
            continue
        seen[row.phone] = row.line
        if row.exempt and row.exempt_resolution_date is None:
            report.errors.append(
                RowError(row.line, "exemptResolutionDate", "exempt_resolution_date_required")
            )
        person = await repo.person_by_phone(row.phone)
        if person is None:
            report.new_people += 1
            continue
        visible = person.id == actor.person_id or actor.may(
            Permission.VIEW_PEOPLE, person.home_unit_path
        )
        if not visible:
            report.errors.append(RowError(row.line, "phone", "phone_taken"))
            continue
        if any(m.cell_id == cell_id for m in await repo.live_memberships_of(person.id)):
            report.errors.append(RowError(row.line, "phone", "membership_exists"))
            continue
        existing[row.line] = person.id
        report.existing_people += 1
    return report, existing


async def import_roster(
    org: OrgService,
    actor: Actor,
    cell_id: UUID,
    parse: Callable[[], tuple[list[RosterRow], list[RowError]]],
    *,
    dry_run: bool,
) -> RosterReport:
    """Check every row (``parse`` reads the file: its rows and the errors its format already
    shows; it runs only once the actor may manage the cell, so a stranger learns nothing from a
    file's errors); unless this is a dry run, write all rows or, if any is bad, none and raise
    roster_invalid."""
    async with org.uow.atomic():
        cell = await org.unit(actor, cell_id)
        actor.require(Permission.MANAGE_ORG, cell.path, "org_manage_forbidden")
        check_cell(cell)
        rows, parse_errors = parse()
        report, existing = await check_rows(org.repo, actor, cell.id, rows)
        report.rows += len({e.line for e in parse_errors})  # a line may have several errors
        report.errors = sorted([*parse_errors, *report.errors], key=lambda e: e.line)
        if dry_run:
            return report
        if report.errors:
            raise reject(report)
        for row in rows:
            person_id = existing.get(row.line)
            if person_id is None:
                new = NewPerson(cell.id, row.full_name, row.phone, row.email, Locale.VI)
                person_id = (await org.create_person(actor, new)).id
            await org.create_membership(
                actor,
                NewMembership(
                    person_id=person_id,
                    cell_id=cell.id,
                    kind=row.kind,
                    joined_on=row.joined_on,
                    exempt=row.exempt,
                    exempt_resolution_date=row.exempt_resolution_date,
                ),
            )
        report.applied = True
        return report


def reject(report: RosterReport) -> RuleViolationError:
    """The error for an import whose rows are not all good, naming every bad row."""
    return RuleViolationError(
        "roster_invalid",
        errors=[(f"line {e.line}: {e.field}", e.code) for e in report.errors],
    )
