"""Logging that never records who a visitor is.

The development server's access lines start with the client address; a filter replaces
it with "-". gunicorn's access log format (``gunicorn.conf.py``) has no address at all, and
``DropGunicornClientAddress`` removes the one line gunicorn's error log would otherwise
give it in ("Invalid request from ip=...", for malformed requests).

Secret links never reach an access log: a staff invitation (or reset) link carries its
token in the path, ``/staff/invite/<token>``, and anyone who could read the log could take
a pending invitation, an admin's too. :func:`redact_tokens` turns it into
``/staff/invite/[redacted]``: in the development server's lines (the same filter as the
address) and, through :class:`RedactAccessTokens` (added by ``gunicorn.conf.py``), in every
value gunicorn's access log line is built from. Both servers log the decoded path, which is
what is matched; docs/deploy.md has the matching nginx ``map``. The help pages shown once
(``/<lang>/help/sent/<token>``, ``/<lang>/help/thread/<token>``: campaign/cases/viewonce.py)
are redacted the same way: their token decrypts a receipt while the page is not yet shown.

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
# /staff/invite/<token> and the help pages shown once, /<lang>/help/sent/<token> and
# /<lang>/help/thread/<token>, also with doubled slashes (answered with a redirect) or any case.
_TOKEN_PATH = re.compile(
    r"(/+staff/+invite/+|/+[\w-]+/+help/+(?:sent|thread)/+)[^\s?#\"]+", re.IGNORECASE
)
REDACTED = "[redacted]"


def redact_tokens(text: str) -> str:
    """``text`` with the token of every invitation link and one-time help page replaced by
    ``[redacted]``."""
    return _TOKEN_PATH.sub(lambda match: match.group(1) + REDACTED, text)


class DropClientAddress(logging.Filter):
    """Werkzeug writes ``<address> - - [date] "GET ..."``: the address becomes ``-``."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and _ACCESS_LINE.match(record.msg):
            record.msg = redact_tokens(_ACCESS_LINE.sub("- - - [", record.msg, count=1))
        elif isinstance(record.msg, str) and record.msg.startswith("%s - - [") and record.args:
            args = tuple(record.args) if isinstance(record.args, tuple) else (record.args,)
            record.args = ("-", *args[1:])
        if isinstance(record.args, tuple):  # the request line is an argument
            record.args = tuple(
                redact_tokens(arg) if isinstance(arg, str) else arg for arg in record.args
            )
        return True


class RedactAccessTokens(logging.Filter):
    """For gunicorn's access logger: its line is ``format % atoms`` (a dict of the path,
    the request line, headers and environ values); every text atom is redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        atoms = record.args
        if isinstance(atoms, dict):
            for key, value in list(atoms.items()):
                if isinstance(value, str):
                    atoms[key] = redact_tokens(value)
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
