"""The Monitor event stream: event i is a pure function of (seed, i), so any volume costs no memory.

Events are numbered in ingestion order. Ingestion times are monotonic in the index (one random
point per equal time slot), which lets a cursor be an index and an instant be found by bisection.
Each event's own `timestamp` precedes its ingestion by up to five minutes, so the stream is not
in timestamp order and some events arrive late.
"""

from __future__ import annotations

import bisect
import copy
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

from devkit.emulator import seeds
from devkit.emulator.times import TICKS_PER_SECOND, event_timestamp

TimestampStyle = Literal["dotnet", "mixed"]

MAX_INGEST_DELAY_SECONDS = 300

DOCUMENTED_KEYS = (
    "timestamp", "eventId", "site", "accountId", "organizationId", "userId", "integratorKey", "userAgent",
    "userAgentClientInfo", "ipAddress", "ipAddressLocation", "object", "action", "property", "field", "result",
    "source", "isUserMemberOfDomain", "referencedUserIsMemberOfDomain", "referencedUserId", "proxyStatus",
    "proxyType", "proxyLevel", "latitude", "longitude", "city", "state", "country", "device", "browser", "os",
    "affectedUserId", "affectedUserIsMemberOfDomain", "data",
)  # fmt: skip
"""Every key an event may carry (the fact sheet's list)."""

CORE_KEYS = (
    "timestamp", "eventId", "site", "accountId", "organizationId", "userId", "integratorKey", "userAgent",
    "ipAddress", "ipAddressLocation", "object", "action", "property", "field", "result", "source",
    "referencedUserId", "proxyStatus", "proxyType", "proxyLevel", "latitude", "longitude", "city", "state",
    "country", "data",
)  # fmt: skip
"""Keys every event carries (those of DocuSign's published sample); the others appear on some kinds."""

INTERNAL_INTEGRATOR_KEY = "##DOCUSIGN_INTERNAL_NOT_USED##"

# (IPv4 prefix, IPv6 prefix, city, state, country, latitude, longitude): lower case, as in the published sample.
_PLACES = (
    ("162.248.186", "2600:1700:5a0", "seattle", "washington", "united states", 47.6, -122.33),
    ("104.28.45", "2606:4700:3031", "san jose", "california", "united states", 37.34, -121.89),
    ("72.229.28", "2603:7000:9a00", "new york", "new york", "united states", 40.71, -74.01),
    ("81.2.69", "2a02:c7c:5e2d", "london", "england", "united kingdom", 51.51, -0.13),
    ("89.187.160", "2a02:8108:1c0", "frankfurt am main", "hesse", "germany", 50.11, 8.68),
    ("49.36.80", "2409:4041:2d8f", "akota", "gujarat", "india", 22.3, 73.17),
    ("101.160.12", "2001:8003:6c1d", "sydney", "new south wales", "australia", -33.87, 151.21),
    ("177.71.207", "2804:14c:5b80", "sao paulo", "sao paulo", "brazil", -23.55, -46.63),
    ("95.165.0", "2a00:1370:8180", "moscow", "moscow", "russia", 55.75, 37.62),
    ("105.112.96", "2c0f:f5c0:440", "lagos", "lagos", "nigeria", 6.45, 3.39),
    ("10.20.30", "fd00:1:2", "", "", "", 0.0, 0.0),
)


def _version(dotted: str) -> dict[str, str]:
    major, minor, patch = ([*dotted.split("."), "", "", ""])[:3]
    return {"major": major, "minor": minor, "patch": patch}


# (userAgent, browser family, browser version, os family, os version, device family, brand, model)
_AGENTS: tuple[tuple[str, str, tuple[str, str, str], str, str, str, str, str], ...] = (
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0.6099.130 Safari/537.36",
        "Chrome", ("120", "0", "6099"), "Windows", "10", "Other", "", "",
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/121.0.0.0 Safari/537.36 Edg/121.0.2277.83",
        "Edge", ("121", "0", "2277"), "Windows", "10", "Other", "", "",
    ),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.2 Safari/605.1.15",
        "Safari", ("17", "2", ""), "Mac OS X", "10.15.7", "Mac", "Apple", "Mac",
    ),
    (
        "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:122.0) Gecko/20100101 Firefox/122.0",
        "Firefox", ("122", "0", ""), "Ubuntu", "", "Other", "", "",
    ),
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.2 Mobile/15E148 Safari/604.1",
        "Mobile Safari", ("17", "2", ""), "iOS", "17.2.1", "iPhone", "Apple", "iPhone",
    ),
    (
        "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0.6099.144 Mobile Safari/537.36",
        "Chrome Mobile", ("120", "0", "6099"), "Android", "14", "Samsung SM-S918B", "Samsung", "SM-S918B",
    ),
)  # fmt: skip
_API_AGENTS = ("", "python-requests/2.31.0", "DocuSign-CSharp-SDK/6.8.0", "Apache-HttpClient/4.5.14 (Java/17.0.9)")

