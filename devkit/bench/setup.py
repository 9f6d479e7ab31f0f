"""An emulator and an engine instance wired together for a benchmark run."""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path
from typing import Any

import yaml

from devkit.emulator import Emulator, generate_rsa_keypair
from devkit.engine import Engine, Instance

INTEGRATION_KEY = str(uuid.UUID("b3c4d5e6-f7a8-4b9c-8d0e-1f2a3b4c5d6e"))
REDIRECT_URL = "https://localhost/callback"
SCOPES = ["signature", "impersonation", "organization_read", "user_read"]


def wire(emulator: Emulator, folder: Path | None = None, **params: Any) -> Engine:
    """Register a key pair and consent on a started emulator; return an engine for an instance using it."""
    private_pem, public_pem = generate_rsa_keypair()
    emulator.register_integration(INTEGRATION_KEY, public_pem, [REDIRECT_URL])
    emulator.grant_consent(INTEGRATION_KEY, emulator.org.admin_user_id, SCOPES)
    folder = folder or Path(tempfile.mkdtemp(prefix="docusign-bench-"))
    document = {
        "name": "bench",
        "state_dir": "state",
        "output_dir": "out",
        "timeout": 600,
        "params": {
            "url": emulator.base_url,
            "integration_key": INTEGRATION_KEY,
            "user_id": emulator.org.admin_user_id,
            "redirect_url": REDIRECT_URL,
            "credentials": {"identifier": "", "password": private_pem.decode()},
            "account_id": emulator.org.account_id,
            "organization_id": emulator.org.organization_id,
            "page_interval": "0",
            **params,
        },
    }
    path = folder / "instance.yml"
    path.write_text(yaml.safe_dump(document))
    return Engine(Instance.load(path))
