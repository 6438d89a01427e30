"""Ciphertext sizes do not tell what was written: sealed contacts, messages, replies and
notes are padded to size buckets before encryption, and rows written before padding (plain
UTF-8 text or JSON inside the box) still open, on SQLite and PostgreSQL."""

from __future__ import annotations

import json

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from campaign.cases import crypto, handling, intake
from campaign.cases.teams import create_team
from campaign.core.db import db_session
from campaign.models import HelpRequest, InternalNote, RequestMessage, StaffUser, Team
from tests.helpclient import SHOWN_ONCE, HelpClient
from tests.maintenance.rows import add_member


def stored_requests(app: Flask) -> list[HelpRequest]:
    with app.app_context():
        return list(db_session().scalars(select(HelpRequest).order_by(HelpRequest.id)))


def message_bodies(app: Flask) -> list[bytes]:
    with app.app_context():
        return list(db_session().scalars(select(RequestMessage.body).order_by(RequestMessage.id)))


def test_receipt_only_and_phone_contact_seal_to_the_same_length(
    db_app: Flask, db_client: FlaskClient
) -> None:
    person = HelpClient(db_client)
    person.submit_ok("Same message", contact_method="receipt")
    person.submit_ok(
        "Same message",
        contact_method="phone",
        phone="+375 29 123 45 67",
        may_leave_message="yes",
        safe_times="weekdays after 18:00",
        code_word="tulip",
    )
    receipt_only, phone = stored_requests(db_app)
    assert len(receipt_only.contact_sealed) == len(phone.contact_sealed)


def test_short_and_longer_messages_encrypt_to_the_same_length(
    db_app: Flask, db_client: FlaskClient, team_key: str
) -> None:
    person = HelpClient(db_client)
    short = person.submit_ok("x" * 10)
    person.submit_ok("y" * 200)
    assert person.add_message(short, "z" * 3).status_code == SHOWN_ONCE
    bodies = message_bodies(db_app)
    assert len({len(body) for body in bodies}) == 1, [len(body) for body in bodies]
    # A staff reply and a note are padded the same way.
    with db_app.app_context():
        session = db_session()
        request = session.scalars(select(HelpRequest).order_by(HelpRequest.id)).first()
        assert request is not None
        private = crypto.parse_recovery_key(team_key)
        intake.add_staff_reply(session, request, private, "ok")
        member = add_member(session, "n@example.org", team_id=request.team_id)
        handling.add_note(session, member, request, "a")
        handling.add_note(session, member, request, "a longer note " * 10)
        notes = list(session.scalars(select(InternalNote.body_sealed)))
        assert len({len(n) for n in notes}) == 1
        assert handling.notes(session, request, private)[1].text == "a longer note " * 10
    assert len({len(body) for body in message_bodies(db_app)}) == 1


def test_buckets_grow_in_steps_and_every_size_round_trips() -> None:
    key = crypto.new_thread_key()
    sizes = set()
    for length in (0, 1, 250, 251, 252, 500, 1000, 3000, 5000, 9000, 20000):
        text = "я" * length
        blob = crypto.encrypt_text(key, text)
        assert crypto.decrypt_text(key, blob) == text
        sizes.add(len(blob))
    assert len(sizes) < 11  # buckets, not one size per length
    public = crypto.new_team_keys()
    private = crypto.parse_recovery_key(public.recovery_key)
    for contact in ({"method": "receipt"}, {"method": "phone", "phone": "+375" + "1" * 30}):
        sealed = crypto.seal_contact(public.public_key, contact)
        assert crypto.unseal_contact(private, sealed) == contact


def test_rows_written_before_padding_still_open(
    db_app: Flask, db_client: FlaskClient, team_key: str
) -> None:
    """A request stored the way the code stored it before padding: unpadded UTF-8 and JSON
    inside the boxes. The person opens it with the receipt, staff read contact and notes."""
    person = HelpClient(db_client)
    receipt = person.submit_ok("placeholder")
    private = crypto.parse_recovery_key(team_key)
    with db_app.app_context():
        session = db_session()
        request = session.scalars(select(HelpRequest)).one()
        team = session.get(Team, request.team_id)
        assert team is not None
        thread_key = intake.thread_key_for_staff(request, private)
        # Exactly what the code before padding wrote.
        request.messages[0].body = crypto.encrypt(thread_key, "LEGACY MESSAGE ü".encode())
        legacy_contact = {"method": "phone", "phone": "+375 29 765 43 21"}
        request.contact_sealed = crypto.seal(team.public_key, json.dumps(legacy_contact).encode())
        member = add_member(session, "legacy@example.org", team_id=team.id)
        session.add(
            InternalNote(
                request_id=request.id,
                author_id=member.id,
                body_sealed=crypto.seal(team.public_key, b"LEGACY NOTE"),
            )
        )
        session.commit()
    page = person.check(receipt).get_data(as_text=True)
    assert "LEGACY MESSAGE ü" in page
    assert person.add_message(receipt, "NEW MESSAGE").status_code == SHOWN_ONCE
    with db_app.app_context():
        session = db_session()
        request = session.scalars(select(HelpRequest)).one()
        assert intake.read_contact(request, private) == legacy_contact
        texts = [e.text for e in intake.read_thread_as_staff(request, private).entries]
        assert texts == ["LEGACY MESSAGE ü", "NEW MESSAGE"]
        assert [n.text for n in handling.notes(session, request, private)] == ["LEGACY NOTE"]
        # Moving to another team re-seals contact and notes; they still open there.
        other, other_key = create_team(session, "Lawyers")
        other_private = crypto.parse_recovery_key(other_key)
        actor = session.scalars(select(StaffUser)).first()
        assert actor is not None
        handling.reroute(session, actor, request, private, other.id)
        request = session.scalars(select(HelpRequest)).one()
        assert intake.read_contact(request, other_private) == legacy_contact
        assert [n.text for n in handling.notes(session, request, other_private)] == ["LEGACY NOTE"]
