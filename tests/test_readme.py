"""The README names only paths that exist and commands the command line has.

What counts as a path (`as_path`), in a word of an inline code span, of an indented code block or of the Layout
block, or the target of a relative Markdown link:

- the word is made of letters, digits and `_ . - < > *`, with `/` between its parts: an option (`--db`), a
  URL (`https://...`), an address (`64:ff9b::/96`), a setting (`[recoupe]`, `a=b`) or a line number (`x.jsonl:7`)
  is not one; nor is a word that starts with `/` (a route such as `/docs`, or a path outside the checkout such
  as `/tmp/demo.db`), or a word without `/` that starts with `.` (a suffix, `.warc.gz`);
- and it ends with `/` (a folder), or with the suffix of one of the project's own kinds of file (SUFFIXES:
  `clean.py`, `quotes.toml`), or its first part is an entry of the checkout's root, of src/recoupe/ or of
  src/recoupe/rules/ (`scripts/test`, `bench/x.py`, `export/analysis.schema.json`), or it starts with `../` (the
  shared data beside the checkout, which the tests need anyway). Other words with a `/` (`RSS/Atom`, a file of
  another project such as `meta/model.json`) are not paths.

A pytest node id (`tests/test_x.py::test_y`) names its file. A path exists when it is found under the checkout's
root, src/, src/recoupe/ or src/recoupe/rules/, or under a folder named before it in the same paragraph, list
item or table row, itself or as the folder of a file (`ingest/`: `files.py`; `ingest/files.py`, then `warc.py`),
or, in the Layout block, before it on its line or on the line it is indented under. A part written `<lang>`
(any `<...>`) or `*` stands for any one name, and at least one file must match. Markdown links are looked for
under the root only, as a reader follows them; a link to a heading (`#usage`) must find that heading.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer.main

from recoupe.cli import app

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
# Where a path the README names is looked for; the entries of all but src/ mark a word as a path.
ROOTS = (ROOT, ROOT / "src", ROOT / "src" / "recoupe", ROOT / "src" / "recoupe" / "rules")
MARKING_ROOTS = (ROOT, ROOT / "src" / "recoupe", ROOT / "src" / "recoupe" / "rules")
SUFFIXES = (".py", ".toml", ".md", ".j2", ".css", ".js", ".png", ".po", ".pot")

PATH_WORD = re.compile(r"[\w.<>*-]+(?:/[\w.<>*-]+)*/?")
FENCE = re.compile(r"^```[^\n]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"`([^`\n]+)`")
LINK = re.compile(r"\]\(([^()\s]+)\)")
PLACEHOLDER = re.compile(r"<[^<>/]*>")
# A line that opens a unit of its own: a list item, a table row, a heading.
UNIT_START = re.compile(r"^\s*(?:[-*] |\d+\. |\||#)")
SHELL_OPERATORS = {"&&", "||", "|", ";"}
INVOCATION = re.compile(r"(?:^|[\s/])recoupe(?:\s|$)")


@dataclass(frozen=True)
class Named:
    """A path the README names: where (span, layout or link), and the folders it may be relative to."""

    place: str
    path: str
    within: tuple[str, ...] = ()


def section(text: str, title: str) -> str:
    """The text of a `## title` section, up to the next section of that level or higher."""
    match = re.search(rf"^## {re.escape(title)}[ \t]*\n(.*?)(?=^#{{1,2}} |\Z)", text, re.MULTILINE | re.DOTALL)
    assert match is not None, f"the README has no '## {title}' section"
    return match.group(1)


def first_block(text: str) -> str:
    """The first fenced code block of a text."""
    match = FENCE.search(text)
    assert match is not None, "no fenced code block"
    return match.group(1)


def root_entries() -> frozenset[str]:
    """The names that, as the first part of a word with a `/`, make it a path."""
    return frozenset(entry.name for root in MARKING_ROOTS for entry in root.iterdir())


def as_path(word: str, entries: frozenset[str]) -> str | None:
    """The path a word names under the rule above, or None."""
    word = word.lstrip("([").rstrip(",;:.)]").split("::")[0]
    if not PATH_WORD.fullmatch(word) or word.startswith(("/", "-")):
        return None
    if "/" not in word:
        return word if not word.startswith(".") and word.endswith(SUFFIXES) else None
    if word.startswith("../") or word.endswith("/") or word.endswith(SUFFIXES) or word.split("/")[0] in entries:
        return word
    return None


def units(prose: str) -> list[str]:
    """The paragraphs, list items, table rows and headings of Markdown prose, each on one line."""
    found: list[list[str]] = []
    for line in prose.splitlines():
        if not line.strip():
            found.append([])
        elif UNIT_START.match(line) or not found:
            found.append([line])
        else:
            found[-1].append(line)
    return [" ".join(lines) for lines in found if lines]


def paths_named(text: str, layout: str = "", entries: frozenset[str] | None = None) -> set[Named]:
    """The paths a README's text names in its code spans and links, and those of its Layout block."""
    entries = root_entries() if entries is None else entries
    prose = FENCE.sub("", text)
    found: set[Named] = set()
    for unit in units(prose):
        folders: list[str] = []
        for span in CODE_SPAN.findall(unit):
            for path in (as_path(w, entries) for w in span.split()):
                if path is not None:
                    found.add(Named("span", path, tuple(folders)))
                    folder = path if path.endswith("/") else path.rpartition("/")[0] + "/"
                    if folder != "/" and not folder.startswith("../"):
                        folders.append(folder)  # a folder, or the folder of a file, for the names after it
    stack: list[tuple[int, str]] = []  # (indentation, folder) of the lines the current one is indented under
    for line in layout.splitlines():
        indent = len(line) - len(line.lstrip())
        while stack and stack[-1][0] >= indent:
            stack.pop()
        parent = stack[-1][1] if stack else ""
        within = [parent] if parent else []
        for path in (as_path(w, entries) for w in line.split()):
            if path is not None:
                found.add(Named("layout", path, tuple(within)))
                if path.endswith("/"):
                    within.append(parent + path)  # the names after it on its line may be in it
                    if not stack or stack[-1][0] < indent:
                        stack.append((indent, parent + path))  # and so may the lines indented under it
    for line in indented_code(prose):
        found.update(Named("span", p) for p in (as_path(w, entries) for w in line.split()) if p)
    for target in LINK.findall(prose):
        if target.startswith("#"):
            found.add(Named("anchor", target))
        elif "://" not in target and not target.startswith("mailto:") and target.split("#")[0]:
            found.add(Named("link", target.split("#")[0]))
    return found


