"""What the routes depend on: the app state, the token checks, the paging parameters and the entity a name names.

Reads are open to loopback clients; other clients and every ingest need the store's token
(`Authorization: Bearer <token>`, or the cookie the /login page sets for a browser).
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Query, Request
from starlette.datastructures import Headers

from recoupe.server import auth
from recoupe.server.state import AppState
from recoupe.store import Store

TOKEN_COOKIE = "recoupe_token"

NEAREST_NAMES = 3  # names suggested for a speaker name that names no one
NAME_CUTOFF = 0.75  # difflib similarity from which a name is suggested ("Pescov" for "Peskov")

Limit = Annotated[int, Query(ge=1, le=200)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]


@dataclass(frozen=True)
class Dates:
    """A range of publication days, as ISO strings for the store's queries (`end` inclusive of its day)."""

    start: str | None = None
    end: str | None = None


async def _dates(
    date_from: Annotated[dt.date | None, Query(alias="from", description="published on or after this day")] = None,
    date_to: Annotated[dt.date | None, Query(alias="to", description="published on or before this day")] = None,
) -> Dates:
    if date_from and date_to and date_from > date_to:
        raise HTTPException(422, "'from' is after 'to'")
    return Dates(date_from.isoformat() if date_from else None, date_to.isoformat() if date_to else None)


DateRange = Annotated[Dates, Depends(_dates)]


def app_state(request: Request) -> AppState:
    """The state of the app serving this request."""
    state: AppState = request.app.state.recoupe
    return state


async def _state(request: Request) -> AppState:
    # async: a plain function as a dependency would be run in a worker thread for every request.
    return app_state(request)


State = Annotated[AppState, Depends(_state)]


def presented_token(headers: Headers) -> str | None:
    """The token a request shows in its headers."""
    return auth.bearer(headers.get("authorization")) or headers.get("x-recoupe-token")


def _reader_token(request: Request) -> str | None:
    """Browsers on another machine show the token through the cookie the /login page sets."""
    return presented_token(request.headers) or request.cookies.get(TOKEN_COOKIE)


async def require_reader(request: Request) -> None:
    """Reads are open on loopback; anyone else shows the token."""
    if request.client is not None and auth.is_loopback(request.client.host):
        return
    if not auth.token_matches(app_state(request).token, _reader_token(request)):
        raise HTTPException(
            401, "reading from another machine needs the token (open /login)", {"WWW-Authenticate": "Bearer"}
        )


async def require_token(request: Request) -> None:
    """Writes always need the token."""
    if not auth.token_matches(app_state(request).token, presented_token(request.headers)):
        raise HTTPException(401, "missing or invalid token", {"WWW-Authenticate": "Bearer"})


def check_form_token(request: Request, token: str) -> None:
    """A form's token field, checked on every POST (it doubles as the CSRF guard)."""
    if not auth.token_matches(app_state(request).token, token):
        raise HTTPException(401, "wrong token: it is in the file <db>.token beside the store")


# For a router's or a route's `dependencies=[...]`.
READER = Depends(require_reader)
WRITER = Depends(require_token)


def found(ident: str, kind: str, value: Any) -> Any:
    """`value`, or a 404 naming what `ident` was looked up as."""
    if value is None:
        raise HTTPException(404, f"no {kind} with id {ident!r}")
    return value


def speaker_id(state: AppState, store: Store, speaker: str) -> str:
    """The id of the entity a `speaker` parameter names: its id, or one of its names in any case; a 404 that
    suggests the nearest names otherwise."""
    if store.entity(speaker) is not None:
        return speaker
    names: dict[str, str] = state.memo(store, "entity names", _entity_names)
    key = speaker.strip().casefold()
    if key in names:
        return names[key]
    near = difflib.get_close_matches(key, list(names), n=NEAREST_NAMES, cutoff=NAME_CUTOFF)
    hint = f" (nearest names: {', '.join(repr(store_name(store, names[n])) for n in near)})" if near else ""
    raise HTTPException(404, f"no entity with id or name {speaker!r}{hint}")


def _entity_names(store: Store) -> dict[str, str]:
    return {name.casefold(): e.id for e in store.entities() for name in (e.name, *e.variants)}


def store_name(store: Store, entity_id: str) -> str:
    """The name an entity is shown by."""
    entity = store.entity(entity_id)
    return entity.name if entity is not None else entity_id
