"""Probes for orchestrators: `live` restarts a stuck process, `ready` holds traffic back while
the database cannot be reached."""

import asyncio
import logging

from fastapi import APIRouter, Response, status
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.api.deps import SessionDep
from app.core.config import get_settings

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/health", tags=["health"])


@router.get("/live")
async def live() -> dict[str, str]:
    """The process serves requests (the database is not asked)."""
    return {"status": "ok"}


@router.get(
    "/ready",
    responses={503: {"description": "The database did not answer in time"}},
)
async def ready(db: SessionDep, response: Response) -> dict[str, str]:
    """The database answers one round trip within `HEALTH_TIMEOUT_SECONDS`."""
    try:
        async with asyncio.timeout(get_settings().health_timeout_seconds):
            await db.execute(text("SELECT 1"))
    except (OSError, SQLAlchemyError, TimeoutError) as exc:
        logger.warning("not ready: %s", exc.__class__.__name__)
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
        return {"status": "unavailable"}
    return {"status": "ok"}
