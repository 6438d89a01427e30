"""Saved replies, on SQLite and PostgreSQL: a team's members add, change and delete them
(each change audited with its title and team), bad input keeps the text; another team's
member and an editor get the 404 of a wrong address; "Insert" under the reply box adds the
chosen template after what was typed, kept exactly, without JavaScript and without sending
or storing anything; the picker lists the request's answer language first."""

from __future__ import annotations

import html
import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from campaign.cases import saved_replies
from campaign.cases.teams import add_rule, create_team
from campaign.core.db import db_session
from campaign.models import AuditEvent, HelpRequest, RequestMessage, SavedReply, Team
from tests.helpclient import HelpClient
from tests.pagecheck import find
from tests.staff.staffclient import csrf_of, grant, login, make_member, signed_in

TEXTAREA = re.compile(r'<textarea[^>]*\bid="reply-text"[^>]*>(.*?)</textarea>', re.S)
PICKER = re.compile(r'<select id="reply-saved".*?</select>', re.S)
OPTION = re.compile(r'<option value="(\d+)"')


def reply_box(page: str) -> str:
    """What a browser shows in the reply box (the parser drops one leading newline)."""
    found = TEXTAREA.search(page)
    assert found, "no reply box"
    text = html.unescape(found.group(1))
    return text[2:] if text.startswith("\r\n") else text.removeprefix("\n")


def picker_options(page: str) -> list[str]:
    """The template ids offered under the reply box, in order."""
    found = PICKER.search(page)
    return OPTION.findall(found.group(0)) if found else []


def logged_in(app: Flask, email: str, role: str = "caseworker") -> tuple[FlaskClient, int]:
    member = make_member(app, email, role)
    client = app.test_client()
    assert login(app, client, member).status_code == 302
    return client, member.id


def team_id(app: Flask, name: str) -> int:
    with app.app_context():
        return db_session().scalars(select(Team.id).where(Team.name == name)).one()


def events(app: Flask, action: str) -> list[tuple[int | None, str]]:
    with app.app_context():
        rows = db_session().execute(
            select(AuditEvent.team_id, AuditEvent.detail)
            .where(AuditEvent.action == action)
            .order_by(AuditEvent.id)
        )
        return [(row.team_id, row.detail) for row in rows]


