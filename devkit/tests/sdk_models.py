"""Raw JSON against DocuSign's official SDK models (docusign-esign, docusign-admin, docusign-monitor 2.x).

The SDKs' deserialisers drop keys their models lack and seldom check types, so a reply can deserialise and
still differ from DocuSign's model: this walks the raw JSON against the models' ``swagger_types`` and
``attribute_map`` instead. These models are the emulator's contract (installed from PyPI by ``make``).
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from dateutil import parser as date_parser

PRIMITIVES: dict[str, type | tuple[type, ...]] = {"str": str, "bool": bool, "int": int, "float": (int, float)}


def model_problems(data: Any, type_name: str, sdk: ModuleType, path: str = "$") -> list[str]:
    """Where ``data`` (raw JSON) departs from the SDK's swagger type ``type_name``."""
    if data is None or type_name == "object":
        return []
    if type_name.startswith("list["):
        if not isinstance(data, list):
            return [f"{path}: {type(data).__name__}, the model has a list"]
        return [p for i, item in enumerate(data) for p in model_problems(item, type_name[5:-1], sdk, f"{path}[{i}]")]
    if type_name.startswith("dict("):
        return [] if isinstance(data, dict) else [f"{path}: {type(data).__name__}, the model has an object"]
    if type_name in PRIMITIVES:
        wrong = isinstance(data, bool) and type_name != "bool"
        return [f"{path}: {data!r} is not {type_name}"] if wrong or not isinstance(data, PRIMITIVES[type_name]) else []
    if type_name in ("datetime", "date"):
        try:
            date_parser.parse(data)
        except (TypeError, ValueError, OverflowError):
            return [f"{path}: {data!r} is not a {type_name}"]
        return []
    model = getattr(sdk.models, type_name)
    if not isinstance(data, dict):
        return [f"{path}: {type(data).__name__}, the model {type_name} is an object"]
    attribute = {json_key: name for name, json_key in model.attribute_map.items()}
    problems = []
    for key, value in data.items():
        if key not in attribute:
            problems.append(f"{path}.{key}: not a field of {type_name}")
        else:
            problems += model_problems(value, model.swagger_types[attribute[key]], sdk, f"{path}.{key}")
    return problems
