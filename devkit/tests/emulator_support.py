"""Helpers for the emulator tests: keys, JWT assertions, tokens and authenticated sessions."""

from __future__ import annotations

import functools
from typing import Any

import jwt
import requests

from devkit import wiring
from devkit.emulator import Emulator, generate_rsa_keypair

INTEGRATION_KEY = "7f0e5e2a-3f63-4f0c-9b7c-1d6b2f3a9c11"
REDIRECT_URI = "https://xsiam.example.com/oauth/callback?instance=docusign"
ALL_SCOPES = "signature impersonation organization_read user_read"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"


@functools.cache
def keypair() -> tuple[bytes, bytes]:
    return generate_rsa_keypair()


@functools.cache
def other_keypair() -> tuple[bytes, bytes]:
    return generate_rsa_keypair()


def setup_integration(emulator: Emulator, scopes: str = ALL_SCOPES, user_id: str | None = None) -> None:
    wiring.register_key(emulator, INTEGRATION_KEY, keypair()[1], REDIRECT_URI, scopes=scopes.split(), user_id=user_id)


def assertion(emulator: Emulator, private_pem: bytes | None = None, **claims: Any) -> str:
    """A JWT grant assertion; pass a claim as None to leave it out."""
    now = int(emulator.org.now())
    body: dict[str, Any] = {
        "iss": INTEGRATION_KEY,
        "sub": emulator.org.admin_user_id,
        "aud": emulator.host,
        "iat": now,
        "exp": now + 3600,
        "scope": ALL_SCOPES,
    }
    body.update(claims)
    body = {name: value for name, value in body.items() if value is not None}
    return jwt.encode(body, private_pem or keypair()[0], algorithm="RS256")


def token_reply(emulator: Emulator, assertion_text: str, grant_type: str = JWT_BEARER) -> requests.Response:
    return requests.post(
        f"{emulator.base_url}/oauth/token",
        data={"grant_type": grant_type, "assertion": assertion_text},
        verify=emulator.ca_cert or True,
        timeout=10,
    )


def access_token(emulator: Emulator, **claims: Any) -> str:
    reply = token_reply(emulator, assertion(emulator, **claims))
    assert reply.status_code == 200, reply.text
    return str(reply.json()["access_token"])


def session(emulator: Emulator, token: str | None = None, **claims: Any) -> requests.Session:
    client = requests.Session()
    client.headers["Authorization"] = f"Bearer {token or access_token(emulator, **claims)}"
    if emulator.ca_cert:
        client.verify = emulator.ca_cert
        # Otherwise REQUESTS_CA_BUNDLE from the environment silently wins over Session.verify.
        client.trust_env = False
    return client


def non_admin_user_id(emulator: Emulator) -> str:
    return next(u.id for u in emulator.org.users if not u.is_org_admin and u.status == "Active")
