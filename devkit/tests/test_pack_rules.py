"""The pack's modeling and parsing rules, run offline through ``devkit.xql``.

- every ``_testdata.json`` case of every rule version passes as ``demisto-sdk modeling-rules test``
  would judge it, after the pack's parsing rule, with no warning; expectations the SDK skips
  (``null``, ``false``, ``[]``) are checked here as well;
- the two rule versions stay in step (the pre-8.15 rule is the 8.15 rule minus ``xdm.*.identity.*``);
- what the integration really sends (``shape_customer_event``/``shape_user`` on the test-data payloads
  and on the emulator's events and users) fits the ``_schema.json``, and the rules read no raw field
  the integration never sends;
- the parsing rule sets ``_time`` only for records that arrive without one;
- a few mappings a user would notice at once.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import Docusign
import pytest
import yaml

from devkit.emulator import Emulator
from devkit.emulator import admin as emulator_admin
from devkit.emulator import esign as emulator_esign
from devkit.engine import DATASET
from devkit.xql import RuleSet, load_rules, parse_xif, run_testdata
from devkit.xql import ast as xql_ast
from devkit.xql.schema import check_events_against_schema

PACK = Path(__file__).resolve().parents[2] / "Packs" / "Docusign"
MODELING = PACK / "ModelingRules"
PARSING = PACK / "ParsingRules" / "Docusign"
INTEGRATION_TEST_DATA = PACK / "Integrations" / "Docusign" / "test_data"
CURRENT = MODELING / "Docusign_2_11"
LEGACY = MODELING / "Docusign"
RULE_DIRS = sorted(p for p in MODELING.iterdir() if p.is_dir())
NOW = datetime(2024, 3, 4, 12, 0, tzinfo=UTC)
IDENTITY = re.compile(r"^\s*xdm\.\w+\.identity\.")
PLATFORM_FIELDS = {"_time", "_insert_time", "_vendor", "_product", "_raw_log"}


def rule_file(rule_dir: Path, suffix: str) -> Path:
    return rule_dir / f"{rule_dir.name}{suffix}"


@functools.cache
def rules(rule_dir: Path) -> RuleSet:
    return load_rules(rule_dir)


@functools.cache
def parsing_rules() -> RuleSet:
    return load_rules(PARSING)


def cases_of(rule_dir: Path) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = json.loads(rule_file(rule_dir, "_testdata.json").read_text(encoding="utf-8"))["data"]
    return cases


def schema(rule_dir: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(rule_file(rule_dir, "_schema.json").read_text(encoding="utf-8"))
    return loaded


def model(event: dict[str, Any], rule_dir: Path = CURRENT) -> dict[str, Any]:
    warnings: list[Any] = []
    row = rules(rule_dir).model(DATASET, event, warnings)
    assert not warnings, [str(w) for w in warnings]
    assert row, f"no statement models {event}"
    return row


# ----------------------------------------------------------------------------- (a) test data


def test_each_rule_version_has_its_files() -> None:
    assert [p.name for p in RULE_DIRS] == ["Docusign", "Docusign_2_11"]
    for rule_dir in RULE_DIRS:
        for suffix in (".xif", ".yml", "_schema.json", "_testdata.json"):
            assert rule_file(rule_dir, suffix).is_file(), rule_file(rule_dir, suffix)


@pytest.mark.parametrize("rule_dir", RULE_DIRS, ids=lambda p: p.name)
def test_testdata_passes_as_demisto_sdk_would_judge_it(rule_dir: Path) -> None:
    warnings: list[Any] = []
    mismatches = run_testdata(rule_dir, parsing_rules=parsing_rules(), warnings=warnings)
    assert not mismatches, "\n".join(str(m) for m in mismatches)
    assert not warnings, "\n".join(str(w) for w in warnings)  # no overlap, no runtime type error


@pytest.mark.parametrize("rule_dir", RULE_DIRS, ids=lambda p: p.name)
def test_testdata_expectations_hold_exactly_including_the_ones_the_sdk_skips(rule_dir: Path) -> None:
    failures = []
    for index, case in enumerate(cases_of(rule_dir), 1):
        row = model(case["event_data"], rule_dir)
        for name, expected in case["expected_values"].items():
            if name == "_time":
                continue
            received = row.get(name)
            if received != expected or type(received) is not type(expected):
                failures.append(f"case #{index} {name}: expected {expected!r}, received {received!r}")
    assert not failures, "\n".join(failures)


def test_testdata_covers_what_the_rules_model() -> None:
    cases = [c["event_data"] for c in cases_of(CURRENT)]
    assert len(cases) >= 25
    customer = [c for c in cases if c["source_log_type"] == "customerevent"]
    users = [c for c in cases if c["source_log_type"] == "auditusers"]
    actions = {(c["object"], c["action"], c["result"]) for c in customer}
    for wanted in [
        ("User", "Login", "Success"),
        ("User", "Login", "Failure"),
        ("Envelope", "Sent", "Success"),
        ("Envelope", "Viewed", "Success"),
        ("Envelope", "Downloaded", "Success"),
        ("Envelope", "Voided", "Success"),
        ("PermissionProfile", "Updated", "Success"),
        ("AccountSetting", "Updated", "Success"),
        ("Account", "UserAdded", ""),
        ("Account", "UserClosed", "Success"),
    ]:
        assert wanted in actions, wanted
    alerts = [c for c in customer if c["object"] == "Alert"]
    assert any("Severity" in a["data"] for a in alerts)
    assert any("Severity" not in a["data"] for a in alerts)
    assert any(":" in c["ipAddress"] for c in customer)
    assert any("ipAddressLocation" not in c and "userAgentClientInfo" not in c for c in customer)
    assert any(c["ipAddress"] == "" and c["userAgent"] == "" for c in customer)
    assert {u["userStatus"] for u in users} == {"Active", "ActivationRequired", "ActivationSent", "Closed", "Disabled"}
    assert {u.get("isAdmin") for u in users} >= {"True", "False"}
    assert any(not u.get("groupList") for u in users)
    for event in customer:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z", event["timestamp"]), event["timestamp"]


# ----------------------------------------------------------------------------- rule versions


def test_the_legacy_rule_is_the_current_rule_without_identity_fields() -> None:
    def body(path: Path, drop_identity: bool) -> list[str]:
        text = path.read_text(encoding="utf-8")
        lines = text[text.index("[MODEL:") :].splitlines()
        return [line for line in lines if not (drop_identity and IDENTITY.match(line))]

    assert body(rule_file(LEGACY, ".xif"), False) == body(rule_file(CURRENT, ".xif"), True), (
        "Docusign.xif must be Docusign_2_11.xif without its xdm.*.identity.* lines"
    )
    current_cases, legacy_cases = cases_of(CURRENT), cases_of(LEGACY)
    assert [c["event_data"] for c in legacy_cases] == [c["event_data"] for c in current_cases]
    for legacy, current in zip(legacy_cases, current_cases, strict=True):
        assert legacy["expected_values"] == {
            k: v for k, v in current["expected_values"].items() if not IDENTITY.match(k)
        }, "Docusign_testdata.json must be Docusign_2_11_testdata.json without the xdm.*.identity.* expectations"
    assert schema(LEGACY) == schema(CURRENT)


def test_each_supported_version_gets_exactly_one_rule() -> None:
    legacy = yaml.safe_load(rule_file(LEGACY, ".yml").read_text(encoding="utf-8"))
    current = yaml.safe_load(rule_file(CURRENT, ".yml").read_text(encoding="utf-8"))
    assert legacy["id"] == current["id"] and legacy["name"] == current["name"]
    assert "toversion" not in current and current["supportedModules"] == ["xsiam"]

    def version(text: str) -> tuple[int, ...]:
        return tuple(int(part) for part in text.split("."))

    assert version(legacy["fromversion"]) == (8, 4, 0)
    assert version(legacy["toversion"]) < version(current["fromversion"]) == (8, 15, 0)
    assert version(legacy["toversion"])[:2] == (8, 14)  # no 8.14.x release falls between the two
    assert "identity" not in rule_file(LEGACY, ".xif").read_text(encoding="utf-8").split("[MODEL:")[1]


# ----------------------------------------------------------------------------- (b) schema


def integration_test_data(name: str) -> list[dict[str, Any]]:
    """Records of one of the integration's ``test_data`` replies (none when the file is absent)."""
    path = INTEGRATION_TEST_DATA / f"{name}.json"
    if not path.is_file():
        return []
    reply = json.loads(path.read_text(encoding="utf-8"))
    records: list[dict[str, Any]] = reply.get("data") or reply.get("users") or []
    return records


