"""A chaos run from start to verdict: emulator and instance set up, the plan's attack runs, the drain, the check."""

from __future__ import annotations

import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from devkit import wiring
from devkit.chaos import attacks
from devkit.chaos.plan import Kill, Plan, make_plan
from devkit.chaos.verify import Verdict, check_sink, find_secrets, key_fragments
from devkit.emulator import Emulator, generate_rsa_keypair
from devkit.engine.instance import Instance
from devkit.engine.lifetime import RUN_DIR_PREFIX
from devkit.engine.sink import DATASET, read_events
from devkit.engine.store import CONTEXT_FILE

INTEGRATION_KEY = str(uuid.UUID("c4a0e7d2-9b1f-4c3e-8a5d-6f7e8d9c0b1a"))
FIRST_FETCH_DAYS = 2
CAUGHT_UP = "caught up"


@dataclass(frozen=True)
class ChaosConfig:
    seed: int = 1
    events: int = 2_000
    users: int = 60
    kills: int = 4
    fault_runs: int = 3
    churn_runs: int = 2
    clean_runs: int = 1
    customer_budget: int = 500
    """Customer events per run (the instance's maximum): small, so the backlog takes many runs to drain."""
    user_budget: int = 200
    live_events_per_hour: float = 3_600.0
    """Events arriving while the suite runs (on the real clock), beside the backlog."""
    drain_runs: int = 40
    waiting_faults: bool = False
    """Include the faults that cost a 30-second wait each (rate limits that name no wait)."""
    """Clean runs allowed after the attack phase to finish the backlog; more means the collector is stuck."""


@dataclass
class ChaosResult:
    config: ChaosConfig
    plan: Plan
    runs: int = 0
    drain_runs: int = 0
    drained: bool = False
    outcomes: list[attacks.RunOutcome] = field(default_factory=list)
    faults: Counter[str] = field(default_factory=Counter)
    users_churned: int = 0
    verdict: Verdict = field(default_factory=Verdict)
    seconds: float = 0.0

    @property
    def repeat_allowance(self) -> int:
        """Events the kills may cause to be sent again: what each run killed between send and commit sent."""
        landed = (attacks.BEFORE_COMMIT, attacks.DURING_SEND)
        return sum(o.appended for o in self.outcomes if o.kill is not None and o.moment in landed)

    def failures(self) -> list[str]:
        verdict = self.verdict
        reasons = []
        if not self.drained:
            reasons.append(f"not drained within {self.config.drain_runs} clean runs")
        if verdict.events_lost:
            reasons.append(f"{len(verdict.events_lost)} events lost, e.g. {verdict.events_lost[:3]}")
        if verdict.users_lost:
            reasons.append(f"{len(verdict.users_lost)} user changes lost, e.g. {verdict.users_lost[:3]}")
        if verdict.repeated > self.repeat_allowance:
            reasons.append(f"{verdict.repeated} repeated, more than the {self.repeat_allowance} the kills allow")
        if verdict.secrets_found:
            reasons.append(f"secrets in files: {verdict.secrets_found[:5]}")
        return reasons


def run_chaos(config: ChaosConfig, folder: Path) -> ChaosResult:
    """Everything under ``folder``: ``keys/`` (the private key, outside the engine's reach), ``engine/`` (the
    instance file, state, sink) and ``tmp/`` (the engine's temp dir, where its run dirs go)."""
    started = time.monotonic()
    plan = make_plan(
        config.seed, config.kills, config.fault_runs, config.churn_runs, config.clean_runs, config.waiting_faults
    )
    result = ChaosResult(config, plan)
    emulator = Emulator(
        seed=config.seed,
        events=config.events,
        users=config.users,
        span_hours=24,
        # The suite's own faults are the rate limits under test: the emulator's real ones would only add waits.
        hourly_limit=10_000_000,
        burst_limit=10_000_000,
        live_events_per_hour=config.live_events_per_hour,
    )
    with emulator:
        instance_file, private_pem = _set_up(emulator, config, folder)
        instance = Instance.load(instance_file)
        temp_dir = folder / "tmp"
        temp_dir.mkdir(parents=True, exist_ok=True)
        since = time.time() - FIRST_FETCH_DAYS * 86_400
        # A kill whose run ended before its trigger (a fault cut the run short) goes to the next run, so that
        # the plan's kills land whatever the faults did.
        missed: list[Kill] = []
        for step in plan.steps:
            if step.churn:
                result.users_churned += len(attacks.churn(emulator, step.churn))
            attacks.inject(emulator, step.faults)
            result.faults.update(fault.name for fault in step.faults)
            kill = step.kill or (missed.pop(0) if missed else None)
            run = attacks.EngineRun(instance_file, instance, temp_dir)
            outcome = run.attack(kill, emulator) if kill else run.finish()
            if outcome.moment == attacks.MISSED and kill is not None:
                missed.append(kill)
            result.outcomes.append(outcome)
            result.runs += 1
        emulator.faults.clear()
        last_started = time.time()
        for _ in range(config.drain_runs):
            last_started = time.time()
            outcome = attacks.EngineRun(instance_file, instance, temp_dir).finish()
            result.outcomes.append(outcome)
            result.runs += 1
            result.drain_runs += 1
            if outcome.status == "ok" and outcome.stops and set(outcome.stops.values()) == {CAUGHT_UP}:
                result.drained = True
                break
        result.verdict = check_sink(emulator, read_events(instance.output_dir, DATASET), since, last_started)
        secrets = {"access token": emulator.org.issued_tokens(), "private key": key_fragments(private_pem)}
        allowed = {"access token": {(instance.state_dir / CONTEXT_FILE).resolve()}}
        scanned = [folder / "engine", *temp_dir.glob(f"{RUN_DIR_PREFIX}*")]
        result.verdict.secrets_found = find_secrets(scanned, secrets, allowed)
    result.seconds = time.monotonic() - started
    return result


def _set_up(emulator: Emulator, config: ChaosConfig, folder: Path) -> tuple[Path, bytes]:
    """Register a key pair with consent and write the instance file; the key stays in its own file outside
    the engine's folder, so that a copy of it anywhere under that folder is a leak."""
    private_pem, public_pem = generate_rsa_keypair()
    wiring.register_key(emulator, INTEGRATION_KEY, public_pem, wiring.LOCAL_REDIRECT)
    keys = folder / "keys"
    keys.mkdir(parents=True, exist_ok=True)
    (keys / "private.pem").write_bytes(private_pem)
    params = wiring.instance_params(
        emulator,
        INTEGRATION_KEY,
        wiring.LOCAL_REDIRECT,
        {"password_file": str((keys / "private.pem").resolve())},
        first_fetch=f"{FIRST_FETCH_DAYS} days",
        max_customer_events_per_fetch=str(config.customer_budget),
        max_user_events_per_fetch=str(config.user_budget),
        quota_share="100",
    )
    instance_file = wiring.write_instance_file(folder / "engine" / "instance.yml", "chaos", emulator, params, 120)
    return instance_file, private_pem
