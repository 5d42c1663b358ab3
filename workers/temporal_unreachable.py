"""The error for a Temporal server that did not answer, apart from the client that raises it.

In a module of its own so the CLI can recognise it without importing the Temporal client,
the codec and the stores at start-up (``starters/cli/failures.py``).
"""

from __future__ import annotations

from models.settings import Settings


class TemporalUnreachable(ConnectionError):
    """No Temporal server answered at the configured address."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(f"no Temporal server answered at {settings.temporal_address}")
        self.address = settings.temporal_address
        self.namespace = settings.temporal_namespace
        self.address_given = settings.temporal_address_given
