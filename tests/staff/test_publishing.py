"""Publishing pages, on SQLite and PostgreSQL: an editor edits the English statement,
previews, saves a draft, publishes, sees the translations go outdated, reads the history,
restores, marks it reviewed and unpublishes; a new statement goes to the top; hostile
Markdown never reaches a page as markup; refused actions keep the text and answer 400;
every action is in the audit log."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from campaign.content import publishing
from campaign.core.db import db_session
from campaign.models import AuditEvent, ContentItem, ContentLanguage, ContentRevision
from tests.staff.staffclient import csrf_of, login, make_member, post_form

SLUG = "2020-08-suspension"
EDIT = f"/staff/publishing/statements/{SLUG}/en"
PUBLIC = f"/en/statements/{SLUG}"
OLD_TEXT = "unanimous decision"  # in the shipped English statement
TITLE = "Gender Perspectives suspends joint activities"


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    """Readers check the content version on every request (production: every 0.25 s)."""
    app_config["CONTENT_CHECK_SECONDS"] = 0
    return app_config


def signed_in(app: Flask, email: str, role: str) -> FlaskClient:
    member = make_member(app, email, role)
    client = app.test_client()
    response = login(app, client, member)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


@pytest.fixture
def editor(db_app: Flask, team_key: str) -> FlaskClient:
    return signed_in(db_app, "editor@example.org", "editor")


def send(
    client: FlaskClient,
    action: str,
    *,
    title: str = TITLE,
    summary: str = "A summary.",
    body: str = "Some text.",
    url: str = EDIT,
) -> TestResponse:
    """Press one of the editor's buttons (preview, draft, publish) with this text."""
    data = {"action": action, "title": title, "summary": summary, "body": body}
    return post_form(client, url, url, data)


def small_form(client: FlaskClient, page: str, action: str, prefix: str) -> TestResponse:
    """One of the small forms (unpublish, reviewed, restore), as a browser sends it."""
    return post_form(client, page, action, {}, prefix=prefix)


def public(app: Flask, url: str) -> TestResponse:
    return app.test_client().get(url)


def revision_count(app: Flask) -> int:
    with app.app_context():
        return db_session().scalar(select(func.count(ContentRevision.id))) or 0


def audit(app: Flask) -> list[tuple[str, str]]:
    """What staff did to content, oldest first."""
    with app.app_context():
        rows = db_session().execute(
            select(AuditEvent.action, AuditEvent.detail)
            .where(AuditEvent.actor_id.is_not(None))  # staff actions, not the first import
            .order_by(AuditEvent.id)
        )
        return [(action, detail) for action, detail in rows if action.startswith("content")]


def row_of(html: str, slug: str) -> str:
    """The list table's row of ``slug``."""
    for row in html.split("<tr>"):
        if f"{slug} " in row or f"{slug}<" in row:
            return row.split("</tr>")[0]
    raise AssertionError(f"no row for {slug}")


def cell(row: str, language: str) -> str:
    match = re.search(rf'<td data-label="{language}">(.*?)</td>', row, re.S)
    assert match, row
    return match.group(1)


def preview_of(html: str) -> str:
    match = re.search(r'id="preview-heading".*?</section>', html, re.S)
    assert match, "no preview on the page"
    return match.group(0)


