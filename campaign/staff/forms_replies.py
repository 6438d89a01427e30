# mypy: disallow-subclassing-any=False
"""Forms of the saved replies: a template's own form, and the picker under a reply box.

The limits are the domain's (``cases.saved_replies``), which checks them again, so a
refusal reads the same from either place.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from campaign.cases.saved_replies import BODY_MAX, TITLE_MAX


class SavedReplyForm(FlaskForm):
    """Add or change a template. ``team`` is offered only when the member has a choice."""

    team = SelectField(_l("Team"), choices=[], coerce=int)
    language = SelectField(_l("Language of the reply"), choices=[])
    title = StringField(
        _l("Title (only staff see it)"),
        validators=[
            DataRequired(_l("Give the saved reply a title.")),
            Length(max=TITLE_MAX, message=_l("At most %(max)d characters.")),
        ],
    )
    body = TextAreaField(
        _l("Text of the reply"),
        validators=[
            DataRequired(_l("Write the text of the reply.")),
            Length(max=BODY_MAX, message=_l("At most %(max)d characters.")),
        ],
    )


class SavedReplyPickForm(FlaskForm):
    """The picker inside the reply form: same prefix, so the reply form's CSRF token is
    its own; ``saved`` is a template id, checked against the request's team by the domain."""

    saved = StringField(_l("Saved reply"), validators=[Optional(), Length(max=12)])
