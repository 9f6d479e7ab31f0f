"""Run each widget's query offline over a dataset, in the widget's time frame, and check what its view draws.

The time frame ends at the newest event (``now`` for data that was just collected), as XSIAM evaluates a
widget's relative time frame back from the moment the dashboard is opened. A view's columns must have what
a chart can draw: numbers on the y axes, a label for every x value and series, one row for a single value;
a table's every column must have a value somewhere (a misspelt field shows only nulls).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from devkit.engine import DATASET
from devkit.xql import Premodeled, RuleSet, XqlError, XqlWarning, parse_query, run_query
from devkit.xql.ast import View
from devkit.xql.values import coerce_timestamp, is_number
from devkit.xql.view import field_name

from .content import Board, Widget


@dataclass
class WidgetResult:
    widget: Widget
    rows: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[XqlWarning] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # what the view or table cannot show
    error: str | None = None  # the query did not evaluate

    @property
    def ok(self) -> bool:
        return self.error is None and bool(self.rows) and not self.warnings and not self.problems


def newest(events: Sequence[dict[str, Any]]) -> dt.datetime:
    """The newest ``_time`` among the events: where a time frame ending now ends for this data."""
    return max(coerce_timestamp(e["_time"]) for e in events if e.get("_time") is not None)


def evaluate_widget(widget: Widget, events: list[dict[str, Any]], rules: RuleSet, now: dt.datetime) -> WidgetResult:
    result = WidgetResult(widget)
    timeframe = (now - dt.timedelta(milliseconds=widget.relative_time_ms), now)
    try:
        result.rows = run_query(widget.phrase, {DATASET: events}, rules, result.warnings, timeframe)
    except XqlError as exc:
        result.error = str(exc)
        return result
    result.problems = column_problems(widget.view, result.rows)
    return result


def evaluate_board(board: Board, events: list[dict[str, Any]], rules: RuleSet) -> list[WidgetResult]:
    """Every widget of the board over ``events`` (the dataset), which ``rules`` model for datamodel queries.

    Pass a :class:`Premodeled` to share the modeling between boards; its warnings go to each datamodel widget.
    """
    modeled = rules if isinstance(rules, Premodeled) else Premodeled(rules, DATASET, events)
    now = newest(events)
    results = []
    for widget in board.widgets:
        result = evaluate_widget(widget, events, modeled, now)
        if result.error is None and parse_query(widget.phrase).datamodel:
            result.warnings[:0] = modeled.warnings
        results.append(result)
    return results


def column_problems(view: View | None, rows: list[dict[str, Any]]) -> list[str]:
    """What the widget could not show from these rows (nothing to say about no rows: that is the caller's)."""
    if not rows:
        return []
    if view is None:
        columns = {name for row in rows for name in row}
        return [f"column {c!r} has no value in any row" for c in sorted(columns) if all(_empty(r.get(c)) for r in rows)]
    problems = []
    for name in (field_name(y) for y in view.yaxis):
        values = [_get(row, name) for row in rows]
        wrong = [v for v in values if v is not None and _kind(v) != "numbers"]
        if wrong:
            problems.append(f"y axis {name!r} has {type(wrong[0]).__name__} {wrong[0]!r}, not a number")
        elif all(v is None for v in values):
            problems.append(f"y axis {name!r} has no number")
    for axis, written in (("x axis", view.xaxis), ("series", view.series)):
        if written:
            name = field_name(written)
            values = [_get(row, name) for row in rows]
            if any(_empty(v) for v in values):
                problems.append(f"{axis} {name!r} is empty in some rows (a slice or bar without a label)")
            kinds = {_kind(v) for v in values if not _empty(v)}
            if len(kinds) > 1:
                problems.append(f"{axis} {name!r} mixes {', '.join(sorted(kinds))}")
    if view.graph_type == "single" and len(rows) != 1:
        problems.append(f"a single value needs one row, not {len(rows)}")
    return problems


def _get(row: dict[str, Any], name: str) -> Any:
    """A column of a result row, named as the view names it (case-insensitively)."""
    return next((value for key, value in row.items() if key.casefold() == name.casefold()), None)


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _kind(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return "timestamps"
    if is_number(value):
        return "numbers"
    return "text" if isinstance(value, str) else type(value).__name__


def summary_line(board: Board, results: list[WidgetResult], data: str = "the demo data") -> str:
    """One line for a board: how many widgets evaluated to rows that their views can draw."""
    label = "Dashboard" if board.kind == "dashboard" else "Report"
    rows = sum(len(r.rows) for r in results)
    failing = [r for r in results if not r.ok]
    if not failing:
        return f"{label} {board.name}: {len(results)} widgets, all evaluated on {data} ({rows} rows)"
    detail = "; ".join(f"{r.widget.title}: {_failure(r)}" for r in failing)
    evaluated = f"{len(results) - len(failing)} of {len(results)} widgets evaluated on {data}"
    return f"{label} {board.name}: {evaluated} ({detail})"


def _failure(result: WidgetResult) -> str:
    if result.error:
        return result.error
    if not result.rows:
        return "no rows"
    if result.warnings:
        return f"{len(result.warnings)} warnings, first: {result.warnings[0]}"
    return result.problems[0]
