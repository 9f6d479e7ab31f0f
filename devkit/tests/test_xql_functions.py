"""Every function of the table, including NULL inputs and edge cases."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from devkit.xql.errors import XqlWarning
from devkit.xql.evaluator import Evaluator
from devkit.xql.functions import FUNCTIONS
from devkit.xql.parser import parse_expression

UTC = dt.UTC
EVENT = {
    "s": "Hello World",
    "n": None,
    "i": 42,
    "f": 1.5,
    "b": True,
    "email": "john.doe@example.com",
    "actor": {"id": "u1", "type": "User", "user": {"email": "a@b.c"}, "n": 200, "ok": True, "nul": None},
    "target": [{"id": "t1", "alternateId": "x@y"}, {"id": "t2", "alternateId": "z@w"}],
    "tags": '["a","b"]',
    "ip4": "10.1.2.3",
    "ip6": "fe80::1",
    "ts": "2023-10-26T10:00:00.123Z",
    "epoch": 1698314400,
    "mixed": {"x": [1, True, "s", None]},
    "digit_keys": {"0": {"action": "by key"}},
}


def ev(src: str, event: dict[str, Any] | None = None, warnings: list[XqlWarning] | None = None) -> Any:
    return Evaluator().evaluate(parse_expression(src), EVENT if event is None else event, warnings=warnings)


def warned(src: str, event: dict[str, Any] | None = None) -> tuple[Any, list[str]]:
    warnings: list[XqlWarning] = []
    value = ev(src, event, warnings)
    return value, [w.message for w in warnings]


CASES = [
    # conditionals
    ('if(i = 42, "yes", "no")', "yes"),
    ('if(i = 1, "yes", "no")', "no"),
    ('if(i = 1, "yes")', None),
    ('if(i = 1, "a", i = 42, "b", "c")', "b"),
    ('if(i = 1, "a", i = 2, "b")', None),  # even count: no default
    ('if(n = "x", "a", "b")', "b"),  # NULL condition is not true
    ('if(b, "t", "f")', "t"),  # a boolean field as condition
    ("if(n = null, null, to_string(n))", None),
    ("coalesce(n, i)", 42),
    ('coalesce(n, "", "x")', ""),  # "" is not NULL
    ("coalesce(n, n)", None),
    # conversion
    ("to_string(i)", "42"),
    ("to_string(f)", "1.5"),
    ("to_string(200.0)", "200"),
    ("to_string(b)", "true"),
    ("to_string(n)", None),
    ('to_string(split("a,b", ","))', '["a","b"]'),
    ("to_string(_time)", "2023-10-26 10:00:00.123+00"),
    ('to_integer("12")', 12),
    ('to_integer(" -3 ")', -3),
    ('to_integer("1.5")', None),
    ('to_integer("abc")', None),
    ("to_integer(2.5)", 3),
    ("to_integer(-2.5)", -3),
    ("to_integer(0)", 0),
    ("to_integer(n)", None),
    ('to_number("200")', 200.0),
    ('to_float("1.25")', 1.25),
    ('to_float("x")', None),
    ("to_float(i)", 42.0),
    ('to_boolean("TRUE")', True),
    ('to_boolean("false")', False),
    ('to_boolean("yes")', None),
    ("to_boolean(n)", None),
    ('to_json_string("a")', '"a"'),
    ("to_json_string(arraycreate(1, 2))", "[1,2]"),
    ('to_json_string(object_create("k", i))', '{"k":42}'),
    ("to_json_string(n)", None),
    # JSON
    ('json_extract_scalar(actor, "$.id")', "u1"),
    ('json_extract_scalar(actor, "$.n")', "200"),
    ('json_extract_scalar(actor, "$.ok")', "true"),
    ('json_extract_scalar(actor, "$.user")', None),  # objects are not scalars
    ('json_extract_scalar(actor, "$.nul")', None),
    ('json_extract_scalar(actor, "$.missing")', None),
    ("json_extract_scalar(actor, \"$['user']['email']\")", "a@b.c"),
    ('json_extract_scalar(`target`, "$[1].id")', "t2"),
    # A dotted segment of digits indexes an array (SentinelOne's "$.0.action") or names an object key.
    ('json_extract_scalar(`target`, "$.0.id")', "t1"),
    ('json_extract_scalar(`target`, "$.1.alternateId")', "z@w"),
    ('json_extract_scalar(`target`, "$.2.id")', None),
    ('json_extract_scalar(mixed, "$.x.2")', "s"),
    ('json_extract_scalar(digit_keys, "$.0.action")', "by key"),
    ("json_extract_scalar(`target`, \"$['0'].id\")", None),  # a quoted key never indexes
    ('json_extract(`target`, "$.0")', '{"id":"t1","alternateId":"x@y"}'),
    ("`target` -> [0].id", "t1"),
    ('json_extract_scalar(s, "$.x")', None),  # not JSON
    ('json_extract_scalar(n, "$.x")', None),
    ('json_extract(actor, "$.id")', '"u1"'),  # keeps its quotes
    ('json_extract(actor, "$.user")', '{"email":"a@b.c"}'),
    ('json_extract(actor, "$.n")', "200"),
    ('json_extract(actor, "$.nul")', None),
    ('json_extract(`target`, "$[*].id")', '["t1","t2"]'),
    ('json_extract_array(`target`, "$.")', ['{"id":"t1","alternateId":"x@y"}', '{"id":"t2","alternateId":"z@w"}']),
    ('json_extract_array(tags, "$")', ['"a"', '"b"']),  # elements keep their JSON encoding
    ('json_extract_array(actor, "$.id")', None),  # not an array
    ('json_extract_scalar_array(tags, "$")', ["a", "b"]),
    ('json_extract_scalar_array(mixed, "$.x")', ["1", "true", "s"]),
    ('json_extract_scalar_array(actor, "$.nope")', None),
    ('object_create("a", 1, "b", n)', {"a": 1, "b": None}),
    ("parse_json(tags)", ["a", "b"]),
    ('parse_json("x")', None),
    # arrays
    ('arrayindex(split(email, "@"), 1)', "example.com"),
    ('arrayindex(split(email, "@"), -1)', "example.com"),
    ('arrayindex(split(email, "@"), 5)', None),
    ("arrayindex(arraycreate(n), 0)", None),
    ("arrayindex(n, 0)", None),
    ('arraystring(split("a b c"), "-")', "a-b-c"),
    ('arraystring(arraycreate(n), ",")', ""),
    ('arraystring(n, ",")', None),
    ('arraycreate("a", n, "b")', ["a", "b"]),
    ('arraycreate(json_extract_scalar(actor, "$.missing"))', []),
    ('arrayconcat(arraycreate("a"), arraycreate("b", "c"))', ["a", "b", "c"]),
    ('arrayconcat(arraycreate("a"), n)', None),
    ('arraydistinct(arraycreate("a", "b", "a", 1, "1"))', ["a", "b", 1, "1"]),
    ('arraymerge(arraycreate("[1,2]", "[\\"x\\"]"))', ["1", "2", '"x"']),
    ('array_length(split("a,b,c", ","))', 3),
    ("array_length(arraycreate(n))", 0),
    ("array_length(n)", None),
    ('arrayrange(split("a,b,c,d", ","), 1, 3)', ["b", "c"]),
    ('arraymap(split("{a},{b}", ","), rtrim(ltrim("@element", "{"), "}"))', ["a", "b"]),
    ('arraymap(json_extract_array(`target`, "$."), json_extract_scalar("@element", "$.alternateId"))', ["x@y", "z@w"]),
    ('arraymap(json_extract_array(`target`, "$."), "@element" -> id)', ["t1", "t2"]),
    ('arraymap(split("a,b", ","), if("@element" = "a", null, "@element"))', ["b"]),  # NULL results dropped
    ('arraymap(n, "@element")', None),
    (
        'arraymap(split("a,b", ","), arraystring(arraymap(split("@element", ""), concat("@element", "!")), ""))',
        ["a!", "b!"],
    ),
    ('arrayfilter(split("a,bb,c", ","), len("@element") = 1)', ["a", "c"]),
    ("arrayfilter(arraycreate(n), true)", []),
    ('arrayindexof(split("a,b,c", ","), "@element" = "b")', 1),
    ('arrayindexof(split("a,b,c", ","), "@element" = "z")', None),
    ('array_any(split("a,b", ","), "@element" = "b")', True),
    ('array_all(split("a,b", ","), "@element" = "b")', False),
    # strings
    ("lowercase(s)", "hello world"),
    ("uppercase(s)", "HELLO WORLD"),
    ("lowercase(n)", None),
    ('trim("  x\t ")', "x"),
    ('trim("\\"quoted\\"", "\\"")', "quoted"),
    ('ltrim("xxaxx", "x")', "axx"),
    ('rtrim("xxaxx", "x")', "xxa"),
    ('trim(n, "x")', None),
    ('concat("a", "-", "b")', "a-b"),
    ('concat("a", n)', None),  # any NULL makes it NULL
    ('replace("a.b.c", ".", "/")', "a/b/c"),
    ('replace("Aa", "a", "x")', "Ax"),  # case-sensitive
    ('replex("a1b22", "\\d+", "#")', "a#b#"),
    ('replex("john.doe", "(\\w+)\\.(\\w+)", "\\2 \\1")', "doe john"),
    ('replex("ABC", "(?i)b", "-")', "A-C"),
    ('replex(n, "x", "y")', None),
    ('split("a,,b", ",")', ["a", "", "b"]),
    ('split("a b")', ["a", "b"]),
    ('split("a b", "")', ["a", "b"]),
    ("split(n)", []),  # NULL input gives an empty array
    ('split(n, ",")', []),
    ("len(s)", 11),
    ('len("")', 0),
    ("len(n)", None),
    ('regextract("Chrome 118.0 / 119", "\\d+")', ["118", "0", "119"]),
    ('regextract("report.pdf", "\\.(\\w+)$")', ["pdf"]),
    ('arrayindex(regextract("none", "\\d+"), 0)', None),
    ('regextract(n, "x")', None),
    ('regexcapture("user=bob id=7", "user=(?P<user>\\w+) id=(?P<id>\\d+)")', {"user": "bob", "id": "7"}),
    ('regexcapture("x", "(?P<a>\\d)")', None),
    ('format_string("%s has %d", "x", 3)', "x has 3"),
    ('string_count("a,b,c", ",")', 2),
    ('extract_url_host("HTTPS://Example.COM:8443/a?b")', "example.com"),
    ('extract_url_host("example.com/path")', "example.com"),
    ('wildcard_match("report.pdf", "*.pdf")', True),
    ('wildcard_match("report.pdf", "r?port*")', True),
    ('wildcard_match("Report.pdf", "r*")', False),
    # IP addresses
    ("is_ipv4(ip4)", True),
    ('is_ipv4("1.2.3")', False),
    ("is_ipv4(ip6)", False),
    ("is_ipv4(n)", None),
    ("is_ipv6(ip6)", True),
    ('is_ipv6("1.1.1.1")', False),
    ('incidr(ip4, "10.0.0.0/8")', True),
    ('incidr(ip4, "192.168.0.0/16, 10.1.0.0/16")', True),
    ('incidr(ip4, "192.168.0.0/16")', False),
    ('incidr("not-an-ip", "10.0.0.0/8")', False),
    ('incidr(n, "10.0.0.0/8")', None),
    ('incidr6(ip6, "fe80::/10")', True),
    ('incidr6(ip6, "2001:db8::/32")', False),
    ('incidrlist("10.0.0.1,10.0.0.2", "10.0.0.0/24")', True),
    ('incidrlist("10.0.0.1,11.0.0.2", "10.0.0.0/24")', False),
    ('is_known_private_ipv4("192.168.1.1")', True),
    ('is_known_private_ipv4("8.8.8.8")', False),
    ('is_known_private_ipv4("x")', None),
    # time
    ('parse_timestamp("%Y-%m-%dT%H:%M:%S%Ez", "2023-10-26T12:00:00+02:00")', dt.datetime(2023, 10, 26, 10, tzinfo=UTC)),
    (
        'parse_timestamp("%Y-%m-%dT%H:%M:%E3SZ", "2023-10-26T10:00:00.123Z")',
        dt.datetime(2023, 10, 26, 10, 0, 0, 123000, tzinfo=UTC),
    ),
    (
        'parse_timestamp("%Y-%m-%dT%H:%M:%E3S%Z", "2023-10-26T10:00:00.123Z")',
        dt.datetime(2023, 10, 26, 10, 0, 0, 123000, tzinfo=UTC),
    ),
    ('parse_timestamp("%s", to_string(epoch))', dt.datetime(2023, 10, 26, 10, tzinfo=UTC)),
    ('parse_timestamp("%b %d %Y %H:%M:%S", "Oct 26 2023 10:00:00")', dt.datetime(2023, 10, 26, 10, tzinfo=UTC)),
    ('parse_timestamp("%Y-%m-%d %H:%M", "2023-10-26 12:00", "+02:00")', dt.datetime(2023, 10, 26, 10, tzinfo=UTC)),
    (
        'parse_timestamp("%Y-%m-%d %R", "2023-10-26 06:00", "America/New_York")',
        dt.datetime(2023, 10, 26, 10, tzinfo=UTC),
    ),
    ('parse_timestamp("%Y-%m-%d", "2023-10-26T10:00:00")', None),  # the whole input must match
    ('parse_timestamp("%Y-%m-%d", n)', None),
    ('parse_epoch("%Y-%m-%d", "1970-01-02")', 86400),
    ('parse_epoch("%Y-%m-%d", "1970-01-02", "UTC", "MILLIS")', 86_400_000),
    ("to_timestamp(epoch)", dt.datetime(2023, 10, 26, 10, tzinfo=UTC)),
    ('to_timestamp(1698314400123, "MILLIS")', dt.datetime(2023, 10, 26, 10, 0, 0, 123000, tzinfo=UTC)),
    ("to_timestamp(n)", None),
    ("timestamp_seconds(to_integer(divide(1698314400123, 1000)))", dt.datetime(2023, 10, 26, 10, tzinfo=UTC)),
    ('format_timestamp("%Y-%m-%d %H:%M:%S", _time)', "2023-10-26 10:00:00"),
    ('format_timestamp("%Y-%m-%dT%H:%M:%E3S%Ez", _time, "+02:00")', "2023-10-26T12:00:00.123+02:00"),
    ('format_timestamp("%s", _time)', "1698314400"),
    ('extract_time(_time, "HOUR")', 10),
    ('extract_time(_time, "DAYOFWEEK")', 4),  # a Thursday; 1 = Monday
    ('extract_time(_time, "MILLISECOND")', 123),
    ('extract_time(_time, "QUARTER")', 4),
    ("to_epoch(_time)", 1698314400),
    ('to_epoch(_time, "MILLIS")', 1698314400123),
    ('timestamp_diff(to_timestamp(100), to_timestamp(40), "MINUTE")', 1),
    ('timestamp_diff(to_timestamp(40), to_timestamp(100), "SECOND")', -60),
    # arithmetic
    ("add(i, 1)", 43),
    ('add("2", 0.5)', 2.5),  # numeric strings are accepted
    ("subtract(i, 2)", 40),
    ("multiply(f, 2)", 3.0),
    ("divide(i, 4)", 10.5),
    ("divide(n, 4)", None),
]


@pytest.mark.parametrize(("src", "expected"), CASES)
def test_function(src: str, expected: Any) -> None:
    event = {**EVENT, "_time": EVENT["ts"]}
    result = ev(src, event)
    assert result == expected
    assert type(result) is type(expected)


def test_every_function_in_the_table_has_a_case() -> None:
    covered = {
        name
        for name in FUNCTIONS
        if any(
            src.startswith(f"{name}(") or f"({name}(" in src or f" {name}(" in src or f",{name}(" in src
            for src, _ in CASES
        )
    }
    assert covered == set(FUNCTIONS)


@pytest.mark.parametrize(
    ("src", "fragment"),
    [
        ('concat("a", i)', "concat: argument 2 is integer, not string"),
        ("arrayindex(tags, 0)", "expected an array, got string (raw arrays are JSON text: use json_extract_array)"),
        ("divide(i, 0)", "division by zero"),
        ('add("x", 1)', "add: expected a number"),
        ('incidr(ip4, "10.0.0.0/33")', "invalid CIDR"),
        ('extract_time(to_timestamp(0), "FORTNIGHT")', "unknown part"),
        ('to_timestamp(1, "HOURS")', "unknown time unit"),
        ('format_timestamp("%Y", "yesterday")', "expected a timestamp"),
        ('object_create(1, "a")', "keys must be strings"),
        ('format_string("%d", "x")', "%d needs an integer"),
        ('lowercase(split("a"))', "lowercase: expected a string, got array"),
    ],
)
def test_bad_input_is_a_warning_and_null(src: str, fragment: str) -> None:
    value, messages = warned(src)
    assert value is None
    assert any(fragment in m for m in messages), messages


def test_warning_points_at_the_call() -> None:
    warnings: list[XqlWarning] = []
    ev('lowercase(concat("a", i))', warnings=warnings)
    (w,) = warnings
    assert (w.line, w.column) == (1, 11)


def test_null_in_null_out_is_declared_not_coded() -> None:
    assert FUNCTIONS["concat"].null_in_null_out
    assert FUNCTIONS["split"].null_result == []
    assert not FUNCTIONS["arraycreate"].null_in_null_out
    assert FUNCTIONS["if"].kind == "lazy" and FUNCTIONS["arraymap"].kind == "lambda"


def test_lazy_if_does_not_evaluate_other_branches() -> None:
    # divide by zero in the branch not taken must not warn
    value, messages = warned('if(true, "ok", to_string(divide(1, 0)))')
    assert (value, messages) == ("ok", [])
