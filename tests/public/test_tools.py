"""The two private tools ("Is this abuse?" and the safety plan, campaign/public/tools.py):
every language, the answer pages, and what they must never leave behind: no database row
changed, no log line with an answer, no cookie, nothing the browser may store, nothing in a URL.
"""

from __future__ import annotations

import logging
import re
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from flask_babel import gettext
from sqlalchemy import Engine, MetaData, Table, inspect, select
from werkzeug.serving import make_server
from werkzeug.test import TestResponse

from campaign import create_app
from campaign.core.db import db_session
from campaign.public.toolforms import BAG, KIND_BY_KEY, QUESTIONS, TEXT_MAX
from tests.conftest import TEST_CONFIG
from tests.pagecheck import external_references, find

LANGS = ["be", "ru", "en"]
SELF_CHECK = "/{lang}/home-without-abuse/is-this-abuse"
SAFETY_PLAN = "/{lang}/home-without-abuse/safety-plan"
QUICK_EXIT_URL = "https://www.google.com/search?q=weather"
STATIC = Path(__file__).resolve().parent.parent.parent / "static"
STYLESHEET = STATIC / "site.css"
PAGE_BUDGET = 30 * 1024  # a page with its stylesheet and script, as tests/test_assets.py counts

# Distinctive answers: none of them may be found anywhere but in the page sent back.
SECRET = "Aunt Zinaida 12 Lenin St"
SECRET_WORD = "Pomegranate-Kettle-77"
ANSWERS = {"about": "myself", "hurts": "yes", "money": "sometimes", "afraid": "yes"}
ANSWERS.update({q.name: "no" for q in QUESTIONS if q.name not in ANSWERS})
PLAN = {
    "people": f"{SECRET}: she will call 112 and keep my bag",
    "code_word": SECRET_WORD,
    "bag": ["money", "charger"],
    "documents": ["passport"],
    "places": "Crisis room <script>alert(1)</script>",
    "numbers": "My sister",
    "children_tell": "Run to the neighbours",
    "children_pickup": "Grandmother, from school",
    "after": "Change passwords",
}


@pytest.fixture
def client(read_only_client: FlaskClient) -> FlaskClient:
    """Most tests here only read pages and post to tools that write nothing (conftest)."""
    return read_only_client


def translated(app: Flask, lang: str, text: Any) -> str:
    """``text`` (a message id, or a lazy string of the forms) in ``lang``."""
    with app.test_request_context(f"/{lang}/"):
        g.lang = lang
        return gettext(text) if isinstance(text, str) else str(text)


def html_of(response: TestResponse) -> str:
    return response.get_data(as_text=True)


def assert_private(response: TestResponse) -> None:
    """Nothing the browser keeps: no-store, no cookie, no redirect to a URL."""
    assert response.headers["Cache-Control"].startswith("no-store"), response.headers
    assert "Set-Cookie" not in response.headers
    assert "Location" not in response.headers
    assert "ETag" not in response.headers
    assert response.history == ()


def page_size(html: str) -> int:
    assets = (STYLESHEET, STATIC / "quick-exit.js")
    return len(html.encode()) + sum(path.stat().st_size for path in assets)


# The forms in every language --------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_self_check_asks_every_question(
    client: FlaskClient, read_only_app: Flask, lang: str
) -> None:
    response = client.get(SELF_CHECK.format(lang=lang))
    assert response.status_code == 200
    assert_private(response)
    html = html_of(response)
    assert f'<html lang="{lang}">' in html
    assert translated(read_only_app, lang, "Is this abuse?") in html
    for question in QUESTIONS:
        assert translated(read_only_app, lang, question.label) in html, question.name
        assert len(find(html, "input", type="radio", name=question.name)) == 3
    assert len(find(html, "fieldset")) == len(QUESTIONS) + 1  # and "who are you asking about"
    assert len(find(html, "legend")) == len(QUESTIONS) + 1
    assert_tool_form(html, "is-this-abuse", lang)


