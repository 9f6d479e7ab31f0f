"""``dashboards`` commands: ``check`` evaluates every widget, ``render`` draws each board's picture.

    python -m devkit dashboards check  [--pack DIR] [--events FILE.jsonl] [--rules DIR]
    python -m devkit dashboards render [--pack DIR] [--events FILE.jsonl] [--rules DIR] [--out DIR]

Without ``--events``, both run on a day of emulator data delivered by the integration, with every attack scenario
planted (``devkit.wiring.delivered_day``); ``render`` writes ``<file>_image.png`` beside each dashboard and
report, or into ``--out``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from devkit.engine import DATASET
from devkit.wiring import delivered_day
from devkit.xql import Premodeled, load_rules

from .content import load_boards, structure_problems
from .evaluate import evaluate_board, summary_line
from .render import write_image

PACK = Path(__file__).resolve().parents[2] / "Packs" / "Docusign"


def add_arguments(subparsers: Any) -> None:
    group = subparsers.add_parser("dashboards", help="the pack's XSIAM dashboards and report, evaluated offline")
    commands = group.add_subparsers(dest="dashboards_command", metavar="COMMAND", required=True)
    for name, func, text in (
        ("check", cmd_check, "structure of each file, then every widget's query on the data"),
        ("render", cmd_render, "draw each dashboard and report from its widgets' rows"),
    ):
        command = commands.add_parser(name, help=text, description=__doc__)
        command.add_argument("--pack", type=Path, default=PACK)
        command.add_argument("--events", type=Path, help="raw events (JSONL); default: a day of emulator data")
        command.add_argument("--rules", type=Path, help="modeling rules; default: the pack's Docusign rule")
        if name == "render":
            command.add_argument("--out", type=Path, help="folder for the pictures (default: beside each file)")
        command.set_defaults(func=func)


def _inputs(args: argparse.Namespace) -> tuple[list[dict[str, Any]], Premodeled, str]:
    if args.events:
        lines = args.events.read_text(encoding="utf-8").splitlines()
        events, source = [json.loads(line) for line in lines if line.strip()], str(args.events)
    else:
        events, source = delivered_day(attacks="all")[0], "a day of emulator data with every attack planted"
    rules = load_rules(args.rules or args.pack / "ModelingRules" / "Docusign")
    return events, Premodeled(rules, DATASET, events), source


def cmd_check(args: argparse.Namespace) -> int:
    events, rules, source = _inputs(args)
    failed = False
    for board in load_boards(args.pack):
        problems = structure_problems(board.path)
        results = evaluate_board(board, events, rules)
        print(summary_line(board, results, source))
        for problem in problems:
            print(f"  {board.path.name}: {problem}")
        failed = failed or bool(problems) or not all(r.ok for r in results)
    return 1 if failed else 0


def cmd_render(args: argparse.Namespace) -> int:
    events, rules, source = _inputs(args)
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
    for board in load_boards(args.pack):
        results = evaluate_board(board, events, rules)
        path = write_image(board, results, args.out / board.image.name if args.out else None)
        print(f"{path} ({path.stat().st_size // 1024} KB): {summary_line(board, results, source)}")
    return 0
