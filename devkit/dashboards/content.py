"""XSIAM dashboards and reports as content files hold them, and what XSIAM expects of their structure.

A dashboard file (``XSIAMDashboards/*.json``) has ``dashboards_data`` (one dashboard: rows of layout items) and
``widgets_data`` (one entry per widget); a report file (``XSIAMReports/*.json``) has ``templates_data`` instead,
with its own time frame. Each layout item names its widget by ``key`` and repeats the widget's query
(``phrase``), time frame and ``viewOptions``; a report's ``header`` item is text only. The required keys are
demisto-sdk's (``xsiamdashboard.yml``, ``xsiamreport.yml`` and the strict models it validates with).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devkit.xql import XqlError, parse_query
from devkit.xql.ast import View

HEADER_KEY = "header"  # a report's title block: no query
DASHBOARD_KEYS = ("id", "status", "name", "default_dashboard_id", "layout")
REPORT_KEYS = ("id", "name", "time_offset", "layout")
WIDGET_KEYS = ("widget_key", "title", "creation_time", "description", "data", "support_time_range", "additional_info")


@dataclass(frozen=True)
class Widget:
    """One widget as a board lays it out: where, how big, and what it queries and draws."""

    key: str
    title: str
    description: str
    phrase: str
    relative_time_ms: int
    row: int  # 0-based layout row
    width: float  # percent of the row
    height: int  # pixels

    @property
    def view(self) -> View | None:
        """The query's ``view graph`` stage; None for a table."""
        return parse_query(self.phrase).view


@dataclass(frozen=True)
class Board:
    """A dashboard or a report: its name and its widgets in layout order."""

    path: Path
    kind: str  # "dashboard" | "report"
    name: str
    description: str
    widgets: tuple[Widget, ...]

    @property
    def image(self) -> Path:
        """Where XSIAM's content repository keeps its picture: ``<stem>_image.png`` beside the file."""
        return self.path.with_name(f"{self.path.stem}_image.png")

    @property
    def readme_image(self) -> Path:
        """The same picture for the pack README, which may show images from ``doc_files`` only (RM108)."""
        return self.path.parents[1] / "doc_files" / self.image.name


def _board_entry(document: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    if document.get("dashboards_data"):
        return "dashboard", document["dashboards_data"][0]
    if document.get("templates_data"):
        return "report", document["templates_data"][0]
    raise ValueError("neither dashboards_data nor templates_data")


def load_board(path: Path) -> Board:
    """Read a dashboard or report file; widget titles and descriptions come from ``widgets_data``."""
    document = json.loads(path.read_text(encoding="utf-8"))
    kind, entry = _board_entry(document)
    described = {w["widget_key"]: w for w in document.get("widgets_data", [])}
    widgets = []
    for number, row in enumerate(entry["layout"]):
        for item in row["data"]:
            if item["key"] == HEADER_KEY:
                continue
            data = item["data"]
            about = described.get(item["key"], {})
            widgets.append(
                Widget(
                    key=item["key"],
                    title=about.get("title") or data.get("title", item["key"]),
                    description=about.get("description", ""),
                    phrase=data["phrase"],
                    relative_time_ms=int(data["time_frame"]["relativeTime"]),
                    row=number,
                    width=float(data["width"]),
                    height=int(data["height"]),
                )
            )
    description = entry.get("description") or entry.get("report_description") or ""
    return Board(path, kind, entry["name"], description, tuple(widgets))


def load_boards(pack: Path) -> list[Board]:
    """The pack's dashboards, then its reports, by file name."""
    files = sorted((pack / "XSIAMDashboards").glob("*.json")) + sorted((pack / "XSIAMReports").glob("*.json"))
    return [load_board(f) for f in files]


def view_options(view: View | None) -> dict[str, Any]:
    """The ``viewOptions`` XSIAM stores beside a widget's query: the view's type and settings, in order."""
    if view is None:
        return {"type": "table", "commands": []}
    commands: list[dict[str, Any]] = [
        {"command": {"op": "=", "name": name, "value": value}} for name, value in view.options
    ]
    commands += [{"func": {"args": list(func.args), "name": func.name}} for func in view.funcs]
    return {"type": view.graph_type, "commands": commands}


def structure_problems(path: Path) -> list[str]:
    """What XSIAM or demisto-sdk would reject or misread in a dashboard or report file; empty when sound."""
    document = json.loads(path.read_text(encoding="utf-8"))
    try:
        kind, entry = _board_entry(document)
    except ValueError as exc:
        return [str(exc)]
    required = DASHBOARD_KEYS if kind == "dashboard" else REPORT_KEYS
    problems = [f"{kind} lacks {key!r}" for key in required if key not in entry]
    if len(document.get("dashboards_data") or document.get("templates_data") or []) != 1:
        problems.append(f"a {kind} file holds exactly one {kind}")
    if kind == "report" and "relativeTime" not in entry.get("time_frame", {}):
        problems.append("a report needs time_frame.relativeTime")
    widgets = document.get("widgets_data", [])
    for widget in widgets:
        problems += [f"widget {widget.get('widget_key')!r} lacks {key!r}" for key in WIDGET_KEYS if key not in widget]
    described = {w.get("widget_key"): w for w in widgets}
    listed = Counter(w.get("widget_key") for w in widgets)
    problems += [f"widgets_data lists {k!r} twice" for k, n in listed.items() if n > 1]
    rows = entry.get("layout", [])
    problems += [f"layout row id {i!r} is used twice" for i, n in Counter(r.get("id") for r in rows).items() if n > 1]
    keys = [item.get("key") for row in rows for item in row.get("data", [])]
    problems += [f"layout key {k!r} is used twice" for k, n in Counter(keys).items() if n > 1]
    for row in rows:
        width = sum(float(item.get("data", {}).get("width", 0)) for item in row.get("data", []))
        if round(width, 6) > 100:
            problems.append(f"layout row {row.get('id')!r} is {width:g}% wide")
        for item in row.get("data", []):
            problems += _item_problems(item, described)
    problems += [f"widget {k!r} is not in the layout" for k in described if k not in keys]
    return problems


def _item_problems(item: dict[str, Any], described: dict[Any, dict[str, Any]]) -> list[str]:
    key, data = item.get("key"), item.get("data", {})
    if key == HEADER_KEY:
        return []
    if key not in described:
        return [f"layout key {key!r} names no widget in widgets_data"]
    widget = described[key].get("data", {})
    problems = [
        f"widget {key!r}: the layout's {name} differs from widgets_data's"
        for name in ("phrase", "time_frame", "viewOptions")
        if data.get(name) != widget.get(name)
    ]
    try:
        view = parse_query(data.get("phrase", "")).view
    except XqlError as exc:
        return [*problems, f"widget {key!r}: {exc}"]
    if data.get("viewOptions") != view_options(view):
        problems.append(f"widget {key!r}: viewOptions do not match the query's view stage")
    return problems