@pytest.mark.parametrize("lang", LANGS)
def test_safety_plan_form_has_every_section(
    client: FlaskClient, read_only_app: Flask, lang: str
) -> None:
    response = client.get(SAFETY_PLAN.format(lang=lang))
    assert response.status_code == 200
    assert_private(response)
    html = html_of(response)
    assert f'<html lang="{lang}">' in html
    for heading in (
        "Safe people",
        "A bag to pack",
        "Documents",
        "Safe places",
        "Numbers to learn by heart",
        "Children",
        "After leaving",
    ):
        assert f"<h2>{translated(read_only_app, lang, heading)}</h2>" in html, heading
    for choice in BAG:
        assert translated(read_only_app, lang, choice.label) in html
    assert len(find(html, "input", type="checkbox", name="bag")) == len(BAG)
    assert find(html, "input", type="checkbox", name="documents", value="passport")
    for textarea in find(html, "textarea"):
        assert textarea["maxlength"] == str(TEXT_MAX)
        assert textarea["autocomplete"] == "off"
    assert_tool_form(html, "safety-plan", lang)


def assert_tool_form(html: str, slug: str, lang: str) -> None:
    forms = find(html, "form", action=f"/{lang}/home-without-abuse/{slug}")
    assert len(forms) == 1
    assert forms[0]["method"] == "post"
    assert forms[0]["autocomplete"] == "off"
    exits = find(html, "a", data_quick_exit="")
    assert len(exits) == 1 and exits[0]["href"] == QUICK_EXIT_URL
    assert find(html, "a", href="tel:112")
    assert external_references(html, {QUICK_EXIT_URL}) == []
    assert page_size(html) <= PAGE_BUDGET, page_size(html)


def test_a_query_string_is_never_shown(client: FlaskClient) -> None:
    html = html_of(client.get("/en/home-without-abuse/safety-plan?people=QueryText&hurts=yes"))
    assert "QueryText" not in html
    data = {**PLAN, "people": "Body text"}
    response = client.post("/en/home-without-abuse/safety-plan?people=QueryText", data=data)
    assert response.status_code == 203
    assert "QueryText" not in html_of(response) and "Body text" in html_of(response)


# "Is this abuse?": the answer page ----------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_answer_page_names_the_kinds_and_the_ways_to_help(
    client: FlaskClient, read_only_app: Flask, lang: str
) -> None:
    response = client.post(SELF_CHECK.format(lang=lang), data=ANSWERS)
    assert response.status_code == 203  # shown like 200, kept out of the back/forward cache
    assert_private(response)
    html = html_of(response)
    assert f'<html lang="{lang}">' in html
    for key in ("fear", "money", "physical"):
        kind = KIND_BY_KEY[key]
        assert f"<h2>{translated(read_only_app, lang, kind.title)}</h2>" in html, key
        assert translated(read_only_app, lang, kind.meaning) in html, key
    for key in ("control", "put-downs", "sexual", "threats"):
        assert translated(read_only_app, lang, KIND_BY_KEY[key].title) not in html, key
    assert translated(read_only_app, lang, "Fear is the clearest sign") in html
    assert translated(read_only_app, lang, "It is not your fault") in html
    assert translated(read_only_app, lang, "Violence and threats can get worse.") in html
    assert find(html, "a", href=f"/{lang}/help/")
    assert find(html, "a", href=f"/{lang}/home-without-abuse/safety-plan")
    assert find(html, "a", href=f"/{lang}/home-without-abuse/safety-planning")
    assert find(html, "a", href=f"/{lang}/home-without-abuse/where-to-find-help")
    callout = html.split('id="call-heading"', 1)[1]
    assert 'href="tel:112"' in callout.split("</section>", 1)[0]  # from the help line data
    assert not find(html, "a", href="tel:88011008801")  # the unconfirmed hotline: never
    # No score, no label: no count of answers and no verdict.
    assert not re.search(r"\b\d+\s*/\s*12\b", html)
    assert page_size(html) <= PAGE_BUDGET, page_size(html)
    # The language links lead to the questions, not to a POST-only page.
    other = "ru" if lang != "ru" else "be"
    assert find(html, "a", hreflang=other, href=SELF_CHECK.format(lang=other))


