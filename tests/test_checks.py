"""Start-up checks: SECRET_KEY in production, database URL, reachability, schema revision."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, text

from campaign import create_app
from campaign.core import checks, migrate
from campaign.core.config import DEFAULTS
from devtools.server import free_port
from tests.conftest import TEST_CONFIG
from tests.databases import database_url

GOOD_KEY = "k" * checks.MIN_SECRET_KEY_LENGTH


@pytest.mark.parametrize(
    ("key", "says"),
    [
        (None, "no SECRET_KEY is set"),
        ("", "no SECRET_KEY is set"),
        (DEFAULTS["SECRET_KEY"], "the development default"),
        ("k" * (checks.MIN_SECRET_KEY_LENGTH - 1), "shorter than 32 characters"),
    ],
)
def test_production_refuses_a_weak_secret_key(key: str | None, says: str) -> None:
    problem = checks.secret_key_problem({"ENV_PRODUCTION": True, "SECRET_KEY": key})
    assert problem is not None
    assert problem.startswith("Refusing to start in production: ")
    assert says in problem
    assert "CAMPAIGN_SECRET_KEY" in problem and "\n" not in problem


def test_a_long_key_passes_and_a_short_one_outside_production() -> None:
    assert checks.secret_key_problem({"ENV_PRODUCTION": True, "SECRET_KEY": GOOD_KEY}) is None
    assert checks.secret_key_problem({"ENV_PRODUCTION": False, "SECRET_KEY": "short"}) is None
    # The development key is refused even outside production (only `flask run` takes it).
    development = {"ENV_PRODUCTION": False, "SECRET_KEY": DEFAULTS["SECRET_KEY"]}
    problem = checks.secret_key_problem(development)
    assert problem is not None and problem.startswith("Refusing to start: ")


def test_production_flag_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAMPAIGN_ENV_PRODUCTION", "true")
    monkeypatch.setenv("CAMPAIGN_SECRET_KEY", DEFAULTS["SECRET_KEY"])
    config = checks.load_config()
    assert config["ENV_PRODUCTION"] is True
    assert checks.secret_key_problem(config)


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("not a url", "cannot be parsed"),
        ("postgres://user:pw@127.0.0.1/db", "write postgresql+psycopg://, not postgres://"),
        ("mysql+pymysql://user@127.0.0.1/db", "does not support"),
        ("postgresql+psycopg2://user@127.0.0.1/db", "driver that is not installed"),
    ],
)
def test_bad_database_urls_are_explained(url: str, says: str) -> None:
    parsed, problem = checks.parse_database_url(url)
    assert parsed is None and problem is not None
    assert says in problem
    assert ":pw@" not in problem


def problems_for(url: str, **config: Any) -> list[str]:
    return checks.problems(checks.load_config({**TEST_CONFIG, "DATABASE_URL": url, **config}))


def test_unreachable_databases_are_explained_without_the_password(tmp_path: Path) -> None:
    port = free_port()
    found = problems_for(f"postgresql+psycopg://someone:hunter2@127.0.0.1:{port}/campaign")
    assert len(found) == 1
    assert "does not answer" in found[0] and "Connection refused" in found[0]
    assert "hunter2" not in found[0] and "someone:***@" in found[0]
    found = problems_for(f"sqlite:///{tmp_path / 'no' / 'such' / 'folder' / 'x.db'}")
    assert len(found) == 1 and "does not answer" in found[0]


def test_schema_must_be_at_the_newest_migration(db_kind: str, tmp_path: Path) -> None:
    with database_url(db_kind, tmp_path) as url:
        engine = create_engine(url)
        try:
            empty = problems_for(url)
            assert len(empty) == 1 and "has no schema yet" in empty[0]
            assert "flask --app wsgi init" in empty[0]

            migrate.upgrade(engine)
            assert problems_for(url) == []

            migrate.downgrade(engine, "-1")
            behind = problems_for(url)
            if migrate.current_revision(engine) is not None:
                assert len(behind) == 1 and "behind the newest" in behind[0]
                assert "flask --app wsgi db upgrade" in behind[0]

            migrate.upgrade(engine)
            with engine.begin() as conn:
                conn.execute(text("UPDATE alembic_version SET version_num = 'ffffnewer'"))
            unknown = problems_for(url)
            assert len(unknown) == 1 and "does not know" in unknown[0]
        finally:
            engine.dispose()


def test_run_gives_every_problem_in_one_message(tmp_path: Path) -> None:
    with pytest.raises(checks.StartupError) as caught:
        checks.run(
            {
                "ENV_PRODUCTION": True,
                "SECRET_KEY": "short",
                "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}",
            }
        )
    paragraphs = str(caught.value).split("\n\n")
    assert len(paragraphs) == 2
    assert "SECRET_KEY" in paragraphs[0] and "has no schema yet" in paragraphs[1]


def test_check_command(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'campaign.db'}"
    app: Flask = create_app({**TEST_CONFIG, "DATABASE_URL": url})
    result = app.test_cli_runner().invoke(args=["check"])
    assert result.exit_code == 1
    assert "has no schema yet" in result.output
    assert app.test_cli_runner().invoke(args=["db", "upgrade"]).exit_code == 0
    result = app.test_cli_runner().invoke(args=["check"])
    assert result.exit_code == 0, result.output
    assert "ready to serve" in result.output


@pytest.mark.parametrize("hosts", ["[example.org]", "example.org", [], [1]])
def test_trusted_hosts_must_be_a_list_of_names(hosts: Any) -> None:
    problem = checks.trusted_hosts_problem({"TRUSTED_HOSTS": hosts})
    assert problem is not None and "TRUSTED_HOSTS must be a non-empty list" in problem


def test_trusted_hosts_unset_or_a_list_pass() -> None:
    assert checks.trusted_hosts_problem({"TRUSTED_HOSTS": None}) is None
    assert checks.trusted_hosts_problem({"TRUSTED_HOSTS": ["example.org", "x.onion"]}) is None
