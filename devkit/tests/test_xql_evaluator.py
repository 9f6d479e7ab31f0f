"""Whole rules: MODEL/RULE/call, statement overlap, alter semantics, INGEST sections, loading."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from devkit.xql import RuleSet, XqlError, XqlSyntaxError, XqlWarning, load_rules

UTC = dt.UTC

# Shaped like real SaaS rules (Salesforce/Okta/Slack 2_11): two datasets, a shared RULE,
# mutually exclusive filtered statements, if-chains, arraymap with "@element" and "->".
MODELING = r"""
[RULE: acme_common_fields]
alter
    xdm.observer.vendor = "Acme",
    xdm.source.user.user_type = XDM_CONST.USER_TYPE_REGULAR,
    xdm.event.id = to_string(id);

[MODEL: dataset=acme_audit_raw]
filter eventType in ("user.session.start", "user.authentication.*") // authentication
| call acme_common_fields
| alter
    outcome_result = json_extract_scalar(outcome, "$.result"),
    actor_type = lowercase(actor -> type),
    source_ip = json_extract_scalar(client, "$.ipAddress"),
    request_ipChain = request -> ipChain[],
    target_first = trim(json_extract(`target`, "$[0].id"), "\"")
| alter
    xdm.event.type = "authentication",
    xdm.event.tags = arraycreate(XDM_CONST.EVENT_TAG_AUTHENTICATION),
    xdm.event.outcome = if(outcome_result = "SUCCESS", XDM_CONST.OUTCOME_SUCCESS,
                           outcome_result in ("FAILURE", "DENY"), XDM_CONST.OUTCOME_FAILED,
                           outcome_result = null, null,
                           XDM_CONST.OUTCOME_UNKNOWN),
    xdm.source.user.user_type = if(actor_type = "user", XDM_CONST.USER_TYPE_REGULAR,
                                   XDM_CONST.USER_TYPE_SERVICE_ACCOUNT),
    xdm.source.ipv4 = if(source_ip !~= ":", source_ip, null),
    xdm.source.ipv6 = if(source_ip ~= ":", source_ip, null),
    xdm.source.host.ipv4_addresses = arraymap(request_ipChain, if("@element" -> ip !~= ":", "@element" -> ip, null)),
    xdm.target.resource.id = target_first,
    xdm.source.user.upn = actor -> alternateId,
    xdm.source.user.username = arrayindex(split(actor -> alternateId, "@"), 0),
    xdm.source.port = to_integer(0);

filter eventType not in ("user.session.start", "user.authentication.*") // audit
| call acme_common_fields
| alter
    xdm.event.type = "saas audit",
    xdm.event.operation = if(eventType ~= "\.create$|\.add$", XDM_CONST.OPERATION_TYPE_CREATE,
                             eventType ~= "\.delete$|\.remove$", XDM_CONST.OPERATION_TYPE_DELETE,
                             "OTHER"),
    xdm.target.user.groups = arraymap(json_extract_array(`target`, "$."),
                                      json_extract_scalar("@element", "$.displayName")),
    xdm.event.description = concat(eventType, ": ", displayMessage);

[MODEL: dataset="acme_sso_raw"]
alter get_user = split(Username, "@")
| alter xdm.source.user.domain = arrayindex(get_user, 1),
        xdm.source.user.username = arrayindex(get_user, 0);
