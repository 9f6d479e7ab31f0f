"""Respond end to end: look a user up, close the memberships, see the change in the next fetch, re-activate."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from devkit.emulator import Emulator, ManualClock
from devkit.engine import DATASET, Engine, RunResult
from devkit.wiring import CONSENT_COMMAND, follow_consent_link
from devkit.xql import load_rules, run_query

from .conftest import INTEGRATION_KEY, EmulatorFactory, EngineFor, KeyPair

PACK = Path(__file__).resolve().parents[2] / "Packs" / "Docusign"
CLOSE = "docusign-user-memberships-close"
ACTIVATE = "docusign-user-membership-activate"


def context(result: RunResult, prefix: str) -> Any:
    for entry in result.entries:
        for key, value in (entry.get("EntryContext") or {}).items():
            if key.split("(")[0] == prefix:
                return value
    raise AssertionError(f"no {prefix} in {result.command}'s entries: {result.entries}")


def user_records(engine: Engine, user_id: str) -> list[dict[str, Any]]:
    return [
        e for e in engine.sink_events(DATASET) if e.get("source_log_type") == "auditusers" and e["userId"] == user_id
    ]


def account_events(engine: Engine, user_id: str) -> list[dict[str, Any]]:
    """Customer events recording an administrator's change to the user's membership."""
    return [
        e
        for e in engine.sink_events(DATASET)
        if e.get("source_log_type") == "customerevent"
        and e["object"] == "Account"
        and e.get("affectedUserId") == user_id
    ]


def test_close_then_the_next_fetch_delivers_it_then_activate_restores(
    emulator_factory: EmulatorFactory, engine_for: EngineFor, keypair: KeyPair
) -> None:
    clock = ManualClock(start=datetime.now(UTC).timestamp())
    emulator = emulator_factory(events=10, users=120, clock=clock)
    emulator.grant_consent(INTEGRATION_KEY, emulator.org.admin_user_id, ["user_write"])
    engine = engine_for(emulator, first_fetch="3 days", allow_response_actions=True)
    assert engine.run("fetch-events").ok
    org = emulator.org
    target = next(u for u in org.users if u.status == "Active" and not u.is_org_admin and u.id != org.admin_user_id)
    assert not account_events(engine, target.id)

    looked_up = engine.run("docusign-user-get", {"email": target.email})
    assert looked_up.ok, looked_up.error
    user = context(looked_up, "Docusign.User")
    assert user["id"] == target.id and [m["status"] for m in user["memberships"]] == ["active"]
    assert user["esignature"]["userStatus"] == "Active" and user["esignature"]["accountId"] == org.account_id

    clock.advance(120)
    emulator.reset_stats()
    closed = engine.run(CLOSE, {"user_id": target.id, "reason": "e2e alert 1"})
    assert closed.ok, closed.error
    (action,) = context(closed, "Docusign.MembershipAction")
    assert (action["result"], action["previous_status"], action["account_id"]) == ("closed", "active", org.account_id)
    stats = emulator.stats()
    assert stats.count("admin.user_dsprofile") == 1 and stats.count("admin.close_memberships", 200) == 1
    assert org.user(target.id).status == "Closed"  # type: ignore[union-attr]
    assert engine.run(CLOSE, {"user_id": target.id}).ok  # again: already closed, nothing called
    assert emulator.stats().count("admin.close_memberships") == 1

    after_close = engine.run("fetch-events")
    # The user's audit-users record, and DocuSign Monitor's record of the administrator's action.
    assert after_close.ok and after_close.events_total == 2
    (record,) = user_records(engine, target.id)[-1:]
    assert (record["membership_status"], record["userStatus"]) == ("closed", "Closed")
    assert record["membership_closed_on"]
    (closing,) = account_events(engine, target.id)
    assert (closing["action"], closing["userId"], closing["integratorKey"]) == (
        "UserClosed",
        org.admin_user_id,
        INTEGRATION_KEY,
    )
    assert closing["data"]["AffectedMembershipId"] == target.membership_id

    clock.advance(120)
    reopened = engine.run(ACTIVATE, {"user_id": target.id})
    assert reopened.ok, reopened.error
    assert [a["result"] for a in context(reopened, "Docusign.MembershipAction")] == ["activated"]
    assert engine.run("fetch-events").events_total == 2
    record = user_records(engine, target.id)[-1]
    assert (record["membership_status"], record["userStatus"]) == ("active", "Active")
    assert [e["action"] for e in account_events(engine, target.id)] == ["UserClosed", "UserReactivated"]
    assert "membership_closed_on" not in record
    verified = context(engine.run("docusign-user-get", {"user_id": target.id}), "Docusign.User")
    assert [m["status"] for m in verified["memberships"]] == ["active"]

    # Who did what, and no token, key or assertion anywhere the operator can see.
    logged = [m for r in (closed, reopened) for _, m in r.logs if m.startswith("Docusign response action: ")]
    assert [json.loads(m.split(": ", 1)[1])["memberships"][0]["result"] for m in logged] == ["closed", "activated"]
    assert engine.integration_context["token_scopes"] == [
        "signature",
        "impersonation",
        "organization_read",
        "user_read",
    ]
    # What the operator sees: the War Room, logs, health and output (the token cache is the integration context).
    shown = ("entries", "error", "logs", "module_health", "stdout", "stderr", "traceback")
    visible = json.dumps([{k: r.to_dict()[k] for k in shown} for r in (looked_up, closed, after_close, reopened)])
    visible += json.dumps(engine.sink_events(DATASET))
    for token in org.issued_tokens():
        assert token not in visible
    for line in keypair[0].decode().splitlines()[1:-1]:
        assert line not in visible


def test_response_actions_need_the_parameter_then_consent_to_user_write(
    emulator_factory: EmulatorFactory, engine_for: EngineFor
) -> None:
    emulator: Emulator = emulator_factory(events=10, users=30)
    org = emulator.org
    target = next(u for u in org.users if u.status == "Active" and not u.is_org_admin and u.id != org.admin_user_id)
    off = engine_for(emulator, name="off")
    refused = off.run(CLOSE, {"user_id": target.id})
    assert refused.status == "error" and "Response actions are off for this instance" in (refused.error or "")

    on = engine_for(emulator, name="on", allow_response_actions=True)
    no_consent = on.run(CLOSE, {"user_id": target.id})
    assert no_consent.status == "error"
    assert "covers signature impersonation user_read but not user_write" in (no_consent.error or "")
    assert emulator.stats().count("admin.close_memberships") == 0 and org.user(target.id).status == "Active"  # type: ignore[union-attr]

    # The consent link now asks for user_write: following it is what the administrator does once.
    assert follow_consent_link(on.run(CONSENT_COMMAND)).status_code == 302
    assert on.run("test-module").ok
    assert on.run(CLOSE, {"user_id": target.id}).ok
    assert org.user(target.id).status == "Closed"  # type: ignore[union-attr]


def test_the_impersonated_user_and_administrators_are_refused(
    emulator_factory: EmulatorFactory, engine_for: EngineFor
) -> None:
    emulator = emulator_factory(events=10, users=200)
    org = emulator.org
    emulator.grant_consent(INTEGRATION_KEY, org.admin_user_id, ["user_write"])
    engine = engine_for(emulator, allow_response_actions=True)
    itself = engine.run(CLOSE, {"user_id": org.admin_user_id, "force": "true"})
    assert itself.status == "error" and "the user this integration impersonates" in (itself.error or "")
    admin = next(u for u in org.users if u.is_org_admin and u.id != org.admin_user_id and u.status == "Active")
    refused = engine.run(CLOSE, {"user_id": admin.id})
    assert refused.status == "error" and "force=true" in (refused.error or "")
    assert emulator.stats().count("admin.close_memberships") == 0
    assert engine.run(CLOSE, {"user_id": admin.id, "force": "true"}).ok
    assert org.user(admin.id).status == "Closed"  # type: ignore[union-attr]


def test_the_playbooks_activity_query_shows_the_users_events_and_record(sent_events: list[dict[str, Any]]) -> None:
    """The XQL the playbook runs for "recent DocuSign activity", with a user's ID where the playbook puts
    ${Docusign.User.id}: it returns that user's customer events and audit-users record, newest first."""
    playbook = yaml.safe_load((PACK / "Playbooks" / "DocuSign_-_Compromised_User.yml").read_text())
    (task,) = [t for t in playbook["tasks"].values() if t["task"].get("script") == "|||xdr-xql-generic-query"]
    recorded = {e["userId"] for e in sent_events if e["source_log_type"] == "auditusers"}
    user = next(e["userId"] for e in sent_events if e["source_log_type"] == "customerevent" and e["userId"] in recorded)
    query = task["scriptarguments"]["query"]["simple"].replace("${Docusign.User.id}", user)
    warnings: list[Any] = []
    rows = run_query(query, {DATASET: sent_events}, load_rules(PACK / "ModelingRules" / "Docusign"), warnings)
    assert rows and not warnings
    assert "User Info" in {r["xdm.event.type"] for r in rows} and len({r["xdm.event.type"] for r in rows}) > 1
    assert [r["_time"] for r in rows] == sorted((r["_time"] for r in rows), reverse=True)
    mine = [e for e in sent_events if user in (e.get("userId"), e.get("referencedUserId"), e.get("affectedUserId"))]
    assert len(rows) == min(100, len(mine))
