"""The help form over real HTTP (stdlib only): load it, post a request, read the receipt.

Used by the load and fault scripts (``bench/``) and by the tests that run gunicorn. A
request can also be sent in two parts (``split_request``), so that the caller decides when
a worker, which has accepted the connection and waits for the rest, gets to handle it.

A request that is stored is answered with a redirect (303) to the page that shows its
receipt once (campaign/cases/viewonce.py); like a browser, these follow it, and the
outcome is that page's status (203, ``SHOWN_ONCE``) and receipt.
"""

from __future__ import annotations

import http.client
import socket
from dataclasses import dataclass
from urllib.parse import urlencode

from devtools.forms import csrf_token_in, receipt_in, started_in

HOST = "127.0.0.1"
SHOWN_ONCE = 203  # the status of the page that shows a receipt once


@dataclass(frozen=True)
class FormTokens:
    cookie: str
    csrf_token: str
    started: str


@dataclass(frozen=True)
class Outcome:
    status: int  # 0: no HTTP response (connection refused, reset or timed out)
    receipt: str | None
    error: str = ""


def load_form(port: int, lang: str = "en", timeout: float = 30.0) -> FormTokens:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", f"/{lang}/help/")
        response = conn.getresponse()
        html = response.read().decode()
    finally:
        conn.close()
    cookie = (response.getheader("Set-Cookie") or "").split(";", 1)[0]
    csrf, started = csrf_token_in(html), started_in(html)
    if response.status != 200 or not (cookie and csrf and started):
        raise RuntimeError(f"help form not served (HTTP {response.status})")
    return FormTokens(cookie, csrf, started)


def form_body(tokens: FormTokens, message: str) -> bytes:
    return urlencode(
        {
            "csrf_token": tokens.csrf_token,
            "started": tokens.started,
            "category": "psychological",
            "region": "unspecified",
            "answer_language": "en",
            "contact_method": "receipt",
            "may_leave_message": "no",
            "message": message,
        }
    ).encode()


def post_request(port: int, tokens: FormTokens, message: str, lang: str = "en") -> Outcome:
    """Post one help request; the outcome says what the client was told."""
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        conn.request(
            "POST",
            f"/{lang}/help/",
            body=form_body(tokens, message),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": tokens.cookie,
            },
        )
        response = conn.getresponse()
        html = response.read().decode()
    except (OSError, http.client.HTTPException) as exc:
        return Outcome(0, None, type(exc).__name__)
    finally:
        conn.close()
    return _outcome(port, tokens, response, html)


def _outcome(
    port: int, tokens: FormTokens, response: http.client.HTTPResponse, html: str
) -> Outcome:
    """The outcome of a POST's answer, following a 303 to the page shown once."""
    location = response.getheader("Location")
    if response.status != 303 or not location:
        return Outcome(response.status, None)
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        conn.request("GET", location, headers={"Cookie": tokens.cookie})
        shown = conn.getresponse()
        html = shown.read().decode()
    except (OSError, http.client.HTTPException) as exc:
        return Outcome(0, None, type(exc).__name__)
    finally:
        conn.close()
    receipt = receipt_in(html) if shown.status == SHOWN_ONCE else None
    return Outcome(shown.status, receipt)


def split_request(tokens: FormTokens, message: str, lang: str = "en") -> tuple[bytes, bytes]:
    """The raw POST in two parts: headers without their final blank line, then the rest."""
    body = form_body(tokens, message)
    head = (
        f"POST /{lang}/help/ HTTP/1.1\r\n"
        f"Host: {HOST}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Cookie: {tokens.cookie}\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Connection: close\r\n"
    ).encode()
    return head, b"\r\n" + body


def finish_request(sock: socket.socket, rest: bytes, tokens: FormTokens) -> Outcome:
    """Send the rest of a split request and read the answer (following its redirect)."""
    sock.sendall(rest)
    response = http.client.HTTPResponse(sock)
    response.begin()
    html = response.read().decode()
    return _outcome(sock.getpeername()[1], tokens, response, html)
