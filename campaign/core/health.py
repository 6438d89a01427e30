"""``/healthz``: liveness and database reachability, for load balancers and monitoring.

200 ``{"status": "ok", "database": "ok"}`` when the database answers ``SELECT 1``;
503 ``{"status": "unavailable", "database": "unreachable"}`` when it does not. The answer
carries no version, host name, error text or configuration, sets no cookie and is never
cached. It is not rate limited, and like every URL it obeys ``TRUSTED_HOSTS`` (a probe
must send the site's Host header).
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from campaign.core.db import engine

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


def database_answers() -> bool:
    try:
        with engine().connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        log.warning("health check: database unreachable (%s)", type(exc).__name__)
        return False
    return True


@bp.get("/healthz")
def healthz() -> Response:
    if database_answers():
        response = jsonify(status="ok", database="ok")
    else:
        response = jsonify(status="unavailable", database="unreachable")
        response.status_code = 503
    response.cache_control.no_store = True
    return response
