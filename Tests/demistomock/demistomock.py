"""Stand-in for the platform module ``demistomock`` (imported by integrations as ``demisto``).

Only the calls this pack and the CSP stand-in use exist here, with the names, signatures and
defaults of demisto/content's ``Tests/demistomock/demistomock.py`` (checked at commit 0176c294):
``params()`` is ``{}``, ``getLastRun()`` a dummy ``{"lastRun": ...}``, ``demistoVersion()`` 5.5.0.

These are the server's side of the API, so :func:`devkit.platform_modules.activate` replaces them,
here as in the real module, with calls answered by ``devkit.platform_modules.platform``; tests and
the engine read what the integration did from there.
"""

from __future__ import annotations

from typing import Any

integrationContext: dict[str, Any] = {}
is_debug = False
callingContext: dict[str, Any] = {}


def params() -> dict[str, Any]:
    return {}


def args() -> dict[str, Any]:
    return {}


def command() -> str:
    return ""


def getParam(param: str) -> Any:
    return params().get(param)


def getArg(arg: str) -> Any:
    return args().get(arg)


def getLastRun() -> dict[str, Any]:
    return {"lastRun": "2018-10-24T14:13:20+00:00"}


def setLastRun(obj: Any) -> None:
    return None


def getIntegrationContext() -> dict[str, Any]:
    return integrationContext


def setIntegrationContext(context: dict[str, Any]) -> None:
    global integrationContext
    integrationContext = context


def getIntegrationContextVersioned(refresh: bool = False) -> dict[str, Any]:
    return integrationContext


def setIntegrationContextVersioned(context: dict[str, Any], version: int = -1, sync: bool = False) -> None:
    global integrationContext
    integrationContext = context


def log(msg: Any) -> None:
    print(msg)


def debug(msg: Any, *args: Any) -> None:
    return None


def info(msg: Any, *args: Any) -> None:
    return None


def error(msg: Any, *args: Any) -> None:
    # As in the real mock: printed, so that an unpatched error shows in a test's output.
    print(msg)


def results(results: Any) -> None:
    print(results)


def updateModuleHealth(data: Any, is_error: bool = False) -> str:
    return ""


def getLicenseCustomField(key: str) -> str | None:
    return None


def demistoVersion() -> dict[str, str]:
    return {"version": "5.5.0", "buildNumber": "12345"}


def integrationInstance() -> str:
    return ""


def context() -> dict[str, Any]:
    """The investigation's (alert's) context: what a script such as a layout's dynamic section reads."""
    return {}