_ENVELOPE_ACTIONS = ("Sent", "Viewed", "Downloaded", "Voided", "Completed", "Printed", "Corrected")
_ENVELOPE_WEIGHTS = (30, 30, 15, 4, 15, 3, 3)
_PROFILE_FIELDS = ("CanSendEnvelope", "CanManageUsers", "AllowApiAccess", "CanManageAccount", "CanSignEnvelope")
PRIVILEGED_PROFILE_FIELDS = ("CanManageUsers", "CanManageAccount", "AllowApiAccess")
"""Granting one of these escalates privileges: the background only ever revokes them (attacks grant them)."""
_SETTINGS = (
    ("Security", "EnableTwoFactorAuthentication"),
    ("Security", "AllowedIpAddressRanges"),
    ("Security", "SessionTimeout"),
    ("Signing", "EnableSignerAttachments"),
    ("Sending", "AllowBulkSend"),
    ("Retention", "PurgeDocumentsAfterDays"),
)
_ALERTS = (
    "IpAddressOutsideAllowedRanges",
    "MultipleFailedLogins",
    "BulkEnvelopeDownloads",
    "LoginFromNewCountry",
)
"""Monitor's own alerts in the background; a credential leak is only ever planted (see scenarios)."""
WORKING_HOURS = range(7, 19)
"""UTC hours in which the background's administrators change settings, profiles and users."""
_FAILURE_REASONS = ("InvalidPassword", "AccountLocked", "TwoFactorFailed")


@dataclass(frozen=True)
class Population:
    """What events refer to; fixed at creation so that event i never changes."""

    organization_id: str
    account_id: str
    site: str
    admin_user_id: str
    user_ids: tuple[str, ...]
    membership_ids: tuple[str, ...]
    profile_ids: tuple[str, ...]
    integrator_keys: tuple[str, ...]
    actors: tuple[int, ...] = ()
    """Positions in user_ids of the users who act in the background (active ones); empty: everyone."""


@dataclass(frozen=True)
class StreamSpec:
    seed: int
    count: int
    """Historical events, ingested between start and anchor."""
    start_ticks: int
    anchor_ticks: int
    live_interval_ticks: int = 0
    """Mean spacing of live events after the anchor; 0 means none."""
    timestamp_style: TimestampStyle = "dotnet"


def _first_true(predicate: Callable[[int], bool], low: int, high: int) -> int:
    """Smallest i in [low, high] with predicate(i), the predicate being monotonic; high if none."""
    while low < high:
        middle = (low + high) // 2
        if predicate(middle):
            high = middle
        else:
            low = middle + 1
    return low


