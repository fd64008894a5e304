"""Logging for a whole process: every record (ours, uvicorn's, APScheduler's) rendered by
structlog as one JSON line, or as a readable line for a terminal (CHIBO_LOG_FORMAT).

The request line (api/http/edge.py) is logged with structlog itself: ~10 µs a line where the
standard library's record and formatter took ~50. Everything else logs with the standard library,
its fields in ``extra`` (the job line in schedules/runner.py), and structlog renders those records
the same way. Lines go to stderr: stdout is the commands' own output (``chibo migrate`` prints
what it applied)."""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any, TextIO

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


def configure_logging(
    log_format: str, stream: TextIO | None = None, level: int = logging.INFO
) -> None:
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
    root.setLevel(level)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            *render,
        ],
        logger_factory=structlog.WriteLoggerFactory(stream),
        wrapper_class=structlog.make_filtering_bound_logger(level),
        cache_logger_on_first_use=False,  # a later configure_logging (a test's) takes effect
    )
