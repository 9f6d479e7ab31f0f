"""``xql`` command group: ``map``, ``test``, ``check`` and ``query``.

    xql map --rules <dir|.xif> --events <events.jsonl|-> [--out <modeled.jsonl>] [--dataset DS]
            [--parsing-rules <dir|.xif>]
    xql test <ModelingRules/Name dir> [--parsing-rules <dir|.xif>]
    xql check <dir|.xif>
    xql query '<[datamodel] dataset = name | ...>' --events <events.jsonl|-> [--rules <dir|.xif>]

``map`` writes one JSON object per input event: the ``xdm.*`` and system fields of the first
matching statement (timestamps as ISO-8601), ``{}`` when none matches; warnings go to stderr.
The top-level CLI calls :func:`add_arguments` and then ``args.func(args)``, which returns the
exit status (0 ok, 1 mismatches or unmatched events under ``--strict``, 2 errors).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from .errors import XqlError, XqlWarning
from .evaluator import RuleSet, load_rules
from .parser import parse_query
from .query import run_query
from .testdata import run_testdata
from .values import to_jsonable


def add_arguments(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``xql`` command group to an ``argparse`` sub-parsers object."""
    xql = subparsers.add_parser("xql", help="evaluate XSIAM modeling/parsing rules (XIF) offline")
    commands = xql.add_subparsers(dest="xql_command", metavar="COMMAND", required=True)

    m = commands.add_parser("map", help="model raw events (JSONL) with the rules")
    m.add_argument("--rules", required=True, type=Path, help="modeling rule .xif or a directory of them")
    m.add_argument("--events", required=True, help="raw events, one JSON object per line ('-' for stdin)")
    m.add_argument("--out", type=Path, help="output JSONL (default: stdout)")
    m.add_argument("--dataset", help="dataset to model (default: the rules' only dataset, or the events file name)")
    m.add_argument("--parsing-rules", type=Path, help="run these INGEST sections on each event first")
    m.add_argument("--vendor", help="vendor for the parsing rules (default: from the dataset name)")
    m.add_argument("--product", help="product for the parsing rules (default: from the dataset name)")
    m.add_argument("--strict", action="store_true", help="exit 1 when an event matches no statement")
    m.set_defaults(func=cmd_map)

    t = commands.add_parser("test", help="check a rule's _testdata.json like 'demisto-sdk modeling-rules test'")
    t.add_argument("rule_dir", type=Path, help="ModelingRules/<Name> directory")
    t.add_argument("--parsing-rules", type=Path, help="run these INGEST sections on each event first")
    t.set_defaults(func=cmd_test)

    c = commands.add_parser("check", help="load rules and report syntax errors and warnings")
    c.add_argument("rules", type=Path)
    c.set_defaults(func=cmd_check)

    q = commands.add_parser("query", help="run a search query on raw events (JSONL), e.g. a sink's dataset file")
    q.add_argument("query", help="'dataset = NAME | ...' or 'datamodel dataset = NAME | ...'")
    q.add_argument("--events", required=True, help="the dataset's raw events, one JSON object per line ('-': stdin)")
    q.add_argument("--rules", type=Path, help="modeling rules, for datamodel queries")
    q.set_defaults(func=cmd_query)
    return xql


def _print_warnings(warnings: Sequence[XqlWarning], stream: TextIO) -> None:
    for warning, count in Counter(str(w) for w in warnings).items():
        print(warning + (f" (x{count})" if count > 1 else ""), file=stream)


def _read_events(source: str) -> Iterator[tuple[int, dict[str, Any]]]:
    handle = sys.stdin if source == "-" else open(source, encoding="utf-8")  # noqa: SIM115
    try:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                event = json.loads(line)
            except ValueError as exc:
                raise XqlError(f"{source}:{number}: not JSON: {exc}") from None
            if not isinstance(event, dict):
                raise XqlError(f"{source}:{number}: expected a JSON object")
            yield number, event
    finally:
        if handle is not sys.stdin:
            handle.close()


def _pick_dataset(rules: RuleSet, requested: str | None, events: str) -> str:
    datasets = rules.datasets
    if requested:
        return requested
    if len(datasets) == 1:
        return datasets[0]
    stem = Path(events).name.split(".")[0].casefold()
    for dataset in datasets:
        if dataset.casefold() == stem:
            return dataset
    raise XqlError(f"several datasets in the rules ({', '.join(datasets) or 'none'}); choose one with --dataset")


def cmd_map(args: argparse.Namespace) -> int:
    try:
        rules = load_rules(args.rules)
        parsing = load_rules(args.parsing_rules) if args.parsing_rules else None
        dataset = _pick_dataset(rules, args.dataset, args.events)
        vendor, _, product = dataset.partition("_")
        vendor = args.vendor or vendor
        product = args.product or product.removesuffix("_raw")
        warnings: list[XqlWarning] = list(rules.load_warnings)
        unmatched = total = 0
        out = open(args.out, "w", encoding="utf-8") if args.out else sys.stdout  # noqa: SIM115
        try:
            for _, event in _read_events(args.events):
                total += 1
                raw: dict[str, Any] | None = event
                if parsing is not None:
                    raw = parsing.parse(vendor, product, event, warnings)
                row = rules.model(dataset, raw, warnings) if raw is not None else {}
                unmatched += not row
                out.write(json.dumps(to_jsonable(row)) + "\n")
        finally:
            if out is not sys.stdout:
                out.close()
    except (XqlError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    _print_warnings(warnings, sys.stderr)
    print(f"{total} event(s), {total - unmatched} modeled, {unmatched} unmatched ({dataset})", file=sys.stderr)
    return 1 if args.strict and unmatched else 0


def cmd_test(args: argparse.Namespace) -> int:
    warnings: list[XqlWarning] = []
    try:
        mismatches = run_testdata(args.rule_dir, parsing_rules=args.parsing_rules, warnings=warnings)
    except XqlError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    _print_warnings(warnings, sys.stderr)
    for mismatch in mismatches:
        print(mismatch)
    print(f"{len(mismatches)} mismatch(es)", file=sys.stderr)
    return 1 if mismatches else 0


def cmd_check(args: argparse.Namespace) -> int:
    try:
        rules = load_rules(args.rules)
    except XqlError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    _print_warnings(rules.load_warnings, sys.stdout)
    sections = rules.sections
    statements = sum(len(s.statements) for s in sections)
    print(f"{len(rules.files)} file(s), {len(sections)} section(s), {statements} statement(s)")
    return 0


def cmd_query(args: argparse.Namespace) -> int:
    warnings: list[XqlWarning] = []
    try:
        rules = load_rules(args.rules) if args.rules else None
        query = parse_query(args.query)
        events = [event for _, event in _read_events(args.events)]
        rows = run_query(args.query, {query.dataset: events}, rules, warnings)
    except (XqlError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for row in rows:
        print(json.dumps(to_jsonable(row)))
    _print_warnings(warnings, sys.stderr)
    print(f"{len(rows)} row(s) from {len(events)} event(s)", file=sys.stderr)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="devkit")
    add_arguments(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
