"""The API as a caller meets it: `billbridge api` as its own process on a free port, real
HTTP, keys made by `billbridge api-keys`, a real Temporal dev server, SQLite or PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from starters.local.stack import TemporalDevServer
from tests.api_server import ApiProcess, start_api
from tests.postgres_server import PostgresServer


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = PostgresServer()
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def temporal_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TemporalDevServer]:
    server = TemporalDevServer(tmp_path_factory.mktemp("temporal") / "temporal.log", ui=False)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'read_model.db'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.new_database()


@pytest.fixture
def api_factory(tmp_path: Path) -> Iterator[Callable[[dict[str, str]], ApiProcess]]:
    started: list[ApiProcess] = []

    def start(env: dict[str, str]) -> ApiProcess:
        api = start_api(tmp_path / f"home{len(started)}", env)
        started.append(api)
        return api

    yield start
    for api in started:
        api.process.stop()
