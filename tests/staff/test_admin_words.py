"""The admin pages in words for a person: audit details the code writes said again in the
reader's language (typed text shown as stored), shell commands as a request to the person
who runs the server, the recovery key wrapped only at its hyphens and a reminder until it is
saved, and the public form's "I prefer not to say" shown to staff as "Not given"."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from campaign.cases import audit, teams
from campaign.core.db import db_session
from campaign.models import AuditEvent, StaffUser
from tests.pagecheck import find
from tests.staff.staffclient import csrf_of, logged_in_reading, make_member, post_form


def _admin(app: Flask, language: str) -> FlaskClient:
    boss = make_member(app, "boss@example.org", "admin", "Boss")
    return logged_in_reading(app, boss, language)


SHAPES = [
    (
        "routing-changed",
        "added rule #2 position 20: category=legal region=* language=ru -> Lawyers",
    ),
    (
        "routing-changed",
        "removed rule #2 position 20: category=* region=unspecified language=* -> L",
    ),
    ("routing-changed", "moved from 10: rule #3 position 5: category=* region=* language=* -> L"),
    ("content first import", "60 new, 0 revised, 0 unchanged; 6 help lines added"),
    ("team-created", "Hotline (default)"),
    ("language-changed", "be"),
    ("stats-downloaded", "csv 2026-09-07..2026-11-29"),
]


def test_audit_details_in_the_readers_language(db_app: Flask, team_key: str) -> None:
    client = _admin(db_app, "ru")
    with db_app.app_context():
        dbs = db_session()
        for action, detail in SHAPES:
            audit.record(dbs, None, action, detail=detail)
        # Not the shape: shown as stored, never parsed (typed text, a longer number).
        audit.record(dbs, None, "team-created", detail="Help -> 5 new, x")
        audit.record(dbs, None, "language-changed", detail="be ru")
        audit.record(dbs, None, "account-disabled", detail="marina.ivanova@example.org")
        audit.record(dbs, None, "routing-changed", detail="added rule #12345678901 position 1")
        dbs.commit()
    page = client.get("/staff/admin/audit").get_data(as_text=True)
    for raw in (
        "rule #2",
        "rule #3",
        "category=",
        "60 new",
        "(default)",
        "csv 2026",
        ">be<",
        "0 unchanged",
    ):
        assert raw not in page, raw
    # At 360 px an email breaks before its @, never inside a word (staff.css).
    assert "marina.ivanova<wbr>@example.org" in page
    assert "новых: 60, изменённых: 0" in page and "регион: Не указан" in page
    assert "Lawyers" in page and "Беларуская" in page and "2026-09-07" in page
    assert "Help -&gt; 5 new, x" in page and "be ru" in page and "#12345678901" in page
    with db_app.test_request_context("/staff/", headers={"Accept-Language": "en"}):
        lines = audit.in_words(
            db_session(),
            list(db_session().query(AuditEvent).order_by(AuditEvent.id.desc()).limit(11))[::-1],
        )
    assert [line.detail for line in lines][:7] == [
        "added a rule at position 20: category: A legal question: protective order, police,"
        " court; region: any; language: Русский; to Lawyers",
        "deleted the rule at position 20: category: any; region: Not given; language: any; to L",
        "moved a rule from position 10 to 5: category: any; region: any; language: any; to L",
        "new: 60, revised: 0, unchanged: 0; help lines added: 6",
        "Hotline (the default team)",
        "Беларуская",
        "CSV file, weeks from 2026-09-07 to 2026-11-29",
    ]


def test_commands_said_in_words_and_the_recovery_key(db_app: Flask, team_key: str) -> None:
    client = _admin(db_app, "en")
    retention = client.get("/staff/admin/retention").get_data(as_text=True)
    assert "(flask --app wsgi purge)" not in retention
    created = post_form(client, "/staff/admin/teams", "/staff/admin/teams", {"name": "Night"})
    page = created.get_data(as_text=True)
    key = page.split("data-recovery-key>", 1)[1].split("</code>", 1)[0]
    groups = [g.removeprefix("<span>").removesuffix("</span>") for g in key.split("-<wbr>")]
    assert len(groups) > 5 and all(len(g) == 5 and g.isalnum() for g in groups[:-1])
    with db_app.app_context():
        night = teams.get_team(db_session(), "Night").id
    # Until the key is said to be saved, the team page reminds, with the same button.
    team_page = client.get(f"/staff/admin/teams/{night}").get_data(as_text=True)
    assert "data-recovery-reminder" in team_page
    form = find(team_page, "form", action=f"/staff/admin/teams/{night}/key-saved")
    assert form
    client.post(f"/staff/admin/teams/{night}/key-saved", data={"csrf_token": csrf_of(team_page)})
    assert "data-recovery-reminder" not in client.get(f"/staff/admin/teams/{night}").get_data(
        as_text=True
    )
    # A team made on the command line (its key printed there) is not nagged about; nobody
    # holds its key, so the page says who can grant it, the command only as a hint.
    assert db_app.test_cli_runner().invoke(args=["team", "create", "Day"]).exit_code == 0
    with db_app.app_context():
        day = teams.get_team(db_session(), "Day").id
    day_page = client.get(f"/staff/admin/teams/{day}").get_data(as_text=True)
    assert "data-recovery-reminder" not in day_page
    assert "Ask the person who runs the server" in day_page
    assert "(flask --app wsgi staff grant)" not in day_page
    assert "<code>flask --app wsgi staff grant</code>" in day_page


def test_region_not_given_on_the_routing_page(db_app: Flask, team_key: str) -> None:
    client = _admin(db_app, "en")
    with db_app.app_context():
        teams.add_rule(db_session(), "Hotline", region="unspecified")
    page = client.get("/staff/admin/routing").get_data(as_text=True)
    assert "I prefer not to say" not in page and "Not given" in page


def test_invite_form_in_the_admins_language_with_team_checkboxes(
    db_app: Flask, team_key: str
) -> None:
    client = _admin(db_app, "ru")
    with db_app.app_context():
        user = db_session().scalars(select(StaffUser)).one()
        user.language = None  # the browser's choice: Russian here
        db_session().commit()
        teams.add_team(db_session(), "Lawyers")
        db_session().commit()
    page = client.get("/staff/admin/users").get_data(as_text=True)
    form = page.split('id="invite"', 1)[1]
    chosen = [o["value"] for o in find(form, "option") if "selected" in o]
    assert chosen == ["ru"], chosen
    boxes = find(form, "input", type="checkbox", name="teams")
    assert len(boxes) == 2 and not find(form, "select", name="teams")
    sent = client.post(
        "/staff/admin/users",
        data={
            "csrf_token": csrf_of(page),
            "email": "olga@example.org",
            "name": "Olga",
            "role": "caseworker",
            "language": "en",
            "teams": [boxes[0]["value"], boxes[1]["value"]],
        },
    )
    assert sent.status_code == 200
    listed = client.get("/staff/admin/users").get_data(as_text=True)
    row = listed.split("data-invitation=", 1)[1].split("</tr>", 1)[0]
    assert "English" in row and "Hotline" in row and "Lawyers" in row
