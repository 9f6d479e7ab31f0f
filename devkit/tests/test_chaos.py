"""The chaos suite, short: a seeded run with kills, faults and user churn must lose nothing and leak nothing."""

from __future__ import annotations

from pathlib import Path

from devkit.chaos import attacks
from devkit.chaos.campaign import ChaosConfig, run_chaos
from devkit.chaos.plan import make_plan
from devkit.chaos.verify import check_sink, find_secrets
from devkit.emulator import Emulator

# Seed 1 kills at each kind and trigger at least once, one of them between send and state commit.
SHORT = ChaosConfig(seed=1, events=2_000, users=60, kills=4, fault_runs=3, churn_runs=2, clean_runs=1)


def test_a_short_chaos_run_loses_nothing_repeats_only_what_kills_allow_and_leaks_nothing(tmp_path: Path) -> None:
    result = run_chaos(SHORT, tmp_path)

    assert result.failures() == []
    landed = [o for o in result.outcomes if o.kill is not None and o.moment != attacks.MISSED]
    assert len(landed) >= 3  # a run that outran its kills would prove nothing
    assert result.drained
    assert result.verdict.events_expected >= SHORT.events and not result.verdict.events_lost
    assert result.verdict.repeated <= result.repeat_allowance
    assert result.verdict.users_expected > 0 and not result.verdict.users_lost
    assert result.verdict.secrets_found == []


def test_the_plan_is_the_seeds() -> None:
    assert make_plan(5, 6, 4, 2, 1) == make_plan(5, 6, 4, 2, 1)
    assert make_plan(5, 6, 4, 2, 1) != make_plan(6, 6, 4, 2, 1)
    plan = make_plan(5, 6, 4, 2, 1, waiting_faults=False)
    assert plan.kills == 6 and len(plan.steps) == 13
    assert {kill.trigger for step in plan.steps if (kill := step.kill)} == {"started", "calls", "sent"}


def test_the_sink_check_sees_a_lost_and_a_repeated_event() -> None:
    emulator = Emulator(seed=2, events=50, users=5)
    stream = emulator.org.events
    delivered = [{**stream.event(i), "source_log_type": "customerevent"} for i in range(50)]
    now = emulator.org.now()

    verdict = check_sink(emulator, [*delivered[:10], *delivered[:10], *delivered[11:]], now - 2 * 86_400, now)

    assert verdict.events_lost == [stream.event_id(10)]
    assert verdict.events_repeated == 10


def test_the_secrets_scan_finds_a_token_outside_the_integration_context(tmp_path: Path) -> None:
    (tmp_path / "state").mkdir()
    context = tmp_path / "state" / "integration_context.json"
    context.write_text('{"access_token": "tok-123"}')
    (tmp_path / "result.json").write_text('{"integration_context": {"access_token": "tok-123"}}')

    found = find_secrets([tmp_path], {"access token": ["tok-123"]}, {"access token": {context.resolve()}})

    assert found == [f"{tmp_path / 'result.json'}: access token"]
