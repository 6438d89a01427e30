"""The empty help form, rendered once per (process, language), like the reading pages.

The help page is the one a survivor must always get and the one a flood hits first, so its
GET does only what is truly per request: a CSRF token (and the session cookie it lives
in), the signed "form shown at" stamp for the minimum fill time, and the CSP nonce. The
rest of the page (layout, help lines, translated labels and hints) depends only on the
language and the content generation (``g.page_generation``: a publish or a help line
change renders it again, as the reading pages), so it is rendered once with marks where
those three values go; each request swaps in its own. A page with the person's text in it
(an error round) is never cached.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, g
from flask_wtf.csrf import generate_csrf

from campaign.core.pagecache import NONCE_PLACEHOLDER
from campaign.core.security import csp_nonce
from campaign.help.forms import new_started_token

CSRF_MARK = "csrfTokenPlaceholder0000"
STARTED_MARK = "startedStampPlaceholder0000"
CACHE = "campaign_help_form_pages"


def empty_form_html(render: Callable[[], tuple[str, str]]) -> str:
    """The empty form's HTML; ``render()`` returns (html, the started stamp it used)."""
    pages: dict[str, tuple[str, str]] = current_app.extensions.setdefault(CACHE, {})
    generation = str(g.get("page_generation", ""))
    cached = pages.get(g.lang) if current_app.config["PAGE_CACHE"] else None
    template = cached[1] if cached is not None and cached[0] == generation else None
    if template is None:
        g.csp_nonce = NONCE_PLACEHOLDER
        try:
            html, started = render()
        finally:
            g.pop("csp_nonce", None)
        template = html.replace(generate_csrf(), CSRF_MARK).replace(started, STARTED_MARK)
        if current_app.config["PAGE_CACHE"]:
            pages[g.lang] = (generation, template)
    return (
        template.replace(CSRF_MARK, generate_csrf())
        .replace(STARTED_MARK, new_started_token())
        .replace(NONCE_PLACEHOLDER, csp_nonce())
    )
