"""The ``run`` and ``fetch`` subcommands."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from devkit.engine import DATASET
from devkit.engine.cli import add_arguments, main, parse_command
from devkit.engine.testing import fake_instance

SCRIPT = """
def main():
    if demisto.command() == "fetch-events":
        done = demisto.getLastRun().get("done", False)
        send_events_to_xsiam([] if done else [{"n": 1}], vendor="Docusign", product="Docusign")
        demisto.setLastRun({"done": True})
    elif demisto.command() == "fake-get-events":
        rows = [{"type": demisto.args()["event_type"], "limit": demisto.args()["limit"]}]
        return_results(CommandResults(readable_output=tableToMarkdown("Events", rows, headers=["type", "limit"])))
    else:
        return_error("Bad credentials")
"""


@pytest.mark.parametrize(
    ("command", "tokens", "expected"),
    [
        ("test-module", [], ("test-module", {})),
        (
            "x-get",
            ["event_type=Customer events", "limit=5"],
            ("x-get", {"event_type": "Customer events", "limit": "5"}),
        ),
        (
            "x-get",
            ['event_type="Customer events"', "q='a=b'"],
            ("x-get", {"event_type": "Customer events", "q": "a=b"}),
        ),
        ('x-get event_type="Customer events" limit=5', [], ("x-get", {"event_type": "Customer events", "limit": "5"})),
        ("x-get", ["empty="], ("x-get", {"empty": ""})),
    ],
)
def test_arguments_parse_like_the_war_room(command: str, tokens: list[str], expected: tuple) -> None:
    assert parse_command(command, tokens) == expected


def test_a_token_without_a_key_is_refused() -> None:
    with pytest.raises(ValueError, match="key=value"):
        parse_command("x", ["limit"])


def test_add_arguments_plugs_into_a_parent_parser() -> None:
    parser = argparse.ArgumentParser()
    add_arguments(parser.add_subparsers(dest="command"))  # as devkit/cli.py does
    args = parser.parse_args(["fetch", "--instance", "i.yml", "--until-empty", "--interval", "2"])
    assert (args.until_empty, args.interval, args.cycles, callable(args.func)) == (True, 2.0, None, True)
    args = parser.parse_args(["run", "--instance", "i.yml", "x-get", "limit=5"])
    assert (args.command, args.engine_command, args.engine_args) == ("run", "x-get", ["limit=5"])


def _instance_file(tmp_path: Path) -> str:
    instance = fake_instance(tmp_path, SCRIPT)
    path = tmp_path / "inst.yml"
    path.write_text(f"name: cli\nintegration: {instance.integration}\nstate_dir: state\noutput_dir: out\n")
    return str(path)


def test_run_prints_the_table_and_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inst = _instance_file(tmp_path)

    assert main(["run", "--instance", inst, "fake-get-events", 'event_type="Customer events"', "limit=5"]) == 0
    out = capsys.readouterr().out
    assert "type             limit\n---------------  -----\nCustomer events  5\n" in out

    assert main(["run", "--instance", inst, "test-module"]) == 1
    assert capsys.readouterr().out.startswith("Error: Bad credentials\n")

    assert main(["run", "--instance", str(tmp_path / "missing.yml"), "test-module"]) == 2


def test_fetch_until_empty_prints_one_line_per_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inst = _instance_file(tmp_path)

    assert main(["fetch", "--instance", inst, "--until-empty", "--json"]) == 0

    runs = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(run["cycle"], run["events_sent"]) for run in runs] == [(1, {DATASET: 1}), (2, {})]
