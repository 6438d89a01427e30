"""No page's prose tells the reader to call the hotline while it is unavailable or stale.

Issue 13's check: with the hotline marked unavailable, or not confirmed within
``HELPLINE_STALE_DAYS`` (as shipped: last confirmed August 2020), every public page in every
language is read with its list of help lines taken out (that list states each line's status
itself); what is left must not hold the hotline's number in any form, a ``tel:`` link to it,
or a sentence asking the reader to call it. The one exception is the number as text in the
organisation's statement of August 2020, a dated document that names it among the work
it suspended: never as a link or a request to call. Then the hotline is confirmed today, and its
number must come back in the pages' prose (the check can fail: it is not vacuous).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from campaign.content import helpline_edits as edits
from campaign.core.db import db_session
from campaign.models import HelplineStatus
from tests.test_public_pages import public_paths

NUMBER = re.compile(r"8[\s\u00a0-]*801[\s\u00a0-]*100[\s\u00a0-]*8[\s\u00a0-]*801")
DIAL = "88011008801"
# "Call the hotline" and its be/ru forms, as an instruction.
CALL_IT = re.compile(
    r"(call|ring) (the )?(national )?hotline|"
    r"(позвоните|звоните|позвонить) (на |в )?(общенациональную |национальную )?горяч|"
    r"(патэлефануйце|тэлефануйце|патэлефанаваць) (на |у )?(нацыянальную )?гарач",
    re.IGNORECASE,
)
HELPLINES_LIST = re.compile(r'<ul class="helplines">.*?</ul>', re.S)


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    app_config["CONTENT_CHECK_SECONDS"] = 0
    return app_config


def prose_of(html: str) -> str:
    return HELPLINES_LIST.sub("", html)


def set_hotline(app: Flask, status: str, confirmed: dt.date | None) -> None:
    with app.app_context():
        session = db_session()
        hotline = edits.find_line(session, "hotline")
        assert hotline is not None
        if confirmed == dt.date.today():
            edits.confirm_today(session, None, hotline, confirmed)
        else:
            edits.set_status(session, None, hotline, status)


def offenders(client: FlaskClient) -> list[str]:
    found = []
    for path in public_paths():
        prose = prose_of(client.get(path).get_data(as_text=True))
        historical = "/statements/2020-08-suspension" in path
        for what, hit in (
            ("number", None if historical else NUMBER.search(prose)),
            ("tel", DIAL in prose),
            ("call it", CALL_IT.search(prose)),
        ):
            if hit:
                found.append(f"{path}: {what}")
    return found


@pytest.mark.parametrize("state", ["stale as shipped", "unavailable"])
def test_no_prose_sends_the_reader_to_a_hotline_that_may_not_answer(
    db_app: Flask, state: str
) -> None:
    if state == "unavailable":
        set_hotline(db_app, HelplineStatus.UNAVAILABLE.value, None)
    assert offenders(db_app.test_client()) == []


def test_a_confirmed_hotline_comes_back_in_the_prose(db_app: Flask) -> None:
    set_hotline(db_app, HelplineStatus.AVAILABLE.value, dt.date.today())
    client = db_app.test_client()
    with_number = [
        path
        for path in public_paths()
        if NUMBER.search(prose_of(client.get(path).get_data(as_text=True)))
    ]
    assert len(with_number) >= 3 * 3, with_number  # the top bar of every page, at least
