"""Markdown to safe HTML: the one renderer for every content page.

Staff editors write the pages in Markdown (and may mix in raw HTML); what this module
returns is shown with ``|safe`` inside the page template, so it owns every decision about
what may reach the browser:

* Markdown is rendered with the ``extra`` and ``sane_lists`` extensions (tables with an
  ``align`` attribute instead of an inline ``style``: the CSP forbids inline styles).
* The HTML is sanitised with nh3 (ammonia) against an allow-list of tags and attributes
  (:data:`ALLOWED_TAGS`, :data:`ALLOWED_ATTRIBUTES`); links may only use
  :data:`SAFE_URL_SCHEMES` or be relative. No images, media, frames, forms, styles or
  scripts; the content of ``script``, ``style`` and the like (:data:`DROPPED_WITH_CONTENT`)
  is removed with the tag, so it never shows up as text either. Comments are removed.
* Headings are shifted so that the highest one is ``h2`` (the template owns the ``h1``,
  the page title); raw-HTML headings count as well, and there is never an ``h1``.
* Links to other hosts get ``rel="noreferrer noopener"``; relative, ``mailto:``, ``tel:``
  and same-host links get no ``rel``. Nothing adds ``target``.

The sanitised HTML is parsed with :mod:`html.parser` for the last two steps and the result
is sanitised once more (the same allow-list plus exactly that ``rel`` value), so nothing
done after the first pass can widen what gets through. Output is deterministic, and cached
per (text, site host): many apps in one process render the same texts.

Rendering has a time budget (:data:`RENDER_SECONDS`). Python-Markdown is pure Python and
some inputs cost it quadratic time or more (each of thousands of unclosed ``[`` scans to the
end of its paragraph: 50 000 of them took minutes) or recurse without limit (nested
definition lists: a ``RecursionError`` from a few thousand characters). Every process renders
every published page into its snapshot (``content/store.py``) while readers wait, so one
such text, published, would stall or break every page in every worker, the help form and
112 included. A text that does not render within the budget, or not at all, raises
:class:`RenderError`: publishing refuses it (``content/publishing.py``), the preview says so,
and the snapshot shows a page that was stored anyway as plain text (:func:`plain_html`).
The budget is kept by a watchdog thread that raises :class:`RenderTimeout` inside the
rendering thread (``PyThreadState_SetAsyncExc``); the render runs only Python-Markdown,
nh3 and :mod:`html.parser` on its own objects, so stopping it anywhere leaves nothing
half-changed. :func:`escape_markdown` makes data (a help line's name or number) plain text
inside Markdown.
"""

from __future__ import annotations

import ctypes
import functools
import html
import re
import threading
from collections.abc import Callable
from html.parser import HTMLParser
from typing import TypeVar
from urllib.parse import urlsplit

import markdown
import nh3

from campaign.core.texts import N_

__all__ = [
    "ALLOWED_ATTRIBUTES",
    "ALLOWED_TAGS",
    "DROPPED_WITH_CONTENT",
    "EXTERNAL_REL",
    "RENDER_SECONDS",
    "SAFE_URL_SCHEMES",
    "RenderError",
    "escape_markdown",
    "is_safe_href",
    "plain_html",
    "render_markdown",
]

# The longest shipped page (about 9 400 characters, 22 links) renders in about 0.02 s.
RENDER_SECONDS = 1.0
UNRENDERABLE = N_(
    "This text cannot be shown as a page: it is too complex to turn into HTML in time (for"
    " example thousands of unclosed brackets, or lists or definitions nested hundreds of"
    " levels deep). Simplify it and try again."
)


class RenderError(ValueError):
    """A text that cannot be rendered within :data:`RENDER_SECONDS`, or at all."""

    def __init__(self, message: str = UNRENDERABLE) -> None:
        super().__init__(message)


class RenderTimeout(BaseException):
    """The watchdog's signal to a render that ran out of time (a BaseException, like
    KeyboardInterrupt, so that no ``except Exception`` on the way swallows it)."""


MARKDOWN_EXTENSIONS = ("extra", "sane_lists")
# ``extra`` hands each sub-extension its own settings.
MARKDOWN_EXTENSION_CONFIGS = {"extra": {"tables": {"use_align_attribute": True}}}

SAFE_URL_SCHEMES: frozenset[str] = frozenset({"http", "https", "mailto", "tel"})

EXTERNAL_REL = "noreferrer noopener"

HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")

