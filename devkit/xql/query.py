"""Search queries over a dataset held in memory: ``[datamodel] dataset = name | stage | ...``.

Row stages (filter, alter, fields, config, arrayexpand) run through the rules' :class:`Evaluator`
one row at a time; the table stages here (comp, sort, limit, dedup, bin, join) see the whole result. With
``datamodel``, each raw event is first modeled by the pack's modeling rules, as XSIAM's
``datamodel dataset =`` shows the XDM view of a dataset.

    rows = run_query('dataset = docusign_docusign_raw | comp count() as n by source_log_type',
                     {"docusign_docusign_raw": events}, rules)
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable
from typing import Any

from . import ast
from .errors import XqlError, XqlWarning
from .evaluator import CompiledStatement, Evaluator, RuleSet
from .parser import parse_query
from .values import Row, compare_order, row_from_event

ROW_STAGES = (ast.Filter, ast.Alter, ast.Fields, ast.Config, ast.ArrayExpand)


def run_query(
    source: str,
    datasets: dict[str, list[dict[str, Any]]],
    rules: RuleSet | None = None,
    warnings: list[XqlWarning] | None = None,
) -> list[dict[str, Any]]:
    """The rows ``source`` returns from ``datasets`` (raw events by dataset name); ``rules`` model the events
    for ``datamodel dataset =`` queries."""
    return [row.to_dict() for row in _run(parse_query(source), datasets, rules, warnings)]


def _run(
    query: ast.Query,
    datasets: dict[str, list[dict[str, Any]]],
    rules: RuleSet | None,
    warnings: list[XqlWarning] | None,
    case_sensitive: bool = False,
) -> list[Row]:
    found = {name.casefold(): events for name, events in datasets.items()}
    if query.dataset.casefold() not in found:
        raise XqlError(f"line {query.line}: no dataset {query.dataset!r} (have: {', '.join(datasets) or 'none'})")
    events = found[query.dataset.casefold()]
    if query.datamodel:
        if rules is None:
            raise XqlError(f"line {query.line}: a datamodel query needs the modeling rules")
        rows = [Row(modeled) for event in events if (modeled := rules.model(query.dataset, event, warnings))]
    else:
        rows = [row_from_event(event) for event in events]
    evaluator = Evaluator(filename="<query>")
    collected = warnings if warnings is not None else []
    for stage in query.stages:
        if isinstance(stage, ast.Config):
            # Holds for the row stages after it; a join's subquery starts from it [INFER].
            case_sensitive = stage.value
        elif isinstance(stage, ROW_STAGES):
            statement = CompiledStatement((stage,), 1, stage.line, stage.col, case_sensitive=case_sensitive)
            rows = [out for row in rows for out in evaluator.run_statement(statement, row, collected)[0]]
        elif isinstance(stage, ast.Comp):
            rows = _comp(rows, stage, evaluator, collected)
        elif isinstance(stage, ast.Sort):
            rows = sorted(rows, key=functools.cmp_to_key(_row_order(stage.keys)))
        elif isinstance(stage, ast.Limit):
            rows = rows[: stage.count]
        elif isinstance(stage, ast.Dedup):
            rows = _dedup(rows, stage)
        elif isinstance(stage, ast.Bin):
            rows = [_bin(row, stage) for row in rows]
        elif isinstance(stage, ast.Join):
            rows = _join(rows, stage, _run(stage.query, datasets, rules, warnings, case_sensitive))
        else:
            raise XqlError(f"line {stage.line}: the {type(stage).__name__.lower()} stage is not for queries")
    return rows


def _dedup(rows: list[Row], stage: ast.Dedup) -> list[Row]:
    ordered = sorted(rows, key=functools.cmp_to_key(_row_order((stage.by,)))) if stage.by else rows
    seen: set[tuple[Any, ...]] = set()
    kept = []
    for row in ordered:
        key = tuple(_hashable(row.get(name)) for name in stage.fields)
        if key not in seen:
            seen.add(key)
            kept.append(row)
    return kept


def _bin(row: Row, stage: ast.Bin) -> Row:
    value = row.get(stage.field_name)
    if isinstance(value, dt.datetime):
        floor = int(value.timestamp()) // stage.span_seconds * stage.span_seconds
        row = row.copy()
        row.set(stage.field_name, dt.datetime.fromtimestamp(floor, dt.UTC))
    return row


def _join(left: list[Row], stage: ast.Join, right: list[Row]) -> list[Row]:
    """Each left row with every right row whose join fields are equal; nulls never match, as in SQL."""
    index: dict[tuple[Any, ...], list[Row]] = {}
    for row in right:
        key = tuple(_hashable(row.get(r)) for r, _ in stage.pairs)
        if None not in key:
            index.setdefault(key, []).append(row)
    out = []
    for row in left:
        key = tuple(_hashable(row.get(l_)) for _, l_ in stage.pairs)
        matches = index.get(key, []) if None not in key else []
        for match in matches:
            merged = row.copy()
            for name, value in match.items():
                if stage.conflict == "right" or name not in row:
                    merged.set(name, value)
            out.append(merged)
        if not matches and stage.kind == "left":
            out.append(row)
    return out


def _comp(rows: list[Row], stage: ast.Comp, evaluator: Evaluator, warnings: list[XqlWarning]) -> list[Row]:
    """One row per distinct ``by`` tuple (nulls included, as XQL groups them), with each aggregate."""
    groups: dict[tuple[Any, ...], list[Row]] = {}
    for row in rows:
        key = tuple(_hashable(row.get(name)) for name in stage.by)
        groups.setdefault(key, []).append(row)
    out = []
    for members in groups.values():
        result = Row()
        for name in stage.by:
            result.set(name, members[0].get(name))
        for agg in stage.aggregates:
            values = [None if agg.arg is None else evaluator.evaluate(agg.arg, r, warnings=warnings) for r in members]
            result.set(agg.alias, AGGREGATE_FUNCTIONS[agg.func](values, agg.arg is None))
        out.append(result)
    return out


def _hashable(value: Any) -> Any:
    return tuple(_hashable(v) for v in value) if isinstance(value, list) else value


def _present(values: Iterable[Any]) -> list[Any]:
    return [v for v in values if v is not None and v != ""]


def _ordered(values: list[Any]) -> list[Any]:
    return sorted(values, key=functools.cmp_to_key(lambda a, b: compare_order(a, b) or 0))


def _avg(values: list[Any]) -> float | None:
    numbers = [float(v) for v in _present(values)]
    return sum(numbers) / len(numbers) if numbers else None


AGGREGATE_FUNCTIONS: dict[str, Callable[[list[Any], bool], Any]] = {
    "count": lambda values, every_row: len(values) if every_row else len(_present(values)),
    "count_distinct": lambda values, _: len({_hashable(v) for v in _present(values)}),
    "sum": lambda values, _: sum(float(v) for v in _present(values)) if _present(values) else None,
    "min": lambda values, _: _ordered(_present(values))[0] if _present(values) else None,
    "max": lambda values, _: _ordered(_present(values))[-1] if _present(values) else None,
    "avg": lambda values, _: _avg(values),
    "values": lambda values, _: _ordered(list({_hashable(v): v for v in _present(values)}.values())),
}


def _row_order(keys: tuple[ast.SortKey, ...]) -> Callable[[Row, Row], int]:
    """Compare rows by the sort keys; nulls come last either way."""

    def compare(a: Row, b: Row) -> int:
        for key in keys:
            x, y = a.get(key.field_name), b.get(key.field_name)
            if x is None or y is None:
                if x is None and y is None:
                    continue
                return 1 if x is None else -1
            order = compare_order(x, y) or 0
            if order:
                return -order if key.descending else order
        return 0

    return compare