def customer_payloads() -> Iterator[dict[str, Any]]:
    """Monitor events as DocuSign returns them: the integration's and this test data, the emulator's stream."""
    yield from integration_test_data("monitor_stream_page")
    for case in cases_of(CURRENT):
        event = case["event_data"]
        if event["source_log_type"] == "customerevent":
            yield {k: v for k, v in event.items() if k not in ("source_log_type", "_time")}
    for style in ("dotnet", "mixed"):
        emulator = Emulator(seed=11, events=300, users=25, site="NA3", timestamp_style=style)
        stream = emulator.org.events
        for index in range(300):
            yield stream.event(index)


def user_payloads() -> Iterator[tuple[dict[str, Any] | None, dict[str, Any]]]:
    """(eSignature user, Admin API user) pairs: the integration's and this test data, the emulator's population."""
    esign_users = {u["userId"]: u for u in integration_test_data("esign_users_page")}
    for admin in integration_test_data("admin_users_page_1") + integration_test_data("admin_users_page_2"):
        yield esign_users.get(admin["id"]), admin
    for case in cases_of(CURRENT):
        event = case["event_data"]
        if event["source_log_type"] == "auditusers":
            admin = {k: v for k, v in event.items() if k in Docusign.ADMIN_ONLY_FIELDS}
            admin.update(id=event["userId"], email=event["email"])
            esign = {
                k: v for k, v in event.items() if k not in (*Docusign.ADMIN_ONLY_FIELDS, "source_log_type", "_time")
            }
            yield esign, admin
    for modified_format in ("us", "iso"):
        emulator = Emulator(seed=5, events=10, users=60, esign_modified_format=modified_format)
        ctx = emulator.context
        for position, user in enumerate(emulator.org.users):
            admin = emulator_admin.user_json(ctx, user, ds_groups=position % 2 == 0, license_info=True)
            esign = emulator_esign.user_json(ctx, user, additional=position % 7 != 3, login_status=True)
            yield (None if user.status == "Closed" and position % 3 == 0 else esign), admin


