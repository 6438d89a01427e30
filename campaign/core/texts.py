"""Words the domain shows to a person, translated where they are shown.

``cases`` and ``content`` have no request and no locale: they write English text marked
with :func:`N_` (one of pybabel's default keywords, so the catalogues pick it up) and raise
:class:`RefusalError` with it and its values; the web layer translates it in the reader's
language (:func:`campaign.core.i18n.error_text`). A mail goes out in its recipient's
language, chosen when it is written: :func:`translations_for` gives that language's
compiled catalogue without a request.
"""

from __future__ import annotations

from pathlib import Path

from babel.support import NullTranslations, Translations

from campaign.core import settings


def N_(text: str) -> str:  # noqa: N802 - the marker pybabel looks for
    """Mark ``text`` for the catalogues; it is translated later, where it is shown."""
    return text


class RefusalError(ValueError):
    """An action refused with a message for the person who asked.

    ``text`` is the English message (marked with :func:`N_`, ``%(name)s`` placeholders) and
    ``values`` fill it; ``str(error)`` is the English sentence, for logs and commands.
    """

    def __init__(self, text: str, **values: object) -> None:
        super().__init__(text % values if values else text)
        self.text = text
        self.values = values


def translations_for(lang: str) -> NullTranslations:
    """The compiled catalogue of ``lang`` (English text as it is for a language without one)."""
    cache = settings.app_cache("campaign_texts")
    found = cache.get(lang)
    if found is None:
        directory = settings.optional_setting("BABEL_TRANSLATION_DIRECTORIES")
        if directory and lang in tuple(settings.setting("LANGUAGES")):
            found = Translations.load(str(Path(directory)), [lang], domain="messages")
        else:
            found = NullTranslations()
        cache[lang] = found
    return found


def translate(lang: str, text: str, **values: object) -> str:
    """``text`` in ``lang``, with its ``%(name)s`` values filled in."""
    result = translations_for(lang).gettext(text)
    return result % values if values else result
