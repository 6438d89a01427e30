"""Every public URL in every language: status, lang, quick exit, hotline, headers, hosts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from campaign import create_app
from campaign.content.common import CONTENT_DIR
from campaign.content.importer import read_pages
from campaign.core.config import LANGUAGES
from tests.conftest import TEST_CONFIG
from tests.pagecheck import external_references, find

QUICK_EXIT_URL = "https://www.google.com/search?q=weather"


def shipped_slugs(section: str, lang: str | None = None) -> set[str]:
    """Slugs of the shipped files (``flask init`` imports them, so the site has them)."""
    return {
        page.slug
        for page in read_pages(CONTENT_DIR, LANGUAGES)
        if page.section == section and lang in (None, page.lang)
    }


def public_paths() -> list[str]:
    paths: list[str] = []
    for lang in LANGUAGES:
        paths += [f"/{lang}/", f"/{lang}/statements/", f"/{lang}/home-without-abuse/"]
        paths += [f"/{lang}/statements/{slug}" for slug in sorted(shipped_slugs("statements"))]
        paths += [
            f"/{lang}/home-without-abuse/{slug}"
            for slug in sorted(shipped_slugs("home-without-abuse"))
        ]
        paths += [f"/{lang}/safety", f"/{lang}/privacy", f"/{lang}/help/", f"/{lang}/help/check"]
        paths += [f"/{lang}/home-without-abuse/{tool}" for tool in TOOLS]
    return paths


# The private tools (campaign/public/tools.py): forms that store nothing and set no cookie.
TOOLS = ("is-this-abuse", "safety-plan")


def is_form_page(path: str) -> bool:
    return "/help/" in path


def is_tool(path: str) -> bool:
    return path.rsplit("/", 1)[-1] in TOOLS


PUBLIC_PATHS = public_paths()


@pytest.fixture
def client(read_only_client: FlaskClient) -> FlaskClient:
    """The tests here only read pages: one app per session serves them (conftest)."""
    return read_only_client


def test_every_language_has_the_same_pages() -> None:
    for section in ("statements", "home-without-abuse", "pages"):
        for lang in LANGUAGES:
            assert shipped_slugs(section, lang) == shipped_slugs(section), (section, lang)
    assert len(shipped_slugs("home-without-abuse", "en")) >= 6
    assert {"home", "safety", "privacy"} <= shipped_slugs("pages")


@pytest.mark.parametrize("path", PUBLIC_PATHS)
def test_public_page(client: FlaskClient, path: str) -> None:
    lang = path.split("/")[1]
    response = client.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'<html lang="{lang}">' in html
    exits = find(html, "a", data_quick_exit="")
    assert len(exits) == 1
    assert exits[0]["href"] == QUICK_EXIT_URL
    assert exits[0]["rel"] == "nofollow noreferrer"
    # The shipped hotline is "unknown" (FACTS: reported stopped in 2021): never a call to action.
    assert not find(html, "a", href="tel:88011008801"), "unconfirmed hotline offered"
    assert find(html, "a", href="tel:112"), "112 tel: link"
    switch = [a for a in find(html, "a") if a.get("hreflang")]
    assert {a["hreflang"] for a in switch} >= set(LANGUAGES)
    assert all(a["lang"] == a["hreflang"] for a in switch)
    assert external_references(html, {QUICK_EXIT_URL}) == []
    assert_security_headers(response.headers)
    if is_tool(path):
        # The private tools: nothing kept by the browser, and no cookie at all.
        assert response.headers["Cache-Control"].startswith("no-store")
        assert "Set-Cookie" not in response.headers
    elif is_form_page(path):
        # Form pages: the session cookie (CSRF) only here, and nothing kept by the browser.
        assert response.headers["Cache-Control"].startswith("no-store")
        assert "HttpOnly" in response.headers["Set-Cookie"]
        assert "SameSite=Lax" in response.headers["Set-Cookie"]
    else:
        assert "Set-Cookie" not in response.headers
        assert response.headers["ETag"]
        assert "no-store" not in response.headers.get("Cache-Control", "")


def assert_security_headers(headers: object) -> None:
    from werkzeug.datastructures import Headers

    assert isinstance(headers, Headers)
    csp = headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert re.search(r"script-src 'self' 'nonce-[\w-]{16,}'", csp)
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "geolocation=()" in headers["Permissions-Policy"]


def test_nonce_differs_per_request_and_matches_tags(client: FlaskClient) -> None:
    nonces = []
    for _ in range(2):
        response = client.get("/en/statements/2020-08-suspension")
        nonce = re.search(r"'nonce-([\w-]+)'", response.headers["Content-Security-Policy"])
        assert nonce
        html = response.get_data(as_text=True)
        assert find(html, "script", nonce=nonce.group(1))
        assert find(html, "link", rel="stylesheet", nonce=nonce.group(1))
        nonces.append(nonce.group(1))
    assert nonces[0] != nonces[1]


def test_revalidation_gives_304(client: FlaskClient) -> None:
    first = client.get("/be/")
    again = client.get("/be/", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""


@pytest.mark.parametrize(
    ("accept", "target"),
    [
        ("ru-RU,ru;q=0.9,en;q=0.8", "/ru/"),
        ("en-GB,en;q=0.9", "/en/"),
        ("be", "/be/"),
        ("fr-FR,de;q=0.5", "/be/"),
        ("", "/be/"),
        ("de;q=0.9,en;q=0.5,ru;q=0.8", "/ru/"),
    ],
)
def test_root_redirects_by_accept_language(client: FlaskClient, accept: str, target: str) -> None:
    response = client.get("/", headers={"Accept-Language": accept} if accept else {})
    assert response.status_code == 302
    assert response.headers["Location"] == target
    assert "Accept-Language" in response.headers["Vary"]
    assert "Set-Cookie" not in response.headers


NOT_FOUND_TITLE = {
    "be": "Старонка не знойдзена",
    "ru": "Страница не найдена",
    "en": "Page not found",
}


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(
    "path",
    ["/{lang}/statements/no-such-statement", "/{lang}/home-without-abuse/nothing", "/{lang}/x"],
)
def test_unknown_slug_is_404_in_that_language(client: FlaskClient, lang: str, path: str) -> None:
    response = client.get(path.format(lang=lang))
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert f'<html lang="{lang}">' in html
    assert NOT_FOUND_TITLE[lang] in html
    assert find(html, "a", data_quick_exit="")
    assert find(html, "a", href="tel:112")
    assert_security_headers(response.headers)
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize(("accept", "lang"), [("ru", "ru"), ("en-US", "en"), ("", "be")])
def test_unknown_language_is_404_by_accept_language(
    client: FlaskClient, accept: str, lang: str
) -> None:
    response = client.get("/xx/statements/", headers={"Accept-Language": accept})
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert f'<html lang="{lang}">' in html
    assert NOT_FOUND_TITLE[lang] in html


def test_wrong_method_is_a_405_page(client: FlaskClient) -> None:
    response = client.post("/ru/statements/")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    html = response.get_data(as_text=True)
    assert '<html lang="ru">' in html
    assert find(html, "a", data_quick_exit="")


def test_unexpected_error_is_a_500_page_without_details(
    caplog: pytest.LogCaptureFixture, site_db: str
) -> None:
    app = create_app(dict(TEST_CONFIG, PROPAGATE_EXCEPTIONS=False, DATABASE_URL=site_db))

    @app.get("/<lang>/boom")
    def boom() -> str:
        raise RuntimeError("secret request text")

    response = app.test_client().get("/ru/boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert '<html lang="ru">' in html
    assert "secret request text" not in html
    assert "Traceback" not in html
    assert "secret request text" not in caplog.text
    assert "RuntimeError" in caplog.text


def test_static_files_are_versioned_and_immutable(client: FlaskClient) -> None:
    html = client.get("/en/").get_data(as_text=True)
    (css,) = [a["href"] for a in find(html, "link", rel="stylesheet")]
    assert re.search(r"\?v=[0-9a-f]{12}$", css)
    with client.get(css) as response:
        assert response.status_code == 200
        cache = response.headers["Cache-Control"]
        assert "immutable" in cache and "max-age=31536000" in cache
        assert "Set-Cookie" not in response.headers


def test_hsts_only_when_https_configured(site_db: str) -> None:
    plain = create_app(dict(TEST_CONFIG, DATABASE_URL=site_db)).test_client().get("/en/")
    assert "Strict-Transport-Security" not in plain.headers
    secure = create_app(dict(TEST_CONFIG, HTTPS=True, DATABASE_URL=site_db))
    assert (
        secure.test_client().get("/en/").headers["Strict-Transport-Security"].startswith("max-age=")
    )


def test_onion_location_when_configured(site_db: str) -> None:
    app = create_app(
        dict(TEST_CONFIG, ONION_LOCATION="http://example.onion/", DATABASE_URL=site_db)
    )
    response = app.test_client().get("/en/safety")
    assert response.headers["Onion-Location"] == "http://example.onion/en/safety"


def test_statement_is_in_the_list_with_back_link(client: FlaskClient) -> None:
    listing = client.get("/en/statements/").get_data(as_text=True)
    assert find(listing, "a", href="/en/statements/2020-08-suspension")
    page = client.get("/en/statements/2020-08-suspension").get_data(as_text=True)
    assert "August 2020" in page
    assert "National Domestic Violence Hotline" in page
    back = find(page, "a", href="/en/statements/")
    assert back
    assert "Back to list" in page


@pytest.mark.parametrize(("lang", "month"), [("be", "Жнівень 2020"), ("ru", "Август 2020")])
def test_statement_translations_are_marked(client: FlaskClient, lang: str, month: str) -> None:
    page = client.get(f"/{lang}/statements/2020-08-suspension").get_data(as_text=True)
    assert month in page
    assert "translation-note" in page
    assert find(page, "a", href="/en/statements/2020-08-suspension", hreflang="en")


def test_materials_show_no_review_nobody_made(client: FlaskClient) -> None:
    """The shipped pages were never reviewed by the organisation: no "Last reviewed" date
    (only "Reviewed today" in the staff area sets one, see tests/staff/test_publishing.py)."""
    for lang in LANGUAGES:
        for slug in shipped_slugs("home-without-abuse"):
            page = client.get(f"/{lang}/home-without-abuse/{slug}").get_data(as_text=True)
            assert "Last reviewed" not in page and "2026" not in page, (lang, slug)
            assert find(page, "a", href=f"/{lang}/home-without-abuse/")


def test_help_page_lists_help_lines(client: FlaskClient) -> None:
    html = client.get("/en/help/").get_data(as_text=True)
    # The unconfirmed hotline: its number and what is known, never its hours or services
    # (they would read as a promise).
    assert "8 801 100 8 801" in html and "every day, 8:00–20:00" not in html
    assert "around the clock" in html  # the emergency numbers' hours
    assert "@HelpHotlineBot" in html
    for number in ("112", "101", "102", "103"):
        assert find(html, "a", href=f"tel:{number}")
    assert "Last confirmed as working: August 2020. It may not answer now." in html


def test_reading_pages_set_no_cookie_even_with_one_sent(client: FlaskClient) -> None:
    client.set_cookie("session", "whatever")
    for path in [p for p in PUBLIC_PATHS if not is_form_page(p)]:
        assert "Set-Cookie" not in client.get(path).headers


# --- small things of issue 13 ------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_pages_are_found_with_a_trailing_slash_too(client: FlaskClient, lang: str) -> None:
    for path in (f"/{lang}/safety", f"/{lang}/privacy", f"/{lang}/help/check"):
        response = client.get(path + "/")
        assert response.status_code == 308, path
        assert response.headers["Location"] == path
    assert client.get(f"/{lang}/no-such-page/").status_code == 404
    assert client.get(f"/{lang}/no-such-page").status_code == 404


def test_home_title_names_the_site_once(client: FlaskClient) -> None:
    html = client.get("/en/").get_data(as_text=True)
    assert "<title>Home without abuse</title>" in html
    safety = client.get("/en/safety").get_data(as_text=True)
    assert re.search(r"<title>[^<]+ – Home without abuse</title>", safety)


def test_language_alternates_include_the_page_and_x_default(client: FlaskClient) -> None:
    html = client.get("/ru/safety").get_data(as_text=True)
    links = {a["hreflang"]: a["href"] for a in find(html, "link", rel="alternate")}
    assert links == {
        "be": "/be/safety",
        "ru": "/ru/safety",
        "en": "/en/safety",
        "x-default": "/be/safety",
    }


def test_language_alternates_are_absolute_from_the_public_url(site_db: str) -> None:
    app = create_app(dict(TEST_CONFIG, DATABASE_URL=site_db, PUBLIC_URL="https://example.org/"))
    html = (
        app.test_client().get("/en/", headers={"Host": "attacker.example"}).get_data(as_text=True)
    )
    links = {a["hreflang"]: a["href"] for a in find(html, "link", rel="alternate")}
    assert links["en"] == "https://example.org/en/"
    assert links["x-default"] == "https://example.org/be/"
    assert "attacker.example" not in html


def test_every_language_of_a_page_has_the_same_sections() -> None:
    """The same ``## `` sections, in the same number, in be, ru and en of every shipped page."""
    pages = read_pages(CONTENT_DIR, LANGUAGES)
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for page in pages:
        headings = sum(1 for line in page.text.body.splitlines() if line.startswith("## "))
        counts.setdefault((page.section, page.slug), {})[page.lang] = headings
    for name, by_lang in counts.items():
        assert set(by_lang) == set(LANGUAGES), name
        assert len(set(by_lang.values())) == 1, (name, by_lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_print_shows_112_and_every_offered_line(client: FlaskClient, lang: str) -> None:
    """On paper the top bar is hidden: the footer's print-only list carries the numbers
    (tests/browser/test_print.py checks what Chromium prints)."""
    css = (Path(__file__).resolve().parent.parent / "static" / "site.css").read_text()
    assert ".print-lines{display:none}" in css
    assert "@media print{.print-lines{display:block!important" in css
    for path in [p for p in PUBLIC_PATHS if p.startswith(f"/{lang}/") and not is_tool(p)]:
        html = client.get(path).get_data(as_text=True)
        if '<ul class="helplines">' in html:  # the page's own list of lines prints
            printed = html.split('<ul class="helplines">', 1)[1].split("</ul>", 1)[0]
            assert '<div class="print-lines">' not in html
            numbers = [f'href="tel:{n}">{n}</a>' for n in ("112", "102", "103", "101")]
        else:
            printed = html.split('<div class="print-lines">', 1)[1].split("</div>", 1)[0]
            numbers = [f"<strong>{n}</strong>" for n in ("112", "102", "103", "101")]
        for number in numbers:
            assert number in printed, (path, number)
        assert "tel:88011008801" not in printed  # not confirmed: not offered


def test_each_language_version_is_written_in_its_language() -> None:
    """Belarusian has і and ў but no и, щ or ъ; Russian the other way round; English is
    Latin. A few letters of the other kind may come from a quoted name (the campaign's
    Russian name on a Belarusian page), never a paragraph."""
    for page in read_pages(CONTENT_DIR, LANGUAGES):
        text = (page.text.title + " " + page.text.summary + " " + page.text.body).lower()
        cyrillic = sum(1 for ch in text if "\u0400" <= ch <= "\u04ff")
        latin = sum(1 for ch in text if "a" <= ch <= "z")
        be_only = sum(text.count(ch) for ch in "іў")
        ru_only = sum(text.count(ch) for ch in "ищъ")
        name = f"{page.section}/{page.slug}.{page.lang}"
        if page.lang == "en":
            assert cyrillic < 0.02 * latin, name
        elif page.lang == "be":
            assert ru_only < 0.02 * be_only and be_only > 0.03 * cyrillic, name
        else:
            assert be_only < 0.02 * ru_only and ru_only > 0.03 * cyrillic, name


def test_every_page_is_at_most_30_kb_with_its_stylesheet(client: FlaskClient) -> None:
    """Issue 13's budget for a slow connection: each page's HTML and the stylesheet."""
    with client.get("/static/site.css") as stylesheet:
        css = len(stylesheet.data)
    heavy = {path: len(client.get(path).data) + css for path in PUBLIC_PATHS}
    assert {path: size for path, size in heavy.items() if size > 30 * 1024} == {}
