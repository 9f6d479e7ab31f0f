"""Tokenizer for XIF files (modeling and parsing rules).

Lexical choices (see ``xql-modeling.md`` §1.3):

- ``"..."`` strings keep backslashes verbatim, except that ``\\"`` is an escaped quote
  (content relies on ``trim(x, "\\"")``). A backslash always consumes the next character,
  so ``"c:\\\\"`` ends at its last quote and keeps both backslashes for RE2. [INFER]
- ``\"\"\"...\"\"\"`` strings process escape sequences (``\\n``, ``\\t``, ``\\\\``, ``\\"``...).
- ``//`` line comments and ``/* */`` block comments may appear anywhere between tokens.
- Identifiers may be dotted (``xdm.source.ipv4``, ``XDM_CONST.OUTCOME_SUCCESS``); back-quoted
  identifiers (`` `target` ``) are never keywords. Keywords are recognised by the parser,
  case-insensitively, from plain identifiers.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from .errors import XqlSyntaxError


class T(enum.Enum):
    IDENT = "identifier"
    QIDENT = "quoted identifier"
    STRING = "string"
    NUMBER = "number"
    CONST_REF = "$constant"
    LBRACKET = "'['"
    RBRACKET = "']'"
    LPAREN = "'('"
    RPAREN = "')'"
    LBRACE = "'{'"
    RBRACE = "'}'"
    COMMA = "','"
    SEMI = "';'"
    PIPE = "'|'"
    COLON = "':'"
    DOT = "'.'"
    EQ = "'='"
    NEQ = "'!='"
    LT = "'<'"
    LE = "'<='"
    GT = "'>'"
    GE = "'>='"
    MATCH = "'~='"
    NMATCH = "'!~='"
    ARROW = "'->'"
    MINUS = "'-'"
    PLUS = "'+'"
    STAR = "'*'"
    SLASH = "'/'"
    EOF = "end of file"


@dataclass(frozen=True, slots=True)
class Token:
    type: T
    text: str  # source text as written
    value: object  # decoded: str for strings/identifiers, int/float for numbers
    line: int
    col: int
    start: int  # offsets into the source, used to detect adjacency (``tmp_*``)
    end: int

    def describe(self) -> str:
        if self.type is T.EOF:
            return "end of file"
        return f"{self.type.value} {self.text!r}" if self.type in _NAMED else repr(self.text)


_NAMED = {T.IDENT, T.QIDENT, T.STRING, T.NUMBER, T.CONST_REF}

# Longest first, so "!~=" wins over "!=".
_OPERATORS: list[tuple[str, T]] = [
    ("!~=", T.NMATCH),
    ("~=", T.MATCH),
    ("!=", T.NEQ),
    ("<=", T.LE),
    (">=", T.GE),
    ("->", T.ARROW),
    ("=", T.EQ),
    ("<", T.LT),
    (">", T.GT),
    ("[", T.LBRACKET),
    ("]", T.RBRACKET),
    ("(", T.LPAREN),
    (")", T.RPAREN),
    ("{", T.LBRACE),
    ("}", T.RBRACE),
    (",", T.COMMA),
    (";", T.SEMI),
    ("|", T.PIPE),
    (":", T.COLON),
    (".", T.DOT),
    ("-", T.MINUS),
    ("+", T.PLUS),
    ("*", T.STAR),
    ("/", T.SLASH),
]

_TRIPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'", "0": "\0"}


def _is_ident_start(ch: str) -> bool:
    return ch.isalpha() or ch == "_"


def _is_ident_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


class Tokenizer:
    def __init__(self, source: str, filename: str = "<string>") -> None:
        self.src = source
        self.filename = filename
        self.pos = 0
        self.line = 1
        self.col = 1

    def error(self, message: str, line: int | None = None, col: int | None = None) -> XqlSyntaxError:
        return XqlSyntaxError(message, self.filename, line or self.line, col or self.col)

    def _advance(self, n: int = 1) -> None:
        for _ in range(n):
            if self.pos >= len(self.src):
                return
            if self.src[self.pos] == "\n":
                self.line += 1
                self.col = 1
            else:
                self.col += 1
            self.pos += 1

    def _peek(self, offset: int = 0) -> str:
        i = self.pos + offset
        return self.src[i] if i < len(self.src) else ""

    def _skip_space_and_comments(self) -> None:
        while self.pos < len(self.src):
            ch = self.src[self.pos]
            if ch.isspace() or ch == "\ufeff":
                self._advance()
            elif self.src.startswith("//", self.pos):
                while self.pos < len(self.src) and self.src[self.pos] != "\n":
                    self._advance()
            elif self.src.startswith("/*", self.pos):
                line, col = self.line, self.col
                end = self.src.find("*/", self.pos + 2)
                if end < 0:
                    raise self.error("unterminated /* comment", line, col)
                self._advance(end + 2 - self.pos)
            else:
                return

    def tokens(self) -> list[Token]:
        out: list[Token] = []
        while True:
            self._skip_space_and_comments()
            if self.pos >= len(self.src):
                out.append(Token(T.EOF, "", None, self.line, self.col, self.pos, self.pos))
                return out
            out.append(self._next())

    def _make(self, type_: T, value: object, start: int, line: int, col: int) -> Token:
        return Token(type_, self.src[start : self.pos], value, line, col, start, self.pos)

    def _next(self) -> Token:
        start, line, col = self.pos, self.line, self.col
        ch = self.src[self.pos]
        if self.src.startswith('"""', self.pos):
            return self._triple_string(start, line, col)
        if ch == '"':
            return self._string(start, line, col)
        if ch == "`":
            end = self.src.find("`", self.pos + 1)
            if end < 0 or "\n" in self.src[self.pos : end]:
                raise self.error("unterminated back-quoted identifier", line, col)
            name = self.src[self.pos + 1 : end]
            self._advance(end + 1 - self.pos)
            return self._make(T.QIDENT, name, start, line, col)
        if ch == "$" and _is_ident_start(self._peek(1)):
            self._advance()
            while _is_ident_char(self._peek()):
                self._advance()
            return self._make(T.CONST_REF, self.src[start + 1 : self.pos], start, line, col)
        if ch.isdigit():
            return self._number(start, line, col)
        if _is_ident_start(ch):
            self._advance()
            while True:
                c = self._peek()
                if _is_ident_char(c) or (c == "." and _is_ident_start(self._peek(1))):
                    self._advance()
                else:
                    break
            return self._make(T.IDENT, self.src[start : self.pos], start, line, col)
        for text, type_ in _OPERATORS:
            if self.src.startswith(text, self.pos):
                self._advance(len(text))
                return self._make(type_, text, start, line, col)
        raise self.error(f"unexpected character {ch!r}", line, col)

    def _number(self, start: int, line: int, col: int) -> Token:
        while self._peek().isdigit():
            self._advance()
        is_float = False
        if self._peek() == "." and self._peek(1).isdigit():
            is_float = True
            self._advance()
            while self._peek().isdigit():
                self._advance()
        if self._peek() in ("e", "E") and (
            self._peek(1).isdigit() or (self._peek(1) in "+-" and self._peek(2).isdigit())
        ):
            is_float = True
            self._advance(2)
            while self._peek().isdigit():
                self._advance()
        text = self.src[start : self.pos]
        return self._make(T.NUMBER, float(text) if is_float else int(text), start, line, col)

    def _string(self, start: int, line: int, col: int) -> Token:
        self._advance()
        chars: list[str] = []
        while True:
            if self.pos >= len(self.src):
                raise self.error("unterminated string literal", line, col)
            ch = self.src[self.pos]
            if ch == "\\":
                nxt = self._peek(1)
                if nxt == '"':
                    chars.append('"')
                else:
                    # Any other escape stays verbatim: regexes reach RE2 unchanged.
                    chars.append(ch + nxt)
                self._advance(2)
            elif ch == '"':
                self._advance()
                return self._make(T.STRING, "".join(chars), start, line, col)
            else:
                chars.append(ch)
                self._advance()

    def _triple_string(self, start: int, line: int, col: int) -> Token:
        self._advance(3)
        chars: list[str] = []
        while True:
            if self.pos >= len(self.src):
                raise self.error("unterminated triple-quoted string", line, col)
            if self.src.startswith('"""', self.pos):
                self._advance(3)
                return self._make(T.STRING, "".join(chars), start, line, col)
            ch = self.src[self.pos]
            if ch == "\\" and self._peek(1) in _TRIPLE_ESCAPES:
                chars.append(_TRIPLE_ESCAPES[self._peek(1)])
                self._advance(2)
            else:
                chars.append(ch)
                self._advance()


def tokenize(source: str, filename: str = "<string>") -> list[Token]:
    """Split ``source`` into tokens ending with an EOF token; raises :class:`XqlSyntaxError`."""
    return Tokenizer(source, filename).tokens()
