"""``make demo``: the whole path on one machine, with no DocuSign account and no XSIAM tenant.

Starts the DocuSign emulator with a seeded organization, registers a fresh RSA key pair
for an integration key, writes an instance file, then drives the integration through
the local engine exactly as a user would: generate the consent link and follow it (the
consent a user gives in the browser), Test, and scheduled fetches until the backlog is
drained. Ends with a summary and leaves the emulator stopped.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import time
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

from devkit import platform_modules
from devkit.emulator import Emulator
from devkit.emulator.events import MAX_INGEST_DELAY_SECONDS
from devkit.emulator.keys import generate_rsa_keypair
from devkit.emulator.scenarios import Attack
from devkit.engine import DATASET, Engine, RunResult
from devkit.wiring import CONSENT_COMMAND, follow_consent_link, instance_params, register_key, write_engine
from devkit.xql import load_rules
from devkit.xql.correlation import ModelOnce, load_correlation_rules

PACK = Path(__file__).resolve().parents[1] / "Packs" / "Docusign"
RULES = PACK / "ModelingRules" / "Docusign_2_11"
DEMO_ATTACKS = ("brute-force", "bulk-download", "credential-leak", "impossible-travel", "closed-user-active")
"""Planted in the demo's day, for the correlation rules to find (devkit/emulator/scenarios.py has them all)."""

REDIRECT_URL = "https://localhost/docusign/callback?instance=demo&step=consent"


def add_arguments(subparsers: Any) -> None:
    parser = subparsers.add_parser("demo", help="run consent, test and fetch against the emulator", description=__doc__)
    parser.add_argument("--dir", type=Path, default=Path(".demo"), help="where instance, state and output go")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--events", type=int, default=5000, help="Monitor events over the last day")
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--max-cycles", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="leave the emulator running to drive it yourself")
    parser.set_defaults(func=lambda args: run(args.dir, args.seed, args.events, args.users, args.max_cycles, args.keep))


def say(text: str) -> None:
    print(text, flush=True)


def check(result: RunResult, what: str) -> RunResult:
    if not result.ok:
        raise SystemExit(f"demo: {what} failed: {result.error or result.status}")
    return result


def demo_engine(folder: Path, emulator: Emulator, integration_key: str, key_file: Path) -> Engine:
    credentials = {"password_file": key_file.name}
    params = instance_params(
        emulator,
        integration_key,
        REDIRECT_URL,
        credentials,
        max_customer_events_per_fetch="2000",
        max_user_events_per_fetch="1250",
    )
    return write_engine(folder, "docusign_demo", emulator, params, timeout=120)


def give_consent(engine: Engine) -> str:
    """Run the consent command and follow its link the way a browser would."""
    result = check(engine.run(CONSENT_COMMAND), CONSENT_COMMAND)
    try:
        reply = follow_consent_link(result)
    except LookupError:
        raise SystemExit("demo: the consent command returned no link") from None
    location = reply.headers.get("Location", "")
    if reply.status_code != 302 or not location.startswith(REDIRECT_URL.split("?")[0]):
        raise SystemExit(f"demo: consent was not granted ({reply.status_code} {location})")
    return location


def map_to_xdm(events: list[dict[str, Any]], target: Path) -> list[str]:
    """Model the raw events with the pack's current modeling rule; returns the coverage lines."""
    rules = load_rules(RULES)
    rule_text = (RULES / "Docusign_2_11.xif").read_text()
    filled: dict[str, list[int]] = {}
    raw_fields: dict[str, set[str]] = {}
    with target.open("w") as out:
        for event in events:
            row = {k: v for k, v in rules.model(DATASET, event).items() if k.startswith("xdm.")}
            out.write(json.dumps(row, default=str) + "\n")
            kind = str(event.get("source_log_type"))
            filled.setdefault(kind, []).append(sum(v not in (None, "", []) for v in row.values()))
            raw_fields.setdefault(kind, set()).update(k for k, v in event.items() if v not in (None, "", [], {}))
    lines = []
    for kind in sorted(filled):
        fields = raw_fields[kind] - {"_time", "source_log_type"}
        used = {f for f in fields if re.search(rf"\b{re.escape(f)}\b", rule_text)}
        counts = filled[kind]
        share = 100 * len(used) // max(1, len(fields))
        lines.append(
            f"  XDM coverage {kind:<14} {len(used)}/{len(fields)} raw fields mapped ({share}%),"
            f" {sum(counts) / len(counts):.1f} XDM fields filled per event (min {min(counts)}, max {max(counts)})"
        )
    return lines


def detections(events: list[dict[str, Any]], attacks: list[Attack]) -> list[str]:
    """What the pack's correlation rules raise over the delivered day, scheduled as XSIAM runs them."""
    modeling = ModelOnce(load_rules(RULES))
    planted = {(attack.alert_name, attack.subject): attack.scenario for attack in attacks}
    delay = timedelta(seconds=MAX_INGEST_DELAY_SECONDS)
    lines, found = [], 0
    for rule in load_correlation_rules(PACK / "CorrelationRules"):
        raised = rule.alerts(events, DATASET, modeling, delay)
        mapped = rule.doc["alert_fields"]
        subject = mapped.get("actor_effective_username") or mapped.get("action_local_ip")
        for row in raised if len(raised) <= 3 else []:
            scenario = planted.get((rule.alert_name, str(row.get(subject))))
            found += scenario is not None
            origin = f"  <- planted {scenario}" if scenario else ""
            lines.append(f"    {rule.alert_name}: {row.get(subject)}{origin}")
        if len(raised) > 3:
            lines.append(f"    {rule.alert_name}: {len(raised)} alerts")
    lines.append(f"  {found} of {len(attacks)} planted attacks raised their alert")
    return lines


