"""``GET /health``: is Temporal reachable, is the database ready. No key needed.

It answers 200 with ``status: degraded`` when a dependency is down, so a caller reads why
from the body; the addresses stay in the server's log, not in this public answer.
"""

from __future__ import annotations

import asyncio
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel

from starters.api.dependencies import Services

router = APIRouter(tags=["health"])


class DependencyHealth(BaseModel):
    reachable: bool


class HealthReport(BaseModel):
    status: Literal["ok", "degraded"]
    temporal: DependencyHealth
    database: DependencyHealth


@router.get("/health", response_model=HealthReport, summary="Temporal and database reachability")
async def health(services: Services) -> HealthReport:
    temporal, database = await asyncio.gather(
        services.temporal.reachable(services.settings.api_health_timeout_seconds),
        asyncio.to_thread(services.database_ready),
    )
    return HealthReport(
        status="ok" if temporal and database else "degraded",
        temporal=DependencyHealth(reachable=temporal),
        database=DependencyHealth(reachable=database),
    )
