"""No replay: sending, opening a thread and adding a message end in a redirect to a page
shown once; a history entry never brings her request back, and a Reload never sends it
again (campaign/cases/viewonce.py). Also the fill timer across error rounds.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from werkzeug.test import TestResponse

from campaign.cases import viewonce
from campaign.cases.teams import create_team
from campaign.core import migrate
from campaign.core.db import db_session, engine
from campaign.models import HelpRequest, OneTimeView, RequestMessage
from campaign.models.base import utcnow
from tests.conftest import TEST_CONFIG
from tests.helpclient import (
    DEFAULT_FORM,
    SHOWN_ONCE,
    HelpClient,
    csrf_token,
    form_tokens_in,
    receipt_of,
)

MESSAGE = "He checks my phone every night. REPLAY-MARKER"
PHONE = "+375 29 555 01 02"
SAFE_TIMES = "weekdays 10-12 SAFE-TIME-MARKER"
CODE_WORD = "CODE-WORD-7Q"
CLOSED = "This page was shown once and is closed, for your safety."
SENT_LINE = "Your request was sent."
AGAIN_LINE = "Enter your receipt again to read the answers"
VIEW_URL = re.compile(
    r"^/en/help/(sent/[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}#receipt|thread/[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43})$"
)
HER_FORM = {
    **DEFAULT_FORM,
    "message": MESSAGE,
    "contact_method": "phone",
    "phone": PHONE,
    "safe_times": SAFE_TIMES,
    "code_word": CODE_WORD,
}


def count(app: Flask, model: Any) -> int:
    with app.app_context():
        return int(db_session().scalar(select(func.count()).select_from(model)) or 0)


def digits(receipt: str) -> str:
    return receipt.replace(" ", "")


def assert_nothing_of_hers(html: str, receipt: str = "") -> None:
    for secret in (MESSAGE, "REPLAY-MARKER", PHONE, "SAFE-TIME-MARKER", CODE_WORD):
        assert secret not in html, secret
    if receipt:
        assert receipt not in html and digits(receipt) not in html


def view_url(response: TestResponse) -> str:
    assert response.status_code == 303, response.get_data(as_text=True)[:1000]
    location = response.headers["Location"]
    assert VIEW_URL.match(location), location
    assert response.headers["Cache-Control"].startswith("no-store")
    return location


def post_her_form(client: FlaskClient, **fields: str) -> tuple[dict[str, str], TestResponse]:
    data = {**HER_FORM, **HelpClient(client).form_tokens(), **fields}
    return data, client.post("/en/help/", data=data)


def send(client: FlaskClient) -> tuple[str, str]:
    """Send her request as a browser does; (the sent page's URL, the receipt shown)."""
    _data, response = post_her_form(client)
    location = view_url(response)
    shown = client.get(location)
    assert shown.status_code == SHOWN_ONCE
    return location, receipt_of(shown)


def open_thread(client: FlaskClient, receipt: str) -> TestResponse:
    html = client.get("/en/help/check").get_data(as_text=True)
    return client.post("/en/help/check", data={"csrf_token": csrf_token(html), "receipt": receipt})


# --- sending --------------------------------------------------------------------------------


def test_sending_ends_in_a_redirect_to_the_receipt_shown_once(
    db_app: Flask, db_client: FlaskClient
) -> None:
    _data, response = post_her_form(db_client)
    location = view_url(response)
    assert location.startswith("/en/help/sent/")
    assert response.get_data(as_text=True).count("REPLAY-MARKER") == 0

    first = db_client.get(location)
    assert first.status_code == SHOWN_ONCE  # not 200: no back/forward cache (viewonce.py)
    assert first.headers["Cache-Control"].startswith("no-store")
    html = first.get_data(as_text=True)
    receipt = receipt_of(first)
    assert "Your request has been sent" in html
    assert_nothing_of_hers(html)

    for _visit in range(2):  # Back, Reload, Forward, history: the same URL again
        again = db_client.get(location)
        assert again.status_code == 200
        assert again.headers["Cache-Control"].startswith("no-store")
        page = again.get_data(as_text=True)
        assert CLOSED in page and SENT_LINE in page
        assert_nothing_of_hers(page, receipt)
    assert count(db_app, HelpRequest) == 1
    assert count(db_app, OneTimeView) == 1  # only the form's sent mark is left


def test_the_sent_page_opens_at_the_receipt_and_says_it_is_shown_once(
    db_client: FlaskClient,
) -> None:
    """On a phone the menu and the safety notice fill the first screen: the redirect names
    the receipt's panel, so that the browser opens the page there, and the panel itself
    says, after the receipt, that it is shown only this once."""
    _data, response = post_her_form(db_client)
    location = view_url(response)
    assert location.endswith("#receipt")
    html = db_client.get(location).get_data(as_text=True)
    panel = html.split('id="receipt"', 1)[1].split("</div>", 1)[0]
    once = panel.find("It is shown only this once.")
    assert 0 <= panel.find('class="receipt"') < once, panel
    assert html.count("It is shown only this once.") == 1


def test_the_closed_page_speaks_her_language(db_app: Flask, db_client: FlaskClient) -> None:
    person = HelpClient(db_client, "ru")
    response = db_client.post(
        "/ru/help/", data={**DEFAULT_FORM, **person.form_tokens(), "message": MESSAGE}
    )
    location = response.headers["Location"]
    assert location.startswith("/ru/help/sent/")
    assert db_client.get(location).status_code == SHOWN_ONCE
    closed = db_client.get(location).get_data(as_text=True)
    assert '<html lang="ru">' in closed
    assert "Эта страница была показана один раз и теперь закрыта" in closed
    assert "Ваше обращение отправлено." in closed
    # A receipt lost with the page (a Reload, a tab the phone reloaded): what she can do.
    assert "Не сохранили квитанцию? Её никто не может показать снова, даже мы." in closed
    assert '<a href="/ru/help/">Отправить новое обращение</a>' in closed
    # Its language links lead to the form, not to the used-up URL.
    assert "/help/sent/" not in closed.split("</main>")[1]
    assert 'hreflang="be" href="/be/help/"' in closed


def test_a_reload_of_an_error_round_after_sending_shows_nothing_of_hers(
    db_app: Flask, db_client: FlaskClient
) -> None:
    """The error page is a POST in her history: a Reload sends its body again."""
    error_round, response = post_her_form(db_client, phone="")
    assert response.status_code == 400
    fixed = {**HER_FORM, **form_tokens_in(response.get_data(as_text=True))}
    assert fixed["started"] == error_round["started"]  # the same form, kept
    location = view_url(db_client.post("/en/help/", data=fixed))
    receipt = receipt_of(db_client.get(location))

    for replayed in (error_round, fixed):
        again = db_client.post("/en/help/", data=replayed, follow_redirects=True)
        assert again.history and again.history[0].headers["Location"] == location
        page = again.get_data(as_text=True)
        assert CLOSED in page
        assert_nothing_of_hers(page, receipt)
    assert count(db_app, HelpRequest) == 1


def test_a_double_click_stores_one_request_and_shows_its_receipt_once(
    db_app: Flask, db_client: FlaskClient
) -> None:
    data, first = post_her_form(db_client)
    second = db_client.post("/en/help/", data=data)  # the browser follows only this one
    assert view_url(second) == view_url(first)
    assert db_client.get(second.headers["Location"]).status_code == SHOWN_ONCE
    assert CLOSED in db_client.get(first.headers["Location"]).get_data(as_text=True)
    assert count(db_app, HelpRequest) == 1


def test_concurrent_posts_of_one_form_store_one_request(
    db_app: Flask, db_client: FlaskClient
) -> None:
    data, _response = post_her_form(db_client, message="first form, sent " + MESSAGE)
    data = {**data, **HelpClient(db_client).form_tokens()}  # a new form, not yet sent
    cookie = db_client.get_cookie("session")
    assert cookie is not None
    answers = run_together(4, lambda client: client.post("/en/help/", data=data), db_app, cookie)
    locations = {view_url(answer) for answer in answers}
    assert len(locations) == 1
    assert count(db_app, HelpRequest) == 2
    shown = [db_app.test_client().get(location).status_code for location in locations]
    assert shown == [SHOWN_ONCE]


# --- opening a thread, adding a message -------------------------------------------------------


def test_opening_a_thread_ends_in_a_redirect_to_the_thread_shown_once(
    db_app: Flask, db_client: FlaskClient
) -> None:
    _sent, receipt = send(db_client)
    response = open_thread(db_client, receipt)
    location = view_url(response)
    assert location.startswith("/en/help/thread/")

    first = db_client.get(location)
    assert first.status_code == SHOWN_ONCE
    assert first.headers["Cache-Control"].startswith("no-store")
    html = first.get_data(as_text=True)
    assert "REPLAY-MARKER" in html
    hidden = re.search(r'name="receipt" value="([^"]+)"', html)  # the reply form's field
    assert hidden and digits(hidden.group(1)) == digits(receipt)

    again = db_client.get(location)
    assert again.status_code == 200
    page = again.get_data(as_text=True)
    assert CLOSED in page and AGAIN_LINE in page
    assert_nothing_of_hers(page, receipt)


def test_adding_a_message_ends_in_a_redirect_to_a_new_thread_view(
    db_app: Flask, db_client: FlaskClient
) -> None:
    _sent, receipt = send(db_client)
    thread = db_client.get(view_url(open_thread(db_client, receipt))).get_data(as_text=True)
    data = {"csrf_token": csrf_token(thread), "receipt": digits(receipt), "message": "LATER-NOTE"}
    response = db_client.post("/en/help/check/message", data=data)
    location = view_url(response)
    assert location.startswith("/en/help/thread/")

    shown = db_client.get(location)
    assert shown.status_code == SHOWN_ONCE
    html = shown.get_data(as_text=True)
    assert "Your message has been sent" in html
    assert html.index("REPLAY-MARKER") < html.index("LATER-NOTE")

    page = db_client.get(location).get_data(as_text=True)
    assert CLOSED in page
    assert "LATER-NOTE" not in page
    assert_nothing_of_hers(page, receipt)
    # A Reload of the message's POST (were it in the history) adds nothing.
    replay = db_client.post("/en/help/check/message", data=data)
    assert replay.status_code == 400
    assert "LATER-NOTE" in replay.get_data(as_text=True)  # her text, to copy
    assert_nothing_of_hers(replay.get_data(as_text=True), receipt)
    assert count(db_app, RequestMessage) == 2


def test_a_reload_of_a_thread_with_errors_opens_nothing(
    db_app: Flask, db_client: FlaskClient
) -> None:
    """The thread page answering a message with errors is a POST in her history."""
    _sent, receipt = send(db_client)
    thread = db_client.get(view_url(open_thread(db_client, receipt))).get_data(as_text=True)
    data = {"csrf_token": csrf_token(thread), "receipt": digits(receipt), "message": ""}
    with_errors = db_client.post("/en/help/check/message", data=data)
    assert with_errors.status_code == 400
    assert "REPLAY-MARKER" in with_errors.get_data(as_text=True)
    replay = db_client.post("/en/help/check/message", data=data)
    assert replay.status_code == 400
    assert_nothing_of_hers(replay.get_data(as_text=True), receipt)
    assert f'value="{digits(receipt)}"' not in replay.get_data(as_text=True)
    # ... and the page with errors still works: its form carries the new token.
    fixed = {**data, "csrf_token": csrf_token(with_errors.get_data(as_text=True)), "message": "ok"}
    assert view_url(db_client.post("/en/help/check/message", data=fixed))
    assert count(db_app, RequestMessage) == 2


def test_a_reload_of_a_stale_receipt_form_shows_no_receipt(
    db_app: Flask, db_client: FlaskClient
) -> None:
    _sent, receipt = send(db_client)
    html = db_client.get("/en/help/check").get_data(as_text=True)
    data = {"csrf_token": csrf_token(html), "receipt": receipt}
    view_url(db_client.post("/en/help/check", data=data))
    replay = db_client.post("/en/help/check", data=data)  # its token is spent
    assert replay.status_code == 400
    page = replay.get_data(as_text=True)
    assert digits(receipt) not in page and receipt not in page
    assert "REPLAY-MARKER" not in page


# --- the view itself ------------------------------------------------------------------------


def run_together(
    n: int, call: Callable[[FlaskClient], TestResponse], app: Flask, cookie: Any = None
) -> list[TestResponse]:
    """``call`` from ``n`` clients (each with a copy of ``cookie``) at the same moment."""
    barrier = threading.Barrier(n)
    answers: list[TestResponse] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def one() -> None:
        client = app.test_client()
        if cookie is not None:
            client.set_cookie(cookie.key, cookie.value, domain=cookie.domain or "localhost")
        barrier.wait()
        try:
            answer = call(client)
        except BaseException as exc:  # reported below
            with lock:
                errors.append(exc)
            return
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=one) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert len(answers) == n
    return answers


