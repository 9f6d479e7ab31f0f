"""The platform modules the integration runs on, and a recorder of what it asks of them.

The integration imports ``demistomock`` and ``CommonServerPython`` (CSP). Two sets exist:

- the stand-ins in ``Tests/demistomock`` (the default), written from the platform's behaviour;
- demisto/content's real modules, from the folder named by the environment variable
  ``XSIAM_PLATFORM_DIR`` (``demistomock.py``, ``CommonServerPython.py``,
  ``CommonServerUserPython.py`` and ``DemistoClassApiModule.py``, which the real CSP imports last).

:func:`activate` loads one set and connects it to :data:`platform`, a :class:`Platform` that holds
what the server would hold for one instance (params, args, last run, integration context, results,
logs, module health, sent events). It replaces the same functions in both sets: the ``demistomock``
calls (the server side of the API) and ``send_events_to_xsiam`` (so events are recorded and
never POSTed). Everything else stays as loaded: ``BaseClient``, ``_http_request``, urllib3's
``Retry``, ``return_error``, ``LOG``, ``tableToMarkdown``, ``arg_to_datetime``... So a test run
with ``XSIAM_PLATFORM_DIR`` set checks the integration against the real library, and the stand-ins
are checked against the same facts (``Tests/test_platform_conformance.py``).

The real modules belong to demisto/content and are never committed here: read them into a folder
outside the repository (``python -m devkit platform check DIR`` checks such a folder).
"""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
import json
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

ENV_VAR = "XSIAM_PLATFORM_DIR"
REPO_ROOT = Path(__file__).resolve().parents[1]
STAND_IN_DIR = REPO_ROOT / "Tests" / "demistomock"
MODULE_FILES = ("demistomock.py", "CommonServerPython.py")
# Imported by the real CSP (DemistoClassApiModule) or beside it on the platform (CommonServerUserPython, empty).
REAL_ONLY_FILES = ("DemistoClassApiModule.py", "CommonServerUserPython.py")
# demisto/content files at the commits the project was checked against: path, commit, length in characters.
PINNED = {
    "CommonServerPython.py": (
        "Packs/Base/Scripts/CommonServerPython/CommonServerPython.py",
        "00428964a35f54ded9ae9f22866ef130cb49b430",
        480_181,
    ),
    "demistomock.py": ("Tests/demistomock/demistomock.py", "0176c294ebdbcf9458bf9b8e9b59cd7b70f330b3", 42_202),
    "DemistoClassApiModule.py": (
        "Packs/ApiModules/Scripts/DemistoClassApiModule/DemistoClassApiModule.py",
        "03882905b0cd169d05514dc2f4a9f57066a0942a",
        2_026,
    ),
    "CommonServerUserPython.py": ("(empty on the platform)", "", 0),
}
# XSIAM is 8.x; a version of 6.0 or more also switches CSP to the versioned integration-context API.
SERVER_VERSION = "8.9.0"

EventSink = Callable[[str, str, list[Any]], None]


class PlatformDirError(RuntimeError):
    """The folder named by XSIAM_PLATFORM_DIR does not hold usable platform modules."""


# ---------------------------------------------------------------------------- which modules


def selected_dir(environ: Mapping[str, str] = os.environ) -> Path:
    """The folder to load the platform modules from: ``XSIAM_PLATFORM_DIR`` or the stand-ins."""
    value = environ.get(ENV_VAR, "").strip()
    return Path(value).expanduser().resolve() if value else STAND_IN_DIR


def is_real(directory: Path) -> bool:
    return directory.resolve() != STAND_IN_DIR.resolve()


def describe(directory: Path | None = None) -> str:
    """Which platform modules a run uses, for a person reading its output."""
    directory = directory or selected_dir()
    return f"real, from {ENV_VAR}={directory}" if is_real(directory) else "stand-ins (Tests/demistomock)"


def check_dir(directory: Path) -> list[str]:
    """One line per module file: its length, whether it parses, and how it compares with the pinned commit.

    Raises :class:`PlatformDirError` when a file is missing or does not parse.
    """
    needed = MODULE_FILES + (REAL_ONLY_FILES if is_real(directory) else ())
    lines, problems = [], []
    for name in needed:
        path = directory / name
        if not path.is_file():
            problems.append(f"{path} is missing")
            continue
        text = path.read_text(encoding="utf-8")
        try:
            ast.parse(text, filename=str(path))
        except SyntaxError as exc:
            problems.append(f"{path} does not parse: {exc}")
            continue
        line = f"{name}: {len(text):,} characters, parses"
        if is_real(directory):
            source, commit, length = PINNED[name]
            same = len(text) == length
            pinned = f"{source}@{commit[:8]}" if commit else source
            line += f"; {'same length as' if same else 'NOT the length of'} {pinned} ({length:,})"
        lines.append(line)
    if problems:
        raise PlatformDirError(f"{directory} is not a folder of platform modules: " + "; ".join(problems))
    return lines


