"""Portal pages for activities: a fresh browser context per attempt, restored or new.

Business activities never sign in themselves: they restore the encrypted browser state the
connection's session workflow produced. Only the session activities sign in.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from playwright.async_api import BrowserContext, Page
from temporalio import activity

from activities.failure_trace import (
    merged,
    snapshot_with_screenshot,
    start_use_trace,
    stop_use_trace,
)
from models.connection_session import SessionLease
from models.connections import Credentials
from models.errors import PortalChanged
from models.failure_evidence import FailureEvidence
from portals import adapter_class
from portals.base import PortalAdapter
from portals.browser import BrowserPool
from security.redaction import redactor
from stores.artifacts import ArtifactStore
from stores.connections import ConnectionRegistry
from stores.secrets import SecretStore, resolve_credentials
from stores.session_store import SessionStateStore

logger = logging.getLogger(__name__)


@dataclass
class PortalPage:
    adapter: PortalAdapter
    context: BrowserContext
    _browsers: BrowserPool
    _connection_id: str

    def keep_signed_in(self, state_id: str) -> None:
        """This context now holds the sealed state ``state_id`` (a sign-in just saved it):
        the first signed-in step on that state reuses it instead of restoring it."""
        self._browsers.shelve_as(self.context, _reuse_key(self._connection_id, state_id))


class PortalSessions:
    def __init__(
        self,
        browsers: BrowserPool,
        connections: ConnectionRegistry,
        secrets: SecretStore,
        artifacts: ArtifactStore,
        states: SessionStateStore,
    ) -> None:
        self._browsers = browsers
        self._connections = connections
        self._secrets = secrets
        self._artifacts = artifacts
        self.states = states

    def credentials(self, connection_id: str) -> Credentials:
        credentials = resolve_credentials(self._connections.get(connection_id), self._secrets)
        # Should a portal or a library ever echo one of them, the log shows a label instead.
        redactor.remember(credentials.username, kind="username")
        redactor.remember(credentials.password.get_secret_value(), kind="secret")
        if credentials.totp_secret is not None:
            redactor.remember(credentials.totp_secret.get_secret_value(), kind="secret")
        return credentials

    @asynccontextmanager
    async def portal(
        self, connection_id: str, state_id: str | None = None, *, reuse: bool = False
    ) -> AsyncIterator[PortalPage]:
        """A page on the connection's portal, with saved browser state restored if given.

        ``reuse``: the context may come from (and go back to) the pool's idle contexts of
        this connection and state, instead of restoring the state again."""
        connection = self._connections.get(connection_id)
        key = _reuse_key(connection_id, state_id) if reuse and state_id else None
        state = self.states.load(connection_id, state_id) if state_id else None
        async with self._browsers.context(state, key=key) as context:
            # The actions, network and console of every use; the DOM only of the page a
            # PortalChanged left (activities/failure_trace.py). Started per use, so a
            # recycled context is traced like a fresh one.
            await start_use_trace(context)
            # A recycled context brings the page its last use left on about:blank: no new
            # renderer to start (portals/browser.py). Locator handlers it has stay registered
            # once (portals/consent_banners.py).
            page = context.pages[0] if context.pages else await context.new_page()
            adapter = adapter_class(connection.portal)(page, connection.base_url)
            try:
                yield PortalPage(adapter, context, self._browsers, connection_id)
            except PortalChanged as err:
                # A changed portal fails loudly, with what the browser saw for a human to read.
                screenshot_key, trace_key = await self._keep_evidence(context, page)
                evidence = FailureEvidence(screenshot_key=screenshot_key, trace_key=trace_key)
                raise PortalChanged(err.message, evidence.as_details()) from err
            finally:
                await _discard_trace(context)

    @asynccontextmanager
    async def signed_in(self, lease: SessionLease) -> AsyncIterator[PortalAdapter]:
        """The adapter on a restored, signed-in page; SessionExpired if the portal disagrees."""
        # Signed-in business steps only: a sign-in changes the state it started from.
        async with self.portal(lease.connection_id, lease.state_id, reuse=True) as portal:
            yield portal.adapter

    async def _keep_evidence(
        self, context: BrowserContext, page: Page
    ) -> tuple[str | None, str | None]:
        """The screenshot's and the trace's artifact keys; either may be missing (the page or
        the browser may be gone: the original error matters more)."""
        use: bytes | None = None
        image = failure = None
        try:
            use = await stop_use_trace(context)
            image, failure = await snapshot_with_screenshot(context, page)
        except Exception as error:
            # The type only: a browser's message can quote the page.
            logger.warning("could not keep all failure evidence (%s)", type(error).__name__)
        if image is None:
            image = await _plain_screenshot(page)
        trace = merged(use, failure)
        screenshot_key = (
            self._artifacts.put(_failure_key("png"), image, "image/png").key if image else None
        )
        # The zip holds page snapshots (patient data): only ever stored sealed, like receipts.
        trace_key = (
            self._artifacts.put(_failure_key("trace.zip"), trace, "application/zip").key
            if trace
            else None
        )
        return screenshot_key, trace_key


async def _plain_screenshot(page: Page) -> bytes | None:
    try:
        return await page.screenshot(full_page=True)
    except Exception as error:
        logger.warning("could not take a failure screenshot (%s)", type(error).__name__)
        return None


def _reuse_key(connection_id: str, state_id: str) -> str:
    return f"{connection_id}/{state_id}"


def _failure_key(suffix: str) -> str:
    info = activity.info()
    return f"failures/{info.workflow_id}/{info.activity_id}-{info.attempt}.{suffix}"


async def _discard_trace(context: BrowserContext) -> None:
    """Stop a trace nobody needs (a no-op once it was kept); the context may be gone."""
    try:
        await context.tracing.stop()
    except Exception as error:
        logger.debug("trace not stopped (%s)", type(error).__name__)
