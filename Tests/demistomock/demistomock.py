"""Stand-in for the platform module ``demistomock`` (imported by integrations as ``demisto``).

Only the calls this pack uses exist here, with the platform's names, signatures and
behaviour (``../shared/reference/xsiam-platform.md`` section 2.1). Everything the
platform keeps for an instance lives in one object, :data:`platform`, so unit tests
and the local engine can set and inspect it directly:

    import demistomock as demisto
    demisto.platform.reset(params={...}, command="fetch-events")
    ...
    demisto.platform.last_run, demisto.platform.results, demisto.platform.logs

Unlike demisto/content's mock (which returns a dummy last run), ``getLastRun`` starts
from ``{}`` as on a real server, and stored objects are JSON round-tripped so an
integration cannot keep a live reference to saved state or save something the server
would refuse.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

EventSink = Callable[[str, str, list[Any]], None]


def _json_copy(obj: Any, what: str) -> Any:
    """Return a deep copy through JSON, as the server stores it; refuse what it could not store."""
    try:
        return json.loads(json.dumps(obj))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what} must be JSON-serializable: {exc}") from exc


@dataclass
class Platform:
    """What the server holds for one integration instance during one command."""

    params: dict[str, Any] = field(default_factory=dict)
    args: dict[str, Any] = field(default_factory=dict)
    command: str = ""
    last_run: dict[str, Any] = field(default_factory=dict)
    integration_context: dict[str, Any] = field(default_factory=dict)
    integration_context_version: int = 0
    results: list[Any] = field(default_factory=list)
    logs: list[tuple[str, str]] = field(default_factory=list)
    module_health: list[tuple[Any, bool]] = field(default_factory=list)
    # Every send_events_to_xsiam call: {"vendor", "product", "events"}.
    sent: list[dict[str, Any]] = field(default_factory=list)
    # Strings registered with add_sensitive_log_strs (the platform masks them in its debug log).
    sensitive_strings: list[str] = field(default_factory=list)
    # Called on each send so an engine can persist events the moment they are delivered.
    event_sink: EventSink | None = None
    license_fields: dict[str, str] = field(
        default_factory=lambda: {"Http_Connector.url": "xsiam.local", "Http_Connector.token": "local-token"}
    )
    brand: str = "Docusign"
    instance: str = "Docusign_instance_1"
    version: str = "8.9.0"

    def reset(self, **values: Any) -> Platform:
        """Forget everything, then apply ``values`` (any field name); returns self."""
        fresh = Platform()
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(fresh, name))
        for name, value in values.items():
            if name not in self.__dataclass_fields__:
                raise AttributeError(f"Platform has no field {name!r}")
            setattr(self, name, value)
        return self

    @property
    def sent_events(self) -> list[Any]:
        """All events handed to send_events_to_xsiam, in order."""
        return [event for call in self.sent for event in call["events"]]

    def log_text(self) -> str:
        """Everything logged, one line per call (handy for secret-leak assertions)."""
        return "\n".join(message for _, message in self.logs)


platform = Platform()

callingContext: dict[str, Any] = {
    "context": {
        "IntegrationBrand": platform.brand,
        "IntegrationInstance": platform.instance,
        "ExecutedCommands": [{"moduleBrand": platform.brand}],
    }
}


def params() -> dict[str, Any]:
    return platform.params


def args() -> dict[str, Any]:
    return platform.args


def command() -> str:
    return platform.command


def getParam(p: str) -> Any:
    return platform.params.get(p)


def getArg(a: str) -> Any:
    return platform.args.get(a)


def getLastRun() -> dict[str, Any]:
    return _json_copy(platform.last_run, "last run")


def setLastRun(obj: Any) -> None:
    platform.last_run = _json_copy(obj, "last run")


def getIntegrationContext() -> dict[str, Any]:
    return _json_copy(platform.integration_context, "integration context")


def setIntegrationContext(context: Any) -> None:
    platform.integration_context = _json_copy(context, "integration context")
    platform.integration_context_version += 1


def getIntegrationContextVersioned(refresh: bool = False) -> dict[str, Any]:
    return {"context": getIntegrationContext(), "version": platform.integration_context_version}


def setIntegrationContextVersioned(context: Any, version: int = -1, sync: bool = False) -> None:
    if version not in (-1, platform.integration_context_version):
        raise ValueError(f"integration context version mismatch: {version} != {platform.integration_context_version}")
    setIntegrationContext(context)


def _log(level: str, msg: Any) -> None:
    platform.logs.append((level, str(msg)))


def debug(msg: Any, *_: Any) -> None:
    _log("debug", msg)


def info(msg: Any, *_: Any) -> None:
    _log("info", msg)


def error(msg: Any, *_: Any) -> None:
    _log("error", msg)


def results(entry: Any) -> None:
    platform.results.append(entry)


def updateModuleHealth(data: Any, is_error: bool = False) -> None:
    platform.module_health.append((data, is_error))


def getLicenseCustomField(key: str) -> str | None:
    return platform.license_fields.get(key)


def demistoVersion() -> dict[str, str]:
    return {"version": platform.version, "buildNumber": "12345"}


def integrationInstance() -> str:
    return platform.instance
