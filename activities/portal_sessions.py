"""Signed-in portal pages for activities: one fresh browser context per activity attempt."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from playwright.async_api import Page
from temporalio import activity

from activities.artifacts import ArtifactStore
from activities.browser import BrowserPool
from activities.connections import ConnectionRegistry
from activities.portals import adapter_class
from activities.portals.base import PortalAdapter
from activities.secrets import SecretStore, resolve_credentials
from models.errors import PortalChanged

logger = logging.getLogger(__name__)


class PortalSessions:
    def __init__(
        self,
        browsers: BrowserPool,
        connections: ConnectionRegistry,
        secrets: SecretStore,
        artifacts: ArtifactStore,
    ) -> None:
        self._browsers = browsers
        self._connections = connections
        self._secrets = secrets
        self._artifacts = artifacts

    @asynccontextmanager
    async def signed_in(self, connection_id: str) -> AsyncIterator[PortalAdapter]:
        connection = self._connections.get(connection_id)
        credentials = resolve_credentials(connection, self._secrets)
        async with self._browsers.context() as context:
            page = await context.new_page()
            adapter = adapter_class(connection.portal)(page, connection.base_url)
            try:
                await adapter.login(credentials)
                yield adapter
            except PortalChanged as err:
                # A changed portal fails loudly, with what the browser saw for a human to read.
                screenshot = await self._keep_screenshot(page)
                raise PortalChanged(err.message, {"screenshot": screenshot}) from err

    async def _keep_screenshot(self, page: Page) -> str | None:
        try:
            image = await page.screenshot(full_page=True)
        except Exception:  # the page may be gone; the original error matters more
            logger.warning("could not take a failure screenshot", exc_info=True)
            return None
        info = activity.info()
        key = f"failures/{info.workflow_id}/{info.activity_id}-{info.attempt}.png"
        return self._artifacts.put(key, image, "image/png").key
