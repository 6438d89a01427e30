"""The triage inbox on SQLite and PostgreSQL: what needs attention comes first and says why;
"assign to me" from the list (audited); "go to request #"; the notice a member without the
team key gets; and an inbox whose number of queries does not grow with its rows."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select

from campaign.cases import crypto, handling, intake
from campaign.cases.teams import add_rule, create_team
from campaign.core.db import db_session, engine
from campaign.models import AuditEvent, HelpRequest, StaffUser, TeamMembership
from tests.staff.staffclient import (
    Member,
    grant,
    make_member,
    post_form,
    signed_in,
    stored_request,
)

ROW = re.compile(r'<tr class="inbox__row[^"]*">(.*?)</tr>', re.S)
ROW_ID = re.compile(r'href="/staff/requests/(\d+)"')


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    app_config["ANSWER_WITHIN_DAYS"] = 2
    return app_config


def backdate(app: Flask, request_id: int, days: float) -> None:
    """Make a request (its times and its messages) ``days`` older."""
    shift = dt.timedelta(days=days)
    with app.app_context():
        dbs = db_session()
        req = dbs.get(HelpRequest, request_id)
        assert req is not None
        req.created_at -= shift
        req.last_activity_at -= shift
        for message in req.messages:
            message.created_at -= shift
        dbs.commit()


def assign(app: Flask, request_id: int, member: Member) -> None:
    with app.app_context():
        dbs = db_session()
        user, req = dbs.get(StaffUser, member.id), dbs.get(HelpRequest, request_id)
        assert user is not None and req is not None
        handling.assign(dbs, user, req, user.id)


def rows_of(client: FlaskClient, url: str = "/staff/") -> dict[int, str]:
    """The inbox rows in their order: request id -> the row's HTML."""
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    rows: dict[int, str] = {}
    for html in ROW.findall(response.get_data(as_text=True)):
        found = ROW_ID.search(html)
        assert found
        rows[int(found.group(1))] = html
    return rows


def test_needs_attention_first_and_marked(db_app: Flask, team_key: str) -> None:
    ann = make_member(db_app, "ann@example.org", name="Ann Casey")
    grant(db_app, "Hotline", ann, team_key)

    overdue, _ = stored_request(db_app)  # 10 days without an answer, assigned
    backdate(db_app, overdue, 10)
    assign(db_app, overdue, ann)
    replied, receipt = stored_request(db_app)  # staff answered, then she wrote back
    backdate(db_app, replied, 1)
    assign(db_app, replied, ann)
    with db_app.app_context():
        dbs = db_session()
        req = dbs.get(HelpRequest, replied)
        assert req is not None
        intake.add_staff_reply(dbs, req, crypto.parse_recovery_key(team_key), "We read you.")
        assert intake.add_person_message(dbs, receipt, "Thank you, call me.") is not None
    fresh, _ = stored_request(db_app, "phone", method="phone", phone="+375 29 000-11-22")
    assign(db_app, fresh, ann)  # assigned today: nothing to do yet
    new, _ = stored_request(db_app, method="phone", phone="+375 29 111-22-33", safe_times="10-12")
    expiring, _ = stored_request(db_app)  # the retention rules delete it in 5 days
    backdate(db_app, expiring, 175)
    assign(db_app, expiring, ann)
    with db_app.app_context():  # a staff reply, so it is not overdue as well
        dbs = db_session()
        req = dbs.get(HelpRequest, expiring)
        assert req is not None
        intake.add_staff_reply(dbs, req, crypto.parse_recovery_key(team_key), "Any news?")
    past, _ = stored_request(db_app)  # past its deletion date, the purge has not run
    backdate(db_app, past, 181)

    client = signed_in(db_app, ann)
    rows = rows_of(client)
    order = list(rows)
    assert fresh not in rows
    assert order.index(overdue) < order.index(new) and order.index(replied) < order.index(new)
    assert set(order) == {overdue, replied, new, expiring, past}

    assert re.search(r"Overdue by \d+ days", rows[overdue])
    assert "Assigned · Ann Casey" in rows[overdue]
    assert "Person replied" in rows[replied] and "Unread" in rows[replied]
    assert "Person wrote" in rows[replied]
    assert "Person replied" not in rows[overdue] and "Unread" not in rows[expiring]
    assert ">New<" in rows[new] and "Overdue" not in rows[new]
    assert "badge--new" not in rows[new]  # the status tag says New already
    assert "Phone call" in rows[new], rows[new]
    assert "Call window: 10-12" in rows[new]
    assert "Deleted in 5 days" in rows[expiring]
    assert "Past its deletion date" in rows[past]

    page = client.get("/staff/").get_data(as_text=True)
    assert "+375" not in page  # the list never shows the number itself
    assert 'id="order"' not in page  # its own order: longest waiting first
    assert 'id="order"' in client.get("/staff/?view=open").get_data(as_text=True)
    views = dict(re.findall(r'\?view=(\w+)"[^>]*>[^<]*<strong class="views__count">(\d+)', page))
    assert views["open"] == "6" and views["mine"] == "4" and views["closed"] == "0"
    assert fresh in rows_of(client, "/staff/?view=open")
    mine = rows_of(client, "/staff/?view=mine&sort=received&order=asc")
    assert list(mine) == [expiring, overdue, replied, fresh]
    # The older addresses still work: every status, newest first.
    everything = list(rows_of(client, "/staff/?status=all"))
    assert len(everything) == 6 and everything[0] == new and everything[-1] == past


