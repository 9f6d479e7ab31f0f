"""AST for XIF files: sections hold statements, statements hold stages, stages hold expressions.

Every node carries the 1-based ``line``/``col`` of its first token, for error messages.
Nodes are immutable; ``call`` inlining builds new statements instead of editing old ones.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, kw_only=True)
class Node:
    line: int = 0
    col: int = 0


# --- expressions -----------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Expr(Node):
    pass


@dataclass(frozen=True, kw_only=True)
class Literal(Expr):
    """A string, number, boolean or ``null`` literal."""

    value: str | int | float | bool | None


@dataclass(frozen=True, kw_only=True)
class Column(Expr):
    """A field of the row; looked up case-insensitively."""

    name: str
    quoted: bool = False


@dataclass(frozen=True, kw_only=True)
class ConstRef(Expr):
    """``$NAME``, a value from a ``[CONST]`` section."""

    name: str


@dataclass(frozen=True, kw_only=True)
class XdmConst(Expr):
    """``XDM_CONST.NAME`` with the string it stores."""

    name: str
    value: str


@dataclass(frozen=True, kw_only=True)
class ElementRef(Expr):
    """``"@element"`` inside the per-element argument of ``arraymap`` and friends."""


@dataclass(frozen=True, kw_only=True)
class FuncCall(Expr):
    name: str  # lower case
    args: tuple[Expr, ...]


@dataclass(frozen=True, kw_only=True)
class JsonArrow(Expr):
    """``x -> a.b`` (``mode='scalar'``), ``x -> a{}`` (``'json'``) or ``x -> a[]`` (``'array'``)."""

    operand: Expr
    path: str  # a JSON path, "$.a.b"
    mode: str


@dataclass(frozen=True, kw_only=True)
class Not(Expr):
    operand: Expr


@dataclass(frozen=True, kw_only=True)
class Neg(Expr):
    operand: Expr


@dataclass(frozen=True, kw_only=True)
class BoolOp(Expr):
    op: str  # "and" | "or"
    left: Expr
    right: Expr


@dataclass(frozen=True, kw_only=True)
class Compare(Expr):
    """Binary comparison; ``op`` is one of = != < <= > >= ~= !~= contains incidr incidr6."""

    op: str
    left: Expr
    right: Expr
    negated: bool = False  # "not contains", "not incidr"


@dataclass(frozen=True, kw_only=True)
class InList(Expr):
    operand: Expr
    items: tuple[Expr, ...]
    negated: bool = False


# --- stages ----------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Stage(Node):
    pass


@dataclass(frozen=True, kw_only=True)
class Filter(Stage):
    condition: Expr


@dataclass(frozen=True, kw_only=True)
class Assignment(Node):
    target: str
    expr: Expr


@dataclass(frozen=True, kw_only=True)
class Alter(Stage):
    assignments: tuple[Assignment, ...]


@dataclass(frozen=True, kw_only=True)
class Call(Stage):
    name: str


@dataclass(frozen=True, kw_only=True)
class FieldSpec(Node):
    pattern: str  # may contain "*"
    alias: str | None = None


@dataclass(frozen=True, kw_only=True)
class Fields(Stage):
    specs: tuple[FieldSpec, ...]
    exclude: bool = False


@dataclass(frozen=True, kw_only=True)
class Config(Stage):
    key: str
    value: bool


@dataclass(frozen=True, kw_only=True)
class Drop(Stage):
    condition: Expr


@dataclass(frozen=True, kw_only=True)
class Tag(Stage):
    values: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class ArrayExpand(Stage):
    field_name: str
    limit: int | None = None


@dataclass(frozen=True, kw_only=True)
class Statement(Node):
    stages: tuple[Stage, ...]


# --- queries (search, not rules): stages over the whole result ---------------------------


@dataclass(frozen=True, kw_only=True)
class Aggregate(Node):
    """``count()``, ``count_distinct(x)``, ``sum(x)`` ... ``as alias`` in a ``comp`` stage."""

    func: str  # lower case
    arg: Expr | None
    alias: str


@dataclass(frozen=True, kw_only=True)
class Comp(Stage):
    aggregates: tuple[Aggregate, ...]
    by: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class SortKey(Node):
    field_name: str
    descending: bool


@dataclass(frozen=True, kw_only=True)
class Sort(Stage):
    keys: tuple[SortKey, ...]


@dataclass(frozen=True, kw_only=True)
class Limit(Stage):
    count: int


@dataclass(frozen=True, kw_only=True)
class Dedup(Stage):
    """The first row of each distinct ``fields`` tuple, in the order ``by`` sorts them (else as they come)."""

    fields: tuple[str, ...]
    by: SortKey | None = None


@dataclass(frozen=True, kw_only=True)
class Bin(Stage):
    """``field`` (a timestamp) floored to a multiple of ``span_seconds``."""

    field_name: str
    span_seconds: int


@dataclass(frozen=True, kw_only=True)
class Join(Stage):
    """Rows of the current result matched with those of ``query`` where each ``alias.right = left`` pair is equal;
    ``kind`` inner or left; on a name both sides have, ``conflict`` says whose value stays (right or left)."""

    kind: str
    conflict: str
    query: Query
    alias: str
    pairs: tuple[tuple[str, str], ...]  # (right field, left field)


@dataclass(frozen=True, kw_only=True)
class Union(Stage):
    """The rows of the current result followed by those of ``query``."""

    query: Query


@dataclass(frozen=True, kw_only=True)
class ViewFunc(Node):
    """``valuecolor("Failed", "#c00")`` and the like: a display setting with arguments, as written."""

    name: str  # lower case
    args: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class View(Stage):
    """``view graph type = <type> xaxis = <field> yaxis = <field>[,<field>...] [series = <field>] ...``: how a
    widget draws the rows. ``options`` keep every ``name = value`` in order (names lower case, values as
    written); the query's rows are not changed by it."""

    graph_type: str  # lower case
    options: tuple[tuple[str, str], ...]
    funcs: tuple[ViewFunc, ...] = ()

    def option(self, name: str) -> str | None:
        return next((value for key, value in self.options if key == name), None)

    @property
    def xaxis(self) -> str | None:
        return self.option("xaxis")

    @property
    def yaxis(self) -> tuple[str, ...]:
        value = self.option("yaxis")
        return tuple(v.strip() for v in value.split(",")) if value else ()

    @property
    def series(self) -> str | None:
        return self.option("series")


