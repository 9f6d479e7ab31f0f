"""The verdict on a chaos run: the sink against what the emulator holds, and the engine's files for secrets."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from devkit.bench.day import shows
from devkit.emulator import Emulator
from devkit.emulator.times import seconds_to_ticks
from devkit.emulator.users import User


@dataclass
class Verdict:
    events_expected: int = 0
    events_delivered: int = 0
    events_lost: list[str] = field(default_factory=list)
    events_repeated: int = 0
    users_expected: int = 0
    users_delivered: int = 0
    users_lost: list[str] = field(default_factory=list)
    users_pending: list[str] = field(default_factory=list)
    """Second changes within the hour that only eSignature shows: delivered up to an hour later, by design."""
    user_records_repeated: int = 0
    secrets_found: list[str] = field(default_factory=list)

    @property
    def repeated(self) -> int:
        return self.events_repeated + self.user_records_repeated


def check_sink(emulator: Emulator, delivered: list[dict[str, Any]], since: float, until: float) -> Verdict:
    """Every event ingested between ``since`` (the first fetch time) and ``until`` (the start of the last run,
    which saw them all), and the final state of every user changed since ``since``, delivered; repeats counted."""
    stream = emulator.org.events
    visible = stream.ingested_by(seconds_to_ticks(until))
    first = stream.first_at_or_after(seconds_to_ticks(since), visible)
    expected = [stream.event_id(index) for index in range(first, visible)]
    customer = Counter(e["eventId"] for e in delivered if e.get("source_log_type") == "customerevent")
    user_events = [e for e in delivered if e.get("source_log_type") == "auditusers"]
    records = Counter((str(e["userId"]).lower(), e.get("_time")) for e in user_events)
    last_record = {str(e["userId"]).lower(): e for e in user_events}  # delivery order: the last one stays
    changed = [user for user in emulator.org.users if user.modified_ms >= since * 1000]
    missing = [user for user in changed if not shows(last_record.get(user.id.lower()), user)]
    pending = [user.id for user in missing if _pending_by_design(last_record.get(user.id.lower()), user)]
    users_lost = [user.id for user in missing if user.id not in pending]
    return Verdict(
        events_expected=len(expected),
        events_delivered=sum(customer.values()),
        events_lost=[event_id for event_id in expected if event_id not in customer],
        events_repeated=sum(n - 1 for n in customer.values()),
        users_expected=len(changed),
        users_delivered=len(changed) - len(missing),
        users_lost=users_lost,
        users_pending=pending,
        user_records_repeated=sum(n - 1 for n in records.values()),
    )


# The integration reads a user again when its last read leaves the Admin listing's one-hour look-back (README,
# "Late user changes"): until then a change that leaves the Admin record as it was is not seen.
ESIGN_ONLY_DELAY_MS = 3_600_000


def _pending_by_design(last: dict[str, Any] | None, user: User) -> bool:
    """The user's last delivered record differs only in what eSignature alone shows (the title), and was
    delivered for a change less than an hour before the user's latest."""
    if last is None or not shows({**last, "jobTitle": user.job_title}, user):
        return False
    delivered_change = datetime.fromisoformat(str(last.get("_time")).replace("Z", "+00:00")).timestamp() * 1000
    return user.modified_ms - delivered_change < ESIGN_ONLY_DELAY_MS


def find_secrets(folders: Iterable[Path], secrets: dict[str, list[str]], allowed: dict[str, set[Path]]) -> list[str]:
    """``path: name`` for every file under ``folders`` holding one of a secret's ``secrets[name]`` strings,
    except the files ``allowed[name]`` lets keep it (the integration context keeps the access token)."""
    found = []
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            try:
                data = path.read_bytes()
            except OSError:
                continue  # removed meanwhile: a run dir going away
            for name, values in secrets.items():
                if path.resolve() in allowed.get(name, set()):
                    continue
                if any(value.encode() in data for value in values if value):
                    found.append(f"{path}: {name}")
    return found


def key_fragments(private_pem: bytes) -> list[str]:
    """The lines of a PEM key's body: any one of them in a file means the key leaked, however it was escaped."""
    return [line for line in private_pem.decode().splitlines() if len(line) >= 40 and not line.startswith("-----")]
