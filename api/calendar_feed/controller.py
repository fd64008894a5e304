"""The personal calendar feed (.ics) and its revocable token.

``GET /api/v1/calendar/<token>.ics`` is public: the token alone authenticates it, because phone
calendars subscribe to a URL and cannot log in.
"""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Response, delete, get, post
from litestar.di import NamedDependency
from litestar.params import PathParameter

from api.calendar_feed import ics
from api.calendar_feed.schemas import CalendarTokenOut
from api.http.auth import PublicOperation
from api.http.errors import problems
from domain.actors import Actor
from domain.calendar_feed.model import Feed
from domain.calendar_feed.service import CalendarFeedService
from domain.errors import NotFoundError
from domain.meetings.model import Meeting, MeetingKind, MeetingStatus
from domain.org.model import Locale

FEED_PREFIX = "/api/v1/calendar/"
FEED_SUFFIX = ".ics"
FEED_MEDIA_TYPE = "text/calendar"  # Litestar adds "; charset=utf-8" to text types

Calendar = NamedDependency[CalendarFeedService]

KIND_TEXT: dict[Locale, dict[MeetingKind, str]] = {
    Locale.VI: {
        MeetingKind.REGULAR: "Sinh hoạt chi bộ thường kỳ",
        MeetingKind.THEMATIC: "Sinh hoạt chi bộ chuyên đề",
        MeetingKind.EXTRAORDINARY: "Sinh hoạt chi bộ bất thường",
    },
    Locale.EN: {
        MeetingKind.REGULAR: "Regular cell meeting",
        MeetingKind.THEMATIC: "Thematic cell meeting",
        MeetingKind.EXTRAORDINARY: "Extraordinary cell meeting",
    },
}
TEXT: dict[Locale, dict[str, str]] = {
    Locale.VI: {
        "combined": "Sinh hoạt chi bộ thường kỳ kết hợp chuyên đề",
        "calendar": "Lịch sinh hoạt chi bộ",
        "agenda": "Nội dung",
        "minutes": "phút",
        "cancelled": "Đã hủy",
    },
    Locale.EN: {
        "combined": "Regular cell meeting with a thematic part",
        "calendar": "Cell meetings",
        "agenda": "Agenda",
        "minutes": "min",
        "cancelled": "Cancelled",
    },
}


def _summary(meeting: Meeting, cell_name: str, locale: Locale) -> str:
    kind = (
        TEXT[locale]["combined"] if meeting.combined_thematic else KIND_TEXT[locale][meeting.kind]
    )
    head = f"{kind}: {meeting.title}" if meeting.title else kind
    return f"{head} — {cell_name}" if cell_name else head


def _description(meeting: Meeting, locale: Locale) -> str | None:
    text = TEXT[locale]
    lines = []
    if meeting.status is MeetingStatus.CANCELLED and meeting.cancel_reason:
        lines.append(f"{text['cancelled']}: {meeting.cancel_reason}")
    if meeting.agenda:
        lines.append(f"{text['agenda']}:")
        lines += [
            f"{n}. {a.title} ({a.minutes} {text['minutes']})"
            for n, a in enumerate(meeting.agenda, start=1)
        ]
    return "\n".join(lines) or None


def _event(meeting: Meeting, cell_name: str, locale: Locale) -> ics.Event:
    return ics.Event(
        uid=f"{meeting.id}@chibo",
        stamp=meeting.updated_at,
        start=meeting.actual_start or meeting.planned_start,
        end=meeting.actual_end or meeting.planned_end,
        summary=_summary(meeting, cell_name, locale),
        location=meeting.place,
        description=_description(meeting, locale),
        status="CANCELLED" if meeting.status is MeetingStatus.CANCELLED else "CONFIRMED",
        sequence=meeting.version - 1,
        last_modified=meeting.updated_at,
    )


def render_feed(feed: Feed) -> bytes:
    locale = feed.person.locale
    return ics.render(
        (_event(m, feed.cell_names.get(m.cell_id, ""), locale) for m in feed.meetings),
        name=f"{TEXT[locale]['calendar']} — {feed.person.full_name}",
    )


class CalendarTokenController(Controller):
    path = "/api/v1/me/calendar-token"
    tags = ["calendar"]

    @post(
        "/",
        operation_id="CreateCalendarToken",
        responses=problems(401, 413, 422),
    )
    async def create(
        self, actor: NamedDependency[Actor], calendar: Calendar
    ) -> Response[CalendarTokenOut]:
        """A new personal feed URL, shown only this once; earlier ones stop working. Subscribe
        to it from the phone's calendar (prefix the server's address)."""
        issued = await calendar.issue(actor)
        return Response(
            CalendarTokenOut(
                feed_path=f"{FEED_PREFIX}{issued.token}{FEED_SUFFIX}",
                created_at=issued.created_at,
            ),
            status_code=201,
            headers={"Cache-Control": "no-store"},
        )

    @delete("/", operation_id="RevokeCalendarTokens", responses=problems(401))
    async def revoke(self, actor: NamedDependency[Actor], calendar: Calendar) -> None:
        """Every feed URL of mine stops working."""
        await calendar.revoke(actor)


@get(
    f"{FEED_PREFIX}{{feed:str}}",
    operation_id="GetCalendarFeed",
    tags=["calendar"],
    media_type=FEED_MEDIA_TYPE,
    responses=problems(404),
    operation_class=PublicOperation,
)
async def get_calendar_feed(
    feed: Annotated[
        str, PathParameter(description="The token of CreateCalendarToken followed by `.ics`")
    ],
    calendar: Calendar,
) -> Response[bytes]:
    """The caller's meetings (30 days back, 90 ahead) as iCalendar, authenticated by the token
    in the URL; an unknown or revoked token reads as not found."""
    if not feed.endswith(FEED_SUFFIX):
        raise NotFoundError("calendar_token_not_found")
    content = render_feed(await calendar.feed(feed.removesuffix(FEED_SUFFIX)))
    return Response(
        content, media_type=FEED_MEDIA_TYPE, headers={"Cache-Control": "private, max-age=300"}
    )
