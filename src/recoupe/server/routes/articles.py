"""Articles with their quotes, mentions and entities, as JSON."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from recoupe.server import views
from recoupe.server.deps import READER, State
from recoupe.server.schemas import ERRORS, ArticleOut

router = APIRouter(prefix="/api", dependencies=[READER], responses=ERRORS)


@router.get(
    "/articles/{article_id}", summary="An article with its quotes, mentions and entities", response_model=ArticleOut
)
async def get_article(state: State, article_id: str) -> dict[str, Any]:
    with state.reading() as store:
        return views.article_json(views.article(store, article_id))
