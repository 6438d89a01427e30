"""The request vocabulary: categories, regions, answer languages, contact methods, limits.

The help form offers these choices, routing rules and the inbox filter on them, statistics
count by them. Labels are lazy translations, resolved in the reader's language.
"""

from __future__ import annotations

from typing import NamedTuple

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

MESSAGE_MAX = 4000  # characters in one message, note or reply


class Choice(NamedTuple):
    """A stored value and its label (a form field takes these as its choices)."""

    value: str
    label: object


C = Choice

CATEGORIES = [
    C("physical", _l("Physical violence: hitting, pushing, choking")),
    C("psychological", _l("Threats, humiliation or control")),
    C("sexual", _l("Sexual violence or pressure into sex")),
    C("economic", _l("Control of money, documents or work")),
    C("someone-else", _l("I am worried about someone else")),
    C("legal", _l("A legal question: protective order, police, court")),
    C("other", _l("Something else, or I am not sure")),
]

REGIONS = [
    C("unspecified", _l("I prefer not to say")),
    C("brest", _l("Brest Region")),
    C("vitebsk", _l("Vitebsk Region")),
    C("gomel", _l("Gomel Region")),
    C("grodno", _l("Grodno Region")),
    C("minsk-region", _l("Minsk Region")),
    C("mogilev", _l("Mogilev Region")),
    C("minsk-city", _l("Minsk (city)")),
]

ANSWER_LANGUAGES = [C("be", "Беларуская"), C("ru", "Русский"), C("en", "English")]

CONTACT_METHODS = [
    C("receipt", _l("Do not contact me. I will read the answer here with my receipt number.")),
    C("phone", _l("Phone call")),
    C("email", _l("Email")),
    C("messenger", _l("Messenger (Telegram, Viber, WhatsApp, Signal)")),
]

LEAVE_MESSAGE = [
    C("no", _l("No, never leave a message or voicemail")),
    C("yes", _l("Yes, you may leave a message")),
]

# Who the request is for. Asked first on the form, no choice made by default and none
# required: the words of the form and of the "sent" page follow it, and it is sealed with
# the contact details so staff know whose contact they hold. Not chosen is stored as "".
MYSELF = "myself"
SOMEONE_ELSE = "someone-else"
FOR_WHOM = [
    C(MYSELF, _l("For myself")),
    C(SOMEONE_ELSE, _l("For someone else (a relative, friend or neighbour)")),
]

# Which contact methods each contact field is for. The form shows (with JavaScript) or
# names (without) only these, checks and stores a field only for these methods.
CONTACT_FIELD_METHODS: dict[str, tuple[str, ...]] = {
    "phone": ("phone",),
    "email": ("email",),
    "messenger": ("messenger",),
    "may_leave_message": ("phone",),
    # A messenger rings and shows previews too, so its times and code word matter.
    "safe_times": ("phone", "messenger"),
    "code_word": ("phone", "messenger"),
    "contact_notes": ("phone", "email", "messenger"),
}

CATEGORY_VALUES = [choice.value for choice in CATEGORIES]
REGION_VALUES = [choice.value for choice in REGIONS]
LANGUAGE_VALUES = [choice.value for choice in ANSWER_LANGUAGES]


# A request's status as staff read it (the values are ``models.RequestStatus``). "status"
# is the translators' context: "Open" and "Closed" are also a button and an inbox view.
STATUS_LABELS = {
    "new": lazy_pgettext("status", "New"),
    "open": lazy_pgettext("status", "Open"),
    "waiting": lazy_pgettext("status", "Waiting for reply"),
    "closed": lazy_pgettext("status", "Closed"),
}
