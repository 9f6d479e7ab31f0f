"""`python -m devkit.emulator serve ...` without the top-level devkit CLI."""

import sys

from devkit.emulator.cli import main

sys.exit(main(["emulator", *sys.argv[1:]]))
