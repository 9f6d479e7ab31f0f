"""Run one integration command the way the platform does: in a fresh process.

Each run starts a new interpreter (:mod:`devkit.engine.child`) so nothing an
integration keeps at module level (clients, caches, counters) survives into the next
run, exactly as with the platform's per-command containers.

Crash safety: the child never writes last run or integration context. It hands them
back in ``result.json`` and the parent commits them through :class:`Store` only when
the child exited cleanly and the integration finished (returned, or exited 0 as
``return_error`` does). A run killed by a signal, timed out, or ended by an uncaught
exception therefore leaves the previous state untouched, while events it already sent
stay in the sink, because the platform had received them. Deciding in the parent also
means a timeout kill can never race a half-done state write.

A run never outlives its engine: the child dies with the parent, holds the instance lock
with it, and its run dir goes with it (see :mod:`devkit.engine.lifetime`). An engine killed
mid-run therefore repeats at most the batch it had in flight, as the platform does.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from devkit import platform_modules
from devkit.engine import lifetime, sink
from devkit.engine.instance import REPO_ROOT, Instance
from devkit.engine.protocol import CHILD_MODULE, HEALTH_FILE, LOG_FILE, REPORT_MARK, RESULT_FILE, SECRETS_FILE
from devkit.engine.schedule import fetch_loop
from devkit.engine.store import Store

ERROR_ENTRY_TYPE = 4

# Outcomes of a run, from the platform's point of view.
OK = "ok"  # finished, no error entry
ERROR = "error"  # finished with an error entry, an uncaught exception or a non-zero exit
CRASHED = "crashed"  # the process died before finishing
TIMEOUT = "timeout"  # killed for running longer than the timeout


class EngineBusy(RuntimeError):
    """Another run holds this instance's state; the platform never overlaps two runs either."""


@dataclass
class RunResult:
    """What one command did, as the platform and its operator would see it."""

    command: str
    args: dict[str, Any]
    status: str
    entries: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    logs: list[tuple[str, str]] = field(default_factory=list)
    events_sent: dict[str, int] = field(default_factory=dict)
    module_health: list[Any] = field(default_factory=list)
    duration: float = 0.0
    # The child's return code: 0 for a finished run, -N when killed by signal N.
    exit_status: int | None = None
    state_saved: bool = False
    # State as the run left it (None when it did not finish); committed iff state_saved.
    last_run: dict[str, Any] | None = None
    integration_context: dict[str, Any] | None = None
    last_run_changed: bool = False
    traceback: str | None = None
    stdout: str = ""
    stderr: str = ""
    # What the integration gave add_sensitive_log_strs; never serialised, used to redact output (devkit.engine.redact).
    registered_secrets: list[str] = field(default_factory=list, repr=False)

    @property
    def ok(self) -> bool:
        return self.status == OK

    @property
    def events_total(self) -> int:
        return sum(self.events_sent.values())

    @property
    def report(self) -> dict[str, Any] | None:
        """The integration's JSON run report, when it logged one."""
        for level, message in self.logs:
            head, mark, body = message.partition(REPORT_MARK)
            if level == "info" and mark and " " not in head.strip():
                with contextlib.suppress(json.JSONDecodeError):
                    return dict(json.loads(body))
        return None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        del data["registered_secrets"]
        data["ok"] = self.ok
        return data


