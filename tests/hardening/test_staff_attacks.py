"""The staff area, attacked: findings of the security review of the staff-area change, one
test each, on SQLite and PostgreSQL.

- two admins disabling (or demoting) each other at the same moment left the site with no
  active admin: the guard counted the other admins, then wrote later, unlocked;
- the admins' audit log page gave a 500 on free text: a saved reply's title such as
  ``assignee=² first answer`` was parsed as an id (``'²'.isdigit()`` is true, ``int('²')``
  fails; twenty digits overflow the column), and so was ``?request=²``;
- "Assign to me" from a stale inbox silently took a request another caseworker had just
  taken;
- crafted numbers and addresses gave 500s instead of a 4xx page: a saved-reply choice
  ``²``, a 12-digit "Go to request" number on PostgreSQL, a 20-digit request number in the
  address, ``back=`` with a line break.
"""

from __future__ import annotations

import datetime as dt
import html
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from campaign.cases import audit, handling
from campaign.core.db import db_session, engine
from campaign.models import AuditEvent, HelpRequest, StaffUser, Team
from devtools.forms import csrf_token_in
from tests.helpclient import HelpClient
from tests.maintenance.rows import add_request
from tests.staff.staffclient import Member, csrf_of, grant, login, make_member, post_form

# --- two admins at once -----------------------------------------------------------------------

COUNTED = "count(staff_user.id)"  # the guard's count of the other active admins