def getter(url: str) -> Callable[[FlaskClient], TestResponse]:
    return lambda client: client.get(url)


def stage(app: Flask, kind: str, payload: dict[str, str], now: dt.datetime | None = None) -> str:
    with app.app_context():
        session = db_session()
        token = viewonce.stage(session, kind, payload, now=now)
        session.commit()
    return token


@pytest.mark.parametrize("kind", [viewonce.SENT, viewonce.THREAD])
def test_two_concurrent_gets_show_the_view_once(
    db_app: Flask, db_client: FlaskClient, kind: str
) -> None:
    _sent, receipt = send(db_client)
    for _round in range(3):
        token = stage(db_app, kind, {"receipt": digits(receipt)})
        answers = run_together(4, getter(f"/en/help/{kind}/{token}"), db_app)
        statuses = sorted(answer.status_code for answer in answers)
        assert statuses == [200, 200, 200, SHOWN_ONCE], statuses
        shown = [a.get_data(as_text=True) for a in answers if a.status_code == SHOWN_ONCE]
        assert digits(receipt) in shown[0].replace(" ", "")


def test_an_expired_view_shows_the_closed_page(db_app: Flask, db_client: FlaskClient) -> None:
    _sent, receipt = send(db_client)
    long_ago = utcnow() - dt.timedelta(seconds=int(db_app.config["VIEW_ONCE_SECONDS"]) + 1)
    for kind, line in ((viewonce.SENT, SENT_LINE), (viewonce.THREAD, AGAIN_LINE)):
        token = stage(db_app, kind, {"receipt": digits(receipt)}, now=long_ago)
        page = db_client.get(f"/en/help/{kind}/{token}")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert CLOSED in html and line in html
        assert_nothing_of_hers(html, receipt)


