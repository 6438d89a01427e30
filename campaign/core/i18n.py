"""Languages: the ``/<lang>/`` URL prefix, Flask-Babel set-up and catalogue compilation.

The ``.po`` catalogues under ``campaign/translations`` are committed; the ``.mo`` files
are compiled at start-up into ``instance/translations`` (atomically, so several workers
starting at once are safe) and never committed.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path
from typing import Any

from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, abort, g, request

from campaign.core.extensions import babel

SOURCE_DIR = Path(__file__).resolve().parents[1] / "translations"

LANGUAGE_NAMES: dict[str, str] = {"be": "Беларуская", "ru": "Русский", "en": "English"}


def compile_catalogues(source: Path, target: Path) -> None:
    """Compile every ``<lang>/LC_MESSAGES/messages.po`` under source into target."""
    for po_path in sorted(source.glob("*/LC_MESSAGES/messages.po")):
        rel = po_path.relative_to(source).with_suffix(".mo")
        mo_path = target / rel
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        with po_path.open("rb") as fh:
            catalog = read_po(fh)
        fd, tmp = tempfile.mkstemp(dir=mo_path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as out:
            write_mo(out, catalog, use_fuzzy=False)
        os.replace(tmp, mo_path)


def languages() -> tuple[str, ...]:
    from flask import current_app

    langs: tuple[str, ...] = current_app.config["LANGUAGES"]
    return langs


def preferred_language() -> str:
    """The visitor's best language from Accept-Language, else the default."""
    from flask import current_app

    best = request.accept_languages.best_match(languages())
    return best or str(current_app.config["DEFAULT_LANGUAGE"])


def language_for_error() -> str:
    """Language for an error page: the URL's, else Accept-Language, else the default."""
    lang = g.get("lang")
    if lang:
        return str(lang)
    first = request.path.strip("/").split("/", 1)[0]
    if first in languages():
        return first
    return preferred_language()


def select_locale() -> str:
    lang = g.get("lang")
    if lang is None:
        lang = language_for_error()
    return str(lang)


def _pull_lang(endpoint: str | None, values: dict[str, Any] | None) -> None:
    if values is None or "lang" not in values:
        return
    lang = values.pop("lang")
    if lang not in languages():
        abort(404)
    g.lang = lang


def _add_lang(endpoint: str, values: dict[str, Any]) -> None:
    if "lang" in values or not g.get("lang"):
        return
    from flask import current_app

    if current_app.url_map.is_endpoint_expecting(endpoint, "lang"):
        values["lang"] = g.lang


def format_month(value: dt.date, lang: str) -> str:
    """'August 2020' in the page's language (stand-alone month name)."""
    return format_date(value, "LLLL y", locale=lang).capitalize()


def format_day(value: dt.date, lang: str) -> str:
    return format_date(value, "long", locale=lang)


def init_app(app: Flask) -> None:
    target = Path(app.instance_path) / "translations"
    compile_catalogues(SOURCE_DIR, target)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(target)
    babel.init_app(app, locale_selector=select_locale)
    app.url_value_preprocessor(_pull_lang)
    app.url_defaults(_add_lang)

    app.jinja_env.filters["month_year"] = lambda value: format_month(value, select_locale())
    app.jinja_env.filters["long_date"] = lambda value: format_day(value, select_locale())

    @app.context_processor
    def language_context() -> dict[str, Any]:
        return {
            "language_names": LANGUAGE_NAMES,
            "languages": languages(),
            "alternate_url": alternate_url,
        }


def alternate_url(code: str) -> str:
    """This page in another language; the other language's home for error pages."""
    from flask import url_for

    rule = request.url_rule
    if rule is not None and request.endpoint and "lang" in rule.arguments and not g.get("error"):
        url = url_for(request.endpoint, lang=code, **(request.view_args or {}))
        return _nearest_readable(url)
    return url_for("public.home", lang=code)


def _nearest_readable(path: str) -> str:
    """``path`` if it can be opened (GET), else the nearest page above it.

    A page shown in answer to a form may come from a POST-only URL (the follow-up
    message); its language links lead to the page where that form starts.
    """
    from flask import current_app

    adapter = current_app.url_map.bind("localhost")
    candidate = path
    while candidate.count("/") > 1:
        if adapter.test(candidate, method="GET"):
            return candidate
        candidate = candidate.rstrip("/").rsplit("/", 1)[0]
    return candidate + "/"
