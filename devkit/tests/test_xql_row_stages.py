"""config case_sensitive and arrayexpand: row stages of rules and of search queries."""

from __future__ import annotations

from typing import Any

import pytest

from devkit.xql import RuleSet, XqlSyntaxError, XqlWarning, parse_query, run_query

EVENTS: list[dict[str, Any]] = [
    {"user": "Ann", "roles": ["Admin", "Viewer", "Editor"], "ip": "10.0.0.1"},
    {"user": "bob", "roles": [], "ip": "10.0.0.2"},
    {"user": "cy", "ip": "10.0.0.3"},
]
ROLES = 'alter role = json_extract_scalar_array(roles, "$")'


def query(source: str, warnings: list[XqlWarning] | None = None) -> list[dict[str, Any]]:
    return run_query(source, {"users_raw": EVENTS, "admins_raw": [{"name": "ANN"}]}, warnings=warnings)


def users(source: str) -> list[str]:
    return [row["user"] for row in query(source)]


# --- config case_sensitive ---------------------------------------------------------------------------


def test_queries_compare_strings_case_insensitively_by_default() -> None:
    assert users('dataset = users_raw | filter user = "ANN"') == ["Ann"]
    assert users('config case_sensitive = false | dataset = users_raw | filter user in ("ann", "BOB")') == [
        "Ann",
        "bob",
    ]


def test_config_first_in_the_query_makes_every_later_comparison_case_sensitive() -> None:
    assert users('config case_sensitive = true | dataset = users_raw | filter user = "ANN"') == []
    assert users('config case_sensitive = true | dataset = users_raw | filter user contains "nn"') == ["Ann"]
    assert users('config case_sensitive = true | dataset = users_raw | filter user in ("ann", "bob")') == ["bob"]
    query_ = parse_query("config case_sensitive = true | datamodel dataset = users_raw | limit 1")
    assert query_.datamodel and query_.dataset == "users_raw"
    assert [type(s).__name__ for s in query_.stages] == ["Config", "Limit"]


def test_a_later_config_stage_holds_for_the_stages_after_it() -> None:
    source = (
        'dataset = users_raw | alter before = user = "ANN" | config case_sensitive = true'
        ' | alter after = user = "ANN" | filter user != "bob" | fields user, before, after'
    )
    assert query(source) == [
        {"user": "Ann", "before": True, "after": False},
        {"user": "cy", "before": False, "after": False},
    ]


def test_a_joined_subquery_starts_from_the_setting_of_the_query_around_it() -> None:
    join = (
        ' | join type = left (dataset = admins_raw | filter name = "ann" | alter user = "Ann") as a a.user = user'
        " | fields user, name"
    )
    assert query('dataset = users_raw | filter user = "Ann"' + join) == [{"user": "Ann", "name": "ANN"}]
    strict = query('config case_sensitive = true | dataset = users_raw | filter user = "Ann"' + join)
    assert strict == [{"user": "Ann"}]


def test_config_takes_only_case_sensitive_and_a_boolean() -> None:
    with pytest.raises(XqlSyntaxError, match="only 'config case_sensitive = true|false' is supported offline"):
        parse_query("config timeframe = 1d | dataset = users_raw")
    with pytest.raises(XqlSyntaxError, match="expected true or false") as err:
        parse_query("config case_sensitive = yes | dataset = users_raw")
    assert (err.value.line, err.value.column) == (1, 25)
    with pytest.raises(XqlSyntaxError, match="expected '|' after the config stage"):
        parse_query("config case_sensitive = true dataset = users_raw")


def test_config_in_a_parsing_rule_holds_for_the_rest_of_its_statement() -> None:
    rules = RuleSet.from_source(
        "[INGEST: vendor=v, product=p, no_hit=drop]\n"
        'alter a = user = "ANN" | config case_sensitive = true | alter b = user = "ANN";'
    )
    row = rules.parse("v", "p", {"user": "Ann"})
    assert row is not None and (row["a"], row["b"]) == (True, False)


# --- arrayexpand ---------------------------------------------------------------------------------------


def test_arrayexpand_makes_a_row_per_element_and_drops_rows_without_one() -> None:
    rows = query(f"dataset = users_raw | {ROLES} | arrayexpand role | fields user, role")
    assert rows == [
        {"user": "Ann", "role": "Admin"},
        {"user": "Ann", "role": "Viewer"},
        {"user": "Ann", "role": "Editor"},
    ]


def test_arrayexpand_limit_keeps_the_first_elements_of_each_array() -> None:
    rows = query(f"dataset = users_raw | {ROLES} | arrayexpand role limit 2 | comp count() as n by user")
    assert rows == [{"user": "Ann", "n": 2}]


def test_expanded_values_compare_under_the_case_setting() -> None:
    source = f'dataset = users_raw | {ROLES} | arrayexpand role | filter role = "admin" | fields role'
    assert query(source) == [{"role": "Admin"}]
    assert query("config case_sensitive = true | " + source) == []


def test_arrayexpand_of_raw_json_text_warns_with_a_hint() -> None:
    warnings: list[XqlWarning] = []
    assert query('dataset = users_raw | filter user = "Ann" | arrayexpand roles', warnings) == []
    (warning,) = warnings
    assert "roles is string, not an array" in warning.message and "json_extract_array" in warning.message
    assert (warning.filename, warning.line, warning.column) == ("<query>", 1, 45)


def test_arrayexpand_of_a_modeled_array_field() -> None:
    rules = RuleSet.from_source("[MODEL: dataset=users_raw] alter xdm.source.user.groups = roles -> [];")
    rows = run_query(
        "datamodel dataset = users_raw | arrayexpand xdm.source.user.groups | fields xdm.source.user.groups",
        {"users_raw": EVENTS[:1]},
        rules,
    )
    assert [row["xdm.source.user.groups"] for row in rows] == ['"Admin"', '"Viewer"', '"Editor"']


def test_arrayexpand_limit_is_a_positive_whole_number() -> None:
    for bad in ("0", "1.5"):
        with pytest.raises(XqlSyntaxError, match="limit is a whole number of rows") as err:
            parse_query(f"dataset = users_raw | arrayexpand roles limit {bad}")
        assert err.value.column == 47


def test_arrayexpand_stays_out_of_modeling_rules() -> None:
    with pytest.raises(XqlSyntaxError, match="arrayexpand stage is not allowed in a MODEL section"):
        RuleSet.from_source("[MODEL: dataset=d]\nalter a = arraycreate(1) | arrayexpand a;")
