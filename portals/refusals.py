"""What a portal's error sentences mean, as BillBridge's typed errors.

Each vendor lists the sentences its portal is known to use (in its ``sign_in`` and
``parsing`` modules); text that matches none of them is PortalChanged, never a guess.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from models.errors import BillBridgeError, PortalChanged


class Refusal(NamedTuple):
    says: tuple[str, ...]  # lower-case words that all appear in what the portal said
    error: type[BillBridgeError]
    message: str


def refusal(said: str | list[str] | None, known: Sequence[Refusal], unknown: str) -> Exception:
    """The first known refusal the text matches, in list order; PortalChanged(unknown) if none.

    ``said`` is an alert's text or a form's list of error messages.
    """
    text = (" ".join(said) if isinstance(said, list) else said or "").lower()
    for entry in known:
        if all(words in text for words in entry.says):
            return entry.error(entry.message)
    return PortalChanged(unknown)
