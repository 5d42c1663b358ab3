"""What a command group gives the ``billbridge`` parser: its subcommands, each with a handler.

Every group module has ``register(commands)``, which adds its parsers and binds each
runnable one to its handler with ``set_defaults(handler=...)``; ``app.main`` runs whichever
handler the parsed arguments carry, so adding a command touches no dispatch code.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Awaitable, Callable
from typing import TypeAlias

from models.connections import CONNECTION_ID_PATTERN
from models.errors import InvalidInput
from models.settings import Settings

# An exit status: 0 done, 1 failed (a server, a portal, a check), 2 refused input.
Handler: TypeAlias = Callable[[argparse.Namespace, Settings], Awaitable[int]]
Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"

# Keys the parser sets for the process itself: never command input to check or echo.
DISPATCH_KEYS = frozenset({"handler", "log_level"})


def require_connection_id(value: str) -> None:
    """Refuse what cannot name a connection before a server is dialed; never echoes it."""
    if not re.fullmatch(CONNECTION_ID_PATTERN, value):
        raise InvalidInput(
            "a connection id is 1 to 64 letters, digits and _ . - (billbridge connections list)"
        )
