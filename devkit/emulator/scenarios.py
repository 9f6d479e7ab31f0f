"""Attacks planted in the emulator's day: each one a burst of DocuSign-shaped Monitor events (and, for a closed
user, an audit-users change) inside the benign background, with the XSIAM alert the pack's detections should
raise for it.

The background never does what an attack does (see events.py: nobody travels abroad, uses Tor, grants an
administrative permission, turns two-factor authentication off or changes settings at night, and closed users
stay idle), and the attacks' victims are users the background leaves alone: so a detection that fires on the
planted day and not on the benign one fires for the attack.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from devkit.emulator import seeds
from devkit.emulator.events import _PLACES, EventStream
from devkit.emulator.times import TICKS_PER_SECOND, event_timestamp, seconds_to_ticks

INGEST_DELAY_SECONDS = 40
"""How long after it happened DocuSign makes a planted event readable."""


@dataclass(frozen=True)
class Attack:
    """One planted attack and the alert it should raise."""

    scenario: str
    alert_name: str
    subject: str
    """What the alert is about: the user ID, or the IP address for spraying."""
    at: float
    """When the attack starts (epoch seconds)."""
    events: tuple[tuple[int, dict[str, Any]], ...]
    """(ingestion ticks, event), in time order."""
    closes_user: str | None = None
    """A user whose memberships are closed at ``at`` (what the audit-users record then shows)."""


@dataclass
class _Stage:
    """What a scenario builds its events from."""

    stream: EventStream
    generator: random.Random
    victim: str
    at: float
    events: list[tuple[int, dict[str, Any]]] = field(default_factory=list)

    def add(
        self, seconds: float, user: str, source: str, place: tuple[Any, ...] | None, **fields: Any
    ) -> dict[str, Any]:
        """An event ``seconds`` after the attack starts, by ``user``, from ``place`` (None: the user's usual)."""
        moment = seconds_to_ticks(self.at + seconds)
        event = self.stream.base_event(self.generator, 0, event_timestamp(moment), user, source, place)
        event["eventId"] = seeds.rng_guid(self.generator)
        event.update(fields)
        self.events.append((moment + INGEST_DELAY_SECONDS * TICKS_PER_SECOND, event))
        return event

    def attack(self, scenario: str, alert_name: str, subject: str | None = None, **extra: Any) -> Attack:
        return Attack(scenario, alert_name, subject or self.victim, self.at, tuple(self.events), **extra)


def _place(country: str) -> tuple[Any, ...]:
    return next(place for place in _PLACES if place[4] == country)


_ABROAD = _place("nigeria")
_TOR_EXIT = _place("germany")
_LOGIN = {"object": "User", "action": "Login"}


def _brute_force(stage: _Stage) -> Attack:
    for i in range(8):
        stage.add(
            20 * i, stage.victim, "Web", _ABROAD, **_LOGIN, result="Failure", data={"FailureReason": "InvalidPassword"}
        )
    return stage.attack("brute-force", "DocuSign - Many failed logins for one user")


def _password_spraying(stage: _Stage) -> Attack:
    users = stage.stream.population.user_ids
    ip = ""
    for i in range(7):
        target = users[stage.generator.choice(stage.stream.actors)]
        event = stage.add(
            15 * i, target, "Web", _ABROAD, **_LOGIN, result="Failure", data={"FailureReason": "InvalidPassword"}
        )
        ip = ip or event["ipAddress"]
        event["ipAddress"] = ip
    return stage.attack("password-spraying", "DocuSign - Failed logins for many users from one IP address", ip)


def _envelopes(action: str, count: int, **data: str) -> Callable[[_Stage], list[dict[str, Any]]]:
    def make(stage: _Stage) -> list[dict[str, Any]]:
        return [
            stage.add(12 * i, stage.victim, "Web", None, object="Envelope", action=action, result="Success",
                      data={"EnvelopeId": seeds.rng_guid(stage.generator), **data})
            for i in range(count)
        ]  # fmt: skip

    return make


def _bulk_download(stage: _Stage) -> Attack:
    _envelopes("Downloaded", 25, DocumentId="1")(stage)
    return stage.attack("bulk-download", "DocuSign - Bulk document downloads by one user")


def _mass_void(stage: _Stage) -> Attack:
    _envelopes("Voided", 12, VoidedReason="")(stage)
    return stage.attack("mass-void", "DocuSign - Mass envelope voids by one user")


def _credential_leak(stage: _Stage) -> Attack:
    data = {"EventIds": [], "Count": "1", "Severity": "High"}
    stage.add(0, stage.victim, "System", None, object="Alert", action="CredentialLeakDetected", data=data)
    return stage.attack("credential-leak", "DocuSign - Credential leak detected")


def _impossible_travel(stage: _Stage) -> Attack:
    home = stage.stream.home(stage.victim)
    far = next(place for place in _PLACES if place[4] and place[4] != home[4] and abs(place[6] - home[6]) > 60)
    stage.add(0, stage.victim, "Web", home, **_LOGIN, result="Success")
    stage.add(12 * 60, stage.victim, "Web", far, **_LOGIN, result="Success")
    return stage.attack("impossible-travel", "DocuSign - Impossible travel")


def _tor_login(stage: _Stage) -> Attack:
    proxy = {"proxyStatus": "Proxy", "proxyType": "TOR", "proxyLevel": "High"}
    stage.add(0, stage.victim, "Web", _TOR_EXIT, **_LOGIN, result="Success", **proxy)
    return stage.attack("tor-login", "DocuSign - Login through an anonymiser")


def _privilege_escalation(stage: _Stage) -> Attack:
    profile = stage.generator.choice(stage.stream.population.profile_ids)
    data = {"PermissionProfileId": profile, "OldValue": "false", "NewValue": "true"}
    stage.add(0, stage.victim, "Web", None, object="PermissionProfile", action="Updated", property="Settings",
              field="CanManageAccount", result="Success", data=data)  # fmt: skip
    return stage.attack("privilege-escalation", "DocuSign - Privilege escalation")


def _mfa_disabled(stage: _Stage) -> Attack:
    data = {"OldValue": "true", "NewValue": "false"}
    stage.add(0, stage.victim, "Web", None, object="AccountSetting", action="Updated", property="Security",
              field="EnableTwoFactorAuthentication", result="Success", data=data)  # fmt: skip
    return stage.attack("mfa-disabled", "DocuSign - Two-factor authentication turned off")


def _closed_user_active(stage: _Stage) -> Attack:
    stage.add(15 * 60, stage.victim, "Web", None, **_LOGIN, result="Success")
    _envelopes("Downloaded", 3, DocumentId="1")(
        _Stage(stage.stream, stage.generator, stage.victim, stage.at + 16 * 60, stage.events)
    )
    return stage.attack("closed-user-active", "DocuSign - Activity by a closed user", closes_user=stage.victim)


def _off_hours_admin(stage: _Stage) -> Attack:
    admin = stage.stream.population.admin_user_id
    for i, (prop, name) in enumerate((("Security", "SessionTimeout"), ("Sending", "AllowBulkSend"))):
        stage.add(30 * i, admin, "Web", None, object="AccountSetting", action="Updated", property=prop, field=name,
                  result="Success", data={"OldValue": "false", "NewValue": "true"})  # fmt: skip
    return stage.attack("off-hours-admin", "DocuSign - Administrative change outside working hours", admin)


SCENARIOS: dict[str, Callable[[_Stage], Attack]] = {
    "brute-force": _brute_force,
    "password-spraying": _password_spraying,
    "bulk-download": _bulk_download,
    "mass-void": _mass_void,
    "credential-leak": _credential_leak,
    "impossible-travel": _impossible_travel,
    "tor-login": _tor_login,
    "privilege-escalation": _privilege_escalation,
    "mfa-disabled": _mfa_disabled,
    "closed-user-active": _closed_user_active,
    "off-hours-admin": _off_hours_admin,
}
OFF_HOURS = range(1, 5)
"""UTC hours at which night-time scenarios happen; the others happen in working hours (events.WORKING_HOURS)."""
_AT_NIGHT = ("off-hours-admin",)


def scenario_names(spec: str | Sequence[str]) -> list[str]:
    """``all``, a comma-separated list or a sequence of names: the scenarios, checked."""
    names = spec.split(",") if isinstance(spec, str) else list(spec)
    names = list(SCENARIOS) if names == ["all"] else [name.strip() for name in names if name.strip()]
    unknown = sorted(set(names) - set(SCENARIOS))
    if unknown:
        raise ValueError(f"unknown attack scenario(s) {unknown}; choose from {sorted(SCENARIOS)} or all")
    return names


def plant(stream: EventStream, names: Sequence[str], victims: Sequence[str], seed: int) -> list[Attack]:
    """The attacks ``names`` at distinct hours of the stream's history, one victim each; the caller adds their
    events to the stream and applies their user changes. Raises ValueError when the history is too short."""
    start = stream.spec.start_ticks / TICKS_PER_SECOND
    end = stream.spec.anchor_ticks / TICKS_PER_SECOND
    # Each attack gets an hour of its own, starting a minute past it, well inside the history.
    first_hour = int(start // 3600) + 1
    hours = [h * 3600 for h in range(first_hour, int(end // 3600) - 1)]
    day = [h for h in hours if dt.datetime.fromtimestamp(h, dt.UTC).hour in range(8, 18)]
    night = [h for h in hours if dt.datetime.fromtimestamp(h, dt.UTC).hour in OFF_HOURS]
    if len(victims) < len(names):
        raise ValueError(
            f"{len(names)} attacks need {len(names)} users to victimise; the organization has {len(victims)}"
        )
    attacks = []
    for k, name in enumerate(names):
        slots = night if name in _AT_NIGHT else day
        if not slots:
            raise ValueError(
                f"attack {name!r} needs an hour {'at night' if name in _AT_NIGHT else 'of the working day'} "
                "in the history: give the emulator a longer span (24 hours)"
            )
        at = slots.pop(len(slots) // 2) + 60
        generator = seeds.rng(seed, seeds.ATTACK, k)
        attacks.append(SCENARIOS[name](_Stage(stream, generator, victims[k], at)))
    return attacks
