"""The schedule of a chaos run, drawn from one seed: which run gets which kill, faults and user churn."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

# Who gets SIGKILL: the engine (the parent, its child then dies with it), the child running the integration
# (the engine survives and sees a crash), or both at once.
KILL_KINDS = ("engine", "child", "both")
# When, as observed rather than timed: the child has started; the emulator has answered the run's n-th API
# call; the sink has grown (the batch was sent: the kill lands before, or just after, the state commit).
TRIGGERS = ("started", "calls", "sent")

_BODY_400 = '{{"errorCode": "{code}", "message": "The maximum number of {kind} API invocations has been exceeded."}}'
# Fault kinds as keyword arguments of FaultSet.add, by the name the summary counts them under.
FAULTS: dict[str, dict[str, Any]] = {
    "500": {"kind": "status", "status": 500},
    "503": {"kind": "status", "status": 503},
    "429 Retry-After": {"kind": "retry_after", "retry_after": 1},
    "429 no Retry-After": {"kind": "status", "status": 429},
    "400 HOURLY limit": {
        "kind": "status",
        "status": 400,
        "body": _BODY_400.format(code="HOURLY_APIINVOCATION_LIMIT_EXCEEDED", kind="hourly"),
    },
    "400 BURST limit": {
        "kind": "status",
        "status": 400,
        "body": _BODY_400.format(code="BURST_APIINVOCATION_LIMIT_EXCEEDED", kind="burst"),
    },
    "dropped connection": {"kind": "drop"},
    "truncated body": {"kind": "truncate"},
    "200 not JSON": {"kind": "non_json"},
    "HTML error page": {"kind": "html", "status": 502},
    "slow reply": {"kind": "delay", "delay": 0.4},
    "200 wrong shape": {"kind": "status", "status": 200, "body": '{"unexpected": true}'},
}
# DocuSign's burst window is 30 s: a rate-limit reply that names no wait is waited out for that long (twice per
# hit), so a run that must finish in seconds leaves these out.
WAITING_FAULTS = frozenset({"429 no Retry-After", "400 BURST limit"})
TARGETS = ("monitor", "admin", "esign", "token")


@dataclass(frozen=True)
class Kill:
    kind: str
    trigger: str
    calls: int = 1
    """For the ``calls`` trigger: how many API answers of this run to wait for."""


@dataclass(frozen=True)
class Fault:
    name: str
    target: str
    count: int

    def arguments(self) -> dict[str, Any]:
        """Keyword arguments of the emulator's ``FaultSet.add``."""
        return {"path": self.target, "count": self.count, **FAULTS[self.name]}


@dataclass(frozen=True)
class Step:
    """One run of the attack phase and what is done to it."""

    kill: Kill | None = None
    faults: tuple[Fault, ...] = ()
    churn: int = 0
    """Users changed just before the run."""


@dataclass(frozen=True)
class Plan:
    seed: int
    steps: tuple[Step, ...] = field(default_factory=tuple)

    @property
    def kills(self) -> int:
        return sum(step.kill is not None for step in self.steps)


def make_plan(
    seed: int, kills: int, fault_runs: int, churn_runs: int, clean_runs: int, waiting_faults: bool = True
) -> Plan:
    """``kills`` runs killed, ``fault_runs`` runs with one to three faults, ``churn_runs`` preceded by user
    changes, ``clean_runs`` left alone; shuffled, with every kind and trigger used before any repeats.
    Without ``waiting_faults``, none of the faults that cost a 30-second wait."""
    rng = random.Random(seed)
    fault_names = tuple(name for name in FAULTS if waiting_faults or name not in WAITING_FAULTS)
    kinds = _cycled(rng, KILL_KINDS, kills)
    triggers = _cycled(rng, TRIGGERS, kills)
    slots: list[dict[str, Any]] = [
        {"kill": Kill(kind, trigger, rng.randint(1, 3))} for kind, trigger in zip(kinds, triggers, strict=True)
    ]
    names = _cycled(rng, fault_names, fault_runs)
    for name in names:
        extra = rng.sample(fault_names, rng.randint(0, 2))
        faults = tuple(Fault(n, rng.choice(TARGETS), rng.randint(1, 3)) for n in (name, *extra))
        slots.append({"faults": faults})
    slots += [{"churn": rng.randint(1, 5)} for _ in range(churn_runs)]
    slots += [{} for _ in range(clean_runs)]
    rng.shuffle(slots)
    # Kills also land on runs under faults or after churn: those are the runs most likely to misstep.
    for slot in slots:
        if "kill" in slot and rng.random() < 0.3:
            slot["faults"] = (Fault(rng.choice(fault_names), rng.choice(TARGETS), 1),)
    return Plan(seed, tuple(Step(**slot) for slot in slots))


def _cycled(rng: random.Random, choices: tuple[str, ...], n: int) -> list[str]:
    """``n`` picks that go through every choice (in a random order) before repeating one."""
    picks: list[str] = []
    while len(picks) < n:
        round_ = list(choices)
        rng.shuffle(round_)
        picks += round_
    return picks[:n]
