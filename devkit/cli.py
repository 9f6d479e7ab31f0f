"""Command line for the developer kit: argument parsing only; each package adds its own commands.

python -m devkit emulator serve ...    a DocuSign emulator            (devkit/emulator)
python -m devkit run ... / fetch ...   the local XSIAM engine          (devkit/engine)
python -m devkit xql map ...           the offline XQL evaluator       (devkit/xql)
python -m devkit dashboards render     dashboards and report, offline  (devkit/dashboards)
python -m devkit demo                  the whole path on one machine   (devkit/demo.py)
python -m devkit bench ...             benchmarks                      (devkit/bench)
python -m devkit chaos ...             kills and faults, then the sink  (devkit/chaos)
python -m devkit platform check [DIR]  the platform modules in use     (devkit/platform_modules.py)
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# Each module exposes add_arguments(subparsers); commands set `func` on their parser.
COMMAND_MODULES = (
    "devkit.emulator.cli",
    "devkit.engine.cli",
    "devkit.xql.cli",
    "devkit.dashboards.cli",
    "devkit.demo",
    "devkit.bench.cli",
    "devkit.chaos.cli",
    "devkit.platform_modules",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m devkit", description=__doc__.split("\n")[0])
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).add_arguments(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
