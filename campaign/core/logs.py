"""Logging that never records who a visitor is.

The development server's access lines start with the client address; a filter replaces
it with "-". gunicorn's access log format (``gunicorn.conf.py``) has no address at all, and
``DropGunicornClientAddress`` removes the one line gunicorn's error log would otherwise
give it in ("Invalid request from ip=...", for malformed requests).

The application's own messages go to Flask's handler (stderr, gunicorn's error log);
Flask-Limiter's logger, which has only a NullHandler of its own, is sent there too, so that
"rate limit storage unavailable; limiting fails open" is really written down under gunicorn.
"""

from __future__ import annotations

import logging
import re

from flask import Flask
from flask.logging import default_handler

_ACCESS_LINE = re.compile(r"^\S+ - - \[")


class DropClientAddress(logging.Filter):
    """Werkzeug writes ``<address> - - [date] "GET ..."``: the address becomes ``-``."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and _ACCESS_LINE.match(record.msg):
            record.msg = _ACCESS_LINE.sub("- - - [", record.msg, count=1)
        elif isinstance(record.msg, str) and record.msg.startswith("%s - - [") and record.args:
            args = tuple(record.args) if isinstance(record.args, tuple) else (record.args,)
            record.args = ("-", *args[1:])
        return True


_FILTER = DropClientAddress()

# IPv4 dotted quads, and IPv6 (two or more colons between hex groups, optionally with a
# trailing dotted quad): enough to scrub addresses out of gunicorn's error messages.
_ADDRESS = re.compile(
    r"\b\d{1,3}(?:\.\d{1,3}){3}\b|(?<![\w:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}"
    r"(?:\d{1,3}(?:\.\d{1,3}){3})?(?![\w:])"
)


class DropGunicornClientAddress(logging.Filter):
    """For gunicorn's error logger: a rejected request's line names no client address."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if message.startswith("Invalid request from ip="):
            _prefix, _, error = message.partition(": ")
            record.msg = "Invalid request: " + _ADDRESS.sub("-", error)
            record.args = ()
        return True


def init_app(app: Flask) -> None:
    logger = logging.getLogger("werkzeug")
    if _FILTER not in logger.filters:
        logger.addFilter(_FILTER)
    limiter_log = logging.getLogger("flask-limiter")
    if default_handler not in limiter_log.handlers:
        limiter_log.addHandler(default_handler)