@functools.cache
def integration_events() -> tuple[dict[str, Any], ...]:
    events: list[dict[str, Any]] = []
    for raw in customer_payloads():
        event, _ = Docusign.shape_customer_event(copy.deepcopy(raw), NOW)
        events.append(event)
    for esign, admin in user_payloads():
        events.append(Docusign.shape_user(copy.deepcopy(esign), copy.deepcopy(admin), NOW))
    return tuple(events)


@pytest.mark.parametrize("rule_dir", RULE_DIRS, ids=lambda p: p.name)
def test_what_the_integration_sends_fits_the_schema(rule_dir: Path) -> None:
    events = integration_events()
    kinds = {e["source_log_type"] for e in events}
    assert kinds == {"customerevent", "auditusers"} and len(events) > 600
    problems = check_events_against_schema(schema(rule_dir), DATASET, events)
    assert not problems, "\n".join(problems[:40])


def test_every_event_the_integration_sends_is_modeled_once_without_warnings() -> None:
    for rule_dir in RULE_DIRS:
        for event in integration_events():
            result = rules(rule_dir).evaluate_model(DATASET, event)
            assert len(result.rows) == 1, event
            assert not result.warnings, [str(w) for w in result.warnings]


def raw_columns(path: Path) -> set[str]:
    """Fields of the raw row an XIF file reads: every column it mentions that it does not assign."""
    tree, _ = parse_xif(path.read_text(encoding="utf-8"), str(path))
    read: set[str] = set()
    assigned: set[str] = set()
    for node in xql_ast.walk(tree):
        if isinstance(node, xql_ast.Column):
            read.add(node.name)
        elif isinstance(node, xql_ast.Assignment):
            assigned.add(node.target.casefold())
    return {name for name in read if name.casefold() not in assigned}


@pytest.mark.parametrize("path", [*(rule_file(d, ".xif") for d in RULE_DIRS), rule_file(PARSING, ".xif")], ids=str)
def test_the_rules_read_only_fields_the_integration_sends(path: Path) -> None:
    declared = set(schema(CURRENT)[DATASET])
    sent = {name for event in integration_events() for name, value in event.items() if value is not None}
    read = raw_columns(path) - PLATFORM_FIELDS
    assert read, "no raw field found: the AST walk is broken"
    assert read <= declared, f"not in the schema: {sorted(read - declared)}"
    assert read <= sent, f"never sent by the integration: {sorted(read - sent)}"