def test_no_token_opens_what_it_should_not(db_app: Flask, db_client: FlaskClient) -> None:
    _sent, receipt = send(db_client)
    token = stage(db_app, viewonce.THREAD, {"receipt": digits(receipt)})
    view_id, _secret = token.split(".")
    forged = ["closed", token + "x", token.replace(".", ""), "%00" * 10, "a" * 5000]
    for bad in forged:
        answer = db_client.get(f"/en/help/thread/{bad}")
        assert answer.status_code in (200, 400, 404), bad
        assert digits(receipt) not in answer.get_data(as_text=True)
    assert db_client.get(f"/en/help/sent/{token}").status_code == 200  # another kind: closed
    assert db_client.head(f"/en/help/thread/{token}").status_code == 200  # not used up
    assert db_client.get(f"/en/help/thread/{token}").status_code == SHOWN_ONCE
    # The right id with a wrong secret opens nothing, and uses the view up (only the URL,
    # which holds the secret too, knows the id).
    token = stage(db_app, viewonce.THREAD, {"receipt": digits(receipt)})
    view_id, _secret = token.split(".")
    wrong = db_client.get(f"/en/help/thread/{view_id}.{'A' * 43}")
    assert wrong.status_code == 200
    assert digits(receipt) not in wrong.get_data(as_text=True)
    assert CLOSED in db_client.get(f"/en/help/thread/{token}").get_data(as_text=True)


