"""A local DocuSign (OAuth, Monitor, Admin, eSignature) for testing the collector without an account.

with Emulator(seed=1, events=5000, users=300, clock=ManualClock()) as emulator:
    private_pem, public_pem = generate_rsa_keypair()
    emulator.register_integration(key, public_pem, ["https://example.com/callback"])
    emulator.grant_consent(key, emulator.org.admin_user_id, ["signature", "impersonation"])
    # JWT: iss=key, sub=emulator.org.admin_user_id, aud=emulator.host; OAuth base = emulator.base_url
    emulator.faults.add(path="monitor", kind="status", status=500, count=2)
    emulator.advance(3600)  # tokens expire, limits reset, live data appears
    emulator.stats().counters[("GET", "monitor.stream")]
"""

from devkit.emulator.clock import ManualClock, SimClock
from devkit.emulator.keys import generate_rsa_keypair
from devkit.emulator.server import Emulator

__all__ = ["Emulator", "ManualClock", "SimClock", "generate_rsa_keypair"]