@contextmanager
def counts_meet(app: Flask, names: tuple[str, str], wait: float) -> Iterator[None]:
    """Make the bad interleaving happen whenever the code allows it: a request thread that
    has counted the other admins waits (up to ``wait`` seconds) until the other thread has
    counted too, or has started a write on ``staff_user`` (which, with the lock, means it
    waits for this one). Unlocked, both counts come before either write: no admin left."""
    counted = {name: threading.Event() for name in names}
    writing = {name: threading.Event() for name in names}

    def other(name: str) -> str:
        return names[1] if name == names[0] else names[0]

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        name = threading.current_thread().name
        if name in writing and statement.lstrip().upper().startswith("UPDATE STAFF_USER"):
            writing[name].set()

    def after(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        name = threading.current_thread().name
        if name not in counted or COUNTED not in statement:
            return
        counted[name].set()
        peer = other(name)
        waited = 0.0
        while waited < wait and not (counted[peer].is_set() or writing[peer].is_set()):
            counted[peer].wait(0.02)
            waited += 0.02

    with app.app_context():
        eng = engine()
    event.listen(eng, "before_cursor_execute", before)
    event.listen(eng, "after_cursor_execute", after)
    try:
        yield
    finally:
        event.remove(eng, "before_cursor_execute", before)
        event.remove(eng, "after_cursor_execute", after)


@pytest.mark.parametrize("action", ["disable", "role-caseworker"])
def test_two_admins_at_once_leave_one_admin(db_app: Flask, action: str) -> None:
    """Ann and Bob, the only admins, press "Disable" (or "Make caseworker") on each other
    at the same moment, two real requests on two threads: one wins, the other is told that
    the member is the last active admin (a redirect with that message, never a 500)."""
    ann = make_member(db_app, "ann@example.org", "admin", "Ann")
    bob = make_member(db_app, "bob@example.org", "admin", "Bob")
    clients: dict[str, tuple[FlaskClient, str, int]] = {}
    for name, me, other in (("ann", ann, bob), ("bob", bob, ann)):
        client = db_app.test_client()
        assert login(db_app, client, me).status_code == 302
        token = csrf_of(client.get("/staff/admin/users").get_data(as_text=True))
        clients[name] = (client, token, other.id)
    codes: dict[str, int] = {}
    flashes: dict[str, list[tuple[str, str]]] = {}

    def press(name: str) -> None:
        client, token, target = clients[name]
        answer = client.post(f"/staff/admin/users/{target}/{action}", data={"csrf_token": token})
        codes[name] = answer.status_code
        with client.session_transaction() as cookie_session:
            flashes[name] = list(cookie_session.get("_flashes", []))

    with counts_meet(db_app, ("ann", "bob"), wait=5.0):
        threads = [threading.Thread(target=press, args=(n,), name=n) for n in ("ann", "bob")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    assert codes == {"ann": 302, "bob": 302}, codes
    with db_app.app_context():
        dbs = db_session()
        admins = dbs.scalars(
            select(StaffUser.email).where(StaffUser.role == "admin", StaffUser.is_active)
        ).all()
        changed = dbs.scalar(
            select(func.count(AuditEvent.id)).where(
                AuditEvent.action.in_(("account-disabled", "role-changed"))
            )
        )
    assert len(admins) == 1, admins
    assert changed == 1  # the loser changed nothing, not even the audit log
    loser = "bob" if admins == ["ann@example.org"] else "ann"
    refused = [text for kind, text in flashes[loser] if kind == "error"]
    assert any("is the last active admin" in text for text in refused), flashes


# --- the audit log page on free text ---------------------------------------------------------

TITLES = ["assignee=² first answer", "assignee=99999999999999999999 first answer", "status=new"]


def test_audit_log_shows_typed_text_as_text(db_app: Flask, team_key: str) -> None:
    """Saved-reply titles that look like the log's own ``key=value`` details: the page is
    shown (not a 500) with the titles as typed; real details are still in words."""
    worker = make_member(db_app, "cw@example.org", "caseworker", "Cara Worker")
    grant(db_app, "Hotline", worker, team_key)
    cw = db_app.test_client()
    assert login(db_app, cw, worker).status_code == 302
    with db_app.app_context():
        hotline = db_session().scalars(select(Team.id).where(Team.name == "Hotline")).one()
    for title in TITLES:
        form = cw.get(f"/staff/replies/new?team={hotline}").get_data(as_text=True)
        added = cw.post(
            "/staff/replies/new",
            data={
                "csrf_token": csrf_of(form),
                "team": str(hotline),
                "language": "ru",
                "title": title,
                "body": "text",
            },
        )
        assert added.status_code == 302, title
    with db_app.app_context():
        dbs = db_session()
        number = add_request(dbs, team_id=hotline, created_at=dt.datetime.now(dt.UTC)).id
        audit.record(dbs, None, "assigned", request_id=number, detail=f"assignee={worker.id}")
        audit.record(dbs, None, "assigned", request_id=number, detail="assignee=²")
        audit.record(dbs, None, "assigned", request_id=number, detail=f"assignee={'9' * 20}")
        dbs.commit()
    boss = make_member(db_app, "boss@example.org", "admin")
    admin = db_app.test_client()
    assert login(db_app, admin, boss).status_code == 302
    answer = admin.get("/staff/admin/audit")
    assert answer.status_code == 200
    page = html.unescape(answer.get_data(as_text=True))
    for title in TITLES:
        assert f'"{title}" (ru)' in page, title  # as typed, not "assignee: ..." or "status: ..."
    assert "assignee: Cara Worker" in page  # the log's own details, in words
    assert "assignee: ²" in page and f"assignee: {'9' * 20}" in page


@pytest.mark.parametrize("number", ["²", "٣", "99999999999", "9" * 40, "-1", " 1"])
def test_audit_request_filter_refuses_what_is_not_a_number(db_app: Flask, number: str) -> None:
    boss = make_member(db_app, "boss@example.org", "admin")
    admin = db_app.test_client()
    assert login(db_app, admin, boss).status_code == 302
    answer = admin.get("/staff/admin/audit", query_string={"request": number})
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    assert "not a request number" in page  # and the whole log is shown


# --- "Assign to me" on a request someone has just taken ---------------------------------------


def test_assign_to_me_never_takes_a_request_from_someone(db_app: Flask, team_key: str) -> None:
    """Ann and Bob both see a request unassigned; Ann takes it; Bob's "Assign to me" from
    his stale inbox is told who has it and changes nothing. The button is then offered on
    unassigned rows only; the request page's "Assign" form still reassigns on purpose."""
    HelpClient(db_app.test_client(), "en").submit_ok("please help", category="physical")
    with db_app.app_context():
        number = db_session().scalars(select(HelpRequest.id)).one()
    people: dict[str, tuple[FlaskClient, Member, str]] = {}
    for email, name in (("ann@example.org", "Ann Casey"), ("bob@example.org", "Bob Stale")):
        member = make_member(db_app, email, "caseworker", name)
        grant(db_app, "Hotline", member, team_key)
        client = db_app.test_client()
        assert login(db_app, client, member).status_code == 302
        people[email] = (client, member, client.get("/staff/").get_data(as_text=True))
    for email in people:  # Ann first, then Bob from the page he opened before she took it
        client, _member, inbox = people[email]
        token = csrf_token_in(inbox, "take")
        assert token, inbox[:500]
        answer = client.post(
            f"/staff/requests/{number}/take",
            data={"take-csrf_token": token, "back": "/staff/"},
        )
        assert answer.status_code == 302 and answer.headers["Location"] == "/staff/"
    bob_client, bob, _ = people["bob@example.org"]
    _, ann, _ = people["ann@example.org"]
    shown = html.unescape(bob_client.get("/staff/").get_data(as_text=True))
    assert "Already taken by Ann Casey" in shown and "is now yours" not in shown
    with db_app.app_context():
        dbs = db_session()
        assert dbs.get(HelpRequest, number).assignee_id == ann.id  # type: ignore[union-attr]
        taken = dbs.scalars(select(AuditEvent.actor_id).where(AuditEvent.action == "assigned"))
        assert list(taken) == [ann.id]
    # Bob is offered no "Assign to me" on Ann's request, in the inbox or on its page ...
    assert f"/staff/requests/{number}/take" not in bob_client.get("/staff/?view=all").get_data(
        as_text=True
    )
    page = bob_client.get(f"/staff/requests/{number}").get_data(as_text=True)
    assert f"/staff/requests/{number}/take" not in page
    # ... but the full "Assign" form still moves it to him, deliberately.
    moved = post_form(
        bob_client,
        f"/staff/requests/{number}",
        f"/staff/requests/{number}/assign",
        {"assign-assignee": str(bob.id)},
        "assign",
    )
    assert moved.status_code == 302
    with db_app.app_context():
        assert db_session().get(HelpRequest, number).assignee_id == bob.id  # type: ignore[union-attr]


def test_two_takes_at_once_one_wins(db_app: Flask, team_key: str) -> None:
    """The take is one conditional write: two members who both read the request unassigned
    (two sessions, as two workers would) cannot both get it."""
    HelpClient(db_app.test_client(), "en").submit_ok("please help", category="physical")
    ann = make_member(db_app, "ann@example.org", "caseworker", "Ann Casey")
    bob = make_member(db_app, "bob@example.org", "caseworker", "Bob Stale")
    for member in (ann, bob):
        grant(db_app, "Hotline", member, team_key)
    with db_app.app_context(), Session(engine()) as other:
        dbs = db_session()
        mine = dbs.scalars(select(HelpRequest)).one()
        theirs = other.scalars(select(HelpRequest)).one()
        assert mine.assignee_id is None and theirs.assignee_id is None  # both read it free
        ann_row, bob_row = dbs.get(StaffUser, ann.id), other.get(StaffUser, bob.id)
        assert ann_row is not None and bob_row is not None
        assert handling.take(dbs, ann_row, mine) is None  # taken
        holder = handling.take(other, bob_row, theirs)
        assert holder is not None and holder.id == ann.id
        other.rollback()
    with db_app.app_context():
        dbs = db_session()
        assert dbs.scalars(select(HelpRequest.assignee_id)).one() == ann.id
        assert (
            dbs.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "assigned"))
            == 1
        )