def test_editor_walks_a_statement_through(db_app: Flask, editor: FlaskClient) -> None:
    original = public(db_app, PUBLIC).get_data(as_text=True)
    assert OLD_TEXT in original
    page = editor.get(EDIT)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert OLD_TEXT in html  # the published text, in the form
    assert "published" in html
    before = revision_count(db_app)

    # Preview: rendered by the server, shown below the form, nothing saved.
    body = "## What changed\n\nPREVIEW-MARKER with *emphasis*."
    previewed = send(editor, "preview", body=body)
    assert previewed.status_code == 200
    html = previewed.get_data(as_text=True)
    shown = preview_of(html)
    assert "<h2>What changed</h2>" in shown
    assert "<em>emphasis</em>" in shown
    assert "PREVIEW-MARKER with *emphasis*." in html  # the typed text kept in the form
    assert revision_count(db_app) == before
    assert "PREVIEW-MARKER" not in public(db_app, PUBLIC).get_data(as_text=True)

    # A draft: saved, readers still see the published text.
    saved = send(editor, "draft", body="DRAFT-MARKER text.")
    assert saved.status_code == 302 and saved.headers["Location"].endswith(EDIT)
    assert revision_count(db_app) == before + 1
    reader = public(db_app, PUBLIC).get_data(as_text=True)
    assert "DRAFT-MARKER" not in reader and OLD_TEXT in reader
    edited = editor.get(EDIT).get_data(as_text=True)
    assert "DRAFT-MARKER text." in edited and "has a draft" in edited
    listed = editor.get("/staff/publishing/").get_data(as_text=True)
    assert "has a draft" in cell(row_of(listed, SLUG), "English")

    # Publish: readers see the new text at once, in the same process.
    published = send(editor, "publish", title="A NEW TITLE", body="PUBLISHED-MARKER text.")
    assert published.status_code == 302
    reader = public(db_app, PUBLIC).get_data(as_text=True)
    assert "PUBLISHED-MARKER" in reader and "A NEW TITLE" in reader
    assert OLD_TEXT not in reader

    # The translations are now outdated; the English one is published.
    listed = editor.get("/staff/publishing/").get_data(as_text=True)
    row = row_of(listed, SLUG)
    assert "outdated" in cell(row, "Belarusian")
    assert "outdated" in cell(row, "Russian")
    assert "published" in cell(row, "English") and "outdated" not in cell(row, "English")
    translator = editor.get(f"/staff/publishing/statements/{SLUG}/be").get_data(as_text=True)
    assert "Outdated:" in translator
    assert "Source: English text" in translator and "PUBLISHED-MARKER" in translator

    # History: every revision, newest first, with a diff that marks lines, not only colours.
    history = editor.get(f"{EDIT}/history")
    assert history.status_code == 200
    html = history.get_data(as_text=True)
    with db_app.app_context():
        ids = (
            db_session()
            .scalars(
                select(ContentRevision.id)
                .join(ContentItem, ContentItem.id == ContentRevision.item_id)
                .where(ContentItem.slug == SLUG, ContentRevision.lang == "en")
                .order_by(ContentRevision.id)
            )
            .all()
        )
    assert len(ids) == 3  # imported, draft, published
    positions = [html.index(f"Revision #{rid}<") for rid in ids]
    assert positions == sorted(positions, reverse=True)
    assert re.search(r'diff__line--removed">.*?−.*?Removed: </span>DRAFT-MARKER text\.', html)
    assert re.search(r'diff__line--added">.*?\+.*?Added: </span>PUBLISHED-MARKER text\.', html)
    assert "published at once" in html

    # Restore the imported text: published at once, readers get the old text back.
    restored = small_form(editor, f"{EDIT}/history", f"{EDIT}/restore/{ids[0]}", prefix="restore")
    assert restored.status_code == 302, restored.get_data(as_text=True)[:1000]
    reader = public(db_app, PUBLIC).get_data(as_text=True)
    assert OLD_TEXT in reader and "PUBLISHED-MARKER" not in reader

    # Reviewed today: the date is set (and shown), the text stays.
    count = revision_count(db_app)
    reviewed = small_form(editor, EDIT, f"{EDIT}/reviewed", prefix="reviewed")
    assert reviewed.status_code == 302
    today = dt.date.today()
    shown = f"{today.day} {today:%B %Y}"  # the member's language: English here
    assert f"Last reviewed: <strong>{shown}</strong>" in editor.get(EDIT).get_data(as_text=True)
    assert revision_count(db_app) == count
    with db_app.app_context():
        row_en = db_session().scalar(
            select(ContentLanguage)
            .join(ContentItem)
            .where(ContentItem.slug == SLUG, ContentLanguage.lang == "en")
        )
        assert row_en is not None and row_en.last_reviewed == dt.date.today()
    assert f"reviewed {today.day} {today:%B %Y}" in cell(  # staff_date, in English
        row_of(editor.get("/staff/publishing/").get_data(as_text=True), SLUG), "English"
    )

    # Unpublish: readers get a 404; the text is kept as a draft.
    unpublished = small_form(editor, EDIT, f"{EDIT}/unpublish", prefix="unpublish")
    assert unpublished.status_code == 302
    assert public(db_app, PUBLIC).status_code == 404
    assert "Draft:" in editor.get(EDIT).get_data(as_text=True)

    # Each step is in the audit log, with the page and language (never the text).
    actions = audit(db_app)
    assert [action for action, _detail in actions] == [
        "content draft saved",
        "content published",
        "content restored",
        "content reviewed",
        "content unpublished",
    ]
    assert all(f"statements/{SLUG} [en]" in detail for _action, detail in actions)
    assert not any("MARKER" in detail for _action, detail in actions)


