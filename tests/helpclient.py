"""Drive the help pages like a browser would: read the form, keep its tokens, post."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
STARTED = re.compile(r'name="started" value="([^"]+)"')
RECEIPT = re.compile(r'class="receipt"><strong>([\d ]+)</strong>')

DEFAULT_FORM = {
    "category": "physical",
    "region": "unspecified",
    "answer_language": "en",
    "contact_method": "receipt",
    "may_leave_message": "no",
    "message": "",
}


def csrf_token(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no CSRF token in page"
    return match.group(1)


def receipt_of(response: TestResponse) -> str:
    match = RECEIPT.search(response.get_data(as_text=True))
    assert match, "no receipt shown"
    return match.group(1)


class HelpClient:
    def __init__(self, client: FlaskClient, lang: str = "en") -> None:
        self.client = client
        self.lang = lang

    def form_tokens(self) -> dict[str, str]:
        html = self.client.get(f"/{self.lang}/help/").get_data(as_text=True)
        started = STARTED.search(html)
        assert started
        return {"csrf_token": csrf_token(html), "started": started.group(1)}

    def submit(self, message: str, **fields: Any) -> TestResponse:
        data = {**DEFAULT_FORM, **self.form_tokens(), "message": message, **fields}
        return self.client.post(f"/{self.lang}/help/", data=data)

    def submit_ok(self, message: str, **fields: Any) -> str:
        response = self.submit(message, **fields)
        assert response.status_code == 200, response.get_data(as_text=True)[:2000]
        return receipt_of(response)

    def check(self, receipt: str, **extra: Any) -> TestResponse:
        html = self.client.get(f"/{self.lang}/help/check").get_data(as_text=True)
        data = {"csrf_token": csrf_token(html), "receipt": receipt, **extra}
        return self.client.post(f"/{self.lang}/help/check", data=data)

    def add_message(self, receipt: str, message: str) -> TestResponse:
        opened = self.check(receipt)
        token = csrf_token(opened.get_data(as_text=True))
        data = {"csrf_token": token, "receipt": receipt, "message": message}
        return self.client.post(f"/{self.lang}/help/check/message", data=data)
