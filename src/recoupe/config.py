"""One frozen configuration built once (defaults, then a TOML file, then CLI flags) and passed down."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import platformdirs

RULES_DIR = Path(__file__).parent / "rules"


class ConfigError(ValueError):
    """A configuration file or value is invalid."""


def parse_rules(text: str, path: Path) -> dict[str, Any]:
    """The data of a rule file (rules/<lang>/*.toml), or a ConfigError naming the file."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: not valid TOML ({err})") from err


def read_rules(path: Path) -> dict[str, Any]:
    """Read and parse a rule file, or raise a ConfigError naming it."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: cannot read this rule file ({err})") from err
    return parse_rules(text, path)


def default_db_path() -> Path:
    """The store used when no --db is given: in the user's data directory."""
    return Path(platformdirs.user_data_dir("recoupe")) / "recoupe.db"


@dataclass(frozen=True)
class Config:
    """Settings for every stage."""

    db: Path = field(default_factory=default_db_path)
    language: str = "fr"
    spacy_model: str = "fr_core_news_md"
    batch_size: int = 64  # articles per transaction and per nlp.pipe call
    n_process: int = 1  # worker processes that clean and parse
    # The dependency parser is half of spaCy's time; the statistical sentence splitter stands in for it.
    # Stages must work from lemmas, POS, morphology and entities, not from dependency arcs.
    dependency_parse: bool = False
    max_html_bytes: int = 20_000_000  # larger inputs are refused, not parsed
    rules_dir: Path = RULES_DIR
    # Fetching from the web (URLs, feeds, sitemaps, watch).
    user_agent: str = "recoupe/0.1 (+https://github.com/recoupe/recoupe; news cross-checking)"
    fetch_timeout: float = 20.0  # seconds for a whole response, headers and body
    max_page_bytes: int = 5_000_000  # larger bodies are abandoned, not read
    max_redirects: int = 5
    host_delay: float = 1.0  # seconds between two requests to one host (robots.txt Crawl-delay may raise it)
    fetch_retries: int = 2  # extra attempts after a network error or a 5xx, with exponential backoff
    allow_private: bool = False  # fetch loopback, private, link-local and multicast addresses

    @property
    def language_rules(self) -> Path:
        """The rule files of the configured language."""
        return self.rules_dir / self.language

    def with_overrides(self, **overrides: Any) -> Config:
        """A copy with the given non-None values set."""
        known = {f.name for f in fields(self)}
        unknown = set(overrides) - known
        if unknown:
            raise ConfigError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})

    @classmethod
    def load(cls, toml_path: Path | None = None, **overrides: Any) -> Config:
        """Defaults, then the TOML file (its [recoupe] table), then the overrides."""
        config = cls()
        if toml_path is not None:
            try:
                data = tomllib.loads(toml_path.read_text(encoding="utf-8")).get("recoupe", {})
            except (OSError, tomllib.TOMLDecodeError) as err:
                raise ConfigError(f"{toml_path}: {err}") from err
            for key in ("db", "rules_dir"):
                if key in data:
                    data[key] = Path(data[key])
            config = config.with_overrides(**data)
        return config.with_overrides(**overrides)
