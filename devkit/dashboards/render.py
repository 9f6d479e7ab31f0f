"""A screenshot-like picture of a dashboard or report, drawn from its widgets' rows with matplotlib.

Each layout row keeps its widgets' widths and heights; a widget draws what its ``view graph`` says (line,
column or bar, pie, a single number; a map as bars by country, there being no world map offline) and a
widget without a view draws its rows as a table, columns in the order of the query's last ``fields`` stage.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib.dates as mdates
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox
from PIL import Image  # matplotlib's own dependency

from devkit.xql import ast, parse_query
from devkit.xql.view import field_name

from .content import Board
from .evaluate import WidgetResult

WIDTH_IN = 16.0
DPI = 80
PX_PER_IN = 110.0  # layout heights are screen pixels: this scale keeps the widgets' proportions
BACKGROUND, PANEL, TEXT, MUTED, GRID = "#16191d", "#22262c", "#e4e6ea", "#9aa0a8", "#343941"
PALETTE = ("#4f9cf9", "#f5a623", "#3cba6c", "#e05252", "#a06cf0", "#2ec4c4", "#f06292", "#c0ca33", "#8d6e63")
VALUE_COLORS = {"SUCCESS": "#3cba6c", "FAILED": "#e05252", "UNKNOWN": "#8a8f98", "PARTIAL": "#f5a623"}
TABLE_ROWS = 12
CELL_CHARS = 38


def render_board(board: Board, results: Sequence[WidgetResult]) -> bytes:
    """The board as PNG bytes; ``results`` are its widgets' in layout order."""
    rows: dict[int, list[WidgetResult]] = {}
    for result in results:
        rows.setdefault(result.widget.row, []).append(result)
    heights = [max(r.widget.height for r in row) / PX_PER_IN for row in rows.values()]
    header = 0.75 if board.description else 0.5
    # A Figure of its own (no pyplot): no global state, no display backend to choose.
    figure = Figure(figsize=(WIDTH_IN, header + sum(heights)), facecolor=BACKGROUND, layout="constrained")
    grid = figure.add_gridspec(len(heights) + 1, 1, height_ratios=[header, *heights])
    _header(figure.add_subplot(grid[0]), board)
    for number, row in enumerate(rows.values(), 1):
        cells = grid[number].subgridspec(1, len(row), width_ratios=[r.widget.width for r in row])
        for column, result in enumerate(row):
            _draw_widget(figure.add_subplot(cells[column]), result)
    drawn = io.BytesIO()
    figure.savefig(drawn, format="png", dpi=DPI, facecolor=BACKGROUND)
    # A 128-colour palette keeps the picture as it looks at a third of the size (content images stay small).
    small = io.BytesIO()
    Image.open(drawn).convert("RGB").quantize(colors=128).save(small, format="PNG", optimize=True)
    return small.getvalue()


def write_image(board: Board, results: Sequence[WidgetResult], target: Path | None = None) -> Path:
    """Render the board to ``target``, or else to its ``_image.png`` beside the file and to the README's copy in
    ``doc_files``; returns the path written (beside the file when there are two)."""
    picture = render_board(board, results)
    if target is not None:
        target.write_bytes(picture)
        return target
    board.readme_image.parent.mkdir(exist_ok=True)
    board.readme_image.write_bytes(picture)
    board.image.write_bytes(picture)
    return board.image


def _header(axes: Axes, board: Board) -> None:
    axes.axis("off")
    axes.text(0, 0.92, board.name, color=TEXT, fontsize=20, weight="bold", va="top", transform=axes.transAxes)
    if board.description:
        axes.text(0, 0.1, _clip(board.description, 200), color=MUTED, fontsize=11, transform=axes.transAxes)


