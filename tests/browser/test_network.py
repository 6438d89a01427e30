"""Network and weight: the browser asks only the app for anything, and pages are light.

Every request a page makes is recorded (every other browser test checks the same after
it ends, see ``Tab.finish``); each page is also loaded to rest (``tools.open_settled``)
and must log no console error (a CSP violation would be one) and no failed request:
staff pages here, public pages in test_quick_exit.py. Weight is the
browser's own count of bytes received (DevTools ``Network.loadingFinished``) for a first
visit with an empty cache.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import TabFactory
from tests.browser.sitepages import PUBLIC_VISITS, STAFF_VISITS, Visit, one_language_each
from tests.browser.tab import Tab
from tests.browser.tools import (
    Weight,
    WeightMeter,
    declared_icon,
    open_settled,
    open_visit,
    wait_for,
)

pytestmark = pytest.mark.browser

ICON = "/static/favicon.png"
HOME_LIMIT = 30 * 1024  # the budget for the home page
# Other pages: the help form is the heaviest (about 29.6 KB); this leaves room for text
# while still catching a page that grows by a web font or a library.
PAGE_LIMIT = 40 * 1024


@pytest.mark.parametrize("visit", STAFF_VISITS, ids=lambda v: v.id)
def test_only_the_app_is_contacted(js_tab: Tab, visit: Visit) -> None:
    """Staff pages; every public page gets the same check in test_quick_exit.py, before
    its exit button is pressed."""
    open_settled(js_tab, visit)


def measure(tab: Tab, meter: WeightMeter, visit: Visit) -> Weight:
    meter.reset()
    tab.requests.clear()
    open_visit(tab.page, tab.site, visit)
    tab.page.wait_for_load_state("load")
    icon = declared_icon(tab.page, tab.site)
    wait_for(tab.page, lambda: meter.settled() and (icon is None or icon in meter.weight.responses))
    return meter.weight


HOMES = {"/be/", "/ru/", "/en/"}


def test_page_weight(new_tab: TabFactory) -> None:
    """Bytes per page on a first visit; prints the table. Home <= 30 KB, others <= 40 KB.
    Each page in one language, the languages in turn, and every language's home
    (tests/test_public_pages.py holds every page in every language to 30 KB without a
    browser)."""
    tab = new_tab()
    meter = WeightMeter(tab.context.new_cdp_session(tab.page))  # the cache is off
    visits = one_language_each(PUBLIC_VISITS)
    visits += [v for v in PUBLIC_VISITS if v.path in HOMES and v not in visits]
    weights = {visit.path: measure(tab, meter, visit) for visit in visits}
    print(f"\n{'page':<52}{'transferred':>12}{'bodies':>9}  responses")
    for path, weight in weights.items():
        print(f"{path:<52}{weight.transferred:>12,}{weight.bodies:>9,}  {len(weight.responses)}")
    for lang in ("be", "ru", "en"):
        home = weights[f"/{lang}/"]
        assert 0 < home.transferred <= HOME_LIMIT, (lang, home)
        # The page, its stylesheet, its script (and its icon, if the browser asks).
        paths = {urlsplit(url).path for url in home.responses}
        assert {f"/{lang}/", "/static/site.css", "/static/quick-exit.js"} <= paths
        assert paths <= {f"/{lang}/", "/static/site.css", "/static/quick-exit.js", ICON}
        assert home.failed == []
    heavy = {p: w.transferred for p, w in weights.items() if w.transferred > PAGE_LIMIT}
    assert heavy == {}
