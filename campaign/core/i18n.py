"""Languages: the ``/<lang>/`` URL prefix, Flask-Babel set-up and catalogue compilation.

Public pages take their language from the URL (``g.lang``). Staff URLs carry none: the
staff blueprint puts the logged-in member's chosen language in ``g.staff_lang`` (see
:func:`staff_language`); before login, and for a member who follows the browser,
Accept-Language decides, else the default language.

The ``.po`` catalogues under ``campaign/translations`` are committed; the ``.mo`` files
are compiled at start-up into ``instance/translations`` (atomically, so several workers
starting at once are safe; folders 0700, files 0600) and never committed.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path
from typing import Any

from babel.dates import format_date, format_datetime, get_timezone
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, abort, g, has_request_context, request
from flask_babel import gettext

from campaign.core import files
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
        files.private_dir(mo_path.parent)  # 0700; mkstemp makes the file 0600
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


def preferred_language(default: str | None = None) -> str:
    """The visitor's best language from Accept-Language, else ``default``, else the site's."""
    from flask import current_app

    best = request.accept_languages.best_match(languages())
    return best or default or str(current_app.config["DEFAULT_LANGUAGE"])


def staff_default_language() -> str:
    """The staff area's fallback: STAFF_DEFAULT_LANGUAGE, else DEFAULT_LANGUAGE."""
    from flask import current_app

    config = current_app.config
    chosen = config.get("STAFF_DEFAULT_LANGUAGE")
    return str(chosen if chosen in languages() else config["DEFAULT_LANGUAGE"])


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
    """The page's language: the URL's (public pages), the member's (staff pages), else
    Accept-Language, else the default. Outside a request (a ``flask`` command, whose
    operator reads English like the rest of its output): English."""
    if not has_request_context():
        return "en"
    lang = g.get("lang") or g.get("staff_lang")
    if lang is None:
        staff_page = request.path == "/staff" or request.path.startswith("/staff/")
        lang = staff_language(None) if staff_page else language_for_error()
    return str(lang)


def staff_language(saved: str | None) -> str:
    """A member's staff-area language: the one saved on the account if it is still offered,
    else the browser's (Accept-Language), else the default."""
    if saved and saved in languages():
        return saved
    return preferred_language(staff_default_language())


def error_text(error: Exception) -> str:
    """A refusal from the domain in the page's language (``core.texts.RefusalError`` carries its
    English text and values; any other message is looked up as it is)."""
    text = getattr(error, "text", None)
    if isinstance(text, str):
        values = getattr(error, "values", None) or {}
        return str(gettext(text, **values))
    return str(gettext(str(error)))


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


# Dates as people write them in a sentence: "29 November 2026", "29 лістапада 2026",
# "29 ноября 2026" (Babel gives be and ru months in lower case, in the genitive after a day).
DAY_FORMAT = "d MMMM y"
DAY_TIME_FORMAT = "d MMMM y, HH:mm"


def site_timezone() -> Any:
    """The site's time zone (BABEL_DEFAULT_TIMEZONE, Minsk): times are shown in it."""
    from flask import current_app

    return get_timezone(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "UTC")


def _local(value: dt.date) -> dt.date:
    """A stored time (UTC, naive from SQLite) as the site's local time; a date as it is."""
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return aware.astimezone(site_timezone())
    return value


def format_month(value: dt.date, lang: str) -> str:
    """'August 2020' standing alone (a date line): capitalised in every language."""
    return format_month_in_sentence(value, lang).capitalize()


def format_month_in_sentence(value: dt.date, lang: str) -> str:
    """'August 2020' inside a sentence: 'жнівень 2020', 'август 2020' in lower case."""
    return format_date(_local(value), "LLLL y", locale=lang)


def format_day(value: dt.date, lang: str) -> str:
    """'29 November 2026' (a stored time: its day in the site's time zone)."""
    return format_date(_local(value), DAY_FORMAT, locale=lang)


def format_day_time(value: dt.datetime, lang: str) -> str:
    """'29 November 2026, 14:05' in the site's time zone."""
    aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return format_datetime(aware, DAY_TIME_FORMAT, tzinfo=site_timezone(), locale=lang)


def zone_label(value: dt.datetime) -> str:
    """The site's offset from UTC at that moment, as 'UTC+3' (the same in every language,
    and never Babel's 'summer time' names, which are wrong for Minsk in Russian)."""
    offset = value.astimezone(site_timezone()).utcoffset() or dt.timedelta()
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def format_staff_time(value: dt.datetime, lang: str) -> str:
    """A time in the staff area: '29 November 2026, 15:05 (UTC+3)', in the site's time zone
    (BABEL_DEFAULT_TIMEZONE, the organisation's; Europe/Minsk unless set), zone shown."""
    aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return f"{format_day_time(aware, lang)} ({zone_label(aware)})"


def init_app(app: Flask) -> None:
    target = Path(app.instance_path) / "translations"
    compile_catalogues(SOURCE_DIR, target)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(target)
    babel.init_app(app, locale_selector=select_locale)
    app.url_value_preprocessor(_pull_lang)
    app.url_defaults(_add_lang)

    app.jinja_env.filters["month_year"] = lambda value: format_month(value, select_locale())
    app.jinja_env.filters["month_in_sentence"] = lambda value: format_month_in_sentence(
        value, select_locale()
    )
    app.jinja_env.filters["long_date"] = lambda value: format_day(value, select_locale())
    app.jinja_env.filters["date_time"] = lambda value: format_day_time(value, select_locale())
    app.jinja_env.filters["staff_time"] = lambda value: format_staff_time(value, select_locale())
    app.jinja_env.filters["staff_date"] = lambda value: format_day(value, select_locale())

    @app.context_processor
    def language_context() -> dict[str, Any]:
        return {
            "language_names": LANGUAGE_NAMES,
            "languages": languages(),
            "alternate_url": alternate_url,
            "public_url": public_url,
            "language_name_in_text": language_name_in_text,
        }


def language_name_in_text(code: str) -> str:
    """A language's name as it reads inside a sentence of this page's language ("английский"
    on a Russian page, "англійская" on a Belarusian one, "English" on an English one)."""
    from babel import Locale

    return str(Locale.parse(code).get_display_name(select_locale()) or code)


def public_url(path: str) -> str:
    """``path`` under the configured ``PUBLIC_URL`` (absolute, for search engines), or as it
    is when none is set: never built from the request's Host header, which a page kept in
    the page cache would otherwise repeat to every visitor."""
    from flask import current_app

    base = str(current_app.config.get("PUBLIC_URL") or "").rstrip("/")
    return base + path if base and path.startswith("/") else path


def alternate_url(code: str) -> str:
    """This page in another language; the other language's home for error pages.

    A view may name another endpoint in ``g.alternate_endpoint`` (a page shown once, whose
    URL is used up: its language links lead to where its form starts).
    """
    from flask import url_for

    override = g.get("alternate_endpoint")
    if override and not g.get("error"):
        return url_for(str(override), lang=code)
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
