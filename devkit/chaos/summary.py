"""The table a chaos run ends with: what was done to the engine and the API, and what reached the sink."""

from __future__ import annotations

from collections import Counter

from devkit.chaos import attacks
from devkit.chaos.campaign import ChaosResult
from devkit.chaos.plan import KILL_KINDS

MOMENTS = (attacks.BEFORE_SEND, attacks.DURING_SEND, attacks.BEFORE_COMMIT, attacks.AFTER_COMMIT, attacks.MISSED)


def rows(result: ChaosResult) -> list[tuple[str, str]]:
    config, verdict = result.config, result.verdict
    killed = [o for o in result.outcomes if o.kill is not None]
    landed = [o for o in killed if o.moment != attacks.MISSED]
    kinds = Counter(o.kill.kind for o in landed if o.kill is not None)
    moments = Counter(o.moment for o in killed)
    statuses = Counter(o.status for o in result.outcomes if o.kill is None)
    return [
        ("seed", str(result.plan.seed)),
        (
            "backlog",
            f"{config.events:,} events, {config.users:,} users; {config.live_events_per_hour:,.0f} late "
            f"events an hour on top; {config.customer_budget:,} events and {config.user_budget:,} users a run",
        ),
        (
            "engine runs",
            f"{result.runs} ({len(result.plan.steps)} attacked, {result.drain_runs} clean to drain; "
            + ", ".join(f"{n} {s}" for s, n in sorted(statuses.items()))
            + " unkilled)",
        ),
        ("drained (last run caught up, no faults)", "yes" if result.drained else "NO"),
        ("kills by kind", f"{len(landed)}: " + ", ".join(f"{kind} {kinds[kind]}" for kind in KILL_KINDS)),
        ("kills by moment", ", ".join(f"{moment} {moments[moment]}" for moment in MOMENTS)),
        (
            "faults injected",
            f"{sum(result.faults.values())}: " + ", ".join(f"{name} {n}" for name, n in sorted(result.faults.items())),
        ),
        ("users churned", str(result.users_churned)),
        ("events expected / delivered", f"{verdict.events_expected:,} / {verdict.events_delivered:,}"),
        ("events lost", str(len(verdict.events_lost))),
        (
            "repeated (events + user records)",
            f"{verdict.events_repeated} + {verdict.user_records_repeated}; "
            f"allowed {result.repeat_allowance} (what the runs killed between "
            "send and state commit had sent)",
        ),
        ("user changes expected / delivered", f"{verdict.users_expected} / {verdict.users_delivered}"),
        ("user changes lost", str(len(verdict.users_lost))),
        ("user changes pending by design (eSignature-only, < 1 h)", str(len(verdict.users_pending))),
        ("secrets found in the engine's files", str(len(verdict.secrets_found))),
        ("wall time", f"{result.seconds:.1f} s"),
    ]


def table(result: ChaosResult) -> str:
    lines = rows(result)
    width = max(len(name) for name, _ in lines)
    text = "\n".join(f"  {name:<{width}}  {value}" for name, value in lines)
    failures = result.failures()
    verdict = "FAILED: " + "; ".join(failures) if failures else "passed: nothing lost, repeats within the bound"
    return f"{text}\n{verdict}"
