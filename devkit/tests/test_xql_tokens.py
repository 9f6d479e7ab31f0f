"""Tokenizer: literals, escapes, comments, identifiers and positions."""

from __future__ import annotations

import pytest

from devkit.xql.errors import XqlSyntaxError
from devkit.xql.tokens import T, tokenize


def kinds(src: str) -> list[T]:
    return [t.type for t in tokenize(src)][:-1]


def values(src: str) -> list[object]:
    return [t.value for t in tokenize(src)][:-1]


@pytest.mark.parametrize(
    ("src", "value"),
    [
        (r'"plain"', "plain"),
        (r'"\""', '"'),  # Okta trim(x, "\""): \" is a quote
        (r'"\d{4}-\.(\w+)$"', r"\d{4}-\.(\w+)$"),  # other backslashes stay for RE2
        (r'"c:\\users\\"', r"c:\\users\\"),  # a backslash consumes the next char
        (r'"\[\""', r'\["'),  # Duo replex(x, "\[\"", "")
        ('"a\nb"', "a\nb"),
        (r'"""tab\there\nnew \"q\" \\"""', 'tab\there\nnew "q" \\'),
        ('""', ""),
        ('"*word*"', "*word*"),
    ],
)
def test_string_literals(src: str, value: str) -> None:
    (tok,) = tokenize(src)[:-1]
    assert tok.type is T.STRING
    assert tok.value == value


def test_numbers() -> None:
    assert values("0 42 1.5 2e3") == [0, 42, 1.5, 2000.0]
    assert kinds("-1") == [T.MINUS, T.NUMBER]


def test_identifiers_dotted_backquoted_and_constants() -> None:
    toks = tokenize("xdm.source.ipv4 `target` $DEVICE_NAME XDM_CONST.OUTCOME_SUCCESS _time")[:-1]
    assert [(t.type, t.value) for t in toks] == [
        (T.IDENT, "xdm.source.ipv4"),
        (T.QIDENT, "target"),
        (T.CONST_REF, "DEVICE_NAME"),
        (T.IDENT, "XDM_CONST.OUTCOME_SUCCESS"),
        (T.IDENT, "_time"),
    ]


def test_operators_longest_match() -> None:
    assert kinds("!~= ~= != <= >= -> = < > | ; , ( ) [ ] { } :") == [
        T.NMATCH, T.MATCH, T.NEQ, T.LE, T.GE, T.ARROW, T.EQ, T.LT, T.GT, T.PIPE, T.SEMI, T.COMMA,
        T.LPAREN, T.RPAREN, T.LBRACKET, T.RBRACKET, T.LBRACE, T.RBRACE, T.COLON,
    ]  # fmt: skip


def test_comments_are_skipped_anywhere() -> None:
    src = 'filter //Saas to Audit Mapping\n  a = /* inline */ "x"; // after ;\n/* block\nover lines */ b'
    assert values(src) == ["filter", "a", "=", "x", ";", "b"]


def test_comment_markers_inside_strings_are_text() -> None:
    assert values('"http://x/*y*/"') == ["http://x/*y*/"]


def test_positions_are_one_based_line_and_column() -> None:
    toks = tokenize('[MODEL: dataset=x]\nfilter  a = "b"')
    positions = {t.text: (t.line, t.col) for t in toks if t.type is not T.EOF}
    assert positions["["] == (1, 1)
    assert positions["filter"] == (2, 1)
    assert positions["a"] == (2, 9)
    assert positions['"b"'] == (2, 13)


@pytest.mark.parametrize(
    ("src", "message", "line", "col"),
    [
        ('a = "open', "unterminated string literal", 1, 5),
        ("x\n/* never closed", "unterminated /* comment", 2, 1),
        ("a = `bad", "unterminated back-quoted identifier", 1, 5),
        ("a # b", "unexpected character '#'", 1, 3),
        ('"""x', "unterminated triple-quoted string", 1, 1),
    ],
)
def test_errors_carry_position(src: str, message: str, line: int, col: int) -> None:
    with pytest.raises(XqlSyntaxError) as err:
        tokenize(src, "rules.xif")
    assert (err.value.line, err.value.column) == (line, col)
    assert str(err.value) == f"rules.xif:{line}:{col}: {message}"