def test_answer_page_speaks_to_someone_asking_for_another(
    client: FlaskClient, read_only_app: Flask
) -> None:
    html = html_of(client.post("/ru/home-without-abuse/is-this-abuse", data={
        **ANSWERS, "about": "someone-close"
    }))  # fmt: skip
    assert translated(read_only_app, "ru", "How you can help") in html
    assert translated(read_only_app, "ru", "It is not your fault") not in html
    assert find(html, "a", href="/ru/home-without-abuse/how-to-help")


def test_only_no_answers_get_a_plain_word(client: FlaskClient, read_only_app: Flask) -> None:
    data = {q.name: "no" for q in QUESTIONS}
    response = client.post("/en/home-without-abuse/is-this-abuse", data=data)
    assert response.status_code == 203
    html = html_of(response)
    assert "You answered “no” to every question you answered." in html
    assert "Fear is the clearest sign" in html
    assert not any(f"<h2>{kind.title}</h2>" in html for kind in KIND_BY_KEY.values())


@pytest.mark.parametrize("lang", LANGS)
def test_no_answers_is_a_clear_message(
    client: FlaskClient, read_only_app: Flask, lang: str
) -> None:
    response = client.post(SELF_CHECK.format(lang=lang), data={"about": "myself"})
    assert response.status_code == 200
    assert_private(response)
    html = html_of(response)
    assert translated(read_only_app, lang, "You did not answer any question.") in html
    assert len(find(html, "input", type="radio", name="hurts")) == 3  # the questions again
    assert find(html, "input", type="radio", name="about", value="myself", checked="")


def test_a_made_up_answer_is_refused_with_the_answers_kept(client: FlaskClient) -> None:
    response = client.post(
        "/en/home-without-abuse/is-this-abuse", data={"hurts": "always", "money": "yes"}
    )
    assert response.status_code == 400
    html = html_of(response)
    assert "Choose one of the options." in html
    assert find(html, "a", href="#hurts-0")  # the error summary
    assert find(html, "input", type="radio", name="money", value="yes", checked="")


# The safety plan: the result page ------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_plan_shows_her_words_escaped_with_the_print_warning(
    client: FlaskClient, read_only_app: Flask, lang: str
) -> None:
    response = client.post(SAFETY_PLAN.format(lang=lang), data=PLAN)
    assert response.status_code == 203
    assert_private(response)
    html = html_of(response)
    plan = html.split('<article class="plan"', 1)[1].split("</article>", 1)[0]
    assert SECRET in plan and SECRET_WORD in plan
    assert "Crisis room &lt;script&gt;alert(1)&lt;/script&gt;" in plan
    assert "<script>alert" not in html
    assert translated(read_only_app, lang, "A phone charger") in plan
    assert translated(read_only_app, lang, "Your passport or other ID") in plan
    assert translated(read_only_app, lang, "A bank card") not in plan
    assert 'href="tel:112"' in plan  # the lines to call are part of what is printed
    warning = translated(
        read_only_app,
        lang,
        "This plan is not saved anywhere: not on our server and not in this browser. "
        "Close this page when you are done.",
    )
    assert warning in html.split('<article class="plan"', 1)[0]
    printers = translated(
        read_only_app,
        lang,
        "Printers and shared devices can keep a copy. A printer at work, in a library or a "
        "copy shop, or a computer shared at home, can keep the plan in its print queue, its "
        "memory or a file. Print only where you trust the printer and the device.",
    )
    assert printers in html.split('<article class="plan"', 1)[0]
    assert page_size(html) <= PAGE_BUDGET + 2 * len(str(PLAN).encode()), page_size(html)


