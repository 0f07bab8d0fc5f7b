"""One frozen configuration built once (defaults, then a TOML file, then CLI flags), validated, and passed down."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, ValidationError

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


class Config(BaseModel):
    """Settings for every stage, each checked when the configuration is built."""

    # Frozen: one configuration is shared by every stage and process. Strings are not read as numbers or
    # booleans ("two", "yes"): a value from a TOML file or a flag has the type the option says.
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True, validate_default=True)

    db: Path = Field(default_factory=default_db_path)
    # The language an article is taken to be in when its language cannot be told; the spaCy model and the rules
    # of each article come from the folder of its own language (rules/<lang>/language.toml).
    language: str = Field("fr", pattern=r"^[a-z]{2,3}$")
    batch_size: int = Field(64, ge=1)  # articles per transaction and per nlp.pipe call
    n_process: int = Field(1, ge=1)  # worker processes that clean and parse
    # The dependency parser is half of spaCy's time; the statistical sentence splitter stands in for it.
    # Stages must work from lemmas, POS, morphology and entities, not from dependency arcs.
    dependency_parse: bool = False
    facts: bool = True  # claims and the cross-check of each story's facts (recoupe.facts); off for a cheaper ingest
    max_html_bytes: int = Field(20_000_000, ge=1)  # larger inputs are refused, not parsed
    rules_dir: Path = RULES_DIR
    # Fetching from the web (URLs, feeds, sitemaps, watch).
    user_agent: str = Field("recoupe/0.1 (+https://github.com/recoupe/recoupe; news cross-checking)", min_length=1)
    fetch_timeout: float = Field(20.0, gt=0)  # seconds for a whole response, headers and body
    max_page_bytes: int = Field(5_000_000, ge=1)  # larger bodies are abandoned, not read
    max_redirects: int = Field(5, ge=0)
    host_delay: float = Field(1.0, ge=0)  # seconds between two requests to one host (robots.txt may raise it)
    fetch_retries: int = Field(2, ge=0)  # extra attempts after a network error or a 5xx, with exponential backoff
    allow_private: bool = False  # fetch loopback, private, link-local and multicast addresses

    def __init__(self, **values: Any) -> None:
        try:
            super().__init__(**_lax_paths(values))
        except ValidationError as err:
            raise ConfigError(_describe(err)) from err

    @property
    def language_rules(self) -> Path:
        """The rule files of the default language."""
        return self.rules_dir / self.language

    def with_overrides(self, **overrides: Any) -> Config:
        """A copy with the given non-None values set, validated like a new configuration."""
        unknown = set(overrides) - set(type(self).model_fields)
        if unknown:
            raise ConfigError("; ".join(f"unknown setting {name!r}" for name in sorted(unknown)))
        values = {name: getattr(self, name) for name in type(self).model_fields}
        return Config(**{**values, **{k: v for k, v in overrides.items() if v is not None}})

    @classmethod
    def load(cls, toml_path: Path | None = None, **overrides: Any) -> Config:
        """Defaults, then the TOML file (its [recoupe] table), then the overrides."""
        config = cls()
        if toml_path is not None:
            try:
                data = tomllib.loads(toml_path.read_text(encoding="utf-8")).get("recoupe", {})
            except (OSError, tomllib.TOMLDecodeError) as err:
                raise ConfigError(f"{toml_path}: {err}") from err
            if not isinstance(data, dict):
                raise ConfigError(f"{toml_path}: [recoupe] must be a table of settings")
            try:
                config = config.with_overrides(**data)
            except ConfigError as err:
                raise ConfigError(f"{toml_path}: {err}") from err
        return config.with_overrides(**overrides)


# Settings that are paths: a TOML file or a flag gives them as strings.
PATH_SETTINGS = ("db", "rules_dir")


def _lax_paths(values: dict[str, Any]) -> dict[str, Any]:
    """The values with path settings given as strings turned into paths (strict mode takes no string for a Path)."""
    return {k: Path(v) if k in PATH_SETTINGS and isinstance(v, str) else v for k, v in values.items()}


def _describe(err: ValidationError) -> str:
    """One line per invalid setting, each naming the option and the value given."""
    lines = []
    for problem in err.errors():
        option = ".".join(str(part) for part in problem["loc"]) or "configuration"
        if problem["type"] == "extra_forbidden":
            lines.append(f"unknown setting {option!r}")
        else:
            lines.append(f"option {option!r}: {problem['msg']} (got {problem.get('input')!r})")
    return "; ".join(lines)