@dataclass(frozen=True, kw_only=True)
class Query(Node):
    """``dataset = name | stages`` or ``datamodel dataset = name | stages`` (the XDM view of the dataset)."""

    dataset: str
    datamodel: bool
    stages: tuple[Stage, ...]

    @property
    def view(self) -> View | None:
        """The ``view`` stage that ends the query, if any."""
        last = self.stages[-1] if self.stages else None
        return last if isinstance(last, View) else None


# --- sections --------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ConstDef(Node):
    name: str
    value: str | int


@dataclass(frozen=True, kw_only=True)
class Section(Node):
    """One ``[KIND: params]`` section. ``params`` keys are lower case; values are as written."""

    kind: str  # MODEL | RULE | INGEST | CONST | COLLECT | EXTEND
    params: dict[str, str] = field(default_factory=dict)
    name: str | None = None  # RULE name
    statements: tuple[Statement, ...] = ()
    consts: tuple[ConstDef, ...] = ()

    @property
    def dataset(self) -> str | None:
        return self.params.get("dataset") or self.params.get("target_dataset")


@dataclass(frozen=True, kw_only=True)
class XifFile(Node):
    filename: str
    sections: tuple[Section, ...]


def children(node: Node) -> Iterator[Node]:
    """Direct child nodes, in source order."""
    for f in dataclasses.fields(node):
        value: Any = getattr(node, f.name)
        if isinstance(value, Node):
            yield value
        elif isinstance(value, tuple):
            yield from (v for v in value if isinstance(v, Node))


def walk(node: Node) -> Iterator[Node]:
    """``node`` and all its descendants, depth first."""
    yield node
    for child in children(node):
        yield from walk(child)
