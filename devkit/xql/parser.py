"""Recursive-descent parser: tokens -> :mod:`devkit.xql.ast`.

Grammar (keywords case-insensitive)::

    file      := section*
    section   := "[" KIND (":" params)? "]" (statement* | const*)
    statement := stage ("|" stage)* ";"
    query     := (config case_sensitive "=" bool "|")* ["datamodel"] "dataset" "=" name ("|" stage)*
                                                  (a search, not a rule; its stages also include:)
               | comp agg "(" [expr] ")" as name ("," ...)* [by name ("," name)*]
               | sort (asc | desc) name ("," ...)* | limit n
    stage     := filter expr | alter name "=" expr ("," name "=" expr)* | call name
               | fields ["-"] pattern ["as" name] ("," ...)* | config case_sensitive "=" bool
               | drop expr | tag add string ("," string)* | arrayexpand name [limit n]
    expr      := or;  or := and ("or" and)*;  and := not ("and" not)*;  not := "not" not | cmp
    cmp       := unary [(= | != | < | <= | > | >= | ~= | !~=) unary
                        | ["not"] in "(" expr ("," expr)* ")"
                        | ["not"] (contains | incidr | incidr6) unary]
    unary     := "-" unary | postfix;   postfix := primary ("->" json_path)*
    primary   := literal | $CONST | XDM_CONST.X | name | `name` | func "(" args ")" | "(" expr ")"

A MODEL header names one dataset (demisto-sdk matches it as a word, quoted or not); the
sheet knows no comma-separated dataset list, so commas only separate header parameters.
XQL has no infix arithmetic (``+ - * /``); the parser rejects it with a hint towards
``add()``/``subtract()``/``multiply()``/``divide()``. Unknown functions, wrong arity, invalid
literal regexes, JSON paths and time formats are syntax errors with line and column.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from typing import Any

from . import ast
from .errors import XqlRuntimeError, XqlSyntaxError, XqlWarning
from .functions import FUNCTIONS, Function
from .tokens import T, Token, tokenize
from .values import compile_regex, compile_time_format, parse_json_path
from .xdm_const import xdm_const_value

SECTION_KINDS = ("MODEL", "RULE", "INGEST", "CONST", "COLLECT", "EXTEND")
_CMP_OPS = {T.EQ: "=", T.NEQ: "!=", T.LT: "<", T.LE: "<=", T.GT: ">", T.GE: ">=", T.MATCH: "~=", T.NMATCH: "!~="}
_WORD_OPS = ("contains", "incidr", "incidr6")
_RESERVED = frozenset({"and", "or", "not", "in", "contains"})
_UNSUPPORTED_STAGES = frozenset(
    {
        "join", "iploc", "dedup", "sort", "limit", "comp", "union", "target", "windowcomp", "bin",
        "transaction", "view", "top", "search", "dataset", "preset", "replacenull", "transpose",
        "pivot", "datamodel",
    }
)  # fmt: skip
_SIMPLE_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


AGGREGATES = ("count", "count_distinct", "sum", "min", "max", "avg", "values")
QUERY_STAGES = ("comp", "sort", "limit", "dedup", "bin", "join")  # stages queries may use beyond those of rules
SPAN_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class Parser:
    def __init__(self, source: str, filename: str = "<string>", query: bool = False) -> None:
        self.filename = filename
        self.tokens = tokenize(source, filename)
        self.i = 0
        self.warnings: list[XqlWarning] = []
        self.query = query  # a search query, not a rule: comp, sort and limit are allowed

    # --- token helpers -----------------------------------------------------------------

    def peek(self, k: int = 0) -> Token:
        return self.tokens[min(self.i + k, len(self.tokens) - 1)]

    def advance(self) -> Token:
        tok = self.tokens[self.i]
        if tok.type is not T.EOF:
            self.i += 1
        return tok

    def at(self, type_: T) -> bool:
        return self.peek().type is type_

    def at_word(self, *words: str, k: int = 0) -> bool:
        tok = self.peek(k)
        return tok.type is T.IDENT and str(tok.value).lower() in words

    def error(self, message: str, tok: Token | None = None) -> XqlSyntaxError:
        tok = tok or self.peek()
        return XqlSyntaxError(message, self.filename, tok.line, tok.col)

    def expect(self, type_: T, context: str) -> Token:
        if not self.at(type_):
            raise self.error(f"expected {type_.value} {context}, found {self.peek().describe()}")
        return self.advance()

    def warn(self, message: str, tok: Token, code: str) -> None:
        self.warnings.append(XqlWarning(message, self.filename, tok.line, tok.col, code))

    # --- file and sections -------------------------------------------------------------

    def parse_file(self) -> ast.XifFile:
        sections: list[ast.Section] = []
        while not self.at(T.EOF):
            if not self.at(T.LBRACKET):
                raise self.error(
                    f"expected a section header such as [MODEL: dataset=...], found {self.peek().describe()}"
                )
            sections.append(self.parse_section())
        return ast.XifFile(filename=self.filename, sections=tuple(sections), line=1, col=1)

    def _header_word(self, context: str) -> str:
        """A header value written without quotes: adjacent tokens such as ``1password_raw``."""
        if self.at(T.STRING):
            return str(self.advance().value)
        first = self.peek()
        if first.type not in (T.IDENT, T.NUMBER):
            raise self.error(f"expected {context}, found {first.describe()}")
        parts = [self.advance()]
        while self.peek().type in (T.IDENT, T.NUMBER, T.MINUS, T.DOT) and self.peek().start == parts[-1].end:
            parts.append(self.advance())
        return "".join(p.text for p in parts)

    def parse_section(self) -> ast.Section:
        open_tok = self.advance()
        kind_tok = self.expect(T.IDENT, "after '[' (MODEL, RULE, INGEST, CONST...)")
        kind = str(kind_tok.value).upper()
        if kind not in SECTION_KINDS:
            raise self.error(f"unknown section [{kind_tok.text}]; expected one of {', '.join(SECTION_KINDS)}", kind_tok)
        params: dict[str, str] = {}
        name: str | None = None
        if kind == "RULE":
            self.expect(T.COLON, "after RULE")
            name = self._header_word("a rule name")
        elif self.at(T.COLON):
            self.advance()
            params = self._parse_params(kind)
        self.expect(T.RBRACKET, "to close the section header")
        if kind == "MODEL" and "dataset" not in params:
            raise self.error("MODEL section needs a dataset=... parameter", open_tok)
        if kind == "INGEST":
            for required in ("vendor", "product"):
                if required not in params:
                    raise self.error(f"INGEST section needs a {required}=... parameter", open_tok)
        if kind == "CONST":
            return ast.Section(kind=kind, consts=tuple(self._parse_consts()), line=open_tok.line, col=open_tok.col)
        statements = []
        while not self.at(T.EOF) and not self.at(T.LBRACKET):
            statements.append(self.parse_statement())
        return ast.Section(
            kind=kind, params=params, name=name, statements=tuple(statements), line=open_tok.line, col=open_tok.col
        )

    def _parse_params(self, kind: str) -> dict[str, str]:
        params: dict[str, str] = {}
        while True:
            key_tok = self.expect(T.IDENT, f"(a {kind} parameter name)")
            key = str(key_tok.value).lower()
            if key == "tartget_dataset":  # a typo in one vendor doc example
                self.warn("'tartget_dataset' read as 'target_dataset'", key_tok, "header")
                key = "target_dataset"
            self.expect(T.EQ, f"after parameter {key_tok.text!r}")
            if key in params:
                raise self.error(f"duplicate parameter {key!r}", key_tok)
            params[key] = self._header_word(f"a value for {key_tok.text!r}")
            if not self.at(T.COMMA):
                return params
            self.advance()

    def _parse_consts(self) -> list[ast.ConstDef]:
        consts = []
        while not self.at(T.EOF) and not self.at(T.LBRACKET):
            name_tok = self.expect(T.IDENT, "(a constant name) in [CONST]")
            self.expect(T.EQ, f"after constant {name_tok.text!r}")
            negative = self.at(T.MINUS)
            if negative:
                self.advance()
            value_tok = self.peek()
            if value_tok.type is T.STRING and not negative:
                value: str | int = str(value_tok.value)
            elif value_tok.type is T.NUMBER and isinstance(value_tok.value, int):
                value = -value_tok.value if negative else value_tok.value
            else:
                raise self.error("a constant must be a quoted string or an integer", value_tok)
            self.advance()
            self.expect(T.SEMI, f"after constant {name_tok.text!r}")
            consts.append(ast.ConstDef(name=str(name_tok.value), value=value, line=name_tok.line, col=name_tok.col))
        return consts

    # --- statements and stages ---------------------------------------------------------

    def parse_statement(self) -> ast.Statement:
        first = self.peek()
        stages = [self.parse_stage()]
        while self.at(T.PIPE):
            self.advance()
            stages.append(self.parse_stage())
        if not self.at(T.SEMI):
            last = type(stages[-1]).__name__.lower()
            raise self.error(f"expected '|' or ';' after the {last} stage, found {self.peek().describe()}")
        self.advance()
        return ast.Statement(stages=tuple(stages), line=first.line, col=first.col)

    def parse_stage(self) -> ast.Stage:
        tok = self.peek()
        if tok.type is not T.IDENT:
            raise self.error(f"expected a stage (filter, alter, call...), found {tok.describe()}")
        word = str(tok.value).lower()
        handler = {
            "filter": self._filter,
            "alter": self._alter,
            "call": self._call,
            "fields": self._fields,
            "config": self._config,
            "drop": self._drop,
            "tag": self._tag,
            "arrayexpand": self._arrayexpand,
            **({name: getattr(self, f"_{name}") for name in QUERY_STAGES} if self.query else {}),
        }.get(word)
        if handler is None:
            if self.query and word in _UNSUPPORTED_STAGES:
                raise self.error(f"the '{word}' stage is not supported offline yet", tok)
            if word in _UNSUPPORTED_STAGES:
                raise self.error(f"the '{word}' stage is not allowed in XIF rules or not supported offline", tok)
            raise self.error(f"unknown stage {tok.text!r}", tok)
        self.advance()
        return handler(tok)

    def _filter(self, tok: Token) -> ast.Stage:
        return ast.Filter(condition=self.parse_expr(), line=tok.line, col=tok.col)

    def _drop(self, tok: Token) -> ast.Stage:
        return ast.Drop(condition=self.parse_expr(), line=tok.line, col=tok.col)

    def _alter(self, tok: Token) -> ast.Stage:
        assignments = []
        while True:
            target = self.peek()
            if target.type not in (T.IDENT, T.QIDENT):
                raise self.error(f"expected a field name to assign in alter, found {target.describe()}")
            self.advance()
            self.expect(T.EQ, f"after {target.text!r} in alter")
            expr = self.parse_expr()
            assignments.append(ast.Assignment(target=str(target.value), expr=expr, line=target.line, col=target.col))
            if not self.at(T.COMMA):
                return ast.Alter(assignments=tuple(assignments), line=tok.line, col=tok.col)
            self.advance()

    def _call(self, tok: Token) -> ast.Stage:
        return ast.Call(name=self._header_word("a rule name after call"), line=tok.line, col=tok.col)

    def _field_pattern(self) -> tuple[str, Token]:
        first = self.peek()
        if first.type not in (T.IDENT, T.QIDENT, T.STAR):
            raise self.error(f"expected a field name, found {first.describe()}")
        parts = [self.advance()]
        while self.peek().type in (T.IDENT, T.STAR) and self.peek().start == parts[-1].end:
            parts.append(self.advance())
        return "".join(str(p.value) if p.type is T.QIDENT else p.text for p in parts), first

    def _fields(self, tok: Token) -> ast.Stage:
        exclude = self.at(T.MINUS)
        if exclude:
            self.advance()
        specs = []
        while True:
            pattern, first = self._field_pattern()
            alias = None
            if self.at_word("as"):
                self.advance()
                alias = str(self.expect(T.IDENT, "after 'as'").value)
            specs.append(ast.FieldSpec(pattern=pattern, alias=alias, line=first.line, col=first.col))
            if not self.at(T.COMMA):
                return ast.Fields(specs=tuple(specs), exclude=exclude, line=tok.line, col=tok.col)
            self.advance()

    def _config(self, tok: Token) -> ast.Stage:
        key = self.expect(T.IDENT, "after config")
        if str(key.value).lower() != "case_sensitive":
            where = "offline" if self.query else "in XIF rules"
            raise self.error(f"only 'config case_sensitive = true|false' is supported {where}", key)
        self.expect(T.EQ, "after case_sensitive")
        if not self.at_word("true", "false"):
            raise self.error(f"expected true or false, found {self.peek().describe()}")
        value = str(self.advance().value).lower() == "true"
        return ast.Config(key="case_sensitive", value=value, line=tok.line, col=tok.col)

    def _tag(self, tok: Token) -> ast.Stage:
        if not self.at_word("add"):
            raise self.error("expected 'add' after tag")
        self.advance()
        values = [str(self.expect(T.STRING, "(a tag) after 'tag add'").value)]
        while self.at(T.COMMA):
            self.advance()
            values.append(str(self.expect(T.STRING, "(a tag)").value))
        return ast.Tag(values=tuple(values), line=tok.line, col=tok.col)

    def _arrayexpand(self, tok: Token) -> ast.Stage:
        name, _ = self._field_pattern()
        limit = None
        if self.at_word("limit"):
            self.advance()
            limit_tok = self.expect(T.NUMBER, "after limit")
            if not isinstance(limit_tok.value, int) or limit_tok.value < 1:
                raise self.error("arrayexpand's limit is a whole number of rows, 1 or more", limit_tok)
            limit = limit_tok.value
        return ast.ArrayExpand(field_name=name, limit=limit, line=tok.line, col=tok.col)

    # --- queries -----------------------------------------------------------------------

    def parse_query(self) -> ast.Query:
        query = self._query_body()
        if not self.at(T.EOF):
            raise self.error(f"expected '|' or the end of the query, found {self.peek().describe()}")
        return query

    def _query_body(self) -> ast.Query:
        """A query up to what follows it: the end, or the ')' closing a join's subquery."""
        first = self.peek()
        # `config case_sensitive = ... |` comes first in a query, before the dataset (stages/config.md);
        # it is kept as the first stage, so it applies to every stage after it.
        settings: list[ast.Stage] = []
        while self.at_word("config"):
            settings.append(self._config(self.advance()))
            self.expect(T.PIPE, "after the config stage")
        datamodel = self.at_word("datamodel")
        if datamodel:
            self.advance()
        if not self.at_word("dataset"):
            raise self.error("a query starts with 'dataset = <name>' or 'datamodel dataset = <name>'")
        self.advance()
        self.expect(T.EQ, "after dataset")
        name = self.expect(T.IDENT, "(a dataset name) after 'dataset ='")
        stages = settings
        while self.at(T.PIPE):
            self.advance()
            stages.append(self.parse_stage())
        return ast.Query(
            dataset=str(name.value), datamodel=datamodel, stages=tuple(stages), line=first.line, col=first.col
        )

    def _comp(self, tok: Token) -> ast.Stage:
        aggregates = [self._aggregate()]
        while self.at(T.COMMA):
            self.advance()
            aggregates.append(self._aggregate())
        by: list[str] = []
        if self.at_word("by"):
            self.advance()
            by.append(self._field_pattern()[0])
            while self.at(T.COMMA):
                self.advance()
                by.append(self._field_pattern()[0])
        return ast.Comp(aggregates=tuple(aggregates), by=tuple(by), line=tok.line, col=tok.col)

    def _aggregate(self) -> ast.Aggregate:
        tok = self.expect(T.IDENT, "(an aggregate such as count()) in comp")
        func = str(tok.value).lower()
        if func not in AGGREGATES:
            raise self.error(f"unknown aggregate {tok.text!r} (supported offline: {', '.join(AGGREGATES)})", tok)
        self.expect(T.LPAREN, f"after {func}")
        arg = None if self.at(T.RPAREN) else self.parse_expr()
        self.expect(T.RPAREN, f"to close {func}(")
        if arg is None and func != "count":
            raise self.error(f"{func}() needs a field", tok)
        if not self.at_word("as"):
            raise self.error(f"name the result of {func}() with 'as <name>'")
        self.advance()
        alias = self.advance()
        if alias.type not in (T.IDENT, T.QIDENT):
            raise self.error(f"expected a name after 'as', found {alias.describe()}", alias)
        return ast.Aggregate(func=func, arg=arg, alias=str(alias.value), line=tok.line, col=tok.col)

    def _sort(self, tok: Token) -> ast.Stage:
        keys = []
        while True:
            if not self.at_word("asc", "desc"):
                raise self.error(f"expected asc or desc in sort, found {self.peek().describe()}")
            descending = str(self.advance().value).lower() == "desc"
            name, first = self._field_pattern()
            keys.append(ast.SortKey(field_name=name, descending=descending, line=first.line, col=first.col))
            if not self.at(T.COMMA):
                return ast.Sort(keys=tuple(keys), line=tok.line, col=tok.col)
            self.advance()

    def _dedup(self, tok: Token) -> ast.Stage:
        fields = [self._field_pattern()[0]]
        while self.at(T.COMMA):
            self.advance()
            fields.append(self._field_pattern()[0])
        by = None
        if self.at_word("by"):
            self.advance()
            if not self.at_word("asc", "desc"):
                raise self.error(f"expected asc or desc after 'dedup ... by', found {self.peek().describe()}")
            descending = str(self.advance().value).lower() == "desc"
            name, first = self._field_pattern()
            by = ast.SortKey(field_name=name, descending=descending, line=first.line, col=first.col)
        return ast.Dedup(fields=tuple(fields), by=by, line=tok.line, col=tok.col)

    def _bin(self, tok: Token) -> ast.Stage:
        name, _ = self._field_pattern()
        if not self.at_word("span"):
            raise self.error("expected 'span = <n><s|m|h|d>' after the field in bin")
        self.advance()
        self.expect(T.EQ, "after span")
        number = self.expect(T.NUMBER, "(the span, e.g. 1h) after 'span ='")
        unit = self.advance() if self.peek().type is T.IDENT and self.peek().start == number.end else None
        unit_name = str(unit.value).lower() if unit else ""
        if unit_name not in SPAN_UNITS or not isinstance(number.value, int) or number.value < 1:
            raise self.error("a bin span is a whole number and a unit: s, m, h or d (e.g. span = 1h)", number)
        return ast.Bin(field_name=name, span_seconds=number.value * SPAN_UNITS[unit_name], line=tok.line, col=tok.col)

    def _join(self, tok: Token) -> ast.Stage:
        options = {"type": "inner", "conflict_strategy": "right"}
        while self.at_word(*options):
            key = str(self.advance().value).lower()
            self.expect(T.EQ, f"after {key}")
            options[key] = str(self.expect(T.IDENT, f"after '{key} ='").value).lower()
        if options["type"] not in ("inner", "left") or options["conflict_strategy"] not in ("right", "left"):
            raise self.error("join supports type = inner|left and conflict_strategy = right|left offline", tok)
        self.expect(T.LPAREN, "before the joined query")
        query = self._query_body()
        self.expect(T.RPAREN, "after the joined query")
        if not self.at_word("as"):
            raise self.error("name the joined query with 'as <alias>'")
        self.advance()
        alias = str(self.expect(T.IDENT, "after 'as'").value)
        pairs = [self._join_pair(alias)]
        while self.at_word("and"):
            self.advance()
            pairs.append(self._join_pair(alias))
        return ast.Join(
            kind=options["type"],
            conflict=options["conflict_strategy"],
            query=query,
            alias=alias,
            pairs=tuple(pairs),
            line=tok.line,
            col=tok.col,
        )

    def _join_pair(self, alias: str) -> tuple[str, str]:
        """``alias.right = left`` (either order)."""
        first, tok = self._field_pattern()
        self.expect(T.EQ, "in the join condition")
        second, _ = self._field_pattern()
        prefix = alias + "."
        if first.startswith(prefix) and not second.startswith(prefix):
            return first[len(prefix) :], second
        if second.startswith(prefix) and not first.startswith(prefix):
            return second[len(prefix) :], first
        raise self.error(f"a join condition compares {prefix}<field> with a field of the query", tok)

    def _limit(self, tok: Token) -> ast.Stage:
        count = self.expect(T.NUMBER, "after limit")
        if not isinstance(count.value, int) or count.value < 1:
            raise self.error("limit takes a whole number of rows, 1 or more", count)
        return ast.Limit(count=count.value, line=tok.line, col=tok.col)

    # --- expressions -------------------------------------------------------------------

    def parse_expr(self) -> ast.Expr:
        return self._or()

    def _or(self) -> ast.Expr:
        left = self._and()
        while self.at_word("or"):
            tok = self.advance()
            left = ast.BoolOp(op="or", left=left, right=self._and(), line=tok.line, col=tok.col)
        return left

    def _and(self) -> ast.Expr:
        left = self._not()
        while self.at_word("and"):
            tok = self.advance()
            left = ast.BoolOp(op="and", left=left, right=self._not(), line=tok.line, col=tok.col)
        return left

    def _not(self) -> ast.Expr:
        if self.at_word("not"):
            tok = self.advance()
            return ast.Not(operand=self._not(), line=tok.line, col=tok.col)
        return self._comparison()

    def _comparison(self) -> ast.Expr:
        left = self._arith_guard()
        tok = self.peek()
        if tok.type in _CMP_OPS:
            self.advance()
            right = self._arith_guard()
            if tok.type in (T.MATCH, T.NMATCH) and isinstance(right, ast.Literal) and isinstance(right.value, str):
                try:
                    compile_regex(right.value)
                except XqlRuntimeError as exc:
                    raise XqlSyntaxError(str(exc), self.filename, right.line, right.col) from None
            return ast.Compare(op=_CMP_OPS[tok.type], left=left, right=right, line=tok.line, col=tok.col)
        negated = self.at_word("not") and self.at_word("in", *_WORD_OPS, k=1)
        if negated:
            self.advance()
            tok = self.peek()
        if self.at_word("in"):
            self.advance()
            open_tok = self.expect(T.LPAREN, "after 'in'")
            items = [self.parse_expr()]
            while self.at(T.COMMA):
                self.advance()
                items.append(self.parse_expr())
            if not self.at(T.RPAREN):
                raise self.error(
                    f"expected ',' or ')' in the list opened at {open_tok.line}:{open_tok.col}, "
                    f"found {self.peek().describe()}"
                )
            self.advance()
            return ast.InList(operand=left, items=tuple(items), negated=negated, line=tok.line, col=tok.col)
        if self.at_word(*_WORD_OPS):
            op = str(self.advance().value).lower()
            right = self._arith_guard()
            return ast.Compare(op=op, left=left, right=right, negated=negated, line=tok.line, col=tok.col)
        return left

    def _arith_guard(self) -> ast.Expr:
        operand = self._unary()
        if self.peek().type in (T.PLUS, T.MINUS, T.STAR, T.SLASH):
            raise self.error(
                f"XQL has no infix arithmetic ({self.peek().text!r}); use add(), subtract(), multiply() or divide()"
            )
        return operand

    def _unary(self) -> ast.Expr:
        if self.at(T.MINUS):
            tok = self.advance()
            operand = self._unary()
            value = operand.value if isinstance(operand, ast.Literal) else None
            if isinstance(value, int | float) and not isinstance(value, bool):
                return ast.Literal(value=-value, line=tok.line, col=tok.col)
            return ast.Neg(operand=operand, line=tok.line, col=tok.col)
        node = self._primary()
        while self.at(T.ARROW):
            node = self._arrow(node)
        return node

    def _primary(self) -> ast.Expr:
        tok = self.peek()
        if tok.type in (T.NUMBER, T.STRING):
            self.advance()
            return ast.Literal(value=tok.value, line=tok.line, col=tok.col)  # type: ignore[arg-type]
        if tok.type is T.CONST_REF:
            self.advance()
            return ast.ConstRef(name=str(tok.value), line=tok.line, col=tok.col)
        if tok.type is T.LPAREN:
            self.advance()
            expr = self.parse_expr()
            if not self.at(T.RPAREN):
                raise self.error(
                    f"expected ')' to close '(' opened at {tok.line}:{tok.col}, found {self.peek().describe()}"
                )
            self.advance()
            return expr
        if tok.type is T.QIDENT:
            self.advance()
            return ast.Column(name=str(tok.value), quoted=True, line=tok.line, col=tok.col)
        if tok.type is T.IDENT:
            name = str(tok.value)
            low = name.lower()
            if self.peek(1).type is T.LPAREN and "." not in name:
                return self._call_expr()
            self.advance()
            if low in ("null", "true", "false"):
                return ast.Literal(value=None if low == "null" else low == "true", line=tok.line, col=tok.col)
            if low.startswith("xdm_const."):
                const = name.split(".", 1)[1]
                value, known = xdm_const_value(const)
                if not known:
                    self.warn(f"unknown constant XDM_CONST.{const}; using {value!r}", tok, "xdm_const")
                return ast.XdmConst(name=const.upper(), value=value, line=tok.line, col=tok.col)
            if low in _RESERVED:
                raise self.error(f"expected an expression, found keyword {tok.text!r}", tok)
            return ast.Column(name=name, line=tok.line, col=tok.col)
        raise self.error(f"expected an expression, found {tok.describe()}")

    def _call_expr(self) -> ast.Expr:
        name_tok = self.advance()
        name = str(name_tok.value).lower()
        fn = FUNCTIONS.get(name)
        if fn is None:
            close = difflib.get_close_matches(name, FUNCTIONS, n=1)
            hint = f"; did you mean {close[0]}()?" if close else ""
            raise self.error(f"unknown function {name_tok.text!r}{hint}", name_tok)
        open_tok = self.advance()
        args: list[ast.Expr] = []
        if not self.at(T.RPAREN):
            args.append(self.parse_expr())
            while self.at(T.COMMA):
                self.advance()
                args.append(self.parse_expr())
        if not self.at(T.RPAREN):
            raise self.error(
                f"expected ',' or ')' in the arguments of {name}( opened at {open_tok.line}:{open_tok.col}, "
                f"found {self.peek().describe()}{_assignment_hint(args)}"
            )
        self.advance()
        self._check_arity(name, fn, len(args), name_tok)
        if fn.kind == "lambda":
            args[1] = _bind_element(args[1])
        self._check_literals(name, fn, args)
        return ast.FuncCall(name=name, args=tuple(args), line=name_tok.line, col=name_tok.col)

    def _check_arity(self, name: str, fn: Function, count: int, tok: Token) -> None:
        if count < fn.min_args or (fn.max_args is not None and count > fn.max_args):
            if fn.max_args is None:
                expected = f"at least {fn.min_args}"
            elif fn.min_args == fn.max_args:
                expected = str(fn.min_args)
            else:
                expected = f"{fn.min_args} to {fn.max_args}"
            raise self.error(f"{name}() takes {expected} argument(s), got {count}", tok)

    def _check_literals(self, name: str, fn: Function, args: list[ast.Expr]) -> None:
        for index, kind in fn.literal_checks.items():
            arg = args[index] if index < len(args) else None
            if not isinstance(arg, ast.Literal) or not isinstance(arg.value, str):
                continue
            try:
                if kind == "regex":
                    compile_regex(arg.value)
                elif kind == "json_path":
                    parse_json_path(arg.value)
                elif kind == "time_format":
                    compile_time_format(arg.value)
            except XqlRuntimeError as exc:
                raise XqlSyntaxError(f"{name}(): {exc}", self.filename, arg.line, arg.col) from None

    def _arrow(self, operand: ast.Expr) -> ast.Expr:
        arrow = self.advance()
        segments: list[str] = []
        mode = "scalar"
        expect_segment = True
        while True:
            tok = self.peek()
            if expect_segment and tok.type in (T.IDENT, T.QIDENT):
                self.advance()
                names = [str(tok.value)] if tok.type is T.QIDENT else str(tok.value).split(".")
                segments += [_path_key(n) for n in names]
                expect_segment = False
            elif tok.type is T.DOT and not expect_segment:
                self.advance()
                expect_segment = True
            elif tok.type is T.LBRACKET:
                nxt = self.peek(1)
                if nxt.type is T.RBRACKET:
                    self.advance()
                    self.advance()
                    mode = "array"
                    break
                self.advance()
                if nxt.type is T.STRING:
                    segments.append(_path_key(str(nxt.value)))
                elif nxt.type is T.NUMBER and isinstance(nxt.value, int):
                    segments.append(f"[{nxt.value}]")
                else:
                    raise self.error(f"expected a quoted key, an index or ']' in a JSON path, found {nxt.describe()}")
                self.advance()
                self.expect(T.RBRACKET, "in a JSON path")
                expect_segment = False
            elif tok.type is T.LBRACE and self.peek(1).type is T.RBRACE:
                self.advance()
                self.advance()
                mode = "json"
                break
            else:
                break
        # `x -> []` / `x -> {}` address the root itself (real content writes `groupList -> []`).
        rooted = not segments and mode != "scalar"
        if not rooted and (not segments or expect_segment):
            raise self.error(f"expected a JSON path after '->', found {self.peek().describe()}")
        path = "$" + "".join(segments)
        return ast.JsonArrow(operand=operand, path=path, mode=mode, line=arrow.line, col=arrow.col)


