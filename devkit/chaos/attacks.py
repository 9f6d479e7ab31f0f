"""What a chaos run does to the engine and the API: SIGKILLs at observed moments, faults, user churn.

A kill waits for something it can see (the child process, the emulator's answers, the sink growing) rather
than for a wall-clock delay, so the same seed kills at the same point of a run on a slow or a fast machine.
Afterwards the sink and the saved state say where the kill landed.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devkit.chaos.plan import Fault, Kill
from devkit.emulator import Emulator
from devkit.engine.instance import REPO_ROOT, Instance
from devkit.engine.sink import DATASET, dataset_path

# Generous bounds: they only end a run that hangs, never time a kill.
RUN_LIMIT = 300.0
SETTLE_LIMIT = 30.0
POLL = 0.0005

BEFORE_SEND = "before send"
DURING_SEND = "during send"
BEFORE_COMMIT = "after send, before state commit"
AFTER_COMMIT = "after state commit"
MISSED = "run ended first"


class ChaosError(RuntimeError):
    """The engine did something the chaos suite cannot go on from (a hung run, a lock never freed)."""


def inject(emulator: Emulator, faults: tuple[Fault, ...]) -> None:
    for fault in faults:
        emulator.faults.add(**fault.arguments())


def churn(emulator: Emulator, users: int) -> list[str]:
    """Change ``users`` users now; returns their ids."""
    return [user.id for user in emulator.org.change_users(users)]


@dataclass
class RunOutcome:
    """One engine process: what it printed when it finished, or where the kill landed."""

    kill: Kill | None = None
    moment: str | None = None
    appended: int = 0
    """Events the run added to the sink: the most a kill before the state commit may cause to repeat."""
    status: str = "killed"
    error: str | None = None
    stops: dict[str, str] | None = None
    seconds: float = 0.0


@dataclass(frozen=True)
class SinkMark:
    """The sink's whole-event size, its raw size and the saved last run, at one moment."""

    complete: int
    size: int
    last_run: str

    @classmethod
    def of(cls, instance: Instance) -> SinkMark:
        path = dataset_path(instance.output_dir, DATASET)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            data = b""
        try:
            last_run = (instance.state_dir / "last_run.json").read_text(encoding="utf-8")
        except FileNotFoundError:
            last_run = ""
        return cls(data.rfind(b"\n") + 1, len(data), last_run)


class EngineRun:
    """One ``fetch-events`` in an engine process of its own (:mod:`devkit.chaos.engine_process`)."""

    def __init__(self, instance_file: Path, instance: Instance, temp_dir: Path) -> None:
        self.instance = instance
        env = {**os.environ, "TMPDIR": str(temp_dir), "PYTHONPATH": str(REPO_ROOT)}
        self.before = SinkMark.of(instance)
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "devkit.chaos.engine_process", str(instance_file)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def children(self) -> list[int]:
        try:
            text = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text()
        except OSError:
            return []
        return [int(pid) for pid in text.split()]

    def finish(self) -> RunOutcome:
        try:
            stdout, stderr = self.process.communicate(timeout=RUN_LIMIT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.communicate()
            raise ChaosError(f"an engine run took longer than {RUN_LIMIT:g} s") from None
        lines = stdout.strip().splitlines()
        if self.process.returncode != 0 or not lines:
            raise ChaosError(f"the engine process failed (status {self.process.returncode}): {stderr[-2000:]}")
        data: dict[str, Any] = json.loads(lines[-1])
        appended = self._appended(SinkMark.of(self.instance))
        return RunOutcome(
            None, None, appended, str(data["status"]), data.get("error"), data.get("stops"), self._elapsed()
        )

    def attack(self, kill: Kill, emulator: Emulator) -> RunOutcome:
        """Wait for the kill's trigger, SIGKILL, then wait until nothing of the run is left; where it landed."""
        calls_before = emulator.stats().total
        deadline = time.monotonic() + RUN_LIMIT
        while not self._triggered(kill, emulator, calls_before):
            if self.process.poll() is not None:
                outcome = self.finish()
                outcome.kill, outcome.moment = kill, MISSED
                return outcome
            if time.monotonic() > deadline:
                raise ChaosError(f"the trigger of {kill} never came")
            time.sleep(POLL)
        child = self.children()
        if kill.kind in ("child", "both"):
            for pid in child:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        if kill.kind in ("engine", "both"):
            self.process.kill()
        self.process.communicate(timeout=RUN_LIMIT)
        self._wait_for_lock()
        after = SinkMark.of(self.instance)
        return RunOutcome(kill, self._moment(after), self._appended(after), seconds=self._elapsed())

    def _elapsed(self) -> float:
        return time.monotonic() - self.started

    def _triggered(self, kill: Kill, emulator: Emulator, calls_before: int) -> bool:
        if kill.trigger == "started":
            return bool(self.children())
        if kill.trigger == "calls":
            return emulator.stats().total - calls_before >= kill.calls
        path = dataset_path(self.instance.output_dir, DATASET)
        try:
            return path.stat().st_size > self.before.size
        except FileNotFoundError:
            return False

    def _moment(self, after: SinkMark) -> str:
        if after.size > after.complete:
            return DURING_SEND
        if after.complete <= self.before.complete:
            return BEFORE_SEND
        return BEFORE_COMMIT if after.last_run == self.before.last_run else AFTER_COMMIT

    def _appended(self, after: SinkMark) -> int:
        if after.complete <= self.before.complete:
            return 0
        with dataset_path(self.instance.output_dir, DATASET).open("rb") as sink:
            sink.seek(self.before.complete)
            return sink.read(after.complete - self.before.complete).count(b"\n")

    def _wait_for_lock(self) -> None:
        """The instance is free once the run's last process is gone: until then a new engine would be refused."""
        deadline = time.monotonic() + SETTLE_LIMIT
        lock = self.instance.state_dir / ".lock"
        lock.parent.mkdir(parents=True, exist_ok=True)
        while True:
            with lock.open("a") as handle:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    pass
                else:
                    fcntl.flock(handle, fcntl.LOCK_UN)
                    return
            if time.monotonic() > deadline:
                raise ChaosError(f"the instance stayed locked {SETTLE_LIMIT:g} s after its engine was killed")
            time.sleep(0.01)