class EventStream:
    """The generated events merged with planted ones (attacks, recorded admin actions), in ingestion order.

    A planted event goes after the generated events ingested at or before its ingestion, so positions already
    served never move as long as events are planted at or after the present (or before anyone reads).
    """

    def __init__(self, spec: StreamSpec, population: Population) -> None:
        self.spec = spec
        self.population = population
        self._span = spec.anchor_ticks - spec.start_ticks
        self._home = {user: position for position, user in enumerate(population.user_ids)}
        self.actors = population.actors or tuple(range(len(population.user_ids)))
        """Positions in population.user_ids of the users who act in the background."""
        # (ingestion ticks, merged position, event) of planted events, sorted; replaced whole, never mutated.
        self._planted: tuple[tuple[int, ...], tuple[int, ...], tuple[dict[str, Any], ...]] = ((), (), ())

    # ----- ingestion timeline

    def _generated_ticks(self, index: int) -> int:
        spec = self.spec
        if index < spec.count:
            slot = spec.start_ticks + self._span * index // spec.count
            width = spec.start_ticks + self._span * (index + 1) // spec.count - slot
            return slot + seeds.mix(spec.seed, seeds.EVENT_JITTER, index) % max(width, 1)
        interval = spec.live_interval_ticks
        live = index - spec.count
        return spec.anchor_ticks + live * interval + seeds.mix(spec.seed, seeds.EVENT_JITTER, index) % interval

    def _upper_bound(self, ticks: int) -> int:
        if self.spec.live_interval_ticks <= 0 or ticks < self.spec.anchor_ticks:
            return self.spec.count
        return self.spec.count + (ticks - self.spec.anchor_ticks) // self.spec.live_interval_ticks + 1

    def _generated_by(self, ticks: int) -> int:
        return _first_true(lambda i: self._generated_ticks(i) > ticks, 0, self._upper_bound(ticks))

    def plant(self, events: Iterable[tuple[int, dict[str, Any]]]) -> None:
        """Add events, each ingested at the given ticks, to the stream."""
        merged = sorted([*zip(self._planted[0], self._planted[2], strict=True), *events], key=lambda pair: pair[0])
        ticks = tuple(t for t, _ in merged)
        positions = tuple(j + self._generated_by(t) for j, t in enumerate(ticks))
        self._planted = (ticks, positions, tuple(event for _, event in merged))

    def _locate(self, position: int) -> tuple[int, bool]:
        """(index among planted events, True) or (index among generated events, False) of a stream position."""
        positions = self._planted[1]
        j = bisect.bisect_left(positions, position)
        if j < len(positions) and positions[j] == position:
            return j, True
        return position - j, False

    def ingest_ticks(self, position: int) -> int:
        index, planted = self._locate(position)
        return self._planted[0][index] if planted else self._generated_ticks(index)

    def ingested_by(self, ticks: int) -> int:
        """How many events have been ingested at `ticks` (so are visible to a reader)."""
        return self._generated_by(ticks) + bisect.bisect_right(self._planted[0], ticks)

    def first_at_or_after(self, ticks: int, visible: int) -> int:
        """Position of the first event ingested at or after `ticks`, at most `visible`."""
        return _first_true(lambda i: self.ingest_ticks(i) >= ticks, 0, visible)

    # ----- content

    def event_id(self, index: int) -> str:
        """The id of generated event `index`."""
        seed = self.spec.seed
        return seeds.guid(seeds.mix(seed, seeds.EVENT_ID, index), seeds.mix(seed, seeds.EVENT_ID, ~index))

    def event(self, position: int) -> dict[str, Any]:
        index, planted = self._locate(position)
        if planted:
            return copy.deepcopy(self._planted[2][index])
        return self._generated(index)

    def _generated(self, index: int) -> dict[str, Any]:
        generator = seeds.rng(self.spec.seed, seeds.EVENT, index)
        ingest = self._generated_ticks(index)
        roll = generator.random()
        if roll < 0.7:
            delay = generator.uniform(0.05, 3.0)
        elif roll < 0.95:
            delay = generator.uniform(3.0, 60.0)
        else:
            delay = generator.uniform(60.0, MAX_INGEST_DELAY_SECONDS)
        stamp = ingest - int(delay * TICKS_PER_SECOND)
        digits = 7
        if self.spec.timestamp_style == "mixed":
            digits = generator.choice((7, 7, 7, 6, 3, 0))
        kind = generator.choices(_KINDS, weights=_KIND_WEIGHTS)[0]
        if kind in _ADMIN_KINDS and stamp // TICKS_PER_SECOND // 3600 % 24 not in WORKING_HOURS:
            kind = _envelope  # administrators work office hours; off-hours changes are an attack (scenarios)
        return kind(self, generator, index, event_timestamp(stamp, digits))

    def home(self, user_id: str) -> tuple[Any, ...]:
        """The city a user lives in (an entry of _PLACES)."""
        position = self._home.get(user_id, 0)
        return _PLACES[seeds.mix(self.spec.seed, seeds.HOME, position) % (len(_PLACES) - 1)]

    def place(self, generator: random.Random, user_id: str) -> tuple[Any, ...]:
        """Where a user acts from: mostly their home city, sometimes the office network (private, unplaced) or
        another city of the same country; never abroad (travel is an attack, see scenarios)."""
        home = self.home(user_id)
        roll = generator.random()
        if roll < 0.1:
            return _PLACES[-1]
        if roll < 0.15:
            return generator.choice([p for p in _PLACES if p[4] == home[4]])
        return home

    def base_event(
        self,
        generator: random.Random,
        index: int,
        timestamp: str,
        user_id: str,
        source: str,
        place: tuple[Any, ...] | None = None,
    ) -> dict[str, Any]:
        population = self.population
        place = place or self.place(generator, user_id)
        if generator.random() < 0.15:
            # The place's /48 prefix (3 groups) plus 5 random groups: a full 8-group address.
            address = place[1] + "".join(f":{generator.randrange(0x10000):x}" for _ in range(5))
        else:
            address = f"{place[0]}.{generator.randrange(1, 255)}"
        event: dict[str, Any] = {
            "timestamp": timestamp,
            "eventId": self.event_id(index),
            "site": population.site,
            "accountId": population.account_id,
            "organizationId": population.organization_id,
            "userId": user_id,
            "integratorKey": INTERNAL_INTEGRATOR_KEY,
            "userAgent": "",
        }
        if source == "API":
            event["integratorKey"] = generator.choice(population.integrator_keys)
            event["userAgent"] = generator.choice(_API_AGENTS)
        elif source in ("Web", "Mobile"):
            agent = generator.choice(_AGENTS[4:] if source == "Mobile" else _AGENTS[:4])
            ua, family, (major, minor, patch), os_family, os_version, device, brand, model = agent
            event["userAgent"] = ua
            event["userAgentClientInfo"] = {
                "browser": {"family": family, "version": {"major": major, "minor": minor, "patch": patch}},
                "device": {"family": device, "brand": brand, "model": model},
                # DocuSign's StreamingEventRow types both versions as Version {major, minor, patch}.
                "os": {"family": os_family, "version": _version(os_version)},
            }
        _, _, city, state, country, latitude, longitude = place
        event["ipAddress"] = address
        event["ipAddressLocation"] = {
            "latitude": latitude,
            "longitude": longitude,
            "country": country,
            "state": state,
            "city": city,
        }
        event.update({"object": "", "action": "", "property": "", "field": "", "result": "", "source": source})
        if "userAgentClientInfo" in event:
            event["isUserMemberOfDomain"] = generator.random() < 0.9
        event["referencedUserId"] = ""
        proxied = generator.random() < 0.04
        event["proxyStatus"] = "Proxy" if proxied else ""
        # Tor is an attack (scenarios); corporate VPNs and hosting providers are everyday.
        event["proxyType"] = generator.choice(("VPN", "HOSTING")) if proxied else ""
        event["proxyLevel"] = generator.choice(("Low", "Medium", "High")) if proxied else ""
        event.update({"latitude": latitude, "longitude": longitude, "city": city, "state": state, "country": country})
        if "userAgentClientInfo" in event:
            info = event["userAgentClientInfo"]
            version = ".".join(part for part in info["browser"]["version"].values() if part)
            event["device"] = info["device"]["family"]
            event["browser"] = f"{info['browser']['family']} {version}"
            event["os"] = f"{info['os']['family']} {os_version}".strip()
        event["data"] = {}
        return event

    def _user(self, generator: random.Random) -> int:
        return generator.randrange(len(self.population.user_ids))

    def _actor(self, generator: random.Random) -> str:
        """A user who acts in the background."""
        return self.population.user_ids[generator.choice(self.actors)]


