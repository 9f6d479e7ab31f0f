"""A day of DocuSign activity as the integration delivers it: what the pictures and checks are computed from.

A seeded emulator organization (one day of Monitor events, audit users changed in the last 30 days), a fresh
key pair with consent, and one ``fetch-events`` run through the local engine; the sink's events are returned.
"""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path
from typing import Any

from devkit.emulator import Emulator, generate_rsa_keypair
from devkit.engine import DATASET
from devkit.wiring import LOCAL_REDIRECT, instance_params, register_key, write_engine


def delivered_day(seed: int = 3, events: int = 3000, users: int = 300) -> list[dict[str, Any]]:
    private_pem, public_pem = generate_rsa_keypair()
    integration_key = str(uuid.UUID(int=seed))
    with Emulator(seed=seed, events=events, users=users, span_hours=24) as emulator:
        register_key(emulator, integration_key, public_pem, LOCAL_REDIRECT)
        credentials = {"password": private_pem.decode()}
        # Audit users come from the last 30 days (the identity widgets' time frame); every event in one run.
        params = instance_params(
            emulator,
            integration_key,
            LOCAL_REDIRECT,
            credentials,
            first_fetch="30 days",
            max_customer_events_per_fetch=str(events + 1000),
        )
        with tempfile.TemporaryDirectory(prefix="dashboards-") as folder:
            engine = write_engine(Path(folder), "dashboards", emulator, params)
            result = engine.run("fetch-events")
            if not result.ok:
                raise RuntimeError(f"fetch-events failed: {result.error or result.status}")
            return engine.sink_events(DATASET)
