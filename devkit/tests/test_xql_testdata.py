"""demisto-sdk test-data format and comparison rules, run_testdata, and the xql CLI."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from devkit.xql import XqlError, XqlWarning, compare_expected, load_testdata, run_testdata
from devkit.xql.cli import add_arguments, main
from devkit.xql.testdata import format_sdk_time, sdk_type_name

UTC = dt.UTC
T0 = dt.datetime(2023, 10, 26, 10, 0, 0, 123000, tzinfo=UTC)


def mismatched(expected: dict[str, Any], received: dict[str, Any], tz: str = "UTC") -> dict[str, str]:
    return {m.field: m.kind for m in compare_expected(expected, received, tz)}


# --- comparison rules ------------------------------------------------------------------


def test_falsy_expectations_are_skipped() -> None:
    expected: dict[str, Any] = {"xdm.a": None, "xdm.b": "", "xdm.c": 0, "xdm.d": False, "xdm.e": [], "xdm.f": {}}
    assert mismatched(expected, {"xdm.a": "anything", "xdm.c": 5}) == {}


def test_value_and_type_must_both_match() -> None:
    received = {"xdm.s": "x", "xdm.l": ["1.1.1.1"], "xdm.b": True, "xdm.d": {"k": 1}}
    assert mismatched({"xdm.s": "x", "xdm.l": ["1.1.1.1"], "xdm.b": True, "xdm.d": {"k": 1}}, received) == {}
    assert mismatched({"xdm.s": "y"}, received) == {"xdm.s": "value"}
    assert mismatched({"xdm.b": "true"}, received) == {"xdm.b": "type"}
    assert mismatched({"xdm.missing": "v"}, received) == {"xdm.missing": "type"}  # received null


def test_numbers_arrive_as_floats() -> None:
    # The API returns floats; an integral float passes for an expected int.
    assert mismatched({"xdm.port": 443, "xdm.bytes": 1438.0}, {"xdm.port": 443, "xdm.bytes": 1438}) == {}
    assert mismatched({"xdm.port": 443}, {"xdm.port": 443.5}) == {"xdm.port": "type"}  # int vs float
    assert mismatched({"xdm.port": 443}, {"xdm.port": 444}) == {"xdm.port": "value"}
    assert mismatched({"xdm.port": "443"}, {"xdm.port": 443}) == {"xdm.port": "type"}
    assert mismatched({"xdm.flag": 1}, {"xdm.flag": True}) == {"xdm.flag": "type"}  # bool is not a number


def test_keys_match_case_insensitively() -> None:
    assert mismatched({"XDM.Event.Type": "x"}, {"xdm.event.type": "x"}) == {}


@pytest.mark.parametrize(
    ("day", "text"),
    [(1, "Oct 1st"), (2, "Oct 2nd"), (3, "Oct 3rd"), (4, "Oct 4th"), (11, "Oct 11th"), (21, "Oct 21st"),
     (22, "Oct 22nd"), (23, "Oct 23rd"), (31, "Oct 31st")],
)  # fmt: skip
def test_sdk_time_format_day_suffixes(day: int, text: str) -> None:
    ms = int(dt.datetime(2023, 10, day, 10, tzinfo=UTC).timestamp() * 1000)
    assert format_sdk_time(ms, False) == f"{text} 2023 10:00:00"


def test_time_is_compared_in_the_tenant_zone_with_optional_fraction() -> None:
    assert mismatched({"_time": "Oct 26th 2023 10:00:00"}, {"_time": T0}) == {}
    assert mismatched({"_time": "Oct 26th 2023 10:00:00.123000"}, {"_time": T0}) == {}
    assert mismatched({"_time": "Oct 26th 2023 13:00:00"}, {"_time": T0}, "Asia/Jerusalem") == {}
    (m,) = compare_expected({"_time": "Oct 26th 2023 10:00:01"}, {"_time": T0})
    assert (m.kind, m.received) == ("value", "Oct 26th 2023 10:00:00")
    assert mismatched({"_time": "Oct 26th 2023 10:00:00"}, {}) == {"_time": "type"}


def test_other_timestamps_arrive_as_epoch_millis() -> None:
    assert mismatched({"xdm.source.host.boot_time": 1698314400123}, {"xdm.source.host.boot_time": T0}) == {}


def test_sdk_type_names() -> None:
    samples: tuple[Any, ...] = (None, [], {}, "", 1, 1.0, True, T0)
    names = [sdk_type_name(v) for v in samples]
    assert names == ["null", "list", "dict", "string", "int", "float", "boolean", "datetime"]


# --- files -----------------------------------------------------------------------------

XIF = r"""
[MODEL: dataset=acme_audit_raw]
filter action in ("login", "logout")
| alter xdm.event.type = "authentication",
        xdm.event.outcome = if(result = "ok", XDM_CONST.OUTCOME_SUCCESS, XDM_CONST.OUTCOME_FAILED),
        xdm.source.port = to_integer(port),
        xdm.source.user.upn = json_extract_scalar(actor, "$.email"),
        xdm.event.tags = arraycreate(XDM_CONST.EVENT_TAG_AUTHENTICATION);
