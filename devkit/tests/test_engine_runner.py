"""Runs in a fresh process: state between runs, isolation, crashes, errors, timeouts."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from devkit.engine import DATASET, Engine, EngineBusy
from devkit.engine.testing import fake_instance
from devkit.platform_modules import selected_dir

# Sends three numbered events per fetch, counts runs in the context, and can be told
# (through args) to die, fail or sleep at chosen points.
COLLECTOR = """
import os, signal, subprocess, sys

CALLS = 0  # module state: must be 1 in every run if nothing leaks


def main():
    global CALLS
    CALLS += 1
    args = demisto.args()
    command = demisto.command()
    demisto.info(f"{command} starting, calls={CALLS}")
    if command == "test-module":
        return_results("ok")
    elif command == "fetch-events":
        start = demisto.getLastRun().get("next", 0)
        events = [{"n": start + i} for i in range(int(args.get("count", 3)))]
        send_events_to_xsiam(events, vendor="Docusign", product="Docusign")
        if args.get("crash") == "after-send":
            os.kill(os.getpid(), signal.SIGKILL)
        if args.get("raise") == "after-set":
            demisto.setLastRun({"next": -1})
            raise ValueError("boom")
        if args.get("exit"):
            demisto.setLastRun({"next": -1})
            sys.exit(int(args["exit"]))
        if args.get("sleep"):
            helper = subprocess.Popen(["sleep", args["sleep"]])
            demisto.info(f"helper pid {helper.pid}")
            time.sleep(float(args["sleep"]))
        demisto.setLastRun({"next": start + len(events)})
        demisto.info("Fake run report: " + json.dumps({"events": len(events), "retries": 0}))
        context = get_integration_context()
        context["fetches"] = context.get("fetches", 0) + 1
        set_integration_context(context)
    elif command == "fake-get-events":
        demisto.setLastRun({"next": 999})  # what get-events must not do
        return_results(CommandResults(outputs_prefix="Fake", outputs=[{"n": 1}]))
    elif command == "fake-echo":
        return_results({
            "Type": 1, "ContentsFormat": "json",
            "Contents": {
                "args": args, "calls": CALLS, "params": demisto.params(),
                "env": {k: os.environ.get(k) for k in ("FROM_INSTANCE", "FROM_ENGINE", "FROM_RUN")},
                "leaked": getattr(demisto, "leaked", None), "cwd": os.getcwd(), "path": sys.path[:2],
            },
        })
        demisto.leaked = "set by an earlier run"
    else:
        return_error(f"Unknown command: {command}")
