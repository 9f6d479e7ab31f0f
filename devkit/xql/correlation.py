"""XSIAM correlation rules run offline as XSIAM schedules them: every run of the crontab searches its window of
the dataset (only the events the source had made readable by then), and suppression holds back an alert whose
suppression fields repeat within the suppression duration.

    rule = CorrelationRule.load("Packs/Docusign/CorrelationRules/Docusign_Correlation_FailedLogins.yml")
    raised = rule.alerts(events, "docusign_docusign_raw", modeling_rules, ingest_delay=dt.timedelta(minutes=5))
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import XqlError, XqlWarning
from .evaluator import RuleSet
from .query import run_query


def duration(text: str) -> dt.timedelta:
    """A search window or suppression duration: "20 minutes", "1 hours", "1 days"."""
    match = re.fullmatch(r"\s*(\d+)\s+(minute|hour|day)s?\s*", text)
    if not match:
        raise XqlError(f"not a duration: {text!r} (use e.g. '20 minutes', '1 hours', '1 days')")
    return dt.timedelta(**{match.group(2) + "s": int(match.group(1))})


def period(crontab: str) -> dt.timedelta:
    """How often a crontab runs, for the two shapes correlation rules use: every N minutes, or hourly."""
    fields = crontab.split()
    if len(fields) == 5 and fields[1:] == ["*"] * 4:
        if fields[0].startswith("*/") and fields[0][2:].isdigit():
            return dt.timedelta(minutes=int(fields[0][2:]))
        if fields[0].isdigit():
            return dt.timedelta(hours=1)
    raise XqlError(f"crontab {crontab!r}: only '*/N * * * *' and 'M * * * *' are simulated offline")


def event_time(event: dict[str, Any]) -> dt.datetime:
    return dt.datetime.fromisoformat(str(event["_time"]).replace("Z", "+00:00"))


@dataclass(frozen=True)
class CorrelationRule:
    """The parts of a correlation rule file that decide what it raises."""

    name: str
    alert_name: str
    query: str
    every: dt.timedelta
    window: dt.timedelta
    suppression_fields: tuple[str, ...]
    suppression: dt.timedelta
    doc: dict[str, Any]

    @classmethod
    def load(cls, path: Path | str) -> CorrelationRule:
        doc = yaml.safe_load(Path(path).read_text())
        fields = tuple(f.strip() for f in str(doc.get("suppression_fields") or "").split(",") if f.strip())
        enabled = bool(doc.get("suppression_enabled"))
        return cls(
            name=Path(path).name,
            alert_name=doc["alert_name"],
            query=doc["xql_query"],
            every=period(doc["crontab"]),
            window=duration(doc["search_window"]),
            suppression_fields=fields if enabled else (),
            suppression=duration(doc["suppression_duration"]) if enabled else dt.timedelta(0),
            doc=doc,
        )

    def runs(
        self, events: list[dict[str, Any]], ingest_delay: dt.timedelta
    ) -> Iterator[tuple[dt.datetime, list[dict[str, Any]]]]:
        """Each scheduled run over ``events`` and what it searches: the events of its window that had become
        readable by then (``ingest_delay`` after they happened, at worst)."""
        if not events:
            return
        timed = sorted(((event_time(e), i) for i, e in enumerate(events)), key=lambda pair: pair[0])
        times = [t for t, _ in timed]
        run = times[0].replace(minute=0, second=0, microsecond=0)
        while run <= times[-1] + self.window + ingest_delay + self.every:
            low, high = bisect.bisect_left(times, run - self.window), bisect.bisect_right(times, run - ingest_delay)
            yield run, [events[i] for t, i in timed[low:high] if t < run]
            run += self.every

    def alerts(
        self, events: list[dict[str, Any]], dataset: str, rules: RuleSet | None, ingest_delay: dt.timedelta
    ) -> list[dict[str, Any]]:
        """The rows that become alerts: every run's rows, less those suppression holds back. Raises XqlError
        when the query warns (a misspelt field, a bad value) rather than return what XSIAM would not."""
        last: dict[tuple[str, ...], dt.datetime] = {}
        raised = []
        for run, window in self.runs(events, ingest_delay):
            warnings: list[XqlWarning] = []
            for row in run_query(self.query, {dataset: window}, rules, warnings) if window else []:
                key = tuple(str(row.get(f)) for f in self.suppression_fields)
                if self.suppression_fields and key in last and run - last[key] < self.suppression:
                    continue
                last[key] = run
                raised.append(row)
            if warnings:
                raise XqlError(f"{self.name}: {warnings[0]}")
        return raised


def load_correlation_rules(folder: Path | str) -> list[CorrelationRule]:
    return [CorrelationRule.load(path) for path in sorted(Path(folder).glob("*.yml"))]


class ModelOnce(RuleSet):
    """Modeling rules that model each event once, however many overlapping runs of however many rules read it."""

    def __init__(self, rules: RuleSet) -> None:
        super().__init__(rules.files, rules.load_warnings)
        self._rows: dict[int, tuple[dict[str, Any], dict[str, Any]]] = {}

    def model(
        self, dataset: str, raw_event: dict[str, Any], warnings: list[XqlWarning] | None = None
    ) -> dict[str, Any]:
        if id(raw_event) not in self._rows:  # the event is kept with its row, so its id is not reused
            self._rows[id(raw_event)] = (raw_event, super().model(dataset, raw_event, warnings))
        return dict(self._rows[id(raw_event)][1])