def indented_code(prose: str) -> list[str]:
    """The lines of Markdown's indented code blocks: four spaces or more, after a blank line or another such."""
    lines, previous_blank, in_code = [], True, False
    for line in prose.splitlines():
        in_code = line.startswith("    ") and bool(line.strip()) and (previous_blank or in_code)
        if in_code:
            lines.append(line)
        previous_blank = not line.strip()
    return lines


def anchors(text: str) -> set[str]:
    """The link targets of the headings of a Markdown text, as GitHub makes them ("## Set-up" -> "#set-up")."""
    titles = re.findall(r"^#{1,6} (.+?)\s*$", FENCE.sub("", text), re.MULTILINE)
    return {"#" + re.sub(r"[^\w\- ]", "", t.lower()).replace(" ", "-") for t in titles}


def exists(named: Named) -> bool:
    """Whether a named path is a file or folder under a root, or under a folder it is named within."""
    folder = named.path.endswith("/")
    for base in (ROOT,) if named.place == "link" else ROOTS:
        for within in ("", *named.within):
            pattern = PLACEHOLDER.sub("*", within + named.path).rstrip("/")
            matches = list(base.glob(pattern)) if "*" in pattern else [base / pattern]
            if any(m.is_dir() or (m.exists() and not folder) for m in matches):
                return True
    return False


def missing(found: set[Named], text: str = "") -> list[str]:
    """The paths that exist nowhere they are looked for, and the links to headings `text` lacks, sorted."""
    headings = anchors(text)
    return sorted({n.path for n in found if not (n.path in headings if n.place == "anchor" else exists(n))})


def paths(found: set[Named], place: str) -> set[str]:
    return {n.path for n in found if n.place == place}


def test_every_path_the_readme_names_exists() -> None:
    text = README.read_text(encoding="utf-8")
    found = paths_named(text, first_block(section(text, "Layout")))
    # Each place is read: a change in the README's shape that hides its paths from the test fails here.
    assert paths(found, "span") and paths(found, "layout") and paths(found, "link") and paths(found, "anchor")
    assert missing(found, text) == []


