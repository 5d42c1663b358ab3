"""Client references: the mark we write into a portal's memo field to find a payment again."""

from __future__ import annotations

import hashlib


def client_reference(workflow_id: str) -> str:
    """Stable per workflow id, short enough for memo fields, and free of caller data.

    Hashing keeps the caller's idempotency key (which may say anything) out of the portal.
    """
    return "BB-" + hashlib.sha256(workflow_id.encode()).hexdigest()[:16].upper()
