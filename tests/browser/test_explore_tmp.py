import time, pytest
from playwright.sync_api import Page
from tests.browser.conftest import LiveSite, ContextFactory
pytestmark = pytest.mark.browser

def test_explore(new_context: ContextFactory, site: LiveSite) -> None:
    ctx, traffic = new_context()
    page = ctx.new_page()
    t = time.time()
    page.goto("/en/")
    page.wait_for_load_state("networkidle")
    print("load", time.time() - t)
    print([r.url for r in traffic.requests])
    t = time.time()
    with page.expect_request(site.quick_exit_url) as info:
        page.locator("[data-quick-exit]").click(no_wait_after=True)
    print("click", time.time() - t, traffic.held_exits)
    print(page.evaluate("[document.body.className, !!document.querySelector('.qe-overlay'), getComputedStyle(document.querySelector('main')).visibility, document.title]"))
    print(page.is_visible("main"))
    traffic.release_exits()
    page.wait_for_url(site.quick_exit_url)
    print(page.content(), info.value.headers)
