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


# Caches a token as the DocuSign integration does, registers another secret, and shows the params.
TOKEN_KEEPER = """
def main():
    token = "tok-" + "A1b2C3d4E5f6"
    add_sensitive_log_strs("jwt-" + "registered-secret")
    context = get_integration_context()
    context.update(access_token=token, token_expires_at="2030-01-01T00:00:00+00:00", base_uri="https://eu.example")
    set_integration_context(context)
    demisto.debug(f"token {token}, assertion jwt-registered-secret")  # debug lines are not masked
    if demisto.command() == "fake-crash":
        os.kill(os.getpid(), 9)
    if demisto.command() == "fetch-events":
        send_events_to_xsiam([{"n": 1}], vendor="Docusign", product="Docusign")
        demisto.setLastRun({"done": True})
    else:
        return_results({"Type": 1, "ContentsFormat": "json", "Contents": {"params": demisto.params()}})
"""
SECRETS = ("tok-A1b2C3d4E5f6", "jwt-registered-secret", "BEGIN PRIVATE KEY")


def _secret_instance(tmp_path: Path) -> str:
    instance = fake_instance(tmp_path, TOKEN_KEEPER)
    path = tmp_path / "inst.yml"
    path.write_text(
        f"name: cli\nintegration: {instance.integration}\nstate_dir: state\noutput_dir: out\n"
        "params:\n  integration_key: ik-0000-1111\n"
        '  credentials: {identifier: "", password: "-----BEGIN PRIVATE KEY-----\\nMIIE\\n-----END PRIVATE KEY-----"}\n'
    )
    return str(path)


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "--json", "--logs", "fake-show"],
        ["run", "--logs", "-v", "fake-show"],
        ["fetch", "--json", "--logs"],
        ["fetch", "--logs", "-v"],
    ],
)
def test_secrets_never_reach_the_terminal(tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    inst = _secret_instance(tmp_path)
    command, *rest = argv

    main([command, "--instance", inst, *rest])
    main([command, "--instance", inst, *rest])  # the second run starts from the cached token

    out = capsys.readouterr().out
    assert not [secret for secret in SECRETS if secret in out]
    assert "<redacted>" in out
    # Only secrets go: the integration key is in every consent link.
    assert "ik-0000-1111" in out or command == "fetch"
    # The store keeps the token, as the platform does.
    assert "tok-A1b2C3d4E5f6" in (tmp_path / "state" / "integration_context.json").read_text()


def test_json_output_names_redacted_context_keys(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inst = _secret_instance(tmp_path)

    main(["run", "--instance", inst, "--json", "fake-show"])

    data = json.loads(capsys.readouterr().out)
    assert data["integration_context"] == {
        "access_token": "<redacted>",
        "token_expires_at": "<redacted>",
        "base_uri": "https://eu.example",
    }
    assert data["entries"][0]["Contents"]["params"]["credentials"] == {"identifier": "", "password": "<redacted>"}


def test_secrets_a_crashed_run_registered_are_redacted_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inst = _secret_instance(tmp_path)

    assert main(["run", "--instance", inst, "--logs", "fake-crash"]) == 1

    out = capsys.readouterr().out
    assert "killed by SIGKILL" in out
    assert "assertion <redacted>" in out and "jwt-registered-secret" not in out
