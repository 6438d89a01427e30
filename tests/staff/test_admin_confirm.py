"""Admin actions that end someone's access ask first (a page naming the person or the rule
and what will happen, "Yes, ..." and "Cancel"; no JavaScript), and say what was done."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from campaign.cases import teams
from campaign.core.db import db_session
from campaign.models import StaffSession, StaffUser
from tests.pagecheck import find
from tests.staff.staffclient import csrf_of, logged_in_reading, login, make_member


def test_user_actions_happen_only_after_the_confirmation(db_app: Flask, team_key: str) -> None:
    boss = make_member(db_app, "boss@example.org", "admin", "Boss")
    marina = make_member(db_app, "marina@example.org", "caseworker", "Marina Ivanova")
    client = logged_in_reading(db_app, boss)
    marina_client = db_app.test_client()
    login(db_app, marina_client, marina)
    page = client.get("/staff/admin/users").get_data(as_text=True)
    # The users page has links to the questions, no one-tap forms for these actions.
    for action in ("disable", "role-admin", "role-editor", "reset-2fa", "reset-account"):
        url = f"/staff/admin/users/{marina.id}/{action}"
        assert find(page, "a", href=url) and not find(page, "form", action=url), action
        question = client.get(url)
        assert question.status_code == 200
        text = question.get_data(as_text=True)
        assert "Marina Ivanova" in text and "marina@example.org" in text
        assert find(text, "form", method="post", action=url)
        assert "Yes, " in text and find(text, "a", href="/staff/admin/users")
    # Asking changed nothing: Marina is still in, with her session.
    assert marina_client.get("/staff/").status_code == 200
    with db_app.app_context():
        user = db_session().get(StaffUser, marina.id)
        assert user is not None and user.is_active and user.totp_secret_enc is not None
    # Without the page's token nothing happens either.
    assert client.post(f"/staff/admin/users/{marina.id}/disable", data={}).status_code == 302
    assert marina_client.get("/staff/").status_code == 200

    # Yes: done, and the message names her.
    confirm = client.get(f"/staff/admin/users/{marina.id}/disable").get_data(as_text=True)
    done = client.post(
        f"/staff/admin/users/{marina.id}/disable", data={"csrf_token": csrf_of(confirm)}
    )
    assert done.status_code == 302
    shown = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Marina Ivanova is disabled; their sessions were ended." in shown
    assert marina_client.get("/staff/").status_code == 302
    with db_app.app_context():
        assert not db_session().get(StaffUser, marina.id).is_active  # type: ignore[union-attr]
        assert (
            not db_session()
            .scalars(select(StaffSession).where(StaffSession.user_id == marina.id))
            .all()
        )
    # Enabling is one press (it ends nothing) and says so.
    page = client.get("/staff/admin/users").get_data(as_text=True)
    enable = f"/staff/admin/users/{marina.id}/enable"
    assert find(page, "form", action=enable)
    back = client.post(enable, data={"csrf_token": csrf_of(page)})
    shown = client.get(back.headers["Location"]).get_data(as_text=True)
    assert "Marina Ivanova is enabled and can log in again." in shown

    # A reset says whose sessions ended, on the page with the link.
    confirm = client.get(f"/staff/admin/users/{marina.id}/reset-2fa").get_data(as_text=True)
    reset = client.post(
        f"/staff/admin/users/{marina.id}/reset-2fa", data={"csrf_token": csrf_of(confirm)}
    ).get_data(as_text=True)
    assert "two-factor login of Marina Ivanova is reset" in reset and "/staff/invite/" in reset

    # The guards still hold: no question about oneself leads anywhere.
    confirm = client.get(f"/staff/admin/users/{boss.id}/disable").get_data(as_text=True)
    refused = client.post(
        f"/staff/admin/users/{boss.id}/disable", data={"csrf_token": csrf_of(confirm)}
    )
    shown = client.get(refused.headers["Location"]).get_data(as_text=True)
    assert "You cannot disable your own account" in shown
    assert client.get(f"/staff/admin/users/{marina.id}/nonsense").status_code == 404
    assert client.get("/staff/admin/users/999999/disable").status_code == 404


def test_a_routing_rule_is_deleted_only_after_the_confirmation(
    db_app: Flask, team_key: str
) -> None:
    boss = make_member(db_app, "boss@example.org", "admin", "Boss")
    with db_app.app_context():
        dbs = db_session()
        teams.add_team(dbs, "Lawyers")
        dbs.commit()
        rule_id = teams.add_rule(dbs, "Lawyers", category="legal", position=20).id
    client = logged_in_reading(db_app, boss)
    page = client.get("/staff/admin/routing").get_data(as_text=True)
    url = f"/staff/admin/routing/{rule_id}/delete"
    assert find(page, "a", href=url) and not find(page, "form", action=url)
    question = client.get(url).get_data(as_text=True)
    assert "Delete the rule at position 20?" in question and "Lawyers" in question
    assert "Legal" in question or "legal" in question.lower()
    assert find(question, "form", method="post", action=url)
    with db_app.app_context():
        assert [r.id for r in teams.list_rules(db_session())] == [rule_id]
    done = client.post(url, data={"csrf_token": csrf_of(question)})
    shown = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Rule deleted: position 20," in shown and "to Lawyers" in shown
    with db_app.app_context():
        assert teams.list_rules(db_session()) == []
    assert client.get(url).status_code == 404