def test_purge_deletes_expired_views_and_marks(db_app: Flask, db_client: FlaskClient) -> None:
    send(db_client)  # leaves its sent-form mark (24 hours)
    long_ago = utcnow() - dt.timedelta(hours=viewonce.SENT_FORM_HOURS + 1)
    stage(db_app, viewonce.SENT, {"receipt": "1" * 16}, now=long_ago)
    stage(db_app, viewonce.THREAD, {"receipt": "2" * 16}, now=long_ago)
    fresh = stage(db_app, viewonce.SENT, {"receipt": "3" * 16})
    assert count(db_app, OneTimeView) == 4
    result = db_app.test_cli_runner().invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "2 expired one-time pages" in result.output
    assert count(db_app, OneTimeView) == 2  # the fresh view and the mark
    with db_app.app_context():
        later = utcnow() + dt.timedelta(hours=viewonce.SENT_FORM_HOURS + 1)
        assert viewonce.purge_expired(db_session(), later) == 2
        db_session().commit()
    assert count(db_app, OneTimeView) == 0
    assert db_client.get(f"/en/help/sent/{fresh}").status_code == 200  # gone: closed


def test_a_database_dump_opens_no_view(db_app: Flask, db_client: FlaskClient) -> None:
    _data, response = post_her_form(db_client)
    location = view_url(response)
    with db_app.app_context():
        rows = db_session().scalars(select(OneTimeView)).all()
        stored = b"".join(row.id_hash + row.payload + row.kind.encode() for row in rows)
    token = location.rsplit("/", 1)[1]
    receipt = receipt_of(db_client.get(location))
    for part in token.split("."):
        assert part.encode() not in stored
    assert digits(receipt).encode() not in stored
    assert MESSAGE.encode() not in stored


