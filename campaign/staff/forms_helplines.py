# mypy: disallow-subclassing-any=False
"""The help line forms of the staff area (English; the staff area is translated later).

The form checks only lengths and shapes it can tell at once; ``content/helpline_edits.py``
checks every value again (a command may call it too) and names the field a refusal is about.
Texts are one field per language and text: ``name_be``, ``hours_ru``, ``offers_en``...
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from campaign.content import helpline_edits as edits
from campaign.core.config import LANGUAGES
from campaign.models import Helpline, HelplineStatus
from campaign.models.content import HELPLINE_TEXTS

LANGUAGE_NAMES = {"be": "Belarusian", "ru": "Russian", "en": "English"}
KIND_CHOICES = [
    SelectChoice("hotline", "Help line (a phone number)"),
    SelectChoice("emergency", "Emergency number (never goes stale)"),
    SelectChoice("messenger", "Messenger (shown as text, never a link)"),
]
STATUS_CHOICES = [
    SelectChoice(HelplineStatus.AVAILABLE.value, "Available: it answers"),
    SelectChoice(HelplineStatus.UNAVAILABLE.value, "Unavailable: it does not answer"),
    SelectChoice(HelplineStatus.UNKNOWN.value, "Unknown: not checked"),
]
TOO_LONG = "It can be at most %(max)d characters long."
TEXT_FIELD_LABELS = {
    "name": "Name",
    "hours": "Hours",
    "offers": "What it offers",
    "cost": "Cost",
    "answered_by": "Who answers",
}


def text_field(name: str, lang: str) -> str:
    return f"{name}_{lang}"


class HelplineForm(FlaskForm):
    kind = SelectField("Kind", choices=KIND_CHOICES)
    number = StringField(
        "Number as people read it", validators=[Length(max=edits.NUMBER_MAX, message=TOO_LONG)]
    )
    dial = StringField(
        "Number to dial", validators=[Length(max=edits.DIAL_MAX + 20, message=TOO_LONG)]
    )
    handle = StringField(
        "Messenger handle", validators=[Length(max=edits.HANDLE_MAX, message=TOO_LONG)]
    )
    status = SelectField("Status", choices=STATUS_CHOICES)
    last_confirmed = StringField("Last confirmed", validators=[Length(max=20, message=TOO_LONG)])
    hide_when_unavailable = BooleanField("While unavailable, do not list it on the site at all")
    in_header = BooleanField("Offer it at the top of every page (only while it may be offered)")
    position = IntegerField(
        "Position in the list",
        validators=[
            InputRequired("Give the position as a whole number."),
            NumberRange(0, edits.POSITION_MAX),
        ],
    )
    note = TextAreaField(
        "Note for staff", validators=[Length(max=edits.NOTE_MAX, message=TOO_LONG)]
    )

    def text_fields(self, lang: str) -> list[Any]:
        return [self[text_field(name, lang)] for name in HELPLINE_TEXTS]

    def fill(self, row: Helpline) -> None:
        """Show a stored line (on GET)."""
        for name in ("kind", "number", "dial", "handle", "status", "position", "note"):
            self[name].data = getattr(row, name)
        self.hide_when_unavailable.data = row.hide_when_unavailable
        self.in_header.data = row.in_header
        self.last_confirmed.data = edits.format_confirmed(row)
        for lang in LANGUAGES:
            texts = (row.texts or {}).get(lang) or {}
            for name in HELPLINE_TEXTS:
                self[text_field(name, lang)].data = texts.get(name, "")

    def changes(self) -> dict[str, object]:
        """What was sent, as ``helpline_edits.update_line`` takes it (raises
        ``HelplineError`` for a date it cannot read)."""
        confirmed, is_month = edits.parse_confirmed(self.last_confirmed.data or "")
        return {
            "kind": self.kind.data,
            "number": self.number.data or "",
            "dial": self.dial.data or "",
            "handle": self.handle.data or "",
            "status": self.status.data,
            "last_confirmed": confirmed,
            "last_confirmed_is_month": is_month,
            "hide_when_unavailable": bool(self.hide_when_unavailable.data),
            "in_header": bool(self.in_header.data),
            "position": self.position.data,
            "note": self.note.data or "",
            "texts": {
                lang: {name: self[text_field(name, lang)].data or "" for name in HELPLINE_TEXTS}
                for lang in LANGUAGES
            },
        }

    def show_error(self, error: edits.HelplineError) -> bool:
        """Put a refusal beside its field; False when no field of this form is named."""
        if error.field and error.field in self:
            self[error.field].errors = [*self[error.field].errors, str(error)]
            return True
        return False


# One field per language and text (name_be, hours_ru...), in the order the page shows them.
for _lang in LANGUAGES:
    for _name in HELPLINE_TEXTS:
        _field = TextAreaField if _name == "offers" else StringField
        _label = f"{TEXT_FIELD_LABELS[_name]} ({LANGUAGE_NAMES.get(_lang, _lang)})"
        setattr(
            HelplineForm,
            text_field(_name, _lang),
            _field(_label, validators=[Length(max=edits.TEXT_MAX[_name], message=TOO_LONG)]),
        )


class NewHelplineForm(HelplineForm):
    position = IntegerField(
        "Position in the list", validators=[Optional(), NumberRange(0, edits.POSITION_MAX)]
    )
    key = StringField(
        "Short name",
        validators=[
            InputRequired("Give the line a short name."),
            Length(max=edits.KEY_MAX, message=TOO_LONG),
        ],
    )
