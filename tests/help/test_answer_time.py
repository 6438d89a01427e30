"""The sent page promises an answer time only when the organisation has set one."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.helpclient import HelpClient


def test_no_answer_time_is_promised_by_default(db_client: FlaskClient) -> None:
    html = HelpClient(db_client, "en").submit("Question").get_data(as_text=True)
    assert "working day" not in html
    assert "A caseworker of our team reads your request and answers here." in html


@pytest.fixture
def answer_in_two_days(app_config: dict[str, Any]) -> None:
    app_config["ANSWER_WITHIN_DAYS"] = 2


@pytest.mark.parametrize(
    ("lang", "promise"),
    [
        ("en", "usually within 2 working days"),
        ("ru", "обычно в течение 2 рабочих дней"),
        ("be", "звычайна на працягу 2 працоўных дзён"),
    ],
)
def test_the_set_answer_time_is_shown(
    answer_in_two_days: None, db_client: FlaskClient, lang: str, promise: str
) -> None:
    html = HelpClient(db_client, lang).submit("Question").get_data(as_text=True)
    assert promise in html
