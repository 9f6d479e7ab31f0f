"""The XQL examples in the pack README, run on what the integration delivers from the emulator: each parses,
returns rows, and every column it shows has values (a misspelt field would show only nulls)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from devkit.engine import DATASET
from devkit.xql import load_rules, parse_query, run_query

PACK = Path(__file__).resolve().parents[2] / "Packs" / "Docusign"
QUERIES = re.findall(r"```xql\n(.*?)```", (PACK / "README.md").read_text(encoding="utf-8"), re.S)
RULES = load_rules(PACK / "ModelingRules" / "Docusign")


def test_the_readme_has_the_analyst_queries() -> None:
    assert len(QUERIES) >= 5
    assert any(parse_query(q).datamodel for q in QUERIES) and any(not parse_query(q).datamodel for q in QUERIES)


def with_a_real_user(query: str, events: list[dict[str, Any]]) -> str:
    """The README's USER-ID placeholder replaced by a user with both activity and an audit-users record."""
    recorded = {e["userId"] for e in events if e["source_log_type"] == "auditusers"}
    active = [e["userId"] for e in events if e["source_log_type"] == "customerevent" and e["userId"] in recorded]
    return query.replace("USER-ID", active[0])


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.splitlines()[1][:60])
def test_readme_query_returns_rows_with_values_in_every_column(query: str, sent_events: list[dict[str, Any]]) -> None:
    warnings: list[Any] = []
    rows = run_query(with_a_real_user(query, sent_events), {DATASET: sent_events}, RULES, warnings)
    assert rows, query
    assert not warnings
    columns = {name for row in rows for name in row}
    empty = sorted(c for c in columns if all(row.get(c) in (None, "", []) for row in rows))
    assert not empty, f"columns with no value in any row: {empty}"


def test_one_users_query_shows_the_record_and_the_activity(sent_events: list[dict[str, Any]]) -> None:
    query = with_a_real_user(next(q for q in QUERIES if "USER-ID" in q), sent_events)
    types = {row["xdm.event.type"] for row in run_query(query, {DATASET: sent_events}, RULES)}
    assert "User Info" in types and len(types) > 1
