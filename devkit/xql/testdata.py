"""demisto-sdk ``<Rule>_testdata.json`` files, checked offline the way ``modeling-rules test`` does.

Reproduces ``demisto_sdk/commands/test_content/test_modeling_rule`` (xql-modeling.md §4):

- each event is pushed as ``{**event_data, "test_data_event_id": id}`` to its ``dataset``;
  an event that no statement of the dataset's MODEL matches is a failure;
- only expected values that are truthy are checked (``null``, ``""``, ``0``, ``false``, ``[]``
  are skipped); the received value must be equal *and* have the same pretty type
  (null, list, dict, string, int, float, boolean, datetime);
- received numbers arrive as floats from the XSIAM API; an integral float is accepted where an
  int is expected; timestamps other than ``_time`` arrive as epoch milliseconds;
- ``_time`` arrives as epoch milliseconds and is rendered in the event's ``tenant_timezone`` as
  ``"%b %-d<st|nd|rd|th> %Y %H:%M:%S"``, plus ``".%f"`` when the expected text has a ``.``;
- the ``_schema.json`` alignment check runs unless ``schema_test_data_types`` is ignored.

When several statements match one event the tenant's ``dedup`` keeps one row of them; here
every matching row is compared, so any row that would fail is reported.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import XqlError, XqlWarning
from .evaluator import RuleSet, load_rules
from .values import coerce_timestamp, is_number

TESTDATA_SUFFIX = "_testdata.json"
SCHEMA_SUFFIX = "_schema.json"
TIME_FIELD = "_time"
VALID_IGNORED = frozenset({"schema_test_data_types", "test_data_config_ignore"})


@dataclass
class TestEvent:
    __test__ = False  # not a pytest class

    index: int  # 1-based position in the file
    test_data_event_id: str
    event_data: dict[str, Any]
    expected_values: dict[str, Any]
    vendor: str | None = None
    product: str | None = None
    dataset: str | None = None
    tenant_timezone: str = "UTC"


@dataclass
class TestData:
    __test__ = False

    path: Path
    data: list[TestEvent] = field(default_factory=list)
    ignored_validations: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Mismatch:
    """One failure ``modeling-rules test`` would report (or a file problem it would reject)."""

    kind: str  # value | type | no_match | no_model | dropped | invalid | schema | error
    message: str
    event_index: int | None = None
    event_id: str | None = None
    dataset: str | None = None
    field: str | None = None
    expected: Any = None
    received: Any = None
    statement: str | None = None

    def __str__(self) -> str:
        where = f"event #{self.event_index}" if self.event_index is not None else "file"
        if self.dataset:
            where += f" ({self.dataset})"
        extra = f" [{self.statement}]" if self.statement else ""
        return f"{self.kind}: {where}: {self.message}{extra}"


# --- loading ---------------------------------------------------------------------------


def find_file(rule_dir: Path, suffix: str) -> Path | None:
    """The file in ``rule_dir`` whose name ends with ``suffix`` (case-insensitive), as the SDK globs."""
    matches = sorted(p for p in rule_dir.iterdir() if p.is_file() and p.name.lower().endswith(suffix))
    return matches[0] if matches else None


def load_testdata(path: str | Path) -> tuple[TestData, list[Mismatch]]:
    """Read a test-data file; problems the SDK's pydantic models would reject come back as mismatches."""
    p = Path(path)
    try:
        raw = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise XqlError(f"{p}: cannot read test data: {exc}") from None
    problems: list[Mismatch] = []
    td = TestData(path=p)
    if not isinstance(raw, dict) or not isinstance(raw.get("data", []), list):
        return td, [Mismatch("invalid", "the file must be an object with a 'data' list")]
    ignored = raw.get("ignored_validations", [])
    if not isinstance(ignored, list):
        problems.append(Mismatch("invalid", "ignored_validations must be a list"))
        ignored = []
    td.ignored_validations = [str(v) for v in ignored]
    if bad := sorted(set(td.ignored_validations) - VALID_IGNORED):
        problems.append(Mismatch("invalid", f"unknown ignored_validations {bad}; valid: {sorted(VALID_IGNORED)}"))
    for index, item in enumerate(raw.get("data", []), 1):
        if not isinstance(item, dict):
            problems.append(Mismatch("invalid", "each data item must be an object", index))
            continue
        event = _load_event(index, item, problems)
        if event is not None:
            td.data.append(event)
    return td, problems


