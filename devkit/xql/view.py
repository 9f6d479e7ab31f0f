"""The ``view graph`` stage: which graph types there are, what each needs, and whether a result can be drawn.

A view does not change the rows. The parser checks its definition (a known type, the axes that type needs);
after evaluation, :func:`check_view` checks that the fields the view draws are columns of the result, as the
widget would find them. Graph types are those of the XQL ``view`` reference and of widgets in demisto/content;
``single`` (one number) draws a y axis alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from . import ast
from .errors import XqlError
from .values import Row

# Graph type -> whether it needs an x axis (every type needs a y axis).
GRAPH_TYPES: dict[str, bool] = {
    "area": True,
    "bubble": True,
    "column": True,
    "line": True,
    "map": True,
    "pie": True,
    "scatter": True,
    "single": False,
}
# The types whose rows may be split into series (the XQL view reference).
SERIES_TYPES = frozenset({"area", "bubble", "column", "line", "map", "scatter"})


def view_definition_error(settings: Mapping[str, str]) -> str | None:
    """What is wrong with a view's ``name = value`` settings (names lower case), or None."""
    graph_type = settings.get("type", "").lower()
    if graph_type not in GRAPH_TYPES:
        known = ", ".join(sorted(GRAPH_TYPES))
        found = f"'{settings['type']}'" if "type" in settings else "none"
        return f"view graph needs type = one of {known} (found {found})"
    if GRAPH_TYPES[graph_type] and "xaxis" not in settings:
        return f"a {graph_type} graph needs xaxis = <field>"
    if "yaxis" not in settings:
        return f"a {graph_type} graph needs yaxis = <field>"
    if "series" in settings and graph_type not in SERIES_TYPES:
        return f"a {graph_type} graph takes no series"
    return None


def field_name(written: str) -> str:
    """A field as a view names it: backquotes removed."""
    return written.strip().strip("`")


def drawn_fields(view: ast.View) -> list[str]:
    """The fields the view draws: x axis, y axes, series."""
    named = [view.xaxis, *view.yaxis, view.series]
    return [field_name(name) for name in named if name]


def check_view(view: ast.View, rows: Sequence[Row]) -> None:
    """Raise :class:`XqlError` at the view when a field it draws is no column of the result.

    An empty result has no columns to check against (XSIAM shows an empty widget).
    """
    if not rows:
        return
    columns = {name.casefold(): name for row in rows for name in row.names()}
    for name in drawn_fields(view):
        if name.casefold() not in columns:
            have = ", ".join(sorted(columns.values()))
            raise XqlError(f"line {view.line}: view draws {name!r}, not a column (have: {have})")
