"""Fixtures for end-to-end tests: the DocuSign emulator on loopback and the local XSIAM engine."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from devkit import wiring
from devkit.emulator import Emulator, generate_rsa_keypair
from devkit.emulator.scenarios import Attack
from devkit.engine import DATASET, Engine

INTEGRATION_KEY = str(uuid.UUID("3c1b9f0e-7a2d-4e5f-8a9b-0c1d2e3f4a5b"))
REDIRECT_URL = "https://xsiam.example.com/docusign/callback?instance=e2e&x=1"

# The fixtures' types, for the tests' annotations.
KeyPair = tuple[bytes, bytes]
EmulatorFactory = Callable[..., Emulator]
EngineFor = Callable[..., Engine]


@pytest.fixture(scope="session")
def keypair() -> KeyPair:
    return generate_rsa_keypair()


@pytest.fixture
def emulator_factory(keypair: KeyPair) -> Iterator[EmulatorFactory]:
    """Start emulators registered with the test key pair; consent is granted unless consent=False."""
    started: list[Emulator] = []

    def start(consent: bool = True, **options: Any) -> Emulator:
        emulator = Emulator(**options)
        emulator.start()
        started.append(emulator)
        wiring.register_key(emulator, INTEGRATION_KEY, keypair[1], REDIRECT_URL, consent=consent)
        return emulator

    yield start
    for emulator in started:
        emulator.stop()


def instance_params(emulator: Emulator, private_pem: bytes, **overrides: Any) -> dict[str, Any]:
    credentials = {"password": private_pem.decode()}
    key = overrides.pop("integration_key", INTEGRATION_KEY)
    redirect = overrides.pop("redirect_url", REDIRECT_URL)
    return wiring.instance_params(emulator, key, redirect, credentials, **overrides)


@pytest.fixture
def engine_for(tmp_path: Path, keypair: KeyPair) -> EngineFor:
    """An engine whose instance points at the given emulator; keyword arguments override params."""

    def make(emulator: Emulator, name: str = "docusign_e2e", **overrides: Any) -> Engine:
        return wiring.write_engine(tmp_path / name, name, emulator, instance_params(emulator, keypair[0], **overrides))

    return make


def _delivered_day(folder: Path, keypair: KeyPair, attacks: str = "") -> tuple[list[dict[str, Any]], list[Attack]]:
    """Both event types as fetch-events delivers them from a seeded emulator organization (a day of activity,
    300 users), with the ``attacks`` planted, and the attacks."""
    with Emulator(seed=3, events=3000, users=300, span_hours=24, attacks=attacks) as emulator:
        wiring.register_key(emulator, INTEGRATION_KEY, keypair[1], REDIRECT_URL)
        params = instance_params(emulator, keypair[0], first_fetch="30 days", max_customer_events_per_fetch="20000")
        engine = wiring.write_engine(folder, "dataset", emulator, params)
        assert engine.run("fetch-events").ok
        return engine.sink_events(DATASET), emulator.org.attacks


@pytest.fixture(scope="session")
def sent_events(tmp_path_factory: pytest.TempPathFactory, keypair: KeyPair) -> list[dict[str, Any]]:
    """A benign day, for tests that read the dataset as an analyst would."""
    return _delivered_day(tmp_path_factory.mktemp("dataset"), keypair)[0]


@pytest.fixture(scope="session")
def attacked_day(
    tmp_path_factory: pytest.TempPathFactory, keypair: KeyPair
) -> tuple[list[dict[str, Any]], list[Attack]]:
    """The same day with every attack scenario planted, and the attacks."""
    return _delivered_day(tmp_path_factory.mktemp("attacked"), keypair, attacks="all")
