"""War-room output for a terminal: markdown tables become aligned text, errors read as on the platform."""

from __future__ import annotations

import json
import re
from typing import Any

from devkit.engine.runner import ERROR_ENTRY_TYPE, RunResult

_SEPARATOR_ROW = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
MAX_CELL = 60
MAX_JSON_LINES = 40


def render_result(result: RunResult, show_logs: bool = False, verbose: bool = False) -> str:
    """Everything a person wants to see after one command."""
    blocks = [render_entry(entry) for entry in result.entries]
    if result.error and not any(entry.get("Type") == ERROR_ENTRY_TYPE for entry in result.entries):
        # Crashes, timeouts and uncaught exceptions leave no entry; show them the same way.
        blocks.append(f"Error: {result.error}")
    if verbose and result.traceback:
        blocks.append(result.traceback.rstrip())
    if show_logs and result.logs:
        blocks.append("Logs:\n" + "\n".join(f"  [{level}] {message}" for level, message in result.logs))
    if verbose and result.stderr.strip():
        blocks.append("stderr:\n" + result.stderr.rstrip())
    blocks.append(summary_line(result))
    return "\n\n".join(block for block in blocks if block)


def summary_line(result: RunResult) -> str:
    """One line per run: how it ended, where events went, whether last run moved, and what the run said on the
    instance's health (a half-failed fetch is "ok" with an error there)."""
    sent = ", ".join(f"{dataset}={count}" for dataset, count in sorted(result.events_sent.items())) or "none"
    state = "last run advanced" if result.state_saved and result.last_run_changed else "last run unchanged"
    line = f"[{result.command}] {result.status} in {result.duration:.2f} s; events sent: {sent}; {state}"
    errors, warnings = health_messages(result)
    if errors:
        line += "; health error: " + " | ".join(errors)
    if warnings:
        line += "; health: " + " | ".join(warnings)
    return line


def health_messages(result: RunResult) -> tuple[list[str], list[str]]:
    """The run's module-health messages (errors, then the rest); counters such as eventsPulled are left out."""
    errors: list[str] = []
    warnings: list[str] = []
    for item in result.module_health:
        data, is_error = (
            (item[0], bool(item[1])) if isinstance(item, list | tuple) and len(item) == 2 else (item, False)
        )
        if isinstance(data, str) and data.strip():
            (errors if is_error else warnings).append(data.strip())
    return errors, warnings


def render_entry(entry: dict[str, Any]) -> str:
    if entry.get("Type") == ERROR_ENTRY_TYPE:
        return f"Error: {entry.get('Contents')}"
    human = entry.get("HumanReadable")
    if human:
        return render_markdown(str(human))
    contents = entry.get("Contents")
    if contents is None:
        return ""
    if isinstance(contents, str):
        return contents
    lines = json.dumps(contents, indent=2, default=str).splitlines()
    if len(lines) > MAX_JSON_LINES:
        lines = [*lines[:MAX_JSON_LINES], f"... ({len(lines) - MAX_JSON_LINES} more lines)"]
    return "\n".join(lines)


def render_markdown(text: str, max_cell: int = MAX_CELL) -> str:
    """The subset integrations emit: headings, pipe tables, bold; other lines pass through."""
    out: list[str] = []
    table: list[str] = []

    def flush_table() -> None:
        if table:
            out.extend(_render_table(table, max_cell))
            table.clear()

    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("|"):
            table.append(stripped)
            continue
        flush_table()
        heading = _HEADING.match(stripped)
        if heading:
            title = _BOLD.sub(r"\1", heading.group(2))
            out.extend([title, ("=" if len(heading.group(1)) <= 2 else "-") * len(title)])
        else:
            out.append(_BOLD.sub(r"\1", line))
    flush_table()
    return "\n".join(out).strip("\n")


def _render_table(lines: list[str], max_cell: int) -> list[str]:
    rows = [_cells(line) for line in lines if not _SEPARATOR_ROW.match(line)]
    if not rows:
        return []
    width = max(len(row) for row in rows)
    rows = [[_clip(cell, max_cell) for cell in row] + [""] * (width - len(row)) for row in rows]
    widths = [max(len(row[i]) for row in rows) for i in range(width)]

    def join(row: list[str]) -> str:
        return "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip()

    header, *body = rows
    return [join(header), join(["-" * w for w in widths]), *(join(row) for row in body)]


def _cells(line: str) -> list[str]:
    inner = line.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    if inner.endswith("|") and not inner.endswith("\\|"):
        inner = inner[:-1]
    return [
        cell.strip().replace("\\|", "|").replace("<br>", " ").replace("<br/>", " ")
        for cell in _UNESCAPED_PIPE.split(inner)
    ]


def _clip(cell: str, limit: int) -> str:
    return cell if len(cell) <= limit else cell[: limit - 1] + "…"
