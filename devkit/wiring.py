"""An instance of the integration pointed at a running emulator: the one place that knows both sides.

Used by the demo, the benchmarks and the tests, so that they configure the integration the same way a
user would against DocuSign: a key pair registered for an integration key, consent (granted directly or
by following the consent command's link), same parameter names, type-9 credentials shape.
"""

from __future__ import annotations

import re
import tempfile
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import requests
import yaml

from devkit.emulator import Emulator, generate_rsa_keypair
from devkit.emulator.scenarios import Attack
from devkit.engine import DATASET, Engine, Instance, RunResult

# What consent covers when both event types are selected (Customer events need the first two).
ALL_SCOPES = ("signature", "impersonation", "organization_read", "user_read")
# With "Allow response actions": closing and re-activating memberships need user_write too.
RESPONSE_SCOPES = (*ALL_SCOPES, "user_write")
CONSENT_COMMAND = "docusign-generate-consent-url"
# The links in the consent command's war-room answer, individual and organization-wide.
_CONSENT_LINK = re.compile(r"\[Click here to authorize\]\((?P<url>[^)]+)\)")
_ADMIN_CONSENT_LINK = re.compile(r"\[admin consent\]\((?P<url>[^)]+)\)")


def register_key(
    emulator: Emulator,
    integration_key: str,
    public_pem: bytes,
    redirect_url: str | None = None,
    *,
    consent: bool = True,
    scopes: Iterable[str] = ALL_SCOPES,
    user_id: str | None = None,
) -> None:
    """Register a key pair's public half for ``integration_key`` (DocuSign's Apps and Keys page), then,
    unless ``consent`` is False, grant ``user_id``'s consent to ``scopes`` as accepting the consent page
    does; the user defaults to the organization administrator the instance impersonates."""
    emulator.register_integration(integration_key, public_pem, [redirect_url] if redirect_url else [])
    if consent:
        emulator.grant_consent(integration_key, user_id or emulator.org.admin_user_id, list(scopes))


def follow_consent_link(result: RunResult, admin: bool = False) -> requests.Response:
    """Open the consent link of a ``docusign-generate-consent-url`` result as the user's browser would.

    ``admin`` picks the organization-wide link. Returns DocuSign's answer without following its
    redirect: a 302 to the redirect URL once consent is recorded. Raises LookupError when the result
    holds no such link.
    """
    readable = "\n".join(str(entry.get("HumanReadable") or "") for entry in result.entries)
    match = (_ADMIN_CONSENT_LINK if admin else _CONSENT_LINK).search(readable)
    if not match:
        raise LookupError(f"{result.command} returned no {'admin ' if admin else ''}consent link")
    return requests.get(match.group("url"), allow_redirects=False, timeout=10)


def instance_params(
    emulator: Emulator, integration_key: str, redirect_url: str, credentials: dict[str, str], **overrides: Any
) -> dict[str, Any]:
    """Instance parameters for ``emulator``'s organization; an override of None removes the parameter."""
    org = emulator.org
    params: dict[str, Any] = {
        "url": emulator.base_url,
        "integration_key": integration_key,
        "user_id": org.admin_user_id,
        "redirect_url": redirect_url,
        "credentials": {"identifier": "", **credentials},
        "account_id": org.account_id,
        "organization_id": org.organization_id,
        "isFetchEvents": True,
        "event_types": ["Customer events", "Audit Users"],
        "first_fetch": "2 days",
        "page_interval": "0",  # no deliberate pauses on loopback
    }
    params.update(overrides)
    return {name: value for name, value in params.items() if value is not None}


LOCAL_REDIRECT = "https://localhost/callback"


def write_instance_file(
    path: Path, name: str, emulator: Emulator, params: dict[str, Any], timeout: float = 240, dirs: str = ""
) -> Path:
    """Write an engine instance file for ``params`` (trusting an HTTPS emulator's certificate); state and
    output go beside it, in ``<dirs>state`` and ``<dirs>out``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "name": name,
        "state_dir": f"{dirs}state",
        "output_dir": f"{dirs}out",
        "timeout": timeout,
        "env": {"REQUESTS_CA_BUNDLE": emulator.ca_cert} if emulator.ca_cert else {},
        "params": params,
    }
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def write_engine(folder: Path, name: str, emulator: Emulator, params: dict[str, Any], timeout: float = 240) -> Engine:
    """Write ``folder/instance.yml`` for ``params`` and return an engine for it."""
    path = write_instance_file(folder / "instance.yml", name, emulator, params, timeout)
    # The integration follows the emulator's clock when a test or benchmark moves it.
    return Engine(Instance.load(path), clock=emulator.org.clock)


def delivered_day(
    seed: int = 3, events: int = 3000, users: int = 300, attacks: str | Sequence[str] = ""
) -> tuple[list[dict[str, Any]], list[Attack]]:
    """A day of DocuSign activity as one ``fetch-events`` run delivers it (Monitor events of the day, audit users
    changed in the last 30 days) from a seeded emulator organization with ``attacks`` planted, and the attacks."""
    private_pem, public_pem = generate_rsa_keypair()
    integration_key = str(uuid.UUID(int=seed))
    with Emulator(seed=seed, events=events, users=users, span_hours=24, attacks=attacks) as emulator:
        register_key(emulator, integration_key, public_pem, LOCAL_REDIRECT)
        credentials = {"password": private_pem.decode()}
        params = instance_params(
            emulator,
            integration_key,
            LOCAL_REDIRECT,
            credentials,
            first_fetch="30 days",
            max_customer_events_per_fetch=str(events + 1000),
        )
        with tempfile.TemporaryDirectory(prefix="delivered-day-") as folder:
            engine = write_engine(Path(folder), "day", emulator, params)
            result = engine.run("fetch-events")
            if not result.ok:
                raise RuntimeError(f"fetch-events failed: {result.error or result.status}")
            return engine.sink_events(DATASET), emulator.org.attacks
