"""A run lives no longer than the engine that started it.

On the platform a command's container goes when the command ends, times out, or its engine
dies. Here the runner (the parent) and the child that runs the integration are separate
processes, and an orphaned child would go on to send its batch while a new engine, finding
the instance free, fetches the same batch again. So:

- The kernel kills the child when the parent dies (``PR_SET_PDEATHSIG``, Linux). A parent
  that died before the child asked for that would never trigger it, so the child then checks
  that its parent is still the engine that started it (:func:`die_with_parent`).
- The child forks a watchdog before the integration runs. It ends the child's whole process
  group (the child and whatever the integration started) when the parent dies, which it sees
  as end of file on a pipe only the parent writes to (the lifeline), or when the run outlives
  its timeout by :data:`WATCHDOG_GRACE` while the parent does not act (stopped, say). When the
  parent is gone it first removes the run dir, which holds the access token and which nobody
  else would remove (:func:`start_watchdog`).
- Child and watchdog inherit the open file description of the instance lock, so the lock is
  free only once neither is left: no new engine starts while the old run could still send.
- A run dir names its engine's pid (:func:`claim`); each run removes the run dirs of engines
  that died (:func:`remove_stale_run_dirs`), for what the watchdog cannot cover: an engine
  killed before its child got as far as starting one.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import select
import shutil
import signal
import stat
import sys
import tempfile
import time
from pathlib import Path

from devkit.engine.protocol import OWNER_FILE

RUN_DIR_PREFIX = "devkit-run-"
PR_SET_PDEATHSIG = 1
# Past the parent's own limit, so that a parent able to act always times the run out itself and says so.
WATCHDOG_GRACE = 2.0
# Bounds the watchdog's wait for the killed child to exit before it removes the run dir under it.
EXIT_WAIT = 5.0


def die_with_parent(parent_pid: int) -> bool:
    """Have the kernel SIGKILL this process when its parent dies; False if ``parent_pid`` is already gone."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            errno = ctypes.get_errno()
            raise OSError(errno, f"prctl(PR_SET_PDEATHSIG): {os.strerror(errno)}")
    return os.getppid() == parent_pid


def start_watchdog(run_dir: Path, lifeline: int, timeout: float) -> None:
    """Fork the watchdog (see the module docstring); only the calling process returns.

    Call it in a group leader (the child runs in a session of its own) and before any thread starts,
    since a fork copies only the calling thread.
    """
    child = os.getpid()
    if os.fork() != 0:
        return
    try:
        engine_gone = _wait_for_eof(lifeline, timeout + WATCHDOG_GRACE)
        # The child's pid is this group's id, which stays taken while the watchdog is in the group:
        # it cannot have been reused.
        with contextlib.suppress(ProcessLookupError):
            os.kill(child, signal.SIGKILL)
        if engine_gone:
            # A live engine still reads the run's output from the run dir; a dead one never will.
            _wait_for_exit(child, EXIT_WAIT)
            shutil.rmtree(run_dir, ignore_errors=True)
    finally:
        # Whatever the integration started, and the watchdog itself: the lock goes with the last of them.
        with contextlib.suppress(OSError):
            os.killpg(0, signal.SIGKILL)
        os._exit(1)  # never return into the child's code: the integration would run twice


def _wait_for_eof(fd: int, limit: float) -> bool:
    """True once every write end of the pipe ``fd`` is closed; False after ``limit`` seconds."""
    deadline = time.monotonic() + limit
    while (left := deadline - time.monotonic()) > 0:
        readable, _, _ = select.select([fd], [], [], left)
        if readable and not os.read(fd, 1):
            return True
    return False


def _wait_for_exit(pid: int, limit: float) -> None:
    deadline = time.monotonic() + limit
    while not exited(pid) and time.monotonic() < deadline:
        time.sleep(0.01)


def exited(pid: int) -> bool:
    """True once ``pid`` has exited, reaped or not (a zombie runs no code and holds no files)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except (OSError, IndexError):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            pass  # alive, and another user's
        return False
    return state in ("Z", "X")


def claim(run_dir: Path) -> None:
    """Name this process as the run dir's engine, for :func:`remove_stale_run_dirs`."""
    (run_dir / OWNER_FILE).write_text(str(os.getpid()), encoding="utf-8")


def remove_stale_run_dirs() -> None:
    """Remove this user's run dirs in the temp dir whose engine has exited."""
    uid = os.getuid()
    for run_dir in Path(tempfile.gettempdir()).glob(f"{RUN_DIR_PREFIX}*"):
        try:
            info = run_dir.lstat()
            if info.st_uid != uid or not stat.S_ISDIR(info.st_mode):
                continue
            owner = int((run_dir / OWNER_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # gone meanwhile, or its engine has not named itself yet
        if owner != os.getpid() and exited(owner):
            shutil.rmtree(run_dir, ignore_errors=True)
