"""The long-running processes a portal may or may not offer, named once."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Process(StrEnum):
    # The value is how a refusal names the process: "cedar does not offer refunds".
    PAYMENT_PLANS = "payment plans"
    PLAN_PAUSES = "pausing payment plans"
    REFUNDS = "refunds"
    ESTIMATE_DEPOSITS = "estimate deposits"
    SETTLEMENT_EXPORTS = "settlement exports"


class OfferCheck(BaseModel):
    model_config = ConfigDict(frozen=True)

    connection_id: str
    process: Process
