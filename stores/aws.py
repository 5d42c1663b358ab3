"""boto3 clients made from Settings, by the composition roots only (never at import)."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config

from models.settings import Settings

# Standard retries (throttling, 5xx) inside boto3; Temporal retries whatever still fails.
_CONFIG = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=5)


def aws_client(settings: Settings, service: str) -> Any:
    """A client for ``service``; credentials from boto3's usual chain, never from Settings."""
    config = _CONFIG
    if service == "s3":
        # SigV4 for presigned receipt links (SigV2 is deprecated); a local endpoint has no
        # per-bucket DNS names, so there buckets are addressed by path.
        style = "path" if settings.aws_endpoint_url else "auto"
        config = config.merge(Config(signature_version="s3v4", s3={"addressing_style": style}))
    return boto3.session.Session().client(
        service,
        region_name=settings.aws_region,
        endpoint_url=settings.aws_endpoint_url,
        config=config,
    )
