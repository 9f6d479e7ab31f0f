"""``python -m devkit chaos``: one seeded chaos run on loopback, its table, exit status 1 on a loss or a leak.

python -m devkit chaos --seed 7 --events 20000 --kills 10 --fault-runs 8
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path
from typing import Any

from devkit.chaos import summary
from devkit.chaos.attacks import ChaosError
from devkit.chaos.campaign import ChaosConfig, run_chaos


def add_arguments(subparsers: Any) -> None:
    defaults = ChaosConfig()
    parser = subparsers.add_parser(
        "chaos", help="kill the engine and break the API at seeded moments while draining a backlog, check the sink"
    )
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--events", type=int, default=20_000, help="Monitor backlog (default 20000)")
    parser.add_argument("--users", type=int, default=200, help="users in the organization (default 200)")
    parser.add_argument("--kills", type=int, default=10, help="runs killed with SIGKILL (default 10)")
    parser.add_argument("--fault-runs", type=int, default=8, help="runs under injected faults (default 8)")
    parser.add_argument("--churn-runs", type=int, default=4, help="runs preceded by user changes (default 4)")
    parser.add_argument("--clean-runs", type=int, default=2, help="attack-phase runs left alone (default 2)")
    parser.add_argument("--budget", type=int, default=2_000, help="customer events per run (default 2000)")
    parser.add_argument("--user-budget", type=int, default=defaults.user_budget, help="users per run")
    parser.add_argument("--late-events-per-hour", type=float, default=defaults.live_events_per_hour)
    parser.add_argument("--drain-runs", type=int, default=100, help="clean runs allowed to finish (default 100)")
    parser.add_argument("--waiting-faults", action="store_true", help="also rate limits that name no wait (30 s each)")
    parser.add_argument("--keep", metavar="DIR", help="work in DIR and keep it (default: a temp dir, removed)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    config = ChaosConfig(
        seed=args.seed,
        events=args.events,
        users=args.users,
        kills=args.kills,
        fault_runs=args.fault_runs,
        churn_runs=args.churn_runs,
        clean_runs=args.clean_runs,
        customer_budget=args.budget,
        user_budget=args.user_budget,
        live_events_per_hour=args.late_events_per_hour,
        drain_runs=args.drain_runs,
        waiting_faults=args.waiting_faults,
    )
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="devkit-chaos-"))
    try:
        result = run_chaos(config, folder)
    except ChaosError as exc:
        print(f"devkit chaos: {exc} (files kept in {folder})")
        return 1
    print(summary.table(result))
    if result.failures():
        print(f"files kept in {folder}")
        return 1
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    return 0
