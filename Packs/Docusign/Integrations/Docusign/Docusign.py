"""DocuSign event collector for Cortex XSIAM, and response actions on DocuSign users.

Collects customer events (Monitor API) and audit users (Admin + eSignature APIs) into the
``docusign_docusign_raw`` dataset; looks a user up and closes or re-activates the user's memberships (Admin API,
only with "Allow response actions"). One file by platform rule; sections, top-down: constants, errors,
settings, keys and JWT, token cache and source, run context, quota, HTTP policy and client, endpoints,
paging, event shaping, state, fetchers, event types, event size, run report, response actions, commands, main.

How a fetch flows: each selected event type (one ``EventType`` entry) reads its typed state from last
run, its fetcher yields pages of events with the state that is true once they are sent, and raises
to stop (``Stopped`` with a ``StopReason``, or a typed API error); ``collect`` turns that into the
type's outcome. ``fetch-events`` sends every outcome's events once, then saves their states, then
logs one JSON run report (and a human line rendered from it).
"""

import enum
import hashlib
import ipaddress
import math
import random
import re
import socket
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode, urlsplit

import demistomock as demisto
from CommonServerPython import *
from dateutil import parser as date_parser

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import rsa

# ============================================================================ constants

VENDOR = "docusign"
PRODUCT = "docusign"
CUSTOMER_EVENTS = "Customer events"
AUDIT_USERS = "Audit Users"

DEV_OAUTH_HOST = "account-d.docusign.com"
PROD_OAUTH_HOST = "account.docusign.com"
BASE_SCOPES = ("signature", "impersonation")
USER_SCOPES = ("organization_read", "user_read")
WRITE_SCOPE = "user_write"  # closing and re-activating memberships; asked for only with "Allow response actions"
LOOKUP_SCOPES = (*BASE_SCOPES, "user_read")  # docusign-user-get: Admin profile and eSignature record
WRITE_SCOPES = (*LOOKUP_SCOPES, WRITE_SCOPE)
CLOSE_COMMAND = "docusign-user-memberships-close"
ACTIVATE_COMMAND = "docusign-user-membership-activate"
RESPONSE_ACTIONS = f"response actions: {CLOSE_COMMAND}, {ACTIVATE_COMMAND}"

JWT_LIFETIME = 3600
TOKEN_RENEW_MARGIN = 15 * 60  # DocuSign advises renewing ~15 minutes before expiry.
MONITOR_PAGE_MAX = 2000
MAX_CUSTOMER_EVENTS = 20_000
ADMIN_PAGE_MAX = 250
ESIGN_PAGE_MAX = 100
MAX_USER_EVENTS = 10_000
DEFAULT_USER_EVENTS = 1250
DEFAULT_TIME_BUDGET = 180.0
DEFAULT_PAGE_INTERVAL = 5.0
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 60.0
MIN_REQUEST_TIME = 1.0  # seconds: with less of the run's budget left, no request is started
HOURLY_QUOTA = 3000  # DocuSign's calls per account and hour, shared by every app of the account
DEFAULT_QUOTA_SHARE = 20  # percent of the hourly quota this collector may use
ACCOUNT_RESERVE = 0.1  # below this share of the account's quota left, the collector defers to the other apps
BURST_WINDOW = 30.0  # seconds: DocuSign's burst limit counts an account's calls per 30 s
BURST_LIMITS = {DEV_OAUTH_HOST: 200, PROD_OAUTH_HOST: 500}  # per 30 s; a gateway is taken to be a developer account
DEDUP_MEMORY = 2000  # boundary ids remembered per type; bounded so last run stays small
# A switch of Monitor generation resumes this long before the newest event delivered: covers events DocuSign
# ingests late. Repeats are dropped by the id memory, which covers 2,000 events (200 a minute over the overlap).
SWITCH_OVERLAP = timedelta(minutes=10)
# The Admin query reaches back this far before the watermark: a change the Admin API shows up to this late (clock
# skew between DocuSign's services, replication; DocuSign documents no bound) is still listed. It costs Admin pages
# only (a user listed again with an unchanged record is not read again), and bounds how late a second change that
# only eSignature shows is delivered.
ADMIN_LOOKBACK = timedelta(hours=1)
WHOLE_DAY_REREAD = timedelta(hours=1)  # if the Admin filter lists whole days, listed users are read again hourly

GUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
RATE_LIMIT_CODES = ("HOURLY_APIINVOCATION_LIMIT_EXCEEDED", "BURST_APIINVOCATION_LIMIT_EXCEEDED")

# ============================================================================ errors


class DocusignError(Exception):
    """An error meant for a person: the message says what is wrong and what to do."""


