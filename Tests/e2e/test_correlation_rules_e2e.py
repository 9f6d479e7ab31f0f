"""The pack's correlation rules, run offline as XSIAM schedules them: each rule's query over every search window of
a day of emulator data (what the integration delivered), silent on that benign day, firing on the attack planted
into it, once per attack."""

from __future__ import annotations

import copy
import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml

from devkit.engine import DATASET
from devkit.xql import RuleSet, XqlWarning, load_rules, parse_query, run_query

PACK = Path(__file__).resolve().parents[2] / "Packs" / "Docusign"
RULE_FILES = sorted((PACK / "CorrelationRules").glob("*.yml"))


class ModelOnce(RuleSet):
    """The pack's modeling rules, each delivered event modeled once however many windows and runs read it."""

    def __init__(self, rules: RuleSet) -> None:
        super().__init__(rules.files, rules.load_warnings)
        self._rows: dict[int, tuple[dict[str, Any], dict[str, Any]]] = {}

    def model(
        self, dataset: str, raw_event: dict[str, Any], warnings: list[XqlWarning] | None = None
    ) -> dict[str, Any]:
        if id(raw_event) not in self._rows:  # the event is kept with its row, so its id is not reused
            self._rows[id(raw_event)] = (raw_event, super().model(dataset, raw_event, warnings))
        return dict(self._rows[id(raw_event)][1])


MODELING = ModelOnce(load_rules(PACK / "ModelingRules" / "Docusign"))


def rule(name: str) -> dict[str, Any]:
    return dict(yaml.safe_load((PACK / "CorrelationRules" / name).read_text()))


def when(event: dict[str, Any]) -> dt.datetime:
    return dt.datetime.fromisoformat(str(event["_time"]).replace("Z", "+00:00"))


def alerts(query: str, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What the rule raises when it runs every 10 minutes over the last 10 minutes of ``events``."""
    windows: dict[dt.datetime, list[dict[str, Any]]] = {}
    for event in events:
        moment = when(event)
        start = moment.replace(minute=moment.minute // 10 * 10, second=0, microsecond=0)
        windows.setdefault(start, []).append(event)
    return [row for start in sorted(windows) for row in run_query(query, {DATASET: windows[start]}, MODELING)]


def planted(template: dict[str, Any], at: dt.datetime, n: int, **fields: Any) -> list[dict[str, Any]]:
    """``n`` copies of a delivered event, 20 seconds apart from ``at``, as the integration would deliver them."""
    out = []
    for i in range(n):
        event = copy.deepcopy(template)
        moment = at + dt.timedelta(seconds=20 * i)
        stamp = moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        event.update(eventId=str(uuid.uuid4()), timestamp=stamp, _time=stamp, **fields)
        out.append(event)
    return out


def first(events: list[dict[str, Any]], **match: str) -> dict[str, Any]:
    return next(e for e in events if all(e.get(k) == v for k, v in match.items()))


def attack_time(events: list[dict[str, Any]]) -> dt.datetime:
    """One minute into a window in the middle of the day, so that the attack lies in one search window."""
    middle = min(when(e) for e in events) + (max(when(e) for e in events) - min(when(e) for e in events)) / 2
    return middle.replace(minute=middle.minute // 10 * 10, second=0, microsecond=0) + dt.timedelta(minutes=1)


def test_every_rule_is_scheduled_for_docusigns_ingestion_and_its_query_parses() -> None:
    assert len(RULE_FILES) >= 3
    for path in RULE_FILES:
        doc = yaml.safe_load(path.read_text())
        assert (doc["execution_mode"], doc["crontab"], doc["search_window"]) == (
            "SCHEDULED",
            "*/10 * * * *",
            "10 minutes",
        )
        assert doc["suppression_enabled"] and doc["suppression_fields"]
        parse_query(doc["xql_query"])


@pytest.mark.parametrize(
    ("name", "action", "count"),
    [
        ("Docusign_Correlation_FailedLogins.yml", {"object": "User", "action": "Login", "result": "Failure"}, 8),
        ("Docusign_Correlation_BulkDownloads.yml", {"object": "Envelope", "action": "Downloaded"}, 25),
        ("Docusign_Correlation_MassVoids.yml", {"object": "Envelope", "action": "Voided"}, 12),
    ],
)
def test_rule_is_silent_on_a_benign_day_and_fires_once_on_the_planted_attack(
    name: str, action: dict[str, str], count: int, sent_events: list[dict[str, Any]]
) -> None:
    query = rule(name)["xql_query"]
    assert alerts(query, sent_events) == []
    victim = str(uuid.uuid4())
    attack = planted(first(sent_events, **action), attack_time(sent_events), count, userId=victim)
    raised = alerts(query, sent_events + attack)
    assert [a["xdm.source.user.identifier"] for a in raised] == [victim]
    below = alerts(query, sent_events + attack[: count // 4])  # a few of them are not an attack
    assert below == []


def test_every_monitor_alert_becomes_one_xsiam_alert(sent_events: list[dict[str, Any]]) -> None:
    monitor_alerts = [e for e in sent_events if e.get("object") == "Alert"]
    raised = alerts(rule("Docusign_Correlation_MonitorAlert.yml")["xql_query"], sent_events)
    assert monitor_alerts and len(raised) == len(monitor_alerts)
    assert {a["xdm.alert.name"] for a in raised} == {e["action"] for e in monitor_alerts}


def test_spraying_fires_for_the_ip_that_fails_many_users_not_for_one_user_failing_often(
    sent_events: list[dict[str, Any]],
) -> None:
    query = rule("Docusign_Correlation_PasswordSpraying.yml")["xql_query"]
    assert alerts(query, sent_events) == []
    template = first(sent_events, object="User", action="Login", result="Failure")
    at, sprayer = attack_time(sent_events), "203.0.113.77"
    spray = [e for _ in range(6) for e in planted(template, at, 1, userId=str(uuid.uuid4()), ipAddress=sprayer)]
    assert [a["xdm.source.ipv4"] for a in alerts(query, sent_events + spray)] == [sprayer]
    one_user = planted(template, at, 6, userId=str(uuid.uuid4()), ipAddress=sprayer)
    assert alerts(query, sent_events + one_user) == []
