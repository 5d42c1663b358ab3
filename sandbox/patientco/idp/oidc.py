"""The identity provider's OAuth 2.0 / OpenID Connect machinery, built on Authlib.

Authlib ships server integrations for Flask and Django only, so this module gives its generic
``AuthorizationServer`` what a framework integration gives it: requests built from Starlette's
(query and form read up front, since Authlib is synchronous) and Starlette responses. The
grant is Authlib's authorization-code grant with its OpenID Connect extension (id_token signed
RS256 with a key generated when the process starts) and PKCE.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from authlib.oauth2.rfc6749 import AuthorizationServer, ClientMixin, OAuth2Request
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant
from authlib.oauth2.rfc6749.requests import OAuth2Payload
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from joserfc.jwk import RSAKey
from starlette.datastructures import FormData, Headers, QueryParams
from starlette.responses import JSONResponse, Response

SCOPES = ("openid", "profile", "email")
ACCESS_TOKEN_SECONDS = 3600
CODE_SECONDS = 300


@dataclass(frozen=True)
class RegisteredClient(ClientMixin):  # type: ignore[misc]
    """The console, registered with the identity provider when the process starts."""

    client_id: str
    client_secret: str
    redirect_uri: str
    post_logout_redirect_uri: str

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_allowed_scope(self, scope: str) -> str:
        return " ".join(s for s in (scope or "").split() if s in SCOPES)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri == self.redirect_uri

    def check_client_secret(self, client_secret: str) -> bool:
        return secrets.compare_digest(client_secret.encode(), self.client_secret.encode())

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass(frozen=True)
class StoredCode:
    """An issued authorization code, as Authlib's AuthorizationCodeMixin wants to read it."""

    row: sqlite3.Row

    def get_redirect_uri(self) -> str:
        return str(self.row["redirect_uri"])

    def get_scope(self) -> str:
        return str(self.row["scope"])

    def get_nonce(self) -> str | None:
        nonce: str | None = self.row["nonce"]
        return nonce

    def get_auth_time(self) -> int:
        return int(self.row["auth_time"])

    def get_acr(self) -> str | None:
        return None

    def get_amr(self) -> list[str]:
        return ["pwd", "mfa"]

    @property
    def code_challenge(self) -> str | None:
        challenge: str | None = self.row["code_challenge"]
        return challenge

    @property
    def code_challenge_method(self) -> str | None:
        method: str | None = self.row["code_challenge_method"]
        return method


@dataclass(frozen=True)
class StaffMember:
    """The signed-in person Authlib hands back to the grant (``request.user``)."""

    username: str
    full_name: str
    email: str
    auth_time: int


class _Payload(OAuth2Payload):  # type: ignore[misc]
    def __init__(self, values: list[tuple[str, str]]) -> None:
        self._datalist: defaultdict[str, list[str]] = defaultdict(list)
        for key, value in values:
            self._datalist[key].append(value)
        self._data = {key: found[0] for key, found in self._datalist.items()}

    @property
    def data(self) -> dict[str, str]:
        return self._data

    @property
    def datalist(self) -> defaultdict[str, list[str]]:
        return self._datalist


class StarletteOAuth2Request(OAuth2Request):  # type: ignore[misc]
    def __init__(self, method: str, url: str, headers: Headers, query: QueryParams,
                 form: FormData | None) -> None:  # fmt: skip
        super().__init__(method=method, uri=url, headers=headers)
        form_items = [(k, v) for k, v in (form.multi_items() if form else []) if isinstance(v, str)]
        self._args = dict(query)
        self._form = dict(form_items)
        self.payload = _Payload([*query.multi_items(), *form_items])

    @property
    def args(self) -> dict[str, str]:
        return self._args

    @property
    def form(self) -> dict[str, str]:
        return self._form


@dataclass
class IdentityProvider:
    """One issuer: its signing key (new each start), its one client, Authlib's server."""

    issuer: str
    client: RegisteredClient
    db: sqlite3.Connection
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, private=True))
    server: AuthorizationServer = field(init=False)

    def __post_init__(self) -> None:
        self.key_id = f"pcoid-{secrets.token_hex(4)}"
        self.server = _Server(self)

    def jwks(self) -> dict[str, Any]:
        public = self.key.as_dict(private=False)
        return {"keys": [{**public, "kid": self.key_id, "use": "sig", "alg": "RS256"}]}

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "end_session_endpoint": f"{self.issuer}/logout",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": list(SCOPES),
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": ["sub", "name", "email", "preferred_username", "auth_time"],
        }

    def user_info(self, access_token: str) -> dict[str, Any] | None:
        row = self.db.execute(
            "SELECT t.*, s.full_name, s.email FROM access_tokens t "
            "JOIN staff s ON s.username = t.username WHERE t.access_token = ?",
            (access_token,),
        ).fetchone()
        if row is None or time.time() > row["issued_at"] + row["expires_in"]:
            return None
        return {"sub": row["username"], "preferred_username": row["username"],
                "name": row["full_name"], "email": row["email"]}  # fmt: skip


