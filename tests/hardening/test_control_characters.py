"""NUL and other control characters in any form field or query parameter get a 400 page in
the page's language, never a 500 (PostgreSQL refuses NUL in text), on SQLite and PostgreSQL.
Newline, carriage return and tab stay allowed in text; the help forms keep the person's text
(without the unusable characters)."""

from __future__ import annotations

import html

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from campaign.core.db import db_session
from campaign.models import HelpRequest
from tests.helpclient import DEFAULT_FORM, SHOWN_ONCE, HelpClient
from tests.staff.staffclient import csrf_of, login, make_member

URLENCODED = "application/x-www-form-urlencoded"


def count_requests(app: Flask) -> int:
    with app.app_context():
        return int(db_session().scalar(select(func.count(HelpRequest.id))) or 0)


def test_nul_in_the_staff_login_email_is_a_400(db_app: Flask, db_client: FlaskClient) -> None:
    page = db_client.get("/staff/login").get_data(as_text=True)
    response = db_client.post(
        "/staff/login",
        data={
            "csrf_token": csrf_of(page),
            "email": "a\x00b@example.org",
            "password": "whatever",
            "code": "123456",
        },
    )
    assert response.status_code == 400
    assert "cannot be used" in response.get_data(as_text=True)


def test_nul_in_staff_query_parameters_is_a_400(db_app: Flask, db_client: FlaskClient) -> None:
    admin = make_member(db_app, "admin@example.org", role="admin")
    assert login(db_app, db_client, admin).status_code == 302
    assert db_client.get("/staff/?category=physical").status_code == 200
    for url in ("/staff/?category=a%00b", "/staff/admin/audit?actor=a%00b"):
        response = db_client.get(url)
        assert response.status_code == 400, url
        assert "cannot be used" in response.get_data(as_text=True)
    assert db_client.get("/staff/admin/audit?actor=a%01b").status_code == 400


def test_public_pages_answer_a_translated_400(client: FlaskClient) -> None:
    response = client.get("/ru/?q=a%00b")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'lang="ru"' in page
    assert "нельзя" in page  # the Russian text of the page, not the English one
    assert client.get("/be/statements/?x=%1b").status_code == 400
    assert client.get("/en/?q=tab%09and%0Anewline%0D").status_code == 200


def test_help_form_keeps_the_text_without_the_bad_characters(
    db_app: Flask, db_client: FlaskClient
) -> None:
    person = HelpClient(db_client, "ru")
    response = person.submit("Первая строка\r\nвторая\tстрока\x00 конец\x07.", code_word="a\x00")
    assert response.status_code == 400
    page = html.unescape(response.get_data(as_text=True))
    assert "Первая строка\r\nвторая\tстрока конец." in page
    assert "\x00" not in page and "\x07" not in page
    assert 'lang="ru"' in page
    assert "нельзя" in page
    assert count_requests(db_app) == 0
    # The shown form can be sent as it is.
    assert person.submit("Первая строка\r\nвторая\tстрока конец.").status_code == SHOWN_ONCE
    assert count_requests(db_app) == 1


def test_receipt_forms_keep_the_message(db_app: Flask, db_client: FlaskClient) -> None:
    person = HelpClient(db_client, "en")
    receipt = person.submit_ok("first")
    response = person.add_message(receipt, "follow\x00up\x1f text")
    assert response.status_code == 400
    page = html.unescape(response.get_data(as_text=True))
    assert "followup text" in page
    assert "cannot be used" in page
    checked = person.check(receipt + "\x00")
    assert checked.status_code == 400


def test_the_check_leaves_the_body_to_the_help_forms(db_app: Flask, db_client: FlaskClient) -> None:
    """The check reads the form before the help pages do: their strict UTF-8 decoding of the
    raw body and the 413 page that keeps the text work as before."""
    tokens = HelpClient(db_client, "en").form_tokens()
    fields = {**DEFAULT_FORM, **tokens}
    body = "&".join(f"{k}={v}" for k, v in fields.items() if k != "message")
    raw = body.encode() + b"&message=KEPT-TEXT-MARKER+%FF%FE+broken"
    response = db_client.post("/en/help/", data=raw, content_type=URLENCODED)
    assert response.status_code == 400
    assert "could not be read" in response.get_data(as_text=True)
    big = {**fields, "message": "KEPT-BIG-MARKER \x00 " + "y" * 300_000}
    response = db_client.post("/en/help/", data=big)
    assert response.status_code == 413
    assert "KEPT-BIG-MARKER" in response.get_data(as_text=True)
    assert count_requests(db_app) == 0
