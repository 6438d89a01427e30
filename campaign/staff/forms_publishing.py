# mypy: disallow-subclassing-any=False
"""Publishing forms (Flask-WTF, CSRF in every one). English, like the rest of the staff area.

The editor's buttons (Preview, Save draft, Publish) are plain ``<button name="action">``
elements read by the route: the first one, Preview, is what pressing Enter in a field
does, so a stray Enter never saves or publishes anything.
"""

from __future__ import annotations

import datetime as dt
import re

from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

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
LANGUAGE_NAMES = {"be": "Belarusian", "ru": "Russian", "en": "English"}


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
        raise ValidationError("Write the date as YYYY-MM-DD, or YYYY-MM.") from exc


class TextFields(FlaskForm):
    """Title, summary and Markdown body of one language."""

    title = StringField("Title", filters=[_stripped], validators=[Length(max=TITLE_MAX)])
    summary = TextAreaField(
        "Summary (one or two sentences for lists and search results)",
        validators=[Length(max=SUMMARY_MAX)],
    )
    body = TextAreaField("Text (Markdown)", validators=[Length(max=BODY_MAX)])


class EditForm(TextFields):
    """The editor of one language."""


class NewStatementForm(TextFields):
    lang = SelectField("Language it is written in", choices=[])
    slug = StringField(
        "Address",
        filters=[_slug],
        validators=[
            DataRequired("Give the statement an address."),
            Length(max=SLUG_MAX),
            Regexp(SLUG, message="Use only Latin letters, digits and hyphens."),
        ],
    )
    date = StringField(
        "Date",
        filters=[_stripped],
        validators=[DataRequired("Give the statement its date."), _valid_date],
    )


class DetailsForm(FlaskForm):
    """What all languages of a page share."""

    date = StringField("Date", filters=[_stripped], validators=[Optional(), _valid_date])
    position = IntegerField(
        "Position in lists (smaller comes first)",
        validators=[InputRequired("Give a number."), NumberRange(min=0, max=100000)],
    )
