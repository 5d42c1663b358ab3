"""Expiring links to local artifacts: an HMAC over the key and the expiry time.

Whoever holds a link can fetch that one artifact until it expires; changing the key or the
expiry breaks the signature. The signing key lives in the secret store
(``local:billbridge/receipt-link-key``), shared by the process that makes links (worker,
CLI) and the one that serves them (starters/servers/receipt_links.py in the codec server).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable
from datetime import timedelta
from urllib.parse import quote, urlencode

from models.errors import InvalidInput

# S3's presigned URLs (SigV4) cannot live longer; local links keep the same ceiling.
MAX_LINK_TTL = timedelta(days=7)
LINK_PATH = "/artifacts/"


def check_ttl(ttl: timedelta) -> int:
    seconds = int(ttl.total_seconds())
    if not 0 < seconds <= MAX_LINK_TTL.total_seconds():
        raise InvalidInput(f"a link lives between 1 second and {MAX_LINK_TTL.days} days")
    return seconds


class ReceiptLinks:
    def __init__(
        self, signing_key: bytes, base_url: str = "", clock: Callable[[], float] = time.time
    ) -> None:
        if len(signing_key) < 32:
            raise ValueError("the link signing key must be at least 32 bytes")
        self._key = signing_key
        self._base_url = base_url.rstrip("/")
        self._clock = clock

    def _signature(self, key: str, expires: int) -> str:
        message = f"GET\n{LINK_PATH}{key}\n{expires}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def link(self, key: str, ttl: timedelta) -> str:
        expires = int(self._clock()) + check_ttl(ttl)
        query = urlencode({"expires": expires, "signature": self._signature(key, expires)})
        return f"{self._base_url}{LINK_PATH}{quote(key, safe='/')}?{query}"

    def verify(self, key: str, expires: int, signature: str) -> bool:
        """True for an unexpired link this key signed; the comparison takes constant time."""
        if not hmac.compare_digest(self._signature(key, expires), signature):
            return False
        return self._clock() < expires