def test_change_the_plan_brings_back_every_word(client: FlaskClient) -> None:
    result = html_of(client.post("/en/home-without-abuse/safety-plan", data=PLAN))
    hidden = find(result, "input", type="hidden")
    data: dict[str, list[str]] = {}
    for field in hidden:
        data.setdefault(field["name"], []).append(field["value"])
    assert data["places"] == [PLAN["places"]] and data["bag"] == PLAN["bag"]
    response = client.post("/en/home-without-abuse/safety-plan", data={**data, "change": "1"})
    assert response.status_code == 203
    assert_private(response)
    html = html_of(response)
    assert find(html, "input", name="code_word", value=SECRET_WORD)
    assert find(html, "input", type="checkbox", name="bag", value="charger", checked="")
    assert "&lt;script&gt;" in html.split('name="places"', 1)[1].split("</textarea>", 1)[0]


def test_an_empty_plan_is_a_clear_message(client: FlaskClient) -> None:
    response = client.post("/be/home-without-abuse/safety-plan", data={"people": "  "})
    assert response.status_code == 200
    assert "Ваш план пусты." in html_of(response)


TOO_LONG = {"en": "This is too long", "ru": "Слишком длинно", "be": "Занадта доўга"}


@pytest.mark.parametrize("lang", LANGS)
def test_a_too_long_field_keeps_her_text(
    client: FlaskClient, read_only_app: Flask, lang: str
) -> None:
    long_text = SECRET + " " + "x" * TEXT_MAX
    response = client.post(SAFETY_PLAN.format(lang=lang), data={**PLAN, "after": long_text})
    assert response.status_code == 400
    assert_private(response)
    html = html_of(response)
    assert TOO_LONG[lang] in html
    assert find(html, "a", href="#after")  # the error summary
    after = html.split('name="after"', 1)[1].split("</textarea>", 1)[0]
    assert long_text in after
    assert find(html, "input", name="code_word", value=SECRET_WORD)  # the rest is kept too


def test_unusable_characters_keep_the_rest(client: FlaskClient) -> None:
    response = client.post(
        "/ru/home-without-abuse/safety-plan", data={**PLAN, "numbers": "My\x01 sister"}
    )
    assert response.status_code == 400
    assert_private(response)
    html = html_of(response)
    assert "My sister" in html and SECRET_WORD in html
    assert '<html lang="ru">' in html


