"""Hostile strings for the Markdown and HTML outputs, and the checks that none of them became markup."""

from __future__ import annotations

from html.parser import HTMLParser

from markdown_it import MarkdownIt

# What a page could put in a title, an outlet's name, a speaker's name, a quote or a `published` value.
PAYLOADS = (
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "[x](javascript:alert(1))",
    "![x](javascript:alert(1))",
    "<javascript:alert(1)>",
    "<a href='javascript:alert(1)'>clic</a>",
    "`code` and ``more`` and a lone `",
    "a | b | c",
    "**gras** _penché_ ~~barré~~",
    "&lt;script&gt; &#60;b&#62; &amp;",
    "1. pas une liste",
    "- pas un élément",
    "# pas un titre",
    "ligne\n\n<script>alert(2)</script>\n> citée",
    "\\<img src=x onerror=alert(3)>",
    "[a]: javascript:alert(4)",
    "<!-- c --><style>*{color:red}</style>",
    "https://evil.example/?q=<b>x</b>",
)
# The URLs of those pages: none may become a link but the http and https ones.
HOSTILE_URLS = (
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "//evil.example/",
    "https://",
    "http://[::1",
)
SAFE_ATTRIBUTES = frozenset({"href", "id", "class", "lang", "charset", "name", "content", "http-equiv", "style"})


def flat(text: str) -> str:
    """The text as the outputs print it: on one line, its spaces folded."""
    return " ".join(text.split())


def render_markdown(text: str, tables: bool = False) -> str:
    """Markdown rendered as a viewer that lets HTML through renders it."""
    renderer = MarkdownIt("commonmark", {"html": True})
    if tables:
        renderer.enable("table")
    html: str = renderer.render(text)
    return html


class Markup(HTMLParser):
    """The elements, attributes and text of an HTML document."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.comments: list[str] = []
        self.parts: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    @property
    def text(self) -> str:
        return "".join(self.parts)


def assert_inert(html: str, allowed_tags: set[str]) -> Markup:
    """No element but the output's own, no event handler, no script link, no comment: nothing a page wrote."""
    markup = Markup(html)
    for tag, attrs in markup.tags:
        assert tag in allowed_tags, (tag, html)
        for name, value in attrs:
            assert name in SAFE_ATTRIBUTES, (tag, name, html)
            if name == "href":
                assert value is not None and value.startswith(("#", "http://", "https://")), (value, html)
    assert not markup.comments, html
    return markup
