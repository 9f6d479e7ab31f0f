"""Helpers for tests that drive the engine with small stand-in integrations."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from devkit.engine.instance import Instance

_HEADER = "import demistomock as demisto\nfrom CommonServerPython import *\n\n"
_FOOTER = "\n\nif __name__ in ('__main__', '__builtin__', 'builtins'):\n    main()\n"


def fake_instance(
    folder: str | Path,
    source: str,
    *,
    name: str = "fake",
    params: dict[str, Any] | None = None,
    **fields: Any,
) -> Instance:
    """Write an integration whose body is ``source`` (it must define ``main()``) and return its instance.

    The file gets the usual demisto imports and ``__main__`` guard; state and output
    go to ``folder/state`` and ``folder/out``.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "FakeIntegration.py"
    script.write_text(_HEADER + textwrap.dedent(source).strip() + _FOOTER, encoding="utf-8")
    return Instance(
        name=name,
        params=params if params is not None else {"url": "https://example.invalid"},
        integration=script,
        state_dir=folder / "state",
        output_dir=folder / "out",
        **fields,
    )
