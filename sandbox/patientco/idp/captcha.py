"""The "captcha" structural fault on Patientco ID's sign-in page (``sandbox.common.layout``).

A real CAPTCHA: "I'm not a robot" and distorted characters to type, which only a person
reads off the image. The sign-in is refused ("Please complete the CAPTCHA.") until both
are answered, before the password is even looked at, as real identity providers do.
"""

from __future__ import annotations

import hashlib
from base64 import b64encode

from sandbox.common.layout import Layout, StructuralFault

REFUSED = "Please complete the CAPTCHA to continue."
_ALPHABET = "ACDEFHJKMNPRTUVWXY34679"  # no look-alikes (0/O, 1/I, 5/S)
_LENGTH = 6


def required(layout: Layout | None) -> bool:
    return layout is not None and layout.has(StructuralFault.CAPTCHA)


def characters(request_id: str) -> str:
    """The characters this sign-in request's image shows (stable per request)."""
    digest = hashlib.sha256(f"captcha:{request_id}".encode()).digest()
    return "".join(_ALPHABET[byte % len(_ALPHABET)] for byte in digest[:_LENGTH])


def image(request_id: str) -> str:
    """The challenge as an SVG data URI: each character tilted and offset."""
    glyphs = "".join(
        f'<text x="{14 + 26 * i}" y="{36 + (i % 3) * 4}" transform="rotate({(-1) ** i * 12} '
        f'{14 + 26 * i} 32)">{char}</text>'
        for i, char in enumerate(characters(request_id))
    )
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="180" height="56">'
        '<rect width="180" height="56" fill="#eceff3"/>'
        '<path d="M0 30 C40 10 80 50 180 20" stroke="#8a94a6" fill="none"/>'
        f'<g font-family="monospace" font-size="26" fill="#3b4252">{glyphs}</g></svg>'
    )
    return "data:image/svg+xml;base64," + b64encode(svg.encode()).decode()


def solved(request_id: str, confirmed: str, answer: str) -> bool:
    return confirmed == "yes" and answer.strip().upper() == characters(request_id)
