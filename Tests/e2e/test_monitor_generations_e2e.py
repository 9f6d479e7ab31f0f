"""Customer events through both Monitor generations: v1 (DocuSign's documented endpoint) and v2.0 "lens",
each alone, and across a switch mid-drain, with faults along the way: every event exactly once."""

from __future__ import annotations

from collections import Counter

import pytest

from devkit.emulator import Emulator
from devkit.engine import DATASET, Engine

from .conftest import EmulatorFactory, EngineFor

BACKLOG = 6_000
BUDGET = "2000"


def all_event_ids(emulator: Emulator) -> list[str]:
    """The emulator's whole (historical) stream in cursor order, straight from its model."""
    stream = emulator.org.events
    return [stream.event_id(i) for i in range(stream.spec.count)]


def customer_ids(engine: Engine) -> list[str]:
    return [e["eventId"] for e in engine.sink_events(DATASET) if e.get("source_log_type") == "customerevent"]


def drain(engine: Engine, emulator: Emulator, runs: int = 8) -> None:
    emulator.faults.add(path="monitor", kind="status", status=500, count=1)
    emulator.faults.add(path="monitor", kind="status", status=429, count=1, retry_after=1)
    results = engine.fetch(cycles=runs, interval=0, until_empty=True)
    assert all(r.ok for r in results), [r.error for r in results]


@pytest.mark.parametrize("offered, used", [("v1", "monitor.v1.stream"), ("lens", "monitor.stream")])
def test_auto_drains_whichever_generation_the_tenant_offers(
    offered: str, used: str, emulator_factory: EmulatorFactory, engine_for: EngineFor
) -> None:
    emulator = emulator_factory(events=BACKLOG, users=20, span_hours=24, monitor_generations=offered)
    engine = engine_for(emulator, event_types=["Customer events"], first_fetch="3 days",
                        max_customer_events_per_fetch=BUDGET)  # fmt: skip
    drain(engine, emulator)
    delivered = customer_ids(engine)
    assert not [i for i, n in Counter(delivered).items() if n > 1]
    assert delivered == all_event_ids(emulator)
    assert engine.last_run["customer_events"]["api"] == ("v1" if offered == "v1" else "lens")
    stats = emulator.stats()
    assert stats.count(used, 200) > 0 and stats.count("monitor.", 500) == 1 and stats.count("monitor.", 429) == 1


def test_switching_generation_mid_drain_and_back_loses_and_repeats_nothing(
    emulator_factory: EmulatorFactory, engine_for: EngineFor
) -> None:
    emulator = emulator_factory(events=BACKLOG, users=20, span_hours=24)
    engine = engine_for(emulator, event_types=["Customer events"], first_fetch="3 days",
                        max_customer_events_per_fetch=BUDGET, monitor_api="v2.0 (lens)")  # fmt: skip
    assert engine.run("fetch-events").events_total == 2_000  # a third of the backlog through lens
    engine.instance.params["monitor_api"] = "v1"
    emulator.faults.add(path="monitor", kind="status", status=503, count=1)
    assert engine.run("fetch-events").ok  # the next part through v1, resuming before lens's newest event
    engine.instance.params["monitor_api"] = "v2.0 (lens)"
    drain(engine, emulator)  # and the rest through lens again
    delivered = customer_ids(engine)
    assert not [i for i, n in Counter(delivered).items() if n > 1]
    assert sorted(delivered) == sorted(all_event_ids(emulator))
    stats = emulator.stats()
    assert stats.count("monitor.v1.stream", 200) > 0 and stats.count("monitor.stream", 200) > 0
    assert stats.count("monitor.v1.stream", 503) == 1
