"""Search queries: the table stages (comp, sort, limit, union...) over rows, a time frame, the view stage, and
errors that point at the query."""

from __future__ import annotations

import datetime as dt
import re
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
        ("dataset = logins_raw\n| windowcomp count() as n", "2:3: the 'windowcomp' stage is not supported offline yet"),
        ("dataset = logins_raw | join (dataset = logins_raw) as o o.a = o.b", "compares o.<field> with a field"),
        ("dataset = logins_raw | bin _time span = 5w", "a bin span is a whole number and a unit"),
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


def test_dedup_keeps_the_first_row_of_each_key_in_the_order_by_asks() -> None:
    rows = query("dataset = logins_raw | dedup user by desc bytes | fields user, bytes | sort asc user")
    assert rows == [{"user": "ann", "bytes": 30}, {"user": "bob", "bytes": 5}, {"user": "cy", "bytes": None}]


def test_bin_floors_timestamps_to_the_span() -> None:
    events = [{"_time": "2024-01-24T10:59:59Z"}, {"_time": "2024-01-24T11:00:00Z"}, {"_time": "2024-01-24T11:42:00Z"}]
    rows = run_query("dataset = t | bin _time span = 1h | comp count() as n by _time | sort asc _time", {"t": events})
    assert [(r["_time"].hour, r["n"]) for r in rows] == [(10, 1), (11, 2)]


def test_join_matches_rows_on_the_named_fields_inner_and_left() -> None:
    people: list[dict[str, Any]] = [
        {"id": "ann", "status": "closed"},
        {"id": "bob", "status": "active"},
        {"id": None, "status": "x"},
    ]
    datasets: dict[str, list[dict[str, Any]]] = {"logins_raw": EVENTS, "people": people}
    inner = run_query(
        "dataset = logins_raw | join (dataset = people | fields id, status) as p p.id = user "
        "| comp count() as n by user, status | sort asc user",
        datasets,
    )
    assert inner == [{"user": "ann", "status": "closed", "n": 2}, {"user": "bob", "status": "active", "n": 1}]
    left = run_query(
        'dataset = logins_raw | join type = left (dataset = people | filter status = "closed") as p p.id = user '
        "| fields user, status | dedup user | sort asc user",
        datasets,
    )
    assert left == [{"user": "ann", "status": "closed"}, {"user": "bob"}, {"user": "cy"}]


def test_a_backquoted_alias_can_be_filtered_on() -> None:
    rows = query("dataset = logins_raw | comp count() as `Failed Logins` by user | filter `Failed Logins` >= 2")
    assert rows == [{"user": "ann", "Failed Logins": 2}]


def test_union_appends_the_rows_of_its_query_whose_columns_may_differ() -> None:
    rows = query(
        'dataset = logins_raw | filter result = "Success" | fields user '
        '| union (dataset = logins_raw | filter country = "fr" | comp count() as n by country) | sort asc user'
    )
    assert rows == [{"user": "bob"}, {"country": "fr", "n": 2}]


def test_a_time_frame_keeps_the_events_in_it_for_every_dataset_the_query_reads() -> None:
    events = [
        {"user": "ann", "_time": "2024-01-24T09:59:59Z"},
        {"user": "ann", "_time": "2024-01-24T10:00:00Z"},
        {"user": "bob", "_time": "2024-01-24T11:00:00Z"},
        {"user": "cy"},
    ]
    frame = (dt.datetime(2024, 1, 24, 10, tzinfo=dt.UTC), dt.datetime(2024, 1, 24, 11, tzinfo=dt.UTC))
    source = 'dataset = t | union (dataset = t | filter user = "ann") | comp count() as n by user | sort asc user'
    assert run_query(source, {"t": events}, timeframe=frame) == [{"user": "ann", "n": 2}, {"user": "bob", "n": 1}]
    assert sum(r["n"] for r in run_query(source, {"t": events})) == 6


def test_a_view_is_parsed_with_its_settings_and_leaves_the_rows_as_they_are() -> None:
    source = (
        "dataset = logins_raw | comp count() as n by result, country "
        '| view graph type = column subtype = stacked header = "Logins" xaxis = country yaxis = n,n series = result '
        'legend = `false` valuecolor("Failure", "#c00")'
    )
    view = parse_query(source).view
    assert view is not None
    assert (view.graph_type, view.xaxis, view.yaxis, view.series) == ("column", "country", ("n", "n"), "result")
    assert view.option("header") == '"Logins"' and view.option("legend") == "`false`"
    assert [(f.name, f.args) for f in view.funcs] == [("valuecolor", ('"Failure"', '"#c00"'))]
    assert query(source) == query(source.split("| view")[0])
    assert parse_query("dataset = logins_raw | limit 1").view is None


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("| view graph type = donut xaxis = user yaxis = bytes", "1:24: view graph needs type = one of area"),
        ("| view graph type = pie yaxis = bytes", "a pie graph needs xaxis = <field>"),
        ("| view graph type = line xaxis = user", "a line graph needs yaxis = <field>"),
        ("| view graph type = pie xaxis = user yaxis = bytes series = country", "a pie graph takes no series"),
        ("| view graph type = single yaxis = bytes | limit 1", "view must be the last stage of the query"),
        ('| view highlight fields = user values = "ann"', "only 'view graph type = ...' is supported offline"),
        ("| view graph type = pie xaxis = a xaxis = b yaxis = c", "xaxis is set twice in view"),
        ("| union logins_raw", "union takes a query in parentheses offline"),
        ("| union (dataset = logins_raw | view graph type = single yaxis = bytes)", "view must be the last stage"),
    ],
)
def test_view_and_union_errors_point_at_the_stage(source: str, message: str) -> None:
    with pytest.raises(XqlSyntaxError, match=re.escape(message)):
        parse_query("dataset = logins_raw " + source)


def test_a_view_that_draws_a_missing_column_fails_at_the_view() -> None:
    with pytest.raises(XqlError, match=r"line 2: view draws 'count', not a column \(have: n, user\)"):
        query("dataset = logins_raw | comp count() as n by user\n| view graph type = pie xaxis = user yaxis = count")
    assert query('dataset = logins_raw | filter user = "nobody" | view graph type = single yaxis = n') == []
