"""XSIAM as an integration sees it: instance params, per-run processes, state, event sink, scheduler.

Usage::

    from devkit.engine import DATASET, Engine, Instance

    engine = Engine(Instance.load("inst.yml"))
    result = engine.run("docusign-get-events", {"limit": "5"})
    results = engine.fetch(cycles=3, interval=60)
    engine.last_run, engine.integration_context, engine.sink_events(DATASET)
"""

from devkit.engine.instance import Instance, InstanceError
from devkit.engine.runner import Engine, EngineBusy, RunResult
from devkit.engine.sink import DATASET, dataset_name

__all__ = ["DATASET", "Engine", "EngineBusy", "Instance", "InstanceError", "RunResult", "dataset_name"]
