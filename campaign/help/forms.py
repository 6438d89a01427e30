"""The help request form and the receipt forms (Flask-WTF; CSRF in every form).

Every error message is translated; no validator ever drops what the person typed.

Contact fields follow the chosen method (``vocabulary.CONTACT_FIELD_METHODS``): a field
that is not for the chosen method is neither checked nor stored, so a phone number typed
before switching to "email" is not kept. A receipt may be typed as its 16 digits or as its
six words (``campaign.cases.receipt_words``); the receipt forms turn words into the digits
before anything else sees them.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from flask import current_app, g
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, URLSafeTimedSerializer
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, StopValidation, ValidationError

from campaign.cases.crypto import format_receipt
from campaign.cases.receipt_words import looks_like_words, receipt_from_words, words_for
from campaign.cases.vocabulary import (
    ANSWER_LANGUAGES,
    CATEGORIES,
    CONTACT_FIELD_METHODS,
    CONTACT_METHODS,
    FOR_WHOM,
    LEAVE_MESSAGE,
    MESSAGE_MAX,
    REGIONS,
    SOMEONE_ELSE,
    Choice,
)

SHORT_MAX = 200
NOTES_MAX = 1000
REPLACEMENT_CHAR = "\ufffd"

UNREADABLE = _l(
    "Some characters could not be read and are shown as �. Check the text and send it again."
)
NOT_A_CHOICE = _l("Choose one of the options.")
# Each error names the method she chose, so she knows why a field she may have skipped is
# needed now.
PHONE_NEEDED = _l("You chose a phone call: write the number we may call.")
EMAIL_NEEDED = _l("You chose email: write the address we may write to.")
MESSENGER_NEEDED = _l("You chose a messenger: write which one, and your name or number there.")
RECEIPT_NEEDED = _l("Enter your receipt: 16 digits or 6 words.")
RECEIPT_WORDS_UNREADABLE = _l(
    "We could not read these words. Check that there are 6 words, spelled as you got them."
)
RECEIPT_TEXT_MAX = 200  # six long words with separators fit; 16 digits with spaces too


def _no_unreadable(_form: Any, field: Any) -> None:
    if isinstance(field.data, str) and REPLACEMENT_CHAR in field.data:
        raise ValidationError(str(UNREADABLE))


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _started_serializer() -> URLSafeTimedSerializer:
    """Signs with SECRET_KEY; also accepts SECRET_KEY_FALLBACKS (a form open at a rotation)."""
    config = current_app.config
    keys = [*(config.get("SECRET_KEY_FALLBACKS") or []), config["SECRET_KEY"]]  # newest last
    return URLSafeTimedSerializer(keys, salt="help-form-started")


def new_started_token() -> str:
    """The signed "started" stamp of a newly shown help form: when it was shown, and a random
    form id (``viewonce``: a form that was sent is recognised if it is sent again)."""
    return str(_started_serializer().dumps(secrets.token_urlsafe(16)))


def _started(token: str) -> tuple[str, float] | None:
    try:
        value, signed_at = _started_serializer().loads(token, return_timestamp=True)
    except (BadSignature, TypeError, ValueError):
        return None
    return str(value), float(signed_at.timestamp())


def seconds_since_started(token: str) -> float | None:
    """How long ago the form was first shown; None if the token is missing or forged."""
    started = _started(token)
    return None if started is None else time.time() - started[1]


def started_form_id(token: str) -> str | None:
    """The form id in a valid stamp (stamps from before form ids give "started")."""
    started = _started(token)
    return None if started is None else started[0]


def kept_started_token(token: str | None) -> str:
    """The stamp for a form shown again after an error round: the one it was sent with, if
    valid, so the minimum fill time counts from when the form was first shown and the form
    keeps its id; else a new one."""
    if token and _started(token) is not None:
        return token
    return new_started_token()


def _for_chosen_method(form: Any, field: Any) -> None:
    """Skip the checks of a contact field that is not for the chosen method (not stored).

    A choice that is not one of the options is still refused (the form never sends one).
    """
    method = form.contact_method.data or "receipt"
    if method not in CONTACT_FIELD_METHODS.get(field.name, ()):
        raise StopValidation()


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
    for_whom = RadioField(
        _l("Who are you asking for?"),
        choices=select_choices(FOR_WHOM),
        validators=[Optional()],
        invalid_choice_message=NOT_A_CHOICE,
    )
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
    # The method's own field is needed only for that method; the template says so.
    phone = StringField(
        _l("Phone number"),
        filters=[_strip],
        validators=[_for_chosen_method, Length(max=40), _no_unreadable],
    )
    email = StringField(
        _l("Email address"),
        filters=[_strip],
        validators=[_for_chosen_method, Length(max=SHORT_MAX), _no_unreadable],
    )
    messenger = StringField(
        _l("Messenger and your name or number there"),
        filters=[_strip],
        validators=[_for_chosen_method, Length(max=SHORT_MAX), _no_unreadable],
    )
    may_leave_message = RadioField(
        _l("May we leave a message or voicemail?"),
        choices=select_choices(LEAVE_MESSAGE),
        default="no",
        validators=[_for_chosen_method],
        invalid_choice_message=NOT_A_CHOICE,
    )
    safe_times = StringField(
        _l("When is it safe to contact you? (optional)"),
        filters=[_strip],
        validators=[_for_chosen_method, Optional(), Length(max=SHORT_MAX), _no_unreadable],
    )
    code_word = StringField(
        _l("A code word we should use (optional)"),
        filters=[_strip],
        validators=[_for_chosen_method, Optional(), Length(max=100), _no_unreadable],
    )
    contact_notes = TextAreaField(
        _l("Anything we must know before contacting you (optional)"),
        filters=[_strip],
        validators=[_for_chosen_method, Optional(), Length(max=NOTES_MAX), _no_unreadable],
    )
    # Honeypot: hidden from people by CSS and from assistive technology; bots fill it.
    website = StringField("Website", validators=[Optional()])
    started = HiddenField()

    # Inline validators run after the field's own chain, which _for_chosen_method stops for
    # a field that is not for the chosen method: these run only for the chosen one.
    def validate_phone(self, field: Any) -> None:
        if not field.data:
            raise ValidationError(str(PHONE_NEEDED))

    def validate_email(self, field: Any) -> None:
        if not field.data:
            raise ValidationError(str(EMAIL_NEEDED))
        if "@" not in field.data:
            raise ValidationError(str(_l("Enter an email address like name@example.org.")))

    def validate_messenger(self, field: Any) -> None:
        if not field.data:
            raise ValidationError(str(MESSENGER_NEEDED))

    def chosen_for_whom(self) -> str:
        """Who the request is for: "myself", "someone-else", or "" when not said (the
        category "I am worried about someone else" says it too)."""
        chosen = self.for_whom.data or ""
        if not chosen and self.category.data == SOMEONE_ELSE:
            return SOMEONE_ELSE
        return str(chosen)

    @staticmethod
    def methods_for(name: str) -> str:
        """The contact methods a field is for, space-separated (for the template)."""
        return " ".join(CONTACT_FIELD_METHODS.get(name, ()))

    def contact_details(self) -> dict[str, str]:
        """Everything about contact, to be sealed to the team (never stored in clear):
        the method, the fields that are for it, and who the request is for."""
        method = self.contact_method.data or "receipt"
        details = {"method": method, "for_whom": self.chosen_for_whom()}
        for name, methods in CONTACT_FIELD_METHODS.items():
            if method not in methods:
                continue
            value = getattr(self, name).data
            if name == "may_leave_message":
                details[name] = value or "no"
            elif value:
                details[name] = value
        return details


def sent_page_values(receipt: str, contact: dict[str, str]) -> dict[str, Any]:
    """What templates/help/submitted.html shows besides its fixed text.

    The receipt as 16 grouped digits and as words in this page's language, and only what
    the "what happens next" list needs of her contact choices (the method, whether she
    gave safe times, who the request is for): never a contact detail itself.
    """
    return {
        "receipt": format_receipt(receipt),
        "receipt_words": words_for(receipt, str(g.lang)),
        "contact_method": contact.get("method", "receipt"),
        "times_given": bool(contact.get("safe_times")),
        "for_whom": contact.get("for_whom", ""),
        "answer_within_days": current_app.config.get("ANSWER_WITHIN_DAYS"),
    }


def receipt_as_digits(text: str) -> str | None:
    """What ``intake`` takes: typed digits as they are (it reads spaces and dashes), six
    words as the 16 digits they spell (any list, this page's language first); None for
    words that spell no receipt."""
    if not looks_like_words(text):
        return text
    return receipt_from_words(text, preferred=g.get("lang"))


class ReceiptWordsMixin:
    """Turns a receipt typed as words into its digits once the form is validated.

    ``receipt.data`` then holds the digits (for ``intake.open_thread`` and the thread
    page's hidden field); ``typed`` keeps what the person typed, to show it back.
    """

    receipt: Any
    typed: str = ""

    def validate(self, extra_validators: Any = None) -> bool:
        valid: bool = super().validate(extra_validators)  # type: ignore[misc]
        self.typed = self.receipt.data or ""
        if self.typed and looks_like_words(self.typed):
            digits = receipt_as_digits(self.typed)
            if digits is not None:
                self.receipt.data = digits
        return valid


class ReceiptForm(ReceiptWordsMixin, FlaskForm):
    receipt = StringField(
        _l("Your receipt"),
        filters=[_strip],
        validators=[
            DataRequired(message=RECEIPT_NEEDED),
            Length(max=RECEIPT_TEXT_MAX, message=RECEIPT_NEEDED),
        ],
    )

    def validate_receipt(self, field: Any) -> None:
        if receipt_as_digits(field.data) is None:
            raise ValidationError(str(RECEIPT_WORDS_UNREADABLE))


class FollowUpForm(ReceiptWordsMixin, FlaskForm):
    receipt = HiddenField(validators=[DataRequired(), Length(max=RECEIPT_TEXT_MAX)])
    message = message_field(_l("Add a message"))
