"""Search queries: the table stages (comp, sort, limit) over rows, and errors that point at the query."""

from __future__ import annotations

from typing import Any

import pytest

from devkit.xql import XqlError, XqlSyntaxError, parse_query, run_query
from devkit.xql.evaluator import RuleSet

EVENTS: list[dict[str, Any]] = [
    {"user": "ann", "result": "Failure", "country": "fr", "bytes": 10},
    {"user": "ann", "result": "Failure", "country": "fr", "bytes": 30},
    {"user": "bob", "result": "Success", "country": None, "bytes": 5},
    {"user": "cy", "result": "Failure", "country": "de", "bytes": None},
]


def query(source: str) -> list[dict]:
    return run_query(source, {"logins_raw": EVENTS})


def test_comp_groups_by_fields_with_nulls_as_their_own_group_and_aggregates_each() -> None:
    rows = query(
        "dataset = logins_raw | comp count() as n, count_distinct(user) as users, sum(bytes) as total, "
        "max(bytes) as biggest, avg(bytes) as mean, values(user) as who by country | sort desc n"
    )
    assert rows == [
        {"country": "fr", "n": 2, "users": 1, "total": 40.0, "biggest": 30, "mean": 20.0, "who": ["ann"]},
        {"country": None, "n": 1, "users": 1, "total": 5.0, "biggest": 5, "mean": 5.0, "who": ["bob"]},
        {"country": "de", "n": 1, "users": 1, "total": None, "biggest": None, "mean": None, "who": ["cy"]},
    ]


def test_count_of_a_field_skips_nulls_and_comp_without_by_is_one_row() -> None:
    assert query("dataset = logins_raw | comp count(country) as located, count() as all_rows") == [
        {"located": 3, "all_rows": 4}
    ]


def test_row_stages_run_before_table_stages_in_written_order() -> None:
    rows = query(
        'dataset = logins_raw | filter result = "Failure" | alter who = uppercase(user) | fields who, bytes '
        "| sort asc bytes | limit 2"
    )
    assert rows == [{"who": "ANN", "bytes": 10}, {"who": "ANN", "bytes": 30}]


def test_sort_puts_nulls_last_both_ways_and_breaks_ties_with_the_next_key() -> None:
    assert [r["user"] for r in query("dataset = logins_raw | sort desc country, asc bytes")] == [
        "ann",
        "ann",
        "cy",
        "bob",
    ]
    assert [r["user"] for r in query("dataset = logins_raw | sort asc country, desc bytes")] == [
        "cy",
        "ann",
        "ann",
        "bob",
    ]


def test_datamodel_queries_read_the_modeled_rows() -> None:
    rules = RuleSet.from_source("[MODEL: dataset=logins_raw]\nalter xdm.source.user.username = user;")
    rows = run_query(
        "datamodel dataset = logins_raw | comp count() as n by xdm.source.user.username "
        "| sort asc xdm.source.user.username",
        {"logins_raw": EVENTS},
        rules,
    )
    assert rows == [
        {"xdm.source.user.username": "ann", "n": 2},
        {"xdm.source.user.username": "bob", "n": 1},
        {"xdm.source.user.username": "cy", "n": 1},
    ]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("filter x = 1", "1:1: a query starts with 'dataset = <name>'"),
        ("dataset = logins_raw | comp count() by user", "name the result of count() with 'as <name>'"),
        ("dataset = logins_raw | comp median(bytes) as m", "1:29: unknown aggregate 'median'"),
        ("dataset = logins_raw | sort bytes", "expected asc or desc in sort"),
        ("dataset = logins_raw | limit 0", "limit takes a whole number of rows"),
        (
            "dataset = logins_raw\n| join (dataset = x) as y y.a = a",
            "2:3: the 'join' stage is not supported offline yet",
        ),
        ("dataset = logins_raw | call some_rule", "not for queries"),
    ],
)
def test_query_errors_point_at_the_query(source: str, message: str) -> None:
    with pytest.raises(XqlError, match=message.replace("(", r"\(").replace(")", r"\)")):
        query(source)


def test_an_unknown_dataset_is_named_with_the_ones_there_are() -> None:
    with pytest.raises(XqlError, match="no dataset 'other_raw' \\(have: logins_raw\\)"):
        query("dataset = other_raw")


def test_rules_only_stages_stay_out_of_queries_and_query_stages_out_of_rules() -> None:
    assert parse_query("dataset = a | limit 3").stages[0].count == 3  # type: ignore[attr-defined]
    with pytest.raises(XqlSyntaxError, match="not allowed in XIF rules"):
        RuleSet.from_source("[MODEL: dataset=a]\nalter x = 1 | limit 3;")
