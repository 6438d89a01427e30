"""Saved replies: a team's reply templates, and putting one into a reply being written.

Owns who may see and change a team's templates, the three changes (add, change, delete:
each the work, its audit entry and the commit, in one transaction) and the insertion of a
template into the text of a reply (pure: nothing is sent, stored or audited).

Who: a team's members (caseworkers) for their own teams, and admins for every team (they
coordinate all teams; a template holds no request content). Editors handle no requests
and the web layer gives them a 404 before asking here. A template of a team the member
cannot see is :class:`access.NotVisibleError`, the same 404 as a wrong address.

Templates are stored in the clear: they are written once for many people and must hold no
person's details (the edit page says so). The audit entry names the title and the team,
and for a change which fields changed, never the text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaign.cases import audit
from campaign.cases.access import NotVisibleError, member_team_ids
from campaign.cases.vocabulary import LANGUAGE_VALUES, MESSAGE_MAX
from campaign.models import SavedReply, StaffUser, Team
from campaign.models.base import utcnow

TITLE_MAX = 100  # the column's length
BODY_MAX = MESSAGE_MAX  # a template must fit in a reply

CREATED = "saved-reply-added"
CHANGED = "saved-reply-changed"
DELETED = "saved-reply-deleted"


class SavedReplyError(ValueError):
    """A value that cannot be saved; ``field`` names the form field it is about."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ReplyEntry:
    """One template as the list shows it, with the name of who changed it last."""

    reply: SavedReply
    updated_by: str | None


@dataclass(frozen=True)
class TeamReplies:
    """A team's templates, grouped by language in the order of ``languages``."""

    team: Team
    by_language: dict[str, list[ReplyEntry]]

    @property
    def count(self) -> int:
        return sum(len(entries) for entries in self.by_language.values())


def _visible_team_ids(session: Session, user: StaffUser) -> set[int] | None:
    """The teams whose templates ``user`` may use and change; None means every team."""
    if user.is_admin:
        return None
    return set(member_team_ids(session, user))


def teams_for(session: Session, user: StaffUser) -> list[Team]:
    """The teams whose templates ``user`` may see, by name."""
    query = select(Team).order_by(Team.name)
    ids = _visible_team_ids(session, user)
    if ids is not None:
        query = query.where(Team.id.in_(ids))
    return list(session.scalars(query))


def visible_team(session: Session, user: StaffUser, team_id: int) -> Team:
    ids = _visible_team_ids(session, user)
    team = session.get(Team, team_id)
    if team is None or (ids is not None and team_id not in ids):
        raise NotVisibleError(team_id)
    return team


def visible_reply(session: Session, user: StaffUser, reply_id: int) -> SavedReply:
    """The template, if ``user`` may see its team; else NotVisibleError (a 404)."""
    reply = session.get(SavedReply, reply_id)
    if reply is None:
        raise NotVisibleError(reply_id)
    visible_team(session, user, reply.team_id)
    return reply


def languages_first(first: str | None) -> list[str]:
    """The languages in their usual order, ``first`` (a request's answer language) first."""
    if first not in LANGUAGE_VALUES:
        return list(LANGUAGE_VALUES)
    return [first, *(lang for lang in LANGUAGE_VALUES if lang != first)]


def team_replies(
    session: Session, teams: Sequence[Team], first_language: str | None = None
) -> list[TeamReplies]:
    """Each team's templates, grouped by language (``first_language`` first), by title."""
    order = languages_first(first_language)
    rows = session.execute(
        select(SavedReply, StaffUser.name)
        .outerjoin(StaffUser, StaffUser.id == SavedReply.updated_by_id)
        .where(SavedReply.team_id.in_([team.id for team in teams]))
        .order_by(SavedReply.title, SavedReply.id)
    )
    grouped: dict[int, dict[str, list[ReplyEntry]]] = {
        team.id: {lang: [] for lang in order} for team in teams
    }
    for reply, name in rows:
        grouped[reply.team_id].setdefault(reply.language, []).append(ReplyEntry(reply, name))
    return [TeamReplies(team, grouped[team.id]) for team in teams]


