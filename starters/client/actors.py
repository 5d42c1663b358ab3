"""Who is asking: the actor the CLI and the Python client put on their requests."""

from __future__ import annotations

import getpass
import os

from models.audit import Actor, ActorKind


def operator_actor(name: str | None = None) -> Actor:
    """``name`` (``Settings.operator``, from BILLBRIDGE_OPERATOR: a shared host, a service
    account) when given, else the OS user."""
    name = (name or "").strip()
    if not name:
        try:
            name = getpass.getuser()
        except (OSError, KeyError):  # no login name in this environment (some containers)
            name = f"uid-{os.getuid()}"
    return Actor(kind=ActorKind.OPERATOR, id=name)
