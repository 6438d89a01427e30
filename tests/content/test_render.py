"""The content renderer: ordinary Markdown comes out as before, hostile Markdown and raw
HTML come out harmless, headings start at h2 and links to other hosts get ``rel``.

The output is checked by parsing it (``html.parser``), not by looking for strings, and the
allow-list here is written out again on purpose: widening the module's list must fail here.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import frontmatter
import markdown
import pytest

from campaign.content import render
from campaign.content.common import CONTENT_DIR
from campaign.content.render import SAFE_URL_SCHEMES, is_safe_href, render_markdown

SITE = "example.org"
EXTERNAL_REL = "noreferrer noopener"

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "u", "s",
    "del", "ins", "mark", "small", "sub", "sup", "abbr", "blockquote", "q", "cite", "code",
    "pre", "kbd", "ul", "ol", "li", "dl", "dt", "dd", "a", "table", "thead", "tbody",
    "tfoot", "tr", "th", "td", "caption", "span",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "hreflang", "rel"},
    "abbr": {"title"},
    "th": {"colspan", "rowspan", "align"},
    "td": {"colspan", "rowspan", "align"},
    "ol": {"start"},
}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]


@dataclass
class Parsed:
    elements: list[Element] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    declarations: list[str] = field(default_factory=list)

    def tags(self) -> list[str]:
        return [element.tag for element in self.elements]

    def links(self) -> list[Element]:
        return [element for element in self.elements if element.tag == "a"]

    def joined_text(self) -> str:
        return "".join(self.text)


class Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parsed = Parsed()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.parsed.elements.append(Element(tag, dict(attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        self.parsed.text.append(data)

    def handle_comment(self, data: str) -> None:
        self.parsed.comments.append(data)

    def handle_decl(self, decl: str) -> None:
        self.parsed.declarations.append(decl)

    def handle_pi(self, data: str) -> None:
        self.parsed.declarations.append(data)

    def unknown_decl(self, data: str) -> None:
        self.parsed.declarations.append(data)


def parse(fragment: str) -> Parsed:
    collector = Collector()
    collector.feed(fragment)
    collector.close()
    return collector.parsed


def browser_view(href: str) -> str:
    """Roughly what a browser makes of an href: unescaped (again), without whitespace or
    control characters anywhere, lowercased, "\\" read as "/"."""
    value = html.unescape(html.unescape(href))
    value = "".join(ch for ch in value if ch > " " and ch != "\x7f").lower()
    return value.replace("\\", "/")


def assert_harmless(output: str, site_host: str | None = SITE) -> Parsed:
    parsed = parse(output)
    assert not parsed.comments
    assert not parsed.declarations
    for element in parsed.elements:
        assert element.tag in ALLOWED_TAGS, output
        allowed = ALLOWED_ATTRIBUTES.get(element.tag, set())
        for name, value in element.attrs.items():
            assert not name.startswith("on"), output
            assert name not in {"style", "src", "srcset", "target", "id", "class"}, output
            assert name in allowed, output
            assert value is None or "alert(1)" not in value, output
        href = element.attrs.get("href")
        if href is not None:
            url = urlsplit(browser_view(href))
            assert url.scheme in {"", "http", "https", "mailto", "tel"}, output
            if url.netloc and url.hostname != site_host:  # another host: never without rel
                assert element.attrs.get("rel") == EXTERNAL_REL, output
        if "rel" in element.attrs:
            assert element.attrs["rel"] == EXTERNAL_REL, output
    return parsed


HOSTILE = [
    pytest.param("<script>alert(1)</script>", id="script"),
    pytest.param("<SCRIPT SRC=//evil/x.js></SCRIPT>", id="script-src-upper"),
    pytest.param("text\n\n<script>\nalert(1)\n</script>\n\nafter", id="script-block"),
    pytest.param("[x](javascript:alert(1))", id="md-javascript"),
    pytest.param("[x](JaVaScRiPt:alert(1))", id="md-javascript-mixed-case"),
    pytest.param("[x](java&#x09;script:alert(1))", id="md-javascript-tab-entity"),
    pytest.param("[x](&#106;avascript:alert(1))", id="md-javascript-decimal-entity"),
    pytest.param("[x](  javascript:alert(1))", id="md-javascript-leading-space"),
    pytest.param("[x](<javascript:alert(1)>)", id="md-javascript-angle"),
    pytest.param("[x][r]\n\n[r]: javascript:alert(1)", id="md-javascript-reference"),
    pytest.param("[x](javascript://%0Aalert(1))", id="md-javascript-comment-trick"),
    pytest.param('<a href="javascript&colon;alert(1)">x</a>', id="html-javascript-colon"),
    pytest.param('<a href="&#x6A;avascript:alert(1)">x</a>', id="html-javascript-hex"),
    pytest.param('<a href="jav&#x0A;ascript:alert(1)">x</a>', id="html-javascript-newline"),
    pytest.param('<a href=" &#14;javascript:alert(1)">x</a>', id="html-javascript-control"),
    pytest.param('<a href="\tjavascript:alert(1)">x</a>', id="html-javascript-tab"),
    pytest.param("[x](data:text/html;base64,PHNjcmlwdD4=)", id="md-data"),
    pytest.param('<a href="data:text/html,<script>alert(1)</script>">x</a>', id="html-data"),
    pytest.param("[x](vbscript:msgbox)", id="md-vbscript"),
    pytest.param("<img src=x onerror=alert(1)>", id="img-onerror"),
    pytest.param("![x](https://evil.example/pixel.png)", id="md-image-remote"),
    pytest.param("![x](/static/local.png)", id="md-image-local"),
    pytest.param("[![x](/static/a.png)](https://evil.example/)", id="md-image-in-link"),
    pytest.param('<img src="x', id="img-unterminated"),
    pytest.param("<svg onload=alert(1)>", id="svg-onload"),
    pytest.param("<svg><script>alert(1)</script></svg>", id="svg-script"),
    pytest.param(
        '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>', id="svg-link"
    ),
    pytest.param('<math><mi xlink:href="javascript:alert(1)">x</mi></math>', id="math-href"),
    pytest.param('<math><a xlink:href="javascript:alert(1)">x</a></math>', id="math-link"),
    pytest.param("<iframe src=https://evil.example></iframe>", id="iframe"),
    pytest.param('<iframe srcdoc="<script>alert(1)</script>"></iframe>', id="iframe-srcdoc"),
    pytest.param('<object data="https://evil.example/x.swf"></object>', id="object"),
    pytest.param('<embed src="https://evil.example/x.swf">', id="embed"),
    pytest.param("<style>body{display:none}</style>", id="style"),
    pytest.param('<p style="background:url(javascript:alert(1))">x</p>', id="style-attr"),
    pytest.param('<a href="x" style="color:red">x</a>', id="style-attr-link"),
    pytest.param('<a href="x" onclick="alert(1)">x</a>', id="onclick"),
    pytest.param('<div onmouseover="alert(1)">x</div>', id="div-onmouseover"),
    pytest.param('<abbr title="t" onmouseover="alert(1)">x</abbr>', id="abbr-onmouseover"),
    pytest.param(
        '<table><tr><td background="javascript:alert(1)" style="x">c</td></tr></table>',
        id="td-background",
    ),
    pytest.param("<form action=https://evil.example><input name=q></form>", id="form"),
    pytest.param("<button formaction=javascript:alert(1)>x</button>", id="button"),
    pytest.param("<base href=https://evil.example/>", id="base"),
    pytest.param('<meta http-equiv=refresh content="0;url=https://evil.example">', id="meta"),
    pytest.param("<link rel=stylesheet href=https://evil.example/x.css>", id="link"),
    pytest.param("<!-- comment --><p>x</p>", id="comment"),
    pytest.param("<![CDATA[<script>alert(1)</script>]]>", id="cdata"),
    pytest.param("&lt;script&gt;alert(1)&lt;/script&gt;", id="escaped-script"),
    pytest.param("<scr<script>ipt>alert(1)</script>", id="nested-script"),
    pytest.param(
        '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
        id="noscript",
    ),
    pytest.param("<template><script>alert(1)</script></template>", id="template"),
    pytest.param("<textarea><script>alert(1)</script></textarea>", id="textarea"),
    pytest.param("<xmp><script>alert(1)</script></xmp>", id="xmp"),
    pytest.param("<details open ontoggle=alert(1)>x</details>", id="details-ontoggle"),
    pytest.param("<video><source onerror=alert(1)></video>", id="video-source"),
    pytest.param('<audio src=x onerror="alert(1)"></audio>', id="audio"),
    pytest.param('<a href="//evil.example/">x</a>', id="protocol-relative"),
    pytest.param('<a href="/\\evil.example/">x</a>', id="backslash-relative"),
    pytest.param('<a href="https://evil.example" target="_blank">x</a>', id="target-blank"),
    pytest.param('<a href="https://evil.example" rel="opener">x</a>', id="rel-opener"),
    pytest.param('[x](https://ok.example){: onclick="alert(1)" style="x" }', id="attr-list"),
    pytest.param('# Title {: onclick="alert(1)" id="main" }', id="attr-list-heading"),
    pytest.param('<div markdown="1">*x* <script>alert(1)</script></div>', id="md-in-html"),
]


@pytest.mark.parametrize("source", HOSTILE)
def test_hostile_input_comes_out_harmless(source: str) -> None:
    assert_harmless(render_markdown(source, site_host=SITE))
    assert_harmless(render_markdown(source), site_host=None)


@pytest.mark.parametrize(
    ("source", "hidden"),
    [
        ("before <script>alert(1)</script> after", "alert"),
        ("before\n\n<script>\nvar secret = 1;\n</script>\n\nafter", "secret"),
        ("<SCRIPT SRC=//evil/x.js>secret()</SCRIPT>", "secret"),
        ("<style>body{display:none}</style>\n\nafter", "display"),
        ("<svg><script>alert(1)</script></svg>", "alert"),
        ("<template><script>alert(1)</script>secret</template>", "secret"),
        ("<noscript>secret</noscript>", "secret"),
        ("<iframe>secret</iframe>", "secret"),
        ("<textarea>secret</textarea>", "secret"),
        ("<div markdown=\"1\">*x* <script>alert('secret')</script></div>", "secret"),
    ],
)
def test_script_and_style_text_never_shows(source: str, hidden: str) -> None:
    output = render_markdown(source, site_host=SITE)
    assert hidden not in output
    assert hidden not in parse(output).joined_text()


def test_escaped_markup_stays_text() -> None:
    output = render_markdown("&lt;script&gt;alert(1)&lt;/script&gt; & <b>bold</b>")
    assert output == "<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; <b>bold</b></p>"


def test_comments_are_removed() -> None:
    assert render_markdown("<!-- note to editors --><p>x</p>").strip() == "<p>x</p>"
    assert render_markdown("a <!-- inline --> b") == "<p>a  b</p>"


@pytest.mark.parametrize(
    "source",
    [
        "[x](javascript:alert(1))",
        "[x](java&#x09;script:alert(1))",
        "[x](&#106;avascript:alert(1))",
        '<a href="javascript&colon;alert(1)">x</a>',
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "[x](vbscript:msgbox)",
    ],
)
def test_unsafe_links_lose_their_href_but_keep_their_text(source: str) -> None:
    parsed = parse(render_markdown(source))
    assert [link.attrs for link in parsed.links()] == [{}]
    assert parsed.joined_text() == "x"


def test_images_never_come_through() -> None:
    output = render_markdown(
        "![a](https://evil.example/p.png) ![b](/static/local.png) <img src=/x.png alt=c>"
        "\n\n<picture><source srcset=/x.png></picture>"
    )
    assert "<img" not in output
    assert "src" not in output


def test_ordinary_markdown_renders_as_before() -> None:
    source = (
        "A paragraph with *emphasis*, **strong** and `code`.\n"
        "\n"
        "- one\n"
        "- [two](/ru/safety)\n"
        "\n"
        "1. first\n"
        "2. second\n"
        "\n"
        "> quoted\n"
        "\n"
        "---\n"
        "\n"
        "| Name | Phone |\n"
        "|------|-------|\n"
        "| Police | [102](tel:102) |\n"
    )
    assert render_markdown(source, site_host=SITE) == (
        "<p>A paragraph with <em>emphasis</em>, <strong>strong</strong> and <code>code</code>."
        "</p>\n"
        '<ul>\n<li>one</li>\n<li><a href="/ru/safety">two</a></li>\n</ul>\n'
        "<ol>\n<li>first</li>\n<li>second</li>\n</ol>\n"
        "<blockquote>\n<p>quoted</p>\n</blockquote>\n"
        "<hr>\n"
        "<table>\n<thead>\n<tr>\n<th>Name</th>\n<th>Phone</th>\n</tr>\n</thead>\n"
        '<tbody>\n<tr>\n<td>Police</td>\n<td><a href="tel:102">102</a></td>\n</tr>\n</tbody>\n'
        "</table>"
    )


def test_table_alignment_is_an_attribute_not_a_style() -> None:
    parsed = assert_harmless(render_markdown("| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |"))
    cells = [e.attrs.get("align") for e in parsed.elements if e.tag in {"th", "td"}]
    assert cells == ["left", "center", "right"] * 2


def test_harmless_raw_html_survives() -> None:
    source = (
        'Press <kbd>Ctrl</kbd>, see <mark>this</mark>, <abbr title="Gender Perspectives">GP'
        "</abbr>, H<sub>2</sub>O <span>s</span>"
    )
    assert render_markdown(source) == f"<p>{source}</p>"


def test_footnotes_and_definition_lists_render_without_ids() -> None:
    parsed = assert_harmless(render_markdown("Text[^1]\n\n[^1]: Note.\n\nTerm\n: Definition"))
    assert {"sup", "a", "ol", "li", "dl", "dt", "dd"} <= set(parsed.tags())


@pytest.mark.parametrize(
    "href",
    [
        "https://evil.example/",
        "http://evil.example/x",
        "HTTPS://Evil.Example/",
        "https://example.org.evil.example/",
        "https://example.org@evil.example/",
        "https://evil.example\\@example.org/",
        "//evil.example/",
        "/\\evil.example/",
        "http:evil.example",
    ],
)
def test_links_to_other_hosts_get_rel(href: str) -> None:
    source = f'<a href="{html.escape(href)}">x</a>'
    (link,) = parse(render_markdown(source, site_host=SITE)).links()
    assert link.attrs == {"href": href, "rel": EXTERNAL_REL}


def test_markdown_link_to_another_host_gets_rel() -> None:
    output = render_markdown("[Help](https://help.example/page)", site_host=SITE)
    assert output == (
        '<p><a href="https://help.example/page" rel="noreferrer noopener">Help</a></p>'
    )


@pytest.mark.parametrize(
    ("href", "site_host"),
    [
        ("/ru/safety", SITE),
        ("/ru/safety", None),
        ("#section", None),
        ("?q=1", None),
        ("safety", None),
        ("https://example.org/ru/safety", SITE),
        ("http://EXAMPLE.org/", SITE),
        ("https://example.org:8443/x", SITE),
        ("https://example.org/x", "Example.org:8000"),
        ("//example.org/x", SITE),
        ("tel:+375291234567", SITE),
        ("tel:102", None),
        ("mailto:help@example.net", SITE),
    ],
)
def test_own_links_get_no_rel(href: str, site_host: str | None) -> None:
    (link,) = parse(render_markdown(f"[x]({href})", site_host=site_host)).links()
    assert link.attrs == {"href": href}


def test_without_site_host_every_absolute_link_is_external() -> None:
    (link,) = parse(render_markdown("[x](https://example.org/)")).links()
    assert link.attrs["rel"] == EXTERNAL_REL


def test_tel_and_mailto_links_survive() -> None:
    output = render_markdown("[Call](tel:+375 29 123-45-67) or [write](mailto:help@example.org)")
    assert output == (
        '<p><a href="tel:+375 29 123-45-67">Call</a> or '
        '<a href="mailto:help@example.org">write</a></p>'
    )


def test_link_title_survives() -> None:
    output = render_markdown('[x](/a "About us")')
    assert output == '<p><a href="/a" title="About us">x</a></p>'


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("# Title\n\n## Sub", ["h2", "h3"]),
        ("## Sub\n\n### Deeper", ["h2", "h3"]),
        ("### Only\n\n#### Deeper", ["h2", "h3"]),
        ("# A\n\n###### F", ["h2", "h6"]),
        ("# A\n\n##### E\n\n###### F", ["h2", "h6", "h6"]),
        ("Title\n=====\n\nSub\n---", ["h2", "h3"]),
        ("<h1>Raw</h1>\n\n## Sub", ["h2", "h3"]),
        ("<h1>Raw</h1>\n\n# Md", ["h2", "h2"]),
        ("Just text", []),
    ],
)
def test_headings_start_at_h2(source: str, expected: list[str]) -> None:
    parsed = assert_harmless(render_markdown(source))
    headings = [tag for tag in parsed.tags() if tag in {"h1", "h2", "h3", "h4", "h5", "h6"}]
    assert headings == expected


def test_heading_text_and_markup_are_kept() -> None:
    assert render_markdown("# The *title*\n\nText") == "<h2>The <em>title</em></h2>\n<p>Text</p>"


def content_files() -> list[Path]:
    files = sorted(CONTENT_DIR.glob("**/*.md"))
    assert files
    return files


@pytest.mark.parametrize("path", content_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_shipped_pages_keep_their_text_and_links(path: Path) -> None:
    body = frontmatter.load(str(path)).content
    plain = markdown.markdown(body, extensions=["extra", "sane_lists"], output_format="html")
    output = render_markdown(body, site_host=SITE)
    parsed = assert_harmless(output)
    before = parse(plain)
    assert "h1" not in parsed.tags()
    assert output.count("<a ") == plain.count("<a ")
    assert [link.attrs["href"] for link in parsed.links()] == [
        link.attrs["href"] for link in before.links()
    ]
    assert parsed.joined_text() == before.joined_text()


@pytest.mark.parametrize(
    "href",
    [
        "/ru/safety",
        "#top",
        "page?x=1",
        "https://example.org/",
        "HTTP://example.org/",
        "mailto:a@example.org",
        "tel:102",
        " /padded ",
        "1javascript:alert(1)",  # not a scheme: a relative path
    ],
)
def test_is_safe_href_accepts(href: str) -> None:
    assert is_safe_href(href)


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " \x0ejavascript:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "data:text/html,x",
        "vbscript:msgbox",
        "file:///etc/passwd",
        "ftp://example.org/",
    ],
)
def test_is_safe_href_rejects(href: str) -> None:
    assert not is_safe_href(href)


def test_safe_url_schemes() -> None:
    assert frozenset({"http", "https", "mailto", "tel"}) == SAFE_URL_SCHEMES


def test_output_is_deterministic_and_cached() -> None:
    source = "# Cached\n\n[x](https://elsewhere.example/) and [y](/here)"
    first = render_markdown(source, site_host=SITE)
    hits = render._render_cached.cache_info().hits
    assert render_markdown(source, site_host=SITE) is first
    assert render._render_cached.cache_info().hits == hits + 1
    assert render._render_cached.cache_info().maxsize == 512
    render._render_cached.cache_clear()
    assert render_markdown(source, site_host=SITE) == first
    assert render_markdown(source, site_host="elsewhere.example") != first
