"""``python -m devkit.engine run|fetch ...``: the engine's CLI without the rest of devkit."""

import sys

from devkit.engine.cli import main

sys.exit(main())
