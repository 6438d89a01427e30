"""Staff forms (Flask-WTF, CSRF in every one). Labels and messages are lazy (Flask-Babel):
they are translated when the page is drawn, in the member's language."""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from campaign.cases.vocabulary import MESSAGE_MAX
from campaign.core.i18n import LANGUAGE_NAMES

# WTForms has no Belarusian catalogue: every validator here names its message.
REQUIRED = _l("Fill this in.")
TOO_LONG = _l("It can be at most %(max)d characters long.")
IN_RANGE = _l("Give a whole number from %(min)s to %(max)s.")
CODE_LABEL = _l("Code from your authenticator app")
NEW_PASSWORD_LABEL = _l("New password (at least 12 characters)")


def required() -> list[object]:
    return [DataRequired(REQUIRED)]


class WholeNumberField(IntegerField):
    """A number field whose complaint is in the member's language."""

    def process_formdata(self, valuelist: list[object]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(gettext("Give a whole number.")) from exc


class LoginForm(FlaskForm):
    email = StringField(_l("Email"), validators=[*required(), Length(max=200, message=TOO_LONG)])
    password = PasswordField(
        _l("Password"), validators=[*required(), Length(max=500, message=TOO_LONG)]
    )
    code = StringField(CODE_LABEL, validators=[*required(), Length(max=12, message=TOO_LONG)])


class AcceptInviteForm(FlaskForm):
    password = PasswordField(
        NEW_PASSWORD_LABEL, validators=[*required(), Length(max=500, message=TOO_LONG)]
    )
    repeat = PasswordField(
        _l("Repeat the password"), validators=[*required(), Length(max=500, message=TOO_LONG)]
    )
    code = StringField(CODE_LABEL, validators=[*required(), Length(max=12, message=TOO_LONG)])


class ResetTwoFactorForm(FlaskForm):
    password = PasswordField(
        _l("Your current password"), validators=[*required(), Length(max=500, message=TOO_LONG)]
    )
    code = StringField(CODE_LABEL, validators=[*required(), Length(max=12, message=TOO_LONG)])


class PasswordForm(FlaskForm):
    current = PasswordField(
        _l("Current password"), validators=[*required(), Length(max=500, message=TOO_LONG)]
    )
    new = PasswordField(
        NEW_PASSWORD_LABEL, validators=[*required(), Length(max=500, message=TOO_LONG)]
    )
    repeat = PasswordField(
        _l("Repeat the new password"), validators=[*required(), Length(max=500, message=TOO_LONG)]
    )


class NotifyForm(FlaskForm):
    notify = BooleanField(
        _l(
            "Email me when a new request arrives for my teams"
            " (the email says only that something is waiting)"
        )
    )


class LanguageForm(FlaskForm):
    """The language of the staff area for this member; empty: follow the browser."""

    language = SelectField(
        _l("Language"),
        choices=[
            SelectChoice("", _l("As my browser asks")),
            *(SelectChoice(code, name) for code, name in LANGUAGE_NAMES.items()),
        ],
    )


class ActionForm(FlaskForm):
    """A button that only needs CSRF protection."""


class AssignForm(FlaskForm):
    assignee = SelectField(_l("Assignee"), choices=[], validators=[Optional()])


class StatusForm(FlaskForm):
    status = SelectField(_l("Status"), choices=[])


class HandleForm(FlaskForm):
    """Assignee and status together, saved with one button (so neither choice is lost)."""

    assignee = SelectField(_l("Assignee"), choices=[], validators=[Optional()])
    status = SelectField(_l("Status"), choices=[])
    confirm = HiddenField()  # "close": closing unanswered with nobody assigned, confirmed


class NoteForm(FlaskForm):
    text = TextAreaField(
        _l("Internal note (team only)"),
        validators=[*required(), Length(max=MESSAGE_MAX, message=TOO_LONG)],
    )


class ReplyForm(FlaskForm):
    text = TextAreaField(
        _l("Reply to the person (they read it with their receipt)"),
        validators=[*required(), Length(max=MESSAGE_MAX, message=TOO_LONG)],
    )


class RerouteForm(FlaskForm):
    team = SelectField(_l("Move to team"), choices=[])


class InviteForm(FlaskForm):
    email = StringField(_l("Email"), validators=[*required(), Length(max=200, message=TOO_LONG)])
    name = StringField(_l("Name"), validators=[*required(), Length(max=100, message=TOO_LONG)])
    role = SelectField(
        _l("Role"),
        choices=[
            SelectChoice("caseworker", _l("Caseworker")),
            SelectChoice("editor", _l("Editor")),
            SelectChoice("admin", _l("Admin")),
        ],
    )
    teams = SelectMultipleField(  # checkboxes: easier on a phone than a multi-select box
        _l("Teams"),
        choices=[],
        coerce=int,
        validators=[Optional()],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )


class TeamForm(FlaskForm):
    name = StringField(_l("Team name"), validators=[*required(), Length(max=100, message=TOO_LONG)])


class MemberForm(FlaskForm):
    user = SelectField(_l("Member"), choices=[], coerce=int)


class RuleForm(FlaskForm):
    category = SelectField(_l("Category"), choices=[])
    region = SelectField(_l("Region"), choices=[])
    language = SelectField(_l("Language"), choices=[])
    team = SelectField(_l("Team"), choices=[], coerce=int)
    position = WholeNumberField(
        _l("Position"), validators=[Optional(), NumberRange(min=0, max=100000, message=IN_RANGE)]
    )


class MoveRuleForm(FlaskForm):
    position = WholeNumberField(
        _l("Position"),
        validators=[InputRequired(REQUIRED), NumberRange(min=0, max=100000, message=IN_RANGE)],
    )


class InviteInLanguageForm(InviteForm):
    """The invitation form with the new member's staff-area language (issue 14)."""

    language = SelectField(
        _l("Language of their staff area"),
        choices=[
            SelectChoice("be", "Беларуская"),
            SelectChoice("ru", "Русский"),
            SelectChoice("en", "English"),
        ],
        validate_choice=False,  # checked by cases.admin.invite; missing: the browser's choice
    )
