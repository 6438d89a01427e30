"""Quick checks that the staff pages render (the full flow is in test_flow.py)."""

from __future__ import annotations

from flask import Flask

from tests.staff.staffclient import login, make_member


def test_login_and_inbox(db_app: Flask, team_key: str) -> None:
    admin = make_member(db_app, "admin@example.org", "admin")
    client = db_app.test_client()
    response = login(db_app, client, admin)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    inbox = client.get("/staff/")
    assert inbox.status_code == 200, inbox.get_data(as_text=True)[:3000]
    for page in (
        "/staff/account",
        "/staff/admin/users",
        "/staff/admin/teams",
        "/staff/admin/routing",
        "/staff/admin/audit",
    ):
        r = client.get(page)
        assert r.status_code == 200, (page, r.get_data(as_text=True)[:3000])


def test_stats_and_retention_pages_render(db_app: Flask, team_key: str) -> None:
    from tests.helpclient import HelpClient

    HelpClient(db_app.test_client(), "en").submit_ok("for the chart", category="legal")
    admin = make_member(db_app, "stats@example.org", "admin")
    client = db_app.test_client()
    login(db_app, client, admin)
    stats = client.get("/staff/admin/stats").get_data(as_text=True)
    assert stats.count("<svg") == 1 and "style=" not in stats.split("<main", 1)[1]
    # The category in the page's language (the tests' staff language is English).
    assert "A legal question" in stats
    assert "Nothing is due" in client.get("/staff/admin/retention").get_data(as_text=True)
