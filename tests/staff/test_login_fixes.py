"""The login and enrolment fixes of issue 14: a QR code that scales (viewBox), a reused
code told apart from a wrong one, and the password kept in the form after a failed try."""

from __future__ import annotations

import re

from flask import Flask

from campaign.cases import accounts, login
from campaign.core.db import db_session
from campaign.models import StaffUser
from tests.pagecheck import find
from tests.staff.staffclient import PASSWORD, csrf_of, fresh_code, make_member
from tests.staff.staffclient import login as log_in


def test_qr_code_scales_with_a_viewbox(db_app: Flask, team_key: str) -> None:
    admin = make_member(db_app, "qr-admin@example.org", "admin")
    with db_app.app_context():
        dbs = db_session()
        token = accounts.create_invitation(
            dbs, by=dbs.get(StaffUser, admin.id), email="new@example.org", name="New"
        )
    page = db_app.test_client().get(f"/staff/invite/{token}").get_data(as_text=True)
    svg = re.search(r"<svg[^>]*>", page)
    assert svg, page[:2000]
    # Scaled by CSS, the code keeps all its modules only if the SVG has a viewBox and no
    # fixed size of its own.
    assert re.search(r'viewBox="0 0 (\d+) \1"', svg.group(0)), svg.group(0)
    assert "width=" not in svg.group(0) and "height=" not in svg.group(0)


def test_reused_code_is_told_apart_and_the_password_is_kept(db_app: Flask, team_key: str) -> None:
    member = make_member(db_app, "reuse@example.org")
    code = fresh_code(db_app, member)
    assert log_in(db_app, db_app.test_client(), member, code).status_code == 302

    client = db_app.test_client()
    again = log_in(db_app, client, member, code)
    page = again.get_data(as_text=True)
    assert again.status_code == 200
    assert str(login.CODE_USED) in page and accounts.LOGIN_FAILED not in page
    # The member types only a new code: the password is still in its field.
    assert find(page, "input", name="password")[0].get("value") == PASSWORD
    assert find(page, "input", name="email")[0].get("value") == member.email

    # A wrong code keeps the generic answer (no oracle), and the password too.
    wrong = log_in(db_app, db_app.test_client(), member, "000000").get_data(as_text=True)
    assert accounts.LOGIN_FAILED in wrong and str(login.CODE_USED) not in wrong
    assert find(wrong, "input", name="password")[0].get("value") == PASSWORD

    # A reused code with a wrong password says nothing about the code.
    member.password = "not the right password"
    guess = log_in(db_app, db_app.test_client(), member, code).get_data(as_text=True)
    assert accounts.LOGIN_FAILED in guess and str(login.CODE_USED) not in guess
    with db_app.app_context():
        user = db_session().get(StaffUser, member.id)
        assert user is not None and user.failed_logins == 3  # each failure counted


def test_an_expired_form_keeps_no_password(db_app: Flask, team_key: str) -> None:
    member = make_member(db_app, "expired@example.org")
    client = db_app.test_client()
    csrf_of(client.get("/staff/login").get_data(as_text=True))
    answer = client.post(
        "/staff/login",
        data={"csrf_token": "stale", "email": member.email, "password": PASSWORD, "code": "1"},
    ).get_data(as_text=True)
    assert PASSWORD not in answer
