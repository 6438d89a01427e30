"""Bad input on the help forms: a clear page, the person's text kept, nothing stored lost."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from campaign.core.db import db_session
from campaign.models import HelpRequest
from tests.helpclient import DEFAULT_FORM, SHOWN_ONCE, HelpClient, csrf_token, form_tokens_in
from tests.pagecheck import find

KEPT = "I am afraid to go home. KEPT-TEXT-MARKER"


def count_requests(app: Flask) -> int:
    with app.app_context():
        return int(db_session().scalar(select(func.count()).select_from(HelpRequest)) or 0)


@pytest.fixture
def stored(db_app: Flask, db_client: FlaskClient) -> str:
    """A request stored before the bad input; it must survive."""
    return HelpClient(db_client, "en").submit_ok("stored before EARLIER-MARKER")


def assert_still_there(db_app: Flask, client: FlaskClient, receipt: str, count: int = 1) -> None:
    assert count_requests(db_app) == count
    page = HelpClient(client, "en").check(receipt).get_data(as_text=True)
    assert "EARLIER-MARKER" in page


def title(html: str) -> str:
    match = re.search(r"<title>(.*?)</title>", html, re.S)
    assert match
    return match.group(1)


def test_validation_errors_link_summary_to_fields_and_keep_values(
    db_app: Flask, db_client: FlaskClient, stored: str
) -> None:
    response = HelpClient(db_client, "en").submit(
        "",
        contact_method="phone",
        phone="",
        safe_times="after 18:00",
        code_word="tulip",
        region="gomel",
        category="legal",
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert title(html).startswith("Error:")
    assert "There are 2 problems" in html
    assert find(html, "a", href="#message")
    assert find(html, "a", href="#phone")
    message = find(html, "textarea", name="message")[0]
    assert "message-error" in message["aria-describedby"]
    assert message["aria-invalid"] == "true"
    assert 'id="message-error"' in html and "Write your message." in html
    assert find(html, "input", name="safe_times")[0]["value"] == "after 18:00"
    assert find(html, "input", name="code_word")[0]["value"] == "tulip"
    assert "selected" in find(html, "option", value="gomel")[0]
    assert "selected" in find(html, "option", value="legal")[0]
    assert "checked" in find(html, "input", name="contact_method", value="phone")[0]
    assert response.headers["Cache-Control"].startswith("no-store")
    assert_still_there(db_app, db_client, stored)


def test_error_page_is_translated(db_client: FlaskClient) -> None:
    html = HelpClient(db_client, "ru").submit("").get_data(as_text=True)
    assert title(html).startswith("Ошибка:")
    assert '<html lang="ru">' in html


def test_too_long_message_is_kept(db_client: FlaskClient, db_app: Flask, stored: str) -> None:
    long_text = KEPT + " " + "x" * 4100
    response = HelpClient(db_client, "en").submit(long_text)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "up to 4000 characters" in html
    assert long_text in html
    assert_still_there(db_app, db_client, stored)


def test_missing_csrf_token_keeps_the_text(
    db_app: Flask, db_client: FlaskClient, stored: str
) -> None:
    data = {**DEFAULT_FORM, "message": KEPT}
    response = db_client.post("/en/help/", data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "could not be sent" in html
    assert KEPT in html
    assert title(html).startswith("Error:")
    assert_still_there(db_app, db_client, stored)


def test_expired_session_cookie_keeps_the_text_and_the_resend_works(
    db_app: Flask, db_client: FlaskClient, stored: str
) -> None:
    person = HelpClient(db_client, "en")
    tokens = person.form_tokens()
    fresh = db_app.test_client()  # a browser without the session cookie
    response = fresh.post("/en/help/", data={**DEFAULT_FORM, **tokens, "message": KEPT})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert KEPT in html
    assert "session=" in response.headers["Set-Cookie"]
    # Sending the kept form again from that page works.
    again = fresh.post("/en/help/", data={**DEFAULT_FORM, **form_tokens_in(html), "message": KEPT})
    assert again.status_code == 303  # to the receipt, shown once
    assert count_requests(db_app) == 2


def test_expired_csrf_token(
    db_app: Flask, app_config: dict[str, Any], db_client: FlaskClient
) -> None:
    db_app.config["WTF_CSRF_TIME_LIMIT"] = -1
    response = HelpClient(db_client, "en").submit(KEPT)
    assert response.status_code == 400
    assert KEPT in response.get_data(as_text=True)
    assert count_requests(db_app) == 0


def test_reloading_the_receipt_page_does_not_send_twice(
    db_app: Flask, db_client: FlaskClient
) -> None:
    person = HelpClient(db_client, "en")
    data = {**DEFAULT_FORM, **person.form_tokens(), "message": KEPT}
    sent = db_client.post("/en/help/", data=data)
    assert sent.status_code == 303
    # The same form again (a double click, or a "resend"): nothing stored, the same page.
    again = db_client.post("/en/help/", data=data)
    assert again.status_code == 303
    assert again.headers["Location"] == sent.headers["Location"]
    assert db_client.get(sent.headers["Location"]).status_code == SHOWN_ONCE
    closed = db_client.post("/en/help/", data=data, follow_redirects=True)
    assert KEPT not in closed.get_data(as_text=True)
    assert count_requests(db_app) == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("category", "nonsense"),
        ("region", "mars"),
        ("answer_language", "fr"),
        ("contact_method", "pigeon"),
        ("may_leave_message", "maybe"),
    ],
)
def test_unknown_choice_values(
    db_app: Flask, db_client: FlaskClient, stored: str, field: str, value: str
) -> None:
    response = HelpClient(db_client, "en").submit(KEPT, **{field: value})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Choose one of the options." in html
    assert KEPT in html
    assert_still_there(db_app, db_client, stored)


def test_invalid_utf8_is_shown_and_kept(db_app: Flask, db_client: FlaskClient, stored: str) -> None:
    tokens = HelpClient(db_client, "en").form_tokens()
    body = "&".join(f"{k}={v}" for k, v in {**DEFAULT_FORM, **tokens}.items() if k != "message")
    raw = body.encode() + b"&message=KEPT-TEXT-MARKER+%FF%FE+broken"
    response = db_client.post(
        "/en/help/", data=raw, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "could not be read" in html
    assert "KEPT-TEXT-MARKER" in html
    assert_still_there(db_app, db_client, stored)


def test_body_too_large_keeps_what_was_read(
    db_app: Flask, db_client: FlaskClient, stored: str
) -> None:
    tokens = HelpClient(db_client, "en").form_tokens()
    data = {**DEFAULT_FORM, **tokens, "message": KEPT + " " + "y" * 300_000}
    response = db_client.post("/en/help/", data=data)
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "too large" in html
    assert "KEPT-TEXT-MARKER" in html
    assert find(html, "textarea", name="message")
    assert_still_there(db_app, db_client, stored)


def test_follow_up_too_large_keeps_text(db_app: Flask, db_client: FlaskClient, stored: str) -> None:
    person = HelpClient(db_client, "en")
    opened = person.check(stored).get_data(as_text=True)
    data = {"csrf_token": csrf_token(opened), "receipt": stored, "message": KEPT + "z" * 300_000}
    response = db_client.post("/en/help/check/message", data=data)
    assert response.status_code == 413
    assert "KEPT-TEXT-MARKER" in response.get_data(as_text=True)
    assert_still_there(db_app, db_client, stored)


def test_follow_up_errors_keep_the_text(db_app: Flask, db_client: FlaskClient, stored: str) -> None:
    # Missing CSRF token: the text to copy, and the receipt asked again. Never the thread:
    # this may be a Reload of an old page (tests/help/test_no_replay.py).
    response = db_client.post("/en/help/check/message", data={"receipt": stored, "message": KEPT})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert KEPT in html and "EARLIER-MARKER" not in html
    assert stored not in html
    # Wrong receipt: asked again, the message shown back to copy.
    person = HelpClient(db_client, "en")
    page = person.check(stored).get_data(as_text=True)
    wrong = db_client.post(
        "/en/help/check/message",
        data={"csrf_token": csrf_token(page), "receipt": "1111 1111 1111 1111", "message": KEPT},
    )
    assert wrong.status_code == 404
    assert KEPT in wrong.get_data(as_text=True)
    assert_still_there(db_app, db_client, stored)


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_wrong_method(db_client: FlaskClient, method: str) -> None:
    for path in ("/en/help/", "/en/help/check"):
        response = getattr(db_client, method)(path, data={"message": KEPT})
        assert response.status_code == 405
        html = response.get_data(as_text=True)
        assert '<html lang="en">' in html
        assert find(html, "a", data_quick_exit="")


def test_honeypot_keeps_text_and_stores_nothing(db_app: Flask, db_client: FlaskClient) -> None:
    response = HelpClient(db_client, "en").submit(KEPT, website="http://spam.example")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert KEPT in html
    assert "send it again" in html
    assert find(html, "input", name="website")[0]["value"] == ""
    assert count_requests(db_app) == 0


def test_too_fast_keeps_text_then_succeeds(db_app: Flask, db_client: FlaskClient) -> None:
    db_app.config["MIN_FILL_SECONDS"] = 3600
    response = HelpClient(db_client, "en").submit(KEPT)
    assert response.status_code == 400
    assert KEPT in response.get_data(as_text=True)
    assert count_requests(db_app) == 0
    db_app.config["MIN_FILL_SECONDS"] = 0
    HelpClient(db_client, "en").submit_ok(KEPT)
    assert count_requests(db_app) == 1


def test_forged_start_token_is_asked_again(db_app: Flask, db_client: FlaskClient) -> None:
    response = HelpClient(db_client, "en").submit(KEPT, started="forged")
    assert response.status_code == 400
    assert KEPT in response.get_data(as_text=True)


def test_no_team_yet_gives_503_with_text(app_config: dict[str, Any], tmp_path: Any) -> None:
    from campaign import create_app
    from campaign.core import migrate
    from campaign.core.db import engine

    app = create_app({**app_config, "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}"})
    with app.app_context():
        migrate.upgrade(engine())
    response = HelpClient(app.test_client(), "be").submit(KEPT)
    assert response.status_code == 503
    assert KEPT in response.get_data(as_text=True)


def test_database_down_gives_503_with_text(app_config: dict[str, Any], tmp_path: Any) -> None:
    from campaign import create_app

    missing = tmp_path / "no-such-dir" / "x.db"
    app = create_app({**app_config, "DATABASE_URL": f"sqlite:///{missing}"})
    response = HelpClient(app.test_client(), "en").submit(KEPT)
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert KEPT in html
    assert "could not save" in html
