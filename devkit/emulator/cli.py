"""`emulator` command group: argument parsing only, the work is in Emulator."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import uuid
from pathlib import Path
from types import FrameType
from typing import Any

from devkit.emulator.faults import SPEC_HELP, FaultSpecError, parse_spec
from devkit.emulator.keys import generate_rsa_keypair
from devkit.emulator.scenarios import SCENARIOS
from devkit.emulator.server import Emulator

CONTROL_HELP = """
control endpoints (JSON), under the emulator's base URL:
  GET|POST|DELETE /_emulator/faults      list, add ({"spec": "monitor:status=500"}), clear injected faults
  GET  /_emulator/stats                  calls per endpoint and status;  POST /_emulator/stats/reset
  GET  /_emulator/requests?limit=N       the last requests
  GET|POST /_emulator/org                the organization (ids, users, now, planted attacks);
                                         POST {"monitor_enabled": false}
  POST /_emulator/integrations           {"integration_key", "public_key_pem", "redirect_uris"}
  POST /_emulator/consent                grant consent for an integration key and scopes
  POST /_emulator/revoke_tokens          revoke every access token (the next call gets 401)
  POST /_emulator/clock/advance          {"seconds": 3600}: time passes (events ingested, users changed)
  POST /_emulator/users/change           {"n": 5, "kind": "profile|settings|membership"}: users change now