# ---------------------------------------------------------------------------- the recorder


def _json_copy(obj: Any, what: str) -> Any:
    """A deep copy through JSON, as the server stores it; refuses what it could not store."""
    try:
        return json.loads(json.dumps(obj))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what} must be JSON-serializable: {exc}") from exc


@dataclass
class Platform:
    """What the server holds for one integration instance during one command.

    ``getLastRun`` starts from ``{}`` as on a real server (demisto/content's mock returns a dummy),
    and stored objects are JSON round-tripped, so an integration cannot keep a live reference to
    saved state or save something the server would refuse.
    """

    params: dict[str, Any] = field(default_factory=dict)
    args: dict[str, Any] = field(default_factory=dict)
    command: str = ""
    last_run: dict[str, Any] = field(default_factory=dict)
    integration_context: dict[str, Any] = field(default_factory=dict)
    integration_context_version: int = 0
    # The alert's (investigation's) context, which scripts read with demisto.context().
    investigation_context: dict[str, Any] = field(default_factory=dict)
    results: list[Any] = field(default_factory=list)
    logs: list[tuple[str, str]] = field(default_factory=list)
    module_health: list[tuple[Any, bool]] = field(default_factory=list)
    # Every send_events_to_xsiam call that had events: {"vendor", "product", "events"}.
    sent: list[dict[str, Any]] = field(default_factory=list)
    # Strings given to add_sensitive_log_strs (the platform masks them in LOG, not in demisto.debug).
    sensitive_strings: list[str] = field(default_factory=list)
    # Called on each send so an engine can persist events the moment they are delivered.
    event_sink: EventSink | None = None
    license_fields: dict[str, str] = field(
        default_factory=lambda: {"Http_Connector.url": "xsiam.local", "Http_Connector.token": "local-token"}
    )
    brand: str = "Docusign"
    instance: str = "Docusign_instance_1"
    version: str = SERVER_VERSION

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

    def error_entries(self) -> list[dict[str, Any]]:
        """The war-room error entries (``return_error``'s), flattened."""
        entries = [e for r in self.results for e in (r if isinstance(r, list) else [r])]
        return [e for e in entries if isinstance(e, dict) and e.get("Type") == 4]


platform = Platform()


def _server_api() -> dict[str, Callable[..., Any]]:
    """The demistomock calls a collector and CSP make, answered from :data:`platform`."""

    def set_context(context: Any) -> None:
        platform.integration_context = _json_copy(context, "integration context")
        platform.integration_context_version += 1

    def set_context_versioned(context: Any, version: int = -1, sync: bool = False) -> None:
        if version not in (-1, platform.integration_context_version):
            raise ValueError(
                f"integration context version mismatch: {version} != {platform.integration_context_version}"
            )
        set_context(context)

    def set_last_run(obj: Any) -> None:
        platform.last_run = _json_copy(obj, "last run")

    def log(level: str) -> Callable[..., None]:
        return lambda msg, *_: platform.logs.append((level, str(msg)))

    return {
        "params": lambda: platform.params,
        "args": lambda: platform.args,
        "command": lambda: platform.command,
        "getParam": lambda p: platform.params.get(p),
        "getArg": lambda a: platform.args.get(a),
        "getLastRun": lambda: _json_copy(platform.last_run, "last run"),
        "setLastRun": set_last_run,
        "getIntegrationContext": lambda: _json_copy(platform.integration_context, "integration context"),
        "setIntegrationContext": set_context,
        "getIntegrationContextVersioned": lambda refresh=False: {
            "context": _json_copy(platform.integration_context, "integration context"),
            "version": platform.integration_context_version,
        },
        "setIntegrationContextVersioned": set_context_versioned,
        "debug": log("debug"),
        "info": log("info"),
        "error": log("error"),
        "log": log("info"),
        "results": lambda entry: platform.results.append(entry),
        "updateModuleHealth": lambda data, is_error=False: platform.module_health.append((data, is_error)),
        "getLicenseCustomField": lambda key: platform.license_fields.get(key),
        "demistoVersion": lambda: {"version": platform.version, "buildNumber": "12345"},
        "integrationInstance": lambda: platform.instance,
        "context": lambda: _json_copy(platform.investigation_context, "investigation context"),
    }