def test_new_statement_goes_first(db_app: Flask, editor: FlaskClient) -> None:
    form = editor.get("/staff/publishing/new-statement")
    assert form.status_code == 200
    html = form.get_data(as_text=True)
    assert f'value="{dt.date.today().isoformat()}"' in html  # date and address suggested
    data = {
        "action": "publish",
        "lang": "en",
        "slug": "2026-11-Hotline-Closed ",
        "date": "2026-11-20",
        "title": "NEW-STATEMENT title",
        "summary": "NEW-STATEMENT summary.",
        "body": "NEW-STATEMENT body.",
    }
    created = post_form(
        editor, "/staff/publishing/new-statement", "/staff/publishing/new-statement", data
    )
    assert created.status_code == 302
    assert created.headers["Location"].endswith(
        "/staff/publishing/statements/2026-11-hotline-closed/en"
    )
    statements = public(db_app, "/en/statements/").get_data(as_text=True)
    new_link, old_link = '/en/statements/2026-11-hotline-closed"', f'{PUBLIC}"'
    assert statements.index(new_link) < statements.index(old_link)
    home = public(db_app, "/en/").get_data(as_text=True)
    section = home.split('id="statement-heading"', 1)[1]
    assert "NEW-STATEMENT title" in section.split("</section>", 1)[0]
    assert public(db_app, "/en/statements/2026-11-hotline-closed").status_code == 200
    assert public(db_app, "/be/statements/2026-11-hotline-closed").status_code == 404
    listed = editor.get("/staff/publishing/").get_data(as_text=True)
    row = row_of(listed, "2026-11-hotline-closed")
    assert "missing" in cell(row, "Belarusian") and "published" in cell(row, "English")
    assert listed.index("2026-11-hotline-closed") < listed.index(SLUG)  # newest first
    assert audit(db_app)[-1][0] == "content created and published"

    # A draft statement is not shown to readers.
    draft = dict(data, action="draft", slug="a-draft", title="DRAFT-STATEMENT")
    url = "/staff/publishing/new-statement"
    assert post_form(editor, url, url, draft).status_code == 302
    assert "DRAFT-STATEMENT" not in public(db_app, "/en/statements/").get_data(as_text=True)
    assert audit(db_app)[-1][0] == "content created"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"slug": "not a slug!"}, "Use only Latin letters, digits and hyphens."),
        ({"slug": SLUG}, "exists already"),
        ({"date": "20 November"}, "Write the date as YYYY-MM-DD, or YYYY-MM."),
        ({"title": "  "}, "A title is needed."),
    ],
)
def test_new_statement_refused_keeps_the_text(
    db_app: Flask, editor: FlaskClient, changes: dict[str, str], message: str
) -> None:
    data = {
        "action": "publish",
        "lang": "ru",
        "slug": "fine-slug",
        "date": "2026-11",
        "title": "Title",
        "summary": "",
        "body": "KEPT-BODY-MARKER of the statement.",
        **changes,
    }
    before = revision_count(db_app)
    url = "/staff/publishing/new-statement"
    refused = post_form(editor, url, url, data)
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert message in html
    assert "KEPT-BODY-MARKER of the statement." in html
    assert revision_count(db_app) == before


