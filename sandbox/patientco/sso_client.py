"""The console as an OpenID Connect client of Patientco ID (Authlib's httpx OAuth2 client).

Discovery and JWKS are fetched over HTTP from the identity provider's own origin, as any
relying party would; the id_token's signature, issuer, audience, expiry and nonce are checked
by joserfc and Authlib's ``CodeIDToken`` claims.
"""

from __future__ import annotations

import secrets
import warnings
from dataclasses import dataclass
from typing import Any

import httpx
from authlib.common.security import generate_token
from authlib.deprecate import AuthlibDeprecationWarning

with warnings.catch_warnings():
    # Authlib prefers the httpx2 fork; httpx is the project's HTTP client and still supported.
    warnings.simplefilter("ignore", AuthlibDeprecationWarning)
    from authlib.integrations.httpx_client import AsyncOAuth2Client
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.jwk import KeySet

SCOPE = "openid profile email"


@dataclass(frozen=True)
class LoginStart:
    url: str
    state: str
    nonce: str
    code_verifier: str


class SignInFailed(Exception):
    """The identity provider's answer could not be turned into a verified identity."""


class OidcClient:
    def __init__(self, issuer: str, client_id: str, client_secret: str, redirect_uri: str) -> None:
        self.issuer = issuer
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uri = redirect_uri
        self._metadata: dict[str, Any] | None = None

    @classmethod
    def register(cls, issuer: str, console_url: str) -> OidcClient:
        """A client with a fresh secret, as registering the console at the IdP would issue."""
        return cls(issuer, "patientco-console", secrets.token_urlsafe(24),
                   f"{console_url}/sso/callback")  # fmt: skip

    async def metadata(self) -> dict[str, Any]:
        if self._metadata is None:
            async with httpx.AsyncClient(timeout=10.0) as http:
                response = await http.get(f"{self.issuer}/.well-known/openid-configuration")
                response.raise_for_status()
                self._metadata = response.json()
        return self._metadata

    async def start(self) -> LoginStart:
        endpoints = await self.metadata()
        state, nonce, verifier = generate_token(30), generate_token(30), generate_token(48)
        async with self._oauth() as client:
            url, _ = client.create_authorization_url(
                endpoints["authorization_endpoint"], state=state, nonce=nonce,
                code_verifier=verifier,
            )  # fmt: skip
        return LoginStart(url, state, nonce, verifier)

    async def finish(self, code: str, code_verifier: str, nonce: str) -> dict[str, Any]:
        """Exchange the code and verify the id_token; its claims, or SignInFailed."""
        endpoints = await self.metadata()
        try:
            async with self._oauth() as client:
                token = await client.fetch_token(
                    endpoints["token_endpoint"], grant_type="authorization_code", code=code,
                    code_verifier=code_verifier,
                )  # fmt: skip
                keys = (await client.get(endpoints["jwks_uri"])).json()
            decoded = jwt.decode(
                token["id_token"], KeySet.import_key_set(keys), algorithms=["RS256"]
            )
            claims = CodeIDToken(
                decoded.claims, decoded.header,
                {"iss": {"essential": True, "values": [endpoints["issuer"]]}},
                {"nonce": nonce, "client_id": self.client_id,
                 "access_token": token.get("access_token")},
            )  # fmt: skip
            claims.validate(leeway=60)
        except Exception as error:  # any failure here is a failed sign-in, never a session
            raise SignInFailed(type(error).__name__) from error
        return dict(claims)

    def logout_url(self, post_logout_redirect_uri: str) -> str:
        return str(
            httpx.URL(f"{self.issuer}/logout",
                      params={"post_logout_redirect_uri": post_logout_redirect_uri})
        )  # fmt: skip

    def _oauth(self) -> AsyncOAuth2Client:
        return AsyncOAuth2Client(
            client_id=self.client_id, client_secret=self.client_secret, scope=SCOPE,
            redirect_uri=self.redirect_uri, code_challenge_method="S256", timeout=10.0,
        )  # fmt: skip
