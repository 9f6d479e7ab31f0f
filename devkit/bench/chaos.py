"""Scenario: a long chaos run, dozens of SIGKILLs and faults while a large backlog drains (see devkit/chaos).

Reports the chaos suite's table: kills by kind and by moment, faults, runs, events and user changes expected,
delivered, lost and repeated (against what the kills between send and state commit allow), secrets found.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from devkit.bench.report import table, write_section
from devkit.chaos import summary
from devkit.chaos.campaign import ChaosConfig, run_chaos

LONG = ChaosConfig(
    seed=20,
    events=150_000,
    users=2_000,
    kills=36,
    fault_runs=24,
    churn_runs=12,
    clean_runs=6,
    customer_budget=2_000,
    user_budget=500,
    live_events_per_hour=36_000,
    drain_runs=200,
    waiting_faults=False,  # 30 s a hit: rate limits that name no wait are left to `devkit chaos --waiting-faults`
)


def run(config: ChaosConfig = LONG) -> list[tuple[str, str]]:
    folder = Path(tempfile.mkdtemp(prefix="devkit-chaos-bench-"))
    result = run_chaos(config, folder)
    rows = summary.rows(result)
    failures = result.failures()
    rows.append(("verdict", "FAILED: " + "; ".join(failures) if failures else "passed"))
    print("chaos: kills and faults while draining a backlog\n" + table(rows))
    write_section(
        "chaos",
        f"Chaos: {config.kills} kills and {config.fault_runs} faulted runs while draining {config.events:,} events",
        rows,
        "Each run is a separate engine process (`devkit.chaos.engine_process`); kills are SIGKILL to the engine, "
        "its child, or both, when the child has started, after the run's n-th API answer, or as soon as the sink "
        "grows; the moment is read afterwards from the sink and the saved last run. Faults are the emulator's, "
        "each on the next 1-3 calls to Monitor, Admin, eSignature or the token endpoint. Repeats are allowed "
        "only for what the runs killed between send and state commit had sent (each at most one run's batch).",
    )
    if not failures:
        shutil.rmtree(folder, ignore_errors=True)
    else:
        print(f"files kept in {folder}")
    return rows
