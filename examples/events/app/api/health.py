"""Probes for orchestrators: `live` restarts a stuck process, `ready` holds traffic back while
the database cannot be reached."""

import asyncio
import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Response, status
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from app.core.config import get_settings
from app.core.database import check_connection, get_probe_engine

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
async def ready(
    engine: Annotated[AsyncEngine, Depends(get_probe_engine)], response: Response
) -> dict[str, str]:
    """The database answers a new connection's round trip within `HEALTH_TIMEOUT_SECONDS`."""
    try:
        async with asyncio.timeout(get_settings().health_timeout_seconds):
            await check_connection(engine)
    except (OSError, SQLAlchemyError, TimeoutError) as exc:
        logger.warning("not ready: %s", exc.__class__.__name__)
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
        return {"status": "unavailable"}
    return {"status": "ok"}
