"""The ingest token: generated on first start next to the store (<db>.token, mode 0600), compared in constant time."""

from __future__ import annotations

import hmac
import ipaddress
import os
import secrets
from pathlib import Path


def token_path(db: str | Path) -> Path:
    """Where the token of a store lives: beside the database file."""
    return Path(f"{db}.token")


def ensure_token(db: str | Path) -> tuple[str, bool]:
    """The store's token, and whether it was created now (so the caller prints it once)."""
    path = token_path(db)
    try:
        return path.read_text(encoding="ascii").strip(), False
    except FileNotFoundError:
        pass
    token = secrets.token_urlsafe(32)
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_EXCL: if another process wrote the token meanwhile, read theirs instead of overwriting it.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip(), False
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(token + "\n")
    return token, True


def token_matches(expected: str, given: str | None) -> bool:
    """Whether a presented token is the expected one, without leaking where they differ."""
    if not given:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))


def bearer(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header."""
    if not authorization:
        return None
    scheme, _, value = authorization.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else None


def is_loopback(host: str | None) -> bool:
    """Whether a peer address is this machine."""
    if not host:
        return False
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"