def _load_event(index: int, item: dict[str, Any], problems: list[Mismatch]) -> TestEvent | None:
    event_data = item.get("event_data") or {}
    expected = item.get("expected_values") or {}
    if not isinstance(event_data, dict) or not isinstance(expected, dict):
        problems.append(Mismatch("invalid", "event_data and expected_values must be objects", index))
        return None
    event = TestEvent(
        index=index,
        test_data_event_id=str(item.get("test_data_event_id") or f"event-{index}"),
        event_data=event_data,
        expected_values=expected,
        vendor=item.get("vendor"),
        product=item.get("product"),
        dataset=item.get("dataset"),
        tenant_timezone=item.get("tenant_timezone") or "UTC",
    )
    for key in expected:
        if key != TIME_FIELD and not key.casefold().startswith("xdm."):
            message = f"expected_values key {key!r} must start with 'xdm.' or be _time"
            problems.append(Mismatch("invalid", message, index))
    if not event_data:
        problems.append(Mismatch("invalid", "event_data is empty", index, event.test_data_event_id))
    if not any(expected.values()):
        problems.append(
            Mismatch("invalid", "expected_values has no non-null value to check", index, event.test_data_event_id)
        )
    return event


# --- comparison ------------------------------------------------------------------------


def sdk_type_name(value: Any) -> str:
    """``demisto_sdk...tools.get_type_pretty_name``."""
    names = {
        type(None): "null",
        list: "list",
        dict: "dict",
        str: "string",
        int: "int",
        float: "float",
        bool: "boolean",
        dt.datetime: "datetime",
    }
    return names.get(type(value), str(type(value)))


def _day_suffix(day: int) -> str:
    if day in (1, 21, 31):
        return "st"
    if day in (2, 22):
        return "nd"
    if day in (3, 23):
        return "rd"
    return "th"


def format_sdk_time(epoch_ms: int, with_ms: bool, tenant_timezone: str = "UTC") -> str:
    """``convert_epoch_time_to_string_time``: ``"Oct 26th 2023 10:00:00"`` in the tenant's zone."""
    local = dt.datetime.fromtimestamp(epoch_ms / 1000, ZoneInfo(tenant_timezone))
    text = local.strftime(f"%b {local.day}{_day_suffix(local.day)} %Y %H:%M:%S")
    return text + local.strftime(".%f") if with_ms else text


def _epoch_ms(value: dt.datetime) -> int:
    return int(value.timestamp() * 1000)


def tenant_value(value: Any) -> Any:
    """A modeled value as the XSIAM query API returns it: numbers as floats, timestamps as epoch ms."""
    if is_number(value):
        return float(value)
    if isinstance(value, dt.datetime):
        return float(_epoch_ms(value))
    return value


@dataclass(frozen=True)
class FieldMismatch:
    field: str
    expected: Any
    received: Any
    kind: str  # value | type
    message: str


def compare_expected(
    expected_values: dict[str, Any], received: dict[str, Any], tenant_timezone: str = "UTC"
) -> list[FieldMismatch]:
    """Compare one modeled row with an event's ``expected_values`` as the SDK does."""
    by_name = {k.casefold(): v for k, v in received.items()}
    out: list[FieldMismatch] = []
    for key, expected in expected_values.items():
        if not expected:
            continue  # the SDK skips falsy expectations
        value = by_name.get(key.casefold())
        if key == TIME_FIELD and value:
            try:
                ms = _epoch_ms(coerce_timestamp(value))
            except XqlError:
                ms = None
            with_ms = "." in str(expected)
            received_value: Any = value if ms is None else format_sdk_time(ms, with_ms, tenant_timezone)
        else:
            received_value = tenant_value(value)
        expected_type = sdk_type_name(expected)
        received_type = sdk_type_name(received_value)
        if expected_type == "int" and received_type == "float" and int(received_value) == received_value:
            received_type, received_value = "int", int(received_value)
        if received_value == expected and received_type == expected_type:
            continue
        if received_type == expected_type:
            kind, message = "value", f"{key}: expected {expected!r}, received {received_value!r}"
        else:
            kind = "type"
            message = f"{key}: expected {expected!r} ({expected_type}), received {received_value!r} ({received_type})"
        out.append(FieldMismatch(key, expected, received_value, kind, message))
    return out


# --- schema alignment ------------------------------------------------------------------


def _schema_entry(value: Any) -> dict[str, Any]:
    if isinstance(value, str) and not value.isdigit() and _looks_like_datetime(value):
        return {"type": "datetime", "is_array": False}
    if isinstance(value, bool):
        return {"type": "boolean", "is_array": False}
    if isinstance(value, int):
        return {"type": "int", "is_array": False}
    if isinstance(value, float):
        return {"type": "float", "is_array": False}
    return {"type": "string", "is_array": False}  # str, dict and list


@functools.lru_cache(maxsize=4096)
def _looks_like_datetime(value: str) -> bool:
    # Cached: dateparser costs ~20 ms per value and test data repeats values. Strict parsing needs
    # a year, so text without digits is never a date; this skips dateparser's costly first load.
    if not any(ch.isdigit() for ch in value):
        return False
    try:
        import dateparser
    except ImportError:  # pragma: no cover - dateparser is a dev dependency
        return False
    return dateparser.parse(value, settings={"STRICT_PARSING": True}) is not None