def _path_key(name: str) -> str:
    if _SIMPLE_KEY.fullmatch(name):
        return f".{name}"
    escaped = name.replace("\\", "\\\\").replace("'", "\\'")
    return f"['{escaped}']"


def _assignment_hint(args: list[ast.Expr]) -> str:
    for i, arg in enumerate(args, 1):
        left = arg.left if isinstance(arg, ast.Compare) and arg.op == "=" else None
        if isinstance(left, ast.Column) and left.name.lower().startswith("xdm."):
            return f" (argument {i} reads like an assignment to {left.name}: is a ')' missing or a line duplicated?)"
    return ""


def _bind_element(expr: ast.Expr) -> ast.Expr:
    """Turn the string literal "@element" into an element reference throughout ``expr``."""
    if isinstance(expr, ast.Literal) and expr.value == "@element":
        return ast.ElementRef(line=expr.line, col=expr.col)
    changes: dict[str, Any] = {}
    for f in dataclasses.fields(expr):
        value = getattr(expr, f.name)
        if isinstance(value, ast.Expr):
            changes[f.name] = _bind_element(value)
        elif isinstance(value, tuple) and value and isinstance(value[0], ast.Expr):
            changes[f.name] = tuple(_bind_element(v) for v in value)
    return dataclasses.replace(expr, **changes) if changes else expr


def parse_xif(source: str, filename: str = "<string>") -> tuple[ast.XifFile, list[XqlWarning]]:
    """Parse a whole XIF file; returns the AST and parse-time warnings."""
    parser = Parser(source, filename)
    return parser.parse_file(), parser.warnings


def parse_query(source: str, filename: str = "<query>") -> ast.Query:
    """Parse a search query: ``[datamodel] dataset = name | stage | ...``."""
    return Parser(source, filename, query=True).parse_query()


def parse_expression(source: str, filename: str = "<string>") -> ast.Expr:
    """Parse one expression (handy in tests and REPLs)."""
    parser = Parser(source, filename)
    expr = parser.parse_expr()
    if not parser.at(T.EOF):
        raise parser.error(f"unexpected {parser.peek().describe()} after the expression")
    return expr