"""

AUTH_EVENT = {
    "id": 17,
    "eventType": "user.authentication.sso",
    "displayMessage": "User single sign on to app",
    "outcome": {"result": "FAILURE", "reason": "bad"},
    "actor": {"type": "User", "alternateId": "jane@acme.test"},
    "client": {"ipAddress": "203.0.113.5"},
    "request": {"ipChain": [{"ip": "203.0.113.5"}, {"ip": "2001:db8::1"}]},
    "target": [{"id": "app-1", "displayName": "App One"}],
    "_time": "2024-01-02T03:04:05Z",
}


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return RuleSet.from_source(MODELING, "acme.xif")


def test_authentication_statement(rules: RuleSet) -> None:
    row = rules.model("acme_audit_raw", AUTH_EVENT)
    assert row == {
        "_time": dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
        "xdm.observer.vendor": "Acme",
        "xdm.source.user.user_type": "REGULAR",  # the RULE's value, overwritten by a later stage
        "xdm.event.id": "17",
        "xdm.event.type": "authentication",
        "xdm.event.tags": ["AUTHENTICATION"],
        "xdm.event.outcome": "FAILED",
        "xdm.source.ipv4": "203.0.113.5",
        "xdm.source.ipv6": None,
        "xdm.source.host.ipv4_addresses": ["203.0.113.5"],
        "xdm.target.resource.id": "app-1",
        "xdm.source.user.upn": "jane@acme.test",
        "xdm.source.user.username": "jane",
        "xdm.source.port": 0,
    }


def test_audit_statement(rules: RuleSet) -> None:
    event = {
        "id": 1,
        "eventType": "group.user_membership.add",
        "displayMessage": "Add user",
        "target": AUTH_EVENT["target"],
    }
    result = rules.evaluate_model("acme_audit_raw", event)
    assert [s.index for s in result.statements] == [2]
    (row,) = result.rows
    assert row["xdm.event.operation"] == "CREATE"
    assert row["xdm.target.user.groups"] == ["App One"]
    assert row["xdm.event.description"] == "group.user_membership.add: Add user"
    assert result.warnings == []


def test_later_stage_overwrites_rule_value(rules: RuleSet) -> None:
    event = {**AUTH_EVENT, "actor": {"type": "SystemPrincipal", "alternateId": "svc"}}
    assert rules.model("acme_audit_raw", event)["xdm.source.user.user_type"] == "SERVICE_ACCOUNT"


def test_statement_without_filter_and_dataset_case(rules: RuleSet) -> None:
    assert rules.model("ACME_SSO_RAW", {"Username": "bob@corp.test"}) == {
        "xdm.source.user.domain": "corp.test",
        "xdm.source.user.username": "bob",
    }


def test_unmatched_event_gives_empty_row(rules: RuleSet) -> None:
    assert rules.model("acme_audit_raw", {"id": 1}) == {}  # eventType NULL: neither in nor not in
    assert rules.datasets == ["acme_audit_raw", "acme_sso_raw"]


def test_unknown_dataset_is_an_error(rules: RuleSet) -> None:
    with pytest.raises(XqlError, match="no MODEL section for dataset 'nope'"):
        rules.model("nope", {})


def test_overlapping_statements_emit_a_row_each_and_warn() -> None:
    rules = RuleSet.from_source(
        '[MODEL: dataset=d]\nfilter a contains "x" | alter xdm.event.type = "one";\n'
        'filter a ~= "^x" | alter xdm.event.type = "two";\n',
        "o.xif",
    )
    warnings: list[XqlWarning] = []
    assert rules.model("d", {"a": "xyz"}, warnings) == {"xdm.event.type": "one"}
    (w,) = warnings
    assert w.code == "overlap" and (w.filename, w.line) == ("o.xif", 2)
    assert "statement #1" in w.message and "statement #2" in w.message
    result = rules.evaluate_model("d", {"a": "xyz"})
    assert [r["xdm.event.type"] for r in result.rows] == ["one", "two"]
    assert rules.evaluate_model("d", {"a": "yx"}).warnings == []


def test_alter_reads_the_row_from_before_the_stage() -> None:
    src = '[MODEL: dataset=d]\nalter tmp = "new", xdm.a = tmp | alter xdm.b = tmp;'
    rules = RuleSet.from_source(src, "s.xif")
    assert rules.model("d", {"tmp": "old"}) == {"xdm.a": "old", "xdm.b": "new"}
    (w,) = rules.load_warnings
    assert w.code == "same_alter_reference" and (w.line, w.column) == (2, 28)


def test_config_case_sensitive() -> None:
    src = (
        "[MODEL: dataset=d]\n"
        'config case_sensitive = true | filter a = "X" | alter xdm.a = "cs";\n'
        'filter a = "X" | alter xdm.b = "ci";\n'
        "config case_sensitive = true;\n"
        'filter a = "X" | alter xdm.c = "cs-default";\n'
    )
    result = RuleSet.from_source(src).evaluate_model("d", {"a": "x"})
    assert result.rows == [{"xdm.b": "ci"}]


def test_constants_in_modeling_and_rule_calling_rule() -> None:
    src = """
