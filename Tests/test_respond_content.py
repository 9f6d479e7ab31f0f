"""The Respond content, checked without a tenant: the playbook calls only commands and arguments that exist (the
integration's, as its yml declares them, and a short list of platform commands), reads only context the integration
documents, every task is reachable and every branch handled; the trigger, the layout rule, the layout and its
dynamic section name each other correctly."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

PACK = Path(__file__).resolve().parents[1] / "Packs" / "Docusign"
INTEGRATION = yaml.safe_load((PACK / "Integrations" / "Docusign" / "Docusign.yml").read_text())
PLAYBOOK = yaml.safe_load((PACK / "Playbooks" / "DocuSign_-_Compromised_User.yml").read_text())
TRIGGER = json.loads((PACK / "Triggers" / "Trigger_-_DocuSign_-_Compromised_User.json").read_text())
LAYOUT = json.loads((PACK / "Layouts" / "layoutscontainer-DocuSign_Identity_Alert.json").read_text())
LAYOUT_RULE = json.loads((PACK / "LayoutRules" / "layoutrule-DocuSign_Identity_Alerts.json").read_text())

COMMANDS = {c["name"]: c for c in INTEGRATION["script"]["commands"]}
# Platform commands the playbook may call, with the arguments it may pass (from demisto/content's use of them).
PLATFORM_COMMANDS = {
    "Builtin|||closeInvestigation": {"closeReason", "closeNotes"},
    "|||xdr-xql-generic-query": {"query", "time_frame", "query_name"},  # Cortex XDR - XQL Query Engine
}
# The identity detections the trigger binds (their rules live in CorrelationRules/).
IDENTITY_ALERTS = [
    "DocuSign - Credential leak detected",
    "DocuSign - Impossible travel",
    "DocuSign - Login through an anonymiser",
    "DocuSign - Activity by a closed user",
    "DocuSign - Many failed logins for one user",
    "DocuSign - Privilege escalation",
]


def tasks() -> dict[str, dict[str, Any]]:
    return dict(PLAYBOOK["tasks"])


def command_tasks() -> list[dict[str, Any]]:
    return [t for t in tasks().values() if t["task"].get("iscommand")]


def strings(node: Any) -> Iterator[str]:
    """Every string in a task's arguments and conditions."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from strings(value)


def context_paths(node: Any) -> set[str]:
    """The Docusign.* paths a task reads: ${...} references and context roots and filter fields."""
    found = set()
    for text in strings(node):
        found |= set(re.findall(r"\$\{(Docusign\.[\w.]+)\}", text))
        if re.fullmatch(r"Docusign\.[\w.]+", text):
            found.add(text)
    if isinstance(node, dict):
        for item in _complex(node):
            path = item["root"] + (f".{item['accessor']}" if item.get("accessor") else "")
            if path.startswith("Docusign."):
                found.add(path)
    return found