def test_nothing_of_the_receipt_in_a_url_location_or_cookie(
    db_app: Flask, db_client: FlaskClient
) -> None:
    seen: list[str] = []
    person = HelpClient(db_client)

    def record(response: TestResponse) -> TestResponse:
        for answer in (*response.history, response):
            seen.append(answer.request.url)
            seen.append(answer.headers.get("Location", ""))
            seen.extend(answer.headers.getlist("Set-Cookie"))
            for cookie in answer.headers.getlist("Set-Cookie"):
                seen.append(session_contents(db_app, cookie))
        return response

    sent = record(person.submit(MESSAGE))
    receipt = receipt_of(sent)
    words = sent.get_data(as_text=True).split('class="receipt-words"><strong>')
    record(person.check(receipt))
    record(person.add_message(digits(receipt), "ANOTHER"))
    everything = "\n".join(seen)
    assert "/help/sent/" in everything and "/help/thread/" in everything
    assert digits(receipt) not in everything and receipt not in everything
    if len(words) > 1:  # the receipt as words (campaign/cases/receipt_words.py)
        for word in words[1].split("</strong>")[0].split():
            # A word on its own, not inside another ("sage" is in "message").
            assert not re.search(rf"(?<![^\W\d_]){re.escape(word)}(?![^\W\d_])", everything), word
    assert "REPLAY-MARKER" not in everything
    assert db_client.get_cookie("session") is None or "receipt" not in str(
        session_contents(db_app, "session=" + db_client.get_cookie("session").value)  # type: ignore[union-attr]
    )


def session_contents(app: Flask, set_cookie: str) -> str:
    """What a session cookie holds, decoded (it is signed, not encrypted)."""
    value = set_cookie.split(";", 1)[0].split("=", 1)[1]
    if not value:
        return ""
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    return str(serializer.loads(value))


# --- error rounds can never send --------------------------------------------------------------


def test_a_reload_of_a_too_fast_page_later_sends_nothing(
    db_app: Flask, db_client: FlaskClient
) -> None:
    db_app.config["MIN_FILL_SECONDS"] = 3600
    data, bounced = post_her_form(db_client)
    assert bounced.status_code == 400
    assert "Please check your request and send it again" in bounced.get_data(as_text=True)
    db_app.config["MIN_FILL_SECONDS"] = 0  # as if the time had passed
    replay = db_client.post("/en/help/", data=data)
    assert replay.status_code == 400  # the spent token
    assert count(db_app, HelpRequest) == 0
    # The page itself still sends (its form has the new token).
    fixed = {**data, **form_tokens_in(bounced.get_data(as_text=True))}
    view_url(db_client.post("/en/help/", data=fixed))
    assert count(db_app, HelpRequest) == 1


def test_a_reload_of_a_503_page_later_sends_nothing(
    app_config: dict[str, Any], tmp_path: Any
) -> None:
    app = make_app(tmp_path, team=False)
    client = app.test_client()
    data, unavailable = post_her_form(client)
    assert unavailable.status_code == 503
    with app.app_context():
        create_team(db_session(), "Hotline", default=True)
    replay = client.post("/en/help/", data=data)
    assert replay.status_code == 400
    assert count(app, HelpRequest) == 0