[CONST]
VENDOR = "acme";
[RULE:outer] call inner | alter xdm.b = "outer";
[rule:INNER] alter xdm.a = $vendor;
[MODEL: dataset=d] filter kind = $VENDOR | call Outer;
"""
    assert RuleSet.from_source(src).model("d", {"kind": "ACME"}) == {"xdm.a": "acme", "xdm.b": "outer"}


@pytest.mark.parametrize(
    ("src", "line", "fragment"),
    [
        ("[MODEL: dataset=d]\nfilter a = 1\n| call missing;", 3, "call of unknown rule 'missing'"),
        ("[RULE: a] call b;\n[RULE: b] call a;\n[MODEL: dataset=d] call a;", 2, "calls itself"),
        ("[MODEL: dataset=d]\nalter x = $NOPE;", 2, "unknown constant $NOPE"),
        ("[MODEL: dataset=d]\nfields a;", 2, "fields stage is not allowed in a MODEL section"),
        ("[RULE: r] fields a;\n[MODEL: dataset=d]\nalter b = 1 | call r;", 1, "fields stage is not allowed"),
        ("[INGEST: vendor=v, product=p]\ndrop a = 1 | alter b = 2;", 2, "drop must be the last stage"),
        ("[RULE: r] alter a = 1;\n[rule: R] alter a = 2;", 2, "defined twice"),
        ("[RULE: r] alter a = 1; alter b = 2;", 1, "exactly one statement"),
        ("[CONST]\nA = 1;\na = 2;", 3, "defined twice"),
    ],
)
def test_static_errors(src: str, line: int, fragment: str) -> None:
    with pytest.raises(XqlSyntaxError) as err:
        RuleSet.from_source(src, "e.xif")
    assert err.value.line == line
    assert fragment in err.value.message


def test_unknown_xdm_const_warns_and_strips_prefix() -> None:
    rules = RuleSet.from_source("[MODEL: dataset=d] alter xdm.a = XDM_CONST.OUTCOME_MAYBE, xdm.b = XDM_CONST.FOO_BAR;")
    assert rules.model("d", {}) == {"xdm.a": "MAYBE", "xdm.b": "FOO_BAR"}
    assert [w.code for w in rules.load_warnings] == ["xdm_const", "xdm_const"]


def test_xdm_const_groups_store_the_name_after_the_group_prefix() -> None:
    rules = RuleSet.from_source(
        "[MODEL: dataset=d] alter xdm.database.operation = XDM_CONST.DB_OPERATION_CREATE,"
        " xdm.network.http.method = XDM_CONST.HTTP_METHOD_PROPFIND,"
        " xdm.network.http.response_code = XDM_CONST.HTTP_RSP_CODE_NON__AUTHORITATIVE_INFORMATION,"
        " xdm.logon.type = XDM_CONST.LOGON_TYPE_NEW_CREDENTIALS;"
    )
    assert rules.model("d", {}) == {
        "xdm.database.operation": "CREATE",
        "xdm.network.http.method": "PROPFIND",
        "xdm.network.http.response_code": "NON__AUTHORITATIVE_INFORMATION",
        "xdm.logon.type": "NEW_CREDENTIALS",
    }
    assert rules.load_warnings == []


def test_a_new_member_of_a_known_group_strips_the_prefix_with_a_warning() -> None:
    rules = RuleSet.from_source("[MODEL: dataset=d] alter xdm.database.operation = XDM_CONST.DB_OPERATION_TRUNCATE;")
    assert rules.model("d", {}) == {"xdm.database.operation": "TRUNCATE"}
    assert [w.code for w in rules.load_warnings] == ["xdm_const"]


def test_ip_protocol_covers_the_iana_keywords_a_firewall_rule_maps() -> None:
    names = ["HOPOPT", "ICMP", "TCP", "UDP", "IPV6_ICMP", "3PC", "RSVP_E2E_IGNORE", "UDPLITE", "MPLS_IN_IP"]
    chain = ", ".join(f'p = "{n}", XDM_CONST.IP_PROTOCOL_{n}' for n in names)
    rules = RuleSet.from_source(f"[MODEL: dataset=d] alter xdm.network.ip_protocol = if({chain}, to_string(p));")
    assert rules.load_warnings == []
    for name in names:
        assert rules.model("d", {"p": name}) == {"xdm.network.ip_protocol": name}
    assert rules.model("d", {"p": "XYZ"}) == {"xdm.network.ip_protocol": "XYZ"}


def test_runtime_warnings_are_collected() -> None:
    rules = RuleSet.from_source('[MODEL: dataset=d] alter xdm.a = concat("v", version);', "w.xif")
    warnings: list[XqlWarning] = []
    assert rules.model("d", {"version": 5}, warnings) == {"xdm.a": None}
    assert str(warnings[0]).startswith("w.xif:1:34: warning: concat: argument 2 is integer")


def test_filter_on_non_boolean_warns() -> None:
    rules = RuleSet.from_source("[MODEL: dataset=d] filter action | alter xdm.a = 1;")
    warnings: list[XqlWarning] = []
    assert rules.model("d", {"action": "login"}, warnings) == {}
    assert "not boolean" in warnings[0].message


# --- parsing rules ---------------------------------------------------------------------

PARSING = r"""
[CONST]
VENDOR_NAME = "acme";
[INGEST:vendor="acme", product="saas", target_dataset="acme_saas_raw" , no_hit = keep]
filter created ~= "\d{4}-\d{2}-\d{2}T" | alter _time = created;
filter to_string(created) ~= "^\d{13}$"
| alter tmp_ms = to_integer(divide(created, 1000)), tmp_seen = $VENDOR_NAME
| alter _time = timestamp_seconds(tmp_ms), source = tmp_seen
| fields -tmp_*;
[INGEST: vendor=acme, product=saas, target_dataset=acme_saas_raw, no_hit=drop]
filter kind = "tagged" | tag add "t1" | drop level = "debug";
"""


@pytest.fixture(scope="module")
def parsing() -> RuleSet:
    return RuleSet.from_source(PARSING, "acme_parsing.xif")


def test_ingest_iso_string_is_cast_to_time(parsing: RuleSet) -> None:
    result = parsing.evaluate_parse("ACME", "saas", {"created": "2024-05-06T07:08:09.5Z", "x": {"a": 1}})
    (row,) = result.rows
    assert row.dataset == "acme_saas_raw"
    assert row.values == {
        "created": "2024-05-06T07:08:09.5Z",
        "x": '{"a":1}',
        "_time": dt.datetime(2024, 5, 6, 7, 8, 9, 500000, tzinfo=UTC),
    }


def test_ingest_epoch_millis_and_fields_exclusion(parsing: RuleSet) -> None:
    row = parsing.parse("acme", "saas", {"created": 1714979289000})
    assert row == {"created": 1714979289000, "_time": dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC), "source": "acme"}


def test_no_hit_keep_keeps_only_raw_log(parsing: RuleSet) -> None:
    result = parsing.evaluate_parse("acme", "saas", {"created": "yesterday"})
    assert [(r.dataset, r.values, r.statement) for r in result.rows] == [
        ("acme_saas_raw", {"_raw_log": '{"created":"yesterday"}'}, None)
    ]


def test_tag_drop_and_several_sections(parsing: RuleSet) -> None:
    warnings: list[XqlWarning] = []
    row = parsing.parse(
        "acme", "saas", {"kind": "tagged", "level": "info", "created": "2024-01-01T00:00:00Z"}, warnings
    )
    assert row is not None and row["_time"] == dt.datetime(2024, 1, 1, tzinfo=UTC)
    assert "ingested 2 times" in warnings[-1].message
    result = parsing.evaluate_parse("acme", "saas", {"kind": "tagged", "level": "info"})
    assert [r.values.get("_tag") for r in result.rows] == [None, ["t1"]]  # keep row, then the tagged one
    dropped = parsing.evaluate_parse("acme", "saas", {"kind": "tagged", "level": "debug"})
    assert [r.values for r in dropped.rows] == [{"_raw_log": '{"kind":"tagged","level":"debug"}'}]


def test_invalid_time_falls_back_to_insert_time() -> None:
    rules = RuleSet.from_source("[INGEST: vendor=v, product=p] alter _time = t;")
    warnings: list[XqlWarning] = []
    row = rules.parse("v", "p", {"t": "not a date", "_insert_time": 1700000000}, warnings)
    assert row is not None and row["_time"] == dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    assert "_insert_time is used" in warnings[0].message


def test_arrayexpand_ingestnull_and_fields_alias() -> None:
    rules = RuleSet.from_source(
        "[INGEST: vendor=v, product=p, ingestnull=false]\n"
        'alter ids = split(csv, ",") | arrayexpand ids limit 2 | fields ids as id, missing, _time;'
    )
    rows = [r.values for r in rules.evaluate_parse("v", "p", {"csv": "a,b,c", "_time": 0}).rows]
    assert rows == [
        {"_time": dt.datetime(1970, 1, 1, tzinfo=UTC), "id": "a"},
        {"_time": dt.datetime(1970, 1, 1, tzinfo=UTC), "id": "b"},
    ]


def test_no_ingest_section_is_an_error(parsing: RuleSet) -> None:
    with pytest.raises(XqlError, match="no INGEST section"):
        parsing.parse("other", "saas", {})


# --- loading ---------------------------------------------------------------------------


def test_load_rules_from_directory_and_file(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "One.xif").write_text("[MODEL: dataset=one_raw] alter xdm.a = 1;")
    (tmp_path / "Two.XIF").write_text("[MODEL: dataset=two_raw] alter xdm.b = 2;")
    rules = load_rules(tmp_path)
    assert sorted(rules.datasets) == ["one_raw", "two_raw"]
    assert load_rules(tmp_path / "Two.XIF").model("two_raw", {}) == {"xdm.b": 2}
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(XqlError, match="no .xif file"):
        load_rules(empty)
    with pytest.raises(XqlError, match="no such rule file"):
        load_rules(tmp_path / "missing.xif")


def test_load_rules_reports_file_position(tmp_path: Path) -> None:
    path = tmp_path / "Bad.xif"
    path.write_text("[MODEL: dataset=d]\nalter a = nosuch(1);")
    with pytest.raises(XqlSyntaxError) as err:
        load_rules(path)
    assert str(err.value).startswith(f"{path}:2:11: unknown function 'nosuch'")