def _draw_widget(axes: Axes, result: WidgetResult) -> None:
    axes.set_facecolor(PANEL)
    for spine in axes.spines.values():
        spine.set_color(GRID)
    axes.tick_params(colors=MUTED, labelsize=8)
    axes.set_title(result.widget.title, color=TEXT, fontsize=11, loc="left", pad=8, weight="bold")
    view = parse_query(result.widget.phrase).view if result.error is None else None
    if result.error or not result.rows:
        _message(axes, result.error or "No data")
    elif view is None:
        _table(axes, result.rows, _column_order(result.widget.phrase, result.rows))
    elif view.graph_type == "single":
        _single(axes, result.rows, view)
    elif view.graph_type == "pie":
        _pie(axes, result.rows, view)
    elif view.graph_type in ("line", "area"):
        _line(axes, result.rows, view)
    else:  # column, map (as bars by country), and the rest drawn as columns
        _columns(axes, result.rows, view)


def _message(axes: Axes, text: str) -> None:
    axes.set_xticks([])
    axes.set_yticks([])
    axes.text(0.5, 0.5, _clip(text, 90), color=MUTED, ha="center", va="center", fontsize=10, wrap=True)


def _single(axes: Axes, rows: list[dict[str, Any]], view: ast.View) -> None:
    axes.set_xticks([])
    axes.set_yticks([])
    value = rows[0].get(field_name(view.yaxis[0]))
    axes.text(0.5, 0.45, _number(value), color=TEXT, ha="center", va="center", fontsize=40, weight="bold")


def _series(rows: list[dict[str, Any]], view: ast.View) -> tuple[list[Any], dict[str, dict[Any, float]]]:
    """The x values in order of appearance and, per series (or per y axis), the y value at each x."""
    x_name = field_name(view.xaxis or "")
    xs: list[Any] = []
    lines: dict[str, dict[Any, float]] = {}
    for row in rows:
        x = row.get(x_name)
        if x not in xs:
            xs.append(x)
        for y_name in (field_name(y) for y in view.yaxis):
            label = str(row.get(field_name(view.series))) if view.series else y_name
            lines.setdefault(label, {})
            lines[label][x] = lines[label].get(x, 0.0) + float(row.get(y_name) or 0)
    return xs, lines


def _color(label: str, index: int) -> str:
    return VALUE_COLORS.get(label.upper(), PALETTE[index % len(PALETTE)])


def _line(axes: Axes, rows: list[dict[str, Any]], view: ast.View) -> None:
    xs, lines = _series(rows, view)
    ordered = sorted(xs, key=lambda x: (x is None, x))
    for index, (label, values) in enumerate(lines.items()):
        axes.plot(ordered, [values.get(x, 0.0) for x in ordered], label=label, color=_color(label, index), lw=1.8)
    if ordered and isinstance(ordered[0], dt.datetime):
        axes.xaxis.set_major_formatter(mdates.DateFormatter("%H:%M" if _within_a_day(ordered) else "%b %d"))
    _finish(axes, len(lines) > 1)