def test_replied_first_and_unread_per_member(db_app: Flask, team_key: str) -> None:
    """The person who just wrote back comes above fresh new requests; "Unread" goes away for
    the member who opened the request, and only for her."""
    ann = make_member(db_app, "ann@example.org", name="Ann Casey")
    grant(db_app, "Hotline", ann, team_key)
    bob = make_member(db_app, "bob@example.org", name="Bob Burns")
    grant(db_app, "Hotline", bob, team_key)
    replied, receipt = stored_request(db_app)
    assign(db_app, replied, ann)
    with db_app.app_context():
        dbs = db_session()
        req = dbs.get(HelpRequest, replied)
        assert req is not None
        intake.add_staff_reply(dbs, req, crypto.parse_recovery_key(team_key), "When to call?")
    older_new, _ = stored_request(db_app)
    backdate(db_app, older_new, 1)  # waiting a day, yet below the person who replied
    fresh_new, _ = stored_request(db_app)
    with db_app.app_context():  # she answers after both new requests came
        assert intake.add_person_message(db_session(), receipt, "Call Thursday.") is not None

    ann_client, bob_client = signed_in(db_app, ann), signed_in(db_app, bob)
    rows = rows_of(ann_client)
    assert list(rows) == [replied, older_new, fresh_new]
    assert "Unread" in rows[replied] and "Person replied" in rows[replied]

    assert ann_client.get(f"/staff/requests/{replied}").status_code == 200
    assert "Unread" not in rows_of(ann_client)[replied]  # she has read it
    assert "Unread" in rows_of(bob_client)[replied]  # he has not
    with db_app.app_context():  # she writes again: unread for Ann once more
        assert intake.add_person_message(db_session(), receipt, "Not Wednesday.") is not None
    assert "Unread" in rows_of(ann_client)[replied]


def test_assign_to_me_and_go_to_request(db_app: Flask, team_key: str) -> None:
    with db_app.app_context():
        _lawyers, _key = create_team(db_session(), "Lawyers")
        add_rule(db_session(), "Lawyers", category="legal")
    ann = make_member(db_app, "ann@example.org", name="Ann Casey")
    grant(db_app, "Hotline", ann, team_key)
    own, _ = stored_request(db_app)
    other, _ = stored_request(db_app, "legal")
    client = signed_in(db_app, ann)
    assert "Assign to me" in rows_of(client)[own]

    taken = post_form(
        client, "/staff/", f"/staff/requests/{own}/take", {"back": "/staff/?view=open"}, "take"
    )
    assert taken.status_code == 302 and taken.headers["Location"] == "/staff/?view=open"
    with db_app.app_context():
        req = db_session().get(HelpRequest, own)
        assert req is not None and req.assignee_id == ann.id and req.status == "open"
        entry = (
            db_session()
            .scalars(
                select(AuditEvent).where(
                    AuditEvent.request_id == own, AuditEvent.action == "assigned"
                )
            )
            .one()
        )
        assert entry.actor_id == ann.id and entry.detail == f"assignee={ann.id}"
    assert own not in rows_of(client)  # assigned to her today: off "needs attention"
    assert "Assign to me" not in rows_of(client, "/staff/?view=mine")[own]
    # Somewhere else than a staff page: back to the inbox instead.
    again = post_form(
        client, f"/staff/requests/{own}", f"/staff/requests/{own}/take",
        {"back": "https://example.com/staff/"}, "take",
    )  # fmt: skip
    assert again.status_code == 302 and again.headers["Location"] == "/staff/"
    # Another team's request: the 404 of a wrong address; no CSRF token: nothing done.
    assert (
        post_form(client, "/staff/", f"/staff/requests/{other}/take", {}, "take").status_code == 404
    )
    assert client.post(f"/staff/requests/{own}/take", data={}).status_code == 302

    # Go to request #: a visible one opens ("#3", "№3", " 3 "); another team's or none
    # is said on the inbox in the same words, with the text kept.
    for typed in (f"%23{own}", f"%E2%84%96{own}", f"+{own}+", f"%E2%84%96+{own}"):
        jumped = client.get(f"/staff/?number={typed}")
        assert jumped.status_code == 302, typed
        assert jumped.headers["Location"] == f"/staff/requests/{own}"
    hidden, missing = client.get(f"/staff/?number={other}"), client.get("/staff/?number=99999")
    assert hidden.status_code == missing.status_code == 404
    assert f"No request #{other} that you can open." in hidden.get_data(as_text=True)
    assert "No request #99999 that you can open." in missing.get_data(as_text=True)
    assert 'value="99999"' in missing.get_data(as_text=True)
    assert 'class="inbox-head"' in missing.get_data(as_text=True)
    wrong = client.get("/staff/?number=forty-two")
    assert wrong.status_code == 400
    text = wrong.get_data(as_text=True)
    assert 'value="forty-two"' in text and "for example 42" in text