# --- crafted numbers and addresses: a 4xx page, never a 500 -----------------------------------

BIG = "9" * 20
BIG_ADDRESSES = [
    ("get", f"/staff/requests/{BIG}"),
    ("post", f"/staff/requests/{BIG}/take"),
    ("post", f"/staff/requests/{BIG}/assign"),
    ("post", f"/staff/requests/{BIG}/reply/insert"),
    ("get", f"/staff/replies/{BIG}"),
    ("post", f"/staff/admin/users/{BIG}/disable"),
    ("post", f"/staff/admin/invitations/{BIG}/revoke"),
    ("get", f"/staff/admin/teams/{BIG}"),
    ("post", f"/staff/admin/teams/{BIG}/key-saved"),
    ("post", f"/staff/admin/teams/1/members/{BIG}/remove"),
    ("post", f"/staff/admin/routing/{BIG}/delete"),
    ("post", f"/staff/publishing/statements/x/en/restore/{BIG}"),
    ("get", f"/staff/requests/{2**31}"),
]


def test_huge_numbers_in_addresses_are_a_404(db_app: Flask) -> None:
    boss = make_member(db_app, "boss@example.org", "admin")
    client = db_app.test_client()
    assert login(db_app, client, boss).status_code == 302
    for method, url in BIG_ADDRESSES:
        assert getattr(client, method)(url).status_code == 404, url


