"""Rows inserted directly, for tests that must not depend on the account code: staff
members (placeholder keys; they never log in) and requests with chosen times."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy.orm import Session

from campaign.models import HelpRequest, StaffUser, TeamMembership


def add_member(
    session: Session,
    email: str,
    *,
    team_id: int,
    notify: bool = True,
    active: bool = True,
    language: str | None = None,
) -> StaffUser:
    user = StaffUser(
        email=email,
        name=email.split("@")[0],
        password_hash="placeholder",
        public_key=bytes(32),
        private_key_wrapped=bytes(48),
        key_salt=bytes(16),
        is_active=active,
        notify_by_email=notify,
        language=language,
    )
    user.memberships.append(TeamMembership(team_id=team_id))
    session.add(user)
    session.commit()
    return user


def add_request(
    session: Session,
    *,
    team_id: int,
    created_at: dt.datetime,
    category: str = "physical",
    region: str = "unspecified",
) -> HelpRequest:
    """A request with placeholder ciphertext (for counting, not reading)."""
    request = HelpRequest(
        team_id=team_id,
        category=category,
        region=region,
        language="en",
        receipt_hash=secrets.token_bytes(32),
        thread_key_for_team=b"sealed",
        thread_key_for_receipt=b"encrypted",
        contact_sealed=b"sealed",
        created_at=created_at,
        last_activity_at=created_at,
    )
    session.add(request)
    return request
