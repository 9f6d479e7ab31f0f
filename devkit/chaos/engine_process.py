"""The engine a chaos run kills: ``python -m devkit.chaos.engine_process <instance.yml>``.

One ``fetch-events``, then one JSON line on stdout: status, error, events sent, whether the state was saved,
the stop reason of each event type. A process of its own, so that a SIGKILL takes the engine, not the suite;
it imports only the engine, since every run pays for the start-up.
"""

from __future__ import annotations

import json
import sys

from devkit.engine.instance import Instance
from devkit.engine.redact import redactor_for
from devkit.engine.runner import Engine


def main(argv: list[str]) -> int:
    engine = Engine(Instance.load(argv[0]))
    result = engine.run("fetch-events")
    result = redactor_for(engine.instance.params, engine.integration_context, result).result(result)
    report = result.report or {}
    outcome = {
        "status": result.status,
        "error": result.error,
        "events": result.events_total,
        "state_saved": result.state_saved,
        "stops": {name: data.get("stop") for name, data in report.get("types", {}).items()},
    }
    print(json.dumps(outcome), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
