"""The audit log: one content-free entry per view of content and per action on a request,
and the entries in words for the admins' audit page.

The entry names the staff member who acted; ``actor=None`` is an operator's ``flask``
command (or ``label`` says which scheduled job, e.g. "system" for the purge). The writing
itself lives with the model (``campaign.models.audit.record``), so that publishing
(campaign/content) records its actions the same way.

Entries are stored in a stable, language-free form (action codes, ids, ``key=value``
details); :func:`in_words` turns a page of them into names and labels in the reader's
language when the page is shown, so renaming a team or a label changes old entries too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaign.cases.vocabulary import ANSWER_LANGUAGES, CATEGORIES, REGIONS, STATUS_LABELS
from campaign.core.i18n import LANGUAGE_NAMES
from campaign.core.inputs import parse_id
from campaign.models import AuditEvent, StaffUser, Team
from campaign.models.audit import OPERATOR, SYSTEM, record

__all__ = ["OPERATOR", "SYSTEM", "AuditLine", "in_words", "record", "say"]


def say(message: str, **values: object) -> str:
    """``gettext`` for the domain's messages: in the reader's language during a web request;
    as written (English) where no locale can be chosen (a ``flask`` command, a test)."""
    try:
        return str(gettext(message, **values))
    except RuntimeError:  # no request: the locale selector has nothing to read
        return message % values if values else message


_ = say

ACTIONS: dict[str, object] = {
    "login": _l("logged in"),
    "login-failed": _l("failed to log in"),
    "password-changed": _l("changed their password"),
    "invite-created": _l("invited a new member"),
    "invite-accepted": _l("accepted an invitation"),
    "invite-revoked": _l("revoked an invitation"),
    "reset-2fa-created": _l("made a two-factor reset link"),
    "reset-2fa-accepted": _l("set up two-factor login again"),
    "reset-account-created": _l("made a password reset link"),
    "reset-account-accepted": _l("set a new password"),
    "enrol-2fa-created": _l("made a two-factor set-up link"),
    "enrol-2fa-accepted": _l("set up two-factor login"),
    "account-enabled": _l("enabled an account"),
    "account-disabled": _l("disabled an account"),
    "role-changed": _l("changed a role"),
    "sessions-ended": _l("ended sessions"),
    "team-created": _l("created a team"),
    "team-key-granted": _l("granted a team key"),
    "team-key-saved": _l("confirmed the recovery key was saved"),
    "member-removed": _l("removed a member from a team"),
    "default-team-set": _l("chose the default team"),
    "routing-changed": _l("changed routing"),
    "viewed-content": _l("read a request"),
    "assigned": _l("assigned a request"),
    "status-changed": _l("changed a request's status"),
    "note-added": _l("added an internal note"),
    "replied": _l("replied to the person"),
    "rerouted": _l("moved a request to another team"),
    "purged": _l("deleted a request (retention)"),
    "server-secrets-rotated": _l("re-encrypted server secrets"),
    "language-changed": _l("changed their staff-area language"),
    "stats-downloaded": _l("downloaded statistics"),
    "saved-reply-added": _l("added a saved reply"),
    "saved-reply-changed": _l("changed a saved reply"),
    "saved-reply-deleted": _l("deleted a saved reply"),
    "content created": _l("created a page or statement"),
    "content details changed": _l("changed a page's details"),
    "content draft saved": _l("saved a draft"),
    "content published": _l("published a text"),
    "content restored": _l("restored an earlier version"),
    "content reviewed": _l("marked a text as reviewed"),
    "content unpublished": _l("unpublished a text"),
    "content first import": _l("imported the shipped content"),
    "content imported": _l("imported content"),
    "content imported and published": _l("imported and published content"),
    "help line added": _l("added a help line"),
    "help line changed": _l("changed a help line"),
    "help line confirmed": _l("confirmed a help line works"),
    "help line marked unavailable": _l("marked a help line as not answering"),
    "help line status changed": _l("changed a help line's status"),
}
LABELS = {
    "category": {c.value: c.label for c in CATEGORIES},
    "region": {c.value: c.label for c in REGIONS},
    "language": {c.value: c.label for c in ANSWER_LANGUAGES},
}
KINDS: dict[str, object] = {
    "category": _l("category"),
    "region": _l("region"),
    "language": _l("language"),
}
UNSPECIFIED = "unspecified"
KEY_VALUE = re.compile(r"\b(category|region|language|assignee|status)=(\S+)")
TO_TEAM = re.compile(r"to team ([0-9]{1,10})")
# The actions whose detail this code writes as ``key=value`` (ids and vocabulary codes);
# only these are put in words. Every other detail may hold what a person typed (a saved
# reply's title, a page's name, an email) and is shown as it was stored, never parsed.
KEY_VALUE_ACTIONS = frozenset({"assigned", "status-changed", "routing-changed"})
REROUTED = "rerouted"  # detail "to team <id>"
TEAM_NAME = " -> "  # a routing detail ends with the team's name, as an admin typed it


def _parts(event: AuditEvent) -> tuple[str, str]:
    """The detail cut in two: what was written as ``key=value``, and the text after it."""
    if event.action not in KEY_VALUE_ACTIONS:
        return "", event.detail
    if event.action == "routing-changed":
        head, arrow, name = event.detail.partition(TEAM_NAME)
        return head, arrow + name
    return event.detail, ""


def _moved_to(event: AuditEvent) -> int | None:
    moved = TO_TEAM.fullmatch(event.detail) if event.action == REROUTED else None
    return parse_id(moved.group(1)) if moved else None


# Details this code writes in English as whole sentences, recognised only in their exact
# shape (ASCII digits of bounded length, vocabulary codes, the fixed words) and said again in
# the reader's language; anything else (what a person typed) is shown as it was stored.
_N = "([0-9]{1,10})"
_CODE = "([a-z*-]{1,20})"
RULE_SHAPE = re.compile(
    rf"(added|removed|moved from {_N}:) rule #{_N} position {_N}: "
    rf"category={_CODE} region={_CODE} language={_CODE} -> (.{{1,200}})",
    re.ASCII | re.DOTALL,
)
IMPORT_SHAPE = re.compile(
    rf"{_N} new, {_N} revised, {_N} unchanged; {_N} help lines added", re.ASCII
)
IMPORT_ACTIONS = frozenset(
    {"content first import", "content imported", "content imported and published"}
)
DOWNLOAD_SHAPE = re.compile(
    r"(csv|svg) ([0-9]{4}-[0-9]{2}-[0-9]{2})\.\.([0-9]{4}-[0-9]{2}-[0-9]{2})", re.ASCII
)


def known_words(event: AuditEvent) -> str | None:
    """The detail of an entry in a shape this code writes, in the reader's language; else None."""
    detail = event.detail
    if event.action == "routing-changed" and (rule := RULE_SHAPE.fullmatch(detail)):
        what, old, _id, position, category, region, language, team = rule.groups()
        values = {
            "position": position,
            "category": label("category", category),
            "region": label("region", region),
            "language": label("language", language),
            "team": team,
        }
        if what == "added":
            return _(
                "added a rule at position %(position)s: category: %(category)s; region: "
                "%(region)s; language: %(language)s; to %(team)s",
                **values,
            )
        if what == "removed":
            return _(
                "deleted the rule at position %(position)s: category: %(category)s; "
                "region: %(region)s; language: %(language)s; to %(team)s",
                **values,
            )
        return _(
            "moved a rule from position %(old)s to %(position)s: category: %(category)s; "
            "region: %(region)s; language: %(language)s; to %(team)s",
            old=old,
            **values,
        )
    if event.action in IMPORT_ACTIONS and (counts := IMPORT_SHAPE.fullmatch(detail)):
        new, revised, unchanged, lines = counts.groups()
        return _(
            "new: %(new)s, revised: %(revised)s, unchanged: %(unchanged)s; help lines "
            "added: %(lines)s",
            new=new,
            revised=revised,
            unchanged=unchanged,
            lines=lines,
        )
    if event.action == "team-created" and detail.endswith(" (default)"):
        return _("%(name)s (the default team)", name=detail.removesuffix(" (default)"))
    if event.action == "language-changed":
        if detail == "browser":
            return _("as the browser asks")
        if detail in LANGUAGE_NAMES:
            return LANGUAGE_NAMES[detail]
    if event.action == "stats-downloaded" and (got := DOWNLOAD_SHAPE.fullmatch(detail)):
        fmt, first, last = got.groups()
        return _(
            "%(format)s file, weeks from %(first)s to %(last)s",
            format=fmt.upper(),
            first=first,
            last=last,
        )
    return None


