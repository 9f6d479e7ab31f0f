"""An emulator and an engine instance wired together for a benchmark run."""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path
from typing import Any

from devkit import wiring
from devkit.emulator import Emulator, generate_rsa_keypair
from devkit.engine import Engine
from devkit.wiring import instance_params

INTEGRATION_KEY = str(uuid.UUID("b3c4d5e6-f7a8-4b9c-8d0e-1f2a3b4c5d6e"))
REDIRECT_URL = "https://localhost/callback"


def wire(emulator: Emulator, folder: Path | None = None, **params: Any) -> Engine:
    """Register a key pair and consent on a started emulator; return an engine for an instance using it."""
    private_pem, public_pem = generate_rsa_keypair()
    wiring.register_key(emulator, INTEGRATION_KEY, public_pem, REDIRECT_URL)
    folder = folder or Path(tempfile.mkdtemp(prefix="docusign-bench-"))
    credentials = {"password": private_pem.decode()}
    return wiring.write_engine(
        folder, "bench", emulator, instance_params(emulator, INTEGRATION_KEY, REDIRECT_URL, credentials, **params), 600
    )