ALLOWED_TAGS: frozenset[str] = frozenset(
    {
        # blocks
        "p", "br", "hr", "blockquote", "pre",
        "h2", "h3", "h4", "h5", "h6",
        "ul", "ol", "li", "dl", "dt", "dd",
        "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td",
        # inline
        "a", "strong", "em", "b", "i", "u", "s", "del", "ins", "mark", "small",
        "sub", "sup", "abbr", "q", "cite", "code", "kbd", "span",
    }
)  # fmt: skip

ALLOWED_ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href", "title", "hreflang"}),
    "abbr": frozenset({"title"}),
    "th": frozenset({"colspan", "rowspan"}),
    "td": frozenset({"colspan", "rowspan"}),
    "ol": frozenset({"start"}),
}

# Attributes allowed with these values only (nh3 wants them out of ALLOWED_ATTRIBUTES).
_ALIGN = frozenset({"left", "right", "center"})
_RESTRICTED_VALUES: dict[str, dict[str, frozenset[str]]] = {
    "th": {"align": _ALIGN},
    "td": {"align": _ALIGN},
}

# Removed together with everything inside them (the rest of the non-allowed tags are
# unwrapped: the tag goes, its text stays).
DROPPED_WITH_CONTENT: frozenset[str] = frozenset(
    {
        "script", "style", "template", "noscript", "noembed", "noframes", "xmp",
        "plaintext", "iframe", "frameset", "object", "applet", "svg", "math", "video",
        "audio", "canvas", "textarea", "select", "title", "head",
    }
)  # fmt: skip

# The scheme of a URL as a browser finds it (WHATWG URL standard): an ASCII letter, then
# letters, digits, "+", "-" or ".", then ":". Anything else is a relative URL.
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
# Browsers drop these anywhere in a URL ...
_URL_IGNORED = str.maketrans("", "", "\t\n\r")
# ... and these at either end (C0 controls and space).
_URL_TRIM = "".join(chr(c) for c in range(0x21))


def _normalise_url(href: str) -> str:
    return href.translate(_URL_IGNORED).strip(_URL_TRIM)


def _scheme(url: str) -> str | None:
    match = _SCHEME.match(url)
    return match.group(1).lower() if match else None


def is_safe_href(href: str) -> bool:
    """Whether a link target (an attribute value, entities already decoded) is relative or
    uses one of :data:`SAFE_URL_SCHEMES`, read the way a browser reads it."""
    scheme = _scheme(_normalise_url(href))
    return scheme is None or scheme in SAFE_URL_SCHEMES


def _normalise_host(host: str | None) -> str | None:
    if not host:
        return None
    try:
        name = urlsplit("//" + host.strip()).hostname
    except ValueError:
        return None
    return name.rstrip(".") if name else None


def _is_external(href: str, site_host: str | None) -> bool:
    """Whether a link leaves this site. When in doubt: yes (it then gets ``rel``)."""
    # Browsers read "\" as "/" in http(s) URLs: "/\evil.example" is another host.
    url = _normalise_url(href).replace("\\", "/")
    scheme = _scheme(url)
    if scheme in {"mailto", "tel"}:
        return False
    if scheme is None and not url.startswith("//"):
        return False  # a path, query or fragment on this site
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return True
    return site_host is None or host is None or host.rstrip(".") != site_host


def _attribute_filter(element: str, attribute: str, value: str) -> str | None:
    """Second line behind nh3's own URL check; never raises (nh3 would only report it)."""
    if attribute == "href":
        return value.strip(_URL_TRIM) if is_safe_href(value) else None
    return value


def _cleaner(tags: frozenset[str], restricted: dict[str, dict[str, frozenset[str]]]) -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=tags,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_attribute_filter,
        strip_comments=True,
        link_rel=None,  # per link, below: nh3 would put it on every link
        tag_attribute_values=restricted,
        url_schemes=SAFE_URL_SCHEMES,
        url_relative="pass_through",
    )


# First pass: h1 still allowed (the heading shift turns it into h2).
_FIRST_PASS = _cleaner(ALLOWED_TAGS | {"h1"}, _RESTRICTED_VALUES)
# Last pass: the final allow-list, plus the one rel value this module adds.
_LAST_PASS = _cleaner(ALLOWED_TAGS, {**_RESTRICTED_VALUES, "a": {"rel": frozenset({EXTERNAL_REL})}})

_Attrs = list[tuple[str, str | None]]
_Token = tuple[str, str, _Attrs]  # (kind, tag or text, attributes)


