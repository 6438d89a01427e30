"""The users page's guards (issue 14): pending links listed with their expiry and revoked
(the link then stops working), an empty invite form after sending with the new member's
language chosen, and no admin can disable or demote themselves or the last active admin."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy import select

from campaign.cases import admin
from campaign.core.db import db_session
from campaign.models import AuditEvent, Invitation, StaffUser
from tests.pagecheck import find
from tests.staff.staffclient import (
    csrf_of,
    logged_in_reading,
    make_member,
    post_form,
)


def test_invitations_listed_with_expiry_and_revoked(db_app: Flask, team_key: str) -> None:
    coordinator = make_member(db_app, "coord@example.org", "admin", "Coordinator")
    client = logged_in_reading(db_app, coordinator)
    page = client.get("/staff/admin/users").get_data(as_text=True)
    assert "The link works once, for 72 hours" in page or "hours after it is made" in page
    sent = client.post(
        "/staff/admin/users",
        data={
            "csrf_token": csrf_of(page),
            "email": "olga@example.org",
            "name": "Olga Newcomer",
            "role": "caseworker",
            "language": "ru",
            "teams": "1",
        },
    ).get_data(as_text=True)
    token = re.search(r"/staff/invite/([\w-]+)", sent)
    assert token, sent[:3000]
    panel = sent.split("data-invitation-link", 1)[1].split("</div>", 1)[0]
    assert "(UTC" in panel  # until when, in staff_time
    # The form is empty for the next invitation: nothing of the last one kept.
    form = sent.split('id="invite"', 1)[1]
    assert "olga@example.org" not in form and "Olga Newcomer" not in form
    assert find(form, "input", name="email")[0].get("value", "") == ""
    with db_app.app_context():
        invitation = db_session().scalars(select(Invitation)).one()
        assert invitation.language == "ru" and invitation.team_ids == "1"
        invitation_id = invitation.id

    # Listed as open, with its expiry; revoked, the link no longer works.
    listed = client.get("/staff/admin/users").get_data(as_text=True)
    row = listed.split(f'data-invitation="{invitation_id}"', 1)[1].split("</tr>", 1)[0]
    assert "olga@example.org" in row and "(UTC" in row
    newcomer = db_app.test_client()
    assert newcomer.get(f"/staff/invite/{token.group(1)}").status_code == 200
    revoked = post_form(
        client,
        "/staff/admin/users",
        f"/staff/admin/invitations/{invitation_id}/revoke",
        {},
    )
    assert revoked.status_code == 302
    after = client.get("/staff/admin/users").get_data(as_text=True)
    assert "no longer works" in after and f'data-invitation="{invitation_id}"' not in after
    assert newcomer.get(f"/staff/invite/{token.group(1)}").status_code == 404
    with db_app.app_context():
        entry = (
            db_session()
            .scalars(select(AuditEvent).where(AuditEvent.action == "invite-revoked"))
            .one()
        )
        assert entry.actor_label == "coord@example.org" and "olga@example.org" in entry.detail
    # Revoking it twice, or a link that never existed, changes nothing.
    again = post_form(
        client, "/staff/admin/users", f"/staff/admin/invitations/{invitation_id}/revoke", {}
    )
    assert "no longer open" in client.get(again.headers["Location"]).get_data(as_text=True)


def test_no_admin_disables_or_demotes_themselves_or_the_last_admin(
    db_app: Flask, team_key: str
) -> None:
    first = make_member(db_app, "first@example.org", "admin", "First")
    second = make_member(db_app, "second@example.org", "admin", "Second")
    client = logged_in_reading(db_app, first)
    page = client.get("/staff/admin/users").get_data(as_text=True)
    # No button to disable or demote oneself ...
    assert not find(page, "form", action=f"/staff/admin/users/{first.id}/disable")
    assert not find(page, "form", action=f"/staff/admin/users/{first.id}/role-caseworker")
    # ... and a forged request is refused with a clear error, nothing changed.
    for action in ("disable", "role-caseworker", "role-editor"):
        answer = post_form(
            client, "/staff/admin/users", f"/staff/admin/users/{first.id}/{action}", {}
        )
        shown = client.get(answer.headers["Location"]).get_data(as_text=True)
        assert "You cannot disable your own account or change your own role" in shown
    with db_app.app_context():
        user = db_session().get(StaffUser, first.id)
        assert user is not None and user.is_active and user.role == "admin"

    # Two admins acting from stale pages: the second change would leave no admin.
    with db_app.app_context():
        dbs = db_session()
        one, two = dbs.get(StaffUser, first.id), dbs.get(StaffUser, second.id)
        assert one is not None and two is not None
        admin.set_role(dbs, two, one, "caseworker")  # Second demotes First ...
        with pytest.raises(admin.AdminError, match="last active admin"):
            admin.set_active(dbs, one, two, False)  # ... First, still on the page, tries back
        dbs.rollback()
        assert dbs.get(StaffUser, second.id).is_active  # type: ignore[union-attr]
        # An admin may still disable another admin while one stays.
        third = make_member(db_app, "third@example.org", "admin", "Third")
        admin.set_active(dbs, two, dbs.get(StaffUser, third.id), False)  # type: ignore[arg-type]
        assert not dbs.get(StaffUser, third.id).is_active  # type: ignore[union-attr]
