"""Write demisto-sdk's validation config without the validators that need the network.

Runs under the demisto-sdk virtual environment (stdlib only) and reads the config
shipped with the installed, pinned SDK, so the offline list follows the SDK version:
graph validators (GR*, and the others that start neo4j) and docker validators (DO*)
are dropped; everything else runs.

    .venv-sdk/bin/python -m devkit.sdk_config build/validate-offline.toml
"""

from __future__ import annotations

import sys
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

NETWORK_PREFIXES = ("GR", "DO")
NETWORK_CODES = frozenset(
    ["AG116", "IF117", "LO100", "PA124", "PA133", "PB131", "PB133", "RN106", "RN107", "SC109", "SC110"]
)


def needs_network(code: str) -> bool:
    return code.startswith(NETWORK_PREFIXES) or code in NETWORK_CODES


def offline(config: dict[str, Any]) -> dict[str, Any]:
    """The same config with network validators removed from every list of codes."""
    result: dict[str, Any] = {}
    for key, value in config.items():
        if isinstance(value, dict):
            result[key] = offline(value)
        elif isinstance(value, list):
            result[key] = [v for v in value if not (isinstance(v, str) and needs_network(v))]
        else:
            result[key] = value
    return result


def dump(config: dict[str, Any], prefix: str = "") -> str:
    """TOML for the config's shape: tables of lists of strings, booleans and numbers."""

    def literal(value: Any) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        if isinstance(value, list):
            return "[" + ", ".join(literal(v) for v in value) + "]"
        return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = [f"{k} = {literal(v)}" for k, v in config.items() if not isinstance(v, dict)]
    for key, value in config.items():
        if isinstance(value, dict):
            name = f"{prefix}.{key}" if prefix else key
            lines += ["", f"[{name}]", dump(value, name)]
    return "\n".join(lines)


def shipped_config() -> dict[str, Any]:
    path = resources.files("demisto_sdk") / "commands" / "validate" / "sdk_validation_config.toml"
    return tomllib.loads(path.read_text())


def main(argv: list[str]) -> int:
    target = Path(argv[1] if len(argv) > 1 else "build/validate-offline.toml")
    config = offline(shipped_config())
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(dump(config) + "\n")
    selected = config.get("path_based_validations", {}).get("select", [])
    print(f"{target}: {len(selected)} path-based validators selected (network-only ones removed)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
