"""The help request form and the receipt forms (Flask-WTF; CSRF in every form).

Every error message is translated; no validator ever drops what the person typed.
"""

from __future__ import annotations

import time
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, URLSafeTimedSerializer
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from campaign.cases.vocabulary import (
    ANSWER_LANGUAGES,
    CATEGORIES,
    CONTACT_METHODS,
    LEAVE_MESSAGE,
    MESSAGE_MAX,
    REGIONS,
    Choice,
)

SHORT_MAX = 200
NOTES_MAX = 1000
REPLACEMENT_CHAR = "\ufffd"

UNREADABLE = _l(
    "Some characters could not be read and are shown as �. Check the text and send it again."
)
NOT_A_CHOICE = _l("Choose one of the options.")
MESSENGER_NEEDED = _l(
    "Write which messenger and your name or number there, or choose another way to contact you."
)


def _no_unreadable(_form: Any, field: Any) -> None:
    if isinstance(field.data, str) and REPLACEMENT_CHAR in field.data:
        raise ValidationError(str(UNREADABLE))


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _started_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="help-form-started")


def new_started_token() -> str:
    return str(_started_serializer().dumps("started"))


def seconds_since_started(token: str) -> float | None:
    """How long ago the form was shown; None if the token is missing or forged."""
    try:
        _value, signed_at = _started_serializer().loads(token, return_timestamp=True)
    except (BadSignature, TypeError, ValueError):
        return None
    return float(time.time() - signed_at.timestamp())


def message_field(label: Any) -> TextAreaField:
    """A person's message: required, limited in length, every character readable."""
    return TextAreaField(
        label,
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Write your message.")),
            Length(
                max=MESSAGE_MAX, message=_l("Your message is too long: up to %(max)d characters.")
            ),
            _no_unreadable,
        ],
    )


def select_choices(choices: list[Choice]) -> list[SelectChoice]:
    """The vocabulary's choices as WTForms wants them."""
    return [SelectChoice(choice.value, choice.label) for choice in choices]


class HelpRequestForm(FlaskForm):
    category = SelectField(
        _l("What is it about?"),
        choices=select_choices(CATEGORIES),
        default="other",
        invalid_choice_message=NOT_A_CHOICE,
    )
    message = message_field(_l("Your message"))
    region = SelectField(
        _l("Region"),
        choices=select_choices(REGIONS),
        default="unspecified",
        invalid_choice_message=NOT_A_CHOICE,
    )
    answer_language = RadioField(
        _l("Language for our answer"),
        choices=select_choices(ANSWER_LANGUAGES),
        invalid_choice_message=NOT_A_CHOICE,
    )
    contact_method = RadioField(
        _l("How may we contact you?"),
        choices=select_choices(CONTACT_METHODS),
        default="receipt",
        invalid_choice_message=NOT_A_CHOICE,
    )
    phone = StringField(
        _l("Phone number (optional)"),
        filters=[_strip],
        validators=[Length(max=40), _no_unreadable],
    )
    email = StringField(
        _l("Email address (optional)"),
        filters=[_strip],
        validators=[Length(max=SHORT_MAX), _no_unreadable],
    )
    messenger = StringField(
        _l("Messenger and your name or number there (optional)"),
        filters=[_strip],
        validators=[Length(max=SHORT_MAX), _no_unreadable],
    )
    may_leave_message = RadioField(
        _l("May we leave a message or voicemail?"),
        choices=select_choices(LEAVE_MESSAGE),
        default="no",
        invalid_choice_message=NOT_A_CHOICE,
    )
    safe_times = StringField(
        _l("When is it safe to contact you? (optional)"),
        filters=[_strip],
        validators=[Optional(), Length(max=SHORT_MAX), _no_unreadable],
    )
    code_word = StringField(
        _l("A code word we should use (optional)"),
        filters=[_strip],
        validators=[Optional(), Length(max=100), _no_unreadable],
    )
    contact_notes = TextAreaField(
        _l("Anything we must know before contacting you (optional)"),
        filters=[_strip],
        validators=[Optional(), Length(max=NOTES_MAX), _no_unreadable],
    )
    # Honeypot: hidden from people by CSS and from assistive technology; bots fill it.
    website = StringField("Website", validators=[Optional()])
    started = HiddenField()

    def validate_phone(self, field: Any) -> None:
        if self.contact_method.data == "phone" and not field.data:
            raise ValidationError(
                str(_l("Enter a phone number, or choose another way to contact you."))
            )

    def validate_email(self, field: Any) -> None:
        if self.contact_method.data != "email":
            return
        if not field.data:
            raise ValidationError(
                str(_l("Enter an email address, or choose another way to contact you."))
            )
        if "@" not in field.data:
            raise ValidationError(str(_l("Enter an email address like name@example.org.")))

    def validate_messenger(self, field: Any) -> None:
        if self.contact_method.data == "messenger" and not field.data:
            raise ValidationError(str(MESSENGER_NEEDED))

    def contact_details(self) -> dict[str, str]:
        """Everything about contact, to be sealed to the team (never stored in clear)."""
        method = self.contact_method.data or "receipt"
        details = {"method": method}
        if method != "receipt":
            for name in ("phone", "email", "messenger", "safe_times", "code_word", "contact_notes"):
                value = getattr(self, name).data
                if value:
                    details[name] = value
            details["may_leave_message"] = self.may_leave_message.data or "no"
        return details


class ReceiptForm(FlaskForm):
    receipt = StringField(
        _l("Your receipt number"),
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Enter your 16-digit receipt number.")),
            Length(max=64, message=_l("Enter your 16-digit receipt number.")),
        ],
    )


class FollowUpForm(FlaskForm):
    receipt = HiddenField(validators=[DataRequired(), Length(max=64)])
    message = message_field(_l("Add a message"))
