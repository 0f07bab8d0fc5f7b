"""Errors that name the input they come from."""

from __future__ import annotations


class InputError(Exception):
    """An input that cannot be read or cleaned; names the file (and line) or URL."""

    def __init__(self, origin: str, message: str, line: int | None = None) -> None:
        super().__init__(origin, message, line)
        self.origin = origin
        self.message = message
        self.line = line

    def __str__(self) -> str:
        where = f"{self.origin}:{self.line}" if self.line is not None else self.origin
        return f"{where}: {self.message}"