def _checked(language: str, title: str, body: str) -> tuple[str, str, str]:
    """The values as stored (title and text without surrounding blanks), or an error."""
    title, body = title.strip(), body.strip()
    if language not in LANGUAGE_VALUES:
        raise SavedReplyError(gettext("Choose the language of this reply."), "language")
    if not title:
        raise SavedReplyError(gettext("Give the saved reply a title."), "title")
    if len(title) > TITLE_MAX:
        raise SavedReplyError(
            gettext("The title is too long: at most %(n)s characters.", n=TITLE_MAX), "title"
        )
    if not body:
        raise SavedReplyError(gettext("Write the text of the reply."), "body")
    if len(body) > BODY_MAX:
        raise SavedReplyError(
            gettext("The text is too long: at most %(n)s characters.", n=BODY_MAX), "body"
        )
    return language, title, body


def _detail(title: str, extra: str = "") -> str:
    return f'"{title}"{extra}'


def create(
    session: Session,
    actor: StaffUser | None,
    team: Team,
    language: str,
    title: str,
    body: str,
) -> SavedReply:
    """Add a template to ``team`` (the caller checked the actor may: ``visible_team``)."""
    language, title, body = _checked(language, title, body)
    reply = SavedReply(
        team_id=team.id,
        language=language,
        title=title,
        body=body,
        updated_by_id=actor.id if actor else None,
    )
    session.add(reply)
    audit.record(session, actor, CREATED, team_id=team.id, detail=_detail(title, f" ({language})"))
    session.commit()
    return reply


def update(
    session: Session,
    actor: StaffUser | None,
    reply: SavedReply,
    language: str,
    title: str,
    body: str,
) -> bool:
    """Change a template; False (and nothing written) when nothing changed."""
    language, title, body = _checked(language, title, body)
    changed = [
        name
        for name, old, new in (
            ("language", reply.language, language),
            ("title", reply.title, title),
            ("text", reply.body, body),
        )
        if old != new
    ]
    if not changed:
        return False
    was = f' (was "{reply.title}")' if reply.title != title else ""
    reply.language, reply.title, reply.body = language, title, body
    reply.updated_at = utcnow()
    reply.updated_by_id = actor.id if actor else None
    audit.record(
        session,
        actor,
        CHANGED,
        team_id=reply.team_id,
        detail=_detail(title, f"{was}; changed: {', '.join(changed)}"),
    )
    session.commit()
    return True


def delete(session: Session, actor: StaffUser | None, reply: SavedReply) -> None:
    audit.record(session, actor, DELETED, team_id=reply.team_id, detail=_detail(reply.title))
    session.delete(reply)
    session.commit()


# -- using a template in a reply ---------------------------------------------------------


def choices_for(session: Session, team_id: int, first_language: str | None) -> TeamReplies:
    """The templates a reply to a request of ``team_id`` may use, its language first."""
    team = session.get(Team, team_id)
    if team is None:
        raise NotVisibleError(team_id)
    return team_replies(session, [team], first_language)[0]


def for_insertion(session: Session, team_id: int, reply_id: int | None) -> SavedReply:
    """The template to insert into a reply to a request of ``team_id``: only that team's
    own templates; any other id (another team's, a deleted one) is a SavedReplyError."""
    reply = session.get(SavedReply, reply_id) if reply_id is not None else None
    if reply is None or reply.team_id != team_id:
        raise SavedReplyError(
            gettext(
                "That saved reply is no longer there (someone may have deleted it), "
                "so nothing was inserted."
            ),
            "saved",
        )
    return reply


def inserted(typed: str, template: str) -> str:
    """The reply text with ``template`` added after what was typed, which is kept exactly
    (a blank line between them, unless the text ends with one already)."""
    if not typed.strip():
        return typed + template
    typed_end = typed.rstrip(" \t")
    if typed_end.endswith(("\n\n", "\r\n\r\n")):
        return typed + template
    if typed_end.endswith("\n"):
        return typed + "\n" + template
    return typed + "\n\n" + template
