"""Registries of output formats: one per output (exports, briefs), each mapping a name to its writer.

The command line takes its `--format` choices, their help and its error for an unknown name from the registry,
so adding a format is one entry in it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Generic, Protocol, TypeVar


class UnknownFormat(ValueError):
    """A format name that the registry of an output does not hold."""


class OutputFormat(Protocol):
    """What every registry entry has: a name and a one-line description."""

    @property
    def name(self) -> str: ...

    @property
    def description(self) -> str: ...


F = TypeVar("F", bound=OutputFormat)


class Registry(Generic[F]):
    """The formats of one output, by name, in the order they were given."""

    def __init__(self, output: str, formats: Iterable[F]) -> None:
        self.output = output
        self._formats: dict[str, F] = {}
        for entry in formats:
            if entry.name in self._formats:
                raise ValueError(f"two {output} formats named '{entry.name}'")
            self._formats[entry.name] = entry

    def __getitem__(self, name: str) -> F:
        """The format of that name; an unknown name is an UnknownFormat that lists the known ones."""
        try:
            return self._formats[name]
        except KeyError:
            raise UnknownFormat(f"unknown {self.output} format '{name}' ({self.choices()})") from None

    def __iter__(self) -> Iterator[F]:
        return iter(self._formats.values())

    def __len__(self) -> int:
        return len(self._formats)

    def names(self) -> list[str]:
        """The names of the formats, in order."""
        return list(self._formats)

    def choices(self) -> str:
        """The names as a phrase: 'md, html or json'."""
        names = self.names()
        return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"

    def help(self) -> str:
        """Each name with its description, for a command's help."""
        return "; ".join(f"{entry.name}: {entry.description}" for entry in self)


def plural(count: int, noun: str) -> str:
    """A count and its English noun, in the singular for one ("1 article", "3 outlets"), for the English outputs
    (CLI, exported briefs); the web pages use the catalogues' plural forms."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