def test_members_add_change_and_delete_audited(db_app: Flask, team_key: str) -> None:
    member = make_member(db_app, "ann@example.org")
    grant(db_app, "Hotline", member, team_key)
    client = db_app.test_client()
    assert login(db_app, client, member).status_code == 302
    hotline = team_id(db_app, "Hotline")

    listing = client.get("/staff/replies/").get_data(as_text=True)
    assert find(listing, "a", href="/staff/replies/")  # in the staff nav
    assert "Never put a person" in listing
    form = client.get(f"/staff/replies/new?team={hotline}&language=ru").get_data(as_text=True)
    assert "Do not put a person" in form
    assert find(form, "option", value="ru", selected="")

    # Bad input: a clear error, the text kept, nothing stored.
    body = "Здравствуйте. Мы прочитали ваше сообщение & ответим <сегодня>."
    token = csrf_of(form)
    for data, error in (
        ({"title": "x" * 101, "body": body, "language": "ru"}, "At most 100 characters."),
        ({"title": "First answer", "body": "   ", "language": "ru"}, "Write the text"),
        ({"title": "First answer", "body": body, "language": "xx"}, "Not a valid choice"),
        ({"title": "First answer", "body": "y" * 4001, "language": "ru"}, "At most 4000"),
    ):
        refused = client.post(
            "/staff/replies/new", data={"csrf_token": token, "team": str(hotline), **data}
        )
        page = refused.get_data(as_text=True)
        assert refused.status_code == 400 and error in page, (data["title"][:5], page[:3000])
        assert html.escape(data["body"], quote=False)[:100] in page
    expired = client.post(
        "/staff/replies/new",
        data={"team": str(hotline), "language": "ru", "title": "First answer", "body": body},
    )
    assert expired.status_code == 400
    assert "The form had expired" in expired.get_data(as_text=True)
    assert html.escape(body, quote=False) in expired.get_data(as_text=True)
    with db_app.app_context():
        assert db_session().scalar(select(func.count()).select_from(SavedReply)) == 0

    # Added.
    added = client.post(
        "/staff/replies/new",
        data={
            "csrf_token": token,
            "team": str(hotline),
            "language": "ru",
            "title": " First answer ",
            "body": body,
        },
    )
    assert added.status_code == 302
    with db_app.app_context():
        reply = db_session().scalars(select(SavedReply)).one()
        reply_id = reply.id
        assert (reply.team_id, reply.language, reply.title, reply.body) == (
            hotline,
            "ru",
            "First answer",
            body,
        )
    listing = client.get("/staff/replies/").get_data(as_text=True)
    assert "Saved reply added: First answer" in listing
    assert "First answer" in listing.split("Русский", 1)[1]

    # Changed: language, title and text; the audit entry names what changed, not the text.
    edit = client.get(f"/staff/replies/{reply_id}").get_data(as_text=True)
    assert "First answer" in edit and "Do not put a person" in edit
    changed = client.post(
        f"/staff/replies/{reply_id}",
        data={
            "csrf_token": csrf_of(edit),
            "language": "be",
            "title": "Першы адказ",
            "body": "Добры дзень.",
        },
    )
    assert changed.status_code == 302
    with db_app.app_context():
        changed_reply = db_session().get(SavedReply, reply_id)
        assert changed_reply is not None
        assert (changed_reply.language, changed_reply.title, changed_reply.body) == (
            "be",
            "Першы адказ",
            "Добры дзень.",
        )

    # Deleted after a confirmation page (a plain form: no JavaScript needed).
    confirm = client.get(f"/staff/replies/{reply_id}/delete").get_data(as_text=True)
    assert "Delete this saved reply?" in confirm and "Першы адказ" in confirm
    assert find(confirm, "form", method="post", action=f"/staff/replies/{reply_id}/delete")
    assert client.post(f"/staff/replies/{reply_id}/delete").status_code == 400  # no token
    deleted = client.post(
        f"/staff/replies/{reply_id}/delete", data={"csrf_token": csrf_of(confirm)}
    )
    assert deleted.status_code == 302
    assert client.get(f"/staff/replies/{reply_id}").status_code == 404
    with db_app.app_context():
        assert db_session().get(SavedReply, reply_id) is None

    assert events(db_app, saved_replies.CREATED) == [(hotline, '"First answer" (ru)')]
    assert events(db_app, saved_replies.CHANGED) == [
        (hotline, '"Першы адказ" (was "First answer"); changed: language, title, text')
    ]
    assert events(db_app, saved_replies.DELETED) == [(hotline, '"Першы адказ"')]


def two_teams(app: Flask, hotline_key: str) -> tuple[int, int, int]:
    """Hotline and Lawyers, a template each (by an operator); a legal request goes to
    Lawyers, any other to Hotline. Returns the Hotline template, the Lawyers template and
    the Lawyers team's id."""
    with app.app_context():
        dbs = db_session()
        lawyers, _key = create_team(dbs, "Lawyers")
        add_rule(dbs, "Lawyers", category="legal")
        hotline = dbs.scalars(select(Team).where(Team.name == "Hotline")).one()
        own = saved_replies.create(dbs, None, hotline, "en", "Hotline hello", "HOTLINE-TEXT")
        other = saved_replies.create(dbs, None, lawyers, "en", "Lawyers hello", "LAWYERS-TEXT")
        return own.id, other.id, lawyers.id


