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


def data_converter(settings: Settings) -> DataConverter:
    return encrypted_data_converter(load_keyring(open_secret_store(settings), settings.codec_keys))


async def connect(settings: Settings) -> Client:
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=data_converter(settings),
    )
