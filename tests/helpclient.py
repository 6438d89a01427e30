"""Drive the help pages like a browser would: read the form, keep its tokens, post.

The tokens and the receipt are found as ``devtools.forms`` finds them (the benchmarks read
the same pages); here a page without them fails the test. Like a browser, the client
follows the redirect (303) that ends a sending, an opening or a message to the page shown
once (``SHOWN_ONCE``, status 203: campaign/cases/viewonce.py); ``response.history`` holds
the POST's own answer.
"""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from devtools.forms import csrf_token_in, receipt_in, started_in

SHOWN_ONCE = 203  # the status of a page shown once (campaign.help.routes.SHOWN_ONCE_STATUS)

DEFAULT_FORM = {
    "category": "physical",
    "region": "unspecified",
    "answer_language": "en",
    "contact_method": "receipt",
    "may_leave_message": "no",
    "message": "",
}


def csrf_token(html: str) -> str:
    token = csrf_token_in(html)
    assert token, "no CSRF token in page"
    return token


def form_tokens_in(html: str) -> dict[str, str]:
    """The help form's hidden fields to send back: CSRF token and start time."""
    started = started_in(html)
    assert started, "no start time in the help form"
    return {"csrf_token": csrf_token(html), "started": started}


def receipt_of(response: TestResponse) -> str:
    receipt = receipt_in(response.get_data(as_text=True))
    assert receipt, "no receipt shown"
    return receipt


class HelpClient:
    def __init__(self, client: FlaskClient, lang: str = "en") -> None:
        self.client = client
        self.lang = lang

    def form_tokens(self) -> dict[str, str]:
        return form_tokens_in(self.client.get(f"/{self.lang}/help/").get_data(as_text=True))

    def submit(self, message: str, **fields: Any) -> TestResponse:
        data = {**DEFAULT_FORM, **self.form_tokens(), "message": message, **fields}
        return self.client.post(f"/{self.lang}/help/", data=data, follow_redirects=True)

    def submit_ok(self, message: str, **fields: Any) -> str:
        response = self.submit(message, **fields)
        assert response.status_code == SHOWN_ONCE, response.get_data(as_text=True)[:2000]
        return receipt_of(response)

    def check(self, receipt: str, **extra: Any) -> TestResponse:
        html = self.client.get(f"/{self.lang}/help/check").get_data(as_text=True)
        data = {"csrf_token": csrf_token(html), "receipt": receipt, **extra}
        return self.client.post(f"/{self.lang}/help/check", data=data, follow_redirects=True)

    def add_message(self, receipt: str, message: str) -> TestResponse:
        opened = self.check(receipt)
        token = csrf_token(opened.get_data(as_text=True))
        data = {"csrf_token": token, "receipt": receipt, "message": message}
        url = f"/{self.lang}/help/check/message"
        return self.client.post(url, data=data, follow_redirects=True)
