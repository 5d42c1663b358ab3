"""Refusing a process the connection's portal does not offer, before any browser work."""

from __future__ import annotations

from temporalio import activity

from models.errors import NotOffered
from models.offerings import OfferCheck
from portals.offerings import offered_by, offers
from stores.connections import ConnectionRegistry


class OfferingActivities:
    def __init__(self, connections: ConnectionRegistry) -> None:
        self._connections = connections

    @activity.defn
    async def check_offered(self, check: OfferCheck) -> None:
        portal = self._connections.get(check.connection_id).portal
        if not offers(portal, check.process):
            others = ", ".join(offered_by(check.process)) or "no portal yet"
            raise NotOffered(
                f"{portal} does not offer {check.process} (offered on: {others}); "
                f"connection {check.connection_id}"
            )