class ApiError(DocusignError):
    """A DocuSign API call failed; carries the status and DocuSign's trace token."""

    def __init__(self, message: str, status: int | None = None, code: str = "", trace_token: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.trace_token = trace_token


class RateLimitedError(ApiError):
    """DocuSign's rate limit was hit and the wait does not fit in this run."""


class ReplyShapeError(ApiError):
    """A 200 reply whose content is not what the API documents; the saved state is kept."""

    def __init__(self, message: str, trace_token: str) -> None:
        super().__init__(with_trace_token(message, trace_token), 200, "MALFORMED_REPLY", trace_token)


class StopReason(enum.Enum):
    """Why an event type's fetch ended."""

    CAUGHT_UP = "caught up"
    EVENT_BUDGET = "event budget"
    TIME_BUDGET = "time budget"
    RATE_LIMIT = "rate limit"
    QUOTA = "quota share used"  # deferred by the quota governor: the next run continues
    CURSOR = "cursor problem"  # DocuSign's cursor did not move or went back: said on health
    ERROR = "error"


class Stopped(Exception):
    """Raised by a fetcher to end early for a reason that is not an error (budget or time)."""

    def __init__(self, reason: StopReason) -> None:
        super().__init__(reason.value)
        self.reason = reason


def with_trace_token(message: str, token: str) -> str:
    return f"{message} (X-DocuSign-TraceToken: {token})" if token else message


# Mixed case and digits in one long run is what base64 of key material looks like; GUIDs, hosts and cursors are not.
KEY_MATERIAL = r"(?=[\w+/=-]*[A-Z])(?=[\w+/=-]*[a-z])(?=[\w+/=-]*\d)[\w+/=-]{32,}"
SECRET_SHAPES = (
    ("a PEM key", re.compile(r"-----BEGIN")),
    ("a signed token", re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]*")),
    ("key material", re.compile(KEY_MATERIAL, re.ASCII)),
)


def quoted(value: Any, limit: int = 40) -> str:
    """``value`` quoted for a message: at most ``limit`` characters of it, and nothing of it when it looks like a
    secret (a private key pasted in the wrong field, an assertion DocuSign echoes): errors reach the War Room,
    logs and module health, which the platform masks only for exact strings."""
    text = " ".join(str(value).split())
    for what, shape in SECRET_SHAPES:
        if shape.search(text):
            return f"(a value that looks like {what}, not shown)"
    return repr(text if len(text) <= limit else text[:limit].rstrip() + "…")


DOCUSIGN_TEXT = 120  # DocuSign's own messages are sentences worth reading whole; a user's value is named by its start


# ============================================================================ settings


@dataclass(frozen=True)
class Hosts:
    """Base URLs of the DocuSign services for one environment (or one gateway)."""

    oauth: str
    monitor: str  # Monitor v2.0 ("lens")
    admin: str
    audience: str  # the JWT ``aud``: OAuth host[:port], no scheme
    api: str = ""  # DocuSign's API host, which serves Monitor v1 (a gateway serves it under its own base)

    @classmethod
    def for_server_url(cls, url: str) -> "Hosts":
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
        if parts.scheme not in ("http", "https") or not host:
            raise DocusignError(
                f"Server URL {quoted(url)} is not a URL. Use https://account.docusign.com (production) or "
                "https://account-d.docusign.com (developer)."
            )
        if parts.scheme == "http" and not _is_loopback(host):
            raise DocusignError(
                f"Server URL {quoted(url)} uses http://, which would send the private-key assertion and tokens in "
                "clear text. Use https:// (http:// is accepted only for a local emulator on a loopback host)."
            )
        netloc = parts.netloc.rsplit("@", 1)[-1].lower()
        if host == DEV_OAUTH_HOST:
            return cls(
                "https://account-d.docusign.com",
                "https://lens-d.docusign.net",
                "https://api-d.docusign.net/management",
                DEV_OAUTH_HOST,
                "https://api-d.docusign.com",
            )
        if host == PROD_OAUTH_HOST:
            return cls(
                "https://account.docusign.com",
                "https://lens.docusign.net",
                "https://api.docusign.net/management",
                PROD_OAUTH_HOST,
                "https://api.docusign.com",
            )
        # Any other host is a gateway serving all the APIs under its own base (emulator, corporate gateway).
        base = f"{parts.scheme}://{netloc}{parts.path.rstrip('/')}"
        return cls(base, base, f"{base}/management", netloc, base)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _guid(params: dict[str, Any], name: str, label: str, required: bool) -> str:
    value = str(params.get(name) or "").strip()
    if not value:
        if required:
            raise DocusignError(f"{label} is required.")
        return ""
    if "@" in value:
        where = " (the API Username on Apps and Keys)" if name == "user_id" else ""
        raise DocusignError(f"{label} is an e-mail address; use the GUID DocuSign shows for it{where}.")
    if not GUID_RE.match(value):
        raise DocusignError(
            f"{label} must be a GUID like 0a1b2c3d-1111-2222-3333-444455556666; got a value of {len(value)} "
            f"characters. Copy it from {GUID_SOURCES.get(name, 'DocuSign')}."
        )
    return value


GUID_SOURCES = {  # where DocuSign shows each ID
    "integration_key": "Apps and Keys (Integration Key of the app)",
    "user_id": "Apps and Keys (API Username)",
    "account_id": "Apps and Keys (API Account ID)",
    "organization_id": "DocuSign Admin > Organizations",
}


def _bounded_int(params: dict[str, Any], name: str, label: str, default: int, maximum: int) -> int:
    try:
        value = arg_to_number(params.get(name), arg_name=name)
    except ValueError:
        raise DocusignError(f"{label} must be a whole number between 1 and {maximum}.") from None
    if value is None:
        return default
    if not 1 <= value <= maximum:
        raise DocusignError(f"{label} must be between 1 and {maximum}; got {value}.")
    return value


def _seconds(
    params: dict[str, Any], name: str, label: str, default: float, maximum: float, minimum: float = 0
) -> float:
    raw = params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise DocusignError(f"{label} must be a number of seconds.") from None
    if not minimum <= value <= maximum:
        raise DocusignError(f"{label} must be between {minimum:g} and {maximum:g} seconds; got {value:g}.")
    return value


@dataclass(frozen=True)
class Budget:
    """An event type's per-fetch event budget: its instance parameter, default and maximum."""

    param: str
    label: str
    default: int
    maximum: int


@dataclass(frozen=True)
class Settings:
    """Instance parameters, validated once. Event types come from ``EVENT_TYPES`` (section event types)."""

    hosts: Hosts
    integration_key: str
    user_id: str
    redirect_url: str
    private_key_text: str = field(repr=False)
    account_id: str
    organization_id: str
    event_types: tuple[str, ...]
    budgets: dict[str, int]
    first_fetch: str
    verify: bool
    proxy: bool
    page_interval: float
    time_budget: float
    quota_share: float = DEFAULT_QUOTA_SHARE / 100
    monitor_api: str = "auto"  # "auto", "v1" or "lens": which Monitor generation to read
    response_actions: bool = False  # "Allow response actions": memberships may be closed and re-activated

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> "Settings":
        hosts = Hosts.for_server_url(str(params.get("url") or "https://account.docusign.com"))
        credentials = params.get("credentials") or {}
        key_text = credentials.get("password", "") if isinstance(credentials, dict) else str(credentials)
        # The yml's default selects every type; so does a missing parameter.
        raw_types = [str(t).strip().lower() for t in argToList(params.get("event_types") or list(EVENT_TYPES))]
        unknown = [t for t in raw_types if t not in {name.lower() for name in EVENT_TYPES}]
        if unknown:
            named = ", ".join(quoted(t) for t in unknown)
            raise DocusignError(f"Unknown event type(s) {named}; choose from {list(EVENT_TYPES)}.")
        event_types = tuple(t for t in EVENT_TYPES if t.lower() in raw_types)
        settings = cls(
            hosts=hosts,
            integration_key=_guid(params, "integration_key", "Integration Key", required=True),
            user_id=_guid(params, "user_id", "User ID", required=True),
            redirect_url=str(params.get("redirect_url") or "").strip(),
            private_key_text=key_text or "",
            # Checked per event type when it runs (missing_for): one type missing its ID does not stop the other.
            account_id=_guid(params, "account_id", "Account ID", required=False),
            organization_id=_guid(params, "organization_id", "Organization ID", required=False),
            event_types=event_types,
            budgets={
                name: _bounded_int(params, t.budget.param, t.budget.label, t.budget.default, t.budget.maximum)
                for name, t in EVENT_TYPES.items()
            },
            first_fetch=str(params.get("first_fetch") or "1 day").strip(),
            verify=not argToBoolean(params.get("insecure") or False),
            proxy=argToBoolean(params.get("proxy") or False),
            page_interval=_seconds(params, "page_interval", "Page interval", DEFAULT_PAGE_INTERVAL, 60),
            # Below a few seconds a run could not finish one page: it would deliver nothing, every time.
            time_budget=_seconds(params, "fetch_time_budget", "Fetch time budget", DEFAULT_TIME_BUDGET, 1800, 10),
            quota_share=_bounded_int(
                params, "quota_share", "Maximum share of DocuSign's hourly API quota (%)", DEFAULT_QUOTA_SHARE, 100
            )
            / 100,
            monitor_api=_monitor_api(params),
            response_actions=argToBoolean(params.get("allow_response_actions") or False),
        )
        if not settings.private_key_text.strip():
            raise DocusignError("Private Key is required: paste the RSA private key generated in DocuSign.")
        settings.first_fetch_time()  # validate early
        return settings

    def missing_for(self, event_type: str) -> str:
        """What ``event_type`` needs and is not configured, as a message saying where to find it ("" if none)."""
        where = {
            "account_id": "Account ID (the API Account ID on DocuSign's Apps and Keys page)",
            "organization_id": "Organization ID (DocuSign Admin > Organizations)",
        }
        missing = [where[name] for name in EVENT_TYPES[event_type].needs if not getattr(self, name)]
        if not missing:
            return ""
        return f"{event_type} needs the {' and the '.join(missing)}: set it, or deselect {event_type}."

    @property
    def scopes(self) -> tuple[str, ...]:
        """The OAuth scopes the selected event types need, in DocuSign's documented order: what collection (and
        every token kept in the integration context) asks for, whether or not response actions are allowed."""
        wanted = {s for t in self.event_types for s in EVENT_TYPES[t].scopes} | set(BASE_SCOPES)
        return tuple(s for s in SCOPE_ORDER if s in wanted)

    @property
    def consent_scopes(self) -> tuple[str, ...]:
        """What the consent links ask for: the collection's scopes, and with response actions allowed also
        ``user_read`` and ``user_write`` (looking users up, closing and re-activating memberships)."""
        wanted = set(self.scopes) | (set(WRITE_SCOPES) if self.response_actions else set())
        return tuple(s for s in SCOPE_ORDER if s in wanted)

    def first_fetch_time(self) -> datetime:
        return parse_start(self.first_fetch, "first_fetch", "First fetch time")

    @property
    def credentials_fingerprint(self) -> str:
        """Which credentials a cached token was minted with: a hash of the server, Integration Key, User ID and
        private key (whitespace ignored, as pasting changes it), never the key itself."""
        key = hashlib.sha256(re.sub(r"\s+", "", self.private_key_text).encode()).hexdigest()
        text = "|".join((self.hosts.oauth, self.integration_key.lower(), self.user_id.lower(), key))
        return hashlib.sha256(text.encode()).hexdigest()[:32]


MONITOR_API_CHOICES = {"auto": "auto", "v1": "v1", "v2.0 (lens)": "lens"}


def _monitor_api(params: dict[str, Any]) -> str:
    choice = str(params.get("monitor_api") or "auto").strip()
    if choice.lower() not in MONITOR_API_CHOICES:
        raise DocusignError(f"Monitor API {quoted(choice)} is not one of {', '.join(MONITOR_API_CHOICES)}.")
    return MONITOR_API_CHOICES[choice.lower()]


RELATIVE_TIME = re.compile(r"^(\d+)\s*(minute|hour|day|week)s?(\s+ago)?$", re.IGNORECASE)
SECONDS_PER = {"minute": 60, "hour": 3600, "day": 86400, "week": 604800}


def parse_start(text: str, arg_name: str, label: str) -> datetime:
    """A start time given as '3 days' or ISO text (read here, every run, without dateparser, which is slow to
    start), or any other form the platform's ``arg_to_datetime`` understands. A time in the future is refused:
    nothing would be collected until then, and state saved from it would skip what happens meanwhile."""
    relative = RELATIVE_TIME.match(text.strip())
    if relative:
        return datetime.now(UTC) - timedelta(seconds=int(relative[1]) * SECONDS_PER[relative[2].lower()])
    start = parse_time(text)
    if start is None:
        try:
            parsed = arg_to_datetime(text, arg_name=arg_name)
        except ValueError:
            parsed = None
        if parsed is None:
            raise DocusignError(
                f"{label} {quoted(text)} is not understood; use e.g. '3 days' or '2024-01-31T00:00:00Z'."
            )
        start = as_utc(parsed)
    if start > datetime.now(UTC) + timedelta(minutes=1):
        raise DocusignError(f"{label} {quoted(text)} is in the future; use a time in the past, e.g. '1 day'.")
    return start


# ============================================================================ keys and JWT

PEM_BLOCK = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \1-----", re.S)


def load_private_key(text: str) -> "rsa.RSAPrivateKey":
    """Parse an RSA private key as pasted into the instance (PKCS#1 or PKCS#8, any line breaks)."""
    # Imported here, as in build_assertion: most runs use a cached token and never need them (~0.1 s of CPU).
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    text = (text or "").strip()
    if "ENCRYPTED" in text:
        raise DocusignError(
            "The private key is encrypted with a passphrase. Paste the unencrypted RSA private key that DocuSign "
            "generated (it starts with -----BEGIN RSA PRIVATE KEY-----)."
        )
    # A certificate pasted before the key is skipped: the first private key block is the one wanted.
    blocks = list(PEM_BLOCK.finditer(text))
    match = next((b for b in blocks if "PRIVATE KEY" in b.group(1)), blocks[0] if blocks else None)
    begin = re.search(r"-----BEGIN ([A-Z0-9 ]+)-----", text)
    if not match and begin and f"-----END {begin.group(1)}-----" not in text:
        raise DocusignError(
            f"The Private Key has a -----BEGIN {begin.group(1)}----- line but no END line: it was cut when pasted. "
            "Paste the whole key, down to its -----END ... ----- line."
        )
    if not match:
        raise DocusignError(
            "The Private Key is not a PEM key: paste the whole RSA private key, including the "
            "-----BEGIN RSA PRIVATE KEY----- and -----END RSA PRIVATE KEY----- lines."
        )
    label, body = match.group(1), match.group(2)
    if "PUBLIC KEY" in label or "CERTIFICATE" in label:
        raise DocusignError(
            f"The Private Key field holds a {label.lower()}, not a private key. Paste the private key of the "
            "RSA key pair generated for this integration key."
        )
    if label == "EC PRIVATE KEY":
        raise DocusignError("The private key is an EC key; DocuSign's JWT grant needs the RSA key pair (RS256).")
    if label not in ("RSA PRIVATE KEY", "PRIVATE KEY"):
        raise DocusignError(f"Unsupported key block {label!r}; paste the RSA private key.")
    # A type-9 field turns newlines into spaces: rebuild the PEM from its base64 body.
    b64 = "".join(body.split())
    pem = f"-----BEGIN {label}-----\n" + "\n".join(b64[i : i + 64] for i in range(0, len(b64), 64))
    pem += f"\n-----END {label}-----\n"
    try:
        key = serialization.load_pem_private_key(pem.encode(), password=None)
    except (ValueError, TypeError):
        raise DocusignError(
            "The private key could not be read (damaged or incomplete). Paste it again from DocuSign."
        ) from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise DocusignError("The private key is not an RSA key; DocuSign's JWT grant needs the RSA key pair (RS256).")
    return key


def build_assertion(settings: Settings, scopes: Iterable[str], now: datetime | None = None) -> str:
    """The signed JWT for DocuSign's JWT grant."""
    issued = int((now or datetime.now(UTC)).timestamp())
    claims = {
        "iss": settings.integration_key,
        "sub": settings.user_id,
        "aud": settings.hosts.audience,
        "iat": issued,
        "exp": issued + JWT_LIFETIME,
        "scope": " ".join(scopes),
    }
    import jwt

    return jwt.encode(claims, load_private_key(settings.private_key_text), algorithm="RS256")


# ============================================================================ token cache and source


@dataclass(frozen=True)
class CachedToken:
    token: str
    expires_at: datetime
    lifetime: int
    scopes: frozenset[str]
    owner: str = ""  # Settings.credentials_fingerprint of the credentials that minted it

    def usable(self, scopes: Iterable[str], now: datetime, owner: str) -> bool:
        """Minted with these credentials, covers ``scopes``, and has more than the renewal margin left (a quarter
        of a short-lived token's life)."""
        margin = min(TOKEN_RENEW_MARGIN, self.lifetime / 4)
        fresh = self.expires_at - now > timedelta(seconds=margin)
        return self.owner == owner and set(scopes) <= self.scopes and fresh


class TokenCache:
    """The access token in the integration context; owns its keys there."""

    KEYS = ("access_token", "token_expires_at", "token_lifetime", "token_scopes", "token_owner")

    def read(self) -> CachedToken | None:
        context = get_integration_context()
        token, expires_at = context.get("access_token"), context.get("token_expires_at")
        if not token or not expires_at:
            return None
        try:
            expiry = as_utc(date_parser.isoparse(str(expires_at)))
        except (ValueError, OverflowError):
            return None
        lifetime = arg_to_number(context.get("token_lifetime")) or JWT_LIFETIME
        scopes = frozenset(context.get("token_scopes") or [])
        return CachedToken(str(token), expiry, lifetime, scopes, str(context.get("token_owner") or ""))

    def write(self, token: CachedToken) -> None:
        context = get_integration_context()
        context.update(
            access_token=token.token,
            token_expires_at=token.expires_at.isoformat(),
            token_lifetime=token.lifetime,
            token_scopes=sorted(token.scopes, key=_scope_order),
            token_owner=token.owner,
        )
        set_integration_context(context)

    @classmethod
    def clear(cls, also: Iterable[str] = ()) -> list[str]:
        """Forget the token (and the ``also`` keys); returns the keys removed."""
        context = get_integration_context()
        removed = [k for k in (*cls.KEYS, *also) if k in context]
        for key in removed:
            context.pop(key)
        set_integration_context(context)
        return removed


OAUTH_ERRORS = {
    "consent_required": (
        "DocuSign says consent is required for scopes {scopes}. Run !docusign-generate-consent-url and open the "
        "link while signed in to DocuSign as the impersonated user (User ID), or have an administrator grant "
        "admin consent for the application."
    ),
    "consent_partial": (
        "DocuSign says consent is required: the consent given covers {granted} but not {missing}{needed_by}. "
        "Run !docusign-generate-consent-url and open the link while signed in to DocuSign as the impersonated user "
        "(User ID), or have an administrator grant admin consent for these scopes."
    ),
    "issuer_not_found": (
        "DocuSign does not know this Integration Key in this environment. Check the Integration Key, and that the "
        "Server URL matches where the key lives (account-d.docusign.com for developer, account.docusign.com for "
        "production after Go-Live)."
    ),
    "no_valid_keys_or_signatures": (
        "DocuSign rejected the JWT signature: the Private Key does not match any RSA key pair registered for "
        "this Integration Key (Apps and Keys > Service Integration). Paste the private key of that pair."
    ),
    "user_not_found": (
        "DocuSign does not know the User ID in this environment. Use the API Username GUID of the impersonated "
        "user from Apps and Keys (not an e-mail address)."
    ),
    "invalid_subject": (
        "DocuSign rejected the User ID as JWT subject. Use the API Username GUID of the impersonated user from "
        "Apps and Keys."
    ),
    "expired_grant": (
        "DocuSign says the JWT has expired: check that the clock of the engine running this integration is "
        "correct (UTC)."
    ),
    "invalid_request": "DocuSign rejected the token request as malformed ({description}).",
    "unsupported_grant_type": "DocuSign does not accept the JWT grant for this Integration Key ({description}).",
    "invalid_client": "DocuSign rejected the Integration Key ({description}). Check the Integration Key.",
    "unauthorized_client": "The Integration Key is not allowed to use the JWT grant ({description}).",
}


def oauth_error_message(body: dict[str, Any], scopes: Iterable[str], granted: Iterable[str] = ()) -> str:
    """The user's message for DocuSign's OAuth error ``body`` to a request for ``scopes``. DocuSign's
    consent_required does not say which scopes lack consent; ``granted`` (scopes a token of these credentials was
    minted for) lets the message name the missing ones."""
    code = str(body.get("error") or "")
    description = str(body.get("error_description") or "")
    key = description if description in OAUTH_ERRORS else code
    requested = sorted(set(scopes), key=_scope_order)
    known = sorted(set(granted) & set(requested), key=_scope_order)
    missing = [s for s in requested if s not in known]
    if key == "consent_required" and known and missing:
        needing = sorted({t.name for t in EVENT_TYPES.values() if set(t.scopes) & set(missing)})
        if WRITE_SCOPE in missing:
            needing.append(RESPONSE_ACTIONS)
        needed_by = f" (needed for {', '.join(needing)})" if needing else ""
        return OAUTH_ERRORS["consent_partial"].format(
            granted=" ".join(known), missing=" ".join(missing), needed_by=needed_by
        )
    template = OAUTH_ERRORS.get(key)
    said = quoted(description or code, DOCUSIGN_TEXT)
    if template is None:
        return f"DocuSign refused the token request: {code or 'unknown error'}" + (f" {said}" if description else "")
    return template.format(scopes=" ".join(requested), description=said)


SCOPE_ORDER = (*BASE_SCOPES, *USER_SCOPES, WRITE_SCOPE)


def _scope_order(scope: str) -> int:
    return SCOPE_ORDER.index(scope) if scope in SCOPE_ORDER else len(SCOPE_ORDER)


class TokenSource:
    """Access tokens from DocuSign's JWT grant, cached in the integration context. A token that may write
    (``user_write``, for a response action) is minted for the command that needs it and held in memory only: the
    cached token, which every fetch reuses, never carries more than collection needs."""

    def __init__(self, settings: Settings, transport: "Transport", cache: TokenCache | None = None) -> None:
        self.settings = settings
        self.transport = transport
        self.cache = cache or TokenCache()
        self.refusal: ApiError | None = None  # DocuSign refused these credentials in this run: do not ask again
        self.writer: CachedToken | None = None  # this command's token with user_write, never written anywhere

    def get(self, scopes: Iterable[str], now: datetime | None = None) -> str:
        """A token of these credentials covering ``scopes`` with more than 15 minutes left, minting one when
        needed (a token minted with other credentials, e.g. before the Integration Key was changed, is not used)."""
        now = now or datetime.now(UTC)
        wanted = set(scopes)
        cached = self.writer if WRITE_SCOPE in wanted else self.cache.read()
        if cached and cached.usable(wanted, now, self.settings.credentials_fingerprint):
            add_sensitive_log_strs(cached.token)
            return cached.token
        if self.refusal is not None:
            raise self.refusal
        try:
            return self._mint(sorted(wanted, key=_scope_order), now)
        except ApiError as exc:
            if exc.code and exc.code != "consent_required":  # the credentials themselves: same answer for any scope
                self.refusal = exc
            raise

    def invalidate(self) -> None:
        self.cache.clear()
        self.writer = None

    def _mint(self, scopes: list[str], now: datetime) -> str:
        """A token for everything the instance collects; for just ``scopes`` when consent covers no more, so a
        missing Admin consent does not stop customer events. When consent lacks ``scopes`` themselves, narrower
        requests are tried once (without user_write, then the base scopes): DocuSign does not say which scopes
        lack consent, and those answers let the error name them. A write token is asked for exactly ``scopes``."""
        if WRITE_SCOPE in scopes:
            ladder_from: tuple[list[str], ...] = (scopes, [s for s in scopes if s != WRITE_SCOPE])
        else:
            ladder_from = (sorted(set(scopes) | set(self.settings.scopes), key=_scope_order), scopes)
        ladder: list[list[str]] = []
        for attempt in (*ladder_from, list(BASE_SCOPES)):
            if attempt not in ladder:
                ladder.append(attempt)
        refused: ApiError | None = None
        for attempt in ladder:
            try:
                reply = self._request_token(attempt, now)
            except ApiError as exc:
                if exc.code != "consent_required":
                    raise
                if attempt == scopes:
                    refused = exc
                continue
            token = self._keep(reply, attempt, now)
            if refused is None:
                return token
            message = oauth_error_message({"error": "consent_required"}, scopes, granted=attempt)
            raise ApiError(
                with_trace_token(message, refused.trace_token), refused.status, refused.code, refused.trace_token
            )
        assert refused is not None  # the ladder always holds ``scopes``
        raise refused

    def _keep(self, reply: dict[str, Any], scopes: list[str], now: datetime) -> str:
        """Cache the token of a token reply; returns it."""
        token = reply.get("access_token")
        if not token or not isinstance(token, str):
            raise DocusignError("DocuSign's token reply had no access_token.")
        add_sensitive_log_strs(token)
        try:
            lifetime = max(60, min(int(float(reply.get("expires_in") or JWT_LIFETIME)), 86400))
        except (TypeError, ValueError, OverflowError):
            lifetime = JWT_LIFETIME
        expires_at = now + timedelta(seconds=lifetime)
        minted = CachedToken(token, expires_at, lifetime, frozenset(scopes), self.settings.credentials_fingerprint)
        if WRITE_SCOPE in scopes:
            self.writer = minted
        else:
            self.cache.write(minted)
        return token

    def _request_token(self, scopes: list[str], now: datetime) -> dict[str, Any]:
        assertion = build_assertion(self.settings, scopes, now)
        add_sensitive_log_strs(assertion)  # the platform's LOG masks it should a request dump include it
        url = urljoin(self.settings.hosts.oauth, "/oauth/token")
        form = {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion}
        res = self.transport.send("POST", url, "oauth.token", data=form, headers={"Accept": "application/json"})
        body = json_body(res, "requesting an access token") if res.status_code == 200 else _json_or_none(res)
        if res.status_code == 200 and isinstance(body, dict):
            return body
        if isinstance(body, dict) and body.get("error"):
            raise ApiError(
                with_trace(oauth_error_message(body, scopes), res),
                res.status_code,
                str(body.get("error")),
                trace_token_of(res),
            )
        raise api_error(res, "oauth", "requesting an access token")


# ============================================================================ run context


class Deadline:
    """The run's time budget on a monotonic clock."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.ends_at = clock() + seconds

    def remaining(self) -> float:
        return self.ends_at - self._clock()


@dataclass
class CallStats:
    """What the run did over HTTP; reported in the run report."""

    calls: int = 0
    retries: int = 0
    waits: int = 0
    waited_seconds: float = 0.0
    token_renewals: int = 0
    by_endpoint: dict[str, int] = field(default_factory=dict)

    def count(self, endpoint: str) -> None:
        self.calls += 1
        self.by_endpoint[endpoint] = self.by_endpoint.get(endpoint, 0) + 1


@dataclass
class RunContext:
    """What one command run shares: its deadline, how to sleep and tell the time, and its call counters."""

    deadline: Deadline
    sleep: Callable[[float], None] = field(default=lambda seconds: time.sleep(seconds))
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    stats: CallStats = field(default_factory=CallStats)
    page_interval: float = 0.0  # pause between Monitor pages
    governor: "QuotaGovernor | None" = None  # scheduled fetches only: commands people run are not deferred

    @classmethod
    def for_settings(cls, settings: Settings, **overrides: Any) -> "RunContext":
        values = {"deadline": Deadline(settings.time_budget), "page_interval": settings.page_interval, **overrides}
        return cls(**values)


# ============================================================================ quota


@dataclass
class QuotaGovernor:
    """Keeps scheduled fetches within their share of the account's hourly API quota, which every app of the
    account shares. Own calls are counted per minute over a rolling hour (stricter than DocuSign's clock hour)
    and kept in the integration context; DocuSign's ``X-RateLimit-Limit``/``-Remaining``/``-Reset`` headers,
    when sent, give the quota's size and what the whole account has left. At the cap, or when the account is
    nearly out, the next call is deferred: the run stops there (``StopReason.QUOTA``) keeping what it delivered,
    and the next run continues. OAuth calls do not count against the quota.

    The 30-second burst limit is shared the same way: a run paces its calls to the same share of it (of
    ``X-BurstLimit-Limit`` when sent), and pauses a window when ``X-BurstLimit-Remaining`` says the account is
    nearly out."""

    share: float
    limit: int = HOURLY_QUOTA
    remaining: int | None = None  # what the whole account has left, until ``resets_at``
    resets_at: float = 0.0
    minutes: dict[int, int] = field(default_factory=dict)  # epoch minute -> own calls
    deferred: bool = False
    burst_limit: int = BURST_LIMITS[DEV_OAUTH_HOST]
    burst_low: bool = False  # the account's burst allowance is nearly used: let a window pass
    recent: deque[float] = field(default_factory=deque)  # this run's call times (monotonic clock)

    CONTEXT_KEY = "api_quota"

    @classmethod
    def load(cls, share: float, burst_limit: int = BURST_LIMITS[DEV_OAUTH_HOST]) -> "QuotaGovernor":
        saved = get_integration_context().get(cls.CONTEXT_KEY)
        saved = saved if isinstance(saved, dict) else {}
        return cls(
            share=share,
            burst_limit=burst_limit,
            limit=arg_to_number(saved.get("limit")) or HOURLY_QUOTA,
            remaining=arg_to_number(saved.get("remaining")),
            resets_at=float(saved.get("resets_at") or 0),
            minutes={int(k): int(v) for k, v in (saved.get("minutes") or {}).items()},
        )

    def save(self, now: float) -> None:
        recent = {str(m): n for m, n in self.minutes.items() if m > now // 60 - 60}
        context = get_integration_context()
        context[self.CONTEXT_KEY] = {
            "limit": self.limit,
            "remaining": self.remaining,
            "resets_at": self.resets_at,
            "minutes": recent,
        }
        set_integration_context(context)

    @property
    def cap(self) -> int:
        return max(1, int(self.limit * self.share))

    def used(self, now: float) -> int:
        """Own calls in the hour before ``now``."""
        return sum(n for minute, n in self.minutes.items() if minute > now // 60 - 60)

    def admit(self, now: float) -> None:
        """Count one call, or defer it (``Stopped(QUOTA)``) when the share is used or the account nearly out."""
        account_low = (
            self.remaining is not None and now < self.resets_at and self.remaining <= self.limit * ACCOUNT_RESERVE
        )
        if self.used(now) >= self.cap or account_low:
            self.deferred = True
            raise Stopped(StopReason.QUOTA)
        minute = int(now // 60)
        self.minutes[minute] = self.minutes.get(minute, 0) + 1

    def burst_wait(self, now: float) -> float:
        """Seconds to wait before the next call (``now`` on the monotonic clock) to keep within the share of the
        burst limit; the call is then recorded."""
        while self.recent and self.recent[0] <= now - BURST_WINDOW:
            self.recent.popleft()
        wait = 0.0
        if self.burst_low:
            wait, self.burst_low = BURST_WINDOW, False
        elif len(self.recent) >= max(1, int(self.burst_limit * self.share)):
            wait = self.recent[0] + BURST_WINDOW - now
        self.recent.append(now + wait)
        return wait

    def observe(self, headers: Any) -> None:
        limit, remaining = headers.get("X-RateLimit-Limit"), headers.get("X-RateLimit-Remaining")
        burst, burst_left = headers.get("X-BurstLimit-Limit"), headers.get("X-BurstLimit-Remaining")
        try:
            if limit:
                self.limit = max(1, int(limit))
            if remaining is not None:
                self.remaining = int(remaining)
                self.resets_at = float(headers.get("X-RateLimit-Reset") or time.time() + 3600)
            if burst:
                self.burst_limit = max(1, int(burst))
            if burst_left is not None:
                self.burst_low = int(burst_left) <= self.burst_limit * ACCOUNT_RESERVE
        except ValueError:
            pass  # a header DocuSign garbled is no reason to stop collecting

    def summary(self, now: float) -> dict[str, Any]:
        return {"cap_per_hour": self.cap, "used_last_hour": self.used(now), "deferred": self.deferred}


# ============================================================================ HTTP policy and client


@dataclass(frozen=True)
class RetryPolicy:
    """How one request is retried, as one small immutable object (like urllib3's ``Retry``): ``increment``
    returns the policy with one retry used, ``is_exhausted`` says when to give up.

    Transient failures (timeouts, dropped connections, 5xx) are retried with bounded exponential backoff and
    jitter; rate limits (429, DocuSign's ``*_APIINVOCATION_LIMIT_EXCEEDED``) are waited out as DocuSign asks.
    Permanent failures (certificate errors, DNS failures, a 4xx other than 401/429) are never retried.
    """

    transient: int = 4  # retries of timeouts, dropped connections and 5xx
    rate_limit: int = 3  # waits on rate limits
    backoff_base: float = 1.0
    backoff_max: float = 30.0
    jitter: float = 0.5
    burst_window: float = 30.0  # DocuSign's burst limit counts calls per 30 seconds
    history: tuple[str, ...] = ()  # what happened so far: "transient" or "rate limit", oldest first

    def increment(self, rate_limited: bool = False) -> "RetryPolicy":
        return replace(self, history=(*self.history, "rate limit" if rate_limited else "transient"))

    @property
    def failures(self) -> int:
        return self.history.count("transient")

    @property
    def waits(self) -> int:
        return self.history.count("rate limit")

    def is_exhausted(self) -> bool:
        return self.failures > self.transient or self.waits > self.rate_limit

    def backoff(self, attempt: int, rand: Callable[[], float] = random.random) -> float:
        """Seconds to wait before retry number ``attempt`` (1-based)."""
        delay = min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1))
        return delay * (1 - self.jitter + self.jitter * rand())

    def rate_limit_wait(self, headers: Any, now_epoch: float, code: str = "") -> float | None:
        """Seconds DocuSign asks us to wait, from ``Retry-After`` or ``X-RateLimit-Reset``; None if unsaid.

        The hourly reset says nothing about the burst limit, whose window is 30 seconds.
        """
        retry_after = headers.get("Retry-After")
        if retry_after:
            try:
                return max(0.0, float(retry_after))
            except ValueError:
                try:
                    return max(0.0, parsedate_to_datetime(retry_after).timestamp() - now_epoch)
                except (TypeError, ValueError):
                    pass
        if code == "BURST_APIINVOCATION_LIMIT_EXCEEDED":
            return self.burst_window
        reset = headers.get("X-RateLimit-Reset")
        if reset:
            try:
                return max(0.0, float(reset) - now_epoch)
            except ValueError:
                return None
        return None

    @staticmethod
    def is_transient(exc: BaseException) -> bool:
        """A timeout or dropped connection; not a certificate, proxy, URL or name-resolution failure."""
        cause = exc.exception if isinstance(exc, DemistoException) and exc.exception is not None else exc
        permanent = (
            requests.exceptions.SSLError,
            requests.exceptions.ProxyError,
            requests.exceptions.InvalidURL,
            requests.exceptions.MissingSchema,
            requests.exceptions.InvalidSchema,
        )
        if isinstance(cause, permanent) or _is_name_resolution_failure(cause):
            return False
        return isinstance(cause, requests.exceptions.Timeout | requests.exceptions.ConnectionError)


def _is_name_resolution_failure(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    for _ in range(6):  # the cause chain of a requests error is short
        if seen is None:
            return False
        if isinstance(seen, socket.gaierror) or type(seen).__name__ == "NameResolutionError":
            return True
        text = str(seen)
        if "Name or service not known" in text or "Failed to resolve" in text or "nodename nor servname" in text:
            return True
        nested = seen.args[0] if seen.args and isinstance(seen.args[0], BaseException) else None
        seen = getattr(seen, "reason", None) or nested or seen.__cause__ or seen.__context__
    return False


def _transport_reason(exc: BaseException) -> str:
    cause = exc.exception if isinstance(exc, DemistoException) and exc.exception is not None else exc
    if isinstance(cause, requests.exceptions.SSLError):
        # OpenSSL says why (e.g. "self-signed certificate", "certificate has expired"): pass it on.
        why = re.search(r"certificate verify failed: ([^()'\"]+)", str(cause))
        reason = f"{why.group(1).strip()}; SSLError" if why else "SSLError"
        return (
            f"the TLS certificate was not accepted ({reason}). If the server uses a private CA, add it to the "
            "engine's trusted certificates, or select Trust any certificate"
        )
    if _is_name_resolution_failure(cause):
        return f"the host name could not be resolved ({type(cause).__name__}); check the Server URL"
    if "connection refused" in str(cause).lower():
        return f"the connection was refused ({type(cause).__name__}); check the Server URL and any proxy"
    if isinstance(cause, requests.exceptions.ConnectTimeout):
        return f"no answer to the connection ({type(cause).__name__}); check the Server URL, firewall and proxy"
    return type(cause).__name__


class Transport(BaseClient):
    """HTTP only: one logical request with retries, rate-limit waits and call counting (the platform's
    ``BaseClient`` underneath, given one number as timeout; each call gets (connect, read) timeouts)."""

    def __init__(self, settings: Settings, ctx: RunContext, policy: RetryPolicy | None = None) -> None:
        # REQUESTS_TIMEOUT may override the constructor's number; it becomes the read timeout of every call.
        super().__init__(settings.hosts.oauth, verify=settings.verify, proxy=settings.proxy, timeout=READ_TIMEOUT)
        self.ctx = ctx
        self.policy = policy or RetryPolicy()

    def send(self, method: str, url: str, endpoint: str, **kwargs: Any) -> requests.Response:
        """The reply after transient failures were retried and rate limits waited out when the budget allows."""
        retry = self.policy
        governor = self.ctx.governor if not endpoint.startswith("oauth.") else None
        while True:
            if governor:
                self._pace(governor.burst_wait(time.monotonic()), endpoint)
                governor.admit(time.time())
            # A reply may not outlast the run's time budget: a slow one would keep the run past its budget, up to
            # the platform's kill, which discards everything the run fetched.
            remaining = self.ctx.deadline.remaining()
            if remaining < MIN_REQUEST_TIME:
                raise Stopped(StopReason.TIME_BUDGET)
            self.ctx.stats.count(endpoint)
            try:
                res = self._http_request(
                    method,
                    full_url=url,
                    resp_type="response",
                    ok_codes=ALL_STATUSES,
                    timeout=(min(CONNECT_TIMEOUT, remaining), min(self.timeout, remaining)),
                    **kwargs,
                )
            except (DemistoException, requests.exceptions.RequestException) as exc:
                if self.ctx.deadline.remaining() < MIN_REQUEST_TIME:
                    raise Stopped(StopReason.TIME_BUDGET) from None  # cut by the budget: the next run goes on
                retry = retry.increment()
                if not RetryPolicy.is_transient(exc) or retry.is_exhausted():
                    raise DocusignError(
                        f"DocuSign could not be reached when calling {endpoint} ({urlsplit(url).netloc})"
                        + (f" after {retry.failures} attempts" if retry.failures > 1 else "")
                        + f": {_transport_reason(exc)}"
                    ) from None
                self._pause(retry.backoff(retry.failures), endpoint, "transport error")
                continue
            if governor:
                governor.observe(res.headers)
            if is_rate_limited(res):
                retry = retry.increment(rate_limited=True)
                self._pause(self._rate_limit_wait(res, retry, endpoint), endpoint, "rate limit", res)
                continue
            if res.status_code >= 500 and not retry.increment().is_exhausted():
                retry = retry.increment()
                self._pause(retry.backoff(retry.failures), endpoint, f"HTTP {res.status_code}", res)
                continue
            return res

    def _rate_limit_wait(self, res: requests.Response, retry: RetryPolicy, endpoint: str) -> float:
        """How long to wait out a rate limit; RateLimitedError when that does not fit in this run."""
        code = error_code_of(res)
        wait = retry.rate_limit_wait(res.headers, time.time(), code)
        if wait is None:
            wait = retry.backoff(retry.waits)
        if retry.is_exhausted() or wait > self.ctx.deadline.remaining():
            message = (
                f"DocuSign's API rate limit was reached when calling {endpoint} ({code or res.status_code}); the "
                f"limit resets in {wait:.0f} s, so this run stops here and the next run continues from the saved "
                "state."
            )
            raise RateLimitedError(with_trace(message, res), res.status_code, code, trace_token_of(res))
        return wait

    def _pace(self, seconds: float, endpoint: str) -> None:
        """Wait for the burst window; a wait beyond this run's time ends the run there (nothing is lost)."""
        if seconds <= 0:
            return
        if seconds > self.ctx.deadline.remaining():
            raise Stopped(StopReason.TIME_BUDGET)
        self._pause(seconds, endpoint, "rate limit")

    def _pause(self, seconds: float, endpoint: str, reason: str, res: requests.Response | None = None) -> None:
        if seconds > self.ctx.deadline.remaining():
            message = f"Out of time for this run while retrying {endpoint} ({reason})."
            raise DocusignError(with_trace(message, res) if res is not None else message)
        stats = self.ctx.stats
        if reason == "rate limit":
            stats.waits += 1
            stats.waited_seconds += seconds
        else:
            stats.retries += 1
        demisto.debug(f"Docusign: {reason} on {endpoint}; waiting {seconds:.1f} s")
        self.ctx.sleep(seconds)


ALL_STATUSES = tuple(range(100, 600))
# What each API needs; a token minted for more is reused (see TokenSource._mint).
API_SCOPES = {"monitor": BASE_SCOPES, "oauth": BASE_SCOPES}


@dataclass(frozen=True)
class Reply:
    """A successful JSON reply and its trace token, so checks of its content can cite it."""

    body: Any
    trace_token: str


class DocuSignClient:
    """DocuSign's APIs with a bearer token: base URLs, the auth header, 401-renew-once, actionable errors."""

    def __init__(self, settings: Settings, ctx: RunContext | None = None, policy: RetryPolicy | None = None) -> None:
        self.settings = settings
        self.ctx = ctx or RunContext.for_settings(settings)
        self.transport = Transport(settings, self.ctx, policy)
        self.tokens = TokenSource(settings, self.transport)

    def get(
        self,
        url: str,
        endpoint: str,
        api: str,
        params: dict[str, Any] | None = None,
        scopes: Iterable[str] | None = None,
    ) -> Reply:
        """GET a DocuSign API; raises ApiError with an actionable message unless the reply is JSON with 200."""
        return self.request("GET", url, endpoint, api, params=params, scopes=scopes)

    def request(
        self,
        method: str,
        url: str,
        endpoint: str,
        api: str,
        params: dict[str, Any] | None = None,
        json_data: Any = None,
        scopes: Iterable[str] | None = None,
    ) -> Reply:
        """One call with a token covering ``scopes`` (by default what ``api`` needs); ApiError unless the reply is
        JSON with 200. Writes go through the same retries: DocuSign's close and activate are idempotent."""
        wanted = tuple(scopes) if scopes is not None else API_SCOPES.get(api, self.settings.scopes)
        renewed = False
        while True:
            token = self.tokens.get(wanted)
            headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
            res = self.transport.send(method, url, endpoint, params=params, json_data=json_data, headers=headers)
            if res.status_code == 401 and not renewed:
                # Tokens can be revoked or expire early: mint a new one once, then give up.
                renewed = True
                self.ctx.stats.token_renewals += 1
                self.tokens.invalidate()
                continue
            if res.status_code != 200:
                raise api_error(res, api, f"calling {endpoint}")
            return Reply(json_body(res, f"calling {endpoint}"), trace_token_of(res))


def json_body(res: requests.Response, doing: str) -> Any:
    """The JSON of a 200 reply; an ApiError saying what came instead (a proxy's login page, nothing)."""
    try:
        body = res.json()
    except ValueError:
        body = None
        if res.content.strip():
            message = (
                f"DocuSign answered 200 with a body that is not JSON (starts with {quoted(res.text)}) when {doing}."
            )
            raise ApiError(with_trace(message, res), 200, "MALFORMED_REPLY", trace_token_of(res)) from None
    if body is None:  # no bytes, or JSON's null
        message = f"DocuSign answered 200 with an empty body when {doing}."
        raise ApiError(with_trace(message, res), 200, "MALFORMED_REPLY", trace_token_of(res))
    return body


def _json_or_none(res: requests.Response) -> Any:
    try:
        return res.json()
    except ValueError:
        return None


def trace_token_of(res: requests.Response) -> str:
    return res.headers.get("X-DocuSign-TraceToken", "")


def with_trace(message: str, res: requests.Response) -> str:
    return with_trace_token(message, trace_token_of(res))


def error_code_of(res: requests.Response) -> str:
    body = _json_or_none(res)
    return str(body.get("errorCode") or "") if isinstance(body, dict) else ""


def is_rate_limited(res: requests.Response) -> bool:
    if res.status_code in (429, 444):
        return True
    return res.status_code == 400 and error_code_of(res) in RATE_LIMIT_CODES


API_FORBIDDEN_HINTS = {
    "monitor": (
        "DocuSign Monitor refused access (403). The organization must have DocuSign Monitor in its plan, and the "
        "impersonated user must be an Organization Administrator or Security Reports Administrator of exactly "
        "one organization."
    ),
    "admin": (
        "The DocuSign Admin API refused access (403). The impersonated user must be an Organization "
        "Administrator of the organization (Organization ID), Admin API access must be enabled, and consent must "
        "include organization_read and user_read."
    ),
    "esign": (
        "The eSignature API refused access (403). The impersonated user must be an administrator of the account "
        "(Account ID)."
    ),
    "admin_write": (
        "The DocuSign Admin API refused the change (403). The impersonated user must be an Organization "
        "Administrator allowed to manage users, and consent must include user_write (run "
        "!docusign-generate-consent-url)."
    ),
}


def api_error(res: requests.Response, api: str, doing: str) -> ApiError:
    """Turn a failed reply into an actionable ApiError (never echoing request headers)."""
    code = error_code_of(res)
    body = _json_or_none(res)
    detail = ""
    if isinstance(body, dict):
        detail = str(body.get("message") or body.get("error_description") or body.get("error") or "")
        detail = quoted(detail, DOCUSIGN_TEXT) if detail else ""
    if res.status_code == 403:
        message = API_FORBIDDEN_HINTS.get(api, "DocuSign refused access (403).")
    elif res.status_code == 401:
        message = (
            f"DocuSign rejected the access token when {doing} even after renewing it ({code or '401'}). "
            "Run !docusign-reset-access-token, then check the Integration Key and consent."
        )
    elif res.status_code == 404:
        message = f"DocuSign answered 404 when {doing}: check the Account ID / Organization ID and the Server URL."
    else:
        message = f"DocuSign answered HTTP {res.status_code} when {doing}"
        message += f": {code} {detail}".rstrip() if (code or detail) else "."
    if res.status_code in (401, 403, 404) and (code or detail):
        message += f" DocuSign said: {code} {detail}".rstrip()
    return ApiError(with_trace(message, res), res.status_code, code, trace_token_of(res))


# ============================================================================ endpoints
# One function per endpoint: it builds the request and checks the reply's shape, citing its trace token.


def get_userinfo(client: DocuSignClient) -> dict[str, Any]:
    reply = client.get(urljoin(client.settings.hosts.oauth, "/oauth/userinfo"), "oauth.userinfo", "oauth")
    if not isinstance(reply.body, dict):
        raise ReplyShapeError("DocuSign's userinfo reply is not an object.", reply.trace_token)
    return reply.body


def get_monitor_stream(client: DocuSignClient, cursor: str, limit: int, generation: str = "lens") -> dict[str, Any]:
    """A Monitor page of either generation, as ``data`` (v1 names it ``resultData``) and ``endCursor`` (where
    the next page starts). v1 is DocuSign's documented endpoint; v2.0 "lens" still answers for many tenants."""
    settings = client.settings
    if generation == "v1":
        if not settings.organization_id:
            raise DocusignError("Monitor API v1 needs the Organization ID: set it, or choose Monitor API v2.0 (lens).")
        url = urljoin(settings.hosts.api, f"/v1/organizations/{settings.organization_id}/stream")
        endpoint = "monitor.v1.stream"
    else:
        url, endpoint = urljoin(settings.hosts.monitor, "/api/v2.0/datasets/monitor/stream"), "monitor.stream"
    reply = client.get(url, endpoint, "monitor", params={"cursor": cursor, "limit": limit})
    page = reply.body
    data = page.get("resultData", page.get("data")) if isinstance(page, dict) else None
    if not isinstance(data, list) or not isinstance(page.get("endCursor"), str) or not page["endCursor"]:
        raise ReplyShapeError(
            "DocuSign Monitor returned a page without endCursor or events; the cursor was kept.", reply.trace_token
        )
    return {"data": data, "endCursor": page["endCursor"]}


def monitor_not_served(exc: ApiError) -> bool:
    """DocuSign's answers for a Monitor generation a tenant is not served: 404 (no such endpoint or organization
    there), or v1's 403 "Organization does not have Monitor entitlement" (seen where only lens answered)."""
    return exc.status == 404 or (exc.status == 403 and "entitlement" in str(exc).lower())


def get_admin_users(
    client: DocuSignClient, params: dict[str, Any] | None = None, next_url: str | None = None
) -> dict[str, Any]:
    """An Admin users page: ``users`` and ``paging.next``."""
    settings = client.settings
    url = next_url or urljoin(settings.hosts.admin, f"/v2/organizations/{settings.organization_id}/users")
    reply = client.get(url, "admin.users", "admin", params=None if next_url else params)
    return _users_page(reply, "DocuSign Admin API")


def get_esign_users(client: DocuSignClient, base_uri: str, start_position: int, count: int) -> dict[str, Any]:
    """An eSignature users page: ``users`` and ``totalSetSize``."""
    url = urljoin(base_uri, f"/restapi/v2.1/accounts/{client.settings.account_id}/users")
    params = {"additional_info": "true", "count": count, "start_position": start_position}
    return _users_page(client.get(url, "esign.users", "esign", params=params), "DocuSign eSignature API")


def get_esign_user(client: DocuSignClient, base_uri: str, user_id: str) -> dict[str, Any]:
    url = urljoin(base_uri, f"/restapi/v2.1/accounts/{client.settings.account_id}/users/{user_id}")
    reply = client.get(url, "esign.user", "esign", params={"additional_info": "true"})
    if not isinstance(reply.body, dict):
        raise ReplyShapeError("DocuSign eSignature API returned a user that is not an object.", reply.trace_token)
    return reply.body


def _users_page(reply: Reply, api: str) -> dict[str, Any]:
    if not isinstance(reply.body, dict) or not isinstance(reply.body.get("users"), list):
        raise ReplyShapeError(f"{api} returned a users page without a users list; state was kept.", reply.trace_token)
    return reply.body


def account_base_uri(client: DocuSignClient) -> str:
    """The eSignature base URI of the configured account, cached per Account ID."""
    account_id = client.settings.account_id
    context = get_integration_context()
    if context.get("base_uri") and context.get("base_uri_account_id") == account_id:
        return str(context["base_uri"])
    accounts = get_userinfo(client).get("accounts") or []
    match = next((a for a in accounts if str(a.get("account_id", "")).lower() == account_id.lower()), None)
    if match is None:
        raise DocusignError(
            f"The impersonated user has no access to Account ID {account_id}. Its accounts are: "
            + (", ".join(str(a.get("account_id")) for a in accounts) or "none")
            + "."
        )
    base_uri = str(match.get("base_uri") or "").rstrip("/")
    context = get_integration_context()
    context.update(base_uri=base_uri, base_uri_account_id=account_id)
    set_integration_context(context)
    return base_uri


ACCOUNT_CACHE_KEYS = ("base_uri", "base_uri_account_id")


# Admin API: one user's profile with its memberships, and the two writes on memberships (user_write).


def get_user_profiles(client: DocuSignClient, email: str) -> list[dict[str, Any]]:
    """The organization's users with this e-mail address, memberships included (Admin ``users/profile``)."""
    settings = client.settings
    url = urljoin(settings.hosts.admin, f"/v2/organizations/{settings.organization_id}/users/profile")
    reply = client.get(url, "admin.user_profile", "admin", params={"email": email}, scopes=LOOKUP_SCOPES)
    return _profile_users(reply)


def find_user_ids(client: DocuSignClient, email: str) -> list[str]:
    """IDs of the organization's users with this e-mail address, from the Admin users list: unlike
    ``users/profile``, which DocuSign documents as listing "up to the first 20 users modified in the last 10 days",
    it is not limited to recent changes."""
    settings = client.settings
    url = urljoin(settings.hosts.admin, f"/v2/organizations/{settings.organization_id}/users")
    reply = client.get(url, "admin.users", "admin", params={"email": email}, scopes=LOOKUP_SCOPES)
    users = _users_page(reply, "DocuSign Admin API")["users"]
    return sorted({str(u["id"]).lower() for u in users if isinstance(u, dict) and u.get("id")})


def get_user_dsprofile(client: DocuSignClient, user_id: str) -> list[dict[str, Any]]:
    """The organization's user with this ID, memberships included (Admin v2.1 ``users/{userId}/dsprofile``)."""
    settings = client.settings
    url = urljoin(settings.hosts.admin, f"/v2.1/organizations/{settings.organization_id}/users/{user_id}/dsprofile")
    return _profile_users(client.get(url, "admin.user_dsprofile", "admin", scopes=LOOKUP_SCOPES))


def _profile_users(reply: Reply) -> list[dict[str, Any]]:
    users = reply.body.get("users") if isinstance(reply.body, dict) else None
    if not isinstance(users, list) or not all(isinstance(u, dict) and u.get("id") for u in users):
        raise ReplyShapeError("DocuSign Admin API returned a user profile without a list of users.", reply.trace_token)
    return users


def close_user_memberships(client: DocuSignClient, user_id: str, account_ids: list[str]) -> Reply:
    """Close the user's memberships of ``account_ids`` (Admin ``DELETE users/{userId}/accounts``): the reply says
    ``success`` and lists accounts with ``error_details`` for those not closed."""
    settings = client.settings
    url = urljoin(settings.hosts.admin, f"/v2/organizations/{settings.organization_id}/users/{user_id}/accounts")
    body = {"accounts": [{"id": account_id} for account_id in account_ids]}
    reply = client.request("DELETE", url, "admin.close_memberships", "admin_write", json_data=body, scopes=WRITE_SCOPES)
    if not isinstance(reply.body, dict) or not isinstance(reply.body.get("accounts") or [], list):
        raise ReplyShapeError(
            "DocuSign Admin API answered the closing with 200 and a reply of another shape: whether the memberships "
            "closed is unknown; look with !docusign-user-get.",
            reply.trace_token,
        )
    return reply


def activate_user_membership(client: DocuSignClient, user_id: str, membership_id: str, site_id: Any) -> Reply:
    """Re-activate one membership (Admin ``POST users/{userId}/memberships/{membershipId}``, the user's site)."""
    settings = client.settings
    path = f"/v2/organizations/{settings.organization_id}/users/{user_id}/memberships/{membership_id}"
    body = {"site_id": site_id} if isinstance(site_id, int) else {}
    reply = client.request(
        "POST", urljoin(settings.hosts.admin, path), "admin.activate_membership", "admin_write", json_data=body,
        scopes=WRITE_SCOPES,
    )  # fmt: skip
    if not isinstance(reply.body, dict):
        raise ReplyShapeError(
            "DocuSign Admin API answered the activation with 200 and a reply that is not an object: whether the "
            "membership is active is unknown; look with !docusign-user-get.",
            reply.trace_token,
        )
    return reply


def find_esign_user(client: DocuSignClient, base_uri: str, email: str, user_id: str) -> dict[str, Any] | None:
    """The user's eSignature record in the configured account, with last login and login status (the users list
    filtered by e-mail: the one-user GET does not say the login status); None when eSignature does not list it."""
    url = urljoin(base_uri, f"/restapi/v2.1/accounts/{client.settings.account_id}/users")
    params = {"email": email, "additional_info": "true", "login_status": "true"}
    reply = client.get(url, "esign.users", "esign", params=params, scopes=LOOKUP_SCOPES)
    users = _users_page(reply, "DocuSign eSignature API")["users"]
    return next((u for u in users if isinstance(u, dict) and str(u.get("userId", "")).lower() == user_id), None)


# ============================================================================ paging
# DocuSign pages three ways. A paginator owns its token (what to ask for next) and knows when paging is over;
# ``paginate`` is the one loop that drives them, within the run's time.


class Paginator:
    def __init__(self, start: Any) -> None:
        self.current = start
        self.finished = False

    def advance(self, page: dict[str, Any]) -> None:
        raise NotImplementedError


class CursorPaginator(Paginator):
    """Monitor: the next page starts at ``endCursor``; an empty page means caught up. An ``endCursor`` that is the
    cursor sent although the page had events, or that goes back, ends paging and says so in ``problem``: followed,
    it would read one page forever, or send again events older than the id memory. ``current`` then stays the
    cursor sent."""

    problem = ""

    def advance(self, page: dict[str, Any]) -> None:
        sent, end = page.get("cursor", self.current), page["endCursor"]
        self.finished = not page["data"] or end == sent
        if page["data"] and end == sent:
            self.problem = (
                f"DocuSign Monitor's endCursor did not move from the cursor sent ({quoted(sent, DOCUSIGN_TEXT)}) "
                "although the page had events: the stream is stuck there. The new events in it were delivered; "
                "each run reads that page again (without sending its events twice) until DocuSign moves on."
            )
        elif _cursor_went_back(sent, end):
            self.problem = (
                f"DocuSign Monitor's endCursor went back (from {quoted(sent, DOCUSIGN_TEXT)} to "
                f"{quoted(end, DOCUSIGN_TEXT)}): not followed, as it would send events again. The page's new events "
                "were delivered and the cursor kept; the next run asks again."
            )
            self.finished, self.current = True, sent
            return
        self.current = end


def _cursor_went_back(sent: str, end: str) -> bool:
    """Whether ``end`` points before ``sent``; known only when both are Monitor's ``aa_<ticks>_<n>`` cursors."""
    before, after = (re.fullmatch(r"aa_(\d+(?:_\d+)*)", cursor) for cursor in (sent, end))
    if not before or not after or before[1].count("_") != after[1].count("_"):
        return False
    return [int(n) for n in after[1].split("_")] < [int(n) for n in before[1].split("_")]


class NextLinkPaginator(Paginator):
    """Admin: ``paging.next`` is the next page's URL; followed only on the Admin API's host, and never twice."""

    def __init__(self, allowed_base: str) -> None:
        super().__init__(None)
        self._origin = urlsplit(allowed_base)[:2]
        self._followed: set[str] = set()

    def advance(self, page: dict[str, Any]) -> None:
        paging = page.get("paging")
        next_url = str(paging.get("next") or "") if isinstance(paging, dict) else ""
        if not next_url or not page["users"]:
            self.finished = True
            return
        if urlsplit(next_url)[:2] != self._origin:
            # The bearer token goes only where the Admin API lives.
            raise ApiError(
                f"DocuSign Admin API paging pointed to another host ({urlsplit(next_url).netloc}); not followed."
            )
        if next_url in self._followed:
            raise DocusignError("DocuSign Admin API paging did not finish within this run (repeated page).")
        self._followed.add(next_url)
        self.current = next_url


class OffsetPaginator(Paginator):
    """eSignature: ``start_position`` moves by the users returned until ``totalSetSize`` (or ``end``) is reached."""

    def __init__(self, start: int, total: int, end: int | None = None) -> None:
        super().__init__(start)
        self.total = total
        self.end = end
        self.finished = start >= self.stop

    @property
    def stop(self) -> int:
        return self.total if self.end is None else min(self.end, self.total)

    def advance(self, page: dict[str, Any]) -> None:
        self.total = arg_to_number(page.get("totalSetSize")) or self.total  # the account size stays current
        self.current += len(page["users"])
        self.finished = not page["users"] or self.current >= self.stop


def paginate(
    paginator: Paginator, request: Callable[[Any], dict[str, Any]], ctx: RunContext, interval: float = 0.0
) -> Iterator[dict[str, Any]]:
    """Pages until the paginator is finished; ``Stopped(TIME_BUDGET)`` when the run's time is up before the
    next request (``interval`` seconds are waited between pages and must fit too)."""
    first = True
    while not paginator.finished:
        remaining = ctx.deadline.remaining()
        if remaining <= 0 or (not first and interval > remaining):
            raise Stopped(StopReason.TIME_BUDGET)
        if not first and interval:
            ctx.sleep(interval)
        page = request(paginator.current)
        first = False
        paginator.advance(page)
        yield page


# ============================================================================ event shaping


def as_utc(value: datetime) -> datetime:
    """Aware UTC; naive values are taken as UTC (DocuSign's zone-less dates are UTC)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def format_time(value: datetime) -> str:
    """XSIAM ``_time``: UTC with millisecond precision."""
    # Not strftime: its %Y drops the leading zeros of years before 1000 (DocuSign's 0001-01-01 placeholder).
    return as_utc(value).replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


US_DATE_FORMS = ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %I:%M %p")


def parse_time(text: Any) -> datetime | None:
    """Parse DocuSign's date forms (ISO with 0-7 fractional digits, Z, ±hh:mm or no zone, US-style); else None."""
    if not isinstance(text, str) or not text.strip():
        return None
    value = text.strip()
    try:
        # Monitor's fixed form ("2024-01-24T09:12:41.7734567Z") is read by the standard library, many times faster.
        return as_utc(datetime.fromisoformat(value))
    except (ValueError, OverflowError):  # OverflowError: a time before year 1 once in UTC
        pass
    try:
        return as_utc(date_parser.isoparse(value))
    except (ValueError, OverflowError):
        pass
    # eSignature's userSettings.modifiedDate has been seen as "1/24/2024 3:15:42 PM"; nothing looser is guessed.
    for form in US_DATE_FORMS:
        try:
            return as_utc(datetime.strptime(value, form))
        except ValueError:
            continue
    return None


def shape_customer_event(raw: Any, fetched_at: datetime) -> tuple[dict[str, Any], datetime | None]:
    """The event as DocuSign sent it plus ``source_log_type`` and ``_time``; second value: its own timestamp."""
    event = dict(raw) if isinstance(raw, dict) else {"raw_event": raw}
    when = parse_time(event.get("timestamp"))
    event["source_log_type"] = EVENT_TYPES[CUSTOMER_EVENTS].source_log_type
    event["_time"] = format_time(when or fetched_at)
    return event, when


# Admin API fields that eSignature lacks; their snake_case names cannot collide with eSignature's camelCase.
ADMIN_ONLY_FIELDS = (
    "user_status", "membership_status", "membership_id", "membership_created_on", "membership_closed_on",
    "created_on", "closed_on", "ds_groups", "is_membership_managed_by_scim", "is_managed_by_scim",
    "license_type", "subscription_id", "plan_name",
)  # fmt: skip
ADMIN_STATUS_TO_ESIGN = {
    "active": "Active",
    "closed": "Closed",
    "disabled": "Disabled",
    "activation_required": "ActivationRequired",
    "activation_sent": "ActivationSent",
    "created": "ActivationRequired",
}


def user_change_time(esign: dict[str, Any] | None, admin: dict[str, Any]) -> datetime | None:
    """When the user record last changed: eSignature's ``userSettings.modifiedDate``, else the Admin dates."""
    modified = esign_modified(esign)
    if modified:
        return modified
    admin_dates = [parse_time(admin.get(k)) for k in
                   ("membership_closed_on", "closed_on", "membership_created_on", "created_on")]  # fmt: skip
    known = [d for d in admin_dates if d]
    return max(known) if known else None


def shape_user(
    esign: dict[str, Any] | None, admin: dict[str, Any], fetched_at: datetime, changed_at: datetime | None = None
) -> dict[str, Any]:
    """One flat audit-user record: eSignature's fields, the Admin-only fields, ``source_log_type`` and ``_time``."""
    if esign:
        event = dict(esign)
    else:
        # The user is not (or no longer) listed by eSignature: keep the change, in eSignature's field names.
        event = {
            "userId": admin.get("id"),
            "userName": admin.get("user_name"),
            "email": admin.get("email"),
            "firstName": admin.get("first_name"),
            "lastName": admin.get("last_name"),
            "userStatus": ADMIN_STATUS_TO_ESIGN.get(str(admin.get("membership_status") or "").lower()),
        }
    for name in ADMIN_ONLY_FIELDS:
        if name in admin:
            event[name] = admin[name]
    event["source_log_type"] = EVENT_TYPES[AUDIT_USERS].source_log_type
    event["_time"] = format_time(changed_at or user_change_time(esign, admin) or fetched_at)
    return event


def esign_modified(esign: dict[str, Any] | None) -> datetime | None:
    """When eSignature last changed the user: DocuSign keeps the settings' ``userSettings.modifiedDate`` and the
    profile's ``userProfileLastModifiedDate`` apart (a title change moves only the latter): the later of both."""
    settings = (esign or {}).get("userSettings")
    dates = [
        parse_time(settings.get("modifiedDate")) if isinstance(settings, dict) else None,
        parse_time((esign or {}).get("userProfileLastModifiedDate")),
    ]
    known = [d for d in dates if d]
    return max(known) if known else None


# ============================================================================ state
# Each event type's slice of last run as a typed object: ``from_last_run`` also continues a state the public
# pack saved; ``to_last_run`` is what is saved. The rules for moving state forward are named methods here.

CUSTOMER_STATE_KEY = "customer_events"
USERS_STATE_KEY = "audit_users"


@dataclass(frozen=True)
class CustomerEventsState:
    """Where the Monitor stream continues (``cursor``, which belongs to generation ``api``; "" while it is a
    time, which both accept), the event ids delivered at that boundary (DocuSign may repeat them on the next
    page), the newest event time delivered (where another generation resumes, less ``SWITCH_OVERLAP``), and under
    "auto" the day v1 was last found not served."""

    cursor: str
    recent_ids: tuple[str, ...] = ()
    api: str = ""
    newest: str = ""
    v1_checked: str = ""
    first_fetch: str = field(default="", compare=False)  # not saved: where to start when nothing else says

    @classmethod
    def from_last_run(cls, last_run: dict[str, Any], start: datetime) -> "CustomerEventsState":
        saved = last_run.get(CUSTOMER_STATE_KEY)
        if not isinstance(saved, dict):
            legacy = last_run.get(CUSTOMER_EVENTS)  # the public pack's slice
            saved = {"cursor": legacy.get("cursor")} if isinstance(legacy, dict) else {}
        cursor = str(saved.get("cursor") or format_time(start))
        if (parse_time(cursor) or start) > datetime.now(UTC):  # a time cursor saved ahead of now
            cursor = format_time(start)
        ids = saved.get("recent_ids") or []
        # Before v1 was read, every saved cursor was a lens cursor.
        api = str(saved.get("api") or ("" if parse_time(cursor) else "lens"))
        return cls(
            cursor,
            tuple(str(i) for i in ids),
            api,
            str(saved.get("newest") or ""),
            str(saved.get("v1_checked") or ""),
            format_time(start),
        )

    def start_for(self, generation: str) -> str | None:
        """Where ``generation`` starts: the cursor when it belongs to it (or is a time), else the newest delivered
        event's time less the overlap (the id memory drops the repeats); None when there is no such time."""
        if self.api in ("", generation):
            return self.cursor
        newest = parse_time(self.newest)
        return format_time(newest - SWITCH_OVERLAP) if newest else None

    def after_page(
        self, cursor: str, new_ids: Iterable[str], newest: datetime | None, generation: str
    ) -> "CustomerEventsState":
        """Rule: remember only the newest ``DEDUP_MEMORY`` ids, so last run stays small."""
        known = parse_time(self.newest)
        latest = max(d for d in (known, newest) if d) if known or newest else None
        return replace(
            self,
            cursor=cursor,
            recent_ids=(*self.recent_ids, *new_ids)[-DEDUP_MEMORY:],
            api=generation,
            newest=format_time(latest) if latest else "",
        )

    def to_last_run(self) -> dict[str, Any]:
        saved = {"cursor": self.cursor, "recent_ids": list(self.recent_ids), "api": self.api, "newest": self.newest}
        if self.v1_checked:
            saved["v1_checked"] = self.v1_checked
        return saved


@dataclass(frozen=True)
class UserMark:
    """What the last read of a user showed, and when it was made: eSignature's change dates (``modified``), the
    Admin record's fingerprint, the time of the user's last change known (``changed``: an eSignature date, or
    when a change only the Admin record showed was seen), and the eSignature record's fingerprint (``esign``:
    two changes in the second eSignature's US-formatted dates resolve share one date). ``read_at`` is the
    collector's clock just before the read (earlier is the safe side).

    Saved as text: ``<user>|<modified>|<fingerprint>|<read at>|<changed>|<esign>`` (marks saved before the
    eSignature fingerprint existed have five parts and compare on the rest).
    """

    user_id: str
    modified: str
    fingerprint: str
    read_at: datetime
    changed: str = ""
    esign: str = ""

    @classmethod
    def parse(cls, text: Any) -> "UserMark | None":
        parts = str(text).split("|")
        if not 4 <= len(parts) <= 6 or not (read_at := parse_time(parts[3])):
            return None
        return cls(parts[0], parts[1], parts[2], read_at, *parts[4:])

    def __str__(self) -> str:
        text = f"{self.user_id}|{self.modified}|{self.fingerprint}|{format_time(self.read_at)}|{self.changed}"
        return f"{text}|{self.esign}" if self.esign else text

    def same_records(self, other: "UserMark") -> bool:
        """Both reads showed the same Admin record and (when both know it) the same eSignature record."""
        esign_same = not (self.esign and other.esign) or self.esign == other.esign
        return self.fingerprint == other.fingerprint and esign_same

    @property
    def changed_at(self) -> datetime:
        """The last change known (the read itself when nothing dates one)."""
        return parse_time(self.changed) or parse_time(self.modified) or self.read_at


def day_floor(value: datetime) -> datetime:
    return value.replace(hour=0, minute=0, second=0, microsecond=0)


def filter_known(admin_filter: str, now: datetime) -> bool:
    """Whether how the Admin filter applies ``last_modified_since`` is known for today (see AuditUsersState)."""
    today = now.date().isoformat()
    return admin_filter in ("date", f"day:{today}", f"time:{today}")


@dataclass(frozen=True)
class AuditUsersState:
    """Users changed after ``watermark`` (minus ``ADMIN_LOOKBACK``) are listed; changes before ``not_before`` are
    not wanted; ``marks`` say what was read of recently listed users, so listing them again costs no read.

    ``admin_filter`` is what is known of how the Admin API applies ``last_modified_since`` (DocuSign does not
    document it): ``time`` (assumed: the safe side), ``time:<date>`` or ``day:<date>`` (seen to honour the time
    of day, or only the date, on that day) or ``date`` (it refused a time of day: a date is sent).
    """

    watermark: datetime
    not_before: datetime
    marks: tuple[UserMark, ...] = ()
    account_users_total: int | None = None
    admin_filter: str = "time"
    sweep_from: int = 0  # a listing larger than the budget: the eSignature bulk position the next run reads from

    @classmethod
    def from_last_run(cls, last_run: dict[str, Any], start: datetime) -> "AuditUsersState":
        saved = last_run.get(USERS_STATE_KEY)
        if not isinstance(saved, dict):
            saved = cls._from_public_pack(last_run.get(AUDIT_USERS))
        total = saved.get("account_users_total")
        marks = (UserMark.parse(m) for m in saved.get("marks") or [])
        now = datetime.now(UTC)  # a time saved ahead of now (by an older version) would hide changes until then
        return cls(
            watermark=min(parse_time(saved.get("watermark")) or start, now),
            not_before=min(parse_time(saved.get("not_before")) or start, now),
            marks=tuple(m for m in marks if m),
            account_users_total=arg_to_number(total) if total not in (None, "") else None,
            admin_filter=str(saved.get("admin_filter") or "time"),
            sweep_from=arg_to_number(saved.get("sweep_from")) or 0,
        )

    @staticmethod
    def _from_public_pack(legacy: Any) -> dict[str, Any]:
        if not isinstance(legacy, dict) or not legacy.get("latest_modifiedDate"):
            return {}
        since = parse_time(str(legacy["latest_modifiedDate"]))
        if since is None:
            return {}
        # The public pack's watermark was inclusive: users changed at exactly that time were already sent. Users it
        # had listed but not yet sent (its pending pages) may be older than that: then reach back a day, accepting
        # a few repeats rather than a loss.
        pending = legacy.get("continuing_fetch_info") or legacy.get("excess_users_info")
        after = since - timedelta(days=1) if pending else since + timedelta(milliseconds=1)
        return {"watermark": format_time(min(since, after)), "not_before": format_time(after)}

    def to_last_run(self) -> dict[str, Any]:
        return {
            "watermark": format_time(self.watermark),
            "not_before": format_time(self.not_before),
            "marks": [str(m) for m in self.marks],
            "account_users_total": self.account_users_total,
            "admin_filter": self.admin_filter,
            "sweep_from": self.sweep_from,
        }

    def marks_by_user(self) -> dict[str, UserMark]:
        return {m.user_id: m for m in self.marks}

    def by_day(self, since: datetime) -> bool:
        """Whether a listing since ``since`` is known to list its whole day (a verdict holds for its own date: a
        listing that still reaches into yesterday after midnight keeps yesterday's)."""
        return self.admin_filter in ("date", f"day:{since.date().isoformat()}")

    def floor(self, since: datetime, by_day: bool) -> datetime:
        """The earliest change a listing since ``since`` can show."""
        return day_floor(since) if by_day else since

    def after_delivery(
        self, marks: Iterable[UserMark], listed_at: datetime | None, total: int | None, admin_filter: str
    ) -> "AuditUsersState":
        """The state once the changes read with ``marks`` are sent. Rules: the watermark moves to when the listing
        started, and only when every listed change was delivered (``listed_at`` given); a mark is kept while a
        later listing can still show its change (from the start of that listing's day, in case the filter lists
        whole days), at most twice the largest budget."""
        watermark = listed_at or self.watermark
        keep_from = day_floor(watermark - ADMIN_LOOKBACK)
        merged = self.marks_by_user()
        for mark in marks:
            merged[mark.user_id] = mark
        kept = sorted((m for m in merged.values() if m.read_at >= keep_from), key=lambda m: m.read_at)
        return replace(
            self,
            watermark=watermark,
            marks=tuple(kept[-2 * MAX_USER_EVENTS :]),
            account_users_total=total,
            admin_filter=admin_filter,
        )


# ============================================================================ fetchers
# A fetcher is a generator: fetch(client, state, budget, ctx) yields Steps (events, and the state that is true
# once they are sent) and ends by returning (caught up) or raising (Stopped, or an API error). It never sends
# and never saves: ``collect`` and the commands do.


@dataclass
class Step:
    events: list[dict[str, Any]]
    state: Any  # the event type's typed state
    pages: int = 0
    notes: dict[str, int] = field(default_factory=dict)  # counts worth a warning, see NOTES
    newest: datetime | None = None  # the newest DocuSign timestamp among the events
    counts: dict[str, int] = field(default_factory=dict)  # what the run did, for the report (e.g. users listed)
    warnings: list[str] = field(default_factory=list)  # worth the operator's attention, for module health


def fetch_customer_events(
    client: DocuSignClient, state: CustomerEventsState, budget: int, ctx: RunContext
) -> Iterator[Step]:
    """Drain the Monitor stream from the saved cursor (or the first fetch time) until caught up, out of budget
    or of time. Events DocuSign repeats at the cursor boundary are dropped by ``eventId``.

    Rule: a budget of one page polls once (DocuSign asks for no more than one poll a minute), so a short page
    ends the run; larger budgets are for catching up and keep paging, since DocuSign may return short pages
    mid-stream. The Monitor generation is the configured one; "auto" reads v1 and falls back to lens when v1
    is not served (checked again the next day).
    """
    polls_once = budget <= MONITOR_PAGE_MAX
    seen = set(state.recent_ids)
    delivered = asked = 0
    today = ctx.now().date().isoformat()
    generation = monitor_generation(client.settings, state, today)
    cursor = state.start_for(generation)
    if cursor is None:  # another generation's cursor and no time to resume from yet: read it once more
        generation, cursor = state.api, state.cursor
    may_fall_back = client.settings.monitor_api == "auto" and generation == "v1"
    fell_back: list[str] = []

    def request(page_cursor: str) -> dict[str, Any]:
        nonlocal asked, generation, may_fall_back, state
        asked = min(MONITOR_PAGE_MAX, budget - delivered)
        try:
            return get_monitor_stream(client, page_cursor, asked, generation)
        except ApiError as exc:
            if not (may_fall_back and monitor_not_served(exc)):
                raise
            # Said on health: a mistyped Organization ID looks the same as an organization v1 does not serve.
            fell_back.append(
                f"Monitor API v1 did not serve Organization ID {client.settings.organization_id} ({exc.status}); "
                "reading v2.0 (lens) until tomorrow. Check the Organization ID, or choose a Monitor API."
            )
        generation, state = "lens", replace(state, v1_checked=today)
        sent = state.start_for("lens") or state.first_fetch
        # The paginator compares endCursor with the cursor sent: here lens's, not the v1 cursor it was given.
        return {**get_monitor_stream(client, sent, asked, "lens"), "cursor": sent}

    paginator = CursorPaginator(cursor)
    repeating = 0  # pages in a row of events already delivered: how a cursor that went back shows when opaque
    for page in paginate(paginator, request, ctx, ctx.page_interval):
        may_fall_back = False
        step, new_ids = shape_page(page["data"], seen, ctx.now())
        step.warnings, fell_back[:] = list(fell_back), []
        delivered += len(step.events)
        repeating = repeating + 1 if page["data"] and step.notes["repeated"] >= 0.9 * len(page["data"]) else 0
        problem = paginator.problem or (REPEATING_PAGES if repeating >= 2 else "")
        if problem:
            step.warnings.append(problem)
        state = step.state = state.after_page(paginator.current, new_ids, step.newest, generation)
        yield step
        if problem:
            raise Stopped(StopReason.CURSOR)
        if polls_once and len(page["data"]) < asked:
            return
        if not paginator.finished and delivered >= budget:
            raise Stopped(StopReason.EVENT_BUDGET)


REPEATING_PAGES = (
    "Two DocuSign Monitor pages in a row held (90% or more) events already delivered: its cursor seems to have gone "
    "back. The run stopped there, sending none of them twice; the next run goes on from the last cursor."
)


def monitor_generation(settings: Settings, state: CustomerEventsState, today: str) -> str:
    """The configured generation; under "auto" v1, unless it was found not served today or cannot be asked."""
    if settings.monitor_api != "auto":
        return settings.monitor_api
    if not settings.organization_id or (state.api == "lens" and state.v1_checked == today):
        return "lens"
    return "v1"


def shape_page(data: list[Any], seen: set[str], fetched_at: datetime) -> tuple[Step, list[str]]:
    """A Monitor page's events, minus those already delivered (``seen`` grows); also the new event ids."""
    step = Step(events=[], state=None, pages=1, notes={"undated": 0, "repeated": 0})
    new_ids = []
    for raw in data:
        event_id = str(raw.get("eventId") or "") if isinstance(raw, dict) else ""
        if event_id and event_id in seen:
            step.notes["repeated"] += 1
            continue
        event, when = shape_customer_event(raw, fetched_at)
        if when is None:
            step.notes["undated"] += 1
        elif step.newest is None or when > step.newest:
            step.newest = when
        if event_id:
            seen.add(event_id)
            new_ids.append(event_id)
        step.events.append(event)
    return step, new_ids


def fetch_audit_users(client: DocuSignClient, state: AuditUsersState, budget: int, ctx: RunContext) -> Iterator[Step]:
    """Users changed since the last complete listing, each change once, enriched with eSignature records in as
    few calls as possible (bulk pages of 100 or one GET per user, whichever is cheaper). One step: all or nothing.

    A user listed again with the same Admin record is read again only when its last read is about to leave the
    listing window (see ``needs_read``), so a run in which nothing changed costs the Admin listing alone.
    """
    account_base_uri(client)  # a wrong Account ID is an error (cached per account: no call on later runs)
    listed_at = ctx.now()
    since = state.watermark - ADMIN_LOOKBACK
    changed = list_changed_users(client, since, state.admin_filter == "date", ctx)
    admin_filter = "date" if changed.sent_date else state.admin_filter
    marks = state.marks_by_user()
    by_day = state.by_day(since) or changed.sent_date
    to_read, rereads = needs_read(changed.users, marks, state.floor(since, by_day), listed_at, by_day)
    if rereads and not filter_known(admin_filter, listed_at):
        verdict = admin_lists_whole_days(client, listed_at, rereads)
        if verdict is not None:
            admin_filter = f"{'day' if verdict else 'time'}:{listed_at.date().isoformat()}"
        if verdict:
            by_day = True
            to_read, _ = needs_read(changed.users, marks, state.floor(since, by_day), listed_at, by_day)
    floor = state.floor(since, by_day)
    read_at = ctx.now()
    admin_by_user = {str(admin["id"]).lower(): admin for admin in to_read}
    changes: dict[str, UserChange | None] = {}
    new_marks: dict[str, UserMark] = {}

    def change_of(uid: str, esign: dict[str, Any] | None) -> UserChange | None:
        if uid not in changes:
            admin = admin_by_user[uid]
            modified = esign_modified(esign)
            mark = new_marks[uid] = UserMark(
                uid,
                format_time(modified) if modified else "",
                admin_fingerprint(admin),
                read_at,
                "",
                esign_fingerprint(esign),
            )
            before = marks.get(uid)
            change = classify_change(esign, admin, before, mark, state.not_before, floor, read_at)
            # The last change known: this one, or (nothing new) the one known before.
            changed = format_time(change.when) if change else (before.changed if before else mark.modified)
            mark = new_marks[uid] = replace(mark, changed=changed)
            changes[uid] = replace(change, mark=mark) if change else None
        return changes[uid]

    enrichment = enrich_users(
        client,
        to_read,
        state.account_users_total,
        marks.keys(),
        ctx,
        state.sweep_from,
        budget,
        lambda uid, esign: change_of(uid, esign) is not None,
    )
    fetched_at = ctx.now()
    candidates, settled = [], []
    for uid, esign in enrichment.found.items():  # in the order read: a cut list goes on from there
        change = change_of(uid, esign)
        if change is None:
            settled.append(new_marks[uid])
        else:
            candidates.append(change)
    chosen = candidates[:budget]
    # A dated change older than the last complete listing's start was not visible to that listing: it reached the
    # Admin API at least this late. Near the look-back, later ones would be missed: said on health.
    late = [state.watermark - c.when for c in chosen if c.dated and c.when < state.watermark]
    warnings = []
    if late and max(late) >= ADMIN_LOOKBACK / 2:
        warnings.append(
            f"{counted(len(late), 'user change')} reached DocuSign's Admin API late, the latest "
            f"{human_duration(max(late).total_seconds())} after it happened; a change listed more than "
            f"{human_duration(ADMIN_LOOKBACK.total_seconds())} late would be missed."
        )
    left = len(to_read) - len(enrichment.found)  # not read in this run: the next run reads them
    unread = 0 if enrichment.stopped is StopReason.EVENT_BUDGET else left
    if unread and enrichment.stopped is StopReason.RATE_LIMIT:
        warnings.append(
            f"DocuSign's API rate limit stopped the reading of user records: {counted(len(chosen), 'change')} "
            f"delivered, {counted(unread, 'changed user')} left for the next runs. {enrichment.refusal}"
        )
    complete = not left and len(candidates) <= budget
    state = state.after_delivery(
        [*settled, *(c.mark for c in chosen)], listed_at if complete else None, enrichment.total, admin_filter
    )
    yield Step(
        events=[shape_user(c.esign, c.admin, fetched_at, changed_at=c.when) for c in sorted(chosen, key=_by_time)],
        state=replace(state, sweep_from=0 if complete else enrichment.resume_at),
        pages=len(changed.pages),
        notes={"unread": unread},
        newest=max((c.when for c in chosen if c.dated), default=None),
        counts={
            "listed": len(changed.users),
            "read": len(enrichment.found),
            "skipped": len(changed.users) - len(to_read),
            **({"late": len(late)} if late else {}),
        },
        warnings=warnings,
    )
    if unread:
        raise Stopped(enrichment.stopped or StopReason.TIME_BUDGET)
    if not complete:
        raise Stopped(StopReason.EVENT_BUDGET)


def _by_time(change: "UserChange") -> tuple[datetime, str]:
    return change.when, change.mark.user_id


def needs_read(
    listed: dict[str, dict[str, Any]], marks: dict[str, UserMark], floor: datetime, now: datetime, by_day: bool
) -> tuple[list[dict[str, Any]], list[UserMark]]:
    """The listed users whose eSignature records must be read, and the marks of those among them whose Admin
    record is unchanged (read for a change only eSignature can show, or for safety).

    Rule: a user is skipped when its Admin record is unchanged, the change last read explains the listing (it is
    inside the listing's window) and that read stays inside the next listing's window. If the user changed after
    the read, the next listing shows it again; once the read is older than the window, the user is read. So
    nothing is missed, and a change costs one read (two when runs are further apart than the look-back). A filter
    that lists whole days would keep everyone changed today in the window: their reads are renewed hourly, which
    bounds how late a second change that day (shown only by eSignature) is delivered.
    """
    next_floor = now - ADMIN_LOOKBACK
    if by_day:
        next_floor = max(day_floor(next_floor), now - WHOLE_DAY_REREAD)
    to_read, rereads = [], []
    for user_id, admin in listed.items():
        mark = marks.get(user_id.lower())
        if mark is not None and mark.fingerprint == admin_fingerprint(admin):
            explained = mark.changed_at >= floor
            if explained and mark.read_at >= next_floor:
                continue
            rereads.append(mark)
        to_read.append(admin)
    return to_read, rereads


def admin_lists_whole_days(client: DocuSignClient, now: datetime, rereads: list[UserMark]) -> bool | None:
    """Whether the Admin filter ignores the time of day: asked for users changed since the last second of today
    (none can be), it lists today's changes. One call, made only when users are read again for safety and one of
    them is known to have changed today (so that an empty answer means something). None when it cannot tell."""
    today = day_floor(now)
    last_second = today + timedelta(days=1, seconds=-1)
    changed_today = any((parse_time(m.modified) or today - timedelta(days=1)) >= today for m in rereads)
    if not changed_today or last_second - now < ADMIN_LOOKBACK:
        return None
    params = {
        "account_id": client.settings.account_id,
        "last_modified_since": format_time(last_second),
        "take": 1,
        "start": 0,
    }
    return bool(get_admin_users(client, params=params)["users"])


def admin_fingerprint(admin: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(admin, sort_keys=True, default=str).encode()).hexdigest()[:16]


# Fields of an eSignature record that move with sign-ins, not with changes to the user.
ESIGN_ACTIVITY_FIELDS = ("lastLogin", "passwordExpiration")


def esign_fingerprint(esign: dict[str, Any] | None) -> str:
    """The eSignature record's content, without sign-in activity ("" when there is no record)."""
    if not esign:
        return ""
    content = {k: v for k, v in esign.items() if k not in ESIGN_ACTIVITY_FIELDS}
    return admin_fingerprint(content)


@dataclass(frozen=True)
class UserChange:
    """One change of one user to deliver, and the mark that recognises it later."""

    when: datetime
    esign: dict[str, Any] | None
    admin: dict[str, Any]
    dated: bool  # ``when`` is a DocuSign date (not the fetch time)
    mark: UserMark


def classify_change(
    esign: dict[str, Any] | None,
    admin: dict[str, Any],
    before: UserMark | None,
    now: UserMark,
    not_before: datetime,
    floor: datetime,
    fetched_at: datetime,
) -> UserChange | None:
    """What changed for a user since its last read (``before``), or None when nothing new.

    eSignature's dates (settings and profile) date most changes. The Admin record's content catches the ones they
    do not show (a membership closed, disabled, regrouped). A user never read before is always a change.
    """
    modified = esign_modified(esign)
    if modified is not None and now.modified != (before.modified if before else ""):
        if before is not None or modified >= max(not_before, floor):
            return UserChange(modified, esign, admin, True, now)
        # Not read before (or no longer remembered), and its eSignature change is older than the first fetch
        # time or than this listing's floor: listed for a change only the Admin record shows, or (near the
        # first fetch time) for that older change. Nothing tells them apart, so it is delivered as a change seen
        # now: a record more near the first fetch time, never a change lost, never an old change dated again.
    elif before is not None and before.same_records(now):
        return None
    admin_time = user_change_time(None, admin)
    dated = admin_time is not None and admin_time >= floor
    return UserChange(admin_time if dated and admin_time else fetched_at, esign, admin, dated, now)


@dataclass
class ChangedUsers:
    users: dict[str, dict[str, Any]]  # Admin records by user id, in the order the API listed them
    pages: list[int]
    sent_date: bool  # the filter was sent as a date


def list_changed_users(client: DocuSignClient, since: datetime, send_date: bool, ctx: RunContext) -> ChangedUsers:
    """Every user the Admin API lists as modified since ``since``.

    DocuSign's samples send a date; a date-time is tried first because it keeps each run to the users changed
    since the last one. If the API refuses it (400), the date is sent instead, and remembered in state.
    """
    since = as_utc(since)
    params = {
        "account_id": client.settings.account_id,
        "last_modified_since": since.strftime("%Y-%m-%d") if send_date else format_time(since),
        "take": ADMIN_PAGE_MAX,
        "start": 0,
    }

    def request(next_url: str | None) -> dict[str, Any]:
        return get_admin_users(client, params=params, next_url=next_url)

    result = ChangedUsers(users={}, pages=[], sent_date=send_date)
    try:
        for page in paginate(NextLinkPaginator(client.settings.hosts.admin), request, ctx):
            result.pages.append(len(page["users"]))
            for user in page["users"]:
                if isinstance(user, dict) and user.get("id"):
                    result.users.setdefault(str(user["id"]), user)
    except ApiError as exc:
        if result.pages or send_date or isinstance(exc, RateLimitedError) or exc.status != 400:
            raise
        return list_changed_users(client, since, True, ctx)
    return result


@dataclass
class Enrichment:
    """eSignature records by lower-case user id, in the order read (None: eSignature does not know the user;
    absent: not read in this run), the account's user count, and where the next run resumes the bulk pages."""

    found: dict[str, dict[str, Any] | None]
    total: int | None
    resume_at: int = 0
    stopped: StopReason | None = None  # reading stopped early: enough users for the budget, out of time or calls
    refusal: str = ""  # DocuSign's rate-limit answer, when that stopped the reading


def enrich_users(
    client: DocuSignClient,
    admin_users: list[dict[str, Any]],
    known_total: int | None,
    delivered_before: Iterable[str],
    ctx: RunContext,
    start: int = 0,
    enough: int | None = None,
    counts: Callable[[str, dict[str, Any] | None], bool] = lambda user_id, record: True,
) -> Enrichment:
    """eSignature records for the given users, in as few calls as possible.

    Bulk pages cost ceil(total/100) calls, per-user GETs one call each: take the cheaper. When the account
    size is unknown (first run), one bulk page reveals it. Bulk pages are read from ``start`` (where the last
    run stopped), wrapping round once, and only until ``enough`` users that ``counts`` (changes) are read: a
    list larger than the run's budget is worked through across runs without reading a page twice. Users never
    delivered are read one by one first, so that a run cut short by its time budget still makes progress.
    """
    wanted = {str(u["id"]).lower() for u in admin_users}
    result = Enrichment({}, known_total)
    if not wanted:
        return result
    enough = enough or len(wanted)
    base_uri = account_base_uri(client)

    def request(position: int) -> dict[str, Any]:
        return get_esign_users(client, base_uri, position, ESIGN_PAGE_MAX)

    read_bulk(request, wanted, result, start, enough, counts, ctx)
    if result.stopped:
        return result
    # Users the listing did not show (closed, or changed while paging) are read one by one.
    known = set(delivered_before)
    missing = sorted(wanted - result.found.keys(), key=lambda u: (u in known, u))
    room = max(0, enough - sum(counts(user_id, record) for user_id, record in result.found.items()))
    if len(missing) > room:
        result.stopped = StopReason.EVENT_BUDGET
    for user_id in missing[:room]:
        if ctx.deadline.remaining() <= 0:
            break
        try:
            result.found[user_id] = get_esign_user(client, base_uri, user_id)
        except Stopped as stop:  # out of time or quota share: what was read is delivered, the next run goes on
            result.stopped = stop.reason
            break
        except RateLimitedError as exc:  # the account's calls are used (other apps share them): the same
            result.stopped, result.refusal = StopReason.RATE_LIMIT, str(exc)
            break
        except ApiError as exc:
            if exc.status not in (400, 404):
                raise
            result.found[user_id] = None
    return result


def read_bulk(
    request: Callable[[int], dict[str, Any]],
    wanted: set[str],
    result: Enrichment,
    start: int,
    enough: int,
    counts: Callable[[str, dict[str, Any] | None], bool],
    ctx: RunContext,
) -> None:
    """Read eSignature's bulk pages into ``result`` when they cost fewer calls than the users still missing:
    from ``start`` to the end, then from the beginning up to ``start``, until every wanted user is read or
    ``enough`` that ``counts`` (then ``result.resume_at`` is where the next run goes on). The account's user
    count is revealed by one probe page on the first run, and kept current by every page."""
    found = result.found

    def cut(page: dict[str, Any], position: int) -> bool:
        """Stop at this page when enough users that count are read; users beyond the budget are left to the next
        run, which starts at this page."""
        counted = [user_id for user_id, record in found.items() if counts(user_id, record)]
        over = list(found)[list(found).index(counted[enough - 1]) + 1 :] if len(counted) >= enough else []
        if not over and (len(counted) < enough or wanted <= found.keys()):
            return False
        for user_id in over:
            del found[user_id]
        result.resume_at = position if over else position + len(page["users"])
        result.stopped = StopReason.EVENT_BUDGET
        return True

    if result.total is None and len(wanted) > 1:
        try:
            page = request(0)
        except RateLimitedError as exc:
            result.stopped, result.refusal = StopReason.RATE_LIMIT, str(exc)
            return
        collect_esign_page(page, wanted, found)
        result.total = arg_to_number(page.get("totalSetSize")) or len(page["users"])
        if cut(page, 0):
            return
        start = max(start, len(page["users"]))
    missing = wanted - found.keys()
    total = result.total
    if not missing or total is None or math.ceil(total / ESIGN_PAGE_MAX) >= len(missing):
        return
    start = start if start < total else 0
    for paginator in (OffsetPaginator(start, total), OffsetPaginator(0, total, end=start)):
        try:
            for page in paginate(paginator, request, ctx):
                collect_esign_page(page, wanted, found)
                result.total = paginator.total
                if cut(page, paginator.current - len(page["users"])) or wanted <= found.keys():
                    return
        except Stopped as stop:
            result.resume_at = paginator.current  # out of time or quota share: the next run goes on from here
            result.stopped = stop.reason
            return
        except RateLimitedError as exc:  # the account's calls are used: deliver what was read, go on from here
            result.resume_at = paginator.current
            result.stopped, result.refusal = StopReason.RATE_LIMIT, str(exc)
            return


def collect_esign_page(page: dict[str, Any], wanted: set[str], found: dict[str, dict[str, Any] | None]) -> None:
    for user in page["users"]:
        user_id = str(user.get("userId") or "").lower() if isinstance(user, dict) else ""
        if user_id in wanted:
            found[user_id] = user


# ============================================================================ event types
# One entry per event type: everything that makes it. Settings, scopes, fetch-events, get-events and the
# connection test derive from this table; a third type is one entry and one fetcher.


MONITOR_API_NAMES = {"v1": "Monitor API v1", "lens": "Monitor API v2.0 (lens)"}


def check_monitor(client: DocuSignClient, userinfo: dict[str, Any]) -> str:
    """One event from now on, from the generation fetches would read; says which one answered."""
    now = format_time(client.ctx.now())
    generation = monitor_generation(client.settings, CustomerEventsState(now), "")
    try:
        get_monitor_stream(client, now, 1, generation)
    except ApiError as exc:
        if not (client.settings.monitor_api == "auto" and generation == "v1" and monitor_not_served(exc)):
            raise
        generation = "lens"
        get_monitor_stream(client, now, 1, generation)
    return MONITOR_API_NAMES[generation]


def check_audit_users(client: DocuSignClient, userinfo: dict[str, Any]) -> str:
    """One user from each API audit users reads: Admin lists who changed, eSignature holds their records (at the
    account's own base URI, taken from this userinfo rather than the cache)."""
    settings = client.settings
    accounts = userinfo.get("accounts") or []
    account = next((a for a in accounts if str(a.get("account_id", "")).lower() == settings.account_id.lower()), None)
    if account is None:
        raise DocusignError(
            f"The impersonated user has no access to Account ID {settings.account_id}; check the Account ID "
            "(Settings > Apps and Keys > API Account ID)."
        )
    get_admin_users(client, params={"account_id": settings.account_id, "take": 1})
    get_esign_users(client, str(account.get("base_uri") or "").rstrip("/"), 0, 1)
    return "Admin API and eSignature API"


@dataclass(frozen=True)
class EventType:
    name: str
    source_log_type: str
    state_key: str  # its slice of last run
    legacy_key: str  # the public pack's slice, continued once
    budget: Budget
    scopes: tuple[str, ...]
    needs: tuple[str, ...]  # instance parameters it requires
    state: Callable[[dict[str, Any], datetime], Any]  # typed state from last run and the first fetch time
    fetch: Callable[[DocuSignClient, Any, int, RunContext], Iterator[Step]]
    check: Callable[[DocuSignClient, dict[str, Any]], str]  # one minimal call per API it reads; says what it checked
    columns: tuple[str, ...]  # get-events table


EVENT_TYPES: dict[str, EventType] = {
    CUSTOMER_EVENTS: EventType(
        name=CUSTOMER_EVENTS,
        source_log_type="customerevent",
        state_key=CUSTOMER_STATE_KEY,
        legacy_key=CUSTOMER_EVENTS,
        budget=Budget(
            "max_customer_events_per_fetch",
            "Maximum number of customer events per fetch",
            MONITOR_PAGE_MAX,
            MAX_CUSTOMER_EVENTS,
        ),
        scopes=BASE_SCOPES,
        needs=(),
        state=CustomerEventsState.from_last_run,
        fetch=fetch_customer_events,
        check=check_monitor,
        columns=("_time", "action", "object", "userId", "ipAddress", "result"),
    ),
    AUDIT_USERS: EventType(
        name=AUDIT_USERS,
        source_log_type="auditusers",
        state_key=USERS_STATE_KEY,
        legacy_key=AUDIT_USERS,
        budget=Budget(
            "max_user_events_per_fetch",
            "Maximum number of user data events per fetch",
            DEFAULT_USER_EVENTS,
            MAX_USER_EVENTS,
        ),
        scopes=(*BASE_SCOPES, *USER_SCOPES),
        needs=("account_id", "organization_id"),
        state=AuditUsersState.from_last_run,
        fetch=fetch_audit_users,
        check=check_audit_users,
        columns=("_time", "userName", "email", "userStatus", "permissionProfileName", "isAdmin"),
    ),
}


# ============================================================================ event size
# send_events_to_xsiam skips an entry of 5 MB or more (logging an error the run report never sees) and older
# CommonServerPython versions cap a chunk at 4 MB. An event over the limit is trimmed, never dropped: its largest
# values are cut until it fits, and ``trimmed_fields`` names them.

MAX_EVENT_BYTES = 4_000_000
TRIM_MARK = "...[trimmed by the DocuSign collector]"


def json_size(value: Any) -> int:
    return len(json.dumps(value, default=str).encode())


def fit_event(event: dict[str, Any], limit: int | None = None) -> list[str]:
    """Cut ``event``'s largest values until its JSON is within ``limit`` bytes (``MAX_EVENT_BYTES``); returns the
    dotted paths cut (also recorded in the event's ``trimmed_fields``), [] when it already fits."""
    limit = limit or MAX_EVENT_BYTES
    trimmed: list[str] = []
    size = json_size(event)
    excess = 0
    while size > limit:
        path, parent, key, value = _largest_value(event)
        # Room for the mark and the trimmed_fields list; doubled each round, so a cut always ends.
        excess = max(size - limit + len(TRIM_MARK) + 256, 2 * excess)
        parent[key] = _cut(value, excess)
        if path not in trimmed:
            trimmed.append(path)
        event["trimmed_fields"] = trimmed
        size = json_size(event)
    return trimmed


def _largest_value(event: dict[str, Any]) -> tuple[str, Any, Any, Any]:
    """The value to cut: descend from the event into the largest member while it holds most of its container."""
    path, parent, key = "", None, None
    node: Any = event
    while isinstance(node, dict | list) and node:
        members = list(node.items()) if isinstance(node, dict) else list(enumerate(node))
        sizes = [(json_size(v), k, v) for k, v in members if k != "trimmed_fields"]
        biggest, child_key, child = max(sizes, key=lambda item: item[0])
        if parent is not None and biggest * 2 < json_size(node):
            break  # many middling members: cut the container itself
        path = f"{path}.{child_key}" if path else str(child_key)
        parent, key, node = node, child_key, child
    return path, parent, key, node


def _cut(value: Any, excess: int) -> Any:
    """``value`` about ``excess`` bytes shorter: a string keeps its start; a list its first items; anything else
    becomes the start of its JSON text."""
    if isinstance(value, list):
        items = [item for item in value if item != TRIM_MARK]  # a list cut before is cut further, marked once
        kept, budget = [], json_size(items) - excess
        for item in items:
            budget -= json_size(item) + 2  # json.dumps separates items with ", "
            if budget < 0:
                break
            kept.append(item)
        return [*kept, TRIM_MARK]
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    keep = max(0, len(text.encode()) - excess)
    return text.encode()[:keep].decode(errors="ignore") + TRIM_MARK


def fit_events(events: list[dict[str, Any]]) -> int:
    """Trim every event over XSIAM's per-event size; returns how many were trimmed."""
    return sum(1 for event in events if fit_event(event))


# ============================================================================ run report

NOTES = {  # what was counted, and what happened to it
    "undated": ("event", "{} without a usable timestamp got the fetch time as _time"),
    "repeated": ("repeated event", "{} dropped"),
    "unread": ("changed user", "{} not read within the time budget; the next run reads them"),
}


def counted(n: int, noun: str) -> str:
    """'1 event', '2 events'."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


@dataclass
class TypeReport:
    """How one event type's fetch went."""

    events: int = 0
    pages: int = 0
    calls: int = 0
    stop: StopReason = StopReason.CAUGHT_UP
    error: str = ""
    warnings: list[str] = field(default_factory=list)
    notes: dict[str, int] = field(default_factory=dict)
    newest: datetime | None = None
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, step: Step) -> None:
        self.events += len(step.events)
        self.pages += step.pages
        self.warnings.extend(step.warnings)
        for name, count in step.notes.items():
            self.notes[name] = self.notes.get(name, 0) + count
        for name, count in step.counts.items():
            self.counts[name] = self.counts.get(name, 0) + count
        if step.newest and (self.newest is None or step.newest > self.newest):
            self.newest = step.newest

    def all_warnings(self) -> list[str]:
        return self.warnings + [
            NOTES[name][1].format(counted(n, NOTES[name][0])) for name, n in self.notes.items() if n
        ]

    def to_dict(self, now: datetime) -> dict[str, Any]:
        return {
            "events": self.events,
            "pages": self.pages,
            "calls": self.calls,
            "stop": self.stop.value,
            "error": self.error,
            "warnings": self.all_warnings(),
            "newest_event_age_s": int((now - self.newest).total_seconds()) if self.newest else None,
            **({"counts": self.counts} if self.counts else {}),
        }


def human_duration(seconds: float) -> str:
    """'45 s', '12 min', '14 h', '3 d': how old, for people (the JSON report keeps seconds)."""
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= 2 * size:
            return f"{seconds / size:.0f} {unit}"
    return f"{seconds:.0f} s"


@dataclass
class RunReport:
    """One run, as one JSON log line (read by tests, the engine and the demo) and a line for people."""

    command: str
    types: dict[str, TypeReport]
    stats: CallStats
    seconds: float
    quota: dict[str, Any] | None = None  # the quota governor's view, for scheduled fetches
    trimmed: int = 0  # events cut to fit XSIAM's size limit for one event
    at: datetime = field(default_factory=lambda: datetime.now(UTC))

    PREFIX = "Docusign run report: "

    def to_dict(self) -> dict[str, Any]:
        return {
            "command": self.command,
            "types": {name: report.to_dict(self.at) for name, report in self.types.items()},
            "events": sum(report.events for report in self.types.values()),
            "calls": self.stats.calls,
            "calls_by_endpoint": dict(self.stats.by_endpoint),
            "retries": self.stats.retries,
            "rate_limit_waits": self.stats.waits,
            "waited_s": round(self.stats.waited_seconds, 1),
            "token_renewals": self.stats.token_renewals,
            "seconds": round(self.seconds, 1),
            "quota": self.quota,
            "trimmed_events": self.trimmed,
        }

    def render(self) -> str:
        data = self.to_dict()
        parts = []
        for name, report in data["types"].items():
            text = f"{name}: {report['events']} events, {report['pages']} pages, {report['calls']} API calls"
            text += f", stop: {report['stop']}"
            if report["newest_event_age_s"] is not None:
                text += f", newest event {human_duration(report['newest_event_age_s'])} old"
            if report["error"]:
                text += f", error: {report['error']}"
            if report["warnings"]:
                text += f", warnings: {'; '.join(report['warnings'])}"
            parts.append(text)
        return (
            f"Docusign {self.command}: "
            + "; ".join(parts)
            + f"; total {data['events']} events, {data['calls']} API calls, {data['retries']} retries, "
            f"{data['rate_limit_waits']} rate-limit waits ({data['waited_s']:.1f} s), {data['seconds']:.1f} s"
            + (
                f"; quota {self.quota['used_last_hour']}/{self.quota['cap_per_hour']} calls an hour"
                if self.quota
                else ""
            )
        )

    def log(self) -> None:
        demisto.info(self.PREFIX + json.dumps(self.to_dict(), sort_keys=True))
        demisto.info(self.render())


@dataclass
class Outcome:
    """What one event type produced in a run: events to send and the state that is true once they are sent
    (None when its state could not be read)."""

    events: list[dict[str, Any]]
    state: Any
    report: TypeReport


def collect(
    event_type: EventType, client: DocuSignClient, last_run: dict[str, Any], budget: int, start: datetime
) -> Outcome:
    """Run one type's fetcher: the one place that turns how it ended into the type's outcome. A failure, however
    odd, keeps what was fetched before it and never costs the other type."""
    report = TypeReport()
    events: list[dict[str, Any]] = []
    state = None
    calls_before = client.ctx.stats.calls
    try:
        missing = client.settings.missing_for(event_type.name)
        if missing:
            raise DocusignError(missing)
        state = event_type.state(last_run, start)
        for step in event_type.fetch(client, state, budget, client.ctx):
            events.extend(step.events)
            state = step.state
            report.add(step)
    except Stopped as stop:
        report.stop = stop.reason
    except RateLimitedError as exc:
        report.stop = StopReason.RATE_LIMIT
        report.warnings.append(str(exc))
    except DocusignError as exc:
        report.stop, report.error = StopReason.ERROR, str(exc)
    except Exception as exc:  # an unforeseen reply shape: this type keeps its state, the other goes on
        demisto.debug(f"Docusign: {event_type.name} failed: {traceback.format_exc()}")
        report.stop, report.error = StopReason.ERROR, f"unexpected {type(exc).__name__}: {exc}"
    report.calls = client.ctx.stats.calls - calls_before
    return Outcome(events, state, report)


# ============================================================================ response actions
# From an alert to the DocuSign user: look the user up (Admin profile and memberships, eSignature record), close
# the user's memberships and re-activate one (the undo). Writes need the instance's "Allow response actions" and
# consent to user_write; they refuse the impersonated user and (unless forced) organization administrators, do
# nothing to a membership already in the state asked for, and are logged: who, what, DocuSign's trace token.

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
RESPONSE_LOG_PREFIX = "Docusign response action: "
USER_CONTEXT = "Docusign.User"
ACTION_CONTEXT = "Docusign.MembershipAction"


def user_reference(args: dict[str, Any]) -> tuple[str, str]:
    """The ``user_id`` (lower case) and ``email`` arguments, checked; at least one is needed."""
    user_id = str(args.get("user_id") or "").strip()
    email = str(args.get("email") or "").strip()
    if user_id and not GUID_RE.match(user_id):
        hint = " Pass an e-mail address as email=." if "@" in user_id else ""
        raise DocusignError(f"user_id must be a DocuSign user ID (a GUID); got {quoted(user_id)}.{hint}")
    if email and not EMAIL_RE.match(email):
        raise DocusignError(f"email {quoted(email)} is not an e-mail address.")
    if not user_id and not email:
        raise DocusignError("Give the DocuSign user's user_id (a GUID) or email.")
    return user_id.lower(), email


def optional_guid(args: dict[str, Any], name: str) -> str:
    value = str(args.get(name) or "").strip()
    if value and not GUID_RE.match(value):
        raise DocusignError(f"{name} must be a GUID; got {quoted(value)}.")
    return value.lower()


def memberships_of(profile: dict[str, Any]) -> list[dict[str, Any]]:
    value = profile.get("memberships")
    return [m for m in value if isinstance(m, dict)] if isinstance(value, list) else []


def email_of(profile: dict[str, Any]) -> str:
    """The Admin profile has no e-mail of its own: each membership carries the address it uses."""
    return next((str(m["email"]) for m in memberships_of(profile) if m.get("email")), "")


def status_of(membership: dict[str, Any]) -> str:
    return str(membership.get("status") or "").lower()


def described(profile: dict[str, Any]) -> str:
    """'Max Example (max@example.net, 6b67a1ee-...)': how messages and logs name a user."""
    details = ", ".join(part for part in (email_of(profile), str(profile.get("id") or "")) if part)
    return f"{profile.get('user_name') or 'DocuSign user'} ({details})"


def require_lookup(settings: Settings, command: str) -> None:
    if not settings.organization_id:
        raise DocusignError(f"{command} needs the Organization ID (DocuSign Admin > Organizations): set it.")
    if "user_read" not in settings.consent_scopes:
        raise DocusignError(
            f"{command} reads DocuSign's Admin API, which needs consent to the user_read scope; this instance does "
            "not ask for it. Select Audit Users in Event types to fetch, or enable Allow response actions, then run "
            "!docusign-generate-consent-url."
        )


def require_response_actions(settings: Settings, command: str) -> None:
    if not settings.response_actions:
        raise DocusignError(
            f"Response actions are off for this instance, so {command} changed nothing in DocuSign. To allow "
            "them, an administrator selects Allow response actions in the instance settings, then runs "
            "!docusign-generate-consent-url and accepts as the impersonated user, so that consent covers the "
            f"{WRITE_SCOPE} scope."
        )
    require_lookup(settings, command)


def find_user(client: DocuSignClient, user_id: str, email: str) -> tuple[dict[str, Any] | None, str]:
    """The one organization user with this ID (or, without one, this e-mail address), or None and why not; an
    error naming the candidates when an e-mail address is shared (the caller chooses by user_id)."""
    org = client.settings.organization_id
    if user_id:
        try:
            users = get_user_dsprofile(client, user_id)
        except ApiError as exc:
            if exc.status != 404:
                raise
            return None, f"DocuSign has no user with ID {user_id} in organization {org}: {exc}"
        users = [u for u in users if str(u.get("id", "")).lower() == user_id]
        if users and email and email.lower() != email_of(users[0]).lower():
            raise DocusignError(
                f"user_id {user_id} is {described(users[0])}, not {quoted(email)}: check which user is meant."
            )
    else:
        users = get_user_profiles(client, email)
        if not users:  # not changed in the last 10 days (see find_user_ids): found by ID instead, 2 more calls
            users = [user for found in find_user_ids(client, email) for user in get_user_dsprofile(client, found)]
    if not users:
        return None, f"DocuSign has no user {'with ID ' + user_id if user_id else quoted(email)} in organization {org}."
    if len(users) > 1:
        candidates = "; ".join(
            f"{u.get('id')} ({u.get('user_name') or '?'}, {u.get('user_status') or '?'}, "
            f"created {u.get('created_on') or '?'})"
            for u in users
        )
        raise DocusignError(
            f"{len(users)} DocuSign users have the e-mail address {quoted(email)}: {candidates}. Run the command "
            "again with user_id= the one meant."
        )
    return users[0], ""


def the_user(client: DocuSignClient, user_id: str, email: str) -> dict[str, Any]:
    """find_user for the write actions: a user not found is an error."""
    profile, why = find_user(client, user_id, email)
    if profile is None:
        raise DocusignError(why)
    return profile


# The eSignature fields an analyst needs of a user (the full record holds a hundred settings).
ESIGN_SUMMARY_FIELDS = (
    "userId", "userName", "email", "userStatus", "userType", "isAdmin", "permissionProfileId",
    "permissionProfileName", "createdDateTime", "lastLogin", "loginStatus", "jobTitle",
)  # fmt: skip


def esign_summary(client: DocuSignClient, profile: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
    """The user's eSignature record in the configured account (last login, login status), or None and why not.
    A failure here costs only this part: the Admin profile has been read."""
    account_id = client.settings.account_id
    if not account_id:
        return None, "eSignature record not read: set the Account ID to see the last login and login status."
    if not any(str(m.get("account_id", "")).lower() == account_id.lower() for m in memberships_of(profile)):
        return None, f"eSignature record not read: the user has no membership in account {account_id} (Account ID)."
    try:
        record = find_esign_user(client, account_base_uri(client), email_of(profile), str(profile["id"]).lower())
    except DocusignError as exc:
        return None, f"eSignature record not read: {exc}"
    if record is None:
        return None, f"eSignature does not list the user in account {account_id}."
    summary = {name: record[name] for name in ESIGN_SUMMARY_FIELDS if name in record}
    return {**summary, "accountId": account_id}, ""


def user_output(profile: dict[str, Any], esign: dict[str, Any] | None) -> dict[str, Any]:
    """``Docusign.User``: the Admin profile as DocuSign sends it, its e-mail address and the eSignature summary."""
    return {**profile, "email": email_of(profile), "esignature": esign}


def user_readable(user: dict[str, Any], note: str) -> str:
    esign = user.get("esignature") or {}
    summary = {
        "User ID": user.get("id"),
        "Status": user.get("user_status"),
        "Organization admin": user.get("is_organization_admin"),
        "Created": user.get("created_on"),
        "eSignature status": esign.get("userStatus"),
        "Last login": esign.get("lastLogin"),
        "Login status": esign.get("loginStatus"),
        "Permission profile": esign.get("permissionProfileName"),
    }
    rows = [
        {
            "Account": m.get("account_name"),
            "Account ID": m.get("account_id"),
            "Membership ID": m.get("id"),
            "Status": m.get("status"),
            "Account admin": m.get("is_admin"),
            "Permission profile": (m.get("permission_profile") or {}).get("name"),
            "Groups": ", ".join(str(g.get("name")) for g in m.get("groups") or [] if isinstance(g, dict)),
            "Created": m.get("created_on"),
        }
        for m in user.get("memberships") or []
    ]
    readable = tableToMarkdown(f"DocuSign user {described(user)}", summary, headers=list(summary))
    readable += tableToMarkdown("Memberships", rows, headers=list(rows[0]) if rows else None)
    return readable + (f"\n{note}\n" if note else "")


@dataclass
class MembershipChange:
    """What a response action did (or did not do) to one membership."""

    membership: dict[str, Any]
    result: str  # closed, already closed, activated, already active, failed, skipped: ...
    error: str = ""
    trace_token: str = ""

    @property
    def failed(self) -> bool:
        return self.result == "failed"

    def output(self, profile: dict[str, Any], action: str, at: datetime) -> dict[str, Any]:
        return {
            "user_id": profile.get("id"),
            "email": email_of(profile),
            "action": action,
            "account_id": self.membership.get("account_id"),
            "account_name": self.membership.get("account_name"),
            "membership_id": self.membership.get("id"),
            "previous_status": self.membership.get("status"),
            "result": self.result,
            "error": self.error,
            "trace_token": self.trace_token,
            "time": format_time(at),
        }


def choose_memberships(profile: dict[str, Any], account_id: str = "", membership_id: str = "") -> list[dict[str, Any]]:
    """The memberships an action is about: the one of ``account_id`` / ``membership_id``, else all of them."""
    every = memberships_of(profile)
    if not every:
        raise DocusignError(f"{described(profile)} has no membership in an account of the organization.")
    if not account_id and not membership_id:
        return every
    chosen = [
        m
        for m in every
        if (not account_id or str(m.get("account_id", "")).lower() == account_id)
        and (not membership_id or str(m.get("id", "")).lower() == membership_id)
    ]
    if not chosen:
        asked = " and ".join(
            f"{name} {value}" for name, value in (("account", account_id), ("membership", membership_id)) if value
        )
        listed = ", ".join(f"{m.get('account_id')} (membership {m.get('id')}, {m.get('status')})" for m in every)
        raise DocusignError(f"{described(profile)} has no membership for {asked}; its memberships: {listed}.")
    return chosen


def refuse_unsafe_close(settings: Settings, profile: dict[str, Any], force: bool) -> str:
    """Why closing this user's memberships is refused ("" when it is not)."""
    if str(profile.get("id", "")).lower() == settings.user_id.lower():
        return (
            f"Refused: {described(profile)} is the user this integration impersonates (User ID). Closing its "
            "memberships would stop collection and every response action; do it in DocuSign Admin if you must."
        )
    if profile.get("is_organization_admin") is True and not force:
        return (
            f"Refused: {described(profile)} is an administrator of the organization. Closing an administrator's "
            f"memberships can lock administrators out; run {CLOSE_COMMAND} again with force=true if that is meant."
        )
    return ""


def close_plan(chosen: list[dict[str, Any]]) -> tuple[list[MembershipChange], list[dict[str, Any]]]:
    """Memberships that need no call (already closed, or of another organization's account), and those to close."""
    settled, to_close = [], []
    for membership in chosen:
        if membership.get("is_external_account") is True:
            settled.append(MembershipChange(membership, "skipped: an account of another organization"))
        elif status_of(membership) == "closed":
            settled.append(MembershipChange(membership, "already closed"))
        else:
            to_close.append(membership)
    return settled, to_close


def closing_results(to_close: list[dict[str, Any]], reply: Reply) -> list[MembershipChange]:
    """Each membership's fate by DocuSign's reply: an account listed with ``error_details`` was not closed, the
    others were; ``success`` false with no account's error said fails them all."""
    errors: dict[str, str] = {}
    for entry in reply.body.get("accounts") or []:
        details = entry.get("error_details") if isinstance(entry, dict) else None
        if isinstance(details, dict):
            said = " ".join(str(details.get(k) or "") for k in ("error", "error_description")).strip()
            errors[str(entry.get("id", "")).lower()] = quoted(said or "no reason given", DOCUSIGN_TEXT)
    unexplained = reply.body.get("success") is False and not errors
    changes = []
    for membership in to_close:
        error = errors.get(str(membership.get("account_id", "")).lower(), "")
        if unexplained:
            error = "DocuSign answered success=false without saying why"
        result = "failed" if error else "closed"
        changes.append(MembershipChange(membership, result, with_trace_token(error, reply.trace_token) if error else "",
                                        reply.trace_token))  # fmt: skip
    return changes


def log_response_action(
    settings: Settings, action: str, profile: dict[str, Any], changes: list[MembershipChange], **extra: Any
) -> None:
    """One JSON line per write action, refused or not: who acted (the impersonated DocuSign user, the instance),
    on whom, what became of each membership, DocuSign's trace tokens. Never a token or key."""
    context = demisto.callingContext.get("context") if isinstance(demisto.callingContext, dict) else None
    record = {
        "action": action,
        "by_user_id": settings.user_id,
        "instance": (context or {}).get("IntegrationInstance", ""),
        "user_id": profile.get("id"),
        "email": email_of(profile),
        "memberships": [
            {
                "account_id": c.membership.get("account_id"),
                "membership_id": c.membership.get("id"),
                "previous_status": c.membership.get("status"),
                "result": c.result,
                "error": c.error,
                "trace_token": c.trace_token,
            }
            for c in changes
        ],
        **extra,
    }
    demisto.info(RESPONSE_LOG_PREFIX + json.dumps(record, sort_keys=True, default=str))


def changes_result(
    action: str, profile: dict[str, Any], changes: list[MembershipChange], at: datetime, title: str
) -> CommandResults:
    """The command's answer: a table of what became of each membership, ``Docusign.MembershipAction`` entries; an
    error entry (outputs kept) when one failed."""
    outputs = [c.output(profile, action, at) for c in changes]
    rows = [
        {
            "Account": o["account_name"],
            "Account ID": o["account_id"],
            "Membership ID": o["membership_id"],
            "Before": o["previous_status"],
            "Result": o["result"],
            "Error": o["error"],
        }
        for o in outputs
    ]
    readable = tableToMarkdown(f"{title} {described(profile)}", rows, headers=list(rows[0]) if rows else None)
    traces = sorted({c.trace_token for c in changes if c.trace_token})
    if traces:
        readable += f"\nX-DocuSign-TraceToken: {', '.join(traces)}\n"
    return CommandResults(
        outputs_prefix=ACTION_CONTEXT,
        outputs_key_field=["user_id", "account_id", "action"],
        outputs=outputs,
        readable_output=readable,
        entry_type=EntryType.ERROR if any(c.failed for c in changes) else EntryType.NOTE,
    )


# ============================================================================ commands


def consent_urls(settings: Settings) -> tuple[str, str]:
    """Individual and admin consent links, every value URL-encoded and scopes joined by %20."""
    base = urljoin(settings.hosts.oauth, "/oauth/auth")
    scopes = " ".join(settings.consent_scopes)
    individual = (
        base
        + "?"
        + urlencode(
            {
                "response_type": "code",
                "scope": scopes,
                "client_id": settings.integration_key,
                "redirect_uri": settings.redirect_url,
            },
            quote_via=quote,
        )
    )
    admin = (
        base
        + "?"
        + urlencode(
            {
                "response_type": "code",
                "scope": "openid",
                "admin_consent_scope": scopes,
                "client_id": settings.integration_key,
                "redirect_uri": settings.redirect_url,
            },
            quote_via=quote,
        )
    )
    return individual, admin


def generate_consent_url_command(settings: Settings) -> CommandResults:
    if not settings.redirect_url:
        raise DocusignError(
            "Redirect URL is required to build the consent link: set it to a redirect URI registered for the "
            "integration key in DocuSign Apps and Keys."
        )
    individual, admin = consent_urls(settings)
    readable = (
        "### DocuSign consent\n"
        f"[Click here to authorize]({individual})\n\n"
        "Open the link while signed in to DocuSign as the impersonated user (User ID) and accept. "
        f"Scopes requested: `{' '.join(settings.consent_scopes)}`"
        + (" (user_read and user_write for the response actions)" if settings.response_actions else "")
        + ".\n\n"
        f"Organization administrators can grant consent for all users instead: [admin consent]({admin})\n"
    )
    return CommandResults(
        readable_output=readable, raw_response={"consent_url": individual, "admin_consent_url": admin}
    )


def reset_access_token_command() -> CommandResults:
    TokenCache.clear(also=ACCOUNT_CACHE_KEYS)
    return CommandResults(
        readable_output="Access token and cached account data reset; the next command mints a new token."
    )


def check_connection(client: DocuSignClient) -> list[str]:
    """The key, a newly minted token, userinfo, then one minimal call per API each selected type reads; returns
    what was checked."""
    load_private_key(client.settings.private_key_text)  # the key's own message, even when a token is cached
    client.tokens.invalidate()  # the grant itself is what is tested, not a token cached earlier
    info = get_userinfo(client)
    missing = [client.settings.missing_for(name) for name in client.settings.event_types]
    if any(missing):
        raise DocusignError(" ".join(m for m in missing if m))
    checks = [EVENT_TYPES[name].check(client, info) for name in client.settings.event_types]
    if client.settings.response_actions:
        # Only a token: no DocuSign API call changes anything here. Kept in memory, never cached.
        client.tokens.get(WRITE_SCOPES)
        checks.append(f"consent to {WRITE_SCOPE} for the response actions")
    return ["JWT grant (a new token) and userinfo", *checks]


def test_module(client: DocuSignClient) -> str:
    check_connection(client)
    return "ok"


def auth_test_command(client: DocuSignClient) -> CommandResults:
    checked = check_connection(client)
    return CommandResults(readable_output="Authentication successful. Checked: " + ", ".join(checked) + ".")


def fetch_events_command(client: DocuSignClient, settings: Settings) -> None:
    """Fetch every selected type, send everything in one call, then save the state those events cover."""
    started = time.monotonic()
    last_run = demisto.getLastRun()
    start = settings.first_fetch_time()
    burst_limit = BURST_LIMITS.get(settings.hosts.audience, BURST_LIMITS[DEV_OAUTH_HOST])
    governor = client.ctx.governor = QuotaGovernor.load(settings.quota_share, burst_limit)
    outcomes = {
        name: collect(EVENT_TYPES[name], client, last_run, settings.budgets[name], start)
        for name in settings.event_types
    }
    governor.save(time.time())
    events = [event for outcome in outcomes.values() for event in outcome.events]
    trimmed = fit_events(events)
    send_events_to_xsiam(events, vendor=VENDOR, product=PRODUCT)
    # Only now, with the events handed over, may the state move forward; a failed type keeps its old slice.
    next_run = dict(last_run)
    for name, outcome in outcomes.items():
        if outcome.state is None or (outcome.report.error and not outcome.events):
            continue  # nothing delivered for this type: its saved state stays exactly as it was
        event_type = EVENT_TYPES[name]
        next_run.pop(event_type.legacy_key, None)  # the public pack's slice, now continued under our key
        next_run[event_type.state_key] = outcome.state.to_last_run()
    demisto.setLastRun(next_run)
    reports = {name: outcome.report for name, outcome in outcomes.items()}
    quota = governor.summary(time.time())
    RunReport("fetch-events", reports, client.ctx.stats, time.monotonic() - started, quota, trimmed).log()
    # What the operator should know beyond the counts (a Monitor fallback, a rate-limit stop), on module health.
    notices = [f"{name}: {warning}" for name, report in reports.items() for warning in report.warnings]
    if trimmed:
        notices.append(
            f"{counted(trimmed, 'event')} over XSIAM's size limit for one event trimmed to fit and delivered; "
            "their trimmed_fields name the values cut."
        )
    if governor.deferred:
        notices.insert(
            0,
            f"Deferred: this collector's share of DocuSign's hourly API quota is used ({quota['used_last_hour']} of "
            f"{quota['cap_per_hour']} calls in the last hour) or the account is nearly out of calls; nothing is "
            "lost, the next runs continue from the saved state.",
        )
    errors = [f"{name}: {report.error}" for name, report in reports.items() if report.error]
    if not errors:
        if notices:
            demisto.updateModuleHealth(" | ".join(notices))
        return
    # The command fails only when nothing was delivered: a failed command may lose the state saved with delivered
    # events on some platform versions, and the next run would send them again.
    if len(errors) == len(reports) and not events:
        causes = {report.error for report in reports.values()}
        if len(errors) > 1 and len(causes) == 1:  # one cause (credentials, consent): said once
            raise DocusignError(f"Every selected event type: {causes.pop()}")
        raise DocusignError(" | ".join(errors))
    # Part of the run succeeded and its state is saved: report the failure on the instance's health rather than
    # failing the command, so no platform version can drop that state and send the same events again.
    saved = {n for n in outcomes if next_run.get(EVENT_TYPES[n].state_key) != last_run.get(EVENT_TYPES[n].state_key)}
    fates = ", ".join(f"{n} state {'saved' if n in saved else 'kept as it was'}" for n in outcomes)
    message = f"{counted(len(events), 'event')} delivered ({fates}), but: " + " | ".join(errors + notices)
    demisto.error(message)
    demisto.updateModuleHealth(message, is_error=True)


def get_events_command(client: DocuSignClient, settings: Settings, args: dict[str, Any]) -> CommandResults:
    """Fetch like fetch-events from ``from_date`` with a throw-away state; push only when asked."""
    asked = str(args.get("event_type") or CUSTOMER_EVENTS).strip()
    name = next((known for known in EVENT_TYPES if known.lower() == asked.lower()), None)
    if name is None:
        raise DocusignError(f"event_type must be one of {list(EVENT_TYPES)}; got {quoted(asked)}.")
    event_type = EVENT_TYPES[name]
    if settings.missing_for(name):
        raise DocusignError(settings.missing_for(name))
    maximum = event_type.budget.maximum
    raw_limit = str(args.get("limit") if args.get("limit") not in (None, "") else 10).strip()
    if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= maximum:
        raise DocusignError(f"limit must be a whole number between 1 and {maximum}; got {quoted(raw_limit)}.")
    limit = int(raw_limit)
    start = parse_start(str(args.get("from_date") or "1 hour"), "from_date", "from_date")
    outcome = collect(event_type, client, {}, limit, start)
    if outcome.report.error:
        raise DocusignError(outcome.report.error)
    if argToBoolean(args.get("should_push_events") or "false"):
        fit_events(outcome.events)
        send_events_to_xsiam(outcome.events, vendor=VENDOR, product=PRODUCT)
    readable = tableToMarkdown(f"DocuSign {name}", outcome.events, headers=list(event_type.columns), removeNull=False)
    warnings = outcome.report.all_warnings()
    if warnings:
        readable += "\n" + "\n".join(f"- {w}" for w in warnings)
    return CommandResults(readable_output=readable, raw_response=outcome.events)


def user_get_command(client: DocuSignClient, settings: Settings, args: dict[str, Any]) -> CommandResults:
    """docusign-user-get: the Admin profile with every membership, and the eSignature record of the account."""
    require_lookup(settings, "docusign-user-get")
    user_id, email = user_reference(args)
    profile, why = find_user(client, user_id, email)
    if profile is None:
        return CommandResults(readable_output=f"### DocuSign user\n{why}\n", raw_response={})
    esign, note = esign_summary(client, profile)
    user = user_output(profile, esign)
    return CommandResults(
        outputs_prefix=USER_CONTEXT,
        outputs_key_field="id",
        outputs=user,
        readable_output=user_readable(user, note),
    )


def memberships_close_command(client: DocuSignClient, settings: Settings, args: dict[str, Any]) -> CommandResults:
    """docusign-user-memberships-close: close the user's membership of one account, or of all of them."""
    require_response_actions(settings, CLOSE_COMMAND)
    user_id, email = user_reference(args)
    account_id = optional_guid(args, "account_id")
    force = argToBoolean(args.get("force") or "false")
    reason = quoted(args["reason"], 200) if args.get("reason") else ""
    profile = the_user(client, user_id, email)
    refusal = refuse_unsafe_close(settings, profile, force)
    if refusal:
        log_response_action(settings, "close", profile, [], refused=refusal, reason=reason, force=force)
        raise DocusignError(refusal)
    settled, to_close = close_plan(choose_memberships(profile, account_id))
    changes = list(settled)
    if to_close:
        try:
            reply = close_user_memberships(client, str(profile["id"]).lower(), [m["account_id"] for m in to_close])
        except DocusignError as exc:
            failed = [MembershipChange(m, "failed", str(exc), getattr(exc, "trace_token", "")) for m in to_close]
            log_response_action(settings, "close", profile, settled + failed, reason=reason, force=force)
            raise
        changes += closing_results(to_close, reply)
    log_response_action(settings, "close", profile, changes, reason=reason, force=force)
    return changes_result("close", profile, changes, client.ctx.now(), "Closing the DocuSign memberships of")


def membership_activate_command(client: DocuSignClient, settings: Settings, args: dict[str, Any]) -> CommandResults:
    """docusign-user-membership-activate: re-activate a closed membership (the undo of closing it)."""
    require_response_actions(settings, ACTIVATE_COMMAND)
    user_id, email = user_reference(args)
    account_id, membership_id = optional_guid(args, "account_id"), optional_guid(args, "membership_id")
    reason = quoted(args["reason"], 200) if args.get("reason") else ""
    profile = the_user(client, user_id, email)
    chosen = choose_memberships(profile, account_id, membership_id)
    if not account_id and not membership_id:
        closed = [m for m in chosen if status_of(m) == "closed" and m.get("is_external_account") is not True]
        if len(closed) > 1:
            listed = ", ".join(f"{m.get('account_id')} (membership {m.get('id')})" for m in closed)
            raise DocusignError(
                f"{described(profile)} has {len(closed)} closed memberships ({listed}): say which to re-activate "
                "with account_id or membership_id."
            )
        chosen = closed or chosen
    changes = []
    for membership in chosen:
        status = status_of(membership)
        if membership.get("is_external_account") is True:
            changes.append(MembershipChange(membership, "skipped: an account of another organization"))
        elif status == "active":
            changes.append(MembershipChange(membership, "already active"))
        elif status not in ("closed", "disabled"):
            changes.append(MembershipChange(membership, f"skipped: {status or 'no status'}, not closed"))
        else:
            try:
                reply = activate_user_membership(
                    client, str(profile["id"]).lower(), str(membership["id"]).lower(), profile.get("site_id")
                )
            except DocusignError as exc:
                failed = MembershipChange(membership, "failed", str(exc), getattr(exc, "trace_token", ""))
                log_response_action(settings, "activate", profile, [*changes, failed], reason=reason)
                raise
            changes.append(MembershipChange(membership, "activated", trace_token=reply.trace_token))
    log_response_action(settings, "activate", profile, changes, reason=reason)
    return changes_result("activate", profile, changes, client.ctx.now(), "Re-activating a DocuSign membership of")


# ============================================================================ main


# Commands that need no DocuSign call (and so no usable key) and those that do.
OFFLINE_COMMANDS: dict[str, Callable[[Settings], Any]] = {
    "docusign-generate-consent-url": generate_consent_url_command,
    "docusign-reset-access-token": lambda settings: reset_access_token_command(),
}
API_COMMANDS: dict[str, Callable[[DocuSignClient, Settings, dict[str, Any]], Any]] = {
    "test-module": lambda client, settings, args: test_module(client),
    "docusign-auth-test": lambda client, settings, args: auth_test_command(client),
    "fetch-events": lambda client, settings, args: fetch_events_command(client, settings),
    "docusign-get-events": get_events_command,
    "docusign-user-get": user_get_command,
    CLOSE_COMMAND: memberships_close_command,
    ACTIVATE_COMMAND: membership_activate_command,
}


def main() -> None:
    command = demisto.command()
    try:
        settings = Settings.from_params(demisto.params())
        if command in OFFLINE_COMMANDS:
            return_results(OFFLINE_COMMANDS[command](settings))
        elif command in API_COMMANDS:
            # The Test button should answer quickly: one retry of a transient failure, not four.
            policy = RetryPolicy(transient=1, rate_limit=1) if command == "test-module" else None
            result = API_COMMANDS[command](DocuSignClient(settings, policy=policy), settings, demisto.args())
            if result is not None:
                return_results(result)
        else:
            raise NotImplementedError(f"Command {command} is not implemented.")
    except Exception as exc:
        message = str(exc) if isinstance(exc, DocusignError) else f"{type(exc).__name__}: {exc}"
        return_error(f"Failed to execute {command} command.\nError:\n{message}")


if __name__ in ("__main__", "__builtin__", "builtins"):
    main()
