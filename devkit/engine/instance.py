"""An integration instance as configured on the platform, loaded from a YAML file.

Example::

    name: docusign_local
    integration: ../Packs/Docusign/Integrations/Docusign/Docusign.py   # optional
    state_dir: .demo/state        # optional; default <file dir>/<name>/state
    output_dir: .demo/out         # optional; default <file dir>/<name>/out
    timeout: 300                  # optional; seconds before a run is killed
    env: {REQUESTS_CA_BUNDLE: /path/ca.pem}   # optional; extra child environment
    params:
      url: https://localhost:8443
      credentials: {identifier: "", password_file: keys/private.pem}
      event_types: [Customer events, Audit Users]

Relative paths are resolved against the YAML file's folder. In a type-9 credentials
mapping, ``password_file`` is a convenience: the file's text becomes ``password`` so
a PEM key need not be pasted into the YAML.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_INTEGRATION = REPO_ROOT / "Packs" / "Docusign" / "Integrations" / "Docusign" / "Docusign.py"
DEFAULT_TIMEOUT = 300.0

_KEYS = {"name", "integration", "params", "state_dir", "output_dir", "timeout", "env"}


class InstanceError(ValueError):
    """The instance file is missing, unreadable or malformed."""


@dataclass(frozen=True)
class Instance:
    """One configured instance: which integration, with which parameters, keeping state where."""

    name: str
    params: dict[str, Any]
    state_dir: Path
    output_dir: Path
    integration: Path = DEFAULT_INTEGRATION
    timeout: float = DEFAULT_TIMEOUT
    env: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: str | Path) -> Instance:
        """Read and validate an instance file."""
        # Imported here: every engine child imports this package, and none of them reads YAML.
        import yaml

        path = Path(path)
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise InstanceError(f"cannot read instance file {path}: {exc}") from exc
        except yaml.YAMLError as exc:
            raise InstanceError(f"{path} is not valid YAML: {exc}") from exc
        return cls.from_mapping(raw if raw is not None else {}, base=path.resolve().parent, source=str(path))

    @classmethod
    def from_mapping(cls, raw: Any, base: str | Path = ".", source: str = "instance") -> Instance:
        """Build from an already-parsed mapping; relative paths resolve against ``base``."""
        base = Path(base).resolve()
        if not isinstance(raw, Mapping):
            raise InstanceError(f"{source}: expected a mapping at the top level")
        unknown = set(raw) - _KEYS
        if unknown:
            raise InstanceError(f"{source}: unknown keys {sorted(unknown)}; allowed: {sorted(_KEYS)}")
        name = raw.get("name")
        if not isinstance(name, str) or not name.strip():
            raise InstanceError(f"{source}: 'name' must be a non-empty string")
        params = raw.get("params") or {}
        if not isinstance(params, Mapping):
            raise InstanceError(f"{source}: 'params' must be a mapping")
        env = raw.get("env") or {}
        if not isinstance(env, Mapping):
            raise InstanceError(f"{source}: 'env' must be a mapping")
        timeout = raw.get("timeout", DEFAULT_TIMEOUT)
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
            raise InstanceError(f"{source}: 'timeout' must be a positive number of seconds")

        def resolve(value: Any, key: str, default: Path) -> Path:
            if value is None:
                return default
            if not isinstance(value, str | Path):
                raise InstanceError(f"{source}: '{key}' must be a path")
            return (base / Path(value).expanduser()).resolve()

        return cls(
            name=name,
            params={str(k): _load_secret_files(v, base, source) for k, v in params.items()},
            integration=resolve(raw.get("integration"), "integration", DEFAULT_INTEGRATION),
            state_dir=resolve(raw.get("state_dir"), "state_dir", base / name / "state"),
            output_dir=resolve(raw.get("output_dir"), "output_dir", base / name / "out"),
            timeout=float(timeout),
            env={str(k): str(v) for k, v in env.items()},
        )

    def warnings(self) -> list[str]:
        """Parameters the integration's yml does not define (a typo would otherwise be ignored silently)."""
        import difflib

        import yaml

        yml = self.integration.with_suffix(".yml")
        try:
            known = [str(p.get("name")) for p in yaml.safe_load(yml.read_text(encoding="utf-8"))["configuration"]]
        except (OSError, KeyError, TypeError, yaml.YAMLError):
            return []
        messages = []
        for name in sorted(set(self.params) - set(known)):
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            messages.append(f"instance {self.name!r}: parameter {name!r} is not one of the integration's{hint}")
        return messages

    def with_changes(self, **changes: Any) -> Instance:
        """A copy with some fields replaced (instances are immutable)."""
        return replace(self, **changes)


def _load_secret_files(value: Any, base: Path, source: str) -> Any:
    """Turn ``{identifier, password_file}`` into the platform's ``{identifier, password}``."""
    if not isinstance(value, Mapping) or "password_file" not in value:
        return value
    if "password" in value:
        raise InstanceError(f"{source}: give either 'password' or 'password_file', not both")
    secret_path = base / Path(str(value["password_file"])).expanduser()
    try:
        secret = secret_path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InstanceError(f"{source}: cannot read password_file {secret_path}: {exc}") from exc
    converted = {k: v for k, v in value.items() if k != "password_file"}
    converted.setdefault("identifier", "")
    converted["password"] = secret
    return converted
