"""The compliance use cases: ``raise_flags`` (what the scheduled job runs) and ``list_flags``
(what overseers read). Each check is one transaction: its flags commit together with the
notifications they cause, or not at all, and a flag whose key exists is neither raised nor told
again."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from uuid import UUID, uuid4

from domain.actors import Actor, Permission
from domain.clock import LOCAL_TZ, local_day, local_midnight
from domain.compliance.model import (
    MEETING_CHECKS,
    Check,
    ComplianceFlag,
    CompliancePolicy,
    FlagFilter,
    FlagKind,
    absence_reviews,
    behind_quota,
    month_period,
    period_label,
    plan_checks,
)
from domain.compliance.ports import CellFacts, ComplianceStore
from domain.dialogues.compliance import dialogue_checks_on
from domain.dialogues.model import DialoguePolicy
from domain.meetings.model import MeetingPolicy
from domain.notifications.model import Category
from domain.notifications.service import Message, Notice, Notifier
from domain.pagination import Page, PageRequest
from domain.ports import Clock, UnitOfWork


def flag_notice(flag: ComplianceFlag, cell: CellFacts | None) -> Notice | None:
    """Who hears of a new flag: the leader of their own quota; for the rest, the cell's
    secretaries and the leaders following it."""
    name = cell.name if cell else flag.unit_name
    params: dict[str, object]
    if flag.kind is FlagKind.LEADER_BEHIND_QUOTA:
        recipients: tuple[UUID, ...] = (flag.subject,)
        params = {
            "cell": name,
            "attended": flag.detail["attended"],
            "expected": flag.detail["expected"],
            "day": date.fromisoformat(flag.detail["asOf"]),
        }
    else:
        if cell is None:
            return None
        recipients = tuple(dict.fromkeys((*cell.secretaries, *cell.followers)))
        params = {"cell": name}
        if flag.kind is FlagKind.NO_REGULAR_MEETING:
            params |= {
                "month": period_label(flag.period),
                "day": date.fromisoformat(flag.detail["lastDay"]),
            }
        elif flag.kind is FlagKind.NO_THEMATIC_MEETING:
            params |= {"quarter": period_label(flag.period)}
        else:
            params |= {
                "name": flag.detail["fullName"],
                "months": len(flag.detail["months"]),
                "year": flag.period,
            }
    if not recipients:
        return None
    return Notice(
        recipients,
        Category.MEETING,
        f"compliance:{flag.id}",
        Message(template=flag.kind.value, params=params),
        digestible=True,
        data={"flagId": str(flag.id), "unitId": str(flag.unit_id), "kind": flag.kind.value},
    )


class ComplianceService:
    def __init__(
        self,
        store: ComplianceStore,
        uow: UnitOfWork,
        clock: Clock,
        notifier: Notifier,
        policy: CompliancePolicy,
        meeting_policy: MeetingPolicy,
        dialogue_policy: DialoguePolicy,
    ) -> None:
        self.store, self.uow, self.clock, self.notifier = store, uow, clock, notifier
        self.policy, self.meeting_policy = policy, meeting_policy
        self.dialogue_policy = dialogue_policy

    async def raise_flags(self) -> list[ComplianceFlag]:
        """Make every check due in the catch-up window; the flags newly raised. Safe to run
        twice: the second run raises nothing."""
        now = self.clock.now()
        since = now - timedelta(days=self.policy.catch_up_days)
        raised: list[ComplianceFlag] = []
        for check in plan_checks(self.policy, since, now):
            async with self.uow.atomic():
                flags = await self._check(check, now)
                if flags:
                    # who oversees the cell when the flag is raised
                    today = now.astimezone(LOCAL_TZ).date()
                    cells = await self.store.cells({f.unit_id for f in flags}, today)
                    notices = [flag_notice(f, cells.get(f.unit_id)) for f in flags]
                    await self.notifier.notify_many([n for n in notices if n is not None])
            raised += flags
        return raised

    async def _check(self, check: Check, now: datetime) -> list[ComplianceFlag]:
        if check.kind in MEETING_CHECKS:
            detail = {
                "firstDay": check.first_day.isoformat(),
                "lastDay": check.last_day.isoformat(),
            }
            return await self.store.raise_missing_meetings(check, detail, now)
        if check.kind is FlagKind.LEADER_BEHIND_QUOTA:
            return await self.store.insert(await self._behind_quota(check, now))
        return await self.store.insert(await self._absences(check, now))

    async def _behind_quota(self, check: Check, now: datetime) -> list[ComplianceFlag]:
        day = check.last_day
        # every quota period containing ``day`` (month, quarter, year) starts in its year
        visits = await self.store.visits(local_midnight(date(day.year, 1, 1)), check.until)
        flags = []
        for standing in await self.store.standings(day):
            found = behind_quota(
                standing, visits.get((standing.leader_id, standing.cell_id), []), day
            )
            if found is None:
                continue
            detail = {
                "assignmentId": str(standing.assignment_id),
                "leaderName": standing.leader_name,
                "quota": found.quota,
                "quotaPeriod": standing.period.value,
                "periodStart": found.period_start.isoformat(),
                "periodEnd": found.period_end.isoformat(),
                "attended": found.attended,
                "expected": found.expected_by_now,
                "asOf": day.isoformat(),
            }
            flags.append(
                ComplianceFlag(
                    uuid4(),
                    check.kind,
                    standing.cell_id,
                    standing.cell_path,
                    standing.leader_id,
                    check.period,
                    detail,
                    now,
                )
            )
        return flags

    async def _absences(self, check: Check, now: datetime) -> list[ComplianceFlag]:
        year = check.first_day.year
        found = absence_reviews(
            await self.store.absences(check.since, check.until), year, self.meeting_policy
        )
        return [
            ComplianceFlag(
                uuid4(),
                check.kind,
                r.cell_id,
                r.cell_path,
                r.person_id,
                check.period,
                {
                    "fullName": r.full_name,
                    "months": list(r.months),
                    "threshold": self.meeting_policy.unexcused_months_flag,
                },
                now,
            )
            for r in found
        ]

    async def raise_dialogue_flags(self) -> list[ComplianceFlag]:
        """Make every dialogue check due in the catch-up window (domain/dialogues/compliance.py);
        the flags newly raised. They are listed to the ward's overseers, not pushed. Safe to run
        twice."""
        now = self.clock.now()
        since = now - timedelta(days=self.policy.catch_up_days)
        raised: list[ComplianceFlag] = []
        for check in plan_checks(self.policy, since, now, dialogue_checks_on):
            async with self.uow.atomic():
                raised += await self.store.insert(await self._dialogue_check(check, now))
        return raised

    async def _dialogue_check(self, check: Check, now: datetime) -> list[ComplianceFlag]:
        policy = self.dialogue_policy
        if check.kind is FlagKind.DIALOGUE_RESULTS_LATE:
            # results due on day D are late from D + 1: the dialogue began before D - N + 1
            last_start = local_midnight(
                check.first_day - timedelta(days=policy.results_within_days)
            )
            return [
                ComplianceFlag(
                    uuid4(),
                    check.kind,
                    d.ward_id,
                    d.ward_path,
                    d.id,
                    month_period(local_day(d.starts_at)),
                    {
                        "title": d.title,
                        "startsAt": d.starts_at.isoformat(),
                        "resultsWithinDays": policy.results_within_days,
                    },
                    now,
                )
                for d in await self.store.unpublished_dialogues(last_start)
            ]
        if check.kind is FlagKind.TOO_FEW_DIALOGUES:
            required = policy.per_year
            counts = await self.store.dialogues_per_ward(check.since, check.until, check.since)
        else:
            required = policy.reception_days_per_month
            counts = await self.store.reception_days_per_ward(
                check.first_day, check.last_day, check.since
            )
        return [
            ComplianceFlag(
                uuid4(),
                check.kind,
                c.ward_id,
                c.ward_path,
                c.ward_id,
                check.period,
                {"count": c.count, "required": required},
                now,
            )
            for c in counts
            if c.count < required
        ]

    async def list_flags(
        self, actor: Actor, where: FlagFilter, page: PageRequest
    ) -> Page[ComplianceFlag]:
        """Flags of the cells where the caller may see people: a secretary their cell's, a leader
        or inspector their subtree's; a plain member none."""
        return await self.store.list_flags(actor.scopes(Permission.VIEW_PEOPLE), where, page)