HOSTILE = (
    "Hello HOSTILE-MARKER.\n\n"
    "<script>alert('script')</script>\n\n"
    "[x](javascript:alert('link'))\n\n"
    "<img src=x onerror=\"alert('img')\">\n\n"
    '<a href="data:text/html,hi" onclick="alert(\'click\')">y</a>\n'
)


def assert_harmless(html: str) -> None:
    assert "<script>alert" not in html
    assert "<img" not in html
    assert not re.search(r"<[^>]+\son\w+=", html), "an event attribute in a tag"
    assert not re.search(r"""href=["']?\s*(javascript|data):""", html)


def test_hostile_markdown_never_becomes_markup(db_app: Flask, editor: FlaskClient) -> None:
    previewed = send(editor, "preview", body=HOSTILE)
    assert previewed.status_code == 200
    html = previewed.get_data(as_text=True)
    shown = preview_of(html)
    assert "HOSTILE-MARKER" in shown
    assert "alert(" not in shown and "onerror" not in shown and "javascript" not in shown
    assert_harmless(html)
    assert "&lt;script&gt;" in html  # the typed text, escaped, in the textarea

    assert send(editor, "publish", body=HOSTILE).status_code == 302
    reader = public(db_app, PUBLIC).get_data(as_text=True)
    assert "HOSTILE-MARKER" in reader
    assert "alert(" not in reader and "onerror" not in reader and "javascript:" not in reader
    assert_harmless(reader)
    for page in (EDIT, f"{EDIT}/history", "/staff/publishing/"):
        assert_harmless(editor.get(page).get_data(as_text=True))


def test_empty_title_keeps_the_typed_text(db_app: Flask, editor: FlaskClient) -> None:
    before = revision_count(db_app)
    for action in ("publish", "draft"):
        refused = send(editor, action, title="", body="MY-LONG-TEXT that must not be lost.")
        assert refused.status_code == 400
        html = refused.get_data(as_text=True)
        assert "A title is needed." in html
        assert "MY-LONG-TEXT that must not be lost." in html
    assert revision_count(db_app) == before
    assert OLD_TEXT in public(db_app, PUBLIC).get_data(as_text=True)


def test_missing_csrf_is_refused(db_app: Flask, editor: FlaskClient) -> None:
    editor.get(EDIT)
    before = revision_count(db_app)
    refused = editor.post(
        EDIT, data={"action": "publish", "title": "T", "summary": "", "body": "NO-CSRF text."}
    )
    assert refused.status_code == 400
    assert "NO-CSRF text." in refused.get_data(as_text=True)  # kept to send again
    for action in ("unpublish", "reviewed"):
        assert editor.post(f"{EDIT}/{action}", data={}).status_code == 400
    assert editor.post(f"{EDIT}/restore/1", data={}).status_code in (400, 404)
    new = editor.post(
        "/staff/publishing/new-statement",
        data={
            "action": "publish",
            "lang": "en",
            "slug": "x",
            "date": "2026-11",
            "title": "T",
            "body": "B",
        },
    )
    assert new.status_code == 400
    assert revision_count(db_app) == before
    assert audit(db_app) == []
    assert public(db_app, PUBLIC).status_code == 200


def test_unknown_addresses_are_404(db_app: Flask, editor: FlaskClient) -> None:
    for url in (
        "/staff/publishing/statements/no-such-statement/en",
        "/staff/publishing/nonsense/2020-08-suspension/en",
        f"/staff/publishing/statements/{SLUG}/de",
        f"/staff/publishing/statements/{SLUG}/de/history",
        "/staff/publishing/statements/no-such-statement/details",
        "/staff/publishing/statements/" + "x" * 500 + "/en",
    ):
        assert editor.get(url).status_code == 404, url
    html = editor.get(f"{EDIT}/history").get_data(as_text=True)
    token = csrf_of(html)
    assert (
        editor.post(f"{EDIT}/restore/999999", data={"restore-csrf_token": token}).status_code == 404
    )
    # A revision of another language is not this language's.
    with db_app.app_context():
        ru = db_session().scalar(select(ContentRevision.id).where(ContentRevision.lang == "ru"))
    assert (
        editor.post(f"{EDIT}/restore/{ru}", data={"restore-csrf_token": token}).status_code == 404
    )


