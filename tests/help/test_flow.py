"""The whole survivor flow on SQLite and PostgreSQL: submit, receipt, check, reply, message."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from campaign.cases import crypto, intake
from campaign.cases.teams import add_rule, create_team
from campaign.core.db import db_session
from campaign.models import HelpRequest, RequestStatus
from tests.helpclient import SHOWN_ONCE, HelpClient, receipt_of
from tests.pagecheck import find


def test_submit_check_reply_and_follow_up(
    db_app: Flask, db_client: FlaskClient, team_key: str
) -> None:
    person = HelpClient(db_client, "en")
    response = person.submit(
        "He took my passport. FLOW-MARKER",
        category="economic",
        region="gomel",
        contact_method="phone",
        phone="+375 29 000 00 00",
        may_leave_message="no",
        safe_times="weekdays 10-12",
        code_word="tulip",
    )
    assert response.status_code == SHOWN_ONCE  # after a redirect: tests/help/test_no_replay.py
    assert response.headers["Cache-Control"].startswith("no-store")
    html = response.get_data(as_text=True)
    assert "Your request has been sent" in html
    receipt = receipt_of(response)
    groups = receipt.split(" ")
    assert [len(g) for g in groups] == [4, 4, 4, 4]
    assert receipt.replace(" ", "").isdigit()
    assert receipt.replace(" ", "") not in html.replace(receipt, "")  # shown once, grouped

    # The person checks: the message is there, status in plain words.
    opened = person.check(receipt)
    assert opened.status_code == SHOWN_ONCE
    assert opened.headers["Cache-Control"].startswith("no-store")
    page = opened.get_data(as_text=True)
    assert "FLOW-MARKER" in page
    assert "has not read it yet" in page

    # Staff (holding the team key) see metadata, contact and thread, and reply.
    with db_app.app_context():
        session = db_session()
        request = session.scalars(select(HelpRequest)).one()
        assert (request.category, request.region, request.language) == ("economic", "gomel", "en")
        private = crypto.parse_recovery_key(team_key)
        contact = intake.read_contact(request, private)
        assert contact["phone"] == "+375 29 000 00 00"
        assert contact["may_leave_message"] == "no"
        assert contact["code_word"] == "tulip"
        thread = intake.read_thread_as_staff(request, private)
        assert thread.entries[0].text == "He took my passport. FLOW-MARKER"
        intake.add_staff_reply(session, request, private, "We can help. STAFF-REPLY-MARKER")
        assert request.status == RequestStatus.WAITING.value

    # Spaces, dashes or none: the same receipt opens the thread with the reply.
    for typed in (receipt, receipt.replace(" ", ""), receipt.replace(" ", "-")):
        page = person.check(typed).get_data(as_text=True)
        assert "STAFF-REPLY-MARKER" in page
        assert "We have answered" in page

    # The person adds a message; it is in the thread, and the request is open again.
    added = person.add_message(receipt, "Thank you. SECOND-MARKER")
    assert added.status_code == SHOWN_ONCE
    page = added.get_data(as_text=True)
    assert "Your message has been sent" in page
    assert (
        page.index("FLOW-MARKER") < page.index("STAFF-REPLY-MARKER") < page.index("SECOND-MARKER")
    )
    with db_app.app_context():
        session = db_session()
        request = session.scalars(select(HelpRequest)).one()
        assert request.status == RequestStatus.OPEN.value
        thread = intake.read_thread_as_staff(request, crypto.parse_recovery_key(team_key))
        assert [e.author for e in thread.entries] == ["person", "staff", "person"]


def test_receipt_page_explains_what_happens_next(db_client: FlaskClient) -> None:
    html = HelpClient(db_client, "en").submit("help me").get_data(as_text=True)
    assert "shown only this once" in html
    assert "Do not take a screenshot" in html
    assert "What happens next" in html
    assert find(html, "a", href="/en/help/check")
    assert "/help/check?" not in html


def test_wrong_receipt_is_refused_the_same_way(db_client: FlaskClient) -> None:
    person = HelpClient(db_client, "en")
    person.submit_ok("a real request")
    for wrong in ("0000 0000 0000 0000", "1234", "not a number", "9" * 40):
        response = person.check(wrong)
        assert response.status_code in (400, 404)
        html = response.get_data(as_text=True)
        assert "Error:" in html.split("</title>")[0]
    missing = person.check("0000 0000 0000 0001")
    assert missing.status_code == 404
    assert "We could not open a request with this number" in missing.get_data(as_text=True)


def test_receipt_is_only_posted_never_in_a_url(db_client: FlaskClient) -> None:
    person = HelpClient(db_client, "en")
    receipt = person.submit_ok("hello")
    assert db_client.get(f"/en/help/check?receipt={receipt}").status_code == 200
    page = db_client.get(f"/en/help/check?receipt={receipt}").get_data(as_text=True)
    assert "hello" not in page  # GET never opens a thread
    form = find(person.check(receipt).get_data(as_text=True), "form")
    assert all(f["method"] == "post" for f in form)


def test_routing_rules_pick_the_team(db_app: Flask, db_client: FlaskClient) -> None:
    with db_app.app_context():
        session = db_session()
        legal, legal_key = create_team(session, "Lawyers")
        minsk, _ = create_team(session, "Minsk")
        add_rule(session, "Minsk", region="minsk-city", position=20)
        add_rule(session, "Lawyers", category="legal", position=10)
        legal_id, minsk_id = legal.id, minsk.id
    person = HelpClient(db_client, "ru")
    person.submit_ok("question", category="legal", region="minsk-city", answer_language="ru")
    person.submit_ok("other", category="other", region="minsk-city", answer_language="ru")
    person.submit_ok("third", category="other", region="brest", answer_language="ru")
    with db_app.app_context():
        session = db_session()
        teams = list(session.scalars(select(HelpRequest.team_id).order_by(HelpRequest.id)))
        default_id = session.scalar(select(func.min(HelpRequest.team_id)))
        assert teams == [legal_id, minsk_id, default_id]
        first = session.scalars(select(HelpRequest).order_by(HelpRequest.id)).first()
        assert first is not None
        text = intake.read_thread_as_staff(first, crypto.parse_recovery_key(legal_key))
        assert text.entries[0].text == "question"


def test_help_pages_in_every_language_have_the_form(db_app: Flask, team_key: str) -> None:
    for lang in ("be", "ru", "en"):
        response = db_app.test_client().get(f"/{lang}/help/")
        html = response.get_data(as_text=True)
        assert f'<html lang="{lang}">' in html
        assert response.headers["Cache-Control"].startswith("no-store")
        assert "session=" in response.headers["Set-Cookie"]
        assert find(html, "textarea", name="message")[0]["autocomplete"] == "off"
        for name in ("phone", "email", "messenger", "safe_times", "code_word"):
            assert find(html, "input", name=name)[0]["autocomplete"] == "off"
        checked = find(html, "input", name="answer_language", value=lang)
        assert "checked" in checked[0]
        assert find(html, "input", name="contact_method", value="receipt")[0].get("checked") == ""