@pytest.mark.parametrize("typed", ["999999999999", str(2**31), "²", "٣", "#" + BIG])
def test_go_to_request_with_no_such_number(db_app: Flask, typed: str) -> None:
    boss = make_member(db_app, "boss@example.org", "admin")
    client = db_app.test_client()
    assert login(db_app, client, boss).status_code == 302
    answer = client.get("/staff/", query_string={"number": typed})
    assert answer.status_code == 400
    assert "Type the request" in html.unescape(answer.get_data(as_text=True))


@pytest.mark.parametrize("team", [BIG, "²", "٣", "-1"])
def test_inbox_team_filter_not_a_team(db_app: Flask, team: str) -> None:
    boss = make_member(db_app, "boss@example.org", "admin")
    client = db_app.test_client()
    assert login(db_app, client, boss).status_code == 302
    assert client.get("/staff/", query_string={"team": team}).status_code == 200


def test_saved_reply_choice_not_a_number(db_app: Flask, team_key: str) -> None:
    HelpClient(db_app.test_client(), "en").submit_ok("please help", category="physical")
    with db_app.app_context():
        number = db_session().scalars(select(HelpRequest.id)).one()
    ann = make_member(db_app, "ann@example.org")
    grant(db_app, "Hotline", ann, team_key)
    client = db_app.test_client()
    assert login(db_app, client, ann).status_code == 302
    for chosen in ("²", "٣", BIG):
        page = client.get(f"/staff/requests/{number}").get_data(as_text=True)
        answer = client.post(
            f"/staff/requests/{number}/reply/insert",
            data={
                "reply-csrf_token": csrf_of(page),
                "reply-text": "typed",
                "reply-saved": chosen,
                "insert": "1",
            },
        )
        assert answer.status_code == 400, chosen
        assert "typed" in answer.get_data(as_text=True)  # what she typed is kept


@pytest.mark.parametrize(
    "back",
    [
        "/staff/\r\nSet-Cookie: x=1",
        "/staff/\nx",
        "/staff/\t/../..//evil.example",
        "/staff/ x",
        "//evil.example/staff/",
        "\t//evil.example/staff/",
        "/\\evil.example/staff/",
        "https:/staff/",
    ],
)
def test_back_after_assign_to_me_stays_on_the_inbox(
    db_app: Flask, team_key: str, back: str
) -> None:
    HelpClient(db_app.test_client(), "en").submit_ok("please help", category="physical")
    with db_app.app_context():
        number = db_session().scalars(select(HelpRequest.id)).one()
    ann = make_member(db_app, "ann@example.org")
    grant(db_app, "Hotline", ann, team_key)
    client = db_app.test_client()
    assert login(db_app, client, ann).status_code == 302
    for data in ({"back": back}, {"back": back, "take-csrf_token": "expired"}):
        answer = client.post(f"/staff/requests/{number}/take", data=data)
        assert answer.status_code == 302, answer.status_code
        assert answer.headers["Location"] == "/staff/", answer.headers["Location"]