def test_a_reload_of_a_429_page_an_hour_later_sends_nothing(tmp_path: Any) -> None:
    app = make_app(tmp_path, SUBMIT_RATE_LIMIT="1 per hour", CHECK_RATE_LIMIT="2 per hour")
    client = app.test_client()
    _location, receipt = send(client)
    data, limited = post_her_form(client, message="second " + MESSAGE)
    assert limited.status_code == 429
    assert "second " + MESSAGE in limited.get_data(as_text=True)  # to copy
    app.extensions["campaign_limiter"].reset()  # the hour has passed
    replay = client.post("/en/help/", data=data)
    assert replay.status_code == 400
    assert count(app, HelpRequest) == 1
    # The receipt pages' 429 never shows a receipt.
    open_thread(client, receipt)
    open_thread(client, receipt)
    check_limited = open_thread(client, receipt)
    assert check_limited.status_code == 429
    assert digits(receipt) not in check_limited.get_data(as_text=True)


def make_app(tmp_path: Any, team: bool = True, **config: Any) -> Flask:
    from campaign import create_app

    app = create_app(
        {**TEST_CONFIG, "DATABASE_URL": f"sqlite:///{tmp_path / 'replay.db'}", **config}
    )
    with app.app_context():
        migrate.upgrade(engine())
        if team:
            create_team(db_session(), "Hotline", default=True)
    return app


# --- the fill timer keeps the first start -----------------------------------------------------


def test_an_error_round_keeps_the_first_started_stamp(db_client: FlaskClient) -> None:
    data, response = post_her_form(db_client, message="")
    assert response.status_code == 400
    assert form_tokens_in(response.get_data(as_text=True))["started"] == data["started"]
    _data, response = post_her_form(db_client, message="", started="forged")
    again = form_tokens_in(response.get_data(as_text=True))["started"]
    assert again != "forged" and again != data["started"]


def test_a_quick_correction_after_an_error_round_is_not_bounced(
    db_app: Flask, db_client: FlaskClient
) -> None:
    db_app.config["MIN_FILL_SECONDS"] = 1
    tokens = HelpClient(db_client).form_tokens()
    time.sleep(1.2)  # she writes
    first = db_client.post("/en/help/", data={**HER_FORM, **tokens, "phone": ""})
    assert first.status_code == 400
    fixed = {**HER_FORM, **form_tokens_in(first.get_data(as_text=True))}
    view_url(db_client.post("/en/help/", data=fixed))  # at once: not "check and send again"
    assert count(db_app, HelpRequest) == 1


def test_a_bounce_for_speed_does_not_count_toward_the_limit(tmp_path: Any) -> None:
    app = make_app(tmp_path, SUBMIT_RATE_LIMIT="1 per hour", MIN_FILL_SECONDS=3600)
    client = app.test_client()
    for _try in range(3):
        _data, bounced = post_her_form(client)
        assert bounced.status_code == 400
    app.config["MIN_FILL_SECONDS"] = 0
    send(client)
    assert count(app, HelpRequest) == 1


def test_the_honeypot_still_counts_toward_the_limit(tmp_path: Any) -> None:
    app = make_app(tmp_path, SUBMIT_RATE_LIMIT="1 per hour")
    client = app.test_client()
    _data, caught = post_her_form(client, website="http://spam.example")
    assert caught.status_code == 400
    _data, limited = post_her_form(client)
    assert limited.status_code == 429
    assert count(app, HelpRequest) == 0


def test_a_database_failure_while_reading_the_mark_still_answers(
    db_app: Flask, db_client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> str:
        raise OperationalError("SELECT", {}, Exception("down"))

    monkeypatch.setattr(viewonce, "sent_form_view", broken)
    send(db_client)
    assert count(db_app, HelpRequest) == 1


def test_the_token_of_a_view_is_never_logged() -> None:
    from campaign.core.logs import redact_tokens

    token = "MAiF7C1RVIFtq53yCBUzDQ.lyv6YwQDeYkO0dK2qBVGyTEJNTwJIFDF2sEd4W254vI"
    for kind in ("sent", "thread"):
        line = f'"GET /be/help/{kind}/{token} HTTP/1.1" 203'
        assert redact_tokens(line) == f'"GET /be/help/{kind}/[redacted] HTTP/1.1" 203'
        assert token not in redact_tokens(f"//en//help//{kind}/{token}?x=1")
    assert redact_tokens("/en/help/check") == "/en/help/check"
