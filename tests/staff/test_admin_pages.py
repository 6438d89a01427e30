"""Admin pages that prevent mistakes (issue 14): routing (a cleared form, a warning on a rule
that can never match, labels instead of codes), teams (the recovery key confirmed, counts and
key-holder warnings, creation audited from the page and the command), the audit log in
names and links, and the retention page's flags. SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from campaign.cases import audit, teams
from campaign.core.db import db_session
from campaign.models import AuditEvent, HelpRequest, StaffUser, Team
from tests.maintenance.rows import add_request
from tests.pagecheck import find
from tests.staff.staffclient import csrf_of, grant, logged_in_reading, make_member, post_form


def admin_in(app: Flask, team_key: str, email: str = "coord@example.org") -> FlaskClient:
    """An admin who holds the Hotline key, logged in, reading the staff area in English."""
    admin = make_member(app, email, "admin", "Coordinator")
    grant(app, "Hotline", admin, team_key)
    return logged_in_reading(app, admin)


def events(app: Flask, action: str) -> list[AuditEvent]:
    with app.app_context():
        found = db_session().scalars(select(AuditEvent).where(AuditEvent.action == action))
        return list(found)


def test_routing_form_is_cleared_and_a_shadowed_rule_is_warned(
    db_app: Flask, team_key: str
) -> None:
    client = admin_in(db_app, team_key)
    with db_app.app_context():
        teams.create_team(db_session(), "Grodno lawyers")
        grodno_id = db_session().scalars(select(Team.id).where(Team.name == "Grodno lawyers")).one()

    # Legal questions from anywhere go to the Hotline ...
    first = post_form(
        client,
        "/staff/admin/routing",
        "/staff/admin/routing",
        {"category": "legal", "region": "", "language": "", "team": "1", "position": ""},
    )
    assert first.status_code == 302  # redirect after POST: the next form starts empty
    page = client.get(first.headers["Location"]).get_data(as_text=True)
    assert "Rule added" in page and "A legal question: protective order, police, court" in page
    assert not any("selected" in o for o in find(page, "option", value="legal"))
    assert "data-shadowed-rules" not in page

    # ... so a later legal + Grodno rule can never match, and is told so.
    second = post_form(
        client,
        "/staff/admin/routing",
        "/staff/admin/routing",
        {
            "category": "legal",
            "region": "grodno",
            "language": "",
            "team": str(grodno_id),
            "position": "",
        },
    )
    page = client.get(second.headers["Location"]).get_data(as_text=True)
    assert "can never match" in page and "data-shadowed-rules" in page
    with db_app.app_context():
        rules = teams.list_rules(db_session())
    assert [r.region for r in rules] == [None, "grodno"]
    assert f'data-shadowed="{rules[1].id}"' in page and f'data-shadowed="{rules[0].id}"' not in page
    # Readable names, not codes, in the table (the select options carry the codes).
    table = page.split("<table", 1)[1].split("</table>", 1)[0]
    assert "Grodno Region" in table and ">grodno<" not in table and ">legal<" not in table

    # Moved before the catch-all, it matches again: the warning goes.
    post_form(
        client,
        "/staff/admin/routing",
        f"/staff/admin/routing/{rules[1].id}/move",
        {"position": "1"},
    )
    assert "data-shadowed-rules" not in client.get("/staff/admin/routing").get_data(as_text=True)

    # A rule covered only by several earlier rules together is found too.
    with db_app.app_context():
        dbs = db_session()
        for lang in ("be", "ru", "en"):
            teams.add_rule(dbs, "Hotline", category="physical", language=lang)
        teams.add_rule(dbs, "Grodno lawyers", category="physical", region="brest")
        rules = teams.list_rules(dbs)
        assert list(teams.shadowed_rules(rules)) == [rules[-1].id]


def test_a_new_team_key_is_confirmed_then_members_are_added(db_app: Flask, team_key: str) -> None:
    client = admin_in(db_app, team_key)
    created = post_form(client, "/staff/admin/teams", "/staff/admin/teams", {"name": "Night"})
    page = created.get_data(as_text=True)
    assert created.status_code == 200 and "data-recovery-key" in page
    confirm = find(page, "form", method="post")[-1]["action"]
    team_id = int(re.search(r"/admin/teams/(\d+)/key-saved", confirm).group(1))  # type: ignore[union-attr]
    saved = client.post(confirm, data={"csrf_token": csrf_of(page)})
    assert saved.headers["Location"].endswith(f"/staff/admin/teams/{team_id}#add-member")
    team_page = client.get(f"/staff/admin/teams/{team_id}").get_data(as_text=True)
    assert "Recovery key saved" in team_page and 'id="add-member"' in team_page
    # The admin is the only key holder: requests would never reach caseworkers.
    assert 'data-team-warning="admin-only"' in team_page

    # Creation audited in its transaction, from the page and from the command line.
    created_events = events(db_app, "team-created")
    assert [(e.team_id, e.actor_label) for e in created_events][-1] == (
        team_id,
        "coord@example.org",
    )
    assert events(db_app, "team-key-saved")[0].team_id == team_id
    result = db_app.test_cli_runner().invoke(args=["team", "create", "Day"])
    assert result.exit_code == 0, result.output
    assert [e.actor_label for e in events(db_app, "team-created")][-1] == "operator"

    # Two key holders: the warning goes; the list shows the counts.
    ann = make_member(db_app, "ann@example.org", "caseworker", "Ann")
    post_form(
        client,
        f"/staff/admin/teams/{team_id}",
        f"/staff/admin/teams/{team_id}",
        {"user": str(ann.id)},
    )
    listing = client.get("/staff/admin/teams").get_data(as_text=True)
    night = listing.split(f'data-team="{team_id}"', 1)[1].split("</li>", 1)[0]
    assert "2 members" in night and "2 hold the key" in night and "data-team-warning" not in night
    day = listing.split("Day</a>", 1)[1].split("</li>", 1)[0]
    assert "0 members" in day and 'data-team-warning="no-holder"' in day
    hotline = listing.split('data-team="1"', 1)[1].split("</li>", 1)[0]
    assert "1 holds the key" in hotline and 'data-team-warning="admin-only"' in hotline


def test_audit_log_shows_names_links_and_rules_in_words(db_app: Flask, team_key: str) -> None:
    client = admin_in(db_app, team_key)
    ann = make_member(db_app, "ann@example.org", "caseworker", "Ann Caseworker")
    with db_app.app_context():
        dbs = db_session()
        request = add_request(dbs, team_id=1, created_at=dt.datetime.now(dt.UTC))
        dbs.flush()
        number = request.id
        actor = dbs.get(StaffUser, 1)
        audit.record(
            dbs, actor, "assigned", request_id=number, team_id=1, detail=f"assignee={ann.id}"
        )
        dbs.commit()
        teams.add_rule(dbs, "Hotline", category="legal", region="grodno", actor=actor)
    page = client.get("/staff/admin/audit").get_data(as_text=True)
    assert "assignee: Ann Caseworker" in page and f"assignee={ann.id}" not in page
    assert find(page, "a", href=f"/staff/requests/{number}")
    assert find(page, "a", href=f"/staff/admin/audit?request={number}")
    assert "Coordinator (coord<wbr>@example.org)" in page and ">Hotline<" in page
    assert "category: A legal question" in page and "region: Grodno Region" in page
    assert "(UTC" in page  # staff_time, with the zone
    # The filters still work.
    filtered = client.get(f"/staff/admin/audit?request={number}").get_data(as_text=True)
    assert "assignee: Ann Caseworker" in filtered and "category: A legal" not in filtered
    by_action = client.get("/staff/admin/audit?action=routing-changed").get_data(as_text=True)
    assert "category: A legal" in by_action and "Ann Caseworker" not in by_action


def test_retention_flags_overdue_and_unattended_requests(db_app: Flask, team_key: str) -> None:
    client = admin_in(db_app, team_key)
    now = dt.datetime.now(dt.UTC)
    with db_app.app_context():
        dbs = db_session()
        overdue = add_request(dbs, team_id=1, created_at=now - dt.timedelta(days=181))
        unattended = add_request(dbs, team_id=1, created_at=now - dt.timedelta(days=179))
        held = add_request(dbs, team_id=1, created_at=now - dt.timedelta(days=179))
        later = add_request(dbs, team_id=1, created_at=now - dt.timedelta(days=175))
        dbs.flush()
        held.assignee_id = 1
        ids = overdue.id, unattended.id, held.id, later.id
        dbs.commit()
    page = client.get("/staff/admin/retention").get_data(as_text=True)
    rows = {
        int(m.group(1)): m.group(2) for m in re.finditer(r'data-due="(\d+)"(.*?)</tr>', page, re.S)
    }
    assert set(rows) == set(ids)
    assert 'data-flag="overdue"' in rows[ids[0]]
    assert 'data-flag="unattended"' in rows[ids[1]]
    assert "data-flag" not in rows[ids[2]] and "data-flag" not in rows[ids[3]]
    assert 'data-retention="overdue"' in page and 'data-retention="unattended"' in page
    with db_app.app_context():
        assert db_session().get(HelpRequest, ids[0]) is not None  # shown, not deleted
