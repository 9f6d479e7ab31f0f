"""The generated organization: ids, users, Monitor events, registered integrations, consent and tokens.

Services only read it. Everything is derived from the seed; time-driven changes (live events,
user changes) follow the shared clock, so advancing the clock is all a test needs to do.
"""

from __future__ import annotations

import random
import secrets
import threading
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from devkit.emulator import seeds
from devkit.emulator.clock import Clock, SimClock, as_sim_clock
from devkit.emulator.events import EventStream, Population, StreamSpec, TimestampStyle
from devkit.emulator.scenarios import Attack, plant, scenario_names
from devkit.emulator.times import TICKS_PER_SECOND, event_timestamp, seconds_to_ticks
from devkit.emulator.users import (
    Catalog,
    User,
    build_catalog,
    change_user,
    close_memberships,
    generate_users,
    reactivate_membership,
)

_COMPANIES = ("Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark", "Wayne", "Tyrell", "Cyberdyne", "Soylent")


@dataclass(frozen=True)
class Integration:
    """An integration key (OAuth client) with the public half of its RSA key pair."""

    key: str
    public_key_pem: bytes
    redirect_uris: tuple[str, ...]


@dataclass(frozen=True)
class Token:
    value: str
    integration_key: str
    user_id: str
    scopes: frozenset[str]
    issued_at: float
    expires_at: float


