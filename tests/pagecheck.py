"""Helpers that read a served HTML page the way the tests need: links, hosts, lang."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "srcset", "poster", "data", "content"}
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)")
ABSOLUTE = re.compile(r"(?:https?:)?//[^\s\"'<>)]+", re.IGNORECASE)


class PageParser(HTMLParser):
    """Collects tags with their attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    handle_startendtag = handle_starttag


def parse(html: str) -> list[tuple[str, dict[str, str]]]:
    parser = PageParser()
    parser.feed(html)
    return parser.tags


def find(html: str, tag: str, **attrs: str) -> list[dict[str, str]]:
    return [
        a
        for t, a in parse(html)
        if t == tag and all(a.get(k.rstrip("_").replace("_", "-")) == v for k, v in attrs.items())
    ]


def external_references(html: str, allowed: set[str]) -> list[str]:
    """Every URL in the page's attributes or inline styles that names another host."""
    found: list[str] = []
    for _tag, attrs in parse(html):
        for name, value in attrs.items():
            if name in URL_ATTRIBUTES or name == "style":
                for url in ABSOLUTE.findall(value) if name != "href" else [value]:
                    if urlsplit(url).netloc and url not in allowed:
                        found.append(url)
    found.extend(u for u in CSS_URL.findall(html) if urlsplit(u).netloc)
    return found


def text_references(text: str) -> list[str]:
    """Absolute URLs in a stylesheet or script."""
    return [u for u in ABSOLUTE.findall(text) if urlsplit(u).netloc]
