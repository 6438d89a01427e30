"""Database engine and sessions (SQLAlchemy 2.0), one engine per app.

SQLite is the embedded default (``instance/campaign.db``) with WAL, foreign keys, a busy
timeout and ``synchronous=FULL`` so that a committed request survives a power cut.
PostgreSQL is used when ``CAMPAIGN_DATABASE_URL`` names it. A request gets one session,
``db_session()``, closed at teardown. The schema comes from Alembic migrations
(``flask --app wsgi db upgrade``); tests may build it the same way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker


def database_url(app: Flask) -> str:
    url = app.config.get("DATABASE_URL")
    if url:
        return str(url)
    return "sqlite:///" + str(Path(app.instance_path) / "campaign.db")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": 10})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=5,
        connect_args={"connect_timeout": 5},
    )


def engine() -> Engine:
    eng: Engine = current_app.extensions["campaign_db"]["engine"]
    return eng


def db_session() -> Session:
    """The request's session (or the app context's, in CLI commands)."""
    session: Session | None = g.get("db_session")
    if session is None:
        factory: sessionmaker[Session] = current_app.extensions["campaign_db"]["factory"]
        session = g.db_session = factory()
    return session


def init_app(app: Flask) -> None:
    eng = make_engine(database_url(app))
    factory = sessionmaker(bind=eng, expire_on_commit=False)
    app.extensions["campaign_db"] = {"engine": eng, "factory": factory}

    @app.teardown_appcontext
    def close_session(_exc: BaseException | None) -> None:
        session: Session | None = g.pop("db_session", None)
        if session is not None:
            session.close()
