"""The help form over real HTTP (stdlib only): load it, post a request, read the receipt.

Used by the load and fault scripts and by the multi-worker test. A request can also be
sent in two parts (``split_request``), so that the caller decides when a worker, which
has accepted the connection and waits for the rest, gets to handle it.
"""

from __future__ import annotations

import http.client
import re
import socket
from dataclasses import dataclass
from urllib.parse import urlencode

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
STARTED = re.compile(r'name="started" value="([^"]+)"')
RECEIPT = re.compile(r'class="receipt"><strong>([\d ]+)</strong>')
HOST = "127.0.0.1"


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
    csrf, started = CSRF.search(html), STARTED.search(html)
    if response.status != 200 or not (cookie and csrf and started):
        raise RuntimeError(f"help form not served (HTTP {response.status})")
    return FormTokens(cookie, csrf.group(1), started.group(1))


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


def receipt_in(html: str) -> str | None:
    match = RECEIPT.search(html)
    return match.group(1) if match else None


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
    receipt = receipt_in(html) if response.status == 200 else None
    return Outcome(response.status, receipt)


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


def finish_request(sock: socket.socket, rest: bytes) -> Outcome:
    """Send the rest of a split request and read the answer."""
    sock.sendall(rest)
    response = http.client.HTTPResponse(sock)
    response.begin()
    html = response.read().decode()
    receipt = receipt_in(html) if response.status == 200 else None
    return Outcome(response.status, receipt)