def test_the_schema_checker_reports_missing_fields_and_wrong_types() -> None:
    declared = {
        DATASET: {
            "a": {"type": "string", "is_array": False},
            "n": {"type": "int", "is_array": False},
            "when": {"type": "datetime", "is_array": False},
            "nested": {"type": "string", "is_array": False},
            "many": {"type": "string", "is_array": True},
        }
    }
    good = {"a": "x", "n": 3, "when": "2024-01-24T15:15:42.4570000Z", "nested": {"k": [1]}, "_time": "t", "a2": None}
    assert check_events_against_schema(declared, DATASET, [good]) == []
    problems = check_events_against_schema(
        declared, DATASET, [{"a": 1, "n": "3", "when": "soon", "extra": True, "many": ["x"], "userId": "u1"}]
    )
    assert problems == [
        "event #1 (u1): field 'a': declared string but the value is the JSON int 1",
        "event #1 (u1): field 'n': declared int but the value is the JSON string '3'",
        "event #1 (u1): field 'when': declared datetime but 'soon' does not read as a date-time",
        f"event #1 (u1): field 'extra' (boolean) is not in the schema of {DATASET}",
        "event #1 (u1): field 'many': a JSON array is stored as JSON text: declare it string with is_array false, "
        "not string (is_array: true)",
        f"event #1 (u1): field 'userId' (string) is not in the schema of {DATASET}",
    ]
    assert check_events_against_schema(declared, "other_raw", [good]) == [
        f"schema: no dataset 'other_raw' (it has: {DATASET})"
    ]


# ----------------------------------------------------------------------------- (c) parsing rule


def parse(event: dict[str, Any]) -> dict[str, Any]:
    warnings: list[Any] = []
    row = parsing_rules().parse("docusign", "docusign", event, warnings)
    assert not warnings, [str(w) for w in warnings]
    assert row is not None
    return row


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        ({"timestamp": "2023-03-03T09:10:06.0512813Z"}, "2023-03-03T09:10:06.051281+00:00"),
        ({"timestamp": "2023-03-03T09:10:06Z"}, "2023-03-03T09:10:06+00:00"),
        ({"timestamp": "2023-03-03T11:10:06.5+02:00"}, "2023-03-03T09:10:06.500000+00:00"),
        ({"userSettings": {"modifiedDate": "1/24/2024 3:15:42 PM"}}, "2024-01-24T15:15:42+00:00"),
        ({"userSettings": {"modifiedDate": "12/4/2024 12:05:09 AM"}}, "2024-12-04T00:05:09+00:00"),
        ({"userSettings": {"modifiedDate": "2024-01-24T15:15:42.4570000Z"}}, "2024-01-24T15:15:42.457000+00:00"),
        (
            {"userSettings": {"modifiedDate": ""}, "created_on": "2019-04-01T22:11:56.457"},
            "2019-04-01T22:11:56.457000+00:00",
        ),
        (
            {
                "userSettings": {"modifiedDate": "n/a"},
                "created_on": "2019-04-01T22:11:56.457",
                "membership_closed_on": "2024-02-29T13:45:10.25",
            },
            "2024-02-29T13:45:10.250000+00:00",
        ),
    ],
)
def test_parsing_rule_sets_time_when_the_record_has_none(event: dict[str, Any], expected: str) -> None:
    row = parse({"source_log_type": "customerevent" if "timestamp" in event else "auditusers", **event})
    assert row["_time"] == datetime.fromisoformat(expected)
    assert not any(name.startswith("tmp_") for name in row)


def test_parsing_rule_keeps_the_time_the_integration_set() -> None:
    for event in integration_events()[:50] + integration_events()[-50:]:
        row = parse(event)
        assert row["_time"] == datetime.fromisoformat(event["_time"]), event
        assert set(row) == set(event)


def test_parsing_rule_leaves_time_empty_when_nothing_tells_it() -> None:
    assert parse({"source_log_type": "auditusers", "userSettings": {"modifiedDate": "yesterday"}})["_time"] is None


# ----------------------------------------------------------------------------- (d) what users notice


def a_user(status: str, admin: bool = False, **changes: Any) -> dict[str, Any]:
    esign = {
        "userId": "2020ac66-26b5-4367-aff3-f33bd9a007b7", "userName": "Blake Baker", "email": "blake.baker@example.com",
        "firstName": "Blake", "lastName": "Baker", "userStatus": status, "isAdmin": "True" if admin else "False",
        "permissionProfileName": "DS Admin" if admin else "DS Sender",
        "groupList": [{"groupId": "8253521", "groupName": "Everyone", "groupType": "everyoneGroup"}],
        "userSettings": {"modifiedDate": "1/24/2024 3:15:42 PM", "modifiedBy": "9cfb472b-ef1f-4116-8df2-17c53841fd6c"},
        **changes,
    }  # fmt: skip
    return Docusign.shape_user(esign, {"id": esign["userId"], "membership_status": status.lower()}, NOW)


