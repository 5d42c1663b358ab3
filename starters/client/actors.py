"""Who is asking: the actor the CLI and the Python client put on their requests."""

from __future__ import annotations

import getpass
import os

from models.audit import Actor, ActorKind


def operator_actor() -> Actor:
    """``BILLBRIDGE_OPERATOR`` when set (a shared host, a service account), else the OS user."""
    name = os.environ.get("BILLBRIDGE_OPERATOR", "").strip()
    if not name:
        try:
            name = getpass.getuser()
        except (OSError, KeyError):  # no login name in this environment (some containers)
            name = f"uid-{os.getuid()}"
    return Actor(kind=ActorKind.OPERATOR, id=name)
