"""One-time codes: the current TOTP code for a secret, including the 80-bit secrets pyotp
2.10+ refuses, and a code as a person typed it.

Authenticator enrolments still commonly hand out 16-character base32 secrets (80 bits);
pyotp now insists on 112 bits, which would lock such patients out of automation. The
sandbox portals verify codes with the same class, as the real vendors accept such secrets.
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


def current_code(secret: str) -> str:
    try:
        code: str = Totp(secret.replace(" ", "")).now()
    except ValueError:  # binascii.Error is a ValueError too
        # The message must not echo the secret.
        raise ValueError("the TOTP secret is not valid base32 of at least 80 bits") from None
    return code


def typed_code(typed: str, digits: int) -> str | None:
    """The code as a portal's field takes it (people paste "123 456" or "123-456"); None if it
    cannot be a code of that many digits at all."""
    code = typed.strip().replace(" ", "").replace("-", "")
    return code if len(code) == digits and code.isascii() and code.isdigit() else None
