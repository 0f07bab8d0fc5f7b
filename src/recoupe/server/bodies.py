"""JSON request bodies read so that no body can crash the server: too deep, too long a number, not UTF-8.

Python's json raises RecursionError on deeply nested arrays and ValueError on an integer of more than 4,300
digits; FastAPI would answer either with a bare 400 or let it through as a 500. Here the first is a JSON decode
error (422, located in the body) and the second a value no field accepts (422 naming the field).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

# Python refuses to turn longer digit strings into an int (sys.int_info.default_max_str_digits).
MAX_INT_DIGITS = sys.int_info.default_max_str_digits


class TooLongNumber:
    """Stands for a JSON integer too long to convert: no field of a body model accepts it."""

    def __init__(self, digits: int) -> None:
        self.digits = digits

    def __repr__(self) -> str:
        return f"<an integer of {self.digits} digits>"


def _integer(text: str) -> int | TooLongNumber:
    digits = len(text.lstrip("-"))
    return int(text) if digits <= MAX_INT_DIGITS else TooLongNumber(digits)


def parse_json(raw: bytes) -> Any:
    """The JSON value of a body; json.JSONDecodeError (which FastAPI answers with 422) for anything unreadable."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise json.JSONDecodeError(f"the body is not UTF-8 ({err.reason})", "", err.start) from err
    try:
        return json.loads(text, parse_int=_integer)
    except RecursionError as err:
        raise json.JSONDecodeError("the body is nested too deeply", "", 0) from err


class SafeJSONRequest(Request):
    """A request whose JSON body is read by parse_json."""

    async def json(self) -> Any:
        """The body as JSON, read once."""
        if not hasattr(self, "_json"):
            self._json = parse_json(await self.body())
        return self._json


class SafeJSONRoute(APIRoute):
    """A route whose JSON body is read by parse_json (`APIRouter(route_class=SafeJSONRoute)`)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """The handler, given a SafeJSONRequest."""
        handler = super().get_route_handler()

        async def safe_handler(request: Request) -> Response:
            return await handler(SafeJSONRequest(request.scope, request.receive))

        return safe_handler
