"""A report as issued (filed): the body the caller received, kept byte for byte, with a hash of
its figures and the versions of the records it was read from. Issuing again with the same
figures gives the version already filed; changed records (a correction) give a new version; no
version is ever changed, and no figure is ever typed in."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from domain.reports.model import CellReport


class ReportKind(StrEnum):
    CELLS = "cells"


@dataclass(frozen=True, slots=True)
class InputVersion:
    """Where the records of one kind that the report read stood when it was filed: the last
    change position among them (the offline sync's change log, decision 16) and how many
    objects of the kind lie in the report's cells."""

    entity: str
    position: int
    objects: int


@dataclass(frozen=True, slots=True)
class IssuedReport:
    id: UUID
    unit_id: UUID
    unit_path: str
    kind: ReportKind
    period: str
    version: int
    content_hash: str  # of the figures (not of the moment they were read)
    body: bytes  # the JSON reply as issued
    issued_by: UUID
    issued_at: datetime
    inputs: tuple[InputVersion, ...] = ()
    number: int | None = None  # its register number, read from the document register
    number_symbol: str | None = None  # "05-BC/CB", "05-BC/ĐU"


@dataclass(frozen=True, slots=True)
class FiledReport:
    """A filed version with what its printed layout needs beside the body: whether a cell or a
    committee above the cells issued it, and the name of the unit above (the upper body)."""

    issue: IssuedReport
    unit_is_cell: bool
    upper_name: str | None


def content_hash(report: CellReport) -> str:
    """SHA-256 of every row and total, in order: equal figures give an equal hash."""
    return hashlib.sha256(repr((report.rows, report.wards)).encode()).hexdigest()
