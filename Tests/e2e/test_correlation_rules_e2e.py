"""The pack's correlation rules, run offline as XSIAM schedules them, over what the integration delivered from the
emulator: on a benign day they stay silent (the Monitor-alert rules pass DocuSign's own alerts through, once
each); on the same day with every attack scenario planted (devkit/emulator/scenarios.py) each attack raises its
alert, once, about the right user or address, and nothing else is raised."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest

from devkit.emulator.events import MAX_INGEST_DELAY_SECONDS
from devkit.engine import DATASET
from devkit.xql import load_rules, parse_query, run_query
from devkit.xql.correlation import ModelOnce, load_correlation_rules

PACK = Path(__file__).resolve().parents[2] / "Packs" / "Docusign"
RULES = {rule.name: rule for rule in load_correlation_rules(PACK / "CorrelationRules")}
MONITOR_RULES = {name for name in RULES if name.startswith("Docusign_Correlation_MonitorAlert")}
"""DocuSign's own alerts, passed through: they raise on benign days too, one XSIAM alert per Monitor alert."""
INGEST_DELAY = dt.timedelta(seconds=MAX_INGEST_DELAY_SECONDS)


MODELING = ModelOnce(load_rules(PACK / "ModelingRules" / "Docusign"))


def alerts(name: str, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return RULES[name].alerts(events, DATASET, MODELING, INGEST_DELAY)


def subject_field(name: str) -> str:
    """The row field naming whom or what the alert is about: its user, else its address."""
    mapped = RULES[name].doc["alert_fields"]
    return str(mapped.get("actor_effective_username") or mapped["action_local_ip"])


def monitor_alerts(events: list[dict[str, Any]], name: str) -> list[str]:
    """The ids of DocuSign Monitor alerts among ``events`` that the Monitor-alert rule ``name`` passes on."""
    ids = {e["eventId"] for e in events if e.get("object") == "Alert"}
    return sorted(row["xdm.alert.original_alert_id"] for row in run_query(RULES[name].query, {DATASET: [
        e for e in events if e.get("eventId") in ids]}, MODELING))  # fmt: skip


def test_every_rule_is_scheduled_for_docusigns_ingestion_delay_and_its_query_parses() -> None:
    assert len(RULES) >= 10
    for name, rule in RULES.items():
        assert rule.doc["execution_mode"] == "SCHEDULED", name
        # Every event is searched by a run that starts after DocuSign made it readable.
        assert rule.window >= rule.every + INGEST_DELAY, name
        assert rule.suppression_fields and rule.suppression >= rule.window, name
        assert rule.doc["mitre_defs"] or name in MONITOR_RULES, name
        parse_query(rule.query)


@pytest.mark.parametrize("name", sorted(RULES))
def test_rule_is_silent_on_a_benign_day(name: str, sent_events: list[dict[str, Any]]) -> None:
    raised = alerts(name, sent_events)
    if name in MONITOR_RULES:  # DocuSign's own alerts, each passed on once
        assert sorted(row["xdm.alert.original_alert_id"] for row in raised) == monitor_alerts(sent_events, name)
    else:
        assert raised == []


@pytest.fixture(scope="module")
def attacked_alerts(attacked_day: tuple[list[dict[str, Any]], list[Any]]) -> dict[str, list[dict[str, Any]]]:
    events, _ = attacked_day
    return {name: alerts(name, events) for name in RULES}


def test_every_planted_attack_raises_its_alert_once_about_its_subject_and_nothing_else_is_raised(
    attacked_day: tuple[list[dict[str, Any]], list[Any]], attacked_alerts: dict[str, list[dict[str, Any]]]
) -> None:
    events, attacks = attacked_day
    expected = sorted((attack.alert_name, attack.subject) for attack in attacks)
    raised = sorted(
        (RULES[name].alert_name, str(row[subject_field(name)]))
        for name, rows in attacked_alerts.items()
        if name not in MONITOR_RULES
        for row in rows
    )
    assert raised == expected
    assert len({attack.scenario for attack in attacks}) >= 10
    for name in MONITOR_RULES:  # the planted credential leak is not passed on twice
        passed = sorted(row["xdm.alert.original_alert_id"] for row in attacked_alerts[name])
        assert passed == monitor_alerts(events, name)


def test_every_alert_says_what_its_description_promises(attacked_alerts: dict[str, list[dict[str, Any]]]) -> None:
    for name, rows in attacked_alerts.items():
        doc = RULES[name].doc
        placeholders = re.findall(r"\$(\w+(?:\.\w+)*)", doc["alert_description"])
        mapped = [*doc["alert_fields"].values(), *RULES[name].suppression_fields]
        for row in rows[:5]:
            for field in placeholders + mapped:
                assert row.get(field) not in (None, "", []), (name, field, row)


def test_thresholds_are_not_met_by_a_few_of_the_attack(
    attacked_day: tuple[list[dict[str, Any]], list[Any]], sent_events: list[dict[str, Any]]
) -> None:
    """A third of a burst (e.g. 2 failed logins, 8 downloads) on a benign day raises nothing."""
    events, attacks = attacked_day
    delivered = {e["eventId"]: e for e in events if e.get("source_log_type") == "customerevent"}
    bursts = {"brute-force": "Docusign_Correlation_FailedLogins.yml",
              "password-spraying": "Docusign_Correlation_PasswordSpraying.yml",
              "bulk-download": "Docusign_Correlation_BulkDownloads.yml",
              "mass-void": "Docusign_Correlation_MassVoids.yml"}  # fmt: skip
    for attack in attacks:
        if attack.scenario in bursts:
            burst = [delivered[event["eventId"]] for _, event in attack.events]
            few = burst[: len(burst) // 3]
            assert alerts(bursts[attack.scenario], sent_events + few) == [], attack.scenario
