"""The one escaper: hostile strings put through it render as their own text in Markdown and HTML, never markup."""

from __future__ import annotations

import pytest
from jinja2 import DictLoader

from hostile_markup import HOSTILE_URLS, PAYLOADS, Markup, assert_inert, flat, render_markdown
from recoupe import escape


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize(
    ("line", "shown", "tags"),
    [
        ("{}", "{}", {"p"}),
        ("- {}", "{}", {"ul", "li"}),
        ("# {}", "{}", {"h1"}),
        ("### {}: {}", "{}: {}", {"h3"}),
        ("_{}_", "{}", {"p", "em"}),
        ("- **{}** (direct): « {} »", "{} (direct): « {} »", {"ul", "li", "strong"}),
    ],
)
def test_markdown_renders_the_text_itself(payload: str, line: str, shown: str, tags: set[str]) -> None:
    escaped = escape.markdown(payload)
    assert "\n" not in escaped
    rendered = render_markdown(line.format(escaped, escaped))
    assert assert_inert(rendered, tags).text.strip() == shown.format(flat(payload), flat(payload))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_markdown_stays_in_its_table_cell(payload: str) -> None:
    rendered = render_markdown(f"| quote | outlet |\n|---|---|\n| {escape.markdown(payload)} | x |\n", tables=True)
    markup = assert_inert(rendered, {"table", "thead", "tbody", "tr", "th", "td"})
    assert [tag for tag, _ in markup.tags].count("td") == 2  # no pipe of the payload made a cell
    assert flat(payload) in markup.text


@pytest.mark.parametrize("payload", [*PAYLOADS, "`", "``x``", " ` "])
def test_code_span_holds_any_backticks(payload: str) -> None:
    rendered = render_markdown(f"article {escape.markdown_code(payload)}, characters 1–2")
    markup = assert_inert(rendered, {"p", "code"})
    assert [tag for tag, _ in markup.tags] == ["p", "code"]
    assert markup.text.strip() == f"article {flat(payload)}, characters 1–2".strip()


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_no_link_but_to_http_and_https(url: str) -> None:
    assert escape.safe_url(url) is None
    rendered = render_markdown(f"- {escape.markdown_link('titre [x](javascript:alert(1))', url)}")
    markup = assert_inert(rendered, {"ul", "li"})
    assert markup.text.strip() == "titre [x](javascript:alert(1))"


def test_safe_urls_are_percent_encoded_and_linked() -> None:
    url = "https://exemple.test/a b/<script>?q=\"x\"&r='y'#f"
    safe = escape.safe_url(url)
    assert safe == "https://exemple.test/a%20b/%3Cscript%3E?q=%22x%22&r='y'#f"
    rendered = render_markdown(escape.markdown_link("<b>Titre</b>", url))
    markup = assert_inert(rendered, {"p", "a"})
    assert markup.tags == [("p", []), ("a", [("href", safe)])]
    assert markup.text.strip() == "<b>Titre</b>"
    assert escape.safe_url("HTTP://Exemple.test/") == "HTTP://Exemple.test/"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_html_environment_escapes_every_value_and_links_only_safe_urls(payload: str) -> None:
    template = escape.html_environment(
        DictLoader(
            {
                "t": '<p class="x">{{ text }}</p><ul>{% for url in urls %}{% set href = url | url %}'
                '<li>{% if href %}<a href="{{ href }}">{{ text }}</a>{% else %}{{ text }}{% endif %}</li>'
                "{% endfor %}</ul>"
            }
        )
    ).get_template("t")
    urls = [*HOSTILE_URLS, payload, "https://exemple.test/" + payload]
    rendered = template.render(text=payload, urls=urls)
    markup = assert_inert(rendered, {"p", "ul", "li", "a"})
    links = [dict(attrs)["href"] for tag, attrs in markup.tags if tag == "a"]
    # Only the https URLs can be links, and not when the payload puts a line break in them.
    assert links == [escape.safe_url(url) for url in urls if escape.safe_url(url)]
    assert len(links) == (0 if "\n" in payload else 2 if payload.startswith("https://") else 1)
    assert markup.text == payload * (len(urls) + 1)


def test_markup_check_sees_what_an_unescaped_output_would_let_through() -> None:
    # The check itself: the same payloads unescaped do become markup, so a missed escape fails the tests above.
    for payload in (
        "<img src=x onerror=alert(1)>",
        "<a href='javascript:alert(1)'>x</a>",
        "<!-- c -->",
        "[x](https://e.test)",
    ):
        with pytest.raises(AssertionError):
            assert_inert(render_markdown(f"- {payload}"), {"ul", "li"})
    assert Markup(render_markdown("`a` b")).tags == [("p", []), ("code", [])]
