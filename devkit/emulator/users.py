"""The organization's people: generation of a seeded user population and of changes to it."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from devkit.emulator.seeds import rng_guid

ESIGN_STATUSES = ("Active", "ActivationSent", "ActivationRequired", "Closed", "Disabled")

_MEMBERSHIP_STATUS = {
    "Active": "active",
    "ActivationSent": "activation_sent",
    "ActivationRequired": "activation_required",
    "Closed": "closed",
    "Disabled": "disabled",
}
# The Admin API's user status is coarser than the membership's: a disabled membership keeps an active user.
_USER_STATUS = {
    "Active": "active",
    "Disabled": "active",
    "ActivationSent": "created",
    "ActivationRequired": "created",
    "Closed": "closed",
}

_FIRST_NAMES = (
    "Avery", "Blake", "Casey", "Dana", "Eli", "Farah", "Gita", "Hiro", "Ines", "Jonas", "Kira", "Luca",
    "Maya", "Nico", "Omar", "Priya", "Quinn", "Rosa", "Sami", "Tara", "Uma", "Viktor", "Wen", "Ximena",
    "Yara", "Zane", "Amir", "Bea", "Chen", "Dmitri", "Elena", "Femi", "Grace", "Hana", "Ivan", "Jade",
)  # fmt: skip
_LAST_NAMES = (
    "Adams", "Baker", "Costa", "Dubois", "Evans", "Fischer", "Garcia", "Haddad", "Ito", "Jensen", "Kim",
    "Lopez", "Müller", "Nguyen", "Okafor", "Patel", "Quintero", "Rossi", "Singh", "Tanaka", "Ueda",
    "Volkov", "Walsh", "Xu", "Yilmaz", "Zhang", "O'Brien", "Larsen", "Moreau", "Novak",
)  # fmt: skip
_TITLES = (
    "Account Executive", "Paralegal", "Counsel", "Controller", "HR Partner", "Buyer", "Engineer",
    "Office Manager", "Sales Director", "Analyst", "",
)  # fmt: skip
_PLACES = (
    ("Seattle", "WA", "US"), ("San Francisco", "CA", "US"), ("New York", "NY", "US"), ("Austin", "TX", "US"),
    ("London", "", "GB"), ("Dublin", "", "IE"), ("Paris", "", "FR"), ("Berlin", "", "DE"),
    ("Bengaluru", "KA", "IN"), ("Sydney", "NSW", "AU"), ("Toronto", "ON", "CA"), ("", "", ""),
)  # fmt: skip
_GROUP_NAMES = ("Sales", "Legal", "Finance", "Human Resources", "Procurement", "Engineering")

_DAY_MS = 86_400_000


@dataclass(frozen=True)
class PermissionProfile:
    id: str
    """eSignature permission profile ids are numeric strings."""
    name: str


@dataclass(frozen=True)
class Group:
    group_id: str
    """The eSignature group id (numeric string)."""
    ds_group_id: str
    """The Admin API's GUID for the same group."""
    name: str
    group_type: str


@dataclass(frozen=True)
class User:
    """One person and their membership of the organization's account (immutable: changes replace it)."""

    id: str
    membership_id: str
    first_name: str
    last_name: str
    email: str
    status: str
    """eSignature spelling, one of ESIGN_STATUSES; the Admin API's statuses derive from it."""
    profile: PermissionProfile
    groups: tuple[Group, ...]
    is_org_admin: bool
    created_ms: int
    membership_created_ms: int
    modified_ms: int
    """Any change (what the Admin API's `last_modified_since` filters on)."""
    modified_by: str
    closed_ms: int | None
    last_login_ms: int | None
    job_title: str
    company: str
    city: str
    state: str
    country: str
    is_managed_by_scim: bool
    license_type: str
    plan_name: str
    subscription_id: str
    settings_modified_ms: int = 0
    """eSignature's `userSettings.modifiedDate`: moved by settings and permission changes only."""
    profile_modified_ms: int = 0
    """eSignature's `userProfileLastModifiedDate`: moved by profile changes (name, title, company) only."""

    @property
    def user_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def membership_status(self) -> str:
        return _MEMBERSHIP_STATUS[self.status]

    @property
    def user_status(self) -> str:
        return _USER_STATUS[self.status]

    @property
    def is_account_admin(self) -> bool:
        return self.profile.name == "DS Admin"


@dataclass(frozen=True)
class Catalog:
    """What users are assigned from: permission profiles and groups of the account."""

    profiles: tuple[PermissionProfile, ...]
    everyone: Group
    administrators: Group
    custom_groups: tuple[Group, ...]

    def profile(self, name: str) -> PermissionProfile:
        return next(p for p in self.profiles if p.name == name)


def build_catalog(generator: random.Random) -> Catalog:
    base = generator.randrange(10_000_000, 90_000_000)
    profiles = (
        PermissionProfile(str(base), "DS Admin"),
        PermissionProfile(str(base + 1), "DS Sender"),
        PermissionProfile(str(base + 2), "DS Viewer"),
    )

    def group(name: str, group_type: str) -> Group:
        return Group(str(generator.randrange(1_000_000, 99_999_999)), rng_guid(generator), name, group_type)

    return Catalog(
        profiles=profiles,
        everyone=group("Everyone", "everyoneGroup"),
        administrators=group("Administrators", "adminGroup"),
        custom_groups=tuple(group(name, "customGroup") for name in _GROUP_NAMES),
    )


def _groups_for(generator: random.Random, catalog: Catalog, profile: PermissionProfile) -> tuple[Group, ...]:
    groups = [catalog.everyone]
    if profile.name == "DS Admin":
        groups.append(catalog.administrators)
    groups.extend(generator.sample(catalog.custom_groups, generator.choice((0, 1, 1, 2))))
    return tuple(groups)


