"""Staff forms (Flask-WTF, CSRF in every one). The staff interface is in English."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from campaign.cases.vocabulary import MESSAGE_MAX


class LoginForm(FlaskForm):
    email = StringField("Email", validators=[DataRequired(), Length(max=200)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=500)])
    code = StringField(
        "Code from your authenticator app", validators=[DataRequired(), Length(max=12)]
    )


class AcceptInviteForm(FlaskForm):
    password = PasswordField(
        "New password (at least 12 characters)", validators=[DataRequired(), Length(max=500)]
    )
    repeat = PasswordField("Repeat the password", validators=[DataRequired(), Length(max=500)])
    code = StringField(
        "Code from your authenticator app", validators=[DataRequired(), Length(max=12)]
    )


class ResetTwoFactorForm(FlaskForm):
    password = PasswordField("Your current password", validators=[DataRequired(), Length(max=500)])
    code = StringField(
        "Code from your authenticator app", validators=[DataRequired(), Length(max=12)]
    )


class PasswordForm(FlaskForm):
    current = PasswordField("Current password", validators=[DataRequired(), Length(max=500)])
    new = PasswordField(
        "New password (at least 12 characters)", validators=[DataRequired(), Length(max=500)]
    )
    repeat = PasswordField("Repeat the new password", validators=[DataRequired(), Length(max=500)])


class NotifyForm(FlaskForm):
    notify = BooleanField(
        "Email me when a new request arrives for my teams"
        " (the email says only that something is waiting)"
    )


class ActionForm(FlaskForm):
    """A button that only needs CSRF protection."""


class AssignForm(FlaskForm):
    assignee = SelectField("Assignee", choices=[], validators=[Optional()])


class StatusForm(FlaskForm):
    status = SelectField("Status", choices=[])


class NoteForm(FlaskForm):
    text = TextAreaField(
        "Internal note (team only)", validators=[DataRequired(), Length(max=MESSAGE_MAX)]
    )


class ReplyForm(FlaskForm):
    text = TextAreaField(
        "Reply to the person (they read it with their receipt)",
        validators=[DataRequired(), Length(max=MESSAGE_MAX)],
    )


class RerouteForm(FlaskForm):
    team = SelectField("Move to team", choices=[])


class InviteForm(FlaskForm):
    email = StringField("Email", validators=[DataRequired(), Length(max=200)])
    name = StringField("Name", validators=[DataRequired(), Length(max=100)])
    role = SelectField(
        "Role",
        choices=[
            SelectChoice("caseworker", "Caseworker"),
            SelectChoice("editor", "Editor"),
            SelectChoice("admin", "Admin"),
        ],
    )
    teams = SelectMultipleField("Teams", choices=[], coerce=int, validators=[Optional()])


class TeamForm(FlaskForm):
    name = StringField("Team name", validators=[DataRequired(), Length(max=100)])


class MemberForm(FlaskForm):
    user = SelectField("Member", choices=[], coerce=int)


class RuleForm(FlaskForm):
    category = SelectField("Category", choices=[])
    region = SelectField("Region", choices=[])
    language = SelectField("Language", choices=[])
    team = SelectField("Team", choices=[], coerce=int)
    position = IntegerField("Position", validators=[Optional(), NumberRange(min=0, max=100000)])


class MoveRuleForm(FlaskForm):
    position = IntegerField(
        "Position", validators=[InputRequired(), NumberRange(min=0, max=100000)]
    )


# Appended for issue 14 (the admin pages); the import stays here so this block merges alone.
from flask_babel import lazy_gettext as _lazy  # noqa: E402


class InviteInLanguageForm(InviteForm):
    """The invitation form with the new member's staff-area language (issue 14)."""

    language = SelectField(
        _lazy("Language of their staff area"),
        choices=[
            SelectChoice("be", "Беларуская"),
            SelectChoice("ru", "Русский"),
            SelectChoice("en", "English"),
        ],
        validate_choice=False,  # checked by cases.admin.invite; missing: the browser's choice
    )
