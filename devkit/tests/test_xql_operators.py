"""Operators: NULL logic, wildcards, case sensitivity, regex search, in/contains/incidr."""

from __future__ import annotations

from typing import Any

import pytest

from devkit.xql.errors import XqlWarning
from devkit.xql.evaluator import Evaluator
from devkit.xql.parser import parse_expression

ROW = {
    "s": "Hello World",
    "n": None,
    "empty": "",
    "i": 42,
    "si": "42",
    "f": 1.5,
    "t": True,
    "ts": "true",
    "action": "user_login_failed",
    "arr_src": "a,b,3",
    "ip": "192.168.1.10",
    "ip6": "fe80::1",
}


def ev(src: str, *, case_sensitive: bool = False, consts: dict[str, Any] | None = None) -> Any:
    return Evaluator(consts).evaluate(parse_expression(src), ROW, case_sensitive=case_sensitive)


@pytest.mark.parametrize(
    ("src", "expected"),
    [
        # NULL tests and SQL NULL logic
        ("n = null", True),
        ("n = NULL", True),
        ("null = n", True),
        ("n != null", False),
        ("s != null", True),
        ("empty = null", False),  # "" is not NULL
        ('empty = ""', True),
        ('n = "x"', None),
        ('n != "x"', None),  # not true for NULL, as in SQL
        ("n = n", None),
        ("n > 1", None),
        ('n ~= "x"', None),
        ('n in ("x")', None),
        ('n not in ("x")', None),
        ('n contains "x"', None),
        ("not (n = 1)", None),
        ("n = 1 and false", False),
        ("n = 1 and true", None),
        ("n = 1 or true", True),
        ("n = 1 or false", None),
        ("true and not false", True),
        ('n != null and n != ""', False),  # the documented "not empty" idiom
        # equality: case-insensitive by default, numbers vs numeric strings, booleans
        ('s = "hello world"', True),
        ('s != "HELLO WORLD"', False),
        ("i = 42", True),
        ('i = "42"', True),
        ("si = 42", True),
        ("f = 1.5", True),
        ('i = "x"', False),
        ("t = true", True),
        ("ts = true", True),
        ('t = "TRUE"', True),
        # wildcards in = and in
        ('s = "hello*"', True),
        ('s = "*world"', True),
        ('s = "*lo w*"', True),
        ('s = "world*"', False),
        ('s != "hello*"', False),
        ('action in ("user_login*", "cli_login")', True),
        ('action IN ("*Error*", "*failed")', True),
        ('action not in ("user_login*")', False),
        ('action NOT IN ("a", "b")', True),
        ("i in (1, 42)", True),
        ('i in ("42")', True),
        # contains: substring, wildcard, arrays, numbers
        ('s contains "lo wo"', True),
        ('s CONTAINS "LO WO"', True),
        ('s not contains "xyz"', True),
        ('"room_abc@zoom.us" contains "room_*@"', True),
        ('"user@zoom.us" contains "room_*@"', False),
        ('split(arr_src, ",") contains "B"', True),
        ('split(arr_src, ",") contains "z"', False),
        ('i contains "4"', True),
        # regex search: unanchored, case-sensitive, (?i)
        ('action ~= "_login|_logout"', True),
        ('action ~= "^user"', True),
        ('action ~= "^login"', False),
        ('action ~= "LOGIN"', False),
        ('action ~= "(?i)LOGIN"', True),
        ('action !~= ":"', True),
        ('i ~= "\\d{2}"', True),  # non-strings are matched as text
        # ordering
        ("i > 40", True),
        ("si >= 42", True),
        ("f < 2", True),
        ('"b" > "A"', True),  # case-insensitive
        ("i <= 41", False),
        # incidr operators
        ('ip incidr "192.168.0.0/16"', True),
        ('ip incidr "10.0.0.0/8, 192.168.1.0/24"', True),
        ('ip not incidr "10.0.0.0/8"', True),
        ('ip6 incidr6 "fe80::/10"', True),
        ('ip6 not incidr6 "fe80::/10"', False),
        # precedence
        ('not s = "x" and i = 42', True),
        ("i = 1 or i = 42 and t", True),
    ],
)
def test_operator(src: str, expected: Any) -> None:
    assert ev(src) == expected


def test_case_sensitive_config() -> None:
    assert ev('s = "hello world"', case_sensitive=True) is False
    assert ev('s contains "WORLD"', case_sensitive=True) is False
    assert ev('s in ("hello*")', case_sensitive=True) is False
    assert ev('s = "Hello*"', case_sensitive=True) is True


def test_wildcard_applies_to_literals_and_constants_only() -> None:
    assert ev('concat("a", "*") = "a*"') is True  # a literal pattern: "a*" matches "a*"
    assert ev('"abc" = concat("a", "*")') is False  # a computed value is compared exactly
    assert ev("s = $P", consts={"p": "hello*"}) is True


def test_columns_are_case_insensitive() -> None:
    assert Evaluator().evaluate(parse_expression('HOST = "h1"'), {"host": "h1"}) is True


def test_incomparable_ordering_warns() -> None:
    warnings: list[XqlWarning] = []
    value = Evaluator().evaluate(parse_expression('x > "abc"'), {"x": 5}, warnings=warnings)
    assert value is None
    assert "cannot compare integer with string" in warnings[0].message


def test_invalid_regex_from_a_field_warns() -> None:
    warnings: list[XqlWarning] = []
    value = Evaluator().evaluate(parse_expression("s ~= p"), {"s": "x", "p": "(open"}, warnings=warnings)
    assert value is None
    assert "invalid" in warnings[0].message
