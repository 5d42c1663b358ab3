"""AWS Secrets Manager behind the SecretStore interface: ``aws-sm:<secret name>`` references.

The boto3 client is made by the composition root (``open_secret_store``) and injected.
Errors name the reference and AWS's error code, never a value: boto3 does not echo a
SecretString in its exceptions, and nothing here adds it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from models.connections import SecretRef
from models.errors import SecretNotFound, SecretStoreUnreadable

# Errors that mean "this process may not read the store", not "try again later".
_DENIED = {"AccessDeniedException", "UnrecognizedClientException", "InvalidSignatureException"}


class AwsSecretsManager:
    scheme = "aws-sm"

    def __init__(self, client: Any) -> None:
        self._client = client

    def _name(self, ref: SecretRef) -> str:
        scheme, _, name = ref.ref.partition(":")
        if scheme != self.scheme:
            raise SecretStoreUnreadable(f"secret store '{scheme}' is not configured")
        return name

    def get(self, ref: SecretRef) -> str:
        try:
            response = self._client.get_secret_value(SecretId=self._name(ref))
        except ClientError as err:
            raise _typed(err, ref) from None
        value: str = response["SecretString"]
        return value

    def put(self, ref: SecretRef, value: str) -> None:
        name = self._name(ref)
        try:
            self._client.put_secret_value(SecretId=name, SecretString=value)
            return
        except ClientError as err:
            if _code(err) != "ResourceNotFoundException":
                raise _typed(err, ref) from None
        try:
            self._client.create_secret(Name=name, SecretString=value)
        except ClientError as err:
            if _code(err) != "ResourceExistsException":
                raise _typed(err, ref) from None
            # Someone created it between our two calls; ours is the newer value.
            self._client.put_secret_value(SecretId=name, SecretString=value)

    def get_or_create(self, ref: SecretRef, make: Callable[[], str]) -> str:
        """CreateSecret is atomic: of two processes racing, the loser reads the winner's."""
        try:
            return self.get(ref)
        except SecretNotFound:
            pass
        try:
            self._client.create_secret(Name=self._name(ref), SecretString=make())
        except ClientError as err:
            if _code(err) != "ResourceExistsException":
                raise _typed(err, ref) from None
        return self.get(ref)


def _code(err: ClientError) -> str:
    code: str = err.response.get("Error", {}).get("Code", "")
    return code


def _typed(err: ClientError, ref: SecretRef) -> Exception:
    code = _code(err)
    if code == "ResourceNotFoundException":
        return SecretNotFound(f"no secret stored under {ref}")
    if code in _DENIED:
        return SecretStoreUnreadable(f"AWS Secrets Manager refused {ref}: {code}")
    # Throttling, 5xx, a marked-for-deletion secret: the activity's retry policy decides.
    unchanged: Exception = err
    return unchanged