class _Server(AuthorizationServer):  # type: ignore[misc]
    def __init__(self, provider: IdentityProvider) -> None:
        super().__init__(scopes_supported=list(SCOPES))
        self.provider = provider
        self.register_token_generator(
            "default",
            BearerTokenGenerator(lambda *_args, **_kw: secrets.token_urlsafe(32),
                                 expires_generator=lambda *_a: ACCESS_TOKEN_SECONDS),
        )  # fmt: skip
        self.register_grant(
            _CodeGrant, [_OpenIdCode(provider, require_nonce=True), CodeChallenge(required=False)]
        )

    def query_client(self, client_id: str) -> RegisteredClient | None:
        return self.provider.client if client_id == self.provider.client.client_id else None

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        self.provider.db.execute(
            "INSERT INTO access_tokens VALUES (?, ?, ?, ?, ?, ?)",
            (token["access_token"], request.client.get_client_id(), request.user.username,
             token.get("scope", ""), time.time(), token.get("expires_in", ACCESS_TOKEN_SECONDS)),
        )  # fmt: skip

    def create_oauth2_request(self, request: OAuth2Request) -> OAuth2Request:
        return request  # the routes build StarletteOAuth2Request themselves (async form read)

    def handle_response(self, status: int, body: Any, headers: list[tuple[str, str]]) -> Response:
        if isinstance(body, dict):
            return JSONResponse(body, status_code=status, headers=dict(headers))
        return Response(body or "", status_code=status, headers=dict(headers))

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        pass


class _CodeGrant(AuthorizationCodeGrant):  # type: ignore[misc]
    def save_authorization_code(self, code: str, request: OAuth2Request) -> None:
        data = request.payload.data
        user: StaffMember = request.user
        self.server.provider.db.execute(
            "INSERT INTO authorization_codes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (code, request.client.get_client_id(), request.payload.redirect_uri,
             request.scope or "", user.username, data.get("nonce"), user.auth_time,
             data.get("code_challenge"), data.get("code_challenge_method"), time.time()),
        )  # fmt: skip

    def query_authorization_code(self, code: str, client: ClientMixin) -> StoredCode | None:
        row = self.server.provider.db.execute(
            "SELECT * FROM authorization_codes WHERE code = ? AND client_id = ?",
            (code, client.get_client_id()),
        ).fetchone()
        if row is None or time.time() - row["created_at"] > CODE_SECONDS:
            return None
        return StoredCode(row)

    def delete_authorization_code(self, authorization_code: StoredCode) -> None:
        self.server.provider.db.execute(
            "DELETE FROM authorization_codes WHERE code = ?", (authorization_code.row["code"],)
        )

    def authenticate_user(self, authorization_code: StoredCode) -> StaffMember | None:
        row = self.server.provider.db.execute(
            "SELECT * FROM staff WHERE username = ?", (authorization_code.row["username"],)
        ).fetchone()
        if row is None:
            return None
        return StaffMember(row["username"], row["full_name"], row["email"],
                           authorization_code.get_auth_time())  # fmt: skip


class _OpenIdCode(OpenIDCode):  # type: ignore[misc]
    def __init__(self, provider: IdentityProvider, *, require_nonce: bool) -> None:
        super().__init__(require_nonce=require_nonce)
        self.provider = provider

    def exists_nonce(self, nonce: str, request: OAuth2Request) -> bool:
        row = self.provider.db.execute(
            "SELECT 1 FROM authorization_codes WHERE client_id = ? AND nonce = ?",
            (request.payload.client_id, nonce),
        ).fetchone()
        return row is not None

    def resolve_client_private_key(self, client: ClientMixin) -> RSAKey:
        return self.provider.key

    def get_client_claims(self, client: ClientMixin) -> dict[str, Any]:
        return {"iss": self.provider.issuer, "aud": [client.get_client_id()]}

    def get_encode_header(self, client: ClientMixin) -> dict[str, str]:
        return {"alg": "RS256", "kid": self.provider.key_id}

    def generate_user_info(self, user: StaffMember, scope: str) -> UserInfo:
        info = UserInfo(sub=user.username, preferred_username=user.username,
                        name=user.full_name, auth_time=user.auth_time)  # fmt: skip
        if "email" in scope.split():
            info["email"] = user.email
        return info


def json_text(value: dict[str, Any]) -> str:
    return json.dumps(value, indent=2)
