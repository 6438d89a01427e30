"""Unusable characters in what a client sends: a 400 page, never a 500.

Owns the check, run before every request of every blueprint, that the URL path, the query
parameters and the form fields (names and values) hold no control character: the C0
controls except tab, line feed and carriage return, DEL, and the C1 controls (U+0080 to
U+009F). PostgreSQL refuses NUL in text, so a NUL in the staff login email or an inbox
filter used to end in a 500; nobody types the others on purpose (they come from scanners,
broken clients or pasted binary), and none of them has a use in any field here.

A request that has one gets :class:`UnusableCharacters`, a 400 that ``core.errors`` renders
in the page's language. A blueprint that can keep what the person wrote registers a problem
page (``core.errors.register_problem_page``) that asks :func:`rejected` whether this 400 is
ours and shows the text again through :func:`without_unusable` (the help forms do).

The body is read only when it is within ``MAX_CONTENT_LENGTH`` (a larger one gets the 413
page as before). An urlencoded body is cached before it is parsed, so later readers of the
raw bytes (the help forms' strict UTF-8 decoding) still see it.

Numbers a client sends for an id (a request number typed or in a query, a choice posted
from a list) are read with :func:`parse_id`: ASCII digits only (``str.isdigit`` is true for
``'²'``, which ``int`` refuses) and at most :data:`MAX_ID`, PostgreSQL's ``integer`` (every
id column), so a longer number is "no such id", never an overflow. Ids in URL paths use the
bounded converter ``<int(max=MAX_ID):...>``, which gives the same 404.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import parse_qsl

from flask import Flask, current_app, g, request
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest

UNUSABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
MAX_ID = 2**31 - 1  # PostgreSQL's integer, the type of every id column
ID_DIGITS = re.compile("[0-9]{1,10}")
FLAG = "unusable_characters"


class UnusableCharacters(BadRequest):
    """A field, parameter or the path holds a control character (other than tab, LF, CR)."""

    description = "The request holds control characters, which cannot be used."
    unusable_characters = True  # read by the error templates


def parse_id(text: object) -> int | None:
    """``text`` as an id: 1 to 10 ASCII digits, at most :data:`MAX_ID`; else None."""
    if not isinstance(text, str) or not ID_DIGITS.fullmatch(text):
        return None
    number = int(text)
    return number if number <= MAX_ID else None


def without_unusable(text: str) -> str:
    return UNUSABLE.sub("", text)


def rejected() -> bool:
    """Whether this request was refused for holding unusable characters."""
    return bool(g.get(FLAG))


def _form_texts() -> Iterator[str]:
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit and (request.content_length or 0) > int(limit):
        return  # the view's form parsing answers with the 413 page
    if request.mimetype == "application/x-www-form-urlencoded":
        request.get_data(cache=True)  # parse from a cached copy: the raw body stays readable
    for key, values in request.form.lists():
        yield key
        yield from values


def _texts() -> Iterator[str]:
    yield request.path
    for key, values in request.args.lists():
        yield key
        yield from values
    yield from _form_texts()


def refuse_unusable_characters() -> None:
    if request.method in ("GET", "HEAD") and not request.query_string:
        texts: Iterator[str] | tuple[str, ...] = (request.path,)  # most requests: the path only
    else:
        texts = _texts()
    if any(UNUSABLE.search(text) for text in texts):
        setattr(g, FLAG, True)
        raise UnusableCharacters()


def salvage_form(kept_max: int) -> MultiDict[str, str]:
    """The fields of an urlencoded body, for an error page that keeps what she wrote (a
    body over the size limit, unusable characters): read up to the size limit, each value
    of a body too large to parse cut to ``kept_max``; never raises."""
    try:
        return MultiDict(request.form)
    except Exception:  # noqa: S110 - too large or unreadable: read what we can below
        pass
    if request.mimetype != "application/x-www-form-urlencoded":
        return MultiDict()
    limit = int(current_app.config.get("MAX_CONTENT_LENGTH") or 0) or 256 * 1024
    try:
        prefix = request.environ["wsgi.input"].read(limit)
    except Exception:
        return MultiDict()
    pairs = parse_qsl(prefix.decode("latin-1"), encoding="utf-8", errors="replace")
    return MultiDict([(key, value[:kept_max]) for key, value in pairs])


def salvage_usable_form(kept_max: int) -> MultiDict[str, str]:
    """As :func:`salvage_form`, every value without the unusable characters and cut to
    ``kept_max``: what a page refusing them shows back."""
    return MultiDict(
        [
            (key, without_unusable(value)[:kept_max])
            for key, value in salvage_form(kept_max).items(multi=True)
        ]
    )


def init_app(app: Flask) -> None:
    app.before_request(refuse_unusable_characters)
