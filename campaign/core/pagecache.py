"""Rendering of reading pages: rendered once per (language, path), then served from memory.

A reading page depends only on its URL and the content it shows (reading pages use no
cookie or session), so its HTML is rendered once per process and content generation
(``g.page_generation``, set by campaign/content/store.py before the view runs) with a
placeholder where the CSP nonce goes; each response swaps in that request's nonce. The weak
ETag is the hash of the placeholder rendering, so revalidation gives 304 without a render.
A 304 keeps the old nonce in the cached page; that is safe because the policy also allows
'self', and our only script and stylesheet are same-origin files.

Browsers and shared caches may keep a reading page ``PAGE_MAX_AGE`` seconds (default 60)
without asking again. Content changes without a deploy: an editor unpublishes a wrong page,
a caseworker presses "It did not answer" and the line must leave every page within a
minute, so a page may not outlive a change by more than that. Five minutes (the value
before pages lived in the database) saved a revalidation on a return to a page within five
minutes; past the minute a return costs one conditional request and a 304 of a few hundred
bytes (the ETag below), not the page, which keeps slow connections cheap.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps

from flask import Flask, Response, current_app, g, request
from werkzeug.wrappers import Response as BaseResponse

from campaign.core.security import csp_nonce

NONCE_PLACEHOLDER = "cspNoncePlaceholder0000"

PageView = Callable[..., str]
# Request headers that can make the answer a 304, 412 or a range.
CONDITIONAL = frozenset(
    {"If-None-Match", "If-Modified-Since", "If-Match", "If-Unmodified-Since", "Range", "If-Range"}
)


def cached_page(view: PageView) -> Callable[..., BaseResponse]:
    """Decorate a view that returns the HTML of a reading page."""

    @wraps(view)
    def wrapper(**kwargs: object) -> BaseResponse:
        cache: dict[tuple[str, str, str], tuple[str, str]] = current_app.extensions["page_cache"]
        key = (str(g.get("page_generation", "")), str(g.get("lang", "")), request.path)
        entry = cache.get(key) if current_app.config["PAGE_CACHE"] else None
        if entry is None:
            g.csp_nonce = NONCE_PLACEHOLDER
            try:
                html = view(**kwargs)
            finally:
                g.pop("csp_nonce", None)
            entry = (html, hashlib.sha256(html.encode()).hexdigest()[:32])
            if current_app.config["PAGE_CACHE"]:
                cache[key] = entry
        html, etag = entry
        response = Response(html.replace(NONCE_PLACEHOLDER, csp_nonce()), mimetype="text/html")
        response.set_etag(etag, weak=True)
        # Written directly: Werkzeug's cache_control object re-serialises on every change.
        max_age = int(current_app.config["PAGE_MAX_AGE"])
        response.headers["Cache-Control"] = f"public, max-age={max_age}"
        if CONDITIONAL.isdisjoint(request.headers.keys()):
            return response  # nothing to compare: the whole page, as make_conditional would
        return response.make_conditional(request)

    return wrapper


def init_app(app: Flask) -> None:
    app.config.setdefault("PAGE_CACHE", not app.debug)
    app.extensions["page_cache"] = {}
