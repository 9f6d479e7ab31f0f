"""XQL functions: one table, ``FUNCTIONS``, of name -> :class:`Function`.

Each entry declares its arity and its NULL behaviour instead of re-coding NULL checks:
``null_in_null_out=True`` (the default) returns ``null_result`` (NULL unless stated) when any
argument is NULL, without calling the implementation. ``kind`` says how arguments arrive:
``eager`` (values), ``lazy`` (thunks, for ``if``/``coalesce``) or ``lambda`` (the array, then a
callable that evaluates the per-element argument with ``"@element"`` bound).

Implementations raise :class:`XqlRuntimeError` on bad input; the evaluator reports a warning
at the call site and uses NULL, so one odd event does not stop a run.

Choices on points the sheet marks [INFER]/[open]:

- ``regextract`` returns an array: group 1 of every match when the regex has a group, else
  every whole match (the official XSIAM page; content always wraps it in ``arrayindex``).
- ``arraycreate`` drops NULL elements (all NULL gives ``[]``); ``arraymap`` drops NULL results,
  as arrays cannot hold NULLs (Okta maps ``if(..., "@element" -> ip, null)``).
- ``arraystring`` skips NULL elements. ``arrayconcat`` is NULL when any argument is NULL
  (Slack guards ``arrayconcat`` with ``!= NULL`` checks).
- ``concat`` takes strings only, as documented; another type is a warning and NULL.
- ``replex`` replacement understands ``\\1``..``\\9`` back-references (RE2 ``Replace`` syntax).
- ``json_extract*`` of JSON ``null`` or invalid JSON is NULL.
- ``trim``'s default character set is space and tab.
- ``extract_time(ts, "DAYOFWEEK")`` is 1 for Monday, per the sheet.
- ``wildcard_match`` is case-sensitive.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .errors import XqlRuntimeError
from .values import (
    coerce_timestamp,
    compile_regex,
    epoch_to_timestamp,
    format_timestamp_with_format,
    is_number,
    json_path_get,
    json_scalar_text,
    json_text,
    load_json,
    parse_number,
    parse_timestamp_with_format,
    to_string,
    type_name,
)

Thunk = Callable[[], Any]


@dataclass(frozen=True)
class Function:
    impl: Callable[..., Any]
    min_args: int
    max_args: int | None  # None: any number
    null_in_null_out: bool = True
    null_result: Any = None  # returned (a copy, for lists) when a NULL argument short-circuits
    kind: str = "eager"  # eager | lazy | lambda
    # Literal arguments checked when the rule loads: index -> "regex" | "json_path" | "time_format".
    literal_checks: dict[int, str] = field(default_factory=dict)


# --- argument helpers ------------------------------------------------------------------


def _str(value: Any, fn: str) -> str:
    """A string argument; scalars are converted, arrays and objects are errors."""
    if isinstance(value, str):
        return value
    if isinstance(value, list | dict):
        raise XqlRuntimeError(f"{fn}: expected a string, got {type_name(value)}")
    return to_string(value)  # type: ignore[return-value]


def _array(value: Any, fn: str) -> list[Any]:
    if not isinstance(value, list):
        hint = " (raw arrays are JSON text: use json_extract_array)" if isinstance(value, str) else ""
        raise XqlRuntimeError(f"{fn}: expected an array, got {type_name(value)}{hint}")
    return value


def _int(value: Any, fn: str) -> int:
    number = parse_number(value)
    if number is None or (isinstance(number, float) and not number.is_integer()):
        raise XqlRuntimeError(f"{fn}: expected an integer, got {type_name(value)} {value!r}")
    return int(number)


def _num(value: Any, fn: str) -> int | float:
    number = parse_number(value)
    if number is None:
        raise XqlRuntimeError(f"{fn}: expected a number, got {type_name(value)} {value!r}")
    return number


def _ts(value: Any, fn: str) -> dt.datetime:
    try:
        return coerce_timestamp(value)
    except XqlRuntimeError as exc:
        raise XqlRuntimeError(f"{fn}: {exc}") from None


def _truth(value: Any) -> bool:
    """Whether a condition holds: only TRUE (or the text "true") does; NULL does not."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.strip().casefold() == "true"
    return False