class Organization:
    def __init__(
        self,
        seed: int = 1,
        users: int = 300,
        events: int = 5000,
        span_hours: float = 24.0,
        clock: Clock | None = None,
        *,
        anchor: float | None = None,
        live_events_per_hour: float = 0.0,
        live_user_changes_per_hour: float = 0.0,
        recent_user_share: float = 0.15,
        monitor_enabled: bool = True,
        site: str = "DEMO",
        timestamp_style: TimestampStyle = "dotnet",
        attacks: str | Sequence[str] = (),
    ) -> None:
        self.seed = seed
        self.clock: SimClock = as_sim_clock(clock)
        self.monitor_enabled = monitor_enabled
        """False: the plan lacks Monitor, and the stream answers 403 with an empty body."""
        self.anchor = float(anchor if anchor is not None else self.clock())
        """End of the generated history (default: the clock at creation)."""
        self.span_hours = span_hours

        ids = seeds.rng(seed, seeds.ORG)
        company = _COMPANIES[seed % len(_COMPANIES)]
        self.organization_id = seeds.rng_guid(ids)
        self.organization_name = f"{company} Organization"
        self.account_id = seeds.rng_guid(ids)
        self.account_name = f"{company} {seed}"
        self.account_external_id = ids.randrange(10_000_000, 99_999_999)
        self.site_id = ids.randrange(1, 5)
        self.site = site
        self.domain = f"{company.lower()}{seed}.example.com"
        self.domain_id = seeds.rng_guid(ids)
        self.subscription_id = str(ids.randrange(10_000_000, 99_999_999))
        self.created_ms = int(self.anchor * 1000) - 6 * 365 * 86_400_000
        self.catalog: Catalog = build_catalog(ids)
        integrator_keys = tuple(seeds.rng_guid(ids) for _ in range(3))

        anchor_ms = int(self.anchor * 1000)
        span_ms = int(span_hours * 3_600_000)
        self._users: list[User] = generate_users(
            seeds.rng(seed, seeds.USERS),
            users,
            anchor_ms,
            span_ms,
            self.domain,
            self.account_name,
            self.catalog,
            self.subscription_id,
            recent_user_share,
        )
        self._index = {user.id: position for position, user in enumerate(self._users)}
        self.admin_user_id = self._users[0].id
        self._version = 0
        self._sorted: tuple[int, list[User]] = (-1, [])

        names = scenario_names(attacks)
        active = [i for i, user in enumerate(self._users) if user.status == "Active" and i != 0]
        # The attacks' victims are left alone by the background, and their records by the history, so what
        # happens to them is the attack.
        settled = [i for i in active if self._users[i].modified_ms < (self.anchor - span_hours * 3600) * 1000]
        victims = settled[len(settled) - len(names) :] if names else []
        anchor_ticks = seconds_to_ticks(self.anchor)
        live_interval = int(3600 * TICKS_PER_SECOND / live_events_per_hour) if live_events_per_hour > 0 else 0
        self.events = EventStream(
            StreamSpec(
                seed=seed,
                count=max(events, 0),
                start_ticks=anchor_ticks - int(span_hours * 3600 * TICKS_PER_SECOND),
                anchor_ticks=anchor_ticks,
                live_interval_ticks=live_interval,
                timestamp_style=timestamp_style,
            ),
            Population(
                organization_id=self.organization_id,
                account_id=self.account_id,
                site=site,
                admin_user_id=self.admin_user_id,
                user_ids=tuple(user.id for user in self._users),
                membership_ids=tuple(user.membership_id for user in self._users),
                profile_ids=tuple(profile.id for profile in self.catalog.profiles),
                integrator_keys=integrator_keys,
                actors=tuple(i for i in [0, *active] if i not in victims),
            ),
        )
        self.attacks: list[Attack] = plant(self.events, names, [self._users[i].id for i in victims], seed)
        """The attacks planted in the history (see scenarios.py)."""
        for attack in self.attacks:
            self.events.plant(attack.events)
            if attack.closes_user:
                position = self._index[attack.closes_user]
                self._users[position] = close_memberships(
                    self._users[position], int(attack.at * 1000), self.admin_user_id
                )
        self._change_interval_ms = int(3_600_000 / live_user_changes_per_hour) if live_user_changes_per_hour > 0 else 0
        self._live_changes = 0
        self._manual_rounds = 0

        self._lock = threading.RLock()
        self._integrations: dict[str, Integration] = {}
        self._user_consent: dict[tuple[str, str], set[str]] = {}
        self._org_consent: dict[str, set[str]] = {}
        self._tokens: dict[str, Token] = {}
        # Every token ever issued, revoked or expired ones too: what a secrets scan must look for.
        self._issued: list[str] = []

    # ----- time

    def now(self) -> float:
        return self.clock()

    def advance(self, seconds: float) -> float:
        """Let `seconds` of (simulated) time pass: events get ingested, live user changes happen."""
        return self.clock.advance(seconds)

    def record_event(self, event: dict[str, Any]) -> None:
        """Add an event to the Monitor stream, ingested now (what DocuSign records of an action taken through
        the emulator); ``timestamp`` and ``eventId`` are filled in when missing."""
        now = seconds_to_ticks(self.now())
        event.setdefault("timestamp", event_timestamp(now))
        event.setdefault("eventId", str(uuid.uuid4()))
        with self._lock:
            self.events.plant([(now, event)])

    # ----- users

    def _sync(self) -> None:
        """Apply the live user changes scheduled up to now (they are a function of the seed and the clock)."""
        if not self._change_interval_ms:
            return
        now_ms = int(self.now() * 1000)
        anchor_ms = int(self.anchor * 1000)
        while True:
            k = self._live_changes
            due = (
                anchor_ms
                + k * self._change_interval_ms
                + seeds.mix(self.seed, seeds.LIVE_USER_CHANGE, k) % (self._change_interval_ms)
            )
            if due > now_ms:
                return
            generator = seeds.rng(self.seed, seeds.LIVE_USER_CHANGE, k)
            self._change(generator.randrange(len(self._users)), generator, due)
            self._live_changes += 1

    def _change(self, position: int, generator: random.Random, when_ms: int, kind: str | None = None) -> User:
        user = self._users[position]
        changed = change_user(
            user, generator, when_ms, self.admin_user_id, self.catalog, user.id == self.admin_user_id, kind
        )
        self._users[position] = changed
        self._version += 1
        return changed

    @property
    def users(self) -> list[User]:
        """A snapshot of all users, in creation order (users are immutable; changes replace them)."""
        with self._lock:
            self._sync()
            return list(self._users)

    def __iter__(self) -> Iterator[User]:
        return iter(self.users)

    def __len__(self) -> int:
        return len(self._users)

    @property
    def admin_user(self) -> User:
        return self.users[0]

    def user(self, user_id: str) -> User | None:
        with self._lock:
            self._sync()
            position = self._index.get(user_id.lower())
            return None if position is None else self._users[position]

    def users_by_modification(self) -> list[User]:
        """Users ordered by modification time, then id: the Admin API's order."""
        with self._lock:
            self._sync()
            if self._sorted[0] != self._version:
                self._sorted = (self._version, sorted(self._users, key=lambda u: (u.modified_ms, u.id)))
            return self._sorted[1]

    def change_users(self, n: int, kind: str | None = None) -> list[User]:
        """Modify n distinct users now (a membership status, permission profile or title change, or only changes
        of ``kind``, see ``users.CHANGE_KINDS``); returns them as changed."""
        with self._lock:
            self._sync()
            generator = seeds.rng(self.seed, seeds.MANUAL_USER_CHANGE, self._manual_rounds)
            self._manual_rounds += 1
            now_ms = int(self.now() * 1000)
            positions = generator.sample(range(len(self._users)), min(n, len(self._users)))
            return [self._change(position, generator, now_ms, kind) for position in positions]

    def set_membership_status(self, user_id: str, status: str, actor_id: str) -> User | None:
        """An administrator's change of the user's membership of the account, now: ``Closed`` (closing) or
        ``Active`` (re-activating). A membership already in that state is left as it is. None: no such user.

        What the Admin API's close and activate operations do; every service shows the result (the Admin users
        list and profile, eSignature's user records), and the modification time moves, so the next
        ``last_modified_since`` listing has the user."""
        if status not in ("Closed", "Active"):
            raise ValueError(f"a membership is closed or re-activated, not set to {status!r}")
        with self._lock:
            self._sync()
            position = self._index.get(user_id.lower())
            if position is None:
                return None
            user = self._users[position]
            if user.status == status:
                return user
            change = close_memberships if status == "Closed" else reactivate_membership
            changed = change(user, int(self.now() * 1000), actor_id.lower())
            self._users[position] = changed
            self._version += 1
            return changed

    # ----- integrations and consent

    def register_integration(self, integration_key: str, public_key_pem: bytes, redirect_uris: Iterable[str]) -> None:
        with self._lock:
            self._integrations[integration_key] = Integration(integration_key, public_key_pem, tuple(redirect_uris))

    def integration(self, integration_key: str) -> Integration | None:
        with self._lock:
            return self._integrations.get(integration_key)

    def grant_consent(self, integration_key: str, user_id: str, scopes: Iterable[str]) -> None:
        """Individual consent: what the user agrees to on DocuSign's consent page."""
        with self._lock:
            self._user_consent.setdefault((integration_key, user_id.lower()), set()).update(scopes)

    def grant_admin_consent(self, integration_key: str, scopes: Iterable[str]) -> None:
        """Organization-wide consent by an administrator (`admin_consent_scope`)."""
        with self._lock:
            self._org_consent.setdefault(integration_key, set()).update(scopes)

    def consented_scopes(self, integration_key: str, user_id: str) -> frozenset[str]:
        with self._lock:
            own = self._user_consent.get((integration_key, user_id.lower()), set())
            return frozenset(own | self._org_consent.get(integration_key, set()))

    # ----- tokens

    def issue_token(self, integration_key: str, user_id: str, scopes: Iterable[str], lifetime: float) -> Token:
        now = self.now()
        token = Token(
            value=secrets.token_urlsafe(48),
            integration_key=integration_key,
            user_id=user_id.lower(),
            scopes=frozenset(scopes),
            issued_at=now,
            expires_at=now + lifetime,
        )
        with self._lock:
            self._tokens[token.value] = token
            self._issued.append(token.value)
        return token

    def issued_tokens(self) -> list[str]:
        """The value of every access token issued so far, in order."""
        with self._lock:
            return list(self._issued)

    def token(self, value: str) -> Token | None:
        """The token if it is known, unrevoked and unexpired."""
        with self._lock:
            token = self._tokens.get(value)
            if token is not None and token.expires_at <= self.now():
                del self._tokens[value]
                return None
            return token

    def revoke_tokens(self) -> int:
        """Invalidate every access token issued so far; returns how many were live."""
        with self._lock:
            count = len(self._tokens)
            self._tokens.clear()
            return count
