# mypy: disallow-subclassing-any=False
"""Publishing forms (Flask-WTF, CSRF in every one); labels and messages in the member's language.

The editor's buttons (Preview, Save draft, Publish) are plain ``<button name="action">``
elements read by the route: the first one, Preview, is what pressing Enter in a field
does, so a stray Enter never saves or publishes anything.
"""

from __future__ import annotations

import datetime as dt
import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from campaign.staff.forms import IN_RANGE, TOO_LONG, WholeNumberField

TITLE_MAX = 300  # ContentRevision.title
SUMMARY_MAX = 2000
# Characters. The longest text the form allows must still fit MAX_CONTENT_LENGTH (256 KiB)
# as a browser sends it, or the editor gets a 413 page instead of the form with the text:
# a Cyrillic character is 2 bytes of UTF-8 and 6 characters urlencoded ("%D1%8F"), so
# (40 000 + 2 000 + 300) * 6 = 253 800 bytes, under 262 144 with room for the rest of the
# form. (100 000, as before, was 600 000 bytes in Belarusian.) The longest shipped page is
# about 9 400 characters. Browsers also stop typing at this length (``maxlength``).
BODY_MAX = 40_000
SLUG_MAX = 100  # ContentItem.slug
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
LANGUAGE_NAMES = {"be": _l("Belarusian"), "ru": _l("Russian"), "en": _l("English")}


def _stripped(value: str | None) -> str:
    return (value or "").strip()


def _slug(value: str | None) -> str:
    return (value or "").strip().lower()


def parse_date(text: str) -> tuple[dt.date | None, bool]:
    """``YYYY-MM-DD`` or ``YYYY-MM`` (only the month known), or empty; ValueError otherwise."""
    text = text.strip()
    if not text:
        return None, False
    if re.fullmatch(r"\d{4}-\d{2}", text):
        return dt.date.fromisoformat(text + "-01"), True
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return dt.date.fromisoformat(text), False
    raise ValueError(text)


def _valid_date(_form: FlaskForm, field: StringField) -> None:
    try:
        parse_date(field.data or "")
    except ValueError as exc:
        raise ValidationError(_l("Write the date as YYYY-MM-DD, or YYYY-MM.")) from exc


class TextFields(FlaskForm):
    """Title, summary and Markdown body of one language."""

    title = StringField(
        _l("Title"), filters=[_stripped], validators=[Length(max=TITLE_MAX, message=TOO_LONG)]
    )
    summary = TextAreaField(
        _l("Summary (one or two sentences for lists and search results)"),
        validators=[Length(max=SUMMARY_MAX, message=TOO_LONG)],
    )
    body = TextAreaField(_l("Text (Markdown)"), validators=[Length(max=BODY_MAX, message=TOO_LONG)])


class EditForm(TextFields):
    """The editor of one language."""


class NewStatementForm(TextFields):
    lang = SelectField(_l("Language it is written in"), choices=[])
    slug = StringField(
        _l("Address"),
        filters=[_slug],
        validators=[
            DataRequired(_l("Give the statement an address.")),
            Length(max=SLUG_MAX, message=TOO_LONG),
            Regexp(SLUG, message=_l("Use only Latin letters, digits and hyphens.")),
        ],
    )
    date = StringField(
        _l("Date"),
        filters=[_stripped],
        validators=[DataRequired(_l("Give the statement its date.")), _valid_date],
    )


class DetailsForm(FlaskForm):
    """What all languages of a page share."""

    date = StringField(_l("Date"), filters=[_stripped], validators=[Optional(), _valid_date])
    position = WholeNumberField(
        _l("Position in lists (smaller comes first)"),
        validators=[
            InputRequired(_l("Give a number.")),
            NumberRange(min=0, max=100000, message=IN_RANGE),
        ],
    )
