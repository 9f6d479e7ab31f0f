"""Raw events against a modeling rule's ``_schema.json``: every field declared, every type right.

A ``<Rule>_schema.json`` tells XSIAM the columns of a raw dataset before any data arrives, so the
rule compiles on a fresh tenant; a field the rule reads that the schema lacks, or a column of the
wrong type, breaks the rule there. The schema format (xql-modeling.md §4, demisto-sdk MR106)::

    {"<dataset>": {"<raw field>": {"type": "string|int|float|datetime|boolean", "is_array": false}}}

How a raw JSON value must be declared, following demisto-sdk's
``validate_schema_aligned_with_test_data`` (``EXPECTED_SCHEMA_MAPPINGS``):

- string: ``string``; or ``datetime`` when it reads as a date-time (dateparser with strict parsing,
  as the SDK, and not an all-digits epoch, which XSIAM does not take for a datetime);
- integer: ``int``; float: ``float``; boolean: ``boolean`` (an integer is not accepted for ``float``);
- object or array: ``string`` with ``is_array: false`` -- the platform stores nested values as JSON
  text, which is why rules read them with ``json_extract*`` and ``->``;
- ``null`` carries no type and is skipped, as the SDK does.

Three deliberate differences from the SDK's test-data check:

- A string declared ``string`` passes even when dateparser could read it as a date: the SDK would
  ask for ``datetime``, but dateparser reads values such as DocuSign's site ``NA3`` as dates, and a
  string column is never wrong for a string.
- An empty string passes for a ``datetime`` field: DocuSign writes ``""`` for a date it does not
  have (``lastLogin`` of a user who never signed in), as it writes ``""`` for any absent value. The
  SDK would read that one event as a string; rules must read such fields with ``to_string``.
- A field the schema lacks is reported (the SDK only warns about schema fields missing from the
  data), except the fields the platform itself maps: ``_time``, ``_insert_time``, ``_vendor`` and
  ``_product`` (xql-modeling.md §1.1). When the schema does declare one of them, its type is checked.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

SCHEMA_TYPES = frozenset({"string", "int", "float", "datetime", "boolean"})
"""The types demisto-sdk accepts in a schema (``SCHEMA_FILE_VALID_ATTRIBUTES_TYPE``)."""

PLATFORM_FIELDS = frozenset({"_time", "_insert_time", "_vendor", "_product"})
"""Fields XSIAM maps on its own; an event may carry them without the schema declaring them."""


def json_type(value: Any) -> str:
    """The JSON type of a decoded value: string, int, float, boolean, object, array or null."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, list | tuple):
        return "array"
    return type(value).__name__


_ISO_8601 = re.compile(r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|z|[+-]\d{2}:?\d{2})?")


@functools.lru_cache(maxsize=4096)
def looks_like_datetime(text: str) -> bool:
    """Whether demisto-sdk would call this string a datetime (strict dateparser, epochs excluded).

    A valid ISO 8601 date-time, which dateparser reads too, is answered without it: its first call
    takes seconds.
    """
    if text.strip().isdigit():
        return False
    iso = _ISO_8601.fullmatch(text.strip())
    if iso:
        year, month, day, hour, minute, second = (int(part or 0) for part in iso.groups())
        try:
            datetime(year, month, day, hour, minute, second)
        except ValueError:
            pass  # dateparser may still read it, e.g. with day and month swapped
        else:
            return True
    import dateparser  # slow to load; only strings in other forms need it

    return dateparser.parse(text, settings={"STRICT_PARSING": True}) is not None


def _schema_problems(dataset: str, fields: Mapping[str, Any]) -> list[str]:
    problems = []
    for name, entry in fields.items():
        if not isinstance(entry, Mapping):
            problems.append(f"schema: {dataset}.{name} is not an object with 'type' and 'is_array'")
        elif entry.get("type") not in SCHEMA_TYPES:
            problems.append(f"schema: {dataset}.{name} has type {entry.get('type')!r}; valid: {sorted(SCHEMA_TYPES)}")
        elif not isinstance(entry.get("is_array"), bool):
            problems.append(f"schema: {dataset}.{name} needs a boolean 'is_array'")
    return problems


def _type_problem(entry: Mapping[str, Any], value: Any) -> str | None:
    """Why ``value`` does not fit the schema entry, or None when it does."""
    declared = entry.get("type")
    is_array = entry.get("is_array") is True
    kind = json_type(value)
    shown = f"{declared} (is_array: true)" if is_array else str(declared)
    if kind in ("object", "array"):
        if declared == "string" and not is_array:
            return None
        return f"a JSON {kind} is stored as JSON text: declare it string with is_array false, not {shown}"
    if is_array:
        return f"declared {shown} but the value is a JSON {kind}, not an array"
    if kind == "string":
        if declared == "string" or (declared == "datetime" and (value == "" or looks_like_datetime(value))):
            return None
        if declared == "datetime":
            return f"declared datetime but {value!r} does not read as a date-time"
        return f"declared {declared} but the value is the JSON string {value!r}"
    if kind == declared:
        return None
    return f"declared {declared} but the value is the JSON {kind} {value!r}"


def check_events_against_schema(schema: dict[str, Any], dataset: str, events: Iterable[dict[str, Any]]) -> list[str]:
    """Every way the events disagree with ``schema[dataset]``, as readable lines (empty when they agree).

    ``schema`` is a loaded ``_schema.json``; ``events`` are raw events as they are pushed to
    ``dataset`` (top-level fields only: nested values are JSON text to the platform). Reported:
    a top-level field the schema does not declare (platform fields excepted, see the module
    docstring), a value whose JSON type does not match the declared type and ``is_array``, a
    malformed schema entry, and a dataset the schema lacks. Lines name the event by its 1-based
    position and, when it has one, its ``eventId`` or ``userId``.
    """
    fields = schema.get(dataset)
    if not isinstance(fields, Mapping):
        return [f"schema: no dataset {dataset!r} (it has: {', '.join(sorted(schema)) or 'none'})"]
    problems = _schema_problems(dataset, fields)
    for position, event in enumerate(events, 1):
        label = f"event #{position}"
        if not isinstance(event, Mapping):
            problems.append(f"{label}: a JSON {json_type(event)}, not an object")
            continue
        ident = event.get("eventId") or event.get("userId")
        if isinstance(ident, str) and ident:
            label += f" ({ident})"
        for name, value in event.items():
            if value is None:
                continue
            entry = fields.get(name)
            if entry is None:
                if name not in PLATFORM_FIELDS:
                    problems.append(f"{label}: field {name!r} ({json_type(value)}) is not in the schema of {dataset}")
                continue
            if not isinstance(entry, Mapping):
                continue  # reported once above
            problem = _type_problem(entry, value)
            if problem:
                problems.append(f"{label}: field {name!r}: {problem}")
    return problems
