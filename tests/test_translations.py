"""Every interface string, public and staff, is in the catalogues and translated into be
and ru: extracted from campaign/ and templates/ (staff pages, forms, flashes, refusals of
the domain marked with ``N_``, the notification mail), none empty, fuzzy or left in English."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
# A be/ru text may equal its English msgid only when it holds no words to translate.
SAME_IN_EVERY_LANGUAGE = frozenset({"%(text)s (%(language)s)"})
# Staff strings that must be extracted (a guard that the extraction reaches them).
STAFF_SAMPLES = (
    "Language of the staff area",  # the account page
    "Code from your authenticator app",  # a staff form label (lazy_gettext)
    "Your current password is not right.",  # a refusal from cases/accounts.py (N_)
    "A title is needed.",  # a refusal from content/publishing.py (N_)
    "A new request is waiting",  # the notification mail's subject
    "There is nothing here, or it belongs to a team you are not in.",  # the staff 404
)


def catalogue(lang: str) -> Catalog:
    path = ROOT / "campaign" / "translations" / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as fh:
        return read_po(fh)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run(
        [
            str(pybabel),
            "-q",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-k",
            "lazy_pgettext:1c,2",
            "--no-location",
            "--omit-header",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
        timeout=120,
    )
    with pot.open("rb") as fh:
        return {str(m.id) for m in read_po(fh) if m.id}


@pytest.mark.parametrize("lang", ["be", "ru"])
def test_catalogue_translates_every_string(extracted: set[str], lang: str) -> None:
    assert set(STAFF_SAMPLES) <= extracted
    messages = [m for m in catalogue(lang) if m.id]
    translated = {str(m.id) for m in messages if m.string and not m.fuzzy}
    missing = sorted(extracted - translated)
    assert missing == [], f"untranslated in {lang}: {missing[:10]}"
    fuzzy = sorted(str(m.id) for m in messages if m.fuzzy)
    assert fuzzy == [], f"fuzzy in {lang}: {fuzzy[:10]}"
    english = sorted(
        str(m.id)
        for m in messages
        if isinstance(m.id, str) and m.string == m.id and m.id not in SAME_IN_EVERY_LANGUAGE
    )
    assert english == [], f"left in English in {lang}: {english[:10]}"


@pytest.mark.parametrize("lang", ["be", "ru"])
def test_plural_messages_fill_every_form(lang: str) -> None:
    """Russian and Belarusian have three plural forms (1 / 2-4 / 5-20, by the last digits):
    a plural message needs all three, or some counts would show the English."""
    found = catalogue(lang)
    assert found.num_plurals == 3
    plurals = [m for m in found if m.id and m.pluralizable]
    assert plurals, "no plural message"
    for message in plurals:
        forms = message.string
        assert isinstance(forms, tuple) and len(forms) == 3, message.id
        assert all(forms), f"{lang}: {message.id} lacks a form: {forms}"
