"""The XQL value model: rows, JSON text, JSON paths, comparisons, regexes, timestamps.

Python values stand for XQL values: ``None`` is NULL; ``str``, ``int``, ``float``, ``bool``;
``list`` is an array; ``dict`` is a JSON object (``object_create``); an aware UTC
``datetime`` is a TIMESTAMP.

Choices on points the sheet leaves open, relied on by real content:

- Raw events: nested objects and arrays become compact JSON text (``{"a":1}``), as the
  platform stores them; scalars keep their JSON type; ``_time``/``_insert_time`` become
  TIMESTAMPs (ISO-8601 text, or epoch seconds/milliseconds: >= 1e11 means milliseconds).
- Column names are case-insensitive (Duo uses ``host`` and ``HOST``); JSON keys are not.
- ``=``, ``!=``, ``in``, ``contains`` and ordering fold case unless ``config case_sensitive =
  true``. ``~=`` is RE2 search and case-sensitive (use ``(?i)``): content lower-cases before
  matching (Okta ``client_ua_os ~= "mac"`` after ``lowercase``) and writes ``[Uu]ser``. [open]
- A number and a numeric string compare as numbers; ``true`` equals ``"true"``.
- ``to_string`` of an array or object is compact JSON (``["a","b"]``); of a timestamp is
  BigQuery's ``2023-10-26 10:00:00+00``; of an integral float is ``"200"``. [INFER]
- ``XDM_CONST.<GROUP>_<VALUE>`` stores ``<VALUE>`` (the schema guide's "Original" column):
  ``USER_TYPE_REGULAR`` is ``"REGULAR"``, not the auth doc's ``"USER"``; the groups and their
  sources are in :mod:`.xdm_const`. [INFER]
- Regexes use RE2 (``google-re2``) when installed; otherwise Python ``re``, which also accepts
  look-arounds and back-references that RE2 rejects, and differs on a few escapes (``\\Z``).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
import re
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import XqlRuntimeError

try:  # pragma: no cover - depends on the environment
    import re2 as _re2

    REGEX_ENGINE = "re2"
except ImportError:  # pragma: no cover
    _re2 = None
    REGEX_ENGINE = "re"

UTC = dt.UTC

SYSTEM_FIELDS = ("_time", "_insert_time", "_vendor", "_product")
# Never removed by a ``fields`` stage.
PROTECTED_FIELDS = frozenset(
    {"_time", "_insert_time", "_raw_log", "_product", "_vendor", "_tag", "_id", "_snapshot_id"}
)


# --- rows ------------------------------------------------------------------------------


class Row:
    """A row whose column names are case-insensitive but keep the spelling first written."""

    __slots__ = ("_data",)

    def __init__(self, data: dict[str, Any] | None = None) -> None:
        self._data: dict[str, tuple[str, Any]] = {}
        for k, v in (data or {}).items():
            self.set(k, v)

    def get(self, name: str) -> Any:
        item = self._data.get(name.casefold())
        return None if item is None else item[1]

    def __contains__(self, name: str) -> bool:
        return name.casefold() in self._data

    def set(self, name: str, value: Any) -> None:
        key = name.casefold()
        old = self._data.get(key)
        self._data[key] = (old[0] if old else name, value)

    def delete(self, name: str) -> None:
        self._data.pop(name.casefold(), None)

    def names(self) -> list[str]:
        return [n for n, _ in self._data.values()]

    def items(self) -> Iterator[tuple[str, Any]]:
        return iter(self._data.values())

    def copy(self) -> Row:
        new = Row()
        new._data = dict(self._data)
        return new

    def to_dict(self) -> dict[str, Any]:
        return dict(self._data.values())

    def __repr__(self) -> str:
        return f"Row({self.to_dict()!r})"


def json_text(value: Any) -> str:
    """Compact JSON text, the form nested raw values and JSON results take."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=_json_default)


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return format_iso(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def row_from_event(event: dict[str, Any]) -> Row:
    """A raw event as the dataset stores it: nested values as JSON text, ``_time`` as TIMESTAMP."""
    row = Row()
    for key, value in event.items():
        if isinstance(value, dict | list):
            value = json_text(value)
        elif key.casefold() in ("_time", "_insert_time") and value is not None:
            value = coerce_timestamp(value)
        row.set(key, value)
    return row


def to_jsonable(value: Any) -> Any:
    """A value for JSON output: timestamps as ISO-8601 text, everything else unchanged."""
    if isinstance(value, dt.datetime):
        return format_iso(value)
    if isinstance(value, list):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    return value


# --- type names and conversions --------------------------------------------------------


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, dt.datetime):
        return "timestamp"
    return type(value).__name__


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def to_string(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value == int(value) and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        text = value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
        if value.microsecond:
            text += f".{value.microsecond:06d}".rstrip("0")
        return text + "+00"
    return json_text(value)


_INT_RE = re.compile(r"\s*[+-]?\d+\s*")


def parse_number(value: Any) -> int | float | None:
    """A number from a number or numeric string; ``None`` otherwise."""
    if is_number(value):
        return value
    if isinstance(value, str):
        if _INT_RE.fullmatch(value):
            return int(value)
        try:
            f = float(value)
        except ValueError:
            return None
        return f if math.isfinite(f) else None
    return None


# --- comparisons -----------------------------------------------------------------------


def _fold(s: str, case_sensitive: bool) -> str:
    return s if case_sensitive else s.casefold()


def values_equal(a: Any, b: Any, case_sensitive: bool = False) -> bool:
    """XQL ``=`` on two non-NULL values."""
    if isinstance(a, str) and isinstance(b, str):
        return _fold(a, case_sensitive) == _fold(b, case_sensitive)
    if isinstance(a, bool) or isinstance(b, bool):
        if isinstance(a, bool) and isinstance(b, bool):
            return a == b
        other = b if isinstance(a, bool) else a
        flag = a if isinstance(a, bool) else b
        return isinstance(other, str) and other.strip().casefold() == ("true" if flag else "false")
    if is_number(a) or is_number(b):
        na, nb = parse_number(a), parse_number(b)
        return na is not None and nb is not None and na == nb
    if isinstance(a, dt.datetime) or isinstance(b, dt.datetime):
        ta, tb = _maybe_timestamp(a), _maybe_timestamp(b)
        return ta is not None and ta == tb
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(
            x is not None and y is not None and values_equal(x, y, case_sensitive) for x, y in zip(a, b, strict=True)
        )
    return bool(a == b)


def compare_order(a: Any, b: Any, case_sensitive: bool = False) -> int | None:
    """-1/0/1 for two non-NULL values, or ``None`` when they cannot be ordered."""
    x: Any
    y: Any
    if isinstance(a, str) and isinstance(b, str):
        x, y = _fold(a, case_sensitive), _fold(b, case_sensitive)
    elif (is_number(a) or is_number(b)) and not isinstance(a, bool) and not isinstance(b, bool):
        x, y = parse_number(a), parse_number(b)
        if x is None or y is None:
            return None
    elif isinstance(a, dt.datetime) or isinstance(b, dt.datetime):
        x, y = _maybe_timestamp(a), _maybe_timestamp(b)
        if x is None or y is None:
            return None
    elif isinstance(a, bool) and isinstance(b, bool):
        x, y = a, b
    else:
        return None
    return (x > y) - (x < y)


def _maybe_timestamp(value: Any) -> dt.datetime | None:
    try:
        return coerce_timestamp(value)
    except XqlRuntimeError:
        return None


@functools.lru_cache(maxsize=1024)
def _wildcard_regex(pattern: str, case_sensitive: bool, anchored: bool) -> re.Pattern[str]:
    body = ".*".join(re.escape(part) for part in pattern.split("*"))
    if not anchored:
        body = f".*{body}.*"
    return re.compile(body, re.DOTALL | (0 if case_sensitive else re.IGNORECASE))


def wildcard_match(value: str, pattern: str, case_sensitive: bool = False, anchored: bool = True) -> bool:
    """``*`` matches any run of characters; anchored at both ends unless ``anchored=False``."""
    return _wildcard_regex(pattern, case_sensitive, anchored).fullmatch(value) is not None


def contains(haystack: Any, needle: Any, case_sensitive: bool = False) -> bool:
    """XQL ``contains``: substring for strings and numbers, membership for arrays.

    A ``*`` in a string needle is a wildcard (Zoom's ``operator CONTAINS "room_*@"``). [open]
    """
    if isinstance(haystack, list):
        return any(v is not None and values_equal(v, needle, case_sensitive) for v in haystack)
    text = to_string(haystack) or ""
    sub = to_string(needle) or ""
    if "*" in sub:
        return wildcard_match(text, sub, case_sensitive, anchored=False)
    return _fold(sub, case_sensitive) in _fold(text, case_sensitive)


# --- regexes ---------------------------------------------------------------------------


@functools.lru_cache(maxsize=1024)
def compile_regex(pattern: str) -> Any:
    """A compiled pattern (RE2 when available); raises :class:`XqlRuntimeError` if invalid."""
    if _re2 is not None:
        options = _re2.Options()
        options.log_errors = False
        try:
            return _re2.compile(pattern, options)
        except Exception as exc:  # re2.error has no stable import path
            raise XqlRuntimeError(f"invalid RE2 regex {pattern!r}: {_re2_message(exc)}") from None
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise XqlRuntimeError(f"invalid regex {pattern!r}: {exc}") from None


def _re2_message(exc: Exception) -> str:
    arg = exc.args[0] if exc.args else exc
    return arg.decode() if isinstance(arg, bytes) else str(arg)


def regex_search(pattern: str, text: str) -> bool:
    return compile_regex(pattern).search(text) is not None


# --- JSON paths ------------------------------------------------------------------------

_MISSING = object()
_PATH_NAME = re.compile(r"[^.\[\]]+")
_PATH_BRACKET = re.compile(r"\[\s*(?:'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\"|(-?\d+)|(\*)|(@[^\]]*))\s*\]")


@functools.lru_cache(maxsize=1024)
def parse_json_path(path: str) -> tuple[tuple[str, Any], ...]:
    """Segments of a JSON path: ``("key", name)``, ``("index", n)``, ``("wild", None)`` or
    ``("key_or_index", digits)``.

    Accepts ``$``, ``$.`` (root, as Okta writes it), ``$.a.b``, ``$.arr[0].f``, ``$[0]``,
    ``$.arr[*]``, ``$.*``, ``$['a.b']``, ``$["a"]`` and ``$[@from]``. A dotted segment of digits
    (``$.0.action``, SentinelOne's rule) is that key of an object or that index of an array:
    XSIAM returns the first element's ``action`` for ``[{"action": ...}]``. ``$['0']`` stays a key.
    """
    if not path.startswith("$"):
        raise XqlRuntimeError(f"invalid JSON path {path!r}: must start with '$'")
    segments: list[tuple[str, Any]] = []
    i = 1
    while i < len(path):
        ch = path[i]
        if ch == ".":
            i += 1
            if i == len(path):
                break  # "$." is the root
            if path[i] == "*":
                segments.append(("wild", None))
                i += 1
                continue
            m = _PATH_NAME.match(path, i)
            if not m:
                raise XqlRuntimeError(f"invalid JSON path {path!r} at offset {i}")
            name = m.group(0)
            segments.append(("key_or_index" if name.isdigit() else "key", name))
            i = m.end()
        elif ch == "[":
            m = _PATH_BRACKET.match(path, i)
            if not m:
                raise XqlRuntimeError(f"invalid JSON path {path!r} at offset {i}")
            single, double, index, star, at = m.groups()
            if index is not None:
                segments.append(("index", int(index)))
            elif star is not None:
                segments.append(("wild", None))
            else:
                key = single if single is not None else double if double is not None else at
                segments.append(("key", re.sub(r"\\(.)", r"\1", key)))
            i = m.end()
        else:
            raise XqlRuntimeError(f"invalid JSON path {path!r} at offset {i}")
    return tuple(segments)


@functools.lru_cache(maxsize=512)
def _loads_cached(text: str) -> Any:
    return json.loads(text)


def load_json(value: Any) -> Any:
    """Parse JSON text (or pass a list/dict through); ``_MISSING`` when it is not JSON."""
    if isinstance(value, dict | list):
        return value
    if isinstance(value, str):
        try:
            return _loads_cached(value)
        except (ValueError, RecursionError):
            return _MISSING
    if is_number(value) or isinstance(value, bool):
        return value
    return _MISSING


def json_path_get(document: Any, path: str) -> tuple[Any, bool]:
    """``(value, found)``; a path with a wildcard yields the list of its matches."""
    segments = parse_json_path(path)
    root = load_json(document)
    if root is _MISSING:
        return None, False
    current = [root]
    wild = False
    for kind, arg in segments:
        nxt: list[Any] = []
        for node in current:
            if kind == "key_or_index":
                if isinstance(node, dict) and arg in node:
                    nxt.append(node[arg])
                elif isinstance(node, list) and int(arg) < len(node):
                    nxt.append(node[int(arg)])
                continue
            by_key = kind == "key" and isinstance(node, dict) and arg in node
            by_index = kind == "index" and isinstance(node, list) and -len(node) <= arg < len(node)
            if by_key or by_index:
                nxt.append(node[arg])
            elif kind == "wild":
                wild = True
                if isinstance(node, dict):
                    nxt.extend(node.values())
                elif isinstance(node, list):
                    nxt.extend(node)
        current = nxt
    if wild:
        return current, True
    if not current:
        return None, False
    return current[0], True


def json_scalar_text(value: Any) -> str | None:
    """A JSON scalar as text, as ``json_extract_scalar`` returns it; ``None`` for objects/arrays/null."""
    if value is None or isinstance(value, dict | list):
        return None
    if isinstance(value, str):
        return value
    return json_text(value)


# --- timestamps ------------------------------------------------------------------------


def format_iso(value: dt.datetime) -> str:
    value = value.astimezone(UTC)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        text += f".{value.microsecond // 1000:03d}" if value.microsecond % 1000 == 0 else f".{value.microsecond:06d}"
    return text + "Z"


def epoch_to_timestamp(value: float, unit: str = "SECONDS") -> dt.datetime:
    scale = {"SECONDS": 1, "MILLIS": 1_000, "MICROS": 1_000_000}.get(unit.upper())
    if scale is None:
        raise XqlRuntimeError(f"unknown time unit {unit!r} (expected SECONDS, MILLIS or MICROS)")
    micros = round(value * (1_000_000 // scale))
    try:
        return dt.datetime(1970, 1, 1, tzinfo=UTC) + dt.timedelta(microseconds=micros)
    except OverflowError:
        raise XqlRuntimeError(f"epoch value {value!r} is out of range") from None


def parse_iso(text: str) -> dt.datetime | None:
    """ISO-8601 / RFC 3339 text (also ``YYYY-MM-DD HH:MM:SS[ UTC]``) as a UTC timestamp."""
    s = text.strip()
    if s.endswith((" UTC", " GMT")):
        s = s[:-4] + "+00:00"
    try:
        value = dt.datetime.fromisoformat(s)
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def coerce_timestamp(value: Any) -> dt.datetime:
    """A TIMESTAMP from a timestamp, ISO text or epoch seconds/milliseconds."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if is_number(value):
        return epoch_to_timestamp(value, "MILLIS" if abs(value) >= 1e11 else "SECONDS")
    if isinstance(value, str):
        parsed = parse_iso(value)
        if parsed is not None:
            return parsed
        number = parse_number(value)
        if number is not None:
            return coerce_timestamp(number)
    raise XqlRuntimeError(f"expected a timestamp, got {type_name(value)} {value!r}")


_OFFSET_RE = re.compile(r"([+-])(\d{1,2}):?(\d{2})?")


def get_timezone(name: str) -> dt.tzinfo:
    """A zone from ``UTC``/``Z``/``GMT``, an offset (``+03:00``, ``-0800``) or an IANA name."""
    n = name.strip()
    if n.upper() in ("UTC", "Z", "GMT", "ETC/UTC"):
        return UTC
    m = _OFFSET_RE.fullmatch(n)
    if m:
        sign = -1 if m.group(1) == "-" else 1
        delta = dt.timedelta(hours=int(m.group(2)), minutes=int(m.group(3) or 0))
        return dt.timezone(sign * delta)
    try:
        return ZoneInfo(n)
    except (ZoneInfoNotFoundError, ValueError):
        raise XqlRuntimeError(f"unknown time zone {name!r}") from None


_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_MONTH_NAMES = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DAY_NAMES = r"(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*"
_TZ_NAME = r"Z|[+-]\d{2}:?\d{2}|[A-Za-z_]+(?:/[A-Za-z_+\-0-9]+)*"

# directive -> (regex, group name); group names stay unique by suffixing a counter.
_PARSE_DIRECTIVES: dict[str, tuple[str, str]] = {
    "Y": (r"[+-]?\d{1,4}", "year"),
    "y": (r"\d{2}", "year2"),
    "m": (r"\d{1,2}", "month"),
    "d": (r"\d{1,2}", "day"),
    "e": (r" ?\d{1,2}", "day"),
    "H": (r"\d{1,2}", "hour"),
    "k": (r" ?\d{1,2}", "hour"),
    "I": (r"\d{1,2}", "hour12"),
    "l": (r" ?\d{1,2}", "hour12"),
    "M": (r"\d{1,2}", "minute"),
    "S": (r"\d{1,2}", "second"),
    "f": (r"\d{1,6}", "fraction"),
    "j": (r"\d{1,3}", "yday"),
    "p": (r"AM|PM|am|pm", "ampm"),
    "b": (_MONTH_NAMES, "monthname"),
    "h": (_MONTH_NAMES, "monthname"),
    "B": (_MONTH_NAMES, "monthname"),
    "a": (_DAY_NAMES, "dayname"),
    "A": (_DAY_NAMES, "dayname"),
    "z": (r"Z|[+-]\d{2}:?\d{2}", "tz"),
    "Ez": (r"Z|[+-]\d{2}:\d{2}", "tz"),
    "Z": (_TZ_NAME, "tz"),
    "s": (r"[+-]?\d+", "epoch"),
}
_PARSE_EXPANSIONS = {"T": "%H:%M:%S", "R": "%H:%M", "F": "%Y-%m-%d", "D": "%m/%d/%y", "r": "%I:%M:%S %p"}


@functools.lru_cache(maxsize=256)
def compile_time_format(fmt: str) -> tuple[re.Pattern[str], tuple[tuple[str, str], ...]]:
    for key, expansion in _PARSE_EXPANSIONS.items():
        fmt = fmt.replace("%" + key, expansion)
    parts: list[str] = []
    groups: list[tuple[str, str]] = []
    i = 0
    while i < len(fmt):
        ch = fmt[i]
        if ch != "%":
            parts.append(r"\s*" if ch.isspace() else re.escape(ch))
            i += 1
            continue
        m = re.compile(r"%(E(\d+|\*)S|Ez|E4Y|[A-Za-z%])").match(fmt, i)
        if not m:
            raise XqlRuntimeError(f"bad time format {fmt!r} at offset {i}")
        directive = m.group(1)
        i = m.end()
        if directive == "%":
            parts.append("%")
        elif directive in ("n", "t"):
            parts.append(r"\s*")
        elif m.group(2) is not None:
            digits = r"\d+" if m.group(2) == "*" else rf"\d{{1,{m.group(2)}}}"
            gs, gf = f"g{len(groups)}", f"g{len(groups) + 1}"
            parts.append(rf"(?P<{gs}>\d{{1,2}})(?:\.(?P<{gf}>{digits}))?")
            groups += [(gs, "second"), (gf, "fraction")]
        elif directive == "E4Y":
            g = f"g{len(groups)}"
            parts.append(rf"(?P<{g}>\d{{4}})")
            groups.append((g, "year"))
        elif directive in _PARSE_DIRECTIVES:
            regex, role = _PARSE_DIRECTIVES[directive]
            g = f"g{len(groups)}"
            parts.append(f"(?P<{g}>{regex})")
            groups.append((g, role))
        else:
            raise XqlRuntimeError(f"unsupported time format element %{directive} in {fmt!r}")
    return re.compile("".join(parts), re.IGNORECASE), tuple(groups)


def parse_timestamp_with_format(fmt: str, text: str, tz: str | None = None) -> dt.datetime | None:
    """BigQuery-style ``PARSE_TIMESTAMP``; the whole input must match. ``None`` when it does not."""
    pattern, groups = compile_time_format(fmt)
    m = pattern.fullmatch(text)
    if not m:
        return None
    f: dict[str, str] = {role: m.group(g) for g, role in groups if m.group(g) is not None}
    zone = get_timezone(tz) if tz else UTC
    if "tz" in f:
        zone = get_timezone(f["tz"])
    if "epoch" in f:
        return epoch_to_timestamp(int(f["epoch"]))
    try:
        year = int(f["year"]) if "year" in f else (2000 + int(f["year2"]) if "year2" in f else 1970)
        if "year2" in f and int(f["year2"]) >= 69:
            year -= 100
        month = _MONTHS.index(f["monthname"][:3].lower()) + 1 if "monthname" in f else int(f.get("month", 1))
        day = int(f.get("day", 1))
        if "hour12" in f:
            hour = int(f["hour12"]) % 12 + (12 if f.get("ampm", "am").lower() == "pm" else 0)
        else:
            hour = int(f.get("hour", 0))
        fraction = f.get("fraction", "")
        micro = int(fraction[:6].ljust(6, "0")) if fraction else 0
        value = dt.datetime(year, month, day, hour, int(f.get("minute", 0)), int(f.get("second", 0)), micro)
        if "yday" in f:
            value = dt.datetime(year, 1, 1) + dt.timedelta(days=int(f["yday"]) - 1, hours=hour)
    except (ValueError, OverflowError):
        return None
    return value.replace(tzinfo=zone).astimezone(UTC)


def format_timestamp_with_format(fmt: str, value: dt.datetime, tz: str | None = None) -> str:
    """BigQuery-style ``FORMAT_TIMESTAMP``: strftime plus ``%E<n>S``, ``%E*S``, ``%Ez``, ``%Z``, ``%s``."""
    zone = get_timezone(tz) if tz else UTC
    local = value.astimezone(zone)
    out: list[str] = []
    i = 0
    while i < len(fmt):
        m = re.compile(r"%(E(\d+|\*)S|Ez|E4Y|[A-Za-z%])").match(fmt, i)
        if fmt[i] != "%" or not m:
            out.append(fmt[i])
            i += 1
            continue
        directive = m.group(1)
        i = m.end()
        if m.group(2) is not None:
            digits = 6 if m.group(2) == "*" else int(m.group(2))
            frac = f"{local.microsecond:06d}"[: min(digits, 6)].ljust(digits, "0")
            out.append(f"{local.second:02d}" + (f".{frac}" if digits else ""))
        elif directive == "Ez":
            offset = local.strftime("%z") or "+0000"
            out.append(f"{offset[:3]}:{offset[3:]}")
        elif directive == "Z":
            out.append("UTC" if zone is UTC else (local.tzname() or ""))
        elif directive == "s":
            out.append(str(int(value.timestamp())))
        elif directive == "E4Y":
            out.append(f"{local.year:04d}")
        else:
            out.append(local.strftime("%" + directive))
    return "".join(out)
