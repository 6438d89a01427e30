"""The error summary: its heading counts the problems in each language's plural forms, and
neither it nor a field it links to is left under the sticky exit bar (the browser test in
tests/browser/test_no_replay.py measures that; here the stylesheet's rules are checked)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from flask_babel import ngettext

from tests.helpclient import DEFAULT_FORM, HelpClient

STYLESHEET = Path(__file__).resolve().parent.parent.parent / "static" / "site.css"
FIVE_PROBLEMS = {
    "message": "",
    "contact_method": "phone",
    "phone": "",
    "region": "nowhere",
    "category": "nothing",
    "answer_language": "xx",
}
HEADINGS = {
    "en": ("There is a problem", "There are 2 problems", "There are 5 problems"),
    "ru": ("Есть ошибка", "Найдены 2 ошибки", "Найдено 5 ошибок"),
    "be": ("Ёсць памылка", "Знойдзены 2 памылкі", "Знойдзена 5 памылак"),
}


def heading(client: FlaskClient, lang: str, **fields: str) -> str:
    person = HelpClient(client, lang)
    data = {**DEFAULT_FORM, **person.form_tokens(), "message": "text", **fields}
    response = client.post(f"/{lang}/help/", data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    match = re.search(r'<h2 id="error-summary-title">(.*?)</h2>', html, re.S)
    assert match, html[:2000]
    return match.group(1).strip()


@pytest.mark.parametrize("lang", ["en", "ru", "be"])
def test_the_heading_counts_the_problems(db_client: FlaskClient, lang: str) -> None:
    one, two, five = HEADINGS[lang]
    assert heading(db_client, lang, message="") == one
    assert heading(db_client, lang, message="", region="nowhere") == two
    assert heading(db_client, lang, **FIVE_PROBLEMS) == five


@pytest.mark.parametrize(
    ("lang", "forms"),
    [
        ("ru", {2: "Найдены 2 ошибки", 5: "Найдено 5 ошибок", 11: "Найдено 11 ошибок",
                21: "Найдена 21 ошибка", 22: "Найдены 22 ошибки"}),
        ("be", {2: "Знойдзены 2 памылкі", 5: "Знойдзена 5 памылак", 11: "Знойдзена 11 памылак",
                21: "Знойдзена 21 памылка", 24: "Знойдзены 24 памылкі"}),
        ("en", {2: "There are 2 problems", 21: "There are 21 problems"}),
    ],
)  # fmt: skip
def test_every_plural_form_reads_right(app: Flask, lang: str, forms: dict[int, str]) -> None:
    with app.test_request_context(f"/{lang}/help/"):
        g.lang = lang
        for count, expected in forms.items():
            said = ngettext("There is %(num)d problem", "There are %(num)d problems", count)
            assert said == expected


def test_fields_and_the_summary_have_room_above_them() -> None:
    css = STYLESHEET.read_text(encoding="utf-8")
    rules = re.findall(r"([^{}]+)\{([^{}]*scroll-margin-top[^{}]*)\}", css)
    controls = ".field--error input,.field--error textarea,.field--error select"
    margins = [body for selector, body in rules if selector.strip().endswith(controls)]
    assert "scroll-margin-top:20rem" in margins[0]  # label, hint, error at 320 to 360 px
    wide = re.search(r"@media \(min-width:40em\)\{" + re.escape(controls) + r"\{([^}]*)\}", css)
    assert wide and "scroll-margin-top:10rem" in wide.group(1)  # from 640 px
    assert any(selector.strip() == ".error-summary" for selector, _body in rules)
    assert "scroll-padding-top:calc(var(--bar-h) + 1rem)" in css  # the bar itself
