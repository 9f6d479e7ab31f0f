"""Dashboards offline on made-up boards and rows: what the structure check rejects, what a view cannot draw,
the widget's time frame, the summary line, and a picture for every kind of widget."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from devkit.dashboards import Board, Widget, column_problems, load_board, structure_problems, summary_line, view_options
from devkit.dashboards.evaluate import WidgetResult, evaluate_board
from devkit.dashboards.render import _column_order, render_board
from devkit.xql import parse_query
from devkit.xql.evaluator import RuleSet

DS = "dataset = docusign_docusign_raw"
PIE = f"{DS} | comp count() as n by user | view graph type = pie xaxis = user yaxis = n"
TABLE = f"{DS} | fields user, action"


def widget_entry(key: str, phrase: str, width: float = 50) -> tuple[dict[str, Any], dict[str, Any]]:
    data = {
        "params": [],
        "phrase": phrase,
        "time_frame": {"relativeTime": 3_600_000},
        "viewOptions": view_options(parse_query(phrase).view),
    }
    layout = {"key": key, "data": {"type": "Custom XQL", "width": width, "height": 400, **data}}
    described = {
        "widget_key": key,
        "title": f"Widget {key}",
        "creation_time": 1,
        "description": "d",
        "data": data,
        "support_time_range": True,
        "additional_info": {},
    }
    return layout, described


def dashboard(*phrases: str) -> dict[str, Any]:
    entries = [widget_entry(f"xql_{i}", p) for i, p in enumerate(phrases)]
    return {
        "dashboards_data": [
            {
                "id": "abc",
                "name": "Board",
                "status": "ENABLED",
                "default_dashboard_id": 1,
                "layout": [{"id": "row-1", "data": [layout for layout, _ in entries]}],
            }
        ],
        "widgets_data": [described for _, described in entries],
        "fromVersion": "8.4.0",
    }


def problems(tmp_path: Path, document: dict[str, Any]) -> list[str]:
    path = tmp_path / "board.json"
    path.write_text(json.dumps(document))
    return structure_problems(path)


def test_a_sound_dashboard_has_no_structure_problem(tmp_path: Path) -> None:
    assert problems(tmp_path, dashboard(PIE, TABLE)) == []


def _drop_status(d: dict[str, Any]) -> None:
    del d["dashboards_data"][0]["status"]


def _reuse_key(d: dict[str, Any]) -> None:
    d["dashboards_data"][0]["layout"][0]["data"][1]["key"] = "xql_0"


def _unlist_widget(d: dict[str, Any]) -> None:
    d["widgets_data"].pop()


def _orphan_widget(d: dict[str, Any]) -> None:
    d["dashboards_data"][0]["layout"][0]["data"].pop()


def _edit_one_copy(d: dict[str, Any]) -> None:
    d["dashboards_data"][0]["layout"][0]["data"][0]["data"]["phrase"] = PIE.replace("pie", "column")


def _stale_view_options(d: dict[str, Any]) -> None:
    for copy_ in (d["dashboards_data"][0]["layout"][0]["data"][0]["data"], d["widgets_data"][0]["data"]):
        copy_["viewOptions"] = {"type": "column", "commands": []}


def _too_wide(d: dict[str, Any]) -> None:
    d["dashboards_data"][0]["layout"][0]["data"][0]["data"]["width"] = 60


def _untitled(d: dict[str, Any]) -> None:
    del d["widgets_data"][0]["title"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (_drop_status, "dashboard lacks 'status'"),
        (_reuse_key, "layout key 'xql_0' is used twice"),
        (_unlist_widget, "layout key 'xql_1' names no widget in widgets_data"),
        (_orphan_widget, "widget 'xql_1' is not in the layout"),
        (_edit_one_copy, "widget 'xql_0': the layout's phrase differs from widgets_data's"),
        (_stale_view_options, "widget 'xql_0': viewOptions do not match the query's view stage"),
        (_too_wide, "layout row 'row-1' is 110% wide"),
        (_untitled, "widget 'xql_0' lacks 'title'"),
    ],
)
def test_structure_problems_name_what_xsiam_would_misread(tmp_path: Path, change: Any, expected: str) -> None:
    document = copy.deepcopy(dashboard(PIE, TABLE))
    change(document)
    assert expected in problems(tmp_path, document)


def test_a_report_needs_its_time_frame(tmp_path: Path) -> None:
    board = dashboard(PIE)
    entry = {**board["dashboards_data"][0], "time_offset": 0}
    del entry["status"], entry["default_dashboard_id"]
    report = {"templates_data": [entry], "widgets_data": board["widgets_data"]}
    assert problems(tmp_path, report) == ["a report needs time_frame.relativeTime"]
    entry["time_frame"] = {"relativeTime": 604_800_000}
    assert problems(tmp_path, report) == []


def view(phrase: str) -> Any:
    return parse_query(f"{DS} | " + phrase).view


@pytest.mark.parametrize(
    ("phrase", "rows", "expected"),
    [
        ("view graph type = pie xaxis = user yaxis = n", [{"user": "ann", "n": 2}], []),
        ("view graph type = pie xaxis = user yaxis = n", [{"user": "ann", "n": "2"}], ["has str '2', not a number"]),
        ("view graph type = pie xaxis = user yaxis = n", [{"user": None, "n": 1}], ["x axis 'user' is empty"]),
        ("view graph type = line xaxis = t yaxis = n", [{"t": 1, "n": 1}, {"t": "x", "n": 1}], ["mixes numbers, text"]),
        ("view graph type = column xaxis = u yaxis = n series = s", [{"u": "a", "n": 1, "s": ""}], ["series 's'"]),
        ("view graph type = single yaxis = n", [{"n": 1}, {"n": 2}], ["a single value needs one row, not 2"]),
        ("view graph type = single yaxis = n", [{"n": None}], ["y axis 'n' has no number"]),
    ],
)
def test_column_problems_say_what_a_chart_cannot_draw(phrase: str, rows: list[dict[str, Any]], expected: list) -> None:
    found = column_problems(view(phrase), rows)
    assert len(found) == len(expected) and all(e in f for e, f in zip(expected, found, strict=True)), found


def test_a_table_column_with_no_value_anywhere_is_a_problem() -> None:
    assert column_problems(None, [{"user": "ann", "typo": None}, {"user": "bob"}]) == [
        "column 'typo' has no value in any row"
    ]


EVENTS = [
    {"user": "ann", "action": "Login", "_time": "2024-01-24T07:00:00Z"},  # more than an hour before the newest
    {"user": "ann", "action": "Login", "_time": "2024-01-24T09:30:00Z"},
    {"user": "bob", "action": "Sent", "_time": "2024-01-24T10:00:00Z"},
]


def test_widgets_see_their_time_frame_back_from_the_newest_event(tmp_path: Path) -> None:
    path = tmp_path / "board.json"
    path.write_text(json.dumps(dashboard(PIE, TABLE)))
    board = load_board(path)
    results = evaluate_board(board, EVENTS, RuleSet([]))
    assert sorted((r["user"], r["n"]) for r in results[0].rows) == [("ann", 1), ("bob", 1)]
    assert len(results[1].rows) == 2 and all(r.ok for r in results)
    assert summary_line(board, results, "the data") == "Dashboard Board: 2 widgets, all evaluated on the data (4 rows)"


def test_the_summary_names_the_widgets_that_failed(tmp_path: Path) -> None:
    path = tmp_path / "board.json"
    path.write_text(json.dumps(dashboard(PIE.replace("yaxis = n", "yaxis = count"), f'{DS} | filter user = "x"')))
    board = load_board(path)
    line = summary_line(board, evaluate_board(board, EVENTS, RuleSet([])), "the data")
    assert line.startswith("Dashboard Board: 0 of 2 widgets evaluated on the data (Widget xql_0: line 1: view draws")
    assert line.endswith("Widget xql_1: no rows)")


def test_every_kind_of_widget_is_drawn_into_a_png() -> None:
    phrases = [
        f"{DS} | comp count() as n | view graph type = single subtype = standard yaxis = n",
        f"{DS} | bin _time span = 1h | comp count() as n by _time, user "
        "| view graph type = line xaxis = _time yaxis = n series = user",
        f"{DS} | comp count() as n by action, user "
        "| view graph type = column subtype = stacked xaxis = action yaxis = n series = user",
        f"{DS} | comp count() as n by user | view graph type = column layout = horizontal xaxis = user yaxis = n",
        f"{DS} | comp count() as n by user | view graph type = map xaxis = user yaxis = n",
        PIE,
        TABLE + " | fields action, user",
    ]
    widgets = [Widget(f"k{i}", f"W{i}", "", p, 3_600_000, i // 3, 33.3, 400) for i, p in enumerate(phrases)]
    board = Board(Path("b.json"), "dashboard", "Board", "About it", tuple(widgets))
    results = evaluate_board(board, EVENTS, RuleSet([]))
    results += [WidgetResult(Widget("e", "Broken", "", DS, 1, 9, 50, 200), error="line 1: bad")]
    results += [WidgetResult(Widget("n", "Empty", "", DS, 1, 9, 50, 200))]
    picture = render_board(board, results)
    assert picture[:8] == b"\x89PNG\r\n\x1a\n" and len(picture) > 5_000


def test_a_tables_columns_follow_the_fields_stage() -> None:
    rows = [{"user": "ann", "action": "Login", "_time": dt.datetime(2024, 1, 1, tzinfo=dt.UTC)}]
    assert _column_order(f"{DS} | fields action as what, user", [{"user": 1, "what": 2, "_time": 3}]) == [
        "what",
        "user",
        "_time",
    ]
    assert _column_order(DS, rows) == ["user", "action", "_time"]
