"""Logging for a whole process: every record (ours, uvicorn's, APScheduler's) rendered by
structlog as one JSON line, or as a readable line for a terminal (CHIBO_LOG_FORMAT).

The code logs with the standard library and puts its fields in ``extra`` (the request line in
api/http/observe.py, the job line in schedules/runner.py); structlog only renders, so a test or a
library that logs without this set-up loses nothing. Lines go to stderr: stdout is the commands'
own output (``chibo migrate`` prints what it applied)."""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import IO, Any

import orjson
import structlog


def _json(event: dict[str, Any], **_: Any) -> str:  # noqa: ANN401
    return orjson.dumps(event, default=str).decode()


def _drop_uvicorn_colours(
    _: Any,  # noqa: ANN401
    __: str,
    event: MutableMapping[str, Any],
) -> MutableMapping[str, Any]:
    event.pop("color_message", None)  # uvicorn's copy of the message with terminal colours
    return event


def configure_logging(log_format: str, stream: IO[str] | None = None) -> None:
    stream = stream or sys.stderr
    if log_format == "json":
        render: list[Any] = [
            structlog.processors.format_exc_info,  # the traceback as one string field
            structlog.processors.JSONRenderer(serializer=_json),
        ]
    else:
        render = [structlog.dev.ConsoleRenderer(colors=stream.isatty())]
    handler = logging.StreamHandler(stream)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[
                structlog.processors.TimeStamper(fmt="iso", utc=True),
                structlog.stdlib.add_log_level,
                structlog.stdlib.add_logger_name,
                structlog.stdlib.ExtraAdder(),
                _drop_uvicorn_colours,
            ],
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *render],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
