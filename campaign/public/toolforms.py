"""The two private tools' questions and fields: "Is this abuse?" and the safety plan.

Plain WTForms ``BaseForm`` instances, built per request: no CSRF field and nothing in a
session (campaign/public/tools.py says why). Every field is optional, every error message is
translated, and no validator drops what the person typed: a text that is too long is shown
again in full with the error beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms.fields import RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.form import BaseForm
from wtforms.validators import Length, Optional

TEXT_MAX = 500  # each free-text field of the safety plan
NOT_A_CHOICE = _l("Choose one of the options.")
TOO_LONG = _l("This is too long: up to %(max)d characters. Shorten it a little.")

# "Is this abuse?" ----------------------------------------------------------------------

ABOUT_SOMEONE = "someone-close"
ABOUT = [
    SelectChoice("myself", _l("About myself")),
    SelectChoice(ABOUT_SOMEONE, _l("About someone close to me")),
]
YES, SOMETIMES, NO = "yes", "sometimes", "no"
ANSWERS = [
    SelectChoice(YES, _l("Yes")),
    SelectChoice(SOMETIMES, _l("Sometimes")),
    SelectChoice(NO, _l("No")),
]


@dataclass(frozen=True)
class Kind:
    """A kind of behaviour the answers may point to, with what it may mean."""

    key: str
    title: Any  # lazy strings: translated when shown
    meaning: Any


@dataclass(frozen=True)
class Question:
    name: str
    kind: str
    label: Any


FEAR = "fear"
KINDS = [
    Kind(
        "control",
        _l("Control and isolation"),
        _l(
            "Checking a phone, deciding what someone wears or whom they see, and keeping them "
            "away from friends and family are ways to control a person. Control often grows "
            "slowly. It leaves a person with fewer people to turn to."
        ),
    ),
    Kind(
        FEAR,
        _l("Fear"),
        _l(
            "Your answers speak of fear: of the person, or of their anger. Living on guard "
            "like this is exhausting, and it is never the fault of the one who is afraid."
        ),
    ),
    Kind(
        "put-downs",
        _l("Put-downs and blame"),
        _l(
            "Insults, mockery and name-calling wear a person down. So does being blamed for "
            "someone else's anger or violence. Violence is the choice of the person who uses "
            "it, never the fault of the one who suffers it."
        ),
    ),
    Kind(
        "money",
        _l("Money and work"),
        _l(
            "Taking someone's money, making them ask for every purchase, or stopping them "
            "from working or studying is economic abuse. It makes it harder to leave."
        ),
    ),
    Kind(
        "sexual",
        _l("Sexual coercion"),
        _l(
            "Pressure, threats or force to make someone have sex or do sexual things they do "
            "not want is sexual violence. It is violence in a marriage or a couple too."
        ),
    ),
    Kind(
        "physical",
        _l("Physical violence"),
        _l(
            "Hitting, pushing, choking or hurting the body in any other way is physical "
            "violence. Choking is very dangerous, even when it leaves no marks."
        ),
    ),
    Kind(
        "threats",
        _l("Threats"),
        _l(
            "Threats to hurt someone, their children or themselves, threats to take the "
            "children, and breaking things to frighten are ways to control through fear. "
            "Threats can turn into violence."
        ),
    ),
]
KIND_BY_KEY = {kind.key: kind for kind in KINDS}
# Kinds after which the answer page speaks of danger and a safety plan first.
DANGER = {"physical", "threats", "sexual"}

QUESTIONS = [
    Question(
        "checks",
        "control",
        _l("Does the person check your phone, your messages or where you are?"),
    ),
    Question(
        "isolates",
        "control",
        _l(
            "Does the person keep you from seeing friends or family, or make you feel guilty "
            "when you do?"
        ),
    ),
    Question(
        "decides",
        "control",
        _l("Does the person decide what you wear, where you go or whom you talk to?"),
    ),
    Question("afraid", FEAR, _l("Are you afraid of the person?")),
    Question(
        "careful",
        FEAR,
        _l("Do you change what you say or do so that the person does not get angry?"),
    ),
    Question(
        "insults",
        "put-downs",
        _l("Does the person insult you, mock you or call you names, alone or in front of others?"),
    ),
    Question(
        "blames",
        "put-downs",
        _l("Does the person say it is your fault when they get angry or hurt you?"),
    ),
    Question(
        "money",
        "money",
        _l(
            "Does the person take your money, make you ask for money, or stop you from working "
            "or studying?"
        ),
    ),
    Question(
        "sex",
        "sexual",
        _l("Has the person pressured or forced you into sex or sexual acts you did not want?"),
    ),
    Question(
        "hurts",
        "physical",
        _l("Has the person hit, pushed, choked or hurt you in any other way?"),
    ),
    Question(
        "threatens",
        "threats",
        _l(
            "Has the person threatened to hurt you, your children or themselves, or to take the "
            "children away?"
        ),
    ),
    Question(
        "breaks",
        "threats",
        _l("Has the person broken things, hit walls or hurt pets to frighten you?"),
    ),
]


def self_check_form(formdata: MultiDict[str, str] | None = None) -> BaseForm:
    """The questions, filled from ``formdata`` (the POST's body) or empty."""
    fields: list[tuple[str, Any]] = [
        (
            "about",
            RadioField(
                _l("Who are you asking about?"),
                choices=ABOUT,
                validators=[Optional()],
                invalid_choice_message=NOT_A_CHOICE,
            ),
        )
    ]
    fields += [
        (
            question.name,
            RadioField(
                question.label,
                choices=ANSWERS,
                validators=[Optional()],
                invalid_choice_message=NOT_A_CHOICE,
            ),
        )
        for question in QUESTIONS
    ]
    form = BaseForm(fields)
    form.process(formdata)
    return form


@dataclass(frozen=True)
class Pattern:
    """What the answers point to: never a score, only the kinds of behaviour named."""

    about: str  # "myself", "someone-close", or "" when not said
    answered: bool  # at least one question answered (the "who" question does not count)
    kinds: list[Kind]

    @property
    def someone_close(self) -> bool:
        return self.about == ABOUT_SOMEONE

    @property
    def fear(self) -> bool:
        return any(kind.key == FEAR for kind in self.kinds)

    @property
    def danger(self) -> bool:
        return any(kind.key in DANGER for kind in self.kinds)


def pattern_of(form: BaseForm) -> Pattern:
    answers = {question.name: form[question.name].data for question in QUESTIONS}
    pointed = {
        question.kind for question in QUESTIONS if answers[question.name] in (YES, SOMETIMES)
    }
    about = form["about"].data if form["about"].data in {c.value for c in ABOUT} else ""
    return Pattern(
        about=str(about),
        answered=any(answers.values()),
        kinds=[kind for kind in KINDS if kind.key in pointed],
    )


# The safety plan ------------------------------------------------------------------------

BAG = [
    SelectChoice("money", _l("Some money")),
    SelectChoice("bank-card", _l("A bank card")),
    SelectChoice("charger", _l("A phone charger")),
    SelectChoice("keys", _l("Spare keys")),
    SelectChoice("medicines", _l("Medicines you or the children need")),
    SelectChoice("clothes", _l("Clothes for a few days")),
    SelectChoice("numbers", _l("Important phone numbers written on paper")),
    SelectChoice("children", _l("Something the children love, such as a toy")),
]
DOCUMENTS = [
    SelectChoice("passport", _l("Your passport or other ID")),
    SelectChoice("birth-certificates", _l("The children's birth certificates")),
    SelectChoice("marriage", _l("Marriage or divorce certificate")),
    SelectChoice("medical", _l("Medical papers, including any about injuries")),
    SelectChoice("police-court", _l("Papers from the police or a court")),
    SelectChoice("home", _l("Papers for your home: ownership or rent")),
    SelectChoice("work", _l("Diplomas and work documents")),
]

# The plan's text fields, in the order of the form and of the plan.
PLAN_TEXTS = (
    "people",
    "code_word",
    "bag_other",
    "documents_other",
    "places",
    "numbers",
    "children_tell",
    "children_pickup",
    "after",
)
PLAN_CHOICES = ("bag", "documents")


def _text(label: Any, textarea: bool = True) -> Any:
    field = TextAreaField if textarea else StringField
    return field(
        label,
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[Optional(), Length(max=TEXT_MAX, message=TOO_LONG)],
    )


def _choices(label: Any, choices: list[SelectChoice]) -> SelectMultipleField:
    return SelectMultipleField(label, choices=choices, invalid_choice_message=NOT_A_CHOICE)


def safety_plan_form(formdata: MultiDict[str, str] | None = None) -> BaseForm:
    """The plan's fields, filled from ``formdata`` (the POST's body) or empty."""
    form = BaseForm(
        [
            ("people", _text(_l("Who can you turn to, and what will each of them do?"))),
            ("code_word", _text(_l("A code word with them, and what it means"), textarea=False)),
            ("bag", _choices(_l("What to put in the bag"), BAG)),
            ("bag_other", _text(_l("Anything else for the bag"))),
            ("documents", _choices(_l("Documents to take, or copies of them"), DOCUMENTS)),
            ("documents_other", _text(_l("Other documents"))),
            ("places", _text(_l("Where can you go if you have to leave quickly?"))),
            ("numbers", _text(_l("Numbers to learn by heart"))),
            ("children_tell", _text(_l("What will you tell the children?"))),
            ("children_pickup", _text(_l("Who will pick the children up, and from where?"))),
            ("after", _text(_l("What will you do after leaving?"))),
        ]
    )
    form.process(formdata)
    return form


def plan_is_empty(form: BaseForm) -> bool:
    return not any(form[name].data for name in (*PLAN_TEXTS, *PLAN_CHOICES))


def chosen_labels(form: BaseForm, name: str) -> list[Any]:
    """The labels of the ticked boxes of ``name``, in the form's order."""
    field = form[name]
    ticked = set(field.data or ())
    return [choice.label for choice in field.choices if choice.value in ticked]
