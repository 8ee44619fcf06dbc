"""Logging: one JSON object per line (production) or plain text (development), with request ids.

Every line carries the request id of the request it was written in (null outside one), so
the id a user quotes from a masked error finds its trace. `serve` hands `logging_config` to
uvicorn, so uvicorn's own lines come out the same way; `app_from_environment` applies it too
for `uvicorn --factory`, which configures logging before it loads the app.
"""

from __future__ import annotations

import logging
import logging.config
from typing import IO, Any, Literal

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

from ldp_graph.config import Settings
from ldp_graph.request_id import current_request_id

LogFormat = Literal["json", "text"]

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


class RequestIdFilter(logging.Filter):
    """Stamp each record with the current request id (a filter on the handler sees them all)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = current_request_id()
        return True


class _TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        if getattr(record, "request_id", None) is None:
            record.request_id = "-"
        return super().format(record)


def formatter(log_format: LogFormat) -> logging.Formatter:
    if log_format == "text":
        return _TextFormatter(TEXT_FORMAT)
    return JsonFormatter(
        ["levelname", "name", "message", "request_id"],
        rename_fields={"levelname": "level", "name": "logger", "exc_info": "exception"},
        timestamp=True,
        # uvicorn adds an ANSI-coloured copy of its message for terminals.
        reserved_attrs=[*RESERVED_ATTRS, "color_message"],
    )


def handler(log_format: LogFormat, stream: IO[str] | None = None) -> logging.Handler:
    """A handler writing `log_format` lines, each stamped with its request id."""
    made = logging.StreamHandler(stream)
    made.setFormatter(formatter(log_format))
    made.addFilter(RequestIdFilter())
    return made


def log_format(settings: Settings) -> LogFormat:
    if settings.log_format is not None:
        return settings.log_format
    return "json" if settings.environment == "production" else "text"


def logging_config(settings: Settings) -> dict[str, Any]:
    """A `logging.config.dictConfig` for the whole process, uvicorn's loggers included."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "handlers": {
            "default": {
                "()": "ldp_graph.logs.handler",
                "log_format": log_format(settings),
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["default"], "level": settings.log_level},
        "loggers": {
            # uvicorn gives its loggers handlers of their own; send them through ours instead.
            "uvicorn": {"handlers": [], "propagate": True, "level": settings.log_level},
            "uvicorn.error": {"handlers": [], "propagate": True},
            # ldp_graph.access replaces uvicorn's access line, which would log the query
            # string (a GET's GraphQL document and variables) and no request id.
            "uvicorn.access": {"handlers": [], "propagate": False, "level": "WARNING"},
        },
    }


def configure(settings: Settings) -> None:
    logging.config.dictConfig(logging_config(settings))
