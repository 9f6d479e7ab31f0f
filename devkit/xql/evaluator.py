"""Compile XIF files (inline ``call``, check constants and stages) and run them over rows.

Semantics chosen where the sheet is silent or marks [INFER]/[open] (tested in
``devkit/tests/test_xql_evaluator.py``):

- Every statement of a MODEL runs on its own copy of the row; each statement whose filters
  pass emits one modeled row, and a warning is reported when more than one does. [INFER]
- ``alter a = e1, b = e2`` evaluates every right-hand side against the row as it was before
  the stage; reading a field assigned earlier in the same ``alter`` loads with a warning. [open]
- NULL logic is SQL's: ``x = "v"`` and ``x != "v"`` are NULL (not true) for NULL ``x``;
  ``x = null`` / ``x != null`` test for NULL; ``and``/``or``/``not`` are three-valued; a filter
  keeps a row only when its condition is TRUE.
- ``=``/``!=`` against a string literal (or ``$CONST``) containing ``*`` is a wildcard match,
  as are such items of ``in (...)``. ``contains "a*b"`` is an unanchored wildcard. [open]
- ``config case_sensitive = true|false`` applies to the stages after it in its statement;
  a statement holding only ``config`` sets the default for the rest of the section. It rules
  ``=``, ``!=``, ``in``, ``contains``, wildcards and ordering; ``~=`` is always case-sensitive.
- ``arrayexpand f [limit n]`` turns each row into one row per element of the array ``f`` (the
  first ``n``), in array order, with ``f`` set to the element. A NULL or empty array gives no
  row, as an inner ``UNNEST`` does [INFER]; a non-array (raw JSON text too) gives none and a warning.
- Assigning to ``_time`` in a parsing rule casts ISO-8601 text to a TIMESTAMP; anything
  else, or an invalid string, leaves ``_time`` NULL and then falls back to ``_insert_time``
  as the platform does (with a warning). No other assignment coerces types. [open]
- ``no_hit=keep``: an event no statement outputs is kept once, every column NULL except
  ``_raw_log`` (the vendor doc, taken literally). Events removed by ``drop`` are not kept.
- System fields ``_time``, ``_insert_time``, ``_vendor``, ``_product`` are copied from the row
  into modeled output, next to the ``xdm.*`` fields.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import ast
from .errors import XqlError, XqlRuntimeError, XqlSyntaxError, XqlWarning
from .functions import FUNCTIONS, truth
from .parser import parse_xif
from .values import (
    PROTECTED_FIELDS,
    SYSTEM_FIELDS,
    Row,
    compare_order,
    contains,
    is_number,
    json_text,
    parse_iso,
    regex_search,
    row_from_event,
    to_string,
    type_name,
    values_equal,
    wildcard_match,
)

_MODEL_STAGES = (ast.Filter, ast.Alter, ast.Config)
_PARSING_STAGES = (ast.Filter, ast.Alter, ast.Config, ast.Fields, ast.Drop, ast.Tag, ast.ArrayExpand)
_JSON_MODES = {"scalar": "json_extract_scalar", "json": "json_extract", "array": "json_extract_array"}


# --- compiled structures ---------------------------------------------------------------


@dataclass(frozen=True)
class CompiledStatement:
    """A statement with its ``call`` stages inlined."""

    stages: tuple[ast.Stage, ...]
    index: int  # 1-based position in its section
    line: int
    col: int
    case_sensitive: bool  # the section default in force when the statement starts


@dataclass
class CompiledSection:
    section: ast.Section
    statements: list[CompiledStatement]
    file: CompiledFile

    @property
    def kind(self) -> str:
        return self.section.kind

    def param(self, name: str) -> str | None:
        return self.section.params.get(name)

    def describe(self) -> str:
        params = ", ".join(f"{k}={v}" for k, v in self.section.params.items())
        return f"[{self.kind}: {params}]"


@dataclass
class CompiledFile:
    filename: str
    consts: dict[str, Any]
    sections: list[CompiledSection] = field(default_factory=list)


@dataclass(frozen=True)
class StatementRef:
    filename: str
    section: str
    index: int
    line: int
    col: int

    def __str__(self) -> str:
        return f"statement #{self.index} of {self.section} ({self.filename}:{self.line})"


@dataclass
class ModelResult:
    """Every modeled row an event produced (one per matching statement) and the warnings."""

    rows: list[dict[str, Any]]
    statements: list[StatementRef]
    warnings: list[XqlWarning]


@dataclass(frozen=True)
class ParsedRow:
    dataset: str
    values: dict[str, Any]
    statement: StatementRef | None  # None for a no_hit=keep row


@dataclass
class ParseResult:
    rows: list[ParsedRow]
    warnings: list[XqlWarning]


# --- compilation -----------------------------------------------------------------------


def _error(filename: str, node: ast.Node, message: str) -> XqlSyntaxError:
    return XqlSyntaxError(message, filename, node.line, node.col)


def compile_file(source: str, filename: str = "<string>") -> tuple[CompiledFile, list[XqlWarning]]:
    """Parse and compile one XIF file; raises :class:`XqlSyntaxError` on any static error."""
    tree, warnings = parse_xif(source, filename)
    consts: dict[str, Any] = {}
    rules: dict[str, ast.Section] = {}
    for section in tree.sections:
        if section.kind == "CONST":
            for const in section.consts:
                key = const.name.casefold()
                if key in consts:
                    raise _error(filename, const, f"constant {const.name!r} is defined twice")
                consts[key] = const.value
        elif section.kind == "RULE":
            key = (section.name or "").casefold()
            if key in rules:
                raise _error(filename, section, f"rule {section.name!r} is defined twice")
            if len(section.statements) != 1:
                raise _error(filename, section, f"RULE {section.name} must hold exactly one statement")
            rules[key] = section
    compiled = CompiledFile(filename=filename, consts=consts)
    for section in tree.sections:
        if section.kind in ("CONST", "RULE"):
            continue
        if section.kind in ("COLLECT", "EXTEND"):
            warnings.append(
                XqlWarning(f"{section.kind} sections are parsed but not evaluated", filename, section.line, section.col)
            )
        compiled.sections.append(_compile_section(section, rules, consts, compiled, warnings))
    # RULE bodies are checked even when no section calls them.
    for rule in rules.values():
        _inline(rule.statements[0].stages, rules, filename, [rule.name or ""])
        _check_references(rule.statements[0], consts, filename, warnings)
    return compiled, warnings


def _compile_section(
    section: ast.Section,
    rules: dict[str, ast.Section],
    consts: dict[str, Any],
    file: CompiledFile,
    warnings: list[XqlWarning],
) -> CompiledSection:
    allowed = _MODEL_STAGES if section.kind == "MODEL" else _PARSING_STAGES
    statements: list[CompiledStatement] = []
    case_sensitive = False
    for stmt in section.statements:
        stages = _inline(stmt.stages, rules, file.filename, [])
        for i, stage in enumerate(stages):
            if not isinstance(stage, allowed):
                name = type(stage).__name__.lower()
                raise _error(file.filename, stage, f"the {name} stage is not allowed in a {section.kind} section")
            if isinstance(stage, ast.Drop) and i != len(stages) - 1:
                raise _error(file.filename, stage, "drop must be the last stage of a statement")
        _check_references(stmt, consts, file.filename, warnings)
        configs = [s for s in stages if isinstance(s, ast.Config)]
        if len(configs) == len(stages):
            case_sensitive = configs[-1].value
            continue
        statements.append(
            CompiledStatement(
                stages=stages,
                index=len(statements) + 1,
                line=stmt.line,
                col=stmt.col,
                case_sensitive=case_sensitive,
            )
        )
    return CompiledSection(section=section, statements=statements, file=file)


def _inline(
    stages: Sequence[ast.Stage], rules: dict[str, ast.Section], filename: str, stack: list[str]
) -> tuple[ast.Stage, ...]:
    out: list[ast.Stage] = []
    for stage in stages:
        if not isinstance(stage, ast.Call):
            out.append(stage)
            continue
        key = stage.name.casefold()
        rule = rules.get(key)
        if rule is None:
            known = ", ".join(sorted(r.name or "" for r in rules.values())) or "none"
            raise _error(filename, stage, f"call of unknown rule {stage.name!r} (rules in this file: {known})")
        if key in (s.casefold() for s in stack):
            raise _error(filename, stage, f"rule {stage.name!r} calls itself: {' -> '.join([*stack, stage.name])}")
        out.extend(_inline(rule.statements[0].stages, rules, filename, [*stack, stage.name]))
    return tuple(out)


def _check_references(stmt: ast.Statement, consts: dict[str, Any], filename: str, warnings: list[XqlWarning]) -> None:
    for node in ast.walk(stmt):
        if isinstance(node, ast.ConstRef) and node.name.casefold() not in consts:
            raise _error(filename, node, f"unknown constant ${node.name}")
        if isinstance(node, ast.Alter):
            assigned: dict[str, ast.Assignment] = {}
            for assignment in node.assignments:
                for sub in ast.walk(assignment.expr):
                    if isinstance(sub, ast.Column) and sub.name.casefold() in assigned:
                        first = assigned[sub.name.casefold()]
                        warnings.append(
                            XqlWarning(
                                f"{sub.name!r} is assigned earlier in the same alter (line {first.line}); "
                                "this reads its value from before the stage",
                                filename,
                                sub.line,
                                sub.col,
                                "same_alter_reference",
                            )
                        )
                assigned.setdefault(assignment.target.casefold(), assignment)


# --- expression evaluation -------------------------------------------------------------


class _State:
    __slots__ = ("case_sensitive", "elements", "filename", "warnings")

    def __init__(self, filename: str, case_sensitive: bool, warnings: list[XqlWarning]) -> None:
        self.filename = filename
        self.case_sensitive = case_sensitive
        self.elements: list[Any] = []
        self.warnings = warnings

    def warn(self, node: ast.Node, message: str, code: str = "runtime") -> None:
        self.warnings.append(XqlWarning(message, self.filename, node.line, node.col, code))


class Evaluator:
    """Evaluates expressions and statements of one compiled file."""

    def __init__(self, consts: dict[str, Any] | None = None, filename: str = "<string>") -> None:
        self.consts = consts or {}
        self.filename = filename
        self._dispatch: dict[type, Callable[[Any, Row, _State], Any]] = {
            ast.Literal: self._literal,
            ast.Column: self._column,
            ast.ConstRef: self._const,
            ast.XdmConst: self._xdm_const,
            ast.ElementRef: self._element,
            ast.FuncCall: self._call,
            ast.JsonArrow: self._arrow,
            ast.Not: self._not,
            ast.Neg: self._neg,
            ast.BoolOp: self._boolop,
            ast.Compare: self._compare,
            ast.InList: self._in,
        }

    def evaluate(
        self,
        expr: ast.Expr,
        row: Row | dict[str, Any],
        *,
        case_sensitive: bool = False,
        warnings: list[XqlWarning] | None = None,
    ) -> Any:
        """Evaluate one expression against a row (a :class:`Row` or a raw event dict)."""
        if not isinstance(row, Row):
            row = row_from_event(row)
        return self._eval(expr, row, _State(self.filename, case_sensitive, warnings if warnings is not None else []))

    def _eval(self, expr: ast.Expr, row: Row, state: _State) -> Any:
        return self._dispatch[type(expr)](expr, row, state)

    def _literal(self, node: ast.Literal, row: Row, state: _State) -> Any:
        return node.value

    def _column(self, node: ast.Column, row: Row, state: _State) -> Any:
        return row.get(node.name)

    def _const(self, node: ast.ConstRef, row: Row, state: _State) -> Any:
        return self.consts.get(node.name.casefold())

    def _xdm_const(self, node: ast.XdmConst, row: Row, state: _State) -> Any:
        return node.value

    def _element(self, node: ast.ElementRef, row: Row, state: _State) -> Any:
        return state.elements[-1] if state.elements else "@element"

    def _call(self, node: ast.FuncCall, row: Row, state: _State) -> Any:
        fn = FUNCTIONS[node.name]
        try:
            if fn.kind == "lazy":
                return fn.impl(*(self._thunk(a, row, state) for a in node.args))
            if fn.kind == "lambda":
                array = self._eval(node.args[0], row, state)
                if array is None:
                    return None
                return fn.impl(array, self._lambda(node.args[1], row, state))
            values = [self._eval(a, row, state) for a in node.args]
            if fn.null_in_null_out and any(v is None for v in values):
                return list(fn.null_result) if isinstance(fn.null_result, list) else fn.null_result
            return fn.impl(*values)
        except XqlRuntimeError as exc:
            state.warn(node, str(exc))
            return None

    def _thunk(self, expr: ast.Expr, row: Row, state: _State) -> Callable[[], Any]:
        return lambda: self._eval(expr, row, state)

    def _lambda(self, body: ast.Expr, row: Row, state: _State) -> Callable[[Any], Any]:
        def run(element: Any) -> Any:
            state.elements.append(element)
            try:
                return self._eval(body, row, state)
            finally:
                state.elements.pop()

        return run

    def _arrow(self, node: ast.JsonArrow, row: Row, state: _State) -> Any:
        value = self._eval(node.operand, row, state)
        if value is None:
            return None
        try:
            return FUNCTIONS[_JSON_MODES[node.mode]].impl(value, node.path)
        except XqlRuntimeError as exc:
            state.warn(node, str(exc))
            return None

    def _not(self, node: ast.Not, row: Row, state: _State) -> Any:
        value = self._eval(node.operand, row, state)
        return None if value is None else not truth(value)

    def _neg(self, node: ast.Neg, row: Row, state: _State) -> Any:
        value = self._eval(node.operand, row, state)
        if value is None:
            return None
        if not is_number(value):
            state.warn(node, f"cannot negate {type_name(value)} {value!r}")
            return None
        return -value

    def _boolop(self, node: ast.BoolOp, row: Row, state: _State) -> Any:
        left = self._eval(node.left, row, state)
        lt = None if left is None else truth(left)
        if node.op == "and":
            if lt is False:
                return False
            right = self._eval(node.right, row, state)
            rt = None if right is None else truth(right)
            if rt is False:
                return False
            return True if lt and rt else None
        if lt is True:
            return True
        right = self._eval(node.right, row, state)
        rt = None if right is None else truth(right)
        if rt is True:
            return True
        return False if lt is False and rt is False else None

    def _wildcard(self, node: ast.Expr) -> str | None:
        """The pattern when ``node`` is a literal (or constant) string holding ``*``."""
        value: Any = None
        if isinstance(node, ast.Literal):
            value = node.value
        elif isinstance(node, ast.ConstRef):
            value = self.consts.get(node.name.casefold())
        return value if isinstance(value, str) and "*" in value else None

    def _compare(self, node: ast.Compare, row: Row, state: _State) -> Any:
        op = node.op
        if op in ("=", "!="):
            for side, other in ((node.right, node.left), (node.left, node.right)):
                if isinstance(side, ast.Literal) and side.value is None:
                    is_null = self._eval(other, row, state) is None
                    return is_null if op == "=" else not is_null
        left = self._eval(node.left, row, state)
        right = self._eval(node.right, row, state)
        if left is None or right is None:
            return None
        cs = state.case_sensitive
        result: bool | None
        if op in ("=", "!="):
            pattern = self._wildcard(node.right)
            if pattern is not None:
                result = wildcard_match(to_string(left) or "", pattern, cs)
            else:
                result = values_equal(left, right, cs)
            return result if op == "=" else not result
        if op in ("~=", "!~="):
            try:
                found = regex_search(to_string(right) or "", to_string(left) or "")
            except XqlRuntimeError as exc:
                state.warn(node, str(exc))
                return None
            return found if op == "~=" else not found
        if op == "contains":
            result = contains(left, right, cs)
        elif op in ("incidr", "incidr6"):
            try:
                result = FUNCTIONS[op].impl(left, right)
            except XqlRuntimeError as exc:
                state.warn(node, str(exc))
                return None
        else:
            order = compare_order(left, right, cs)
            if order is None:
                state.warn(node, f"cannot compare {type_name(left)} with {type_name(right)} using {op}")
                return None
            result = {"<": order < 0, "<=": order <= 0, ">": order > 0, ">=": order >= 0}[op]
        return (not result) if node.negated else result

    def _in(self, node: ast.InList, row: Row, state: _State) -> Any:
        value = self._eval(node.operand, row, state)
        if value is None:
            return None
        found = False
        for item in node.items:
            pattern = self._wildcard(item)
            if pattern is not None:
                found = wildcard_match(to_string(value) or "", pattern, state.case_sensitive)
            else:
                candidate = self._eval(item, row, state)
                found = candidate is not None and values_equal(value, candidate, state.case_sensitive)
            if found:
                break
        return (not found) if node.negated else found

    # --- statements ----------------------------------------------------------------------

    def run_statement(
        self,
        statement: CompiledStatement,
        row: Row,
        warnings: list[XqlWarning],
        *,
        parsing: bool = False,
    ) -> tuple[list[Row], int]:
        """Run one statement on a copy of ``row``; returns the output rows and how many were dropped."""
        state = _State(self.filename, statement.case_sensitive, warnings)
        rows = [row.copy()]
        dropped = 0
        for stage in statement.stages:
            if isinstance(stage, ast.Filter):
                rows = [r for r in rows if self._condition(stage.condition, r, state)]
            elif isinstance(stage, ast.Alter):
                for r in rows:
                    # Every right-hand side sees the row as it was before this stage.
                    values = [(a, self._eval(a.expr, r, state)) for a in stage.assignments]
                    for assignment, value in values:
                        if parsing and assignment.target.casefold() == "_time":
                            value = self._cast_time(value, assignment, state)
                        r.set(assignment.target, value)
            elif isinstance(stage, ast.Config):
                state.case_sensitive = stage.value
            elif isinstance(stage, ast.Fields):
                rows = [_project(r, stage) for r in rows]
            elif isinstance(stage, ast.Drop):
                kept = [r for r in rows if not self._condition(stage.condition, r, state)]
                dropped += len(rows) - len(kept)
                rows = kept
            elif isinstance(stage, ast.Tag):
                for r in rows:
                    tags = r.get("_tag")
                    r.set("_tag", [*(tags if isinstance(tags, list) else []), *stage.values])
            elif isinstance(stage, ast.ArrayExpand):
                rows = [x for r in rows for x in self._expand(r, stage, state)]
            if not rows:
                break
        return rows, dropped

    def _condition(self, expr: ast.Expr, row: Row, state: _State) -> bool:
        value = self._eval(expr, row, state)
        if value is not None and not isinstance(value, bool):
            state.warn(expr, f"condition is {type_name(value)} {value!r}, not boolean")
        return value is not None and truth(value)

    def _cast_time(self, value: Any, node: ast.Node, state: _State) -> Any:
        if value is None or isinstance(value, dt.datetime):
            return value
        parsed = parse_iso(value) if isinstance(value, str) else None
        if parsed is None:
            state.warn(node, f"_time gets {type_name(value)} {value!r}, not a timestamp; _insert_time is used")
        return parsed

    def _expand(self, row: Row, stage: ast.ArrayExpand, state: _State) -> list[Row]:
        values = row.get(stage.field_name)
        if values is None:
            return []
        if not isinstance(values, list):
            hint = " (raw arrays are JSON text: alter it with json_extract_array first)"
            hint = hint if isinstance(values, str) else ""
            state.warn(stage, f"arrayexpand: {stage.field_name} is {type_name(values)}, not an array{hint}")
            return []
        out = []
        for value in values[: stage.limit] if stage.limit is not None else values:
            new = row.copy()
            new.set(stage.field_name, value)
            out.append(new)
        return out


def _project(row: Row, stage: ast.Fields) -> Row:
    def matches(name: str) -> ast.FieldSpec | None:
        for spec in stage.specs:
            if fnmatch.fnmatchcase(name.casefold(), spec.pattern.casefold()):
                return spec
        return None

    out = Row()
    for name, value in row.items():
        spec = matches(name)
        protected = name.casefold() in PROTECTED_FIELDS
        if stage.exclude:
            if spec is None or protected:
                out.set(name, value)
        elif spec is not None:
            out.set(spec.alias or name, value)
        elif protected:
            out.set(name, value)
    return out


# --- rule sets -------------------------------------------------------------------------


class RuleSet:
    """Compiled XIF files: modeling (MODEL) and parsing (INGEST) rules."""

    def __init__(self, files: Iterable[CompiledFile], load_warnings: Iterable[XqlWarning] = ()) -> None:
        self.files = list(files)
        self.load_warnings = list(load_warnings)
        self._evaluators = {id(f): Evaluator(f.consts, f.filename) for f in self.files}

    @classmethod
    def from_source(cls, source: str, filename: str = "<string>") -> RuleSet:
        compiled, warnings = compile_file(source, filename)
        return cls([compiled], warnings)

    @property
    def sections(self) -> list[CompiledSection]:
        return [s for f in self.files for s in f.sections]

    @property
    def datasets(self) -> list[str]:
        """Datasets with a MODEL section, in file order."""
        seen: dict[str, str] = {}
        for s in self.sections:
            if s.kind == "MODEL":
                name = s.param("dataset") or ""
                seen.setdefault(name.casefold(), name)
        return list(seen.values())

    def _ref(self, section: CompiledSection, statement: CompiledStatement) -> StatementRef:
        return StatementRef(section.file.filename, section.describe(), statement.index, statement.line, statement.col)

    def evaluate_model(self, dataset: str, raw_event: dict[str, Any]) -> ModelResult:
        """Run every MODEL statement for ``dataset`` on the event; one row per matching statement."""
        wanted = dataset.casefold()
        sections = [s for s in self.sections if s.kind == "MODEL" and (s.param("dataset") or "").casefold() == wanted]
        if not sections:
            raise XqlError(f"no MODEL section for dataset {dataset!r} (have: {', '.join(self.datasets) or 'none'})")
        base = row_from_event(raw_event)
        warnings: list[XqlWarning] = []
        result = ModelResult(rows=[], statements=[], warnings=warnings)
        for section in sections:
            evaluator = self._evaluators[id(section.file)]
            for statement in section.statements:
                rows, _ = evaluator.run_statement(statement, base, warnings)
                for row in rows:
                    result.rows.append(_model_output(row))
                    result.statements.append(self._ref(section, statement))
        if len(result.statements) > 1:
            first, *others = result.statements
            warnings.append(
                XqlWarning(
                    f"{len(result.statements)} statements match the same event: {first}, "
                    + ", ".join(str(o) for o in others)
                    + "; one modeled row is emitted per statement",
                    first.filename,
                    first.line,
                    first.col,
                    "overlap",
                )
            )
        return result

    def model(
        self, dataset: str, raw_event: dict[str, Any], warnings: list[XqlWarning] | None = None
    ) -> dict[str, Any]:
        """The modeled fields (``xdm.*`` and system fields) of the first matching statement, or ``{}``.

        Pass a list as ``warnings`` to collect runtime warnings, including overlapping statements.
        """
        result = self.evaluate_model(dataset, raw_event)
        if warnings is not None:
            warnings.extend(result.warnings)
        return result.rows[0] if result.rows else {}

    def evaluate_parse(self, vendor: str, product: str, raw_event: dict[str, Any]) -> ParseResult:
        """Run the INGEST sections for ``vendor``/``product``; every statement is its own rule."""
        sections = [
            s
            for s in self.sections
            if s.kind == "INGEST"
            and (s.param("vendor") or "").casefold() == vendor.casefold()
            and (s.param("product") or "").casefold() == product.casefold()
        ]
        if not sections:
            raise XqlError(f"no INGEST section for vendor={vendor!r}, product={product!r}")
        base = row_from_event(raw_event)
        injected_raw = "_raw_log" not in base
        if injected_raw:
            base.set("_raw_log", json_text(raw_event))
        warnings: list[XqlWarning] = []
        result = ParseResult(rows=[], warnings=warnings)
        for section in sections:
            dataset = section.param("target_dataset") or section.param("dataset") or f"{vendor}_{product}_raw".lower()
            ingest_null = (section.param("ingestnull") or "true").casefold() != "false"
            evaluator = self._evaluators[id(section.file)]
            outputs = 0
            dropped = 0
            for statement in section.statements:
                rows, n_dropped = evaluator.run_statement(statement, base, warnings, parsing=True)
                dropped += n_dropped
                for row in rows:
                    outputs += 1
                    values = _parse_output(row, injected_raw, ingest_null)
                    result.rows.append(ParsedRow(dataset, values, self._ref(section, statement)))
            if outputs == 0 and dropped == 0 and (section.param("no_hit") or "keep").casefold() == "keep":
                result.rows.append(ParsedRow(dataset, {"_raw_log": base.get("_raw_log")}, None))
        return result

    def parse(
        self, vendor: str, product: str, raw_event: dict[str, Any], warnings: list[XqlWarning] | None = None
    ) -> dict[str, Any] | None:
        """The first row the parsing rules produce for the event, or ``None`` when it is dropped."""
        result = self.evaluate_parse(vendor, product, raw_event)
        if warnings is not None:
            warnings.extend(result.warnings)
            if len(result.rows) > 1:
                warnings.append(XqlWarning(f"the event is ingested {len(result.rows)} times", code="overlap"))
        return result.rows[0].values if result.rows else None


def _model_output(row: Row) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in SYSTEM_FIELDS:
        if name in row:
            out[name] = row.get(name)
    for name, value in row.items():
        if name.casefold().startswith("xdm."):
            out[name] = value
    return out


def _parse_output(row: Row, injected_raw: bool, ingest_null: bool) -> dict[str, Any]:
    if row.get("_time") is None and row.get("_insert_time") is not None:
        row.set("_time", row.get("_insert_time"))
    out = {}
    for name, value in row.items():
        if injected_raw and name == "_raw_log":
            continue
        if value is None and not ingest_null:
            continue
        out[name] = value
    return out


def load_rules(path: str | Path) -> RuleSet:
    """Load a ``.xif`` file, or every ``.xif`` file under a directory, into one :class:`RuleSet`."""
    p = Path(path)
    if p.is_dir():
        files = sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() == ".xif")
        if not files:
            raise XqlError(f"no .xif file under {p}")
    elif p.is_file():
        files = [p]
    else:
        raise XqlError(f"no such rule file or directory: {p}")
    compiled = []
    warnings: list[XqlWarning] = []
    for f in files:
        c, w = compile_file(f.read_text(encoding="utf-8"), str(f))
        compiled.append(c)
        warnings.extend(w)
    return RuleSet(compiled, warnings)