@dataclass(frozen=True)
class AuditLine:
    """One entry as an admin reads it: names instead of numbers, codes in words."""

    event: AuditEvent
    actor: str
    action: str
    team: str
    detail: str


def label(kind: str, value: str | None) -> str:
    """A stored vocabulary value in words (``None``: any); an unknown value stays as it is."""
    if value is None or value == "*":
        return str(_("any"))
    if kind == "region" and value == UNSPECIFIED:
        return str(_("Not given"))  # the public form's "I prefer not to say", said to staff
    return str(LABELS[kind].get(value, value))


def in_words(session: Session, events: Sequence[AuditEvent]) -> list[AuditLine]:
    """The entries with names for members and teams (one query each), details in words."""
    parsed = [(e, *_parts(e), _moved_to(e)) for e in events]  # event, head, text, moved to
    assignees = {
        parse_id(m.group(2))
        for _e, head, _text, _moved in parsed
        for m in KEY_VALUE.finditer(head)
        if m.group(1) == "assignee"
    }
    user_ids = {e.actor_id for e in events if e.actor_id} | {i for i in assignees if i}
    moved_to = {moved for *_rest, moved in parsed}
    team_ids = {e.team_id for e in events if e.team_id} | {i for i in moved_to if i}
    users = {
        u.id: u.name
        for u in session.scalars(select(StaffUser).where(StaffUser.id.in_(user_ids or {0})))
    }
    teams = {
        t.id: t.name for t in session.scalars(select(Team).where(Team.id.in_(team_ids or {0})))
    }

    def value_in_words(match: re.Match[str]) -> str:
        kind, value = match.group(1), match.group(2)
        if kind == "assignee":
            if value == "none":
                return str(_("assignee: nobody"))
            number = parse_id(value)
            name = users.get(number) if number is not None else None
            return str(_("assignee: %(name)s", name=name or value))
        if kind == "status":
            return str(_("status: %(status)s", status=str(STATUS_LABELS.get(value, value))))
        return f"{KINDS[kind]}: {label(kind, value)}"

    lines = []
    for event, head, text, moved in parsed:
        detail = known_words(event)
        if not detail and moved is not None:
            detail = _("to team %(team)s", team=teams.get(moved, str(moved)))
        elif not detail:
            detail = KEY_VALUE.sub(value_in_words, head) + text
        if event.actor_id and event.actor_id in users:
            actor = f"{users[event.actor_id]} ({event.actor_label})"
        elif event.actor_label == OPERATOR:
            actor = _("operator (command line)")
        elif event.actor_label == SYSTEM:
            actor = _("system (scheduled job)")
        else:
            actor = event.actor_label
        lines.append(
            AuditLine(
                event=event,
                actor=actor,
                action=str(ACTIONS.get(event.action, event.action)),
                team=teams.get(event.team_id, str(event.team_id)) if event.team_id else "",
                detail=detail,
            )
        )
    return lines