def _recording_send(original: Callable[..., Any], demisto: ModuleType, csp: ModuleType) -> Callable[..., Any]:
    """``send_events_to_xsiam`` that records instead of POSTing, with the loaded module's signature.

    As the platform does: the arguments must fit the loaded signature (an argument the loaded CSP
    lacks raises TypeError); a list of dicts is serialised with ``json.dumps`` (so an event that does
    not serialise raises); an empty batch logs and reports ``eventsPulled: 0``; module health then
    gets ``eventsPulled``.
    """
    signature = inspect.signature(original)

    @functools.wraps(original)
    def send_events_to_xsiam(*args: Any, **kwargs: Any) -> None:
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        events, vendor, product = (bound.arguments[k] for k in ("events", "vendor", "product"))
        if not events:
            demisto.debug("send_data_to_xsiam function received no events, skipping the API call")
            demisto.updateModuleHealth({"eventsPulled": 0})
            return
        if isinstance(events, list):
            if isinstance(events[0], dict):
                for event in events:
                    json.dumps(event)
            items = list(events)
        elif isinstance(events, str):
            items = events.split("\n")
        else:
            raise csp.DemistoException(
                f"Unsupported type: {type(events)} for the events parameter. Should be a string or list."
            )
        platform.sent.append({"vendor": vendor, "product": product, "events": items})
        if platform.event_sink is not None:
            platform.event_sink(vendor, product, items)
        if bound.arguments.get("should_update_health_module", True):
            demisto.updateModuleHealth({"eventsPulled": len(items)})

    return send_events_to_xsiam


def _recording_sensitive(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def add_sensitive_log_strs(sensitive_str: str) -> None:
        if sensitive_str and sensitive_str not in platform.sensitive_strings:
            platform.sensitive_strings.append(sensitive_str)
        original(sensitive_str)

    return add_sensitive_log_strs


@dataclass(frozen=True)
class Loaded:
    directory: Path
    demistomock: ModuleType
    csp: ModuleType

    @property
    def real(self) -> bool:
        return is_real(self.directory)


_loaded: Loaded | None = None


def activate(directory: Path | None = None, **values: Any) -> Loaded:
    """Load the platform modules from ``directory`` (default: :func:`selected_dir`) and record into
    :data:`platform`, first reset with ``values``. Once per process; a second call resets only.

    The recorder is connected before CSP is imported, because CSP reads ``demisto.params()`` at import
    (its ``LOG`` masks secret parameters from then on).
    """
    global _loaded
    platform.reset(**values)
    directory = (directory or selected_dir()).resolve()
    if _loaded is not None:
        if _loaded.directory != directory:
            raise PlatformDirError(f"platform modules already loaded from {_loaded.directory}, not {directory}")
        _set_calling_context(_loaded.demistomock)
        return _loaded
    check_dir(directory)
    for path in (str(STAND_IN_DIR), str(directory)):
        while path in sys.path:
            sys.path.remove(path)
    sys.path.insert(0, str(directory))
    for name in ("demistomock", "CommonServerPython", "CommonServerUserPython", "DemistoClassApiModule"):
        sys.modules.pop(name, None)
    demisto = importlib.import_module("demistomock")
    for name, function in _server_api().items():
        setattr(demisto, name, function)
    _set_calling_context(demisto)
    csp = importlib.import_module("CommonServerPython")
    csp.send_events_to_xsiam = _recording_send(csp.send_events_to_xsiam, demisto, csp)  # type: ignore[attr-defined]
    csp.add_sensitive_log_strs = _recording_sensitive(csp.add_sensitive_log_strs)  # type: ignore[attr-defined]
    _loaded = Loaded(directory, demisto, csp)
    return _loaded


def _set_calling_context(demisto: ModuleType) -> None:
    demisto.callingContext.clear()
    demisto.callingContext["context"] = {
        "IntegrationBrand": platform.brand,
        "IntegrationInstance": platform.instance,
        "ExecutedCommands": [{"moduleBrand": platform.brand}],
    }


# ---------------------------------------------------------------------------- command line


def add_arguments(subparsers: Any) -> None:
    parser = subparsers.add_parser("platform", help="check a folder of platform modules (XSIAM_PLATFORM_DIR)")
    actions = parser.add_subparsers(dest="action", required=True)
    check = actions.add_parser("check", help="each module file's length, that it parses, and the pinned commit")
    check.add_argument("dir", nargs="?", type=Path, help=f"default: ${ENV_VAR}, else the stand-ins")
    check.set_defaults(func=_check_command)


def _check_command(args: Any) -> int:
    directory = (args.dir or selected_dir()).expanduser().resolve()
    try:
        lines = check_dir(directory)
    except PlatformDirError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"platform modules: {describe(directory)}")
    print("\n".join(f"  {line}" for line in lines))
    return 0
