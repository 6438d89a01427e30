"""Content an editor publishes, hostile or not, stays inert in a real browser.

A statement made of the sanitiser's hardest inputs (script, event attributes, ``javascript:``
and ``data:`` links, SVG, iframes, images from other hosts, entity tricks) is published on
the live app, then opened in Chromium: the page loads with no console error (a CSP
violation is one), asks nothing of any other host, runs no script but the site's own, and
holds no element or attribute that could run or fetch anything.
"""

from __future__ import annotations

import pytest
from flask import Flask

from campaign.content import publishing
from campaign.content.publishing import Text
from campaign.core.db import db_session
from tests.browser.conftest import LiveApp
from tests.browser.sitepages import Visit
from tests.browser.tab import Tab
from tests.browser.tools import open_settled

pytestmark = pytest.mark.browser

HOSTILE = """
# A heading written as h1

<script>window.__pwned = 1</script>
<SCRIPT SRC=//evil.example/x.js></SCRIPT>
<img src=x onerror="window.__pwned = 2">
![pixel](https://evil.example/pixel.png)
<svg onload="window.__pwned = 3"><script>window.__pwned = 4</script></svg>
<iframe src="https://evil.example/"></iframe>
<object data="https://evil.example/x.swf"></object>
<style>body { display: none }</style>
<p style="background:url(https://evil.example/bg.png)">styled</p>
<a href="javascript:window.__pwned = 5">js link</a>
<a href="&#x6A;avascript:window.__pwned = 6">entity link</a>
[data link](data:text/html;base64,PHNjcmlwdD53aW5kb3cuX19wd25lZD03PC9zY3JpcHQ+)
<details open ontoggle="window.__pwned = 8">details</details>
<form action="https://evil.example/"><input name=q><button>go</button></form>
<link rel=stylesheet href="https://evil.example/x.css">
<meta http-equiv="refresh" content="0;url=https://evil.example/">
<base href="https://evil.example/">

An [outside link](https://example.org/page) and an [inside one](/en/safety).
"""


def publish_hostile(app: Flask, slug: str) -> None:
    with app.app_context():
        session = db_session()
        if publishing.find_item(session, "statements", slug) is None:
            publishing.new_item(
                session,
                None,
                section="statements",
                slug=slug,
                lang="en",
                text=Text("A hostile statement", "Summary <b onclick=x()>bold</b>", HOSTILE),
                publish_now=True,
            )


def test_hostile_statement_is_inert_in_chromium(live_app: LiveApp, js_tab: Tab) -> None:
    slug = "hostile-markdown-test"
    publish_hostile(live_app.app, slug)
    open_settled(js_tab, Visit(f"/en/statements/{slug}"))
    page = js_tab.page
    assert page.locator("main h1").inner_text() == "A hostile statement"
    assert page.locator("main h2").first.inner_text() == "A heading written as h1"
    assert page.evaluate("window.__pwned") is None
    body = page.locator("main")
    for selector in (
        "script",
        "img",
        "svg",
        "iframe",
        "object",
        "style",
        "form",
        "link",
        "meta",
        "base",
        "[style]",
        "[onerror]",
        "[onload]",
        "[ontoggle]",
    ):
        assert body.locator(selector).count() == 0, selector
    hrefs = [a.get_attribute("href") or "" for a in body.locator("a").all()]
    assert not [h for h in hrefs if h.split(":", 1)[0].lower() in ("javascript", "data")]
    outside = body.locator('a[href="https://example.org/page"]')
    assert outside.get_attribute("rel") == "noreferrer noopener"
    assert body.locator('a[href="/en/safety"]').get_attribute("rel") is None
    # The list shows it too (newest first), and stays clean.
    js_tab.finish()
    js_tab.reset()
    open_settled(js_tab, Visit("/en/statements/"))
    assert page.locator(f'main a[href="/en/statements/{slug}"]').count() == 1
