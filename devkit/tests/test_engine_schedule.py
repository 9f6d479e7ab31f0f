"""The fetch loop: cycles, until-empty, pacing and the run history."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from devkit.engine import DATASET, Engine, RunResult
from devkit.engine.schedule import fetch_loop, read_runs
from devkit.engine.testing import fake_instance


@dataclass
class ScriptedEngine:
    """Answers fetches with preset event counts, so pacing can be tested without processes."""

    state_dir: Path
    counts: list[int]
    clock: list[float] = field(default_factory=lambda: [0.0])
    calls: list[str] = field(default_factory=list)

    @property
    def instance(self) -> Any:
        return SimpleNamespace(state_dir=self.state_dir)

    def run(self, command: str) -> RunResult:
        self.calls.append(command)
        count = self.counts[len(self.calls) - 1]
        return RunResult(command=command, args={}, status="ok", events_sent={DATASET: count} if count else {})


def test_runs_the_given_number_of_cycles_and_records_each(tmp_path: Path) -> None:
    engine = ScriptedEngine(tmp_path, [5, 0, 5])
    seen: list[int] = []

    results = fetch_loop(engine, cycles=3, on_result=lambda cycle, _: seen.append(cycle))  # type: ignore[arg-type]

    assert engine.calls == ["fetch-events"] * 3
    assert [r.events_total for r in results] == [5, 0, 5]
    assert seen == [1, 2, 3]
    runs = read_runs(tmp_path)
    assert [(run["cycle"], run["events_total"], run["status"]) for run in runs] == [
        (1, 5, "ok"),
        (2, 0, "ok"),
        (3, 5, "ok"),
    ]


def test_until_empty_stops_after_the_first_empty_run(tmp_path: Path) -> None:
    engine = ScriptedEngine(tmp_path, [5, 2, 0, 7])

    results = fetch_loop(engine, cycles=None, until_empty=True)  # type: ignore[arg-type]

    assert [r.events_total for r in results] == [5, 2, 0]


def test_cycles_bound_until_empty(tmp_path: Path) -> None:
    results = fetch_loop(ScriptedEngine(tmp_path, [1, 1, 1, 0]), cycles=2, until_empty=True)  # type: ignore[arg-type]
    assert len(results) == 2


def test_runs_start_one_interval_apart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    now = [100.0]
    monkeypatch.setattr("devkit.engine.schedule.time.monotonic", lambda: now[0])
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    engine = ScriptedEngine(tmp_path, [1, 1, 1])
    original_run = engine.run

    def slow_run(command: str) -> RunResult:
        now[0] += 2.0  # each fetch takes 2 s of the 10 s slot
        return original_run(command)

    engine.run = slow_run  # type: ignore[method-assign]
    fetch_loop(engine, cycles=3, interval=10, sleep=sleep)  # type: ignore[arg-type]

    assert waits == [8.0, 8.0]


@pytest.mark.parametrize(
    "kwargs", [{"cycles": None}, {"cycles": 0}, {"cycles": 1, "interval": -1}], ids=["endless", "zero", "negative"]
)
def test_bad_loop_settings_are_refused(tmp_path: Path, kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        fetch_loop(ScriptedEngine(tmp_path, []), **kwargs)  # type: ignore[arg-type]


def test_engine_fetch_drains_a_real_integration(tmp_path: Path) -> None:
    engine = Engine(
        fake_instance(
            tmp_path,
            """
            def main():
                cursor = demisto.getLastRun().get("cursor", 0)
                batch = [{"n": n} for n in range(cursor, min(cursor + 2, 3))]
                send_events_to_xsiam(batch, vendor="Docusign", product="Docusign")
                demisto.setLastRun({"cursor": cursor + len(batch)})
            """,
        )
    )

    results = engine.fetch(cycles=10, until_empty=True)

    assert [r.events_sent for r in results] == [{DATASET: 2}, {DATASET: 1}, {}]
    assert all(r.ok and r.state_saved for r in results)
    assert engine.last_run == {"cursor": 3}
    assert [e["n"] for e in engine.sink_events(DATASET)] == [0, 1, 2]
    runs = read_runs(engine.instance.state_dir)
    assert [run["module_health"] for run in runs] == [
        [[{"eventsPulled": 2}, False]],
        [[{"eventsPulled": 1}, False]],
        [[{"eventsPulled": 0}, False]],
    ]
