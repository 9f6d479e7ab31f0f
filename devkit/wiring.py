"""An instance of the integration pointed at a running emulator: the one place that knows both sides.

Used by the demo, the benchmarks and the end-to-end tests, so that they configure the integration the
same way a user would against DocuSign (same parameter names, type-9 credentials shape).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from devkit.emulator import Emulator
from devkit.engine import Engine, Instance


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


def write_engine(folder: Path, name: str, emulator: Emulator, params: dict[str, Any], timeout: float = 240) -> Engine:
    """Write ``folder/instance.yml`` for ``params`` and return an engine for it (trusting an HTTPS emulator)."""
    folder.mkdir(parents=True, exist_ok=True)
    document = {
        "name": name,
        "state_dir": "state",
        "output_dir": "out",
        "timeout": timeout,
        "env": {"REQUESTS_CA_BUNDLE": emulator.ca_cert} if emulator.ca_cert else {},
        "params": params,
    }
    path = folder / "instance.yml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return Engine(Instance.load(path))
