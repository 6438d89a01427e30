"""Publishing and help lines, attacked: what a hostile or careless editor, a caseworker or a
race can do to the public site through the staff area.

Findings of the security review of the content layer (pages, statements and help lines in
the database, the editor role, the sanitiser, the per-process snapshot), one test each:

- a Markdown text that Python-Markdown cannot render (a RecursionError) or renders in
  minutes (quadratic link, autolink and raw-HTML scanning) took every public page down in
  every worker, the help form and 112 included, for as long as it stayed published;
- a help line's name, number or handle went into page prose as Markdown, so it could carry
  its own ``tel:`` link past the line's status;
- an edit form opened before a caseworker pressed "It did not answer" offered the dead line
  again when it was saved;
- two editors writing the first text of a language at the same moment got a 500;
- reading pages were cacheable for five minutes, longer than the minute in which a dead
  line must leave the site;
- the longest text the editor allowed (100 000 characters) was a 413 in Cyrillic, which
  drops the text;
- editors could hold team memberships and keys (an invitation naming teams, the team page,
  a caseworker made editor): now refused or ended in ``cases/accounts`` and ``cases/admin``.

The tests at the end are checks that held, kept so that they keep holding.
"""

from __future__ import annotations

import re
import time
from html import escape
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from campaign.content import helpline_edits as edits
from campaign.content import publishing, render
from campaign.core.db import db_session
from campaign.models import ContentLanguage, ContentRevision, StaffUser, TeamMembership
from campaign.staff.forms_publishing import BODY_MAX, SUMMARY_MAX, TITLE_MAX
from tests.helpclient import HelpClient
from tests.pagecheck import find
from tests.staff.staffclient import (
    accept_invitation,
    csrf_of,
    grant,
    login,
    make_member,
    post_form,
)
from tests.staff.test_helplines import form_values
from tests.test_public_pages import public_paths

SLUG = "2020-08-suspension"
EDIT = f"/staff/publishing/statements/{SLUG}/en"
PUBLIC = f"/en/statements/{SLUG}"
TITLE = "Gender Perspectives suspends joint activities"
WHERE_TO_FIND_HELP = "/en/home-without-abuse/where-to-find-help"  # mentions [[line:hotline]]
LIST = "/staff/helplines/"
HOTLINE_TEL = "tel:88011008801"

# Nested definition lists: Python-Markdown recurses once per level (RecursionError).
DEEP = "term\n: definition\n" * 800
# Unclosed brackets: each one scans to the end of its paragraph (quadratic; 6000 of them
# took about 6 s, 50 000 took minutes).
SLOW = "[" * 6000


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    """Every request reads the content version: a change shows at once in this process."""
    app_config["CONTENT_CHECK_SECONDS"] = 0
    return app_config


def signed_in(app: Flask, role: str) -> FlaskClient:
    member = make_member(app, f"{role}@example.org", role)
    client = app.test_client()
    assert login(app, client, member).status_code == 302
    return client


@pytest.fixture
def editor(app: Flask) -> FlaskClient:
    return signed_in(app, "editor")


def send(client: FlaskClient, action: str, body: str, url: str = EDIT) -> Any:
    data = {"action": action, "title": TITLE, "summary": "A summary.", "body": body}
    return post_form(client, url, url, data)


def revisions(app: Flask) -> int:
    with app.app_context():
        return db_session().scalar(select(func.count(ContentRevision.id))) or 0


def publish_behind_the_checks(app: Flask, body: str) -> None:
    """Publish ``body`` as the English statement straight in the database, as a text saved
    before the checks existed (or written by hand) would be."""
    with app.app_context():
        dbs = db_session()
        item = publishing.find_item(dbs, "statements", SLUG)
        assert item is not None
        revision = ContentRevision(item_id=item.id, lang="en", title=TITLE, body=body)
        dbs.add(revision)
        dbs.flush()
        row = publishing.language(item, "en")
        assert row is not None
        row.published_revision_id = revision.id
        publishing.bump_version(dbs)
        dbs.commit()


def tel_links(html: str) -> list[str]:
    return [a["href"] for a in find(html, "a") if a.get("href", "").startswith("tel:")]


# -- a text Markdown cannot render ---------------------------------------------------------


