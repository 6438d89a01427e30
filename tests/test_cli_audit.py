"""Team and routing commands are audited like the admin pages, in the same transaction."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from campaign import create_app
from campaign.content.common import CONTENT_DIR
from campaign.core.db import db_session
from campaign.models import AuditEvent
from tests.conftest import TEST_CONFIG


def test_team_and_routing_commands_write_audit_entries(tmp_path: Any) -> None:
    app = create_app({**TEST_CONFIG, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"})
    runner = app.test_cli_runner()
    assert runner.invoke(args=["init"]).exit_code == 0
    assert runner.invoke(args=["team", "create", "Lawyers"]).exit_code == 0
    added = runner.invoke(args=["routing", "add", "--team", "Lawyers", "--category", "legal"])
    assert added.exit_code == 0, added.output
    match = re.search(r"#(\d+)", added.output)
    assert match
    rule_id = match.group(1)
    assert runner.invoke(args=["routing", "move", rule_id, "5"]).exit_code == 0
    assert runner.invoke(args=["routing", "remove", rule_id]).exit_code == 0
    assert runner.invoke(args=["team", "set-default", "Lawyers"]).exit_code == 0
    refused = runner.invoke(args=["routing", "move", rule_id, "7"])
    assert refused.exit_code != 0 and "no routing rule" in refused.output
    with app.app_context():
        events = list(db_session().scalars(select(AuditEvent).order_by(AuditEvent.id)))
    summary = [(e.action, e.actor_label, e.detail) for e in events]
    actions = [action for action, _label, _detail in summary]
    assert actions == [
        "team-created",  # init's default team
        "content first import",  # init's shipped pages and help lines
        "team-created",
        "routing-changed",
        "routing-changed",
        "routing-changed",
        "default-team-set",
    ]
    assert {label for _action, label, _detail in summary} == {"operator"}
    details = [detail for _action, _label, detail in summary]
    pages = len(list(CONTENT_DIR.glob("*/*.md")))
    assert details[1] == f"{pages} new, 0 revised, 0 unchanged; 6 help lines added"
    del details[1]
    assert details[1] == "Lawyers"
    assert details[2].startswith(f"added rule #{rule_id}") and "category=legal" in details[2]
    assert details[3].startswith("moved from") and "position 5" in details[3]
    assert details[4].startswith(f"removed rule #{rule_id}")
