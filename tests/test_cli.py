"""Operator commands: init, db, team, routing."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask

from campaign import create_app
from campaign.cases import crypto
from campaign.core.db import db_session
from campaign.models import Team
from tests.conftest import TEST_CONFIG


def cli_app(tmp_path: Any) -> Flask:
    return create_app({**TEST_CONFIG, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"})


def test_init_creates_schema_and_default_team_printing_key_once(tmp_path: Any) -> None:
    app = cli_app(tmp_path)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["init"])
    assert first.exit_code == 0, first.output
    match = re.search(r"Recovery key: ([A-Z2-7-]+)", first.output)
    assert match
    with app.app_context():
        team = db_session().query(Team).one()
        assert team.is_default and team.name == "Hotline"
        private = crypto.parse_recovery_key(match.group(1))
        assert crypto.public_key_matches(private, team.public_key)
    second = runner.invoke(args=["init"])
    assert second.exit_code == 0
    assert "Recovery key" not in second.output
    assert "no key printed" in second.output


def test_team_and_routing_commands(tmp_path: Any) -> None:
    app = cli_app(tmp_path)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["init"]).exit_code == 0
    created = runner.invoke(args=["team", "create", "Lawyers"])
    assert created.exit_code == 0 and "Recovery key" in created.output
    duplicate = runner.invoke(args=["team", "create", "Lawyers"])
    assert duplicate.exit_code != 0 and "exists already" in duplicate.output
    added = runner.invoke(args=["routing", "add", "--team", "Lawyers", "--category", "legal"])
    assert added.exit_code == 0, added.output
    listed = runner.invoke(args=["routing", "list"])
    assert "category=legal" in listed.output and "-> Lawyers" in listed.output
    bad = runner.invoke(args=["routing", "add", "--team", "Lawyers", "--region", "mars"])
    assert bad.exit_code != 0 and "unknown region" in bad.output
    nobody = runner.invoke(args=["routing", "add", "--team", "Nobody"])
    assert nobody.exit_code != 0 and "no team named" in nobody.output
    rule_id = re.search(r"#(\d+)", listed.output)
    assert rule_id
    assert runner.invoke(args=["routing", "move", rule_id.group(1), "5"]).exit_code == 0
    assert "position 5" in runner.invoke(args=["routing", "list"]).output
    assert runner.invoke(args=["routing", "remove", rule_id.group(1)]).exit_code == 0
    assert "No rules" in runner.invoke(args=["routing", "list"]).output
    assert runner.invoke(args=["team", "set-default", "Lawyers"]).exit_code == 0
    assert "Lawyers  (default)" in runner.invoke(args=["team", "list"]).output


def test_db_commands(tmp_path: Any) -> None:
    runner = cli_app(tmp_path).test_cli_runner()
    assert "empty" in runner.invoke(args=["db", "current"]).output
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    assert "up to date" in runner.invoke(args=["db", "current"]).output
    assert runner.invoke(args=["db", "downgrade", "base"]).exit_code == 0
    assert "empty" in runner.invoke(args=["db", "current"]).output


def test_recovery_key_typo_is_detected() -> None:
    keys = crypto.new_team_keys()
    assert crypto.parse_recovery_key(keys.recovery_key.lower().replace("-", " "))
    typo = ("B" if keys.recovery_key[0] != "B" else "C") + keys.recovery_key[1:]
    try:
        crypto.parse_recovery_key(typo)
    except ValueError:
        pass
    else:
        raise AssertionError("typo not detected")