@pytest.mark.parametrize("rule_dir", RULE_DIRS, ids=lambda p: p.name)
@pytest.mark.parametrize(
    ("status", "is_disabled"),
    [("Active", False), ("Closed", True), ("Disabled", True), ("ActivationSent", False), ("ActivationRequired", False)],
)
def test_disabled_follows_the_real_user_status(rule_dir: Path, status: str, is_disabled: bool) -> None:
    row = model(a_user(status), rule_dir)
    assert row["xdm.target.user.is_disabled"] is is_disabled
    if rule_dir == CURRENT:
        assert row["xdm.target.identity.is_disabled"] is is_disabled


def test_admins_and_their_groups_are_modeled() -> None:
    admin = model(a_user("Active", admin=True))
    assert admin["xdm.auth.privilege_level"] == "ADMIN" and admin["xdm.target.user.roles"] == ["DS Admin"]
    assert admin["xdm.target.user.groups"] == ["Everyone"] and admin["xdm.target.user.upn"] == "blake.baker@example.com"
    assert model(a_user("Active"))["xdm.auth.privilege_level"] == "USER"
    assert model(a_user("Active", groupList=[]))["xdm.target.user.groups"] == []


def a_login(**changes: Any) -> dict[str, Any]:
    raw = {
        "timestamp": "2024-03-01T08:15:02.4471093Z", "eventId": "0f5d2c3e-1a4b-4c6d-8e9f-a0b1c2d3e4f5", "site": "NA3",
        "accountId": "8949bd2a-f1fc-4c95-ae8e-9e294b2af5b7", "userId": "2020ac66-26b5-4367-aff3-f33bd9a007b7",
        "integratorKey": "##DOCUSIGN_INTERNAL_NOT_USED##", "userAgent": "", "ipAddress": "162.248.186.11",
        "object": "User", "action": "Login", "property": "", "field": "", "result": "Success", "source": "Web",
        "latitude": 47.6, "longitude": -122.33, "city": "seattle", "state": "washington", "country": "united states",
        "data": {},
        **changes,
    }  # fmt: skip
    event, _ = Docusign.shape_customer_event(raw, NOW)
    return event


def test_ipv6_fills_the_ipv6_field_and_not_the_ipv4_one() -> None:
    row = model(a_login(ipAddress="2a02:c7c:5e2d:1f00:8d4e:2b1a:9c3f:77e1"))
    assert row["xdm.source.ipv6"] == "2a02:c7c:5e2d:1f00:8d4e:2b1a:9c3f:77e1" and row["xdm.source.ipv4"] is None
    row = model(a_login())
    assert row["xdm.source.ipv4"] == "162.248.186.11" and row["xdm.source.ipv6"] is None


def test_logins_carry_their_outcome() -> None:
    assert model(a_login())["xdm.event.outcome"] == "SUCCESS"
    failed = model(a_login(result="Failure", data={"FailureReason": "InvalidPassword"}))
    assert failed["xdm.event.outcome"] == "FAILED" and failed["xdm.event.outcome_reason"] == "InvalidPassword"
    assert failed["xdm.event.operation"] == "AUTH_LOGIN" and failed["xdm.event.tags"] == ["AUTHENTICATION"]
    assert model(a_login(result=""))["xdm.event.outcome"] == "UNKNOWN"


@pytest.mark.parametrize(("given", "severity"), [("High", "High"), ("medium", "Medium"), ("LOW", "Low"), (None, None)])
def test_an_alert_has_its_severity(given: str | None, severity: str | None) -> None:
    data: dict[str, Any] = {"EventIds": ["0f5d2c3e-1a4b-4c6d-8e9f-a0b1c2d3e4f5"], "Count": "18"}
    if given:
        data["Severity"] = given
    row = model(a_login(object="Alert", action="IpAddressOutsideAllowedRanges", result="", source="System", data=data))
    assert row["xdm.event.type"] == "Alert" and row["xdm.alert.name"] == "IpAddressOutsideAllowedRanges"
    assert row["xdm.alert.original_alert_id"] == "0f5d2c3e-1a4b-4c6d-8e9f-a0b1c2d3e4f5"
    assert row["xdm.alert.severity"] == severity


def test_records_without_a_known_source_log_type_are_not_modeled() -> None:
    assert rules(CURRENT).evaluate_model(DATASET, {"eventId": "x", "object": "User"}).rows == []