"""

DEFAULT_PORT = 8700


def add_arguments(subparsers: Any) -> argparse.ArgumentParser:
    """Add the `emulator` group (`emulator serve ...`) to a parent parser's subparsers.

    Each leaf command sets `func`, a callable taking the parsed namespace and returning an exit code.
    """
    group = subparsers.add_parser(
        "emulator", help="run a local DocuSign (OAuth, Monitor, Admin, eSignature)", description=__doc__
    )
    commands = group.add_subparsers(dest="emulator_command", metavar="COMMAND", required=True)
    serve = commands.add_parser(
        "serve",
        help="serve the emulator until interrupted",
        description="Serve DocuSign's OAuth, Monitor, Admin and eSignature APIs on one loopback base URL. "
        "Prints one JSON line (base_url, host, ids) once ready.",
        epilog=SPEC_HELP + CONTROL_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    net = serve.add_argument_group("network")
    net.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT}; 0: any free)")
    net.add_argument("--bind", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    net.add_argument("--https", action="store_true", help="serve HTTPS with a generated self-signed certificate")

    data = serve.add_argument_group("data")
    data.add_argument("--seed", type=int, default=1, help="seed of the generated organization (default 1)")
    data.add_argument("--events", type=int, default=5000, help="historical Monitor events (default 5000)")
    data.add_argument("--users", type=int, default=300, help="users in the organization (default 300)")
    data.add_argument("--span-hours", type=float, default=24.0, help="hours the history covers (default 24)")
    data.add_argument("--live-events-per-hour", type=float, default=0.0, help="new events per hour (default 0)")
    data.add_argument("--live-user-changes-per-hour", type=float, default=0.0, help="user changes per hour (default 0)")
    data.add_argument("--no-monitor", action="store_true", help="the organization lacks Monitor (403, empty body)")
    data.add_argument("--timestamp-style", choices=("dotnet", "mixed"), default="dotnet", help="event timestamps")
    data.add_argument("--esign-modified-format", choices=("us", "iso"), default="us", help="userSettings.modifiedDate")
    data.add_argument("--admin-modified-field", help="add this modification-date field to Admin users")
    data.add_argument("--admin-since-by-day", action="store_true", help="last_modified_since honours only its date")
    data.add_argument(
        "--attacks",
        default="",
        help="plant attacks in the history: all, or a comma-separated list of " + ", ".join(SCENARIOS),
    )
    data.add_argument("--monitor-page-cap", type=int, help="serve Monitor pages shorter than the limit asked")
    data.add_argument(
        "--monitor-generations",
        choices=("both", "v1", "lens"),
        default="both",
        help="which Monitor endpoints the tenant offers (default both)",
    )

    auth = serve.add_argument_group("auth")
    auth.add_argument("--token-lifetime", type=int, default=3600, help="access token lifetime, s (default 3600)")
    auth.add_argument("--token-scope", action="store_true", help="include `scope` in token replies")
    auth.add_argument("--integration-key", help="register this integration key at start")
    auth.add_argument("--public-key", type=Path, help="PEM public key of --integration-key")
    auth.add_argument("--redirect-uri", action="append", default=[], help="allowed redirect URI (repeatable)")
    auth.add_argument(
        "--consent", metavar="SCOPES", help="pre-grant the admin user's consent, e.g. 'signature impersonation'"
    )

    limits = serve.add_argument_group("limits and faults")
    limits.add_argument("--hourly-limit", type=int, default=3000, help="calls per account per hour (default 3000)")
    limits.add_argument("--burst-limit", type=int, default=200, help="calls per account per 30 s (default 200)")
    limits.add_argument("--legacy-limit-status", action="store_true", help="answer over-limit calls with 400, not 429")
    limits.add_argument("--fault", action="append", default=[], metavar="SPEC", help="inject a fault (see below)")
    serve.add_argument("--ready-file", type=Path, help="also write the ready JSON to this file")
    serve.add_argument(
        "--write-instance",
        type=Path,
        metavar="FILE",
        help="register a new key pair, grant consent and write a ready engine instance file here "
        "(then: python -m devkit fetch FILE)",
    )
    serve.add_argument(
        "--response-actions",
        action="store_true",
        help="with --write-instance: the instance allows response actions (docusign-user-memberships-close, "
        "docusign-user-membership-activate) and consent covers user_write",
    )
    serve.set_defaults(func=serve_command)
    return group


def build_emulator(args: argparse.Namespace) -> Emulator:
    for spec in args.fault:
        parse_spec(spec)  # fail before binding the port
    emulator = Emulator(
        seed=args.seed,
        events=args.events,
        users=args.users,
        span_hours=args.span_hours,
        https=args.https,
        token_lifetime=args.token_lifetime,
        hourly_limit=args.hourly_limit,
        burst_limit=args.burst_limit,
        legacy_limit_status=args.legacy_limit_status,
        monitor_enabled=not args.no_monitor,
        port=args.port,
        bind=args.bind,
        live_events_per_hour=args.live_events_per_hour,
        live_user_changes_per_hour=args.live_user_changes_per_hour,
        include_scope_in_token=args.token_scope,
        esign_modified_format=args.esign_modified_format,
        admin_modified_field=args.admin_modified_field,
        admin_since_by_day=args.admin_since_by_day,
        monitor_page_cap=args.monitor_page_cap,
        monitor_generations=args.monitor_generations,
        timestamp_style=args.timestamp_style,
        attacks=args.attacks,
        faults=args.fault,
    )
    if args.integration_key:
        if args.public_key is None:
            raise SystemExit("--integration-key needs --public-key")
        emulator.register_integration(args.integration_key, args.public_key.read_bytes(), args.redirect_uri)
        if args.consent:
            emulator.grant_consent(args.integration_key, emulator.org.admin_user_id, args.consent.split())
    return emulator


def write_instance(emulator: Emulator, path: Path, response_actions: bool = False) -> Path:
    """A key pair registered with consent, and an instance file for it beside ``path`` (key in a file);
    ``response_actions``: the instance allows them and consent covers their scopes."""
    from devkit import wiring  # the engine side is needed only for this option

    private_pem, public_pem = generate_rsa_keypair()
    integration_key = str(uuid.uuid4())
    scopes = wiring.RESPONSE_SCOPES if response_actions else wiring.ALL_SCOPES
    wiring.register_key(emulator, integration_key, public_pem, wiring.LOCAL_REDIRECT, scopes=scopes)
    folder = path.resolve().parent
    folder.mkdir(parents=True, exist_ok=True)
    key_file = folder / f"{path.stem}_private_key.pem"
    key_file.write_bytes(private_pem)
    key_file.chmod(0o600)
    credentials = {"identifier": "", "password_file": str(key_file)}
    params = wiring.instance_params(emulator, integration_key, wiring.LOCAL_REDIRECT, credentials)
    if response_actions:
        params["allow_response_actions"] = True
    return wiring.write_instance_file(path.resolve(), path.stem, emulator, params, dirs=f"{path.stem}_")


def serve_command(args: argparse.Namespace) -> int:
    try:
        emulator = build_emulator(args)
    except FaultSpecError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    stop = threading.Event()

    def on_signal(number: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    emulator.start()
    org = emulator.org
    ready = {
        "base_url": emulator.base_url,
        "host": emulator.host,
        "organization_id": org.organization_id,
        "account_id": org.account_id,
        "admin_user_id": org.admin_user_id,
        "ca_cert": emulator.ca_cert,
    }
    if args.write_instance:
        ready["instance_file"] = str(write_instance(emulator, args.write_instance, args.response_actions))
    # The file first: whoever reads the printed line may look for the file right away.
    if args.ready_file:
        args.ready_file.write_text(json.dumps(ready))
    print(json.dumps(ready), flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        emulator.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="devkit")
    add_arguments(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
