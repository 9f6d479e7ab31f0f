"""``run`` and ``fetch`` subcommands: argument parsing only, the work is in :class:`Engine`.

    python -m devkit run --instance inst.yml test-module
    python -m devkit run --instance inst.yml docusign-get-events event_type="Customer events" limit=5
    python -m devkit run --instance inst.yml 'docusign-get-events event_type="Customer events" limit=5'
    python -m devkit fetch --instance inst.yml --cycles 10 --interval 60
    python -m devkit fetch --instance inst.yml --until-empty

Each subparser sets ``func``; the caller runs ``sys.exit(args.func(args))``. Nothing printed holds a
secret: the access token, secret params and registered secrets are redacted (:mod:`devkit.engine.redact`).
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import sys
from typing import Any

from devkit.engine.instance import Instance, InstanceError
from devkit.engine.redact import redactor_for
from devkit.engine.render import render_result, summary_line
from devkit.engine.runner import Engine, EngineBusy, RunResult
from devkit.engine.store import StoreError

_ARG_KEY = re.compile(r"^[A-Za-z_][\w.\-]*$")


def add_arguments(subparsers: Any) -> None:
    """Add ``run`` and ``fetch`` to an ``argparse`` subparsers object."""
    run = subparsers.add_parser("run", help="run one integration command against an instance")
    _common(run)
    # Own dest names: the parent parser may already use "command" for the subcommand.
    run.add_argument("engine_command", metavar="command", help="e.g. test-module, fetch-events, docusign-get-events")
    run.add_argument(
        "engine_args", nargs="*", metavar="key=value", help='command arguments, e.g. limit=5 name="two words"'
    )
    run.set_defaults(func=run_command)

    fetch = subparsers.add_parser("fetch", help="run fetch-events on a schedule, as the platform does")
    _common(fetch)
    fetch.add_argument("--cycles", type=int, help="number of runs (default 1, or no limit with --until-empty)")
    fetch.add_argument("--interval", type=float, default=0.0, help="seconds between run starts (platform: 60)")
    fetch.add_argument("--until-empty", action="store_true", help="stop after a run that delivers no events")
    fetch.set_defaults(func=fetch_command)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--instance", required=True, help="instance YAML file")
    parser.add_argument("--timeout", type=float, help="seconds before a run is killed (default: instance, 300)")
    parser.add_argument("--env", action="append", default=[], metavar="KEY=VALUE", help="extra child environment")
    parser.add_argument("--logs", action="store_true", help="print the integration's log lines")
    parser.add_argument("--json", action="store_true", help="print each result as one JSON line")
    parser.add_argument("-v", "--verbose", action="store_true", help="tracebacks, stderr and full fetch output")


def parse_command(command: str, tokens: list[str]) -> tuple[str, dict[str, str]]:
    """Split ``key=value`` tokens as the war room does; quotes around a value are removed.

    A command given as one string with its arguments (``'cmd a=1 b="x y"'``) is split
    with shell rules first.
    """
    if any(ch.isspace() for ch in command.strip()):
        command, *more = shlex.split(command)
        tokens = [*more, *tokens]
    args: dict[str, str] = {}
    for token in tokens:
        key, sep, value = token.partition("=")
        if not sep or not _ARG_KEY.match(key):
            raise ValueError(f"argument {token!r} is not key=value")
        args[key] = _unquote(value)
    return command, args


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        try:
            words = shlex.split(value)
        except ValueError:
            return value
        if len(words) == 1:
            return words[0]
    return value


def _engine(args: argparse.Namespace) -> Engine:
    env = {}
    for item in args.env:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ValueError(f"--env {item!r} is not KEY=VALUE")
        env[key] = value
    instance = Instance.load(args.instance)
    for warning in instance.warnings():
        print(f"warning: {warning}", file=sys.stderr)
    return Engine(instance, env=env, timeout=args.timeout)


def run_command(args: argparse.Namespace) -> int:
    try:
        command, cmd_args = parse_command(args.engine_command, args.engine_args)
        engine = _engine(args)
        result = engine.run(command, cmd_args)
    except (InstanceError, StoreError, EngineBusy, FileNotFoundError, ValueError) as exc:
        print(f"devkit: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("devkit: interrupted; the run was killed and its state not saved", file=sys.stderr)
        return 130
    _print(engine, result, args, full=True)
    return 0 if result.ok else 1


def fetch_command(args: argparse.Namespace) -> int:
    cycles = args.cycles if args.cycles is not None else (None if args.until_empty else 1)
    try:
        engine = _engine(args)
        results = engine.fetch(
            cycles=cycles,
            interval=args.interval,
            until_empty=args.until_empty,
            on_result=lambda cycle, result: _print(engine, result, args, full=args.verbose, cycle=cycle),
        )
    except (InstanceError, StoreError, EngineBusy, FileNotFoundError, ValueError) as exc:
        print(f"devkit: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("devkit: interrupted; the run in progress was killed and its state not saved", file=sys.stderr)
        return 130
    if not args.json:
        total = sum(result.events_total for result in results)
        failed = sum(not result.ok for result in results)
        print(f"{len(results)} runs, {total} events sent, {failed} failed")
    return 0 if all(result.ok for result in results) else 1


def _print(engine: Engine, result: RunResult, args: argparse.Namespace, full: bool, cycle: int | None = None) -> None:
    result = redactor_for(engine.instance.params, engine.integration_context, result).result(result)
    if args.json:
        data = result.to_dict()
        if cycle is not None:
            data["cycle"] = cycle
        print(json.dumps(data, default=str), flush=True)
        return
    if full:
        print(render_result(result, show_logs=args.logs, verbose=args.verbose), flush=True)
        return
    line = f"#{cycle} {summary_line(result)}"
    if result.error:
        line += "\n    Error: " + result.error.replace("\n", "\n    ")
    if args.logs:
        line += "".join(f"\n    [{level}] {message}" for level, message in result.logs)
    print(line, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devkit.engine", description=__doc__.splitlines()[0])
    add_arguments(parser.add_subparsers(dest="subcommand", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args))