def _login(stream: EventStream, generator: random.Random, index: int, timestamp: str) -> dict[str, Any]:
    user = stream._actor(generator)
    event = stream.base_event(generator, index, timestamp, user, generator.choice(("Web", "Web", "Web", "Mobile")))
    failed = generator.random() < 0.15
    event.update({"object": "User", "action": "Login", "result": "Failure" if failed else "Success"})
    if failed:
        event["data"] = {"FailureReason": generator.choice(_FAILURE_REASONS)}
    return event


def _envelope(stream: EventStream, generator: random.Random, index: int, timestamp: str) -> dict[str, Any]:
    user = stream._actor(generator)
    source = generator.choice(("Web", "Web", "API", "Mobile"))
    event = stream.base_event(generator, index, timestamp, user, source)
    action = generator.choices(_ENVELOPE_ACTIONS, weights=_ENVELOPE_WEIGHTS)[0]
    event.update({"object": "Envelope", "action": action, "result": "Success"})
    data: dict[str, Any] = {"EnvelopeId": seeds.rng_guid(generator)}
    if action in ("Downloaded", "Printed", "Viewed"):
        data["DocumentId"] = str(generator.randrange(1, 6))
    if action == "Voided":
        data["VoidedReason"] = generator.choice(("Wrong recipient", "Superseded", ""))
    event["data"] = data
    return event