def test_other_teams_and_editors_get_404(db_app: Flask, team_key: str) -> None:
    own, other, lawyers = two_teams(db_app, team_key)
    member = make_member(db_app, "c1@example.org")
    grant(db_app, "Hotline", member, team_key)
    client = db_app.test_client()
    assert login(db_app, client, member).status_code == 302
    editor, _ = logged_in(db_app, "e1@example.org", "editor")
    admin, _ = logged_in(db_app, "a1@example.org", "admin")

    listing = client.get("/staff/replies/").get_data(as_text=True)
    assert "Hotline hello" in listing and "Lawyers hello" not in listing
    token = csrf_of(listing)
    for url in (f"/staff/replies/{other}", f"/staff/replies/{other}/delete"):
        assert client.get(url).status_code == 404, url
        assert client.post(url, data={"csrf_token": token}).status_code == 404, url
    assert client.get("/staff/replies/99999999999").status_code == 404
    sneaked = client.post(
        "/staff/replies/new",
        data={
            "csrf_token": token,
            "team": str(lawyers),
            "language": "en",
            "title": "Sneaked",
            "body": "SNEAKED",
        },
    )
    assert sneaked.status_code == 400

    for url in ("/staff/replies/", "/staff/replies/new", f"/staff/replies/{own}"):
        assert editor.get(url).status_code == 404, url
    assert "Saved replies" not in editor.get("/staff/account").get_data(as_text=True)

    # Admins look after every team's templates.
    admin_list = admin.get("/staff/replies/").get_data(as_text=True)
    assert "Hotline hello" in admin_list and "Lawyers hello" in admin_list
    assert admin.get(f"/staff/replies/{other}").status_code == 200

    # Another team's template cannot be put into a reply: refused, the text kept, nothing in.
    HelpClient(db_app.test_client(), "en").submit_ok("please help", category="physical")
    with db_app.app_context():
        request_id = db_session().scalars(select(HelpRequest.id)).one()
    page = client.get(f"/staff/requests/{request_id}").get_data(as_text=True)
    assert picker_options(page) == [str(own)]
    refused = client.post(
        f"/staff/requests/{request_id}/reply/insert",
        data={
            "reply-csrf_token": csrf_of(page),
            "reply-text": "typed so far",
            "reply-saved": str(other),
            "insert": "1",
        },
    )
    shown = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "nothing was inserted" in shown
    assert reply_box(shown) == "typed so far" and "LAWYERS-TEXT" not in shown
    with db_app.app_context():
        assert db_session().scalar(select(func.count()).select_from(SavedReply)) == 2
    assert editor.post(f"/staff/requests/{request_id}/reply/insert").status_code == 404
    assert events(db_app, "replied") == []


