"""TOTP that accepts the 80-bit secrets authenticator apps still issue.

pyotp 2.10+ refuses secrets under 112 bits, but the classic 16-character base32 secret
(such as the documented demo secret ``JBSWY3DPEHPK3PXP``) is 80 bits and still common.
"""

from __future__ import annotations

import base64

import pyotp

MIN_SECRET_BYTES = 10


class Totp(pyotp.TOTP):
    def byte_secret(self) -> bytes:
        padded = self.secret + "=" * (-len(self.secret) % 8)
        decoded = base64.b32decode(padded, casefold=True)
        if len(decoded) < MIN_SECRET_BYTES:
            raise ValueError("TOTP secret is shorter than 80 bits")
        return decoded
