"""Correlation rules scheduled offline: which runs see which events, and what suppression holds back."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from devkit.xql import XqlError
from devkit.xql.correlation import CorrelationRule, duration, period

DATASET = "logins_raw"
QUERY = 'dataset = logins_raw | filter result = "failed" | comp count() as failures by user | filter failures >= 2'


def write_rule(folder: Path, **overrides: Any) -> CorrelationRule:
    doc = {
        "alert_name": "Many failures",
        "xql_query": QUERY,
        "crontab": "*/10 * * * *",
        "search_window": "20 minutes",
        "suppression_enabled": True,
        "suppression_duration": "1 hours",
        "suppression_fields": "user",
        **overrides,
    }
    path = folder / "rule.yml"
    path.write_text(yaml.safe_dump(doc))
    return CorrelationRule.load(path)


def failures(user: str, *minutes: float) -> list[dict[str, Any]]:
    start = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)
    return [
        {
            "_time": (start + dt.timedelta(minutes=m)).isoformat().replace("+00:00", "Z"),
            "user": user,
            "result": "failed",
        }
        for m in minutes
    ]


def test_durations_and_crontabs_are_read_as_xsiam_writes_them() -> None:
    assert duration("20 minutes") == dt.timedelta(minutes=20)
    assert duration("1 hours") == duration("1 hour") == dt.timedelta(hours=1)
    assert duration("1 days") == dt.timedelta(days=1)
    assert period("*/10 * * * *") == dt.timedelta(minutes=10)
    assert period("0 * * * *") == dt.timedelta(hours=1)
    with pytest.raises(XqlError, match="not a duration"):
        duration("soon")
    with pytest.raises(XqlError, match="only"):
        period("0 9 * * 1")


def test_overlapping_runs_raise_once_thanks_to_suppression(tmp_path: Path) -> None:
    rule = write_rule(tmp_path)
    events = failures("ann", 1, 2, 3)
    raised = rule.alerts(events, DATASET, None, dt.timedelta(0))
    assert [(row["user"], row["failures"]) for row in raised] == [("ann", 3)]  # the 12:10 and 12:20 runs both see it
    unsuppressed = write_rule(tmp_path, suppression_enabled=False)
    assert len(unsuppressed.alerts(events, DATASET, None, dt.timedelta(0))) == 2


def test_a_run_searches_only_what_was_readable_when_it_ran(tmp_path: Path) -> None:
    """Failures at 12:08 and 12:09, readable five minutes later: the 12:10 run misses them, the 12:20 run (over
    12:00-12:20) catches them; a 10-minute window would have lost them for good."""
    late = failures("bob", 8, 9)
    assert len(write_rule(tmp_path).alerts(late, DATASET, None, dt.timedelta(minutes=5))) == 1
    short = write_rule(tmp_path, search_window="10 minutes")
    assert short.alerts(late, DATASET, None, dt.timedelta(minutes=5)) == []


def test_suppression_lapses_after_its_duration(tmp_path: Path) -> None:
    rule = write_rule(tmp_path, suppression_duration="20 minutes")
    raised = rule.alerts(failures("cy", 1, 2, 41, 42), DATASET, None, dt.timedelta(0))
    assert [row["failures"] for row in raised] == [2, 2]


def test_a_query_warning_fails_the_run(tmp_path: Path) -> None:
    rule = write_rule(tmp_path, xql_query='dataset = logins_raw | alter n = extract_time(_time, "FORTNIGHT")')
    with pytest.raises(XqlError, match="rule.yml"):
        rule.alerts(failures("not-a-number", 1), DATASET, None, dt.timedelta(0))
