"""How long a typed text and how old or late a date may be: one number per kind of input, read by
the request schemas, the columns and the domain checks alike, so that they cannot disagree (a
schema wider than its column stored on SQLite and failed on PostgreSQL)."""

from __future__ import annotations

# Characters (PostgreSQL varchar(n) and msgspec's max_length both count code points).
NAME = 200  # a person's, unit's or template's name
EMAIL = 254
TITLE = 300  # of a meeting, a task, a push
PLACE = 300
TEXT = 500  # a short free text: a reason, an inspection's topic, an agenda item
CATEGORY = 100  # a petition's category
CONTACT = 200  # how to reach a petitioner
DAY_NOTE = 200  # why a calendar day is (not) a working day

# Years a date or time may fall in. Records of what happens (meetings, tasks, inspections,
# petitions, working days) are planned or logged within a lifetime of the service; a membership
# date can go back to the founding of the Party (1930) for the oldest members.
EVENT_YEARS = (2000, 2100)
HISTORY_YEARS = (1930, 2100)
