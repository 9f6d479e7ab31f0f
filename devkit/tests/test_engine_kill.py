"""An engine that dies mid-run (kill -9, a stop signal) takes its run with it.

The engine runs in a separate parent process here, so the test can kill it the way an
operator or the OOM killer would and then watch what its child does as an orphan.
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
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devkit.engine import DATASET, Engine
from devkit.engine.instance import REPO_ROOT
from devkit.engine.protocol import OWNER_FILE
from devkit.engine.testing import fake_instance

# Starts a helper process, says where it stands, then takes long enough to be killed mid-run before it
# sends: an orphan that got this far would still deliver its batch.
SLOW_SENDER = """
import json, os, subprocess, sys, time


def main():
    marker = demisto.args()["marker"]
    helper = subprocess.Popen(["sleep", "60"])
    with open(marker + ".tmp", "w") as out:
        json.dump({"pid": os.getpid(), "helper": helper.pid, "cwd": os.getcwd()}, out)
    os.replace(marker + ".tmp", marker)
    time.sleep(60)
    send_events_to_xsiam([{"n": 1}], vendor="Docusign", product="Docusign")
"""

# The engine's process: one fetch, then its outcome as JSON on stdout.
PARENT = """
import json, sys
from pathlib import Path
from typing import Any

from devkit.engine import Engine
from devkit.engine.testing import fake_instance

folder = Path(sys.argv[1])
engine = Engine(fake_instance(folder, sys.argv[2]), timeout=float(sys.argv[3]))
result = engine.run("fetch-events", {"marker": str(folder / "marker.json")})
print(json.dumps({"status": result.status, "error": result.error}))
"""

STARTUP_LIMIT = 60.0  # generous: only bounds a broken run, never measures speed
SETTLE_LIMIT = 10.0


@pytest.fixture
def temp_root(tmp_path: Path) -> Path:
    """The parent's temp dir, so run dirs it leaves behind can be counted."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    return folder


@contextlib.contextmanager
def engine_process(folder: Path, temp_root: Path, timeout: float) -> Iterator[subprocess.Popen[str]]:
    env = {**os.environ, "TMPDIR": str(temp_root), "PYTHONPATH": str(REPO_ROOT)}
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, str(folder), SLOW_SENDER, str(timeout)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield parent
    finally:
        with contextlib.suppress(ProcessLookupError):
            parent.kill()
        parent.communicate()


def wait_for_marker(folder: Path, parent: subprocess.Popen[str]) -> dict[str, Any]:
    marker = folder / "marker.json"
    deadline = time.monotonic() + STARTUP_LIMIT
    while not marker.exists():
        if parent.poll() is not None:
            pytest.fail(f"the engine ended before the run started: {parent.communicate()}")
        if time.monotonic() > deadline:
            pytest.fail("the run never started")
        time.sleep(0.02)
    return dict(json.loads(marker.read_text()))


