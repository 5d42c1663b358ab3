"""Connecting to Temporal the same way from workers, starters and tests.

Every client gets the encrypting data converter: there is no way to connect without it.
"""

from __future__ import annotations

from temporalio.client import Client
from temporalio.converter import DataConverter

from models.settings import Settings
from security.codec import encrypted_data_converter
from stores.keyring import load_keyring
from stores.secrets import open_secret_store
from workers.temporal_unreachable import TemporalUnreachable

# The SDK reports a server it cannot reach as a bare RuntimeError with this prefix (from its
# Rust core); there is no exception type to catch instead.
_CONNECT_FAILED = "Failed client connect"


def data_converter(settings: Settings) -> DataConverter:
    return encrypted_data_converter(load_keyring(open_secret_store(settings), settings.codec_keys))


async def connect(settings: Settings) -> Client:
    try:
        return await Client.connect(
            settings.temporal_address,
            namespace=settings.temporal_namespace,
            data_converter=data_converter(settings),
        )
    except RuntimeError as err:
        if not str(err).startswith(_CONNECT_FAILED):
            raise
        raise TemporalUnreachable(settings) from err
