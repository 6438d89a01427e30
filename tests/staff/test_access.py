"""Access matrix: for each role and team, every staff URL and action on requests of own and
other teams gives the right answer; editors never reach requests, caseworkers never reach
publishing (both get the 404 of a wrong address)."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from campaign.cases.teams import add_rule, create_team
from campaign.core.db import db_session
from campaign.models import ContentRevision, HelpRequest, Team, TeamMembership
from tests.helpclient import HelpClient
from tests.staff.staffclient import csrf_of, grant, login, make_member

CONTENT = "ACCESS-MARKER"


def world(app: Flask, hotline_key: str) -> tuple[dict[str, FlaskClient | None], int, int]:
    with app.app_context():
        _other, other_key = create_team(db_session(), "Lawyers")
        add_rule(db_session(), "Lawyers", category="legal")
    people = {
        "admin_with_key": make_member(app, "a1@example.org", "admin"),
        "admin_without_key": make_member(app, "a2@example.org", "admin"),
        "member_with_key": make_member(app, "c1@example.org"),
        "member_without_key": make_member(app, "c2@example.org"),
        "other_team_member": make_member(app, "c3@example.org"),
        "editor": make_member(app, "e1@example.org", "editor"),
    }
    grant(app, "Hotline", people["admin_with_key"], hotline_key)
    grant(app, "Hotline", people["member_with_key"], hotline_key)
    grant(app, "Lawyers", people["other_team_member"], other_key)
    with app.app_context():
        hotline = db_session().scalars(select(Team.id).where(Team.name == "Hotline")).one()
        db_session().add(TeamMembership(team_id=hotline, user_id=people["member_without_key"].id))
        db_session().commit()
    person = HelpClient(app.test_client(), "en")
    person.submit_ok(f"own team {CONTENT}", category="physical")
    person.submit_ok(f"other team {CONTENT}", category="legal")
    with app.app_context():
        own, other = db_session().scalars(select(HelpRequest.id).order_by(HelpRequest.id)).all()
    clients: dict[str, FlaskClient | None] = {"anonymous": app.test_client()}
    for role, member in people.items():
        client = app.test_client()
        assert login(app, client, member).status_code == 302, role
        clients[role] = client
    return clients, own, other


def post(client: FlaskClient, url: str, data: dict[str, str]) -> int:
    page = client.get(
        "/staff/login" if client.get("/staff/").status_code != 200 else "/staff/account"
    )
    token = csrf_of(page.get_data(as_text=True))
    fields = {k: v for k, v in data.items()}
    prefix = url.rsplit("/", 1)[-1]
    return client.post(
        url, data={f"{prefix}-csrf_token": token, "csrf_token": token, **fields}
    ).status_code


ROLES = [
    "anonymous",
    "admin_with_key",
    "admin_without_key",
    "member_with_key",
    "member_without_key",
    "other_team_member",
    "editor",
]
CASEWORKERS = ["member_with_key", "member_without_key", "other_team_member"]
PUBLISHERS = ["admin_with_key", "admin_without_key", "editor"]
STATEMENT = "/staff/publishing/statements/2020-08-suspension/en"


def test_access_matrix(db_app: Flask, team_key: str) -> None:
    clients, own, other = world(db_app, team_key)
    problems: list[str] = []

    def expect(role: str, what: str, got: int, wanted: int) -> None:
        if got != wanted:
            problems.append(f"{role}: {what} gave {got}, expected {wanted}")

    def get(role: str, url: str) -> tuple[int, str]:
        client = clients[role]
        assert client is not None
        response = client.get(url)
        return response.status_code, response.get_data(as_text=True)

    view_expect = {
        # role: (own status, own content shown, other status, other content shown)
        "anonymous": (302, False, 302, False),
        "admin_with_key": (200, True, 200, False),
        "admin_without_key": (200, False, 200, False),
        "member_with_key": (200, True, 404, False),
        "member_without_key": (200, False, 404, False),
        "other_team_member": (404, False, 200, True),
        "editor": (404, False, 404, False),
    }
    for role, (own_status, own_content, other_status, other_content) in view_expect.items():
        status, html = get(role, f"/staff/requests/{own}")
        expect(role, "view own-team request", status, own_status)
        if (CONTENT in html) != own_content:
            problems.append(f"{role}: own-team content shown={CONTENT in html}")
        status, html = get(role, f"/staff/requests/{other}")
        expect(role, "view other-team request", status, other_status)
        if (CONTENT in html) != other_content:
            problems.append(f"{role}: other-team content shown={CONTENT in html}")

    # The inbox lists only what the role may see.
    for role, sees in {
        "admin_with_key": {own, other},
        "admin_without_key": {own, other},
        "member_with_key": {own},
        "member_without_key": {own},
        "other_team_member": {other},
    }.items():
        _status, html = get(role, "/staff/?status=all")
        listed = {rid for rid in (own, other) if f'/staff/requests/{rid}"' in html}
        if listed != sees:
            problems.append(f"{role}: inbox lists {listed}, expected {sees}")
    expect("anonymous", "inbox", get("anonymous", "/staff/")[0], 302)
    for url in ("/staff/", "/staff/?status=all"):
        status, html = get("editor", url)
        expect("editor", f"inbox {url}", status, 404)
        if f"/staff/requests/{own}" in html or f"/staff/requests/{other}" in html:
            problems.append("editor: a request is linked")

    # Every action on a request needs its team's key (403 without it, with the reason).
    actions: dict[str, dict[str, str]] = {
        "handle": {"handle-assignee": "", "handle-status": "open"},
        "status": {"status-status": "open"},
        "assign": {"assign-assignee": ""},
        "take": {},
        "note": {"note-text": "a note"},
        "reply": {"reply-text": "a reply"},
    }
    for role in ROLES:
        client = clients[role]
        assert client is not None
        for action, data in actions.items():
            for target, label in ((own, "own"), (other, "other")):
                url = f"/staff/requests/{target}/{action}"
                got = post(client, url, data)
                if role == "anonymous":
                    wanted = 401
                elif role == "editor":
                    wanted = 404
                elif role.startswith("admin"):
                    wanted = 403 if role == "admin_without_key" or label == "other" else 302
                elif (label == "own") == (role != "other_team_member"):
                    wanted = 403 if role == "member_without_key" else 302
                else:
                    wanted = 404
                expect(role, f"{action} on {label}-team request", got, wanted)

    # Publishing (before the admin actions below, which disable user 1).
    publishing_pages = [
        "/staff/publishing/",
        STATEMENT,
        "/staff/publishing/statements/2020-08-suspension/be",
        f"{STATEMENT}/history",
        "/staff/publishing/new-statement",
        "/staff/publishing/statements/2020-08-suspension/details",
    ]
    for role in ROLES:
        for url in publishing_pages:
            wanted = 302 if role == "anonymous" else 404 if role in CASEWORKERS else 200
            status, html = get(role, url)
            expect(role, f"GET {url}", status, wanted)
            if role in CASEWORKERS and "unanimous decision" in html:
                problems.append(f"{role}: statement text shown at {url}")
        client = clients[role]
        assert client is not None
        publish = {"action": "publish", "title": "Title", "summary": "", "body": f"{role} text"}
        got = post(client, STATEMENT, publish)
        wanted = 401 if role == "anonymous" else 404 if role in CASEWORKERS else 302
        expect(role, "POST publish", got, wanted)
        for url in (f"{STATEMENT}/reviewed", f"{STATEMENT}/restore/1"):
            got = post(client, url, {})
            if role == "anonymous":
                expect(role, f"POST {url}", got, 401)
            elif role in CASEWORKERS:
                expect(role, f"POST {url}", got, 404)
    # Nothing a caseworker sent was saved; what editors and admins sent was.
    with db_app.app_context():
        bodies = " ".join(db_session().scalars(select(ContentRevision.body)))
    for role in ROLES:
        if (f"{role} text" in bodies) != (role in PUBLISHERS):
            problems.append(f"{role}: saved text={f'{role} text' in bodies}")

    admin_pages = [
        "/staff/admin/users",
        "/staff/admin/teams",
        "/staff/admin/teams/1",
        "/staff/admin/routing",
        "/staff/admin/audit",
        "/staff/admin/retention",
        "/staff/admin/stats",
    ]
    for role in ROLES:
        for url in admin_pages:
            wanted = 302 if role == "anonymous" else 200 if role.startswith("admin") else 403
            if url == "/staff/admin/stats" and wanted == 403:
                wanted = 404  # statistics: the 404 of a wrong address (test_stats_export.py)
            expect(role, f"GET {url}", get(role, url)[0], wanted)
        for url, data in (
            ("/staff/admin/users/1/disable", {}),
            ("/staff/admin/routing/1/delete", {}),
        ):
            client = clients[role]
            assert client is not None
            got = post(client, url, data)
            wanted = 401 if role == "anonymous" else 403 if not role.startswith("admin") else got
            expect(role, f"POST {url}", got, wanted)

    assert problems == [], "\n".join(problems)


def test_unknown_request_ids_are_404(db_app: Flask, team_key: str) -> None:
    member = make_member(db_app, "x@example.org")
    grant(db_app, "Hotline", member, team_key)
    client = db_app.test_client()
    login(db_app, client, member)
    for url in ("/staff/requests/999999", "/staff/requests/abc", "/staff/requests/1/nonsense"):
        assert client.get(url).status_code in (404, 405)
