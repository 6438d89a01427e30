"""Every interface string is in the catalogues and translated into be and ru."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


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
    path = ROOT / "campaign" / "translations" / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as fh:
        catalogue = read_po(fh)
    translated = {str(m.id) for m in catalogue if m.id and m.string and not m.fuzzy}
    missing = sorted(extracted - translated)
    assert missing == [], f"untranslated in {lang}: {missing[:10]}"


@pytest.mark.parametrize("lang", ["be", "ru"])
def test_plural_messages_fill_every_form(lang: str) -> None:
    """Russian and Belarusian have three plural forms (1 / 2-4 / 5-20, by the last digits):
    a plural message needs all three, or some counts would show the English."""
    path = ROOT / "campaign" / "translations" / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as fh:
        catalogue = read_po(fh)
    assert catalogue.num_plurals == 3
    plurals = [m for m in catalogue if m.id and m.pluralizable]
    assert plurals, "no plural message"
    for message in plurals:
        forms = message.string
        assert isinstance(forms, tuple) and len(forms) == 3, message.id
        assert all(forms), f"{lang}: {message.id} lacks a form: {forms}"