class Engine:
    """Runs commands of one instance, keeping its state and events between runs.

    ``env`` adds environment variables for every child (on top of the instance's);
    ``timeout`` overrides the instance's per-run limit in seconds; ``clock`` (epoch seconds) is the wall clock
    the integration sees, e.g. an emulator's simulated one (the real clock when None).
    """

    def __init__(
        self,
        instance: Instance,
        *,
        env: Mapping[str, str] | None = None,
        timeout: float | None = None,
        python: str = sys.executable,
        platform_dir: str | Path | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.instance = instance
        self.clock = clock
        self.store = Store(instance.state_dir)
        self.env = {**instance.env, **(env or {})}
        self.timeout = timeout if timeout is not None else instance.timeout
        self.python = python
        # The stand-ins, or the real modules when XSIAM_PLATFORM_DIR names them.
        self.platform_dir = Path(platform_dir) if platform_dir else platform_modules.selected_dir()

    # -------------------------------------------------------------- state and output

    @property
    def last_run(self) -> dict[str, Any]:
        return self.store.read_last_run()

    @property
    def integration_context(self) -> dict[str, Any]:
        return self.store.read_integration_context()

    def sink_events(self, dataset: str) -> list[dict[str, Any]]:
        """Every event delivered to ``dataset`` (e.g. ``docusign_docusign_raw``) so far."""
        return sink.read_events(self.instance.output_dir, dataset)

    def datasets(self) -> list[str]:
        return sorted(sink.dataset_sizes(self.instance.output_dir))

    def reset(self, events: bool = False) -> None:
        """Forget last run and context; with ``events``, empty the datasets too."""
        self.store.reset()
        if events:
            for dataset in self.datasets():
                sink.dataset_path(self.instance.output_dir, dataset).unlink()

    # -------------------------------------------------------------- running

    def fetch(
        self,
        cycles: int | None = 1,
        interval: float = 0.0,
        until_empty: bool = False,
        on_result: Callable[[int, RunResult], None] | None = None,
    ) -> list[RunResult]:
        """The fetch loop; see :func:`devkit.engine.schedule.fetch_loop`."""
        return fetch_loop(self, cycles=cycles, interval=interval, until_empty=until_empty, on_result=on_result)

    def run(
        self,
        command: str,
        args: Mapping[str, Any] | None = None,
        *,
        timeout: float | None = None,
        env: Mapping[str, str] | None = None,
    ) -> RunResult:
        """Run one command in a fresh process and commit its state if it finished."""
        if not self.instance.integration.is_file():
            raise FileNotFoundError(f"integration file not found: {self.instance.integration}")
        args = _platform_args(args or {})
        limit = timeout if timeout is not None else self.timeout
        with self._locked() as lock_fd:
            previous_last_run = self.store.read_last_run()
            request = {
                "integration": str(self.instance.integration),
                "platform_dir": str(self.platform_dir),
                "output_dir": str(self.instance.output_dir),
                "instance_name": self.instance.name,
                "command": command,
                "args": args,
                "params": self.instance.params,
                "last_run": previous_last_run,
                "integration_context": self.store.read_integration_context(),
                "wall_clock": self._wall_clock(),
                "timeout": limit,
            }
            sizes_before = sink.dataset_sizes(self.instance.output_dir)
            lifetime.remove_stale_run_dirs()
            with tempfile.TemporaryDirectory(prefix=lifetime.RUN_DIR_PREFIX) as tmp:
                run_dir = Path(tmp)
                lifetime.claim(run_dir)
                started = time.monotonic()
                returncode, stdout, stderr, timed_out = self._spawn(run_dir, request, limit, env or {}, lock_fd)
                duration = time.monotonic() - started
                result = RunResult(
                    command=command,
                    args=args,
                    status=OK,
                    logs=[(str(level), str(message)) for level, message in _read_lines(run_dir / LOG_FILE)],
                    module_health=_read_lines(run_dir / HEALTH_FILE),
                    events_sent=sink.count_appended(self.instance.output_dir, sizes_before),
                    duration=duration,
                    exit_status=returncode,
                    stdout=stdout,
                    stderr=stderr,
                    registered_secrets=[str(secret) for secret in _read_lines(run_dir / SECRETS_FILE)],
                )
                outcome = _read_result(run_dir / RESULT_FILE) if returncode == 0 and not timed_out else None
            if timed_out:
                result.status = TIMEOUT
                result.error = f"Timeout: the command did not finish within {limit:g} seconds and was killed"
            elif outcome is None:
                result.status = CRASHED
                result.error = _crash_message(returncode, stderr)
            else:
                self._apply_outcome(result, outcome, previous_last_run)
        return result

    def _wall_clock(self) -> float | None:
        """The time to give the child, when ``clock`` is set and differs from the real clock."""
        now = self.clock() if self.clock else None
        return now if now is not None and abs(now - time.time()) > 1 else None

    def _apply_outcome(self, result: RunResult, outcome: dict[str, Any], previous_last_run: dict[str, Any]) -> None:
        result.entries = _entries(outcome["results"])
        result.last_run = outcome["last_run"]
        result.integration_context = outcome["integration_context"]
        result.last_run_changed = outcome["last_run"] != previous_last_run
        exception = outcome["exception"]
        exit_code = outcome["exit_code"]
        finished = exception is None and exit_code in (0, None)
        errors = [str(entry.get("Contents")) for entry in result.entries if entry.get("Type") == ERROR_ENTRY_TYPE]
        if exception is not None:
            result.status = ERROR
            result.error = f"{exception['type']}: {exception['message']}"
            result.traceback = exception["traceback"]
        elif not finished:
            result.status = ERROR
            result.error = f"The integration exited with status {exit_code}"
        elif errors:
            result.status = ERROR
            result.error = "\n".join(errors)
        if finished:
            self.store.save(outcome["last_run"], outcome["integration_context"])
            result.state_saved = True

    def _spawn(
        self, run_dir: Path, request: dict[str, Any], limit: float, extra_env: Mapping[str, str], lock_fd: int
    ) -> tuple[int, str, str, bool]:
        env = {**os.environ, **self.env, **extra_env}
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p)
        out_path, err_path = run_dir / "stdout.txt", run_dir / "stderr.txt"
        # The child's watchdog reads end of file on this pipe when the write end, ours alone, is closed:
        # when this process dies, or below, once the run is over.
        lifeline, lifeline_write = os.pipe()
        try:
            # Output goes to files, not pipes: a process the integration left behind could
            # hold a pipe open and stall us past the child's own exit.
            with out_path.open("wb") as out, err_path.open("wb") as err:
                proc = subprocess.Popen(
                    [self.python, "-m", CHILD_MODULE, str(run_dir), str(os.getpid()), str(lifeline), str(lock_fd)],
                    stdin=subprocess.PIPE,
                    stdout=out,
                    stderr=err,
                    cwd=run_dir,
                    env=env,
                    # Its own process group, so a kill also takes whatever the integration spawned.
                    start_new_session=True,
                    pass_fds=(lifeline, lock_fd),
                )
        except BaseException:
            os.close(lifeline_write)
            raise
        finally:
            os.close(lifeline)
        exited = False
        started = time.monotonic()
        try:
            assert proc.stdin is not None
            with contextlib.suppress(BrokenPipeError):  # a child that died early is reported below
                proc.stdin.write(json.dumps(request).encode())
                proc.stdin.close()
            exited = _wait_unreaped(proc.pid, limit)
        finally:
            # Like the end of a platform container: nothing the run started outlives it.
            # The leader is not reaped yet, so its group id cannot have been reused.
            _kill_group(proc)
            proc.wait()
            # Only now: the watchdog is gone with the group and cannot take this for the engine's death.
            os.close(lifeline_write)
        # Killed past the limit without us: the child's watchdog acted while this process was stopped.
        overran = proc.returncode == -signal.SIGKILL and time.monotonic() - started >= limit
        stdout = out_path.read_text(encoding="utf-8", errors="replace")
        stderr = err_path.read_text(encoding="utf-8", errors="replace")
        return proc.returncode, stdout, stderr, not exited or overran

    @contextlib.contextmanager
    def _locked(self) -> Iterator[int]:
        """Hold the instance lock; yields its fd, which the child inherits (see :mod:`devkit.engine.lifetime`)."""
        self.instance.state_dir.mkdir(parents=True, exist_ok=True)
        with (self.instance.state_dir / ".lock").open("a") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise EngineBusy(f"another run is using {self.instance.state_dir}") from None
            try:
                yield lock.fileno()
            finally:
                # Released outright rather than by closing: the run's processes share the lock and may take
                # a moment to exit after the group kill, and none of them can run code any more.
                fcntl.flock(lock, fcntl.LOCK_UN)


