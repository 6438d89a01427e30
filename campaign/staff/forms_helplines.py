# mypy: disallow-subclassing-any=False
"""The help line forms of the staff area (labels and messages in the member's language).

The form checks only lengths and shapes it can tell at once; ``content/helpline_edits.py``
checks every value again (a command may call it too) and names the field a refusal is about.
Texts are one field per language and text: ``name_be``, ``hours_ru``, ``offers_en``...
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from campaign.content import helpline_edits as edits
from campaign.core.config import LANGUAGES
from campaign.core.i18n import error_text
from campaign.models import Helpline, HelplineStatus
from campaign.models.content import HELPLINE_TEXTS
from campaign.staff.forms import IN_RANGE, TOO_LONG, WholeNumberField
from campaign.staff.forms_publishing import LANGUAGE_NAMES

KIND_CHOICES = [
    SelectChoice("hotline", _l("Help line (a phone number)")),
    SelectChoice("emergency", _l("Emergency number (never goes stale)")),
    SelectChoice("messenger", _l("Messenger (shown as text, never a link)")),
]
STATUS_CHOICES = [
    SelectChoice(HelplineStatus.AVAILABLE.value, _l("Available: it answers")),
    SelectChoice(HelplineStatus.UNAVAILABLE.value, _l("Unavailable: it does not answer")),
    SelectChoice(HelplineStatus.UNKNOWN.value, _l("Unknown: not checked")),
]
TEXT_FIELD_LABELS = {
    "name": _l("Name"),
    "hours": _l("Hours"),
    "offers": _l("What it offers"),
    "cost": _l("Cost"),
    "answered_by": _l("Who answers"),
}


def text_field(name: str, lang: str) -> str:
    return f"{name}_{lang}"


class HelplineForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=KIND_CHOICES)
    number = StringField(
        _l("Number as people read it"), validators=[Length(max=edits.NUMBER_MAX, message=TOO_LONG)]
    )
    dial = StringField(
        _l("Number to dial"), validators=[Length(max=edits.DIAL_MAX + 20, message=TOO_LONG)]
    )
    handle = StringField(
        _l("Messenger handle"), validators=[Length(max=edits.HANDLE_MAX, message=TOO_LONG)]
    )
    status = SelectField(_l("Status"), choices=STATUS_CHOICES)
    last_confirmed = StringField(
        _l("Last confirmed"), validators=[Length(max=20, message=TOO_LONG)]
    )
    hide_when_unavailable = BooleanField(_l("While unavailable, do not list it on the site at all"))
    in_header = BooleanField(_l("Offer it at the top of every page (only while it may be offered)"))
    position = WholeNumberField(
        _l("Position in the list"),
        validators=[
            InputRequired(_l("Give the position as a whole number.")),
            NumberRange(0, edits.POSITION_MAX, message=IN_RANGE),
        ],
    )
    note = TextAreaField(
        _l("Note for staff"), validators=[Length(max=edits.NOTE_MAX, message=TOO_LONG)]
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
            self[error.field].errors = [*self[error.field].errors, error_text(error)]
            return True
        return False


# One field per language and text (name_be, hours_ru...), in the order the page shows them.
for _lang in LANGUAGES:
    for _name in HELPLINE_TEXTS:
        _field = TextAreaField if _name == "offers" else StringField
        _label = _l(
            "%(text)s (%(language)s)",
            text=TEXT_FIELD_LABELS[_name],
            language=LANGUAGE_NAMES.get(_lang, _lang),
        )
        setattr(
            HelplineForm,
            text_field(_name, _lang),
            _field(_label, validators=[Length(max=edits.TEXT_MAX[_name], message=TOO_LONG)]),
        )


class NewHelplineForm(HelplineForm):
    position = WholeNumberField(
        _l("Position in the list"),
        validators=[Optional(), NumberRange(0, edits.POSITION_MAX, message=IN_RANGE)],
    )
    key = StringField(
        _l("Short name"),
        validators=[
            InputRequired(_l("Give the line a short name.")),
            Length(max=edits.KEY_MAX, message=TOO_LONG),
        ],
    )
