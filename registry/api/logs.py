"""Log lines: plain text or one JSON object a line (REGISTRY_LOG_FORMAT=json), each with the id of the request being
served (registry/api/request_ids.py) and never a token: bearer tokens and the registry's `rcr_…` tokens are cut out
of every line before it is written.

This is litestar's own LoggingConfig (a queue handler, so a slow stderr never blocks the event loop) with our
formatter and filter: the line is formatted where it is logged, where the request's id is known."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from typing import Any

from litestar.logging.config import LoggingConfig

from registry.api import request_ids
from registry.settings import Settings

# `Bearer <anything>`, and a registry token's secret part wherever it appears (rcr_<id>_<secret>)
_SECRETS = re.compile(r"(?i)(bearer\s+)\S+|\b(rcr_[A-Za-z0-9]+_)[A-Za-z0-9_\-]+")
_RECORD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "request_id"}


def redact(text: str) -> str:
    return _SECRETS.sub(lambda m: (m.group(1) or m.group(2)) + "[redacted]", text)


class RequestContext(logging.Filter):
    """Stamps each record with the request id and redacts its message (the arguments merged in first)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_ids.current.get()
        record.msg, record.args = redact(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class JsonLines(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request_id, the record's extra fields, exception."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        line.update({k: v for k, v in vars(record).items() if k not in _RECORD and not k.startswith("_")})
        if record.exc_text:
            line["exception"] = record.exc_text
        return json.dumps(line, ensure_ascii=False, default=str)


TEXT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
FORMATS = ("text", "json")


def logging_config(settings: Settings) -> LoggingConfig:
    if settings.log_format not in FORMATS:
        raise ValueError(f"REGISTRY_LOG_FORMAT is {settings.log_format!r}; use one of {', '.join(FORMATS)}")
    line = {"()": JsonLines} if settings.log_format == "json" else {"format": TEXT}
    return LoggingConfig(
        formatters={"line": line, "as_is": {"format": "%(message)s"}},
        filters={"request_context": {"()": RequestContext}},
        handlers={
            "console": {"class": "logging.StreamHandler", "formatter": "as_is"},  # written by the queue's thread
            "queue_listener": {"class": "litestar.logging.standard.QueueListenerHandler",
                               "handlers": ["cfg://handlers.console"], "formatter": "line",
                               "filters": ["request_context"]},
        },
        loggers={"litestar": {"level": "INFO", "handlers": ["queue_listener"], "propagate": False},
                 "registry.access": {"level": "INFO" if settings.access_log else "WARNING"}},
        log_exceptions="never",  # the one error handler logs what was unexpected, once
    )


__all__ = ["JsonLines", "RequestContext", "logging_config", "redact"]