def _platform_args(args: Mapping[str, Any]) -> dict[str, Any]:
    """Arguments as the platform passes them: scalars become strings."""
    converted: dict[str, Any] = {}
    for key, value in args.items():
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, int | float):
            value = str(value)
        converted[str(key)] = value
    return converted


def _wait_unreaped(pid: int, limit: float) -> bool:
    """Wait up to ``limit`` s for ``pid`` to exit, leaving it a zombie; True if it exited."""
    deadline = time.monotonic() + limit
    pause = 0.001
    while True:
        if os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
            return True
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        time.sleep(min(pause, left))
        pause = min(pause * 2, 0.02)


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)


def _read_result(path: Path) -> dict[str, Any] | None:
    try:
        return dict(json.loads(path.read_text(encoding="utf-8")))
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def _read_lines(path: Path) -> list[Any]:
    """Items of a JSONL file the child streamed; a line cut short by a kill is dropped."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    items = []
    for line in lines:
        with contextlib.suppress(json.JSONDecodeError):
            items.append(json.loads(line))
    return items


def _entries(results: list[Any]) -> list[dict[str, Any]]:
    """War-room entries, one per item: batches are flattened and bare text becomes a note."""
    entries: list[dict[str, Any]] = []
    for item in results:
        for entry in item if isinstance(item, list) else [item]:
            if entry is None:
                continue
            if isinstance(entry, dict):
                entries.append(entry)
            else:
                entries.append({"Type": 1, "ContentsFormat": "text", "Contents": str(entry), "HumanReadable": None})
    return entries


def _crash_message(returncode: int, stderr: str) -> str:
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return f"The integration process was killed by {name} before it finished"
    tail = stderr.strip().splitlines()[-1:] or ["no output"]
    return f"The integration process exited with status {returncode} before it finished: {tail[0]}"