filter action ~= "^log" and action != "login" | alter xdm.event.type = "other";
"""


def event(action: str, expected: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "test_data_event_id": f"id-{action}",
        "vendor": "acme",
        "product": "audit",
        "dataset": "acme_audit_raw",
        "tenant_timezone": "UTC",
        "event_data": {"action": action, "result": "ok", "port": "443", "actor": {"email": "a@b.c"}, **extra},
        "expected_values": expected,
    }


def write_rule(tmp_path: Path, data: list[dict[str, Any]], schema: dict[str, Any] | None = None, **extra: Any) -> Path:
    rule_dir = tmp_path / "AcmeModelingRules"
    rule_dir.mkdir(exist_ok=True)
    (rule_dir / "AcmeModelingRules.xif").write_text(XIF)
    (rule_dir / "AcmeModelingRules_testdata.json").write_text(json.dumps({"data": data, **extra}))
    if schema is not None:
        (rule_dir / "AcmeModelingRules_schema.json").write_text(json.dumps(schema))
    return rule_dir


GOOD = {
    "xdm.event.type": "authentication",
    "xdm.event.outcome": "SUCCESS",
    "xdm.source.port": 443,
    "xdm.source.user.upn": "a@b.c",
    "xdm.event.tags": ["AUTHENTICATION"],
    "xdm.source.ipv4": None,
}


def test_run_testdata_passes_a_correct_file(tmp_path: Path) -> None:
    assert run_testdata(write_rule(tmp_path, [event("login", GOOD)])) == []


def test_run_testdata_reports_mismatches_unmatched_and_overlap(tmp_path: Path) -> None:
    data = [
        event("login", {**GOOD, "xdm.event.outcome": "FAILED"}),
        event("signup", GOOD),
        event("logout", {"xdm.event.type": "authentication"}),
        {**event("login", GOOD), "dataset": "other_raw"},
        {**event("login", GOOD), "dataset": None},
    ]
    warnings: list[XqlWarning] = []
    problems = run_testdata(write_rule(tmp_path, data), warnings=warnings)
    summary = [(p.event_index, p.kind, p.field) for p in problems]
    assert summary == [
        (1, "value", "xdm.event.outcome"),
        (2, "no_match", None),
        (3, "value", "xdm.event.type"),  # the overlapping second statement's row disagrees
        (4, "no_model", None),
        (5, "invalid", None),
    ]
    assert problems[2].statement is not None and "statement #2" in problems[2].statement
    assert [w.code for w in warnings] == ["overlap"]
    assert str(problems[1]).startswith("no_match: event #2 (acme_audit_raw): no statement of the MODEL matches")


def test_run_testdata_validates_the_file_like_the_sdk_models(tmp_path: Path) -> None:
    data = [
        event("login", {"event.type": "x"}),
        event("login", {"xdm.a": None, "xdm.b": ""}),
        {**event("login", GOOD), "event_data": {}},
    ]
    problems = run_testdata(write_rule(tmp_path, data, ignored_validations=["nope"]))
    kinds = [(p.event_index, p.kind) for p in problems]
    assert (None, "invalid") in kinds  # unknown ignored_validations
    messages = " | ".join(p.message for p in problems)
    assert "must start with 'xdm.'" in messages
    assert "no non-null value" in messages
    assert "event_data is empty" in messages


def test_schema_alignment(tmp_path: Path) -> None:
    schema = {
        "acme_audit_raw": {
            "action": {"type": "string", "is_array": False},
            "port": {"type": "int", "is_array": False},  # the test data has a string
            "actor": {"type": "string", "is_array": False},  # objects are strings
        }
    }
    problems = run_testdata(write_rule(tmp_path, [event("login", GOOD)], schema))
    assert [(p.kind, p.field) for p in problems] == [("schema", "port")]
    ignored = run_testdata(
        write_rule(tmp_path, [event("login", GOOD)], schema, ignored_validations=["schema_test_data_types"])
    )
    assert ignored == []


def test_schema_datetime_detection(tmp_path: Path) -> None:
    schema = {"acme_audit_raw": {"created": {"type": "string", "is_array": False}}}
    rule_dir = write_rule(tmp_path, [event("login", GOOD, created="2024-01-02T03:04:05Z")], schema)
    (problem,) = run_testdata(rule_dir)
    assert problem.received == {"type": "datetime", "is_array": False}


def test_parsing_rules_run_first(tmp_path: Path) -> None:
    parsing = tmp_path / "AcmeParsingRules.xif"
    parsing.write_text("[INGEST: vendor=acme, product=audit, target_dataset=acme_audit_raw]\nalter _time = created;")
    expected = {**GOOD, "_time": "Jan 2nd 2024 03:04:05"}
    rule_dir = write_rule(tmp_path, [event("login", expected, created="2024-01-02T03:04:05Z")])
    assert run_testdata(rule_dir, parsing_rules=parsing) == []
    problems = run_testdata(rule_dir)  # without parsing rules _time is never set
    assert [(p.field, p.kind) for p in problems] == [("_time", "type")]


def test_missing_testdata_file(tmp_path: Path) -> None:
    with pytest.raises(XqlError, match="no \\*_testdata.json"):
        run_testdata(tmp_path)


def test_load_testdata_defaults(tmp_path: Path) -> None:
    path = tmp_path / "X_testdata.json"
    path.write_text(json.dumps({"data": [{"event_data": {"a": 1}, "expected_values": {"xdm.a": 1}}]}))
    td, problems = load_testdata(path)
    assert problems == []
    (ev,) = td.data
    assert (ev.tenant_timezone, ev.dataset, ev.test_data_event_id) == ("UTC", None, "event-1")


# --- CLI -------------------------------------------------------------------------------


def test_add_arguments_registers_the_xql_group() -> None:
    parser = argparse.ArgumentParser()
    add_arguments(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["xql", "map", "--rules", "r.xif", "--events", "e.jsonl"])
    assert args.func.__name__ == "cmd_map" and args.out is None


def test_cli_map_writes_one_object_per_event(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rule_dir = write_rule(tmp_path, [])
    events = tmp_path / "events.jsonl"
    lines = [
        {"action": "login", "result": "ok", "port": 22, "_time": 1698314400123},
        {"action": "signup"},
        {"action": "logout"},
    ]
    events.write_text("\n".join(json.dumps(x) for x in lines) + "\n\n")
    out = tmp_path / "modeled.jsonl"
    assert main(["xql", "map", "--rules", str(rule_dir), "--events", str(events), "--out", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert rows[0]["_time"] == "2023-10-26T10:00:00.123Z"
    assert rows[0]["xdm.source.port"] == 22
    assert rows[1] == {}
    assert rows[2]["xdm.event.type"] == "authentication"
    err = capsys.readouterr().err
    assert "3 event(s), 2 modeled, 1 unmatched (acme_audit_raw)" in err
    assert "warning: 2 statements match the same event" in err
    strict = ["xql", "map", "--rules", str(rule_dir), "--events", str(events), "--out", str(out), "--strict"]
    assert main(strict) == 1


def test_cli_test_and_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rule_dir = write_rule(tmp_path, [event("login", GOOD), event("signup", GOOD)])
    assert main(["xql", "test", str(rule_dir)]) == 1
    assert "no_match: event #2" in capsys.readouterr().out
    assert main(["xql", "check", str(rule_dir)]) == 0
    assert "1 file(s), 1 section(s), 2 statement(s)" in capsys.readouterr().out
    bad = tmp_path / "bad.xif"
    bad.write_text("[MODEL: dataset=d]\nalter a = ;")
    assert main(["xql", "check", str(bad)]) == 2
    assert f"error: {bad}:2:11: expected an expression" in capsys.readouterr().err


def test_cli_query_prints_any_text_as_ascii_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A lone surrogate (which a JSON file may hold) or an accent prints, escaped, where ensure_ascii=False failed."""
    events = tmp_path / "events.jsonl"
    events.write_text('{"name": "\\ud800 Zoë"}\n')
    assert main(["xql", "query", "dataset = acme_raw | fields name", "--events", str(events)]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    assert line.isascii() and json.loads(line)["name"] == "\ud800 Zoë"