def _complex(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if "root" in node:
            yield node
        for value in node.values():
            yield from _complex(value)
    elif isinstance(node, list):
        for value in node:
            yield from _complex(value)


def documented_outputs() -> set[str]:
    return {o["contextPath"] for c in COMMANDS.values() for o in c.get("outputs") or []}


@pytest.mark.parametrize("task", command_tasks(), ids=lambda t: t["task"]["name"])
def test_every_command_task_calls_a_command_and_arguments_that_exist(task: dict[str, Any]) -> None:
    script = task["task"]["script"]
    given = set(task.get("scriptarguments") or {})
    brand, _, command = script.partition("|||")
    if command.startswith("docusign-"):
        assert brand == "Docusign" and task["task"]["brand"] == "Docusign"
        assert command in COMMANDS, f"{command} is not a command of the integration"
        declared = {a["name"] for a in COMMANDS[command].get("arguments") or []}
        assert given <= declared, f"{command}: unknown arguments {given - declared}"
        required = {a["name"] for a in COMMANDS[command].get("arguments") or [] if a.get("required")}
        assert required <= given
    else:
        assert script in PLATFORM_COMMANDS, f"{script} is neither the integration's nor a known platform command"
        assert given <= PLATFORM_COMMANDS[script]


def test_the_playbook_runs_the_respond_flow_in_order() -> None:
    """get the user, query the activity, ask, close, verify, document."""
    order, seen, current = [], set(), PLAYBOOK["starttaskid"]
    path = {"3": "yes", "7": "Yes", "11": "yes"}  # the branch an analyst who closes takes
    while current and current not in seen:
        seen.add(current)
        task = tasks()[current]
        if task["task"].get("iscommand"):
            order.append(task["task"]["script"].split("|||")[1])
        if task["type"] == "condition" and not task.get("conditions"):
            order.append("ask the analyst")
        nexttasks = task.get("nexttasks") or {}
        branch = path.get(current, "#none#")
        current = (nexttasks.get(branch) or [None])[0]
    assert order == [
        "docusign-user-get",
        "xdr-xql-generic-query",
        "ask the analyst",
        "docusign-user-memberships-close",
        "docusign-user-get",
        "closeInvestigation",
    ]


def test_the_playbook_reads_only_context_the_integration_documents() -> None:
    documented = documented_outputs()
    used = set().union(*(context_paths(t) for t in tasks().values()))
    assert "Docusign.User.id" in used and "Docusign.User.memberships.status" in used
    for path in used:
        assert any(o == path or o.startswith(path + ".") for o in documented), f"{path} is not an output of the yml"


def test_every_task_is_reachable_and_every_branch_leads_somewhere() -> None:
    graph = {key: [n for targets in (t.get("nexttasks") or {}).values() for n in targets] for key, t in tasks().items()}
    reachable, todo = set(), [PLAYBOOK["starttaskid"]]
    while todo:
        key = todo.pop()
        if key not in reachable:
            reachable.add(key)
            todo += graph[key]
    assert reachable == set(tasks())
    for key, task in tasks().items():
        assert task["id"] == key and task["taskid"] == task["task"]["id"]
        if task["type"] == "condition":
            branches = set(task["nexttasks"])
            labels = {c["label"] for c in task.get("conditions") or []}
            assert "#default#" in branches and labels <= branches
    manual = [t for t in tasks().values() if t["type"] == "condition" and not t.get("conditions")]
    assert [set(t["nexttasks"]) for t in manual] == [{"Yes", "#default#"}]


def test_the_playbook_inputs_are_declared_and_used() -> None:
    declared = {i["key"] for i in PLAYBOOK["inputs"]}
    used = set()
    for task in tasks().values():
        for item in _complex(task):
            if item["root"].startswith("inputs."):
                used.add(item["root"].removeprefix("inputs."))
        for text in strings(task):
            used |= set(re.findall(r"\$\{inputs\.(\w+)", text))
    assert used == declared


def test_the_trigger_binds_the_identity_detections_to_the_playbook() -> None:
    assert TRIGGER["playbook_id"] == PLAYBOOK["id"] == "DocuSign - Compromised User"
    assert re.fullmatch(r"[0-9a-f]+", TRIGGER["trigger_id"])
    conditions = TRIGGER["alerts_filter"]["filter"]["OR"]
    assert {c["SEARCH_FIELD"] for c in conditions} == {"alert_name"} and {c["SEARCH_TYPE"] for c in conditions} == {
        "EQ"
    }
    assert [c["SEARCH_VALUE"] for c in conditions] == IDENTITY_ALERTS
    rules = [yaml.safe_load(path.read_text()) for path in (PACK / "CorrelationRules").glob("*.yml")]
    assert set(IDENTITY_ALERTS) <= {rule["alert_name"] for rule in rules}
    # The playbook's UserID input reads the alert's user name: each of these rules puts the DocuSign user ID there.
    for rule in rules:
        if rule["alert_name"] in IDENTITY_ALERTS:
            assert rule["alert_fields"]["actor_effective_username"] in ("xdm.source.user.identifier", "userId")
    for name in IDENTITY_ALERTS:
        assert name in PLAYBOOK["description"]


def test_the_layout_rule_layout_and_section_script_name_each_other() -> None:
    assert LAYOUT_RULE["layout_id"] == LAYOUT["id"]
    assert LAYOUT_RULE["alerts_filter"] == TRIGGER["alerts_filter"]
    scripts = {yaml.safe_load(p.read_text())["commonfields"]["id"] for p in (PACK / "Scripts").glob("*/*.yml")}
    sections = [s for tab in LAYOUT["detailsV2"]["tabs"] for s in tab.get("sections") or []]
    dynamic = [s for s in sections if s.get("type") == "dynamic"]
    assert [(s["name"], s["queryType"], s["query"]) for s in dynamic] == [
        ("DocuSign User", "script", "DocusignUserWidget")
    ]
    assert {s["query"] for s in dynamic} <= scripts


def test_the_command_examples_cover_the_new_commands() -> None:
    examples = (PACK / "Integrations" / "Docusign" / "command_examples").read_text()
    for command in ("docusign-user-get", "docusign-user-memberships-close", "docusign-user-membership-activate"):
        assert f"!{command} " in examples