"""


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    return Engine(
        fake_instance(
            tmp_path, COLLECTOR, params={"url": "https://x", "credentials": {"identifier": "", "password": "PEM"}}
        )
    )


def echo(engine: Engine, args: dict | None = None, **kwargs) -> dict:
    result = engine.run("fake-echo", args or {}, **kwargs)
    assert result.ok, result.error
    return result.entries[0]["Contents"]


def test_state_survives_into_the_next_process(engine: Engine) -> None:
    first = engine.run("fetch-events")
    second = engine.run("fetch-events")

    assert first.ok and second.ok
    assert first.state_saved and second.state_saved
    assert engine.last_run == {"next": 6}
    assert engine.integration_context == {"fetches": 2}
    assert [event["n"] for event in engine.sink_events(DATASET)] == list(range(6))
    assert second.events_sent == {DATASET: 3}
    assert second.module_health == [[{"eventsPulled": 3}, False]]
    assert ("info", "fetch-events starting, calls=1") in second.logs


def test_the_integrations_json_run_report_is_read_from_its_log(engine: Engine) -> None:
    fetched = engine.run("fetch-events", {"count": 2})
    echoed = engine.run("fake-echo")

    assert fetched.report == {"events": 2, "retries": 0}
    assert echoed.report is None


def test_module_state_does_not_leak_between_runs(engine: Engine) -> None:
    first, second = echo(engine), echo(engine)

    assert first["calls"] == second["calls"] == 1
    assert second["leaked"] is None


def test_child_sees_params_args_env_and_only_platform_paths(engine: Engine, tmp_path: Path) -> None:
    engine = Engine(engine.instance.with_changes(env={"FROM_INSTANCE": "i"}), env={"FROM_ENGINE": "e"})

    seen = echo(engine, {"limit": 5, "push": True, "name": "two words"}, env={"FROM_RUN": "r"})

    assert seen["args"] == {"limit": "5", "push": "true", "name": "two words"}
    assert seen["params"]["credentials"] == {"identifier": "", "password": "PEM"}
    assert seen["env"] == {"FROM_INSTANCE": "i", "FROM_ENGINE": "e", "FROM_RUN": "r"}
    assert seen["path"][0] == str(tmp_path)
    assert seen["path"][1] == str(selected_dir())
    assert not seen["cwd"].startswith(str(tmp_path))


def test_kill_after_send_keeps_prior_state_and_the_sent_events(engine: Engine) -> None:
    engine.run("fetch-events")
    before = (engine.store.last_run_path.read_bytes(), engine.store.context_path.read_bytes())

    crashed = engine.run("fetch-events", {"crash": "after-send"})

    assert crashed.status == "crashed" and not crashed.ok
    assert crashed.exit_status == -9
    assert "SIGKILL" in (crashed.error or "")
    assert not crashed.state_saved and crashed.last_run is None
    assert (engine.store.last_run_path.read_bytes(), engine.store.context_path.read_bytes()) == before
    # The platform had them: they stay, and the next fetch repeats from the old cursor.
    assert crashed.events_sent == {DATASET: 3}
    assert crashed.module_health == [[{"eventsPulled": 3}, False]]
    assert ("info", "fetch-events starting, calls=1") in crashed.logs
    engine.run("fetch-events")
    assert [event["n"] for event in engine.sink_events(DATASET)] == [0, 1, 2, 3, 4, 5, 3, 4, 5]
    assert engine.last_run == {"next": 6}


def test_return_error_is_an_error_result_and_the_run_counts_as_finished(engine: Engine) -> None:
    result = engine.run("no-such-command")

    assert result.status == "error"
    assert result.error == "Unknown command: no-such-command"
    assert result.entries[0]["Type"] == 4
    assert result.exit_status == 0
    assert result.state_saved
    # return_error logs through CSP's LOG, which the platform writes as one info line.
    assert ("info", "Full Integration Log:\nUnknown command: no-such-command") in result.logs


def test_uncaught_exception_and_nonzero_exit_do_not_save_state(engine: Engine) -> None:
    engine.run("fetch-events")

    raised = engine.run("fetch-events", {"raise": "after-set"})
    exited = engine.run("fetch-events", {"exit": "3"})

    assert raised.status == "error" and raised.error == "ValueError: boom"
    assert "Traceback" in (raised.traceback or "")
    assert exited.status == "error" and "status 3" in (exited.error or "")
    assert not raised.state_saved and not exited.state_saved
    assert engine.last_run == {"next": 3}


def test_timeout_kills_the_run_and_keeps_state(engine: Engine) -> None:
    engine.run("fetch-events")

    result = engine.run("fetch-events", {"sleep": "30"}, timeout=1.5)

    assert result.status == "timeout"
    assert result.error is not None and result.error.startswith("Timeout")
    assert result.duration < 5
    assert not result.state_saved
    assert engine.last_run == {"next": 3}
    assert result.events_sent == {DATASET: 3}
    # Whatever the integration started goes down with it.
    helper = next(int(message.split()[-1]) for _, message in result.logs if message.startswith("helper pid"))
    assert _gone(helper)


def _gone(pid: int) -> bool:
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except FileNotFoundError:
            return True
        if "\nState:\tZ" in status:  # dead, waiting for init to reap it
            return True
        time.sleep(0.05)
    return False


def test_get_events_changing_last_run_is_flagged(engine: Engine) -> None:
    result = engine.run("fake-get-events")

    assert result.ok
    assert result.last_run_changed
    assert result.entries[0]["HumanReadable"].startswith("### Results")


def test_busy_instance_and_missing_integration_are_refused(engine: Engine, tmp_path: Path) -> None:
    with engine._locked(), pytest.raises(EngineBusy):
        engine.run("test-module")
    missing = Engine(engine.instance.with_changes(integration=tmp_path / "nope.py"))
    with pytest.raises(FileNotFoundError):
        missing.run("test-module")


def test_result_serialises(engine: Engine) -> None:
    result = engine.run("test-module")

    data = json.loads(json.dumps(result.to_dict()))
    assert data["ok"] is True and data["entries"][0]["Contents"] == "ok"


def test_reset_forgets_state_and_optionally_events(engine: Engine) -> None:
    engine.run("fetch-events")
    engine.reset()
    assert engine.last_run == {} and engine.integration_context == {}
    assert engine.datasets() == [DATASET]
    engine.reset(events=True)
    assert engine.datasets() == []


def test_a_lone_surrogate_is_delivered_and_does_not_wedge_the_sink(tmp_path: Path) -> None:
    # "\ud800" is what json.loads makes of a valid JSON escape, so an API can hand it to the integration.
    engine = Engine(
        fake_instance(
            tmp_path,
            """
            def main():
                n = demisto.getLastRun().get("n", 0)
                event = {"n": n, "name": "a\\ud800b", "city": "Zürich"}
                send_events_to_xsiam([event], vendor="Docusign", product="Docusign")
                demisto.setLastRun({"n": n + 1})
            """,
        )
    )

    first, second = engine.run("fetch-events"), engine.run("fetch-events")

    assert (first.status, second.status) == ("ok", "ok"), first.error or second.error
    assert engine.sink_events(DATASET) == [{"n": n, "name": "a\ud800b", "city": "Zürich"} for n in (0, 1)]
    # Whoever reads the dataset as UTF-8 text gets it too.
    lines = (tmp_path / "out" / f"{DATASET}.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["name"] for line in lines] == ["a\ud800b"] * 2