def check_schema_alignment(td: TestData, schema: dict[str, Any]) -> list[Mismatch]:
    """``validate_schema_aligned_with_test_data``: each event_data value's type vs ``_schema.json``."""
    out: list[Mismatch] = []
    for dataset, mappings in schema.items():
        if not isinstance(mappings, dict):
            out.append(Mismatch("schema", f"schema entry for {dataset} is not an object", dataset=dataset))
            continue
        seen: dict[str, dict[str, Any]] = {}
        for event in (e for e in td.data if e.dataset == dataset):
            for key, value in event.event_data.items():
                if value is None or key not in mappings:
                    continue
                entry = _schema_entry(value)
                if key in seen and seen[key] != entry:
                    out.append(
                        Mismatch("schema", f"{key} has different types across events", event.index, dataset=dataset)
                    )
                    continue
                seen[key] = entry
                if entry != mappings[key]:
                    out.append(
                        Mismatch(
                            "schema",
                            f"{key}: test data gives {entry}, schema says {mappings[key]}",
                            event.index,
                            event.test_data_event_id,
                            dataset,
                            key,
                            mappings[key],
                            entry,
                        )
                    )
    return out


# --- running ---------------------------------------------------------------------------


def _vendor_product(event: TestEvent) -> tuple[str, str]:
    if event.vendor and event.product:
        return event.vendor, event.product
    dataset = event.dataset or ""
    vendor, _, rest = dataset.partition("_")
    return event.vendor or vendor, event.product or rest.removesuffix("_raw").removesuffix("raw").rstrip("_")


def run_testdata(
    rule_dir: str | Path,
    *,
    parsing_rules: str | Path | RuleSet | None = None,
    warnings: list[XqlWarning] | None = None,
) -> list[Mismatch]:
    """Evaluate every case of ``<Rule>_testdata.json`` in ``rule_dir`` against the rule's ``.xif``.

    ``parsing_rules`` (a path or a loaded :class:`RuleSet`) first runs the pack's INGEST
    sections on each event, as the HTTP collector would. Pass a list as ``warnings`` to collect
    load-time and runtime warnings (overlapping statements, type errors...).
    """
    directory = Path(rule_dir)
    td_path = find_file(directory, TESTDATA_SUFFIX)
    if td_path is None:
        raise XqlError(f"no *{TESTDATA_SUFFIX} file in {directory}")
    rules = load_rules(directory)
    parsing = load_rules(parsing_rules) if isinstance(parsing_rules, str | Path) else parsing_rules
    sink: list[XqlWarning] = warnings if warnings is not None else []
    sink.extend(rules.load_warnings)
    td, mismatches = load_testdata(td_path)
    known = {d.casefold() for d in rules.datasets}
    for event in td.data:
        mismatches.extend(_run_event(event, rules, parsing, known, sink))
    schema_path = find_file(directory, SCHEMA_SUFFIX)
    if schema_path is not None and "schema_test_data_types" not in td.ignored_validations:
        try:
            schema = json.loads(schema_path.read_text(encoding="utf-8"))
        except ValueError as exc:
            mismatches.append(Mismatch("schema", f"{schema_path.name} is not valid JSON: {exc}"))
        else:
            mismatches.extend(check_schema_alignment(td, schema if isinstance(schema, dict) else {}))
    return mismatches


def _run_event(
    event: TestEvent, rules: RuleSet, parsing: RuleSet | None, known: set[str], sink: list[XqlWarning]
) -> list[Mismatch]:
    def fail(kind: str, message: str) -> list[Mismatch]:
        return [Mismatch(kind, message, event.index, event.test_data_event_id, event.dataset)]

    if not event.dataset:
        return fail("invalid", "no dataset: demisto-sdk would not push or test this event")
    if event.dataset.casefold() not in known:
        return fail("no_model", f"no MODEL section for dataset {event.dataset!r}")
    try:
        ZoneInfo(event.tenant_timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return fail("invalid", f"unknown tenant_timezone {event.tenant_timezone!r}")
    raw: dict[str, Any] | None = {**event.event_data, "test_data_event_id": event.test_data_event_id}
    if parsing is not None:
        vendor, product = _vendor_product(event)
        # Without an INGEST section for this vendor/product the event is stored as pushed.
        with contextlib.suppress(XqlError):
            raw = parsing.parse(vendor, product, raw or {}, sink)
        if raw is None:
            return fail("dropped", "the parsing rules drop this event")
    result = rules.evaluate_model(event.dataset, raw or {})
    sink.extend(result.warnings)
    if not result.rows:
        return fail(
            "no_match",
            "no statement of the MODEL matches this event (demisto-sdk: 'Verify that the event data used in "
            "your test data file meets the criteria of the modeling rule, e.g. the filter condition')",
        )
    out = []
    several = len(result.rows) > 1
    for row, ref in zip(result.rows, result.statements, strict=True):
        for fm in compare_expected(event.expected_values, row, event.tenant_timezone):
            out.append(
                Mismatch(
                    fm.kind,
                    fm.message,
                    event.index,
                    event.test_data_event_id,
                    event.dataset,
                    fm.field,
                    fm.expected,
                    fm.received,
                    str(ref) if several else None,
                )
            )
    return out
