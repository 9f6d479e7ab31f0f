"""The pack's XSIAM dashboards and weekly report, evaluated offline on a day of what the integration delivers from
the emulator (attacks planted, so that every widget has something to show): every widget's query evaluates in its
time frame without a warning, returns rows, and gives its view what it draws (numbers on the y axes, a label for
every bar or slice); the files are built as XSIAM expects, and each has a picture beside it."""

from __future__ import annotations

import datetime as dt
import json
import struct
from pathlib import Path
from typing import Any

import pytest
import yaml

from devkit.dashboards import Board, Widget, evaluate_board, load_boards, structure_problems
from devkit.dashboards.evaluate import WidgetResult, evaluate_widget, newest
from devkit.engine import DATASET
from devkit.xql import Premodeled, load_rules

PACK = Path(__file__).resolve().parents[2] / "Packs" / "Docusign"
BOARDS = load_boards(PACK)
WIDGETS = [(board, widget) for board in BOARDS for widget in board.widgets]
# The 8.4.0 rule (the dashboards' fromVersion) and the one XSIAM 8.15.0 and later use.
RULE_DIRS = ("Docusign", "Docusign_2_11")


@pytest.fixture(scope="module")
def day_events(attacked_day: tuple[list[dict[str, Any]], list[Any]]) -> list[dict[str, Any]]:
    """A day of emulator data with the attack scenarios planted: a benign day has no closed user still active."""
    return attacked_day[0]


@pytest.fixture(scope="module")
def modeled(day_events: list[dict[str, Any]]) -> dict[str, Premodeled]:
    return {name: Premodeled(load_rules(PACK / "ModelingRules" / name), DATASET, day_events) for name in RULE_DIRS}


@pytest.fixture(scope="module")
def results(day_events: list[dict[str, Any]], modeled: dict[str, Premodeled]) -> dict[str, WidgetResult]:
    """Every widget's result with the 8.4.0 rule, by title (titles are unique in a board, boards by name)."""
    found = {}
    for board in BOARDS:
        for result in evaluate_board(board, day_events, modeled["Docusign"]):
            found[f"{board.name}/{result.widget.title}"] = result
    return found


def test_the_pack_has_three_dashboards_and_a_weekly_report() -> None:
    assert sorted((b.kind, b.name) for b in BOARDS) == [
        ("dashboard", "DocuSign Documents"),
        ("dashboard", "DocuSign Identity"),
        ("dashboard", "DocuSign Overview"),
        ("report", "DocuSign weekly security summary"),
    ]
    report = next(b for b in BOARDS if b.kind == "report")
    assert {w.relative_time_ms for w in report.widgets} == {7 * 86_400_000}


@pytest.mark.parametrize("rule", RULE_DIRS)
@pytest.mark.parametrize(("board", "widget"), WIDGETS, ids=[f"{b.name}/{w.title}" for b, w in WIDGETS])
def test_widget_evaluates_to_rows_its_view_can_draw(
    board: Board, widget: Widget, rule: str, day_events: list[dict[str, Any]], modeled: dict[str, Premodeled]
) -> None:
    rules = modeled[rule]
    result = evaluate_widget(widget, day_events, rules, newest(day_events))
    assert result.error is None
    assert result.rows, f"{board.name} / {widget.title}: no rows"
    assert not rules.warnings + result.warnings
    assert not result.problems, result.problems


def test_failed_logins_counts_the_failed_logins_of_the_last_day(
    day_events: list[dict[str, Any]], results: dict[str, WidgetResult]
) -> None:
    since = newest(day_events) - dt.timedelta(days=1)
    failed = [
        e for e in day_events if e.get("action") == "Login" and e.get("result") == "Failure" and _when(e) >= since
    ]
    assert results["DocuSign Overview/Failed logins"].rows == [{"failed_logins": len(failed)}]


def test_closed_users_still_active_are_the_closed_users_who_acted_after_their_latest_record(
    day_events: list[dict[str, Any]], results: dict[str, WidgetResult]
) -> None:
    latest: dict[str, dict[str, Any]] = {}
    for record in sorted((e for e in day_events if e["source_log_type"] == "auditusers"), key=_when):
        latest[record["userId"]] = record
    closed = {uid: r for uid, r in latest.items() if str(r.get("userStatus")).lower() in ("closed", "disabled")}
    acted: dict[str, int] = {}
    for event in (e for e in day_events if e["source_log_type"] == "customerevent"):
        closing = closed.get(event.get("userId", ""))
        if closing and _when(event) > _when(closing):
            acted[closing["email"]] = acted.get(closing["email"], 0) + 1
    rows = results["DocuSign Identity/Closed users still active"].rows
    assert acted, "the emulator's day should hold activity by closed users"
    assert {r["user"]: r["events_after_closing"] for r in rows} == acted
    assert all(r["last_activity"] > r["closed_at"] for r in rows)


def test_privilege_changes_hold_both_profile_changes_and_administrators_records(
    results: dict[str, WidgetResult],
) -> None:
    rows = results["DocuSign Identity/Recent privilege changes"].rows
    assert any(r["subject"].startswith("Permission profile ") and " -> " in r["change"] for r in rows)
    assert any(r["change"].startswith("Administrator's record changed") and "@" in r["subject"] for r in rows)
    assert [r["_time"] for r in rows] == sorted((r["_time"] for r in rows), reverse=True)


def test_the_week_at_a_glance_has_a_line_per_measure(results: dict[str, WidgetResult]) -> None:
    rows = results["DocuSign weekly security summary/The week at a glance"].rows
    measures = {r["measure"]: r["events"] for r in rows}
    assert {"Logins: success", "Logins: failed", "DocuSign Monitor alerts", "Envelopes voided"} <= set(measures)
    assert all(isinstance(n, int) and n > 0 for n in measures.values())


@pytest.mark.parametrize("board", BOARDS, ids=[b.path.name for b in BOARDS])
def test_file_is_built_as_xsiam_expects(board: Board) -> None:
    assert structure_problems(board.path) == []
    keys = [w.key for w in board.widgets]
    assert len(keys) == len(set(keys)) and all(k.startswith("xql_") for k in keys)
    from_version = yaml.safe_load((PACK / "ModelingRules" / "Docusign" / "Docusign.yml").read_text())["fromversion"]
    assert board.path.read_text().count(f'"fromVersion": "{from_version}"') == 1


def test_dashboard_and_report_ids_are_unique_in_the_pack() -> None:
    ids = []
    for board in BOARDS:
        document = json.loads(board.path.read_text())
        ids += [entry["id"] for entry in document.get("dashboards_data", []) + document.get("templates_data", [])]
    assert len(ids) == len(set(ids)) == len(BOARDS)


@pytest.mark.parametrize("board", BOARDS, ids=[b.path.name for b in BOARDS])
def test_picture_beside_the_file_is_a_png_of_sensible_size(board: Board) -> None:
    data = board.image.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    assert 800 <= width <= 2400 and 400 <= height <= 4000
    assert 10_000 < len(data) < 300 * 1024
    assert board.readme_image.read_bytes() == data, "the README's copy in doc_files is another picture"


def _when(event: dict[str, Any]) -> dt.datetime:
    return dt.datetime.fromisoformat(str(event["_time"]).replace("Z", "+00:00"))