def summarize(engine: Engine, emulator: Emulator, runs: list[RunResult], wall: float, folder: Path) -> str:
    events = engine.sink_events(DATASET)
    by_type = Counter(str(e.get("source_log_type")) for e in events)
    ids = [e.get("eventId") for e in events if e.get("source_log_type") == "customerevent"]
    stats = emulator.stats()
    lines = [
        "",
        "DocuSign demo summary",
        f"  fetch runs:          {len(runs)} ({sum(r.ok for r in runs)} ok)",
        f"  customer events:     {by_type.get('customerevent', 0)} ({len(set(ids))} distinct eventIds)",
        f"  audit users:         {by_type.get('auditusers', 0)} of the organization's {len(emulator.org)} users: those"
        " changed since the first fetch time (the collector sends changes, not the directory)",
        "  API calls by endpoint:",
    ]
    for endpoint, statuses in sorted(stats.get("endpoints", {}).items()):
        detail = ", ".join(f"{status}: {count}" for status, count in sorted(statuses.items()))
        lines.append(f"    {endpoint:<28} {detail}")
    reports = [r.report or {} for r in runs]
    per_type: Counter[str] = Counter()
    for report in reports:
        per_type.update({name: t.get("calls", 0) for name, t in report.get("types", {}).items()})
    lines.append("  API calls per type: " + ", ".join(f"{name} {n}" for name, n in sorted(per_type.items())))
    retries = sum(report.get("retries", 0) for report in reports)
    waits = sum(report.get("rate_limit_waits", 0) for report in reports)
    lines += [
        f"  retries:             {retries}",
        f"  rate-limit waits:    {waits}",
        f"  wall time:           {wall:.1f} s",
        f"  raw events:          {engine.instance.output_dir / (DATASET + '.jsonl')}",
        f"  XDM rows:            {engine.instance.output_dir / 'xdm.jsonl'}",
        f"  state:               {engine.instance.state_dir}",
        f"  instance file:       {(folder / 'instance.yml').resolve()}",
    ]
    return "\n".join(lines)


def run(folder: Path, seed: int, events: int, users: int, max_cycles: int, keep: bool = False) -> int:
    started = time.monotonic()
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    private_pem, public_pem = generate_rsa_keypair()
    key_file = folder / "private_key.pem"
    key_file.write_bytes(private_pem)
    key_file.chmod(0o600)
    integration_key = str(uuid.UUID(int=seed * 7919 + 1))

    with Emulator(seed=seed, events=events, users=users, attacks=DEMO_ATTACKS) as emulator:
        register_key(emulator, integration_key, public_pem, REDIRECT_URL, consent=False)  # given in step 1
        say(f"emulator: {emulator.base_url} (org {emulator.org.organization_id}, {events} events, {users} users)")
        say(f"  attacks planted in the day: {', '.join(DEMO_ATTACKS)}")
        say(f"platform modules: {platform_modules.describe()}")
        engine = demo_engine(folder, emulator, integration_key, key_file)

        say("1. docusign-generate-consent-url, then open the link as the impersonated user")
        say(f"   consent granted, redirected to {give_consent(engine).split('?')[0]}?code=...")
        say("2. test-module")
        result = check(engine.run("test-module"), "test-module")
        say(f"   {result.entries[-1].get('Contents') if result.entries else 'ok'}")
        say("3. fetch-events until the backlog is drained")
        runs = engine.fetch(cycles=max_cycles, interval=0, until_empty=True, on_result=_print_run)
        if not all(r.ok for r in runs):
            raise SystemExit(f"demo: a fetch failed: {next(r.error for r in runs if not r.ok)}")
        say("4. map the raw events to XDM with the pack's modeling rule (offline evaluator)")
        coverage = map_to_xdm(engine.sink_events(DATASET), engine.instance.output_dir / "xdm.jsonl")
        summary = summarize(engine, emulator, runs, time.monotonic() - started, folder) + "\n" + "\n".join(coverage)
        (folder / "summary.json").write_text(json.dumps(emulator.stats(), indent=2, default=str))
        say(summary)
        say("5. the pack's correlation rules, run as XSIAM schedules them over the delivered day")
        say("\n".join(detections(engine.sink_events(DATASET), emulator.org.attacks)))
        if keep:
            drive_yourself(emulator, (folder / "instance.yml").resolve())
    say("  emulator:            stopped")
    return 0


def drive_yourself(emulator: Emulator, instance_file: Path) -> None:
    """Keep the emulator up and say what to try, until Ctrl-C."""
    say(f"""
The emulator keeps running at {emulator.base_url} (Ctrl-C stops it). Try, from the repository:
  python -m devkit fetch --instance {instance_file}
  python -m devkit run --instance {instance_file} docusign-get-events event_type="Audit Users" limit=5
  python -m devkit run --instance {instance_file} docusign-auth-test
  curl -s -X POST {emulator.base_url}/_emulator/users/change -H 'Content-Type: application/json' \\
       -d '{{"n": 3, "kind": "membership"}}'
  curl -s -X POST {emulator.base_url}/_emulator/faults -H 'Content-Type: application/json' \\
       -d '{{"spec": "monitor:status=503:count=2"}}'
  python -m devkit emulator serve --help     (every control endpoint and fault)""")
    try:
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        pass


def _print_run(cycle: int, result: RunResult) -> None:
    say(f"   run {cycle}: {result.status}, {result.events_total} events, {result.duration:.1f} s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    add_arguments(parser.add_subparsers(dest="command", required=True))
    namespace = parser.parse_args(["demo", *sys.argv[1:]])
    sys.exit(namespace.func(namespace))
