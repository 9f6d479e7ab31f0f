"""The process one command runs in: ``python -m devkit.engine.child <run_dir> <engine pid> <lifeline fd> <lock fd>``.

The parent (:mod:`devkit.engine.runner`) writes a request as JSON to stdin; secrets in
the params therefore never touch the disk. This process loads the platform modules named in
the request (stand-ins or real, see :mod:`devkit.platform_modules`) with the request in
their recorder, installs the event sink, runs the integration file as
``__main__`` and writes ``<run_dir>/result.json``. Logs, module health and registered
secrets go to ``<run_dir>/*.jsonl`` as they are emitted so they survive a crash. It
never writes instance state: the parent does that after a clean exit (see the runner
for why). It dies with the parent, and the run dir with it (:mod:`devkit.engine.lifetime`).
"""

from __future__ import annotations

import json
import os
import runpy
import shutil
import sys
import traceback
from pathlib import Path
from typing import Any, TextIO

from devkit.engine.lifetime import die_with_parent, start_watchdog
from devkit.engine.protocol import HEALTH_FILE, LOG_FILE, RESULT_FILE, SECRETS_FILE
from devkit.engine.sink import EventSink
from devkit.engine.store import atomic_write_json
from devkit.platform_modules import activate, platform

# Exit status of a child that found its engine gone before the run started.
ORPHANED = 3


class _Tee(list[Any]):
    """A platform list that also streams each item to a file: the server has logs, health updates
    and registered secrets as they happen, so they must outlive a run that never finishes."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self._stream = stream

    def append(self, item: Any) -> None:
        super().append(item)
        self._stream.write(json.dumps(item, default=str) + "\n")
        self._stream.flush()


def _jsonable(value: Any) -> Any:
    """What survives the trip to the platform; odd objects become their text."""
    return json.loads(json.dumps(value, default=str))


def main(argv: list[str]) -> int:
    run_dir, engine_pid, lifeline, lock_fd = Path(argv[0]), int(argv[1]), int(argv[2]), int(argv[3])
    if not die_with_parent(engine_pid):
        # The engine died before the kernel could be asked to end this process with it: nobody would
        # collect this run, and a new engine may already be fetching the same events.
        print(f"devkit: the engine (pid {engine_pid}) is gone; the run did not start", file=sys.stderr)
        shutil.rmtree(run_dir, ignore_errors=True)
        return ORPHANED
    # Not for programs the integration runs: they cannot send, but one that left the process group would keep
    # the instance locked. A forked copy of this process still shares both, as it could send.
    for fd in (lifeline, lock_fd):
        os.set_inheritable(fd, False)
    request = json.load(sys.stdin)
    start_watchdog(run_dir, lifeline, float(request["timeout"]))
    integration = Path(request["integration"])
    platform_dir = Path(request["platform_dir"])

    # Only what the platform's container offers: the integration's folder and the
    # platform modules, not this repository.
    repo_root = str(Path(__file__).resolve().parents[2])
    sys.path[:] = [p for p in sys.path if p not in ("", ".", repo_root, os.getcwd())]

    if request.get("wall_clock") is not None:
        # The integration sees the emulator's (simulated) time; timeouts and budgets keep the monotonic clock.
        import time_machine

        time_machine.travel(float(request["wall_clock"]), tick=True).start()

    log_stream = (run_dir / LOG_FILE).open("a", encoding="utf-8")
    health_stream = (run_dir / HEALTH_FILE).open("a", encoding="utf-8")
    secrets_stream = (run_dir / SECRETS_FILE).open("a", encoding="utf-8")
    # The params are in place before CSP is imported: its LOG masks secret parameters from then on.
    activate(
        platform_dir,
        params=request["params"],
        args=request["args"],
        command=request["command"],
        last_run=request["last_run"],
        integration_context=request["integration_context"],
        event_sink=EventSink(request["output_dir"]),
        instance=request["instance_name"],
        logs=_Tee(log_stream),
        module_health=_Tee(health_stream),
        sensitive_strings=_Tee(secrets_stream),
    )
    sys.path.insert(0, str(integration.parent))

    exit_code: int | str | None = None
    exception: dict[str, str] | None = None
    try:
        runpy.run_path(str(integration), run_name="__main__")
    except SystemExit as exc:
        # return_error posts an error entry, then exits 0: a normal end for the platform.
        exit_code = exc.code if exc.code is None or isinstance(exc.code, int) else str(exc.code)
    except BaseException as exc:
        exception = {"type": type(exc).__name__, "message": str(exc), "traceback": traceback.format_exc()}

    result = {
        "exit_code": exit_code,
        "exception": exception,
        "results": _jsonable(platform.results),
        "last_run": platform.last_run,
        "integration_context": platform.integration_context,
    }
    atomic_write_json(run_dir / RESULT_FILE, result)
    for stream in (log_stream, health_stream, secrets_stream):
        stream.close()
    return 0


if __name__ == "__main__":
    code = main(sys.argv[1:])
    sys.stdout.flush()
    sys.stderr.flush()
    # Leftover non-daemon threads must not keep a finished run alive.
    os._exit(code)
