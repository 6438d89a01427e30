"""The stylesheet and script: small, self-contained, with print and reduced-motion rules."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskClient

from tests.pagecheck import find, text_references

STATIC = Path(__file__).resolve().parent.parent / "static"


def test_assets_refer_to_no_other_host() -> None:
    for path in STATIC.rglob("*"):
        if path.suffix in {".css", ".js", ".svg"}:
            assert text_references(path.read_text(encoding="utf-8")) == [], path


def test_stylesheet_has_print_reduced_motion_and_no_fonts() -> None:
    css = (STATIC / "site.css").read_text(encoding="utf-8")
    assert "@media print" in css
    assert "prefers-reduced-motion" in css
    assert "@font-face" not in css and "@import" not in css
    assert "scroll-padding-top" in css, "focus must not hide under the sticky bar"


def test_home_page_weight_is_at_most_30_kb(client: FlaskClient) -> None:
    """HTML + CSS + JS, uncompressed, as a browser would load them (no web fonts)."""
    for lang in ("be", "ru", "en"):
        html = client.get(f"/{lang}/").get_data()
        page = html.decode()
        stylesheets = [a["href"] for a in find(page, "link", rel="stylesheet")]
        scripts = [a["src"] for a in find(page, "script") if a.get("src")]
        assert len(stylesheets) == 1
        total = len(html)
        for url in stylesheets + scripts:
            with client.get(url) as response:
                total += len(response.get_data())
        assert total <= 30 * 1024, (lang, total)
