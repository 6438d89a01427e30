"""What the site's forms put in a page that a client has to send back, or read.

The CSRF token (of a form, or of one form among several, named with a prefix such as
``pw``), the time the help form was served (``started``, for the minimum fill time) and
the receipt number shown once a help request is sent. Each finder returns None when the
page has none; callers decide whether that is a failure.
"""

from __future__ import annotations

import re

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
ANY_CSRF = re.compile(r'name="(?:[\w-]+-)?csrf_token" type="hidden" value="([^"]+)"')
STARTED = re.compile(r'name="started" value="([^"]+)"')
RECEIPT = re.compile(r'class="receipt"><strong>([\d ]+)</strong>')


def csrf_token_in(html: str, prefix: str = "") -> str | None:
    """The CSRF token of the form whose fields carry ``prefix`` (none: the plain form)."""
    if not prefix:
        match = CSRF.search(html)
    else:
        name = re.escape(f"{prefix}-csrf_token")
        match = re.search(rf'name="{name}" type="hidden" value="([^"]+)"', html)
    return match.group(1) if match else None


def first_csrf_token_in(html: str) -> str | None:
    """The CSRF token of the page's first form, whatever its prefix."""
    match = ANY_CSRF.search(html)
    return match.group(1) if match else None


def started_in(html: str) -> str | None:
    """The help form's ``started`` value."""
    match = STARTED.search(html)
    return match.group(1) if match else None


def receipt_in(html: str) -> str | None:
    """The receipt number shown after sending, grouped as on the page (``1234 5678 ...``)."""
    match = RECEIPT.search(html)
    return match.group(1) if match else None
