"""XSIAM as an integration sees it: instance params, per-run processes, state, event sink, scheduler.

Usage::

    from devkit.engine import Engine, Instance

    engine = Engine(Instance.load("inst.yml"))
    result = engine.run("docusign-get-events", {"limit": "5"})
    results = engine.fetch(cycles=3, interval=60)
    engine.last_run, engine.integration_context, engine.sink_events("docusign_docusign_raw")
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from devkit.engine.instance import Instance, InstanceError
    from devkit.engine.runner import Engine, EngineBusy, RunResult
    from devkit.engine.sink import dataset_name

__all__ = ["Engine", "EngineBusy", "Instance", "InstanceError", "RunResult", "dataset_name"]

# Imported on first use: the child process starts as ``-m devkit.engine.child`` and
# should load neither the runner nor itself twice.
_HOMES = {
    "Instance": "instance",
    "InstanceError": "instance",
    "Engine": "runner",
    "EngineBusy": "runner",
    "RunResult": "runner",
    "dataset_name": "sink",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