def test_a_too_large_body_keeps_her_text(app: Flask) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 4096
    body = urllib.parse.urlencode({**PLAN, "after": "y" * 8000}, doseq=True)
    response = app.test_client().post(
        "/en/home-without-abuse/safety-plan",
        data=body,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 413
    assert_private(response)
    html = html_of(response)
    assert "What you sent was too large." in html
    assert SECRET in html and SECRET_WORD in html


def test_a_cross_site_post_gets_the_empty_form(client: FlaskClient) -> None:
    response = client.post(
        "/en/home-without-abuse/safety-plan", data=PLAN, headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert response.status_code == 400
    assert_private(response)
    html = html_of(response)
    assert SECRET not in html and SECRET_WORD not in html
    assert "Please fill in the form on this page." in html
    same = client.post(
        "/en/home-without-abuse/safety-plan", data=PLAN, headers={"Sec-Fetch-Site": "same-origin"}
    )
    assert same.status_code == 203


# Where the tools are linked -------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_materials_and_safety_planning_link_the_tools(client: FlaskClient, lang: str) -> None:
    materials = html_of(client.get(f"/{lang}/home-without-abuse/"))
    assert find(materials, "a", href=SELF_CHECK.format(lang=lang))
    assert find(materials, "a", href=SAFETY_PLAN.format(lang=lang))
    planning = html_of(client.get(f"/{lang}/home-without-abuse/safety-planning"))
    assert find(planning, "a", href=SAFETY_PLAN.format(lang=lang))
    signs = html_of(client.get(f"/{lang}/home-without-abuse/warning-signs"))
    assert find(signs, "a", href=SELF_CHECK.format(lang=lang))


def test_printing_the_plan_prints_only_the_plan() -> None:
    css = STYLESHEET.read_text(encoding="utf-8")
    prints = re.findall(r"@media print\{(.*?\})\}", css)
    rules = "".join(prints)
    assert "body:has(.plan)>:not(main),main:has(.plan)>:not(.plan){display:none!important}" in (
        rules
    )
    assert ".exit-bar" in rules and ".button" in rules


# The test: the POSTs leave nothing behind ------------------------------------------


def database_rows(app: Flask) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, as tuples, sorted: a change anywhere shows."""
    with app.app_context():
        bind = db_session().bind
        assert isinstance(bind, Engine)
        rows: dict[str, list[tuple[Any, ...]]] = {}
        with bind.connect() as connection:
            for name in inspect(connection).get_table_names():
                table = Table(name, MetaData(), autoload_with=connection)
                found = connection.execute(select(table)).all()
                rows[name] = sorted((tuple(row) for row in found), key=repr)
    return rows


def every_post(client: FlaskClient) -> Iterator[TestResponse]:
    """Each kind of POST the tools answer, in every language."""
    for lang in LANGS:
        yield client.post(SELF_CHECK.format(lang=lang), data=ANSWERS)
        yield client.post(SELF_CHECK.format(lang=lang), data={**ANSWERS, "about": SECRET})
        yield client.post(SAFETY_PLAN.format(lang=lang), data=PLAN)
        yield client.post(SAFETY_PLAN.format(lang=lang), data={**PLAN, "change": "1"})
        yield client.post(SAFETY_PLAN.format(lang=lang), data={**PLAN, "after": "z" * 900})
        yield client.post(SAFETY_PLAN.format(lang=lang), data={**PLAN, "numbers": "a\x02b"})


def test_posts_change_no_row_log_no_answer_set_no_cookie(
    db_app: Flask, db_client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    before = database_rows(db_app)
    assert before["help_request"] == []  # a real database, made by the migrations
    caplog.set_level(logging.DEBUG)  # the root logger: every logger of the app and libraries
    statuses = []
    for response in every_post(db_client):
        statuses.append(response.status_code)
        assert_private(response)
        url = response.request.url
        assert SECRET not in url and "Zinaida" not in url and "yes" not in url, url
        assert not urllib.parse.urlsplit(url).query
    assert sorted(set(statuses)) == [203, 400]
    assert not db_client.get_cookie("session")
    assert database_rows(db_app) == before
    logged = "\n".join(
        f"{record.name} {record.getMessage()} {record.args!r} {record.exc_text or ''}"
        for record in caplog.records
    )
    for answer in (SECRET, "Zinaida", SECRET_WORD, "alert(1)", "Grandmother", "zzzzzzzz"):
        assert answer not in logged, answer


def test_dev_server_logs_hold_no_answer(caplog: pytest.LogCaptureFixture, site_db: str) -> None:
    """The access log of a real server: the POST's path and status, nothing it carried."""
    app = create_app({**TEST_CONFIG, "DATABASE_URL": site_db})
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    caplog.set_level(logging.DEBUG)
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        for path, data in (
            ("/en/home-without-abuse/safety-plan", PLAN),
            ("/be/home-without-abuse/is-this-abuse", ANSWERS),
        ):
            body = urllib.parse.urlencode(data, doseq=True).encode()
            request = urllib.request.Request(base + path, data=body, method="POST")  # noqa: S310
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                assert response.status == 203
                assert response.headers["Cache-Control"].startswith("no-store")
                assert response.headers.get("Set-Cookie") is None
                assert SECRET in response.read().decode() or path.endswith("is-this-abuse")
    finally:
        server.shutdown()
        server.server_close()
    lines = [record.getMessage() for record in caplog.records]
    posted = [line for line in lines if "POST /en/home-without-abuse/safety-plan HTTP/1.1" in line]
    assert posted and posted[0].endswith(" 203 -"), lines  # the path and status only
    for answer in (SECRET, SECRET_WORD, "Grandmother", "sometimes"):
        assert not any(answer in line for line in lines), answer
