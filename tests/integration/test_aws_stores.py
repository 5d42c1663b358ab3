"""Secrets Manager and S3 through boto3 against a local AWS-compatible endpoint over HTTP.

The endpoint is moto's server, a child process (tests/aws_endpoint.py); boto3 signs and
sends real HTTP requests to it, so what runs here is the production code path.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from models.connections import SecretRef
from models.errors import ArtifactNotFound, InvalidInput, SecretNotFound, SecretStoreUnreadable
from stores.artifacts import open_artifact_store
from stores.aws import aws_client
from stores.aws_secrets import AwsSecretsManager
from stores.connections import ConnectionRegistry
from stores.s3_artifacts import S3ArtifactStore
from stores.secrets import open_secret_store, resolve_credentials, secret_or_create
from tests.aws_endpoint import AwsEndpoint

PASSWORD = "Portal-pass-4471!"
TOTP = "JBSWY3DPEHPK3PXP"
RECEIPT = b"%PDF-1.4 receipt: Jane Q. Patient paid $10.00, confirmation CNF-1001"


def _unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def test_secrets_manager_round_trip_and_typed_errors(
    aws_endpoint: AwsEndpoint, tmp_path: Path
) -> None:
    store = open_secret_store(aws_endpoint.settings(tmp_path))
    ref = SecretRef(ref=f"aws-sm:billbridge/{_unique('c')}/password")

    with pytest.raises(SecretNotFound) as missing:
        store.get(ref)
    assert str(ref) in str(missing.value)
    store.put(ref, PASSWORD)  # creates
    store.put(ref, PASSWORD + "-2")  # a new version of the same secret
    assert store.get(ref) == PASSWORD + "-2"

    # The router keeps local: references in the local encrypted file, beside.
    local = SecretRef(ref="local:c/password")
    store.put(local, "local-only")
    assert store.get(local) == "local-only"
    client = aws_client(aws_endpoint.settings(tmp_path), "secretsmanager")
    names = [s["Name"] for s in client.list_secrets()["SecretList"]]
    assert "c/password" not in names and ref.ref.removeprefix("aws-sm:") in names


def test_secret_or_create_makes_one_value_in_secrets_manager(
    aws_endpoint: AwsEndpoint, tmp_path: Path
) -> None:
    settings = aws_endpoint.settings(tmp_path)
    ref = SecretRef(ref=f"aws-sm:billbridge/{_unique('keys')}")
    first = secret_or_create(open_secret_store(settings), ref, lambda: "first")
    # A second process that read "not found" just before the first one created the secret:
    # its CreateSecret fails, and it returns the first value instead of overwriting it.
    late = AwsSecretsManager(aws_client(settings, "secretsmanager"))
    reads: list[SecretRef] = []
    read = late.get

    def get_after_a_miss(wanted: SecretRef) -> str:
        reads.append(wanted)
        if len(reads) == 1:
            raise SecretNotFound("not there yet")
        return read(wanted)

    late.get = get_after_a_miss  # type: ignore[method-assign]
    assert late.get_or_create(ref, lambda: "second") == "first"
    assert len(reads) == 2
    assert first == "first"
    assert open_secret_store(settings).get(ref) == "first"
    assert secret_or_create(open_secret_store(settings), ref, lambda: "third") == "first"


def test_a_store_not_turned_on_is_a_configuration_error(
    aws_endpoint: AwsEndpoint, tmp_path: Path
) -> None:
    settings = aws_endpoint.settings(tmp_path)
    ref = SecretRef(ref=f"aws-sm:billbridge/{_unique('c')}/password")
    open_secret_store(settings).put(ref, PASSWORD)
    # A store that is not turned on is a configuration error, not a missing secret.
    off = open_secret_store(settings.model_copy(update={"aws_secrets_manager": False}))
    with pytest.raises(SecretStoreUnreadable, match="not configured") as caught:
        off.get(ref)
    assert PASSWORD not in str(caught.value)


def test_connections_add_stores_secrets_in_secrets_manager(
    aws_endpoint: AwsEndpoint, tmp_path: Path
) -> None:
    connection_id = _unique("sm-cedar")
    env = {
        **os.environ,
        **aws_endpoint.env(),
        "BILLBRIDGE_HOME": str(tmp_path),
        "BILLBRIDGE_PORTAL_PASSWORD": PASSWORD,
        "BILLBRIDGE_PORTAL_TOTP_SECRET": TOTP,
    }
    done = subprocess.run(
        [
            str(Path(sys.executable).parent / "billbridge"),
            *("connections", "add", connection_id, "--portal", "cedar"),
            *("--base-url", "http://127.0.0.1:1", "--username", "jane@example.com"),
            *("--with-totp", "--secret-store", "aws-sm"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert PASSWORD not in done.stdout + done.stderr

    settings = aws_endpoint.settings(tmp_path)
    connection = ConnectionRegistry(settings.connections_file).get(connection_id)
    assert connection.password_ref.ref == f"aws-sm:billbridge/{connection_id}/password"
    assert connection.totp_secret_ref is not None
    assert connection.totp_secret_ref.ref.startswith("aws-sm:")
    # In AWS, as AWS itself answers, and in neither local file.
    client = aws_client(settings, "secretsmanager")
    answer = client.get_secret_value(SecretId=f"billbridge/{connection_id}/password")
    assert answer["SecretString"] == PASSWORD
    for path in (settings.connections_file, settings.secrets_file):
        if path.exists():
            assert PASSWORD.encode() not in path.read_bytes()
            assert TOTP.encode() not in path.read_bytes()
    credentials = resolve_credentials(connection, open_secret_store(settings))
    assert credentials.password.get_secret_value() == PASSWORD
    assert credentials.totp_secret is not None
    assert credentials.totp_secret.get_secret_value() == TOTP


@pytest.fixture
def bucket(aws_endpoint: AwsEndpoint, tmp_path: Path) -> str:
    name = _unique("billbridge-artifacts")
    aws_client(aws_endpoint.settings(tmp_path), "s3").create_bucket(Bucket=name)
    return name


def test_s3_artifacts_are_server_side_encrypted(
    aws_endpoint: AwsEndpoint, tmp_path: Path, bucket: str
) -> None:
    settings = aws_endpoint.settings(tmp_path, artifacts_s3_bucket=bucket)
    store = open_artifact_store(settings, open_secret_store(settings))
    assert isinstance(store, S3ArtifactStore)

    stored = store.put("receipts/c/CNF-1001.pdf", RECEIPT, "application/pdf")

    assert stored.location == f"s3://{bucket}/receipts/c/CNF-1001.pdf"
    assert stored.sha256 == hashlib.sha256(RECEIPT).hexdigest()
    head = aws_client(settings, "s3").head_object(Bucket=bucket, Key=stored.key)
    assert head["ServerSideEncryption"] == "AES256"
    assert head["ContentType"] == "application/pdf"
    assert head["Metadata"]["sha256"] == stored.sha256
    assert store.get(stored.key) == RECEIPT
    with pytest.raises(ArtifactNotFound):
        store.get("receipts/c/none.pdf")
    with pytest.raises(ArtifactNotFound):
        store.link("receipts/c/none.pdf", timedelta(minutes=5))
    assert not settings.artifacts_root.exists()  # nothing went to the local folder


def test_s3_artifacts_can_use_a_kms_key(
    aws_endpoint: AwsEndpoint, tmp_path: Path, bucket: str
) -> None:
    settings = aws_endpoint.settings(tmp_path)
    kms_key = aws_client(settings, "kms").create_key()["KeyMetadata"]["KeyId"]
    store = S3ArtifactStore(aws_client(settings, "s3"), bucket, kms_key_id=kms_key)
    store.put("receipts/c/k.pdf", RECEIPT, "application/pdf")
    head = aws_client(settings, "s3").head_object(Bucket=bucket, Key="receipts/c/k.pdf")
    assert head["ServerSideEncryption"] == "aws:kms"
    assert kms_key in head["SSEKMSKeyId"]
    assert store.get("receipts/c/k.pdf") == RECEIPT


def test_s3_receipt_links_are_presigned_with_the_lifetime_asked(
    aws_endpoint: AwsEndpoint, tmp_path: Path, bucket: str
) -> None:
    settings = aws_endpoint.settings(tmp_path, artifacts_s3_bucket=bucket)
    store = open_artifact_store(settings, open_secret_store(settings))
    store.put("receipts/c/CNF-1002.pdf", RECEIPT, "application/pdf")

    link = store.link("receipts/c/CNF-1002.pdf", timedelta(minutes=10))

    # S3 enforces the expiry of a SigV4 presigned URL; moto does not check signatures or
    # expiry, so this asserts what S3 enforces on: the signed lifetime and signing time.
    query = parse_qs(urlsplit(link).query)
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert query["X-Amz-Expires"] == ["600"]
    signed_at = datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    assert abs((datetime.now(UTC) - signed_at).total_seconds()) < 60
    assert "X-Amz-Signature" in query
    assert httpx.get(link).content == RECEIPT
    with pytest.raises(InvalidInput):
        store.link("receipts/c/CNF-1002.pdf", timedelta(days=8))  # beyond SigV4's 7 days