def test_the_rule_finds_a_missing_path_and_leaves_other_words_alone() -> None:
    entries = frozenset({"src", "tests", "bench", "scripts", "ingest", "quotes", "fr"})
    text = (
        "Run `python bench/nowhere.py` and `scripts/test`; read `ingest/web.py`, `rules/<lang>/quotes.toml`,\n"
        "`fr/quotes.toml`, `web/`, `clean.py` and `tests/test_rules.py::test_every_language_folder_loads`.\n"
        "Not paths: `--db PATH`, `https://example.org/a/b.py`, `/docs`, `/tmp/demo.db`, `fetches`, `.warc.gz`, "
        "`[recoupe]`, `recoupe/0.1`, `64:ff9b::/96`, `records.jsonl:7: too deep`, `meta/model-1.0.json`, "
        "RSS/Atom, `a/b`.\n"
        "```sh\nrecoupe ingest `src/recoupe/inside_a_fence.py`\n```\n"
        "- `ingest/`: `files.py`, `warc.py` and `feeds.py`; `quotes/`: `marks.py`\n"
        "- `guards.py` alone, `marks.py` in another item\n"
        "- `people/names.py`, then `speakers.py` beside it\n\n"
        "[a link](docs/nowhere.md), [another](README.md), [a site](https://example.org/x.md), [a section](#usage),\n"
        "[a missing section](#nowhere), [a file's section](README.md#usage)\n\n"
        "## Usage\n\n    .venv/bin/python bench/gone.py --fast\n    scripts/test\n\n  - an item\n"
    )
    layout = (
        "src/recoupe/\n  records.py   typed records, RSS/Atom, json/csv\n  store/  the only code that talks SQL\n"
        "    records.py  sql.py  nowhere.py\n  export/  json (contract), jsonl\ntests/  test_rules.py\n"
    )
    found = paths_named(text, layout, entries)
    assert paths(found, "span") == {
        "bench/nowhere.py",
        "scripts/test",
        "ingest/web.py",
        "rules/<lang>/quotes.toml",
        "fr/quotes.toml",
        "web/",
        "clean.py",
        "tests/test_rules.py",
        "ingest/",
        "files.py",
        "warc.py",
        "feeds.py",
        "quotes/",
        "marks.py",
        "guards.py",
        "people/names.py",
        "speakers.py",
        "bench/gone.py",
    }
    assert paths(found, "layout") == {
        "src/recoupe/",
        "records.py",
        "store/",
        "sql.py",
        "nowhere.py",
        "export/",
        "tests/",
        "test_rules.py",
    }
    assert Named("layout", "sql.py", ("src/recoupe/store/",)) in found
    assert Named("layout", "test_rules.py", ("tests/",)) in found  # after its folder on one line
    assert paths(found, "link") == {"docs/nowhere.md", "README.md"}
    assert paths(found, "anchor") == {"#usage", "#nowhere"}
    # marks.py exists in quotes/, named before it in the first item, not beside guards.py in the second.
    assert missing(found, text) == [
        "#nowhere",
        "bench/gone.py",
        "bench/nowhere.py",
        "clean.py",
        "docs/nowhere.md",
        "marks.py",
        "nowhere.py",
        "web/",
    ]


def cli_invocations(text: str) -> list[list[str]]:
    """The words of every `recoupe ...` command line in a text, from `recoupe` to the end of its command."""
    lines = []
    for line in text.splitlines():
        if not INVOCATION.search(line):
            continue
        words = shlex.split(line, comments=True)
        starts = [i for i, w in enumerate(words) if w == "recoupe" or w.endswith("/recoupe")]
        if starts:
            words = words[starts[0] :]
            ends = [i for i, w in enumerate(words) if w in SHELL_OPERATORS]
            lines.append(words[: ends[0]] if ends else words)
    return lines


def unknown_in(invocation: list[str]) -> list[str]:
    """What a command line names that the CLI does not have: its command, or an option of the command."""
    group = typer.main.get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    context = group.context_class(group)

    def options(command: Any) -> dict[str, bool]:
        """Each option's spelling, and whether it takes a value."""
        known = {}
        for param in command.get_params(context):
            if param.param_type_name == "option":
                for spelling in (*param.opts, *param.secondary_opts):
                    known[spelling] = not getattr(param, "is_flag", False)
        return known

    top = options(group)
    words = [w.strip("[]") for w in invocation[1:]]
    i = 0
    while i < len(words) and words[i].startswith("-"):
        name = words[i].split("=")[0]
        if name not in top:
            return [f"global option {name}"]
        i += 2 if top[name] and "=" not in words[i] else 1
    if i == len(words):
        return []  # `recoupe --help`
    command = group.commands.get(words[i])
    if command is None:
        return [f"command {words[i]!r}"]
    own = options(command)
    return [
        f"option {w.split('=')[0]} of {words[i]}"
        for w in words[i + 1 :]
        if w.startswith("-") and len(w) > 1 and w.split("=")[0] not in own
    ]


def test_every_command_the_readme_shows_is_a_cli_command() -> None:
    text = README.read_text(encoding="utf-8")
    shown = cli_invocations(first_block(section(text, "Usage")))
    assert len(shown) >= 5, "the Usage block shows no command lines"
    inline = [line for span in CODE_SPAN.findall(FENCE.sub("", text)) for line in cli_invocations(span)]
    unknown = {" ".join(line): unknown_in(line) for line in shown + inline}
    assert {line: what for line, what in unknown.items() if what} == {}


def test_a_command_or_option_the_cli_lacks_is_named() -> None:
    assert unknown_in(["recoupe", "--db", "x.db", "frobnicate"]) == ["command 'frobnicate'"]
    assert unknown_in(["recoupe", "--db", "x.db", "ingest", "--workers", "2", "--fast"]) == ["option --fast of ingest"]
    assert unknown_in(["recoupe", "--verbose", "stories"]) == ["global option --verbose"]
    assert unknown_in(["recoupe", "--db", "x.db", "ingest", "--no-refresh", "a/"]) == []
    assert cli_invocations('recoupe --db a.db quotes --speaker "A B"   # who said\n.venv/bin/recoupe demo && ls') == [
        ["recoupe", "--db", "a.db", "quotes", "--speaker", "A B"],
        [".venv/bin/recoupe", "demo"],
    ]