def test_insert_keeps_what_was_typed_without_javascript(db_app: Flask, team_key: str) -> None:
    with db_app.app_context():
        dbs = db_session()
        hotline = dbs.scalars(select(Team).where(Team.name == "Hotline")).one()
        made = {
            lang: saved_replies.create(dbs, None, hotline, lang, f"Hello {lang}", text).id
            for lang, text in (
                ("be", "Добры дзень.\nМы тут."),
                ("en", "Hello, we are here."),
                ("ru", "Здравствуйте.\nМы рядом & на связи."),
            )
        }
    member = make_member(db_app, "c1@example.org")
    grant(db_app, "Hotline", member, team_key)
    client = db_app.test_client()
    assert login(db_app, client, member).status_code == 302
    HelpClient(db_app.test_client(), "en").submit_ok("please", answer_language="ru")
    with db_app.app_context():
        request_id = db_session().scalars(select(HelpRequest.id)).one()
        messages_before = db_session().scalar(select(func.count()).select_from(RequestMessage))

    # The picker: one select, grouped by language, the request's answer language first.
    page = client.get(f"/staff/requests/{request_id}").get_data(as_text=True)
    groups = [a["label"] for a in find(page, "optgroup")]
    assert groups == ["Русский", "Беларуская", "English"]
    assert picker_options(page) == [str(made[x]) for x in ("ru", "be", "en")]
    insert = find(page, "button", name="insert")
    assert insert and insert[0]["formaction"].startswith(
        f"/staff/requests/{request_id}/reply/insert"
    )

    typed = "Добрый день,\r\n  спасибо, что написали. <b>&amp;"
    shown = client.post(
        f"/staff/requests/{request_id}/reply/insert",
        data={
            "reply-csrf_token": csrf_of(page),
            "reply-text": typed,
            "reply-saved": str(made["ru"]),
            "insert": "1",
        },
    )
    html_text = shown.get_data(as_text=True)
    assert shown.status_code == 200, html_text[:3000]
    assert reply_box(html_text) == typed + "\n\nЗдравствуйте.\nМы рядом & на связи."
    assert find(html_text, "option", value=str(made["ru"]), selected="")
    assert "nothing has been sent yet" in html_text

    # Another language, from an empty box: just the template.
    other = client.post(
        f"/staff/requests/{request_id}/reply/insert",
        data={"reply-csrf_token": csrf_of(page), "reply-text": "", "reply-saved": str(made["en"])},
    )
    assert other.status_code == 200
    assert reply_box(other.get_data(as_text=True)) == "Hello, we are here."

    # Too long together: refused, what was typed kept.
    long_typed = "z" * 3990
    too_long = client.post(
        f"/staff/requests/{request_id}/reply/insert",
        data={
            "reply-csrf_token": csrf_of(page),
            "reply-text": long_typed,
            "reply-saved": str(made["ru"]),
        },
    )
    assert too_long.status_code == 400
    assert reply_box(too_long.get_data(as_text=True)) == long_typed
    # An expired form: refused, kept.
    expired = client.post(
        f"/staff/requests/{request_id}/reply/insert",
        data={"reply-text": "kept", "reply-saved": str(made["ru"])},
    )
    assert expired.status_code == 400 and reply_box(expired.get_data(as_text=True)) == "kept"

    # Nothing was sent or stored.
    with db_app.app_context():
        messages_after = db_session().scalar(select(func.count()).select_from(RequestMessage))
    assert messages_after == messages_before
    assert events(db_app, "replied") == []

    # How the text joins what was typed.
    assert saved_replies.inserted("", "T") == "T"
    assert saved_replies.inserted("a", "T") == "a\n\nT"
    assert saved_replies.inserted("a\n", "T") == "a\n\nT"
    assert saved_replies.inserted("a\r\n\r\n", "T") == "a\r\n\r\nT"


def test_add_from_a_request_comes_back_to_it(db_app: Flask, team_key: str) -> None:
    """ "Add one" under a request's reply box carries the request (checked: one this member
    sees) and saving comes back to it; another team's request number is ignored."""
    with db_app.app_context():
        create_team(db_session(), "Lawyers")
        add_rule(db_session(), "Lawyers", category="legal")
    member = make_member(db_app, "c1@example.org")
    grant(db_app, "Hotline", member, team_key)
    client = signed_in(db_app, member)
    HelpClient(db_app.test_client(), "en").submit_ok("please")
    HelpClient(db_app.test_client(), "en").submit_ok("law", category="legal")
    with db_app.app_context():
        own, other = db_session().scalars(select(HelpRequest.id).order_by(HelpRequest.id))

    page = client.get(f"/staff/requests/{own}").get_data(as_text=True)
    link = re.search(r'href="(/staff/replies/new\?[^"]*)"[^>]*>Add one<', page)
    assert link and f"request={own}" in link.group(1)
    assert "not kept if you leave this page" in page
    form = client.get(html.unescape(link.group(1))).get_data(as_text=True)
    assert f'name="request" value="{own}"' in form and f"Back to request #{own}" in form
    data = {"team": str(team_id(db_app, "Hotline")), "language": "en", "title": "Hi"}
    saved = client.post(
        "/staff/replies/new",
        data={"csrf_token": csrf_of(form), "request": str(own), "body": "Hello.", **data},
    )
    assert saved.status_code == 302
    assert saved.headers["Location"] == f"/staff/requests/{own}#reply-heading"

    for foreign in (str(other), "99999", "/https://example.com"):
        elsewhere = client.post(
            "/staff/replies/new",
            data={"csrf_token": csrf_of(form), "request": foreign, "body": "Hey.", **data},
        )
        assert elsewhere.headers["Location"].startswith("/staff/replies/"), foreign