def test_translation_shows_its_source_and_a_missing_language_starts_empty(
    db_app: Flask, editor: FlaskClient
) -> None:
    url = "/staff/publishing/new-statement"
    data = {
        "action": "publish",
        "lang": "ru",
        "slug": "ru-only",
        "date": "2026-11-02",
        "title": "RU-TITLE",
        "summary": "",
        "body": "RU-BODY-MARKER",
    }
    assert post_form(editor, url, url, data).status_code == 302
    html = editor.get("/staff/publishing/statements/ru-only/en").get_data(as_text=True)
    assert "Missing:" in html
    assert "Source: Russian text" in html and "RU-BODY-MARKER" in html
    assert re.search(r'<textarea[^>]*name="body"[^>]*>\s*</textarea>', html)
    # Writing the missing language publishes it.
    written = send(
        editor,
        "publish",
        title="EN-TITLE",
        body="EN-BODY",
        url="/staff/publishing/statements/ru-only/en",
    )
    assert written.status_code == 302
    assert "EN-BODY" in public(db_app, "/en/statements/ru-only").get_data(as_text=True)


def test_site_pages_cannot_be_unpublished(db_app: Flask, editor: FlaskClient) -> None:
    home = "/staff/publishing/pages/home/en"
    html = editor.get(home).get_data(as_text=True)
    assert "/unpublish" not in html
    token = csrf_of(html)
    refused = editor.post(f"{home}/unpublish", data={"unpublish-csrf_token": token})
    assert refused.status_code == 400
    assert public(db_app, "/en/").status_code == 200


def test_details_set_date_and_position(db_app: Flask, editor: FlaskClient) -> None:
    url = f"/staff/publishing/statements/{SLUG}/details"
    page = editor.get(url).get_data(as_text=True)
    assert 'value="2020-08"' in page
    bad = post_form(editor, url, url, {"date": "August", "position": "1"})
    assert bad.status_code == 400 and "Write the date as" in bad.get_data(as_text=True)
    saved = post_form(editor, url, url, {"date": "2020-08-14", "position": "7"})
    assert saved.status_code == 302
    with db_app.app_context():
        item = publishing.find_item(db_session(), "statements", SLUG)
        assert item is not None
        assert (item.date, item.date_is_month, item.position) == (dt.date(2020, 8, 14), False, 7)
    assert audit(db_app)[-1] == ("content details changed", f"statements/{SLUG}")
    assert "14 August 2020" in public(db_app, PUBLIC).get_data(as_text=True)


def test_roles_in_the_staff_area(db_app: Flask, team_key: str) -> None:
    editor_member = make_member(db_app, "ed@example.org", "editor")
    client = db_app.test_client()
    landed = login(db_app, client, editor_member)
    assert landed.headers["Location"].endswith("/staff/publishing/")
    nav = client.get("/staff/publishing/").get_data(as_text=True)
    assert ">Publishing</a>" in nav and ">Inbox</a>" not in nav
    assert client.get("/staff/").status_code == 404

    admin = signed_in(db_app, "boss@example.org", "admin")
    nav = admin.get("/staff/").get_data(as_text=True)
    assert ">Publishing</a>" in nav and ">Inbox</a>" in nav
    users = admin.get("/staff/admin/users").get_data(as_text=True)
    assert '<option value="editor">Editor</option>' in users
    assert "Make caseworker" in users  # for the editor (an admin has no buttons for themselves)

    caseworker = signed_in(db_app, "cw@example.org", "caseworker")
    nav = caseworker.get("/staff/").get_data(as_text=True)
    assert ">Publishing</a>" not in nav and ">Inbox</a>" in nav
    invited = admin.post(
        "/staff/admin/users",
        data={
            "csrf_token": csrf_of(users),
            "email": "new@example.org",
            "name": "New",
            "role": "editor",
        },
    )
    assert "/staff/invite/" in invited.get_data(as_text=True)