# --- conditionals ----------------------------------------------------------------------


def _if(*args: Thunk) -> Any:
    # if(c1, v1, c2, v2, ..., [default]): first true condition wins; odd count = default.
    pairs = len(args) // 2
    for i in range(pairs):
        if _truth(args[2 * i]()):
            return args[2 * i + 1]()
    return args[-1]() if len(args) % 2 else None


def _coalesce(*args: Thunk) -> Any:
    for arg in args:
        value = arg()
        if value is not None:
            return value
    return None


# --- conversion ------------------------------------------------------------------------


def _to_string(value: Any) -> str | None:
    return to_string(value)


def _to_integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return math.floor(abs(value) + 0.5) * (1 if value >= 0 else -1)  # half away from zero
    if isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d+\s*", value):
        return int(value)
    return None  # "1.5", "abc", arrays...


def _to_float(value: Any) -> float | None:
    if isinstance(value, bool):
        return float(value)
    number = parse_number(value)
    return None if number is None else float(number)


def _to_boolean(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return {"true": True, "false": False}.get(value.strip().casefold())
    if is_number(value):
        return value != 0
    return None


def _to_json_string(value: Any) -> str:
    return json_text(value)


# --- JSON ------------------------------------------------------------------------------


def _json_extract(doc: Any, path: str) -> str | None:
    value, found = json_path_get(doc, _str(path, "json_extract"))
    return None if not found or value is None else json_text(value)


def _json_extract_scalar(doc: Any, path: str) -> str | None:
    value, found = json_path_get(doc, _str(path, "json_extract_scalar"))
    return json_scalar_text(value) if found else None


def _json_extract_array(doc: Any, path: str) -> list[str] | None:
    value, found = json_path_get(doc, _str(path, "json_extract_array"))
    if not found or not isinstance(value, list):
        return None
    # Elements keep their JSON encoding: strings stay quoted.
    return [json_text(v) for v in value if v is not None]


def _json_extract_scalar_array(doc: Any, path: str) -> list[str] | None:
    value, found = json_path_get(doc, _str(path, "json_extract_scalar_array"))
    if not found or not isinstance(value, list):
        return None
    return [v if isinstance(v, str) else json_text(v) for v in value if v is not None]


def _object_create(*args: Any) -> dict[str, Any]:
    if len(args) % 2:
        raise XqlRuntimeError("object_create: expects key, value pairs")
    out: dict[str, Any] = {}
    for key, value in zip(args[::2], args[1::2], strict=True):
        if not isinstance(key, str):
            raise XqlRuntimeError(f"object_create: keys must be strings, got {type_name(key)}")
        out[key] = value
    return out


def _parse_json(value: Any) -> Any:
    parsed = load_json(_str(value, "parse_json"))
    return parsed if isinstance(parsed, dict | list) else None


# --- arrays ----------------------------------------------------------------------------


def _arrayindex(arr: Any, index: Any) -> Any:
    items = _array(arr, "arrayindex")
    i = _int(index, "arrayindex")
    return items[i] if -len(items) <= i < len(items) else None


def _arraystring(arr: Any, delimiter: Any) -> str:
    items = _array(arr, "arraystring")
    return _str(delimiter, "arraystring").join(to_string(v) or "" for v in items if v is not None)


def _arraycreate(*items: Any) -> list[Any]:
    return [v for v in items if v is not None]


def _arrayconcat(*arrays: Any) -> list[Any]:
    return [v for arr in arrays for v in _array(arr, "arrayconcat")]


def _arraydistinct(arr: Any) -> list[Any]:
    out: list[Any] = []
    seen: set[tuple[str, str]] = set()
    for v in _array(arr, "arraydistinct"):
        key = (type_name(v), json_text(v))  # typed: 1 and "1" are different
        if key not in seen:
            seen.add(key)
            out.append(v)
    return out


def _arraymerge(arr: Any) -> list[Any]:
    out: list[Any] = []
    for v in _array(arr, "arraymerge"):
        inner = v if isinstance(v, list) else load_json(v)
        if not isinstance(inner, list):
            raise XqlRuntimeError(f"arraymerge: element is not a JSON array: {v!r}")
        out.extend(json_text(x) for x in inner if x is not None)
    return out


def _array_length(arr: Any) -> int:
    return len(_array(arr, "array_length"))


def _arrayrange(arr: Any, start: Any, end: Any) -> list[Any]:
    return _array(arr, "arrayrange")[_int(start, "arrayrange") : _int(end, "arrayrange")]


def _arraymap(arr: Any, body: Callable[[Any], Any]) -> list[Any]:
    return [r for r in (body(v) for v in _array(arr, "arraymap")) if r is not None]


def _arrayfilter(arr: Any, body: Callable[[Any], Any]) -> list[Any]:
    return [v for v in _array(arr, "arrayfilter") if _truth(body(v))]


def _arrayindexof(arr: Any, body: Callable[[Any], Any]) -> int | None:
    for i, v in enumerate(_array(arr, "arrayindexof")):
        if _truth(body(v)):
            return i
    return None


def _array_any(arr: Any, body: Callable[[Any], Any]) -> bool:
    return any(_truth(body(v)) for v in _array(arr, "array_any"))


def _array_all(arr: Any, body: Callable[[Any], Any]) -> bool:
    return all(_truth(body(v)) for v in _array(arr, "array_all"))


# --- strings ---------------------------------------------------------------------------


def _lowercase(s: Any) -> str:
    return _str(s, "lowercase").lower()


def _uppercase(s: Any) -> str:
    return _str(s, "uppercase").upper()


def _trim_chars(chars: Sequence[Any], fn: str) -> str:
    return _str(chars[0], fn) if chars else " \t"


def _trim(s: Any, *chars: Any) -> str:
    return _str(s, "trim").strip(_trim_chars(chars, "trim"))


def _ltrim(s: Any, *chars: Any) -> str:
    return _str(s, "ltrim").lstrip(_trim_chars(chars, "ltrim"))


def _rtrim(s: Any, *chars: Any) -> str:
    return _str(s, "rtrim").rstrip(_trim_chars(chars, "rtrim"))


def _concat(*parts: Any) -> str:
    for i, part in enumerate(parts, 1):
        if not isinstance(part, str):
            raise XqlRuntimeError(
                f"concat: argument {i} is {type_name(part)}, not string (no implicit conversion; use to_string)"
            )
    return "".join(parts)


def _replace(s: Any, old: Any, new: Any) -> str:
    text, o = _str(s, "replace"), _str(old, "replace")
    return text.replace(o, _str(new, "replace")) if o else text


def _expand_rewrite(rewrite: str, match: Any) -> str:
    def group(m: re.Match[str]) -> str:
        if m.group(1) == "\\":
            return "\\"
        value = match.group(int(m.group(1)))
        return value or ""

    return re.sub(r"\\(\d|\\)", group, rewrite)


def _replex(s: Any, pattern: Any, rewrite: Any) -> str:
    text = _str(s, "replex")
    regex = compile_regex(_str(pattern, "replex"))
    new = _str(rewrite, "replex")
    out: list[str] = []
    last = 0
    for m in regex.finditer(text):
        out.append(text[last : m.start()])
        out.append(_expand_rewrite(new, m))
        last = m.end()
    out.append(text[last:])
    return "".join(out)


def _split(s: Any, *delimiter: Any) -> list[str]:
    sep = _str(delimiter[0], "split") if delimiter else " "
    return _str(s, "split").split(sep or " ")


def _len(s: Any) -> int:
    return len(_str(s, "len"))


def _regextract(s: Any, pattern: Any) -> list[str]:
    regex = compile_regex(_str(pattern, "regextract"))
    text = _str(s, "regextract")
    if regex.groups == 0:
        return [m.group(0) for m in regex.finditer(text)]
    return [m.group(1) for m in regex.finditer(text) if m.group(1) is not None]


def _regexcapture(s: Any, pattern: Any) -> dict[str, Any] | None:
    m = compile_regex(_str(pattern, "regexcapture")).search(_str(s, "regexcapture"))
    return None if m is None else dict(m.groupdict())


def _format_string(fmt: Any, *args: Any) -> str:
    values = list(args)

    def sub(m: re.Match[str]) -> str:
        spec = m.group(1)
        if spec == "%":
            return "%"
        if not values:
            raise XqlRuntimeError("format_string: not enough arguments")
        value = values.pop(0)
        if spec == "d":
            if isinstance(value, bool) or not isinstance(value, int):
                raise XqlRuntimeError(f"format_string: %d needs an integer, got {type_name(value)}")
            return str(value)
        if not isinstance(value, str):
            raise XqlRuntimeError(f"format_string: %s needs a string, got {type_name(value)}")
        return value

    out = re.sub(r"%([sd%])", sub, _str(fmt, "format_string"))
    if values:
        raise XqlRuntimeError("format_string: too many arguments")
    return out


def _string_count(s: Any, sub: Any) -> int:
    needle = _str(sub, "string_count")
    return _str(s, "string_count").count(needle) if needle else 0


def _extract_url_host(url: Any) -> str | None:
    text = _str(url, "extract_url_host").strip()
    try:
        host = urlsplit(text if "://" in text else "//" + text).hostname
    except ValueError:
        return None
    return host.lower() if host else None


def _wildcard_match(s: Any, pattern: Any) -> bool:
    regex = re.escape(_str(pattern, "wildcard_match")).replace(r"\*", ".*").replace(r"\?", ".")
    return re.fullmatch(regex, _str(s, "wildcard_match"), re.DOTALL) is not None


# --- IP addresses ----------------------------------------------------------------------


def _ipv4(value: Any) -> ipaddress.IPv4Address | None:
    try:
        return ipaddress.IPv4Address(value.strip()) if isinstance(value, str) else None
    except ValueError:
        return None


def _ipv6(value: Any) -> ipaddress.IPv6Address | None:
    try:
        return ipaddress.IPv6Address(value.strip()) if isinstance(value, str) else None
    except ValueError:
        return None


def _is_ipv4(value: Any) -> bool:
    return _ipv4(value) is not None


def _is_ipv6(value: Any) -> bool:
    return _ipv6(value) is not None


def _networks(cidrs: Any, version: int, fn: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    nets = []
    for part in _str(cidrs, fn).split(","):
        if not part.strip():
            continue
        try:
            net = ipaddress.ip_network(part.strip(), strict=False)
        except ValueError:
            raise XqlRuntimeError(f"{fn}: invalid CIDR {part.strip()!r}") from None
        if net.version != version:
            raise XqlRuntimeError(f"{fn}: {part.strip()!r} is not an IPv{version} range")
        nets.append(net)
    return nets


def _incidr(ip: Any, cidrs: Any) -> bool:
    addr = _ipv4(ip)
    return addr is not None and any(addr in net for net in _networks(cidrs, 4, "incidr"))


def _incidr6(ip: Any, cidrs: Any) -> bool:
    addr = _ipv6(ip)
    return addr is not None and any(addr in net for net in _networks(cidrs, 6, "incidr6"))


def _incidrlist(ips: Any, cidr: Any) -> bool:
    nets = _networks(cidr, 4, "incidrlist")
    addrs = [_ipv4(p) for p in _str(ips, "incidrlist").split(",") if p.strip()]
    return bool(addrs) and all(a is not None and any(a in n for n in nets) for a in addrs)


_PRIVATE_V4 = [
    ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "169.254.0.0/16")
]


def _is_known_private_ipv4(value: Any) -> bool | None:
    addr = _ipv4(value)
    return None if addr is None else any(addr in net for net in _PRIVATE_V4)


# --- time ------------------------------------------------------------------------------


def _parse_timestamp(fmt: Any, s: Any, *tz: Any) -> dt.datetime | None:
    zone = _str(tz[0], "parse_timestamp") if tz else None
    return parse_timestamp_with_format(_str(fmt, "parse_timestamp"), _str(s, "parse_timestamp"), zone)


_UNIT_SCALE = {"SECONDS": 1, "MILLIS": 1_000, "MICROS": 1_000_000}


def _epoch(ts: dt.datetime, unit: str, fn: str) -> int:
    scale = _UNIT_SCALE.get(unit.upper())
    if scale is None:
        raise XqlRuntimeError(f"{fn}: unknown unit {unit!r} (SECONDS, MILLIS or MICROS)")
    delta = ts - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    return micros // (1_000_000 // scale)


def _parse_epoch(fmt: Any, s: Any, *rest: Any) -> int | None:
    zone = _str(rest[0], "parse_epoch") if rest else None
    unit = _str(rest[1], "parse_epoch") if len(rest) > 1 else "SECONDS"
    ts = parse_timestamp_with_format(_str(fmt, "parse_epoch"), _str(s, "parse_epoch"), zone)
    return None if ts is None else _epoch(ts, unit, "parse_epoch")


def _to_timestamp(value: Any, *unit: Any) -> dt.datetime:
    return epoch_to_timestamp(_num(value, "to_timestamp"), _str(unit[0], "to_timestamp") if unit else "SECONDS")


def _timestamp_seconds(value: Any) -> dt.datetime:
    return epoch_to_timestamp(_num(value, "timestamp_seconds"))


def _format_timestamp(fmt: Any, ts: Any, *tz: Any) -> str:
    zone = _str(tz[0], "format_timestamp") if tz else None
    return format_timestamp_with_format(_str(fmt, "format_timestamp"), _ts(ts, "format_timestamp"), zone)


def _extract_time(ts: Any, part: Any) -> int:
    t = _ts(ts, "extract_time").astimezone(dt.UTC)
    p = _str(part, "extract_time").upper()
    parts: dict[str, Callable[[], int]] = {
        "YEAR": lambda: t.year,
        "QUARTER": lambda: (t.month - 1) // 3 + 1,
        "MONTH": lambda: t.month,
        "DAY": lambda: t.day,
        "DAYOFWEEK": lambda: t.isoweekday(),
        "DAYOFYEAR": lambda: t.timetuple().tm_yday,
        "HOUR": lambda: t.hour,
        "MINUTE": lambda: t.minute,
        "SECOND": lambda: t.second,
        "MILLISECOND": lambda: t.microsecond // 1000,
        "MICROSECOND": lambda: t.microsecond,
    }
    if p not in parts:
        raise XqlRuntimeError(f"extract_time: unknown part {p!r}")
    return parts[p]()


def _to_epoch(ts: Any, *unit: Any) -> int:
    return _epoch(_ts(ts, "to_epoch"), _str(unit[0], "to_epoch") if unit else "SECONDS", "to_epoch")


_DIFF_MICROS = {
    "MICROSECOND": 1,
    "MILLISECOND": 1_000,
    "SECOND": 1_000_000,
    "MINUTE": 60_000_000,
    "HOUR": 3_600_000_000,
    "DAY": 86_400_000_000,
}


def _timestamp_diff(t1: Any, t2: Any, part: Any) -> int:
    p = _str(part, "timestamp_diff").upper()
    if p not in _DIFF_MICROS:
        raise XqlRuntimeError(f"timestamp_diff: unknown part {p!r}")
    delta = _ts(t1, "timestamp_diff") - _ts(t2, "timestamp_diff")
    micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    return int(micros / _DIFF_MICROS[p])  # truncates toward zero, like TIMESTAMP_DIFF


# --- arithmetic ------------------------------------------------------------------------


def _arith(fn: str, op: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    def impl(a: Any, b: Any) -> Any:
        return op(_num(a, fn), _num(b, fn))

    return impl


def _divide(a: Any, b: Any) -> float:
    divisor = _num(b, "divide")
    if divisor == 0:
        raise XqlRuntimeError("divide: division by zero")
    return _num(a, "divide") / divisor


# --- the table -------------------------------------------------------------------------

_RE = {1: "regex"}
_PATH = {1: "json_path"}

FUNCTIONS: dict[str, Function] = {
    # conditionals
    "if": Function(_if, 2, None, null_in_null_out=False, kind="lazy"),
    "coalesce": Function(_coalesce, 1, None, null_in_null_out=False, kind="lazy"),
    # conversion
    "to_string": Function(_to_string, 1, 1),
    "to_integer": Function(_to_integer, 1, 1),
    "to_number": Function(_to_float, 1, 1),
    "to_float": Function(_to_float, 1, 1),
    "to_boolean": Function(_to_boolean, 1, 1),
    "to_json_string": Function(_to_json_string, 1, 1),
    # JSON
    "json_extract": Function(_json_extract, 2, 2, literal_checks=_PATH),
    "json_extract_scalar": Function(_json_extract_scalar, 2, 2, literal_checks=_PATH),
    "json_extract_array": Function(_json_extract_array, 2, 2, literal_checks=_PATH),
    "json_extract_scalar_array": Function(_json_extract_scalar_array, 2, 2, literal_checks=_PATH),
    "object_create": Function(_object_create, 2, None, null_in_null_out=False),
    "parse_json": Function(_parse_json, 1, 1),
    # arrays
    "arrayindex": Function(_arrayindex, 2, 2),
    "arraystring": Function(_arraystring, 2, 2),
    "arraycreate": Function(_arraycreate, 1, None, null_in_null_out=False),
    "arrayconcat": Function(_arrayconcat, 2, None),
    "arraydistinct": Function(_arraydistinct, 1, 1),
    "arraymerge": Function(_arraymerge, 1, 1),
    "array_length": Function(_array_length, 1, 1),
    "arrayrange": Function(_arrayrange, 3, 3),
    "arraymap": Function(_arraymap, 2, 2, kind="lambda"),
    "arrayfilter": Function(_arrayfilter, 2, 2, kind="lambda"),
    "arrayindexof": Function(_arrayindexof, 2, 2, kind="lambda"),
    "array_any": Function(_array_any, 2, 2, kind="lambda"),
    "array_all": Function(_array_all, 2, 2, kind="lambda"),
    # strings
    "lowercase": Function(_lowercase, 1, 1),
    "uppercase": Function(_uppercase, 1, 1),
    "trim": Function(_trim, 1, 2),
    "ltrim": Function(_ltrim, 1, 2),
    "rtrim": Function(_rtrim, 1, 2),
    "concat": Function(_concat, 1, None),
    "replace": Function(_replace, 3, 3),
    "replex": Function(_replex, 3, 3, literal_checks=_RE),
    "split": Function(_split, 1, 2, null_result=[]),
    "len": Function(_len, 1, 1),
    "regextract": Function(_regextract, 2, 2, literal_checks=_RE),
    "regexcapture": Function(_regexcapture, 2, 2, literal_checks=_RE),
    "format_string": Function(_format_string, 1, None),
    "string_count": Function(_string_count, 2, 2),
    "extract_url_host": Function(_extract_url_host, 1, 1),
    "wildcard_match": Function(_wildcard_match, 2, 2),
    # IP addresses
    "is_ipv4": Function(_is_ipv4, 1, 1),
    "is_ipv6": Function(_is_ipv6, 1, 1),
    "incidr": Function(_incidr, 2, 2),
    "incidr6": Function(_incidr6, 2, 2),
    "incidrlist": Function(_incidrlist, 2, 2),
    "is_known_private_ipv4": Function(_is_known_private_ipv4, 1, 1),
    # time
    "parse_timestamp": Function(_parse_timestamp, 2, 3, literal_checks={0: "time_format"}),
    "parse_epoch": Function(_parse_epoch, 2, 4, literal_checks={0: "time_format"}),
    "to_timestamp": Function(_to_timestamp, 1, 2),
    "timestamp_seconds": Function(_timestamp_seconds, 1, 1),
    "format_timestamp": Function(_format_timestamp, 2, 3),
    "extract_time": Function(_extract_time, 2, 2),
    "to_epoch": Function(_to_epoch, 1, 2),
    "timestamp_diff": Function(_timestamp_diff, 3, 3),
    # arithmetic (XQL has no infix arithmetic)
    "add": Function(_arith("add", lambda a, b: a + b), 2, 2),
    "subtract": Function(_arith("subtract", lambda a, b: a - b), 2, 2),
    "multiply": Function(_arith("multiply", lambda a, b: a * b), 2, 2),
    "divide": Function(_divide, 2, 2),
}

# Functions whose per-element argument binds "@element".
LAMBDA_FUNCTIONS = frozenset(name for name, f in FUNCTIONS.items() if f.kind == "lambda")


def truth(value: Any) -> bool:
    """Whether a condition value counts as true (used by filters and ``if``)."""
    return _truth(value)