def generate_users(
    generator: random.Random,
    count: int,
    anchor_ms: int,
    recent_ms: int,
    domain: str,
    company: str,
    catalog: Catalog,
    subscription_id: str,
    recent_share: float = 0.15,
) -> list[User]:
    """A population whose first user is the organization administrator (the impersonation target).

    `recent_ms` is the span before `anchor_ms` in which a `recent_share` of the users were modified, so
    incremental reads have something to find.
    """
    users: list[User] = []
    emails: set[str] = set()
    for index in range(max(count, 1)):
        first = generator.choice(_FIRST_NAMES)
        last = generator.choice(_LAST_NAMES)
        local = f"{first}.{last}".lower().replace("'", "").replace("ü", "u")
        email = f"{local}@{domain}"
        if email in emails:
            email = f"{local}{index}@{domain}"
        emails.add(email)
        if index == 0:
            status, profile, org_admin = "Active", catalog.profile("DS Admin"), True
        else:
            status = generator.choices(ESIGN_STATUSES, weights=(80, 6, 3, 8, 3))[0]
            profile = generator.choices(catalog.profiles, weights=(5, 70, 25))[0]
            org_admin = profile.name == "DS Admin" and generator.random() < 0.3
        created = anchor_ms - generator.randrange(30 * _DAY_MS, 5 * 365 * _DAY_MS)
        if index != 0 and generator.random() < recent_share:
            modified = anchor_ms - generator.randrange(0, max(recent_ms, 1))
        else:
            older = anchor_ms - recent_ms
            modified = generator.randrange(created, older) if older > created else created
        last_login = None
        if status in ("Active", "Disabled", "Closed"):
            last_login = generator.randrange(created, max(modified, created + 1))
        city, state, country = generator.choice(_PLACES)
        users.append(
            User(
                id=rng_guid(generator),
                membership_id=rng_guid(generator),
                first_name=first,
                last_name=last,
                email=email,
                status=status,
                profile=profile,
                groups=_groups_for(generator, catalog, profile),
                is_org_admin=org_admin,
                created_ms=created,
                membership_created_ms=created + generator.randrange(0, 3_600_000),
                modified_ms=modified,
                modified_by="",
                closed_ms=modified if status == "Closed" else None,
                last_login_ms=last_login,
                job_title=generator.choice(_TITLES),
                company=company,
                city=city,
                state=state,
                country=country,
                is_managed_by_scim=generator.random() < 0.1,
                license_type="" if status == "Closed" else "eSignature",
                plan_name="Business Pro",
                subscription_id=subscription_id,
                settings_modified_ms=modified,
                profile_modified_ms=generator.randrange(created, modified + 1),
            )
        )
    admin_id = users[0].id
    return [replace(user, modified_by=admin_id) for user in users]


_TRANSITIONS = {
    "Active": ("Disabled", "Closed"),
    "Disabled": ("Active",),
    "Closed": ("Active",),
    "ActivationSent": ("Active",),
    "ActivationRequired": ("ActivationSent",),
}


CHANGE_KINDS = ("profile", "settings", "membership")


def change_user(
    user: User,
    generator: random.Random,
    now_ms: int,
    modifier_id: str,
    catalog: Catalog,
    protected: bool,
    kind: str | None = None,
) -> User:
    """Apply one plausible administrative change of `kind` (one of CHANGE_KINDS; a random one when None); each
    moves the dates DocuSign keeps for it, and all move the Admin API's modification time. `protected` users
    (the impersonation target) keep their access: they only get profile changes."""
    roll = generator.random()
    if kind is None:
        kind = "profile" if roll >= 0.75 else "membership" if roll < 0.5 else "settings"
    if protected:
        kind = "profile"
    if kind == "profile":  # a title change: eSignature's profile date moves, its settings date does not
        titles = [t for t in _TITLES if t != user.job_title]
        return replace(
            user,
            job_title=generator.choice(titles),
            modified_ms=now_ms,
            profile_modified_ms=now_ms,
            modified_by=modifier_id,
        )
    if kind == "membership":  # status: the Admin membership shows it; neither eSignature date moves
        status = generator.choice(_TRANSITIONS[user.status])
        closed = now_ms if status == "Closed" else None
        last_login = user.last_login_ms
        if status == "Active" and last_login is None:
            last_login = now_ms
        return replace(
            user,
            status=status,
            closed_ms=closed,
            last_login_ms=last_login,
            license_type="" if status == "Closed" else "eSignature",
            modified_ms=now_ms,
            modified_by=modifier_id,
        )
    profile = generator.choice([p for p in catalog.profiles if p != user.profile])
    return replace(  # a permission profile: eSignature's settings date moves
        user,
        profile=profile,
        groups=_groups_for(generator, catalog, profile),
        is_org_admin=user.is_org_admin and profile.name == "DS Admin",
        modified_ms=now_ms,
        settings_modified_ms=now_ms,
        modified_by=modifier_id,
    )


def close_memberships(user: User, when_ms: int, modifier_id: str) -> User:
    """The user with their membership closed at ``when_ms`` by ``modifier_id`` (the Admin API shows it)."""
    return replace(
        user, status="Closed", closed_ms=when_ms, license_type="", modified_ms=when_ms, modified_by=modifier_id
    )


def reactivate_membership(user: User, when_ms: int, modifier_id: str) -> User:
    """The user with their membership active again from ``when_ms``, by ``modifier_id``: the undo of closing it."""
    return replace(
        user, status="Active", closed_ms=None, license_type="eSignature", modified_ms=when_ms, modified_by=modifier_id
    )
