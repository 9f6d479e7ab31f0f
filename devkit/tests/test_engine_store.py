"""Instance files, atomic state files and the append-only event sink (no child processes)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from devkit.engine import DATASET, Instance, InstanceError
from devkit.engine.instance import DEFAULT_INTEGRATION, DEFAULT_TIMEOUT
from devkit.engine.sink import EventSink, count_appended, dataset_name, dataset_sizes, read_events
from devkit.engine.store import Store, StoreError

# ----------------------------------------------------------------- instance


def test_instance_file_with_defaults_and_a_pem_from_file(tmp_path: Path) -> None:
    (tmp_path / "key.pem").write_text("-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----\n")
    (tmp_path / "inst.yml").write_text(
        "name: local\n"
        "params:\n"
        "  url: https://localhost:8443\n"
        "  credentials: {identifier: '', password_file: key.pem}\n"
        "  event_types: [Customer events, Audit users]\n"
        "  insecure: true\n"
    )

    instance = Instance.load(tmp_path / "inst.yml")

    assert instance.name == "local"
    assert instance.integration == DEFAULT_INTEGRATION
    assert instance.state_dir == tmp_path / "local" / "state"
    assert instance.output_dir == tmp_path / "local" / "out"
    assert instance.timeout == DEFAULT_TIMEOUT
    assert instance.params["credentials"]["identifier"] == ""
    assert instance.params["credentials"]["password"].startswith("-----BEGIN RSA PRIVATE KEY-----\n")
    assert instance.params["event_types"] == ["Customer events", "Audit users"]
    assert instance.params["insecure"] is True


def test_instance_paths_resolve_against_the_file(tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "inst.yml").write_text(
        "name: x\nintegration: ../int/X.py\nstate_dir: s\noutput_dir: /tmp/abs-out\ntimeout: 12\nenv: {A: 1}\n"
    )

    instance = Instance.load(tmp_path / "conf" / "inst.yml")

    assert instance.integration == tmp_path / "int" / "X.py"
    assert instance.state_dir == tmp_path / "conf" / "s"
    assert instance.output_dir == Path("/tmp/abs-out")
    assert instance.timeout == 12.0
    assert instance.env == {"A": "1"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("params: {}\n", "'name'"),
        ("name: x\nparms: {}\n", "unknown keys"),
        ("name: x\nparams: [1]\n", "'params'"),
        ("name: x\ntimeout: 0\n", "'timeout'"),
        ("name: x\nparams: {c: {password: a, password_file: b}}\n", "not both"),
        ("name: x\nparams: {c: {password_file: missing.pem}}\n", "cannot read"),
        ("name: [x\n", "not valid YAML"),
    ],
)
def test_bad_instance_files_are_refused(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "inst.yml").write_text(text)
    with pytest.raises(InstanceError, match=message):
        Instance.load(tmp_path / "inst.yml")


# ----------------------------------------------------------------- store


def test_store_round_trip_and_reset(tmp_path: Path) -> None:
    store = Store(tmp_path / "state")
    assert store.read_last_run() == {} and store.read_integration_context() == {}

    store.save({"cursor": "abc"}, {"token": {"value": "t", "expires": 1}})

    assert Store(tmp_path / "state").read_last_run() == {"cursor": "abc"}
    assert Store(tmp_path / "state").read_integration_context() == {"token": {"value": "t", "expires": 1}}
    assert sorted(os.listdir(tmp_path / "state")) == ["integration_context.json", "last_run.json"]
    store.reset()
    assert store.read_last_run() == {}


def test_a_failed_write_leaves_the_old_state_and_no_temp_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store(tmp_path)
    store.save({"cursor": "old"}, {})

    def crash(*_: object) -> None:
        raise OSError("disk gone")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk gone"):
        store.save({"cursor": "new"}, {"x": 1})
    monkeypatch.undo()

    assert store.read_last_run() == {"cursor": "old"}
    assert store.read_integration_context() == {}
    assert not [name for name in os.listdir(tmp_path) if name.endswith(".tmp")]


def test_a_corrupt_state_file_is_reported(tmp_path: Path) -> None:
    (tmp_path / "last_run.json").write_text("{not json")
    (tmp_path / "integration_context.json").write_text("[]")
    with pytest.raises(StoreError, match="not valid JSON"):
        Store(tmp_path).read_last_run()
    with pytest.raises(StoreError, match="JSON object"):
        Store(tmp_path).read_integration_context()


# ----------------------------------------------------------------- sink


def test_dataset_names_follow_xsiam() -> None:
    assert dataset_name("Docusign", "Docusign") == DATASET == "docusign_docusign_raw"
    assert dataset_name("Acme Corp", "Web-Logs") == "acme_corp_web_logs_raw"


def test_sink_appends_one_line_per_event_across_sinks(tmp_path: Path) -> None:
    EventSink(tmp_path)("Docusign", "Docusign", [{"id": 1}, {"id": 2, "text": "é"}])
    before = dataset_sizes(tmp_path)
    EventSink(tmp_path)("Docusign", "Docusign", [{"id": 3}])
    EventSink(tmp_path)("Docusign", "Docusign", [])
    EventSink(tmp_path)("Other", "Thing", [{"id": "x"}])

    lines = (tmp_path / f"{DATASET}.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == [{"id": 1}, {"id": 2, "text": "é"}, {"id": 3}]
    assert read_events(tmp_path, "other_thing_raw") == [{"id": "x"}]
    assert read_events(tmp_path, "missing_raw") == []
    assert count_appended(tmp_path, before) == {DATASET: 1, "other_thing_raw": 1}


def test_a_torn_last_line_is_ignored_then_cut_before_the_next_append(tmp_path: Path) -> None:
    path = tmp_path / f"{DATASET}.jsonl"
    path.write_bytes(b'{"id":1}\n{"id":2,"tru')  # a writer killed mid-line

    assert read_events(tmp_path, DATASET) == [{"id": 1}]
    before = dataset_sizes(tmp_path)
    EventSink(tmp_path)("Docusign", "Docusign", [{"id": 3}])

    assert path.read_bytes() == b'{"id":1}\n{"id":3}\n'
    assert count_appended(tmp_path, before) == {DATASET: 1}