def running(pid: int) -> bool:
    """True until ``pid`` has exited (a zombie waiting for its reaper has)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


def wait_until_gone(pid: int) -> bool:
    deadline = time.monotonic() + SETTLE_LIMIT
    while running(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def try_lock(path: Path) -> bool:
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(handle, fcntl.LOCK_UN)
        return True


def test_killing_the_engine_kills_its_run_before_freeing_the_instance(tmp_path: Path, temp_root: Path) -> None:
    with engine_process(tmp_path, temp_root, timeout=120) as parent:
        run = wait_for_marker(tmp_path, parent)
        assert Path(run["cwd"]).parent == temp_root  # the run dir is where the test looks for leftovers

        parent.send_signal(signal.SIGKILL)
        parent.wait()

        lock = tmp_path / "state" / ".lock"
        deadline = time.monotonic() + SETTLE_LIMIT
        while not try_lock(lock):
            assert time.monotonic() < deadline, "the instance stayed locked after the engine died"
            time.sleep(0.02)
        # Free means nothing of the old run can send any more: a new engine may start now.
        assert not running(run["pid"])
        assert wait_until_gone(run["helper"])
        # The run dir held the access token (result.json); nobody else would remove it.
        assert list(temp_root.glob("devkit-run-*")) == []
        assert not (tmp_path / "out" / f"{DATASET}.jsonl").exists()


def test_a_stopped_engine_cannot_stretch_its_run_past_the_timeout(tmp_path: Path, temp_root: Path) -> None:
    with engine_process(tmp_path, temp_root, timeout=1) as parent:
        run = wait_for_marker(tmp_path, parent)
        parent.send_signal(signal.SIGSTOP)
        try:
            assert wait_until_gone(run["pid"]), "the run outlived its timeout while its engine was stopped"
            assert wait_until_gone(run["helper"])
            # The engine still owns the run dir: it reads the run's output from it when it resumes.
            assert len(list(temp_root.glob("devkit-run-*"))) == 1
        finally:
            parent.send_signal(signal.SIGCONT)
        stdout, stderr = parent.communicate(timeout=STARTUP_LIMIT)

    assert parent.returncode == 0, stderr
    assert json.loads(stdout)["status"] == "timeout"
    assert list(temp_root.glob("devkit-run-*")) == []


def test_a_child_dies_with_its_parent_and_sees_when_the_parent_is_already_gone() -> None:
    # The second call stands for an engine that died before the child asked: the kernel would never
    # signal, so the child must notice from its parent's pid and not run.
    child = (
        "import os, time\n"
        "from devkit.engine.lifetime import die_with_parent\n"
        "print(os.getpid(), die_with_parent(os.getppid()), die_with_parent(os.getppid() + 1), flush=True)\n"
        "time.sleep(60)\n"
    )
    parent = f"import subprocess, sys, time\nsubprocess.Popen([sys.executable, '-c', {child!r}])\ntime.sleep(60)\n"
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}

    with subprocess.Popen([sys.executable, "-c", parent], env=env, stdout=subprocess.PIPE, text=True) as process:
        assert process.stdout is not None
        pid, with_parent, other_parent = process.stdout.readline().split()
        process.kill()

    assert (with_parent, other_parent) == ("True", "False")
    assert wait_until_gone(int(pid))


def test_run_dirs_of_dead_engines_are_removed_by_the_next_run(
    tmp_path: Path, temp_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("tempfile.tempdir", str(temp_root))
    gone = subprocess.Popen(["true"])
    gone.wait()
    stale = temp_root / "devkit-run-stale"
    live = temp_root / "devkit-run-live"
    # No owner yet: an engine may be between creating the dir and naming itself in it.
    unowned = temp_root / "devkit-run-unowned"
    for folder, owner in ((stale, gone.pid), (live, os.getpid()), (unowned, None)):
        folder.mkdir()
        (folder / "result.json").write_text('{"integration_context": {"access_token": "t"}}')
        if owner is not None:
            (folder / OWNER_FILE).write_text(str(owner))

    engine = Engine(fake_instance(tmp_path, "def main():\n    return_results('ok')\n"))
    assert engine.run("test-module").ok

    assert sorted(path.name for path in temp_root.glob("devkit-run-*")) == [live.name, unowned.name]


def test_a_state_save_cut_short_by_a_kill_leaves_no_copy_of_the_token(tmp_path: Path) -> None:
    engine = Engine(fake_instance(tmp_path, "def main():\n    set_integration_context({'access_token': 'new'})\n"))
    # What an engine killed between writing the temp file and renaming it leaves next to the state.
    torn = tmp_path / "state" / ".integration_context.json.k1ll3d.tmp"
    torn.parent.mkdir()
    torn.write_text('{"access_token": "old"}')

    assert engine.run("fetch-events").state_saved

    assert engine.integration_context == {"access_token": "new"}
    assert sorted(path.name for path in torn.parent.iterdir()) == [".lock", "integration_context.json", "last_run.json"]
