"""The API's request handling, in process: one problem shape, request ids, card numbers
refused, crashes answered without a trace, request logs redacted and carrying the id."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from models import errors
from models.api_keys import Scope
from models.settings import Settings
from starters.api.app import create_app
from starters.api.error_codes import status_and_code
from stores.read_model.api_keys import ApiKeys
from stores.read_model.database import open_engine

CARD = "4242 4242 4242 4242"
PROBLEM_FIELDS = {"type", "title", "status", "detail", "code", "request_id"}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # Port 9 (discard) on loopback: nothing answers, so Temporal is unreachable at once.
    return Settings(home=tmp_path, temporal_address="127.0.0.1:9", api_health_timeout_seconds=2)


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    app = create_app(settings)

    @app.get("/test-crash")
    async def crash() -> None:
        raise RuntimeError(f"boom with {CARD} and secret sauce")

    @app.get("/test-typed/{name}")
    async def typed(name: str) -> None:
        raise getattr(errors, name)("the portal said no")

    return app


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def admin_key(settings: Settings, client: TestClient) -> str:
    engine = open_engine(settings.read_model_url)
    try:
        return ApiKeys(engine).create("acme", "ops", [Scope.ADMIN]).key.get_secret_value()
    finally:
        engine.dispose()


def _is_problem(response: object, status: int, code: str) -> dict[str, object]:
    from httpx import Response

    assert isinstance(response, Response)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert set(body) >= PROBLEM_FIELDS
    assert (body["status"], body["code"]) == (status, code)
    assert body["type"] == f"urn:billbridge:problem:{code}"
    assert body["request_id"] == response.headers["request-id"]
    return dict(body)


def test_unknown_route_and_method_are_problems(client: TestClient) -> None:
    _is_problem(client.get("/no-such-thing"), 404, "not_found")
    _is_problem(client.put("/health"), 405, "method_not_allowed")


def test_missing_and_wrong_keys_are_401_with_a_bearer_challenge(client: TestClient) -> None:
    missing = client.get("/api-keys")
    _is_problem(missing, 401, "unauthorized")
    assert missing.headers["www-authenticate"].startswith("Bearer")
    wrong = client.get("/api-keys", headers={"Authorization": "Bearer bbk_abc_def"})
    assert "bbk_abc_def" not in wrong.text
    _is_problem(wrong, 401, "unauthorized")


def test_validation_errors_name_the_field_never_the_value(
    client: TestClient, admin_key: str
) -> None:
    headers = {"Authorization": f"Bearer {admin_key}"}
    body = _is_problem(
        client.get("/api-keys", params={"limit": "lots-of-them"}, headers=headers),
        422,
        "invalid_request",
    )
    assert body["errors"] == [{"location": "query.limit", "message": body["errors"][0]["message"]}]  # type: ignore[index]
    assert "lots-of-them" not in str(body)
    created = client.post(
        "/api-keys", json={"name": "Jane Doe", "scopes": ["read"]}, headers=headers
    )
    assert "Jane Doe" not in created.text
    _is_problem(created, 422, "invalid_request")


@pytest.mark.parametrize(
    ("where", "request_kwargs"),
    [
        ("query", {"params": {"limit": CARD}}),
        ("body", {"json": {"name": "svc", "scopes": ["read"], "note": {"deep": [CARD]}}}),
        ("header", {"headers": {"X-Memo": CARD.replace(" ", "-")}}),
    ],
)
def test_a_card_number_anywhere_is_refused_and_never_echoed(
    client: TestClient, where: str, request_kwargs: dict[str, object]
) -> None:
    method = "POST" if "json" in request_kwargs else "GET"
    response = client.request(method, "/api-keys", **request_kwargs)  # type: ignore[arg-type]
    body = _is_problem(response, 422, "card_number_refused")
    assert "4242" not in str(body) and "tokeniz" in str(body["detail"])


def test_a_crash_is_a_500_problem_without_a_trace_and_logged_redacted(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="billbridge.api"):
        response = client.get("/test-crash")
    body = _is_problem(response, 500, "internal_error")
    assert "boom" not in response.text and "Traceback" not in response.text
    request_id = str(body["request_id"])
    logged = caplog.text
    assert f"request {request_id} crashed" in logged and "RuntimeError" in logged
    assert "GET /test-crash -> 500" in logged and f"request_id={request_id}" in logged
    assert "4242 4242" not in logged


def test_the_callers_request_id_is_kept_when_opaque_and_replaced_otherwise(
    client: TestClient,
) -> None:
    kept = client.get("/nowhere", headers={"X-Request-Id": "trace-0123456789"})
    assert kept.headers["request-id"] == "trace-0123456789"
    replaced = client.get("/nowhere", headers={"Request-Id": "Jane Doe's call"})
    assert replaced.headers["request-id"].startswith("req_")
    assert client.get("/nowhere").headers["request-id"] != client.get("/x").headers["request-id"]


@pytest.mark.parametrize(
    ("name", "status", "code"),
    [
        ("CardNumberRefused", 422, "card_number_refused"),
        ("IdempotencyConflict", 422, "idempotency_conflict"),
        ("InvalidInput", 422, "invalid_request"),
        ("InvalidAmount", 422, "invalid_amount"),
        ("ConnectionNotFound", 404, "not_found"),
        ("BadCredentials", 422, "invalid_credentials"),
        ("LoginRequired", 409, "login_required"),
        ("PaymentDeclined", 402, "payment_declined"),
        ("InsufficientFunds", 402, "insufficient_funds"),
        ("PortalChanged", 502, "portal_changed"),
        ("SessionExpired", 503, "session_expired"),
        ("MfaRejected", 422, "mfa_rejected"),
    ],
)
def test_billbridge_errors_become_typed_problems(
    client: TestClient, name: str, status: int, code: str
) -> None:
    body = _is_problem(client.get(f"/test-typed/{name}"), status, code)
    assert body["detail"] == "the portal said no"


def test_every_billbridge_error_type_has_a_status_and_code() -> None:
    for _, klass in inspect.getmembers(errors, inspect.isclass):
        if issubclass(klass, errors.BillBridgeError):
            status, code = status_and_code(klass("x"))
            assert 400 <= status < 600 and code.islower() and code != "internal_error", klass


def test_health_reports_an_unreachable_temporal_and_a_ready_database(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "temporal": {"reachable": False},
        "database": {"reachable": True},
    }


def test_the_document_declares_errors_as_problem_details(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    declared = 0
    for operations in document["paths"].values():
        for operation in operations.values():
            for status, response in operation["responses"].items():
                if status[0] in "45":
                    assert list(response["content"]) == ["application/problem+json"], status
                    declared += 1
    assert declared >= 10
    # FastAPI's own validation schema is not what a 422 sends (this test's routes aside).
    real = {path: ops for path, ops in document["paths"].items() if not path.startswith("/test-")}
    assert "HTTPValidationError" not in str(real)
