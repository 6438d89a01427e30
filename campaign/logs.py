"""Logging that never records who a visitor is.

The development server's access lines start with the client address; a filter replaces
it with "-". (gunicorn's access log format is set in the gunicorn configuration.)
"""

from __future__ import annotations

import logging

from flask import Flask


class DropClientAddress(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and record.msg.startswith("%s - - [") and record.args:
            args = tuple(record.args) if isinstance(record.args, tuple) else (record.args,)
            record.args = ("-", *args[1:])
        return True


_FILTER = DropClientAddress()


def init_app(app: Flask) -> None:
    logger = logging.getLogger("werkzeug")
    if _FILTER not in logger.filters:
        logger.addFilter(_FILTER)