def test_member_without_key_is_told_who_can_grant_it(db_app: Flask, team_key: str) -> None:
    ada = make_member(db_app, "ada@example.org", "admin", name="Ada Admin")
    grant(db_app, "Hotline", ada, team_key)
    kim = make_member(db_app, "kim@example.org", name="Kim Keeper")
    grant(db_app, "Hotline", kim, team_key)
    make_member(db_app, "otto@example.org", "admin", name="Otto Keyless")
    newcomer = make_member(db_app, "new@example.org", name="Nell Newcomer")
    with db_app.app_context():
        db_session().add(TeamMembership(team_id=1, user_id=newcomer.id))
        db_session().commit()
    request_id, _ = stored_request(db_app, method="phone", phone="+375 29 000-11-22")
    client = signed_in(db_app, newcomer)

    page = client.get(f"/staff/requests/{request_id}").get_data(as_text=True)
    assert "You cannot read this request yet" in page
    assert "can grant it to you from the team's page: Ada Admin." in page
    assert "Kim Keeper" in page and "Otto Keyless" not in page
    assert "Assign to me" not in page and "Change status" not in page
    row = rows_of(client)[request_id]
    assert "no key" in row and "Assign to me" not in row

    refused = post_form(
        client, "/staff/account", f"/staff/requests/{request_id}/status",
        {"status-status": "closed"}, "status",
    )  # fmt: skip
    assert refused.status_code == 403
    assert "you do not hold this team&#39;s key yet" in refused.get_data(as_text=True)
    with db_app.app_context():
        req = db_session().get(HelpRequest, request_id)
        assert req is not None and req.status == "new"

    # Kim holds the key: she may assign it to the newcomer, whose name says "no key yet".
    kim_page = signed_in(db_app, kim).get(f"/staff/requests/{request_id}").get_data(as_text=True)
    assert "Nell Newcomer (no key yet)" in kim_page and "You cannot read" not in kim_page


def test_inbox_queries_do_not_grow_with_rows(db_app: Flask, team_key: str) -> None:
    ann = make_member(db_app, "ann@example.org", name="Ann Casey")
    grant(db_app, "Hotline", ann, team_key)
    client = signed_in(db_app, ann)

    def add(count: int) -> None:
        for n in range(count):
            request_id, _ = stored_request(db_app, method="phone", safe_times="9-10")
            if n % 2:
                assign(db_app, request_id, ann)

    def statements(url: str) -> int:
        seen: list[str] = []

        def count(*args: Any) -> None:
            seen.append(args[2])

        with db_app.app_context():
            bind = engine()
        event.listen(bind, "before_cursor_execute", count)
        try:
            assert client.get(url).status_code == 200
        finally:
            event.remove(bind, "before_cursor_execute", count)
        return len(seen)

    add(5)
    few = {url: statements(url) for url in ("/staff/", "/staff/?view=all")}
    add(25)
    assert len(rows_of(client, "/staff/?view=all")) == 30
    many = {url: statements(url) for url in few}
    assert min(few.values()) >= 4 and many == few, (few, many)