def _admin_actor(stream: EventStream, generator: random.Random) -> str:
    population = stream.population
    return population.admin_user_id if generator.random() < 0.6 else stream._actor(generator)


def _permission(stream: EventStream, generator: random.Random, index: int, timestamp: str) -> dict[str, Any]:
    event = stream.base_event(generator, index, timestamp, _admin_actor(stream, generator), "Web")
    field = generator.choice(_PROFILE_FIELDS)
    old = True if field in PRIVILEGED_PROFILE_FIELDS else generator.random() < 0.5
    event.update(
        {
            "object": "PermissionProfile",
            "action": "Updated",
            "property": "Settings",
            "field": field,
            "result": "Success",
        }
    )
    event["data"] = {
        "PermissionProfileId": generator.choice(stream.population.profile_ids),
        "OldValue": str(old).lower(),
        "NewValue": str(not old).lower(),
    }
    return event


def _setting(stream: EventStream, generator: random.Random, index: int, timestamp: str) -> dict[str, Any]:
    event = stream.base_event(generator, index, timestamp, _admin_actor(stream, generator), "Web")
    prop, field = generator.choice(_SETTINGS)
    event.update(
        {"object": "AccountSetting", "action": "Updated", "property": prop, "field": field, "result": "Success"}
    )
    # Turning two-factor authentication off is an attack (scenarios): the background only turns it on.
    old = False if field == "EnableTwoFactorAuthentication" else generator.random() < 0.5
    event["data"] = {"OldValue": str(old).lower(), "NewValue": str(not old).lower()}
    return event


def _user_added(stream: EventStream, generator: random.Random, index: int, timestamp: str) -> dict[str, Any]:
    population = stream.population
    event = stream.base_event(
        generator, index, timestamp, _admin_actor(stream, generator), generator.choice(("API", "Web"))
    )
    target = stream._user(generator)
    event.update({"object": "Account", "action": "UserAdded"})
    event["referencedUserId"] = population.user_ids[target]
    event["data"] = {
        "AffectedUserId": population.user_ids[target],
        "AffectedMembershipId": population.membership_ids[target],
        "PermissionProfileId": generator.choice(population.profile_ids),
    }
    return event


def _user_closed(stream: EventStream, generator: random.Random, index: int, timestamp: str) -> dict[str, Any]:
    population = stream.population
    event = stream.base_event(
        generator, index, timestamp, _admin_actor(stream, generator), generator.choice(("API", "Web"))
    )
    target = stream._user(generator)
    event.update({"object": "Account", "action": "UserClosed", "result": "Success"})
    event["referencedUserId"] = population.user_ids[target]
    event["referencedUserIsMemberOfDomain"] = True
    event["affectedUserId"] = population.user_ids[target]
    event["affectedUserIsMemberOfDomain"] = True
    event["data"] = {
        "AffectedUserId": population.user_ids[target],
        "AffectedMembershipId": population.membership_ids[target],
    }
    return event


def _alert(stream: EventStream, generator: random.Random, index: int, timestamp: str) -> dict[str, Any]:
    user = stream._actor(generator)
    event = stream.base_event(generator, index, timestamp, user, "System")
    event.update({"object": "Alert", "action": generator.choice(_ALERTS)})
    related = [stream.event_id(index - back) for back in range(1, min(index, generator.randrange(1, 6)) + 1)]
    data: dict[str, Any] = {"EventIds": related, "Count": str(max(len(related), generator.randrange(1, 40)))}
    if generator.random() < 0.6:
        data["Severity"] = generator.choice(("Low", "Medium", "High"))
    event["data"] = data
    return event


_KINDS = (_login, _envelope, _permission, _setting, _user_added, _user_closed, _alert)
_KIND_WEIGHTS = (36, 45, 4, 4, 3, 2, 1)
_ADMIN_KINDS = (_permission, _setting, _user_added, _user_closed)
