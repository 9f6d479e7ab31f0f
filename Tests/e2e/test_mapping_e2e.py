"""The pack's schema and modeling rules against what the integration really sends, from emulator data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from devkit.engine import DATASET
from devkit.xql import load_rules
from devkit.xql.schema import check_events_against_schema

MODELING = Path(__file__).resolve().parents[2] / "Packs" / "Docusign" / "ModelingRules"
RULE_DIRS = sorted(p for p in MODELING.iterdir() if p.is_dir())


@pytest.mark.parametrize("rule_dir", RULE_DIRS, ids=lambda p: p.name)
def test_schema_declares_every_field_the_integration_sends(rule_dir: Path, sent_events: list[dict[str, Any]]) -> None:
    kinds = {e["source_log_type"] for e in sent_events}
    assert kinds == {"customerevent", "auditusers"}
    schema = json.loads((rule_dir / f"{rule_dir.name}_schema.json").read_text())
    problems = check_events_against_schema(schema, DATASET, sent_events)
    assert not problems, "\n".join(problems[:20])


@pytest.mark.parametrize("rule_dir", RULE_DIRS, ids=lambda p: p.name)
def test_every_sent_event_is_modeled(rule_dir: Path, sent_events: list[dict[str, Any]]) -> None:
    rules = load_rules(rule_dir)
    unmodeled = [e.get("eventId") or e.get("userId") for e in sent_events if not rules.model(DATASET, e)]
    assert not unmodeled
    users = [rules.model(DATASET, e) for e in sent_events if e["source_log_type"] == "auditusers"]
    disabled = [row.get("xdm.target.user.is_disabled") for row in users]
    assert False in disabled  # active users are not modeled as disabled (the public pack's defect)
