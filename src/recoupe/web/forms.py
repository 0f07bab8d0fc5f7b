"""The two form pages: /login (a browser on another machine shows the token once, kept in a cookie) and
/ingest (upload files with the token). Both check the token on every POST; it doubles as the CSRF guard."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from recoupe.api import TOKEN_COOKIE, app_state, ingest_uploads, require_reader
from recoupe.web import auth
from recoupe.web.pages import render

router = APIRouter(include_in_schema=False)
TokenField = Annotated[str, Form(max_length=200)]


def _check(request: Request, token: str) -> None:
    if not auth.token_matches(app_state(request).token, token):
        raise HTTPException(401, "wrong token: it is in the file <db>.token beside the store")


@router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request) -> Response:
    return render(request, "login.html", {})


@router.post("/login")
async def login(request: Request, token: TokenField) -> Response:
    _check(request, token)
    response = RedirectResponse("/", status_code=303)
    # HttpOnly: page scripts cannot read it; SameSite=Strict: other sites cannot make the browser send it.
    response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="strict", max_age=30 * 24 * 3600)
    return response


@router.get("/ingest", response_class=HTMLResponse, dependencies=[Depends(require_reader)])
async def ingest_form(request: Request) -> Response:
    return render(request, "ingest.html", {"report": None})


@router.post("/ingest", response_class=HTMLResponse)
def ingest(request: Request, token: TokenField, uploads: Annotated[list[UploadFile], File()]) -> Response:
    _check(request, token)
    report = ingest_uploads(app_state(request), uploads)
    return render(request, "ingest.html", {"report": report})
