"""AES-256-GCM sealing as every BillBridge store and the payload codec do it.

A sealed blob is a fresh random 96-bit nonce followed by the ciphertext and its tag. The
nonce is the one thing that must never repeat under a key, so it is made here and nowhere
else. Callers bind their own context (key id, artifact key, connection id) as associated
data, and map ``InvalidTag`` to their own typed error.
"""

from __future__ import annotations

import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12


def seal(cipher: AESGCM, plain: bytes, associated: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + cipher.encrypt(nonce, plain, associated)


def unseal(cipher: AESGCM, sealed: bytes, associated: bytes) -> bytes:
    """The plain bytes; raises ``cryptography.exceptions.InvalidTag`` on any mismatch."""
    return cipher.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], associated)
