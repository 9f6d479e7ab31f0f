"""`python -m devkit bench [scenario|all]`."""

from __future__ import annotations

import argparse
from typing import Any

from devkit.bench import audit_users, chaos, customer_events, day, idle_run

SCENARIOS = {
    "customer-events": customer_events.run,
    "audit-users": audit_users.run,
    "idle-run": idle_run.run,
    "day-time-of-day": day.run_time_of_day,
    "day-date-only": day.run_date_only,
    "chaos": chaos.run,
}


def add_arguments(subparsers: Any) -> None:
    parser = subparsers.add_parser("bench", help="run benchmarks against the emulator, update docs/benchmarks.md")
    parser.add_argument("scenario", choices=[*SCENARIOS, "all"], nargs="?", default="all")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    for name, scenario in SCENARIOS.items():
        if args.scenario in (name, "all"):
            scenario()
    return 0
