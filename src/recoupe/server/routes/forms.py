"""The two form pages: /login (a browser on another machine shows the token once, kept in a cookie) and
/ingest (upload files with the token). Both check the token on every POST; it doubles as the CSRF guard."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from recoupe.server.deps import READER, TOKEN_COOKIE, State, check_form_token
from recoupe.server.rendering import render
from recoupe.server.uploads import ingest_uploads

router = APIRouter(include_in_schema=False)
TokenField = Annotated[str, Form(max_length=200)]


@router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request) -> Response:
    return render(request, "login.html", {})


@router.post("/login")
async def login(request: Request, token: TokenField) -> Response:
    check_form_token(request, token)
    response = RedirectResponse("/", status_code=303)
    # HttpOnly: page scripts cannot read it; SameSite=Strict: other sites cannot make the browser send it.
    response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="strict", max_age=30 * 24 * 3600)
    return response


@router.get("/ingest", response_class=HTMLResponse, dependencies=[READER])
async def ingest_form(request: Request) -> Response:
    return render(request, "ingest.html", {"report": None})


@router.post("/ingest", response_class=HTMLResponse)
def ingest(request: Request, state: State, token: TokenField, uploads: Annotated[list[UploadFile], File()]) -> Response:
    check_form_token(request, token)
    report = ingest_uploads(state, uploads)
    return render(request, "ingest.html", {"report": report})
