"""Artifacts in S3, encrypted at rest by S3 itself (server-side encryption on every put).

With a KMS key id the objects use SSE-KMS (the key's policy and CloudTrail then govern and
record every read); without one, S3-managed keys (SSE-S3, AES256). The bucket policy should
also deny unencrypted puts, so no other writer can bypass this.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from botocore.exceptions import ClientError

from models.errors import ArtifactNotFound
from models.payments import StoredArtifact
from stores.artifact_links import check_ttl

_MISSING = {"NoSuchKey", "404", "NotFound"}


class S3ArtifactStore:
    def __init__(self, client: Any, bucket: str, *, kms_key_id: str | None = None) -> None:
        self._client = client
        self._bucket = bucket
        self._encryption: dict[str, str] = (
            {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": kms_key_id}
            if kms_key_id
            else {"ServerSideEncryption": "AES256"}
        )

    def put(self, key: str, content: bytes, content_type: str) -> StoredArtifact:
        digest = hashlib.sha256(content).hexdigest()
        # Same key, same bytes: a retried activity rewrites an identical object, harmlessly.
        self._client.put_object(
            Bucket=self._bucket,
            Key=key,
            Body=content,
            ContentType=content_type,
            Metadata={"sha256": digest},
            **self._encryption,
        )
        return StoredArtifact(
            key=key,
            location=f"s3://{self._bucket}/{key}",
            sha256=digest,
            size_bytes=len(content),
            content_type=content_type,
        )

    def get(self, key: str) -> bytes:
        try:
            response = self._client.get_object(Bucket=self._bucket, Key=key)
        except ClientError as err:
            raise _missing_or(err, key) from None
        content: bytes = response["Body"].read()
        return content

    def link(self, key: str, ttl: timedelta) -> str:
        """A presigned GET that S3 itself refuses after ``ttl``."""
        seconds = check_ttl(ttl)
        try:
            self._client.head_object(Bucket=self._bucket, Key=key)
        except ClientError as err:
            raise _missing_or(err, key) from None
        url: str = self._client.generate_presigned_url(
            "get_object", Params={"Bucket": self._bucket, "Key": key}, ExpiresIn=seconds
        )
        return url


def _missing_or(err: ClientError, key: str) -> Exception:
    if err.response.get("Error", {}).get("Code") in _MISSING:
        return ArtifactNotFound(f"no artifact stored under {key}")
    unchanged: Exception = err
    return unchanged
