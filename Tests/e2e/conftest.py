"""Fixtures for end-to-end tests: the DocuSign emulator on loopback and the local XSIAM engine."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from devkit.emulator import Emulator, generate_rsa_keypair
from devkit.engine import Engine, Instance

INTEGRATION_KEY = str(uuid.UUID("3c1b9f0e-7a2d-4e5f-8a9b-0c1d2e3f4a5b"))
REDIRECT_URL = "https://xsiam.example.com/docusign/callback?instance=e2e&x=1"
ALL_SCOPES = ["signature", "impersonation", "organization_read", "user_read"]
DATASET = "docusign_docusign_raw"


@pytest.fixture(scope="session")
def keypair() -> tuple[bytes, bytes]:
    return generate_rsa_keypair()


@pytest.fixture
def emulator_factory(keypair: tuple[bytes, bytes]) -> Iterator[Callable[..., Emulator]]:
    """Start emulators registered with the test key pair; consent is granted unless consent=False."""
    started: list[Emulator] = []

    def start(consent: bool = True, **options: Any) -> Emulator:
        emulator = Emulator(**options)
        emulator.start()
        started.append(emulator)
        emulator.register_integration(INTEGRATION_KEY, keypair[1], [REDIRECT_URL])
        if consent:
            emulator.grant_consent(INTEGRATION_KEY, emulator.org.admin_user_id, ALL_SCOPES)
        return emulator

    yield start
    for emulator in started:
        emulator.stop()


def instance_params(emulator: Emulator, private_pem: bytes, **overrides: Any) -> dict[str, Any]:
    params: dict[str, Any] = {
        "url": emulator.base_url,
        "integration_key": INTEGRATION_KEY,
        "user_id": emulator.org.admin_user_id,
        "redirect_url": REDIRECT_URL,
        "credentials": {"identifier": "", "password": private_pem.decode()},
        "account_id": emulator.org.account_id,
        "organization_id": emulator.org.organization_id,
        "event_types": ["Customer events", "Audit Users"],
        "first_fetch": "2 days",
        "page_interval": "0",
    }
    params.update(overrides)
    return {k: v for k, v in params.items() if v is not None}


@pytest.fixture
def engine_for(tmp_path: Path, keypair: tuple[bytes, bytes]) -> Callable[..., Engine]:
    """An engine whose instance points at the given emulator; keyword arguments override params."""

    def make(emulator: Emulator, name: str = "docusign_e2e", **overrides: Any) -> Engine:
        folder = tmp_path / name
        folder.mkdir(parents=True, exist_ok=True)
        env = {"REQUESTS_CA_BUNDLE": emulator.ca_cert} if emulator.ca_cert else {}
        document = {
            "name": name,
            "state_dir": "state",
            "output_dir": "out",
            "timeout": 240,
            "env": env,
            "params": instance_params(emulator, keypair[0], **overrides),
        }
        path = folder / "instance.yml"
        path.write_text(yaml.safe_dump(document))
        return Engine(Instance.load(path))

    return make