def _columns(axes: Axes, rows: list[dict[str, Any]], view: ast.View) -> None:
    xs, lines = _series(rows, view)
    if view.graph_type == "map":
        totals = {x: sum(v.get(x, 0.0) for v in lines.values()) for x in xs}
        xs = sorted(xs, key=lambda x: totals[x])
    horizontal = view.option("layout") == "horizontal" or view.graph_type == "map"
    if horizontal and view.graph_type != "map":
        xs = xs[::-1]  # the first row on top, as XSIAM draws bars
    every = max(1, len(xs) // 12)  # a time axis labels about a dozen of its columns
    labels = [_label(x) if i % every == 0 else "" for i, x in enumerate(xs)]
    stacked = view.option("subtype") == "stacked" or len(lines) == 1
    positions = list(range(len(xs)))
    width = 0.8 if stacked else 0.8 / len(lines)
    base = [0.0] * len(xs)
    for index, (label, values) in enumerate(lines.items()):
        heights = [values.get(x, 0.0) for x in xs]
        offset = [p + (0 if stacked else (index - (len(lines) - 1) / 2) * width) for p in positions]
        draw = axes.barh if horizontal else axes.bar
        draw(offset, heights, width, base, label=label, color=_color(label, index))
        if stacked:
            base = [b + h for b, h in zip(base, heights, strict=True)]
    if horizontal:
        axes.set_yticks(positions, labels, fontsize=8)
    else:
        rotation = _rotation(labels)
        axes.set_xticks(positions, labels, fontsize=8, rotation=rotation, ha="right" if rotation else "center")
    _finish(axes, len(lines) > 1)


def _pie(axes: Axes, rows: list[dict[str, Any]], view: ast.View) -> None:
    x_name, y_name = field_name(view.xaxis or ""), field_name(view.yaxis[0])
    labels = [_label(row.get(x_name)) for row in rows]
    sizes = [float(row.get(y_name) or 0) for row in rows]
    colors = [_color(label, i) for i, label in enumerate(labels)]
    wedges, _, autotexts = axes.pie(
        sizes,
        colors=colors,
        autopct="%1.0f%%",
        pctdistance=0.75,
        startangle=90,
        wedgeprops={"width": 0.5, "edgecolor": PANEL},
    )
    for text in autotexts:
        text.set_color(TEXT)
        text.set_fontsize(8)
    axes.legend(
        wedges, labels, loc="center left", bbox_to_anchor=(0.95, 0.5), frameon=False, labelcolor=TEXT, fontsize=8
    )
    axes.set_aspect("equal")


def _table(axes: Axes, rows: list[dict[str, Any]], columns: list[str]) -> None:
    axes.set_xticks([])
    axes.set_yticks([])
    shown = rows[:TABLE_ROWS]
    cells = [[_clip(_cell(row.get(c)), CELL_CHARS) for c in columns] for row in shown]
    widths = [max(len(c), *(len(line[i]) for line in cells)) + 2 for i, c in enumerate(columns)]
    tall = min(1.0, 0.075 * (len(shown) + 1))  # rows keep their height however few there are
    table = axes.table(
        cellText=cells,
        colLabels=columns,
        loc="upper center",
        cellLoc="left",
        colLoc="left",
        colWidths=[w / sum(widths) for w in widths],
        bbox=Bbox.from_bounds(0, 1 - tall, 1, tall),
    )
    table.auto_set_font_size(False)
    table.set_fontsize(8)
    for (row, _), cell in table.get_celld().items():
        cell.set_edgecolor(GRID)
        cell.set_facecolor("#2c3139" if row == 0 else PANEL)
        cell.get_text().set_color(TEXT if row == 0 else "#c9ccd1")
    if len(rows) > len(shown):
        axes.text(
            0.995, 0.01, f"{len(rows)} rows", color=MUTED, ha="right", va="bottom", fontsize=8, transform=axes.transAxes
        )


def _column_order(phrase: str, rows: list[dict[str, Any]]) -> list[str]:
    """The columns as the table shows them: the last ``fields`` stage's order, then any others."""
    present: list[str] = []
    for row in rows:
        present += [name for name in row if name not in present]
    fields = [s for s in parse_query(phrase).stages if isinstance(s, ast.Fields) and not s.exclude]
    if not fields:
        return present
    named = [spec.alias or spec.pattern for spec in fields[-1].specs]
    order = [n for n in named if n in present]
    return order + [n for n in present if n not in order]


def _finish(axes: Axes, legend: bool) -> None:
    axes.grid(color=GRID, lw=0.6)
    axes.set_axisbelow(True)
    if legend:
        axes.legend(frameon=False, labelcolor=TEXT, fontsize=8, loc="upper right")


def _within_a_day(moments: list[dt.datetime]) -> bool:
    return moments[-1] - moments[0] <= dt.timedelta(days=1)


def _rotation(labels: list[str]) -> int:
    return 30 if len(labels) > 6 or any(len(label) > 12 for label in labels) else 0


def _label(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.strftime("%b %d %H:%M") if value.hour or value.minute else value.strftime("%b %d")
    return _clip("" if value is None else str(value), 28)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return ", ".join(_cell(v) for v in value)
    return str(value)


def _number(value: Any) -> str:
    return "-" if value is None else f"{value:,}" if isinstance(value, int) else str(value)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