class _Rewriter(HTMLParser):
    """Reads sanitised HTML (nh3's output) into tokens, to shift headings and add ``rel``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tokens: list[_Token] = []

    def handle_starttag(self, tag: str, attrs: _Attrs) -> None:
        self.tokens.append(("start", tag, attrs))

    def handle_startendtag(self, tag: str, attrs: _Attrs) -> None:
        self.tokens.append(("start", tag, attrs))

    def handle_endtag(self, tag: str) -> None:
        self.tokens.append(("end", tag, []))

    def handle_data(self, data: str) -> None:
        self.tokens.append(("data", data, []))

    # Comments, declarations and processing instructions are dropped (nh3 left none).


def _heading_map(tokens: list[_Token]) -> dict[str, str]:
    levels = [int(tag[1]) for kind, tag, _ in tokens if kind == "start" and tag in HEADINGS]
    if not levels:
        return {}
    top = min(levels)
    return {f"h{level}": f"h{min(max(level - top + 2, 2), 6)}" for level in range(1, 7)}


def _rewrite(clean_html: str, site_host: str | None) -> str:
    parser = _Rewriter()
    parser.feed(clean_html)
    parser.close()
    headings = _heading_map(parser.tokens)
    out: list[str] = []
    for kind, value, attrs in parser.tokens:
        if kind == "data":
            out.append(html.escape(value, quote=False))
            continue
        tag = headings.get(value, value)
        if kind == "end":
            out.append(f"</{tag}>")
            continue
        if tag == "a":
            href = dict(attrs).get("href")
            if href is not None and _is_external(href, site_host):
                attrs = [*attrs, ("rel", EXTERNAL_REL)]
        parts = [tag]
        for name, attr_value in attrs:
            parts.append(name if attr_value is None else f'{name}="{html.escape(attr_value)}"')
        out.append(f"<{' '.join(parts)}>")
    return "".join(out)


_T = TypeVar("_T")


def _raise_in(thread_id: int, exc: type[BaseException]) -> None:
    """Make ``exc`` be raised in the thread ``thread_id`` at its next Python instruction."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), ctypes.py_object(exc))


def _within(seconds: float, work: Callable[[], _T]) -> _T:
    """``work()`` in this thread, stopped by :class:`RenderTimeout` after ``seconds``."""
    thread_id = threading.get_ident()
    guard = threading.Lock()
    finished = False

    def stop() -> None:
        with guard:
            if not finished:
                _raise_in(thread_id, RenderTimeout)

    watchdog = threading.Timer(seconds, stop)
    watchdog.daemon = True
    watchdog.start()
    try:
        result = work()
    finally:
        with guard:
            finished = True
        watchdog.cancel()
        # A stop that came after the work ended but before ``finished`` was set is raised at
        # the latest in the call above (a Python function); past this point none can come.
    return result


def _render(text: str, site_host: str | None) -> str:
    raw = markdown.markdown(
        text,
        extensions=list(MARKDOWN_EXTENSIONS),
        extension_configs=MARKDOWN_EXTENSION_CONFIGS,
        output_format="html",
    )
    return _LAST_PASS.clean(_rewrite(_FIRST_PASS.clean(raw), site_host))


# Import every extension module now, outside any budget: a watchdog never stops an import.
_render("", None)


@functools.lru_cache(maxsize=512)
def _render_cached(text: str, site_host: str | None) -> str:
    """Only what rendered is cached: lru_cache keeps no exception."""
    try:
        return _within(RENDER_SECONDS, lambda: _render(text, site_host))
    except (RenderTimeout, RecursionError) as exc:
        raise RenderError() from exc


def render_markdown(text: str, *, site_host: str | None = None) -> str:
    """Markdown (with raw HTML, if any) as sanitised HTML for a content page.

    ``site_host`` is this site's host name (a port is ignored): absolute links to any other
    host get ``rel="noreferrer noopener"``; without it every absolute link counts as
    another host's. Raises :class:`RenderError` for a text that does not render within
    :data:`RENDER_SECONDS`, or at all.
    """
    return _render_cached(text, _normalise_host(site_host))


def plain_html(text: str) -> str:
    """``text`` as escaped paragraphs, no markup: what a page that cannot be rendered shows."""
    paragraphs = (" ".join(part.split()) for part in re.split(r"\n\s*\n", text))
    return "".join(f"<p>{html.escape(part, quote=False)}</p>" for part in paragraphs if part)


# Every ASCII punctuation character, written as a character reference: Markdown gives none
# of them a meaning then (no link, emphasis, code, raw HTML or table cell), and the
# sanitiser turns them back into the characters.
_MARKDOWN_ESCAPES = {ord(c): f"&#{ord(c)};" for c in "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"}


def escape_markdown(text: str) -> str:
    """``text`` (data, not an editor's Markdown) as Markdown that reads as exactly that text,
    on one line."""
    return " ".join(text.split()).translate(_MARKDOWN_ESCAPES)