def test_a_text_markdown_cannot_render_is_refused_and_never_takes_the_site_down(
    app: Flask, editor: FlaskClient
) -> None:
    before = revisions(app)
    for action in ("preview", "draft", "publish"):
        refused = send(editor, action, DEEP)
        assert refused.status_code == 400, action
        html = refused.get_data(as_text=True)
        assert "cannot be shown as a page" in html
        assert "term\n: definition" in html  # the typed text is kept
    assert revisions(app) == before

    # Published anyway (saved before the check, or by hand): every page still answers, the
    # help form and 112 included, and the statement is shown as plain text.
    publish_behind_the_checks(app, DEEP)
    reader = app.test_client()
    for path in ("/en/", "/en/help/", "/ru/statements/", WHERE_TO_FIND_HELP):
        response = reader.get(path)
        assert response.status_code == 200, path
        assert "tel:112" in tel_links(response.get_data(as_text=True)), path
    statement = reader.get(PUBLIC)
    assert statement.status_code == 200
    html = statement.get_data(as_text=True)
    assert "<p>term : definition term : definition" in html
    assert "<dl>" not in html


def test_a_text_that_renders_too_slowly_is_refused_and_never_stalls_readers(
    app: Flask, editor: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(render, "RENDER_SECONDS", 0.3)
    before = revisions(app)
    for action in ("preview", "publish"):
        started = time.monotonic()
        refused = send(editor, action, SLOW)
        assert refused.status_code == 400, action
        assert time.monotonic() - started < 3, action
        assert "cannot be shown as a page" in refused.get_data(as_text=True)
    assert revisions(app) == before

    publish_behind_the_checks(app, SLOW)
    reader = app.test_client()
    started = time.monotonic()
    for path in ("/en/", PUBLIC, "/en/help/"):
        assert reader.get(path).status_code == 200, path
    assert time.monotonic() - started < 3


def test_flask_content_import_refuses_such_a_text_and_changes_nothing(
    app: Flask, tmp_path: Path
) -> None:
    folder = tmp_path / "content" / "statements"
    folder.mkdir(parents=True)
    (folder / "deep.en.md").write_text(f"---\ntitle: Deep\n---\n{DEEP}", encoding="utf-8")
    before = revisions(app)
    result = app.test_cli_runner().invoke(
        args=["content", "import", str(tmp_path / "content"), "--publish"]
    )
    assert result.exit_code == 1
    assert "statements/deep [en]: This text cannot be shown as a page" in result.output
    assert revisions(app) == before
    assert app.test_client().get("/en/statements/deep").status_code == 404


def test_the_render_budget_stops_the_render_itself() -> None:
    started = time.monotonic()
    with pytest.raises(render.RenderError):
        render.render_markdown("[" * 40000)  # minutes without the budget
    assert time.monotonic() - started < render.RENDER_SECONDS + 2
    with pytest.raises(render.RenderError):
        render.render_markdown(DEEP)
    assert render.render_markdown("*fine*") == "<p><em>fine</em></p>"


# -- help line texts in page prose ---------------------------------------------------------


def test_a_help_line_text_never_becomes_markup_in_page_prose(
    app: Flask, editor: FlaskClient
) -> None:
    page = editor.get("/staff/helplines/hotline").get_data(as_text=True)
    token = csrf_of(page)
    values = form_values(page)
    values.update(
        {
            "csrf_token": token,
            "name_en": '[Call now](tel:999) <a href="tel:998">or this</a> *Hotline*',
            "number": "8 801](tel:997) [x",
            "status": "available",
            "last_confirmed": time.strftime("%Y-%m-%d"),
        }
    )
    saved = editor.post("/staff/helplines/hotline", data=values)
    assert saved.status_code == 302, saved.get_data(as_text=True)[:2000]

    reader = app.test_client()
    html = reader.get(WHERE_TO_FIND_HELP).get_data(as_text=True)
    links = tel_links(html)
    assert HOTLINE_TEL in links  # offered: its own number, as its data says
    assert not {"tel:999", "tel:998", "tel:997"} & set(links)
    assert "<em>Hotline</em>" not in html
    # Shown as the text it is.
    assert '[Call now](tel:999) &lt;a href="tel:998"&gt;or this&lt;/a&gt; *Hotline*' in html
    assert '<a href="tel:88011008801">8 801](tel:997) [x</a>' in html

    # Taken off: no tel: link of any kind comes from the line's texts.
    post_form(editor, LIST, "/staff/helplines/hotline/not-answered", {})
    for path in public_paths():
        html = reader.get(path).get_data(as_text=True)
        links = tel_links(html)
        assert not {HOTLINE_TEL, "tel:999", "tel:998", "tel:997"} & set(links), path
        assert "tel:112" in links, path


@pytest.mark.parametrize(
    "data",
    [
        "[Call](tel:999)",
        '<a href="tel:998">x</a>',
        "*bold* _it_ `code` ~~s~~ ==m== ^sup^",
        "<javascript:alert(1)> <https://evil.example>",
        "| a | b |",
        "# heading",
        "1. item",
        "- item",
        "> quote",
        "&amp; &#106; \\ \\[x\\]",
        "[x]: https://evil.example",
        "*[HTML]: abbr",
        "[^1]",
        "{: #id .class onclick=x }",
        "Hotline\n\n# new block",
        "x" + "[" * 3000,
    ],
)
def test_escaped_data_reads_as_itself_after_rendering(data: str) -> None:
    expected = escape(" ".join(data.split()), quote=False)
    rendered = render.render_markdown(f"Call {render.escape_markdown(data)} now.")
    assert rendered.replace("&quot;", '"') == f"<p>Call {expected} now.</p>"


# -- a stale edit form ---------------------------------------------------------------------


def test_a_stale_edit_form_never_offers_a_line_a_caseworker_took_off(
    app: Flask, editor: FlaskClient
) -> None:
    post_form(editor, LIST, "/staff/helplines/hotline/answered", {})
    opened = editor.get("/staff/helplines/hotline").get_data(as_text=True)  # says available

    caseworker = signed_in(app, "caseworker")
    post_form(caseworker, LIST, "/staff/helplines/hotline/not-answered", {})
    reader = app.test_client()
    assert HOTLINE_TEL not in reader.get("/en/help/").get_data(as_text=True)

    values = form_values(opened)
    values["hours_en"] = "every day, 9:00-21:00"  # the editor only fixed the hours
    refused = editor.post("/staff/helplines/hotline", data=values)
    assert refused.status_code == 400
    assert "marked as not answering" in refused.get_data(as_text=True)
    with app.app_context():
        line = edits.find_line(db_session(), "hotline")
        assert line is not None and line.status == "unavailable"
    assert HOTLINE_TEL not in reader.get("/en/help/").get_data(as_text=True)

    # Offering it again takes a new confirmation; then the hours can be saved.
    post_form(editor, LIST, "/staff/helplines/hotline/answered", {})
    assert HOTLINE_TEL in tel_links(reader.get("/en/help/").get_data(as_text=True))
    values = form_values(editor.get("/staff/helplines/hotline").get_data(as_text=True))
    values["hours_en"] = "every day, 9:00-21:00"
    assert editor.post("/staff/helplines/hotline", data=values).status_code == 302
    assert "9:00-21:00" in reader.get("/en/help/").get_data(as_text=True)


# -- races ---------------------------------------------------------------------------------


def test_two_editors_writing_the_first_text_of_a_language_at_once_get_no_500(
    app: Flask, editor: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    new = "/staff/publishing/new-statement"
    data = {"action": "publish", "lang": "ru", "slug": "ru-only", "date": "2026-11-02"}
    data |= {"title": "RU", "summary": "", "body": "RU text"}
    assert post_form(editor, new, new, data).status_code == 302
    url = "/staff/publishing/statements/ru-only/en"
    page = editor.get(url).get_data(as_text=True)

    real_publish = publishing.publish

    def someone_else_first(session: Session, actor: Any, item: Any, lang: str, text: Any) -> Any:
        """Another editor's first English text lands between our read and our write."""
        assert publishing.language(item, lang) is None  # read: no English yet
        other = create_engine(app.config["DATABASE_URL"])
        with Session(other) as dbs:
            dbs.add(ContentLanguage(item_id=item.id, lang=lang))
            dbs.commit()
        other.dispose()
        return real_publish(session, actor, item, lang, text)

    monkeypatch.setattr(publishing, "publish", someone_else_first)
    fields = {"action": "publish", "title": "EN", "summary": "", "body": "MY-EN-TEXT"}
    response = editor.post(url, data={"csrf_token": csrf_of(page), **fields})
    assert response.status_code in (302, 409)
    if response.status_code == 409:
        html = response.get_data(as_text=True)
        assert "MY-EN-TEXT" in html and "at the same moment" in html


# -- HTTP caching --------------------------------------------------------------------------


def test_reading_pages_are_kept_by_browsers_and_proxies_for_at_most_a_minute(
    read_only_client: FlaskClient,
) -> None:
    for path in ("/en/", PUBLIC, WHERE_TO_FIND_HELP):
        cache = read_only_client.get(path).headers["Cache-Control"]
        age = re.search(r"max-age=(\d+)", cache)
        assert age and int(age.group(1)) <= 60, (path, cache)


# -- the editor role and team keys ---------------------------------------------------------


def test_an_editor_never_holds_a_team_membership_or_key(db_app: Flask, team_key: str) -> None:
    """Editors never need a request: they should be in no team (no key, no "a new request is
    waiting" mail), however they became editors."""
    admin = make_member(db_app, "coordinator@example.org", "admin")
    grant(db_app, "Hotline", admin, team_key)
    admin_client = db_app.test_client()
    assert login(db_app, admin_client, admin).status_code == 302
    page = admin_client.get("/staff/admin/users").get_data(as_text=True)
    invited = admin_client.post(
        "/staff/admin/users",
        data={
            "csrf_token": csrf_of(page),
            "email": "ed@example.org",
            "name": "Ed",
            "role": "editor",
            "teams": "1",
        },
    )
    link = re.search(r"/staff/invite/([\w-]+)", invited.get_data(as_text=True))
    assert link
    assert accept_invitation(db_app.test_client(), link.group(1)).response.status_code == 302
    caseworker = make_member(db_app, "cw@example.org", "caseworker")
    grant(db_app, "Hotline", caseworker, team_key)

    with db_app.app_context():
        dbs = db_session()
        editor_id = dbs.scalars(
            select(StaffUser.id).where(StaffUser.email == "ed@example.org")
        ).one()
    # The admin holds the team key and adds the editor to the team.
    post_form(
        admin_client, "/staff/admin/teams/1", "/staff/admin/teams/1", {"user": str(editor_id)}
    )
    # A caseworker holding the key becomes an editor.
    post_form(
        admin_client, "/staff/admin/users", f"/staff/admin/users/{caseworker.id}/role-editor", {}
    )
    with db_app.app_context():
        dbs = db_session()
        assert dbs.get(StaffUser, caseworker.id).role == "editor"  # type: ignore[union-attr]
        held = dbs.scalars(
            select(StaffUser.email)
            .join(TeamMembership, TeamMembership.user_id == StaffUser.id)
            .where(StaffUser.role == "editor")
        ).all()
    assert held == []


# -- checks that held (kept as regression tests) -------------------------------------------


def test_no_method_or_address_variant_lets_an_editor_reach_a_request(
    db_app: Flask, team_key: str
) -> None:
    HelpClient(db_app.test_client(), "en").submit_ok("EDITOR-MUST-NOT-SEE", category="physical")
    editor = signed_in(db_app, "editor")
    caseworker = signed_in(db_app, "caseworker")
    token = csrf_of(editor.get("/staff/account").get_data(as_text=True))
    for url in ("/staff/", "/staff/requests/1", "/staff/requests/1/", "/staff//requests/1"):
        for method in ("GET", "HEAD", "OPTIONS"):
            response = editor.open(url, method=method, follow_redirects=True)
            html = response.get_data(as_text=True)
            assert response.status_code in (200, 404, 405), (method, url, response.status_code)
            if method == "GET":
                assert response.status_code == 404, (method, url)
            assert "EDITOR-MUST-NOT-SEE" not in html and "physical" not in html.lower()
    for action in ("status", "assign", "note", "reply", "reroute"):
        response = editor.post(f"/staff/requests/1/{action}", data={"csrf_token": token})
        assert response.status_code == 404, action
    # And a caseworker reaches no publishing page, whatever the method.
    for url in ("/staff/publishing/", f"{EDIT}/history", f"{EDIT}/restore/1"):
        for method in ("GET", "HEAD", "POST"):
            assert caseworker.open(url, method=method).status_code in (404, 405), (method, url)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "Title with a NUL \x00 in it"),
        ("body", "Body with a bell \x07"),
        ("title", "T" * 301),
        ("summary", "S" * 2001),
    ],
)
def test_unusable_or_oversized_text_is_a_4xx_on_every_database(
    db_app: Flask, field: str, value: str
) -> None:
    editor = signed_in(db_app, "editor")
    before = revisions(db_app)
    data = {"action": "publish", "title": TITLE, "summary": "", "body": "Text."}
    data[field] = value
    response = post_form(editor, EDIT, EDIT, data)
    assert response.status_code == 400
    assert revisions(db_app) == before


def test_the_longest_text_the_form_allows_fits_the_request_in_any_script(
    app: Flask, editor: FlaskClient
) -> None:
    """A Belarusian text as long as the form allows must reach the form (saved, or refused
    with the text kept), never the 413 page that drops it."""
    longest = {
        "title": "Ж" * TITLE_MAX,
        "summary": "ж" * SUMMARY_MAX,
        "body": "я" * BODY_MAX,
    }
    assert post_form(editor, EDIT, EDIT, {"action": "draft", **longest}).status_code == 302
    too_long = {**longest, "body": "я" * (BODY_MAX + 1)}
    refused = post_form(editor, EDIT, EDIT, {"action": "draft", **too_long})
    assert refused.status_code == 400
    assert "я" * 1000 in refused.get_data(as_text=True)  # kept


def test_odd_addresses_are_404_on_every_database(db_app: Flask) -> None:
    editor = signed_in(db_app, "editor")
    for url in (
        "/staff/publishing/statements/" + "x" * 5000 + "/en",
        "/staff/publishing/statements/%C3%A9%2E%2E/en",
        "/staff/publishing/statements/../pages/home/en",
        "/staff/helplines/" + "k" * 5000,
    ):
        assert editor.get(url).status_code in (404, 308), url
