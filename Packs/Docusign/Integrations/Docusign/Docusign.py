"""DocuSign event collector for Cortex XSIAM.

Collects customer events (Monitor API) and audit users (Admin + eSignature APIs)
into the ``docusign_docusign_raw`` dataset. One file by platform rule; sections:
constants, errors, settings, keys and JWT, token source, HTTP policy and client,
endpoints, event shaping, state, fetchers, commands, main.
"""

import hashlib
import ipaddress
import math
import random
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import demistomock as demisto
import jwt
from CommonServerPython import *
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from dateutil import parser as date_parser

# ============================================================================ constants

VENDOR = "docusign"
PRODUCT = "docusign"
CUSTOMER_EVENTS = "Customer events"
AUDIT_USERS = "Audit Users"
EVENT_TYPES = (CUSTOMER_EVENTS, AUDIT_USERS)
SOURCE_LOG_TYPE = {CUSTOMER_EVENTS: "customerevent", AUDIT_USERS: "auditusers"}

DEV_OAUTH_HOST = "account-d.docusign.com"
PROD_OAUTH_HOST = "account.docusign.com"

JWT_LIFETIME = 3600
TOKEN_RENEW_MARGIN = 15 * 60  # DocuSign advises renewing ~15 minutes before expiry.
MONITOR_PAGE_MAX = 2000
MAX_CUSTOMER_EVENTS = 20_000
ADMIN_PAGE_MAX = 250
ESIGN_PAGE_MAX = 100
MAX_USER_EVENTS = 10_000
DEFAULT_TIME_BUDGET = 180.0
DEFAULT_PAGE_INTERVAL = 5.0
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 60.0
DEDUP_MEMORY = 2000  # boundary ids remembered per type; bounded so last run stays small
# The Admin query reaches back this far before the watermark: covers clock skew between DocuSign's services.
ADMIN_LOOKBACK = timedelta(minutes=10)

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


# ============================================================================ settings


@dataclass(frozen=True)
class Hosts:
    """Base URLs of the four DocuSign services for one environment (or one gateway)."""

    oauth: str
    monitor: str
    admin: str
    audience: str  # the JWT ``aud``: OAuth host[:port], no scheme

    @classmethod
    def for_server_url(cls, url: str) -> "Hosts":
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
        if parts.scheme not in ("http", "https") or not host:
            raise DocusignError(
                f"Server URL {url!r} is not a URL. Use https://account.docusign.com (production) or "
                "https://account-d.docusign.com (developer)."
            )
        if parts.scheme == "http" and not _is_loopback(host):
            raise DocusignError(
                f"Server URL {url!r} uses http://, which would send the private-key assertion and tokens in "
                "clear text. Use https:// (http:// is accepted only for a local emulator on a loopback host)."
            )
        netloc = parts.netloc.rsplit("@", 1)[-1].lower()
        if host == DEV_OAUTH_HOST:
            return cls(
                "https://account-d.docusign.com",
                "https://lens-d.docusign.net",
                "https://api-d.docusign.net/management",
                DEV_OAUTH_HOST,
            )
        if host == PROD_OAUTH_HOST:
            return cls(
                "https://account.docusign.com",
                "https://lens.docusign.net",
                "https://api.docusign.net/management",
                PROD_OAUTH_HOST,
            )
        # Any other host is a gateway serving all four APIs under its own base (emulator, corporate gateway).
        base = f"{parts.scheme}://{netloc}{parts.path.rstrip('/')}"
        return cls(base, base, f"{base}/management", netloc)


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
    if not GUID_RE.match(value):
        raise DocusignError(
            f"{label} must be a GUID like 0a1b2c3d-1111-2222-3333-444455556666; got a value of {len(value)} "
            "characters. Copy it from DocuSign Apps and Keys (or Admin > Organization for the Organization ID)."
        )
    return value


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


def _seconds(params: dict[str, Any], name: str, label: str, default: float, maximum: float) -> float:
    raw = params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise DocusignError(f"{label} must be a number of seconds.") from None
    if not 0 <= value <= maximum:
        raise DocusignError(f"{label} must be between 0 and {maximum:g} seconds; got {value:g}.")
    return value


@dataclass(frozen=True)
class Settings:
    """Instance parameters, validated once."""

    hosts: Hosts
    integration_key: str
    user_id: str
    redirect_url: str
    private_key_text: str = field(repr=False)
    account_id: str
    organization_id: str
    event_types: tuple[str, ...]
    max_customer_events: int
    max_user_events: int
    first_fetch: str
    verify: bool
    proxy: bool
    page_interval: float
    time_budget: float

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> "Settings":
        hosts = Hosts.for_server_url(str(params.get("url") or "https://account.docusign.com"))
        credentials = params.get("credentials") or {}
        key_text = credentials.get("password", "") if isinstance(credentials, dict) else str(credentials)
        raw_types = argToList(params.get("event_types") or [CUSTOMER_EVENTS])
        unknown = [t for t in raw_types if t not in EVENT_TYPES]
        if unknown:
            raise DocusignError(f"Unknown event type(s) {unknown}; choose from {list(EVENT_TYPES)}.")
        event_types = tuple(t for t in EVENT_TYPES if t in raw_types)
        wants_users = AUDIT_USERS in event_types
        settings = cls(
            hosts=hosts,
            integration_key=_guid(params, "integration_key", "Integration Key", required=True),
            user_id=_guid(params, "user_id", "User ID", required=True),
            redirect_url=str(params.get("redirect_url") or "").strip(),
            private_key_text=key_text or "",
            account_id=_guid(params, "account_id", "Account ID (needed for Audit Users)", required=wants_users),
            organization_id=_guid(
                params, "organization_id", "Organization ID (needed for Audit Users)", required=wants_users
            ),
            event_types=event_types,
            max_customer_events=_bounded_int(
                params,
                "max_customer_events_per_fetch",
                "Maximum number of customer events per fetch",
                MONITOR_PAGE_MAX,
                MAX_CUSTOMER_EVENTS,
            ),
            max_user_events=_bounded_int(
                params,
                "max_user_events_per_fetch",
                "Maximum number of user data events per fetch",
                1250,
                MAX_USER_EVENTS,
            ),
            first_fetch=str(params.get("first_fetch") or "1 day").strip(),
            verify=not argToBoolean(params.get("insecure") or False),
            proxy=argToBoolean(params.get("proxy") or False),
            page_interval=_seconds(params, "page_interval", "Page interval", DEFAULT_PAGE_INTERVAL, 60),
            time_budget=_seconds(params, "fetch_time_budget", "Fetch time budget", DEFAULT_TIME_BUDGET, 1800),
        )
        if not settings.private_key_text.strip():
            raise DocusignError("Private Key is required: paste the RSA private key generated in DocuSign.")
        settings.first_fetch_time()  # validate early
        return settings

    @property
    def scopes(self) -> tuple[str, ...]:
        """The OAuth scopes the selected event types need."""
        scopes = ["signature", "impersonation"]
        if AUDIT_USERS in self.event_types:
            scopes += ["organization_read", "user_read"]
        return tuple(scopes)

    def first_fetch_time(self) -> datetime:
        try:
            parsed = arg_to_datetime(self.first_fetch, arg_name="first_fetch")
        except ValueError:
            parsed = None
        if parsed is None:
            raise DocusignError(
                f"First fetch time {self.first_fetch!r} is not understood; use e.g. '3 days' or '2024-01-31T00:00:00Z'."
            )
        return as_utc(parsed)


# ============================================================================ keys and JWT

PEM_BLOCK = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \1-----", re.S)


def load_private_key(text: str) -> rsa.RSAPrivateKey:
    """Parse an RSA private key as pasted into the instance (PKCS#1 or PKCS#8, any line breaks)."""
    text = (text or "").strip()
    if "ENCRYPTED" in text:
        raise DocusignError(
            "The private key is encrypted with a passphrase. Paste the unencrypted RSA private key that DocuSign "
            "generated (it starts with -----BEGIN RSA PRIVATE KEY-----)."
        )
    match = PEM_BLOCK.search(text)
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
    return jwt.encode(claims, load_private_key(settings.private_key_text), algorithm="RS256")


# ============================================================================ token source

OAUTH_ERRORS = {
    "consent_required": (
        "DocuSign says consent is required for scopes {scopes}. Run !docusign-generate-consent-url and open the "
        "link while signed in to DocuSign as the impersonated user (User ID), or have an administrator grant "
        "admin consent for the application."
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


TOKEN_CACHE_KEYS = ("access_token", "token_expires_at", "token_lifetime", "token_scopes")


class TokenSource:
    """Access tokens from the JWT grant, cached in the integration context with their expiry and scopes."""

    def __init__(self, settings: Settings, post_token: Callable[[str], dict[str, Any]]) -> None:
        self.settings = settings
        self._post_token = post_token

    def get(self, scopes: Iterable[str], now: datetime | None = None) -> str:
        """A token covering ``scopes`` with more than 15 minutes left, minting one when needed."""
        now = now or datetime.now(UTC)
        wanted = set(scopes)
        cached = get_integration_context()
        expires_at = cached.get("token_expires_at")
        # Short-lived tokens (under an hour) are renewed a quarter of their life early instead of 15 minutes.
        margin = min(TOKEN_RENEW_MARGIN, (arg_to_number(cached.get("token_lifetime")) or JWT_LIFETIME) / 4)
        if (
            cached.get("access_token")
            and expires_at
            and wanted <= set(cached.get("token_scopes") or [])
            and as_utc(date_parser.isoparse(expires_at)) - now > timedelta(seconds=margin)
        ):
            add_sensitive_log_strs(str(cached["access_token"]))
            return str(cached["access_token"])
        return self._mint(sorted(wanted, key=_scope_order), now)

    def _mint(self, scopes: list[str], now: datetime) -> str:
        """A token for everything the instance needs; for just ``scopes`` when consent covers no more, so a
        missing Admin consent does not stop customer events."""
        everything = sorted(set(scopes) | set(self.settings.scopes), key=_scope_order)
        try:
            reply = self._request_token(everything, now)
        except ApiError as exc:
            if exc.code != "consent_required" or everything == scopes:
                raise
            everything = scopes
            reply = self._request_token(scopes, now)
        token = reply.get("access_token")
        if not token or not isinstance(token, str):
            raise DocusignError("DocuSign's token reply had no access_token.")
        add_sensitive_log_strs(token)
        try:
            lifetime = max(60, min(int(float(reply.get("expires_in") or JWT_LIFETIME)), 86400))
        except (TypeError, ValueError, OverflowError):
            lifetime = JWT_LIFETIME
        scopes = everything
        context = get_integration_context()
        context.update(
            access_token=token,
            token_expires_at=(now + timedelta(seconds=lifetime)).isoformat(),
            token_lifetime=lifetime,
            token_scopes=scopes,
        )
        set_integration_context(context)
        return token

    def _request_token(self, scopes: list[str], now: datetime) -> dict[str, Any]:
        assertion = build_assertion(self.settings, scopes, now)
        add_sensitive_log_strs(assertion)  # the platform's debug log masks it should a request dump include it
        return self._post_token(assertion)

    @staticmethod
    def invalidate() -> None:
        context = get_integration_context()
        for name in TOKEN_CACHE_KEYS:
            context.pop(name, None)
        set_integration_context(context)


def _scope_order(scope: str) -> int:
    order = ("signature", "impersonation", "organization_read", "user_read")
    return order.index(scope) if scope in order else len(order)


def oauth_error_message(body: dict[str, Any], scopes: Iterable[str]) -> str:
    code = str(body.get("error") or "")
    description = str(body.get("error_description") or "")
    key = description if description in OAUTH_ERRORS else code
    template = OAUTH_ERRORS.get(key)
    if template is None:
        return f"DocuSign refused the token request: {code or 'unknown error'} {description}".strip()
    return template.format(scopes=" ".join(scopes), description=description or code)


# ============================================================================ HTTP policy and client


@dataclass(frozen=True)
class RetryPolicy:
    """How the client retries: bounded exponential backoff with jitter, and rate-limit waits.

    Like urllib3's ``Retry``: one small object, no I/O of its own.
    """

    transient_retries: int = 4  # 5xx, timeouts, dropped connections
    rate_limit_waits: int = 3  # waits on 429 / *_APIINVOCATION_LIMIT_EXCEEDED per call
    backoff_base: float = 1.0
    backoff_max: float = 30.0
    jitter: float = 0.5

    def backoff(self, attempt: int, rand: Callable[[], float] = random.random) -> float:
        """Seconds to wait before retry number ``attempt`` (1-based)."""
        delay = min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1))
        return delay * (1 - self.jitter + self.jitter * rand())

    burst_window: float = 30.0  # DocuSign's burst limit counts calls per 30 seconds

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


@dataclass
class CallStats:
    """What the client did during one command; reported in the run's summary line."""

    calls: int = 0
    retries: int = 0
    waits: int = 0
    waited_seconds: float = 0.0
    token_renewals: int = 0
    by_endpoint: dict[str, int] = field(default_factory=dict)


class Deadline:
    """The run's time budget on a monotonic clock."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.ends_at = clock() + seconds

    def remaining(self) -> float:
        return self.ends_at - self._clock()


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
}


class DocuSignClient(BaseClient):
    """The one place for base URLs, the auth header, 401-renew-once, retries, rate limits and trace tokens."""

    def __init__(
        self,
        settings: Settings,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] | None = None,
        deadline: Deadline | None = None,
    ) -> None:
        # The platform's constructor takes one number (float(timeout)); REQUESTS_TIMEOUT may override it. It
        # becomes the read timeout of every call, with a short connect timeout so a dead host fails fast.
        super().__init__(settings.hosts.oauth, verify=settings.verify, proxy=settings.proxy, timeout=READ_TIMEOUT)
        self.settings = settings
        self.policy = policy or RetryPolicy()
        self.sleep = sleep or time.sleep
        self.deadline = deadline or Deadline(settings.time_budget)
        self.stats = CallStats()
        self.last_trace_token = ""  # of the last JSON reply, for errors found in its content
        self.tokens = TokenSource(settings, self._post_token)

    # -- OAuth (no bearer token)

    def _post_token(self, assertion: str) -> dict[str, Any]:
        url = urljoin(self.settings.hosts.oauth, "/oauth/token")
        form = {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion}
        res = self._send("POST", url, "oauth.token", data=form, headers={"Accept": "application/json"})
        body = _json_or_none(res)
        if res.status_code == 200 and isinstance(body, dict):
            return body
        if isinstance(body, dict) and body.get("error"):
            raise ApiError(
                with_trace(oauth_error_message(body, self.settings.scopes), res),
                res.status_code,
                str(body.get("error")),
                trace_token_of(res),
            )
        raise api_error(res, "oauth", "requesting an access token")

    # -- APIs (bearer token)

    def get_json(self, url: str, endpoint: str, api: str, params: dict[str, Any] | None = None) -> Any:
        """GET a DocuSign API and return its JSON; raises ApiError with an actionable message."""
        renewed = False
        while True:
            token = self.tokens.get(API_SCOPES.get(api, self.settings.scopes))
            res = self._send(
                "GET",
                url,
                endpoint,
                params=params,
                headers={
                    "Authorization": f"Bearer {token}",
                    "Accept": "application/json",
                },
            )
            if res.status_code == 401 and not renewed:
                # Tokens can be revoked or expire early: mint a new one once, then give up.
                renewed = True
                self.stats.token_renewals += 1
                self.tokens.invalidate()
                continue
            if res.status_code != 200:
                raise api_error(res, api, f"calling {endpoint}")
            body = _json_or_none(res)
            if body is None:
                raise ApiError(
                    with_trace(f"DocuSign returned a reply that is not JSON when calling {endpoint}.", res),
                    res.status_code,
                    "MALFORMED_REPLY",
                    trace_token_of(res),
                )
            self.last_trace_token = trace_token_of(res)
            return body

    def _send(self, method: str, url: str, endpoint: str, **kwargs: Any) -> requests.Response:
        """One logical request: transient failures retried, rate limits waited out when the budget allows."""
        transient = rate_waits = 0
        while True:
            self.stats.calls += 1
            self.stats.by_endpoint[endpoint] = self.stats.by_endpoint.get(endpoint, 0) + 1
            try:
                res = self._http_request(
                    method,
                    full_url=url,
                    resp_type="response",
                    ok_codes=ALL_STATUSES,
                    timeout=(CONNECT_TIMEOUT, self.timeout),
                    **kwargs,
                )
            except (DemistoException, requests.exceptions.RequestException) as exc:
                transient += 1
                if transient > self.policy.transient_retries:
                    raise DocusignError(
                        f"DocuSign could not be reached when calling {endpoint} after {transient} attempts: "
                        f"{_transport_reason(exc)}"
                    ) from None
                self._pause(self.policy.backoff(transient), endpoint, "transport error")
                continue
            if is_rate_limited(res):
                rate_waits += 1
                wait = self.policy.rate_limit_wait(res.headers, time.time(), error_code_of(res))
                if wait is None:
                    wait = self.policy.backoff(rate_waits)
                if rate_waits > self.policy.rate_limit_waits or wait > self.deadline.remaining():
                    raise RateLimitedError(
                        with_trace(
                            f"DocuSign's API rate limit was reached when calling {endpoint} "
                            f"({error_code_of(res) or res.status_code}); the limit resets in {wait:.0f} s, "
                            "so this run stops here and the next run continues from the saved state.",
                            res,
                        ),
                        res.status_code,
                        error_code_of(res),
                        trace_token_of(res),
                    )
                self._pause(wait, endpoint, "rate limit", res)
                continue
            if res.status_code >= 500 and transient < self.policy.transient_retries:
                transient += 1
                self._pause(self.policy.backoff(transient), endpoint, f"HTTP {res.status_code}", res)
                continue
            return res

    def _pause(self, seconds: float, endpoint: str, reason: str, res: requests.Response | None = None) -> None:
        if seconds > self.deadline.remaining():
            message = f"Out of time for this run while retrying {endpoint} ({reason})."
            raise DocusignError(with_trace(message, res) if res is not None else message)
        if reason == "rate limit":
            self.stats.waits += 1
            self.stats.waited_seconds += seconds
        else:
            self.stats.retries += 1
        demisto.debug(f"Docusign: {reason} on {endpoint}; waiting {seconds:.1f} s")
        self.sleep(seconds)


ALL_STATUSES = tuple(range(100, 600))
# What each API needs; a token minted for more is reused (see TokenSource._mint).
API_SCOPES = {"monitor": ("signature", "impersonation"), "oauth": ("signature", "impersonation")}


def _json_or_none(res: requests.Response) -> Any:
    try:
        return res.json()
    except ValueError:
        return None


def _transport_reason(exc: BaseException) -> str:
    if isinstance(exc, DemistoException) and exc.exception is not None:
        exc = exc.exception
    return type(exc).__name__


def trace_token_of(res: requests.Response) -> str:
    return res.headers.get("X-DocuSign-TraceToken", "")


def with_trace(message: str, res: requests.Response) -> str:
    return with_trace_token(message, trace_token_of(res))


def with_trace_token(message: str, token: str) -> str:
    return f"{message} (X-DocuSign-TraceToken: {token})" if token else message


def error_code_of(res: requests.Response) -> str:
    body = _json_or_none(res)
    return str(body.get("errorCode") or "") if isinstance(body, dict) else ""


def is_rate_limited(res: requests.Response) -> bool:
    if res.status_code in (429, 444):
        return True
    return res.status_code == 400 and error_code_of(res) in RATE_LIMIT_CODES


def api_error(res: requests.Response, api: str, doing: str) -> ApiError:
    """Turn a failed reply into an actionable ApiError (never echoing request headers)."""
    code = error_code_of(res)
    body = _json_or_none(res)
    detail = ""
    if isinstance(body, dict):
        detail = str(body.get("message") or body.get("error_description") or body.get("error") or "")
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


def get_userinfo(client: DocuSignClient) -> dict[str, Any]:
    return client.get_json(urljoin(client.settings.hosts.oauth, "/oauth/userinfo"), "oauth.userinfo", "oauth")


def get_monitor_stream(client: DocuSignClient, cursor: str, limit: int) -> dict[str, Any]:
    url = urljoin(client.settings.hosts.monitor, "/api/v2.0/datasets/monitor/stream")
    return client.get_json(url, "monitor.stream", "monitor", params={"cursor": cursor, "limit": limit})


def get_admin_users(
    client: DocuSignClient, params: dict[str, Any] | None = None, next_url: str | None = None
) -> dict[str, Any]:
    settings = client.settings
    url = next_url or urljoin(settings.hosts.admin, f"/v2/organizations/{settings.organization_id}/users")
    return client.get_json(url, "admin.users", "admin", params=None if next_url else params)


def get_esign_users(client: DocuSignClient, base_uri: str, start_position: int, count: int) -> dict[str, Any]:
    url = urljoin(base_uri, f"/restapi/v2.1/accounts/{client.settings.account_id}/users")
    params = {"additional_info": "true", "count": count, "start_position": start_position}
    return client.get_json(url, "esign.users", "esign", params=params)


def get_esign_user(client: DocuSignClient, base_uri: str, user_id: str) -> dict[str, Any]:
    url = urljoin(base_uri, f"/restapi/v2.1/accounts/{client.settings.account_id}/users/{user_id}")
    return client.get_json(url, "esign.user", "esign", params={"additional_info": "true"})


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


# ============================================================================ event shaping


def as_utc(value: datetime) -> datetime:
    """Aware UTC; naive values are taken as UTC (DocuSign's zone-less dates are UTC)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def format_time(value: datetime) -> str:
    """XSIAM ``_time``: UTC with millisecond precision."""
    return as_utc(value).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


US_DATE_FORMS = ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %I:%M %p")


def parse_time(text: Any) -> datetime | None:
    """Parse DocuSign's date forms (ISO with 0-7 fractional digits, Z, ±hh:mm or no zone, US-style); else None."""
    if not isinstance(text, str) or not text.strip():
        return None
    value = text.strip()
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


def shape_customer_event(raw: Any, fetched_at: datetime) -> tuple[dict[str, Any], bool]:
    """The event as DocuSign sent it plus ``source_log_type`` and ``_time``; second value: timestamp was usable."""
    event = dict(raw) if isinstance(raw, dict) else {"raw_event": raw}
    when = parse_time(event.get("timestamp"))
    event["source_log_type"] = SOURCE_LOG_TYPE[CUSTOMER_EVENTS]
    event["_time"] = format_time(when or fetched_at)
    return event, when is not None


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
    event["source_log_type"] = SOURCE_LOG_TYPE[AUDIT_USERS]
    event["_time"] = format_time(changed_at or user_change_time(esign, admin) or fetched_at)
    return event


# ============================================================================ state


CUSTOMER_STATE_KEY = "customer_events"
USERS_STATE_KEY = "audit_users"


def read_state(last_run: dict[str, Any], key: str) -> dict[str, Any]:
    """This type's slice of last run, continuing a state written by the public pack when that is all there is."""
    if isinstance(last_run.get(key), dict):
        return dict(last_run[key])
    legacy_name = CUSTOMER_EVENTS if key == CUSTOMER_STATE_KEY else AUDIT_USERS
    legacy = last_run.get(legacy_name)
    if not isinstance(legacy, dict):
        return {}
    if key == CUSTOMER_STATE_KEY and legacy.get("cursor"):
        return {"cursor": str(legacy["cursor"])}
    if key == USERS_STATE_KEY and legacy.get("latest_modifiedDate"):
        since = parse_time(str(legacy["latest_modifiedDate"]))
        if since is None:
            return {}
        # The public pack's watermark was inclusive: users changed at exactly that time were already sent. Users it
        # had listed but not yet sent (its pending pages) may be older than that: then reach back a day, accepting
        # a few repeats rather than a loss.
        pending = legacy.get("continuing_fetch_info") or legacy.get("excess_users_info")
        after = since - timedelta(days=1) if pending else since + timedelta(milliseconds=1)
        return {"watermark": format_time(min(since, after)), "not_before": format_time(after)}
    return {}


# ============================================================================ fetchers


@dataclass
class Batch:
    """What one fetcher produced: events to send, the state that is true once they are sent, and counts."""

    events: list[dict[str, Any]]
    state: dict[str, Any]
    pages: int = 0
    calls: int = 0
    stop: str = ""
    warnings: list[str] = field(default_factory=list)
    error: str = ""

    def summary(self, name: str) -> str:
        text = f"{name}: {len(self.events)} events, {self.pages} pages, {self.calls} API calls, stop: {self.stop}"
        if self.events:
            newest = max(parse_time(e.get("_time")) or datetime.now(UTC) for e in self.events)
            text += f", newest event {int((datetime.now(UTC) - newest).total_seconds())} s old"
        if self.warnings:
            text += f", warnings: {'; '.join(self.warnings)}"
        return text


def fetch_customer_events(
    client: DocuSignClient, state: dict[str, Any], max_events: int, start: datetime, page_interval: float = 0.0
) -> Batch:
    """Drain the Monitor stream from the saved cursor (or ``start``) until caught up, out of budget or of time."""
    cursor = str(state.get("cursor") or format_time(start))
    recent_ids = [str(i) for i in state.get("recent_ids") or []]
    seen = set(recent_ids)
    batch = Batch(events=[], state={"cursor": cursor, "recent_ids": recent_ids})
    calls_before = client.stats.calls
    undated = repeats = 0
    while True:
        room = max_events - len(batch.events)
        if room <= 0:
            batch.stop = "event budget"
            break
        if client.deadline.remaining() <= 0 or (batch.pages and page_interval > client.deadline.remaining()):
            batch.stop = "time budget"
            break
        if batch.pages and page_interval:
            client.sleep(page_interval)
        try:
            requested = min(MONITOR_PAGE_MAX, room)
            page = get_monitor_stream(client, cursor, requested)
        except RateLimitedError as exc:
            batch.stop = "rate limit"
            batch.warnings.append(str(exc))
            break
        except DocusignError as exc:
            batch.stop = "error"
            batch.error = str(exc)
            break
        data = page.get("data") if isinstance(page, dict) else None
        end_cursor = page.get("endCursor") if isinstance(page, dict) else None
        if not isinstance(data, list) or not isinstance(end_cursor, str) or not end_cursor:
            batch.stop = "error"
            batch.error = with_trace_token(
                "DocuSign Monitor returned a page without endCursor or data; the cursor was kept.",
                client.last_trace_token,
            )
            break
        batch.pages += 1
        fetched_at = datetime.now(UTC)
        for raw in data:
            event_id = str(raw.get("eventId") or "") if isinstance(raw, dict) else ""
            if event_id and event_id in seen:
                repeats += 1
                continue
            event, dated = shape_customer_event(raw, fetched_at)
            undated += not dated
            if event_id:
                seen.add(event_id)
                recent_ids.append(event_id)
            batch.events.append(event)
        caught_up = not data or end_cursor == cursor
        # A budget of one page means one request per run (DocuSign asks for no more than one poll a minute): a
        # short page ends it, and the next run continues from this cursor. Larger budgets are for catching up
        # and keep paging, since DocuSign may return short pages mid-stream.
        one_request = max_events <= MONITOR_PAGE_MAX and len(data) < requested
        cursor = end_cursor
        if caught_up or one_request:
            batch.stop = "caught up"
            break
    batch.state = {"cursor": cursor, "recent_ids": recent_ids[-DEDUP_MEMORY:]}
    batch.calls = client.stats.calls - calls_before
    if undated:
        batch.warnings.append(f"{undated} events without a usable timestamp got the fetch time as _time")
    if repeats:
        batch.warnings.append(f"{repeats} repeated events dropped")
    return batch


def fetch_audit_users(client: DocuSignClient, state: dict[str, Any], max_events: int, start: datetime) -> Batch:
    """Users changed since the watermark, each change once, enriched with eSignature records in as few calls as
    possible (bulk pages of 100 or one GET per user, whichever is cheaper)."""
    watermark = parse_time(state.get("watermark")) or start
    # Changes before the first fetch time (or already delivered by the public pack) are not wanted.
    not_before = parse_time(state.get("not_before")) or start
    delivered = [str(p) for p in state.get("delivered") or []]
    day_granularity = state.get("admin_since") == "day"
    # Saved as is when the run stops before delivering (rate limit): keep not_before, or a relative first fetch
    # time would move on and changes between the two start times would be skipped.
    batch = Batch(
        events=[],
        state=dict(state, watermark=format_time(watermark), not_before=format_time(not_before), delivered=delivered),
    )
    calls_before = client.stats.calls
    try:
        changed = list_changed_users(client, watermark - ADMIN_LOOKBACK, day_granularity)
        batch.pages = len(changed.pages)
        enriched, total = enrich_users(
            client,
            list(changed.users.values()),
            state.get("account_users_total"),
            {k.partition("|")[0] for k in delivered},
        )
    except RateLimitedError as exc:
        batch.stop, batch.calls = "rate limit", client.stats.calls - calls_before
        batch.warnings.append(str(exc))
        return batch
    except DocusignError as exc:
        batch.stop, batch.error, batch.calls = "error", str(exc), client.stats.calls - calls_before
        return batch
    fetched_at = datetime.now(UTC)
    seen = {k.rpartition("@")[0] if "|#" in k else k for k in delivered}  # content keys without their time
    candidates = []
    day_start = changed.floor.replace(hour=0, minute=0, second=0, microsecond=0)
    unread = 0
    for user_id, admin in changed.users.items():
        if user_id.lower() not in enriched:
            unread += 1  # out of time before its eSignature record was read: the next run reads it
            continue
        esign = enriched[user_id.lower()]
        change = classify_change(user_id, esign, admin, seen, not_before, changed.floor, day_start, fetched_at)
        if change is not None:
            candidates.append(change)
    candidates.sort(key=lambda c: (c.when, c.user_id))
    for change in candidates[:max_events]:
        batch.events.append(shape_user(change.esign, change.admin, fetched_at, changed_at=change.when))
        delivered.extend(change.keys(fetched_at))
        # DocuSign's own dates only, never ahead of now (a future-dated record must not hide changes), and not
        # while users listed in this run are still unread.
        if change.dated and not unread:
            watermark = max(watermark, min(change.when, fetched_at))
    batch.stop = "event budget" if len(candidates) > max_events else "caught up"
    if unread:
        batch.stop = "time budget"
        batch.warnings.append(f"{unread} changed users not read within the time budget; the next run reads them")
    batch.state = {
        "watermark": format_time(watermark),
        "not_before": format_time(not_before),
        # Only what a later Admin query can list again needs remembering: changes since the start of the query's
        # day (the filter may have day granularity even when given a time), and the records delivered since then.
        "delivered": [k for k in delivered if (key_time(k) or fetched_at) >= day_start][-2 * MAX_USER_EVENTS :],
        "account_users_total": total,
    }
    if changed.day_granularity:
        batch.state["admin_since"] = "day"
    batch.calls = client.stats.calls - calls_before
    return batch


@dataclass
class UserChange:
    """One change of one user to deliver, and how it is recognised later."""

    when: datetime
    user_id: str
    esign: dict[str, Any] | None
    admin: dict[str, Any]
    dated: bool  # ``when`` is a DocuSign date (not the fetch time)
    time_key: str | None  # "<user>|<eSignature modifiedDate>"
    content_key: str  # "<user>|#<fingerprint of the Admin record>"

    def keys(self, delivered_at: datetime) -> list[str]:
        keys = [self.time_key] if self.time_key else []
        return [*keys, f"{self.content_key}@{format_time(delivered_at)}"]


def classify_change(
    user_id: str,
    esign: dict[str, Any] | None,
    admin: dict[str, Any],
    seen: set[str],
    not_before: datetime,
    floor: datetime,
    day_start: datetime,
    fetched_at: datetime,
) -> UserChange | None:
    """What changed for a user the Admin API listed, or None when nothing new.

    eSignature's ``modifiedDate`` dates most changes. The Admin record's content catches the ones it does not
    show (a membership closed, disabled, regrouped): a record never delivered before is a change, unless the
    listing is explained by an eSignature change already known or older than the first fetch time.
    """
    uid = user_id.lower()
    modified = esign_modified(esign)
    fingerprint = hashlib.sha256(json.dumps(admin, sort_keys=True, default=str).encode()).hexdigest()[:16]
    content_key = f"{uid}|#{fingerprint}"
    time_key = f"{uid}|{format_time(modified)}" if modified else None
    if modified is not None and modified >= not_before and time_key not in seen:
        return UserChange(modified, user_id, esign, admin, True, time_key, content_key)
    if content_key in seen:
        return None
    if modified is not None and modified < not_before and modified >= day_start:
        return None  # a day-granular listing of a change from before the first fetch time
    admin_time = user_change_time(None, admin)
    dated = admin_time is not None and admin_time >= floor
    when = admin_time if dated and admin_time else fetched_at
    return UserChange(when, user_id, esign, admin, dated, time_key, content_key)


def key_time(key: str) -> datetime | None:
    """The time a delivered-change key is kept by: its change time, or when its record was delivered."""
    tail = key.partition("|")[2]
    return parse_time(tail.rpartition("@")[2] if tail.startswith("#") else tail)


def esign_modified(esign: dict[str, Any] | None) -> datetime | None:
    settings = (esign or {}).get("userSettings")
    return parse_time(settings.get("modifiedDate")) if isinstance(settings, dict) else None


@dataclass
class ChangedUsers:
    users: dict[str, dict[str, Any]]  # Admin records by user id, in the order the API listed them
    pages: list[int]
    floor: datetime  # the earliest change the query could list
    day_granularity: bool
    followed: set[str] = field(default_factory=set)


def list_changed_users(client: DocuSignClient, since: datetime, day_granularity: bool = False) -> ChangedUsers:
    """Every user the Admin API lists as modified since ``since``.

    DocuSign's samples send a date; a date-time is tried first because it keeps each run to the users changed
    since the last one. If the API refuses it (400), the date is sent instead, and remembered in state.
    """
    since = as_utc(since)
    floor = since.replace(hour=0, minute=0, second=0, microsecond=0) if day_granularity else since
    params = {
        "account_id": client.settings.account_id,
        "last_modified_since": floor.strftime("%Y-%m-%d") if day_granularity else format_time(since),
        "take": ADMIN_PAGE_MAX,
        "start": 0,
    }
    try:
        page = get_admin_users(client, params=params)
    except ApiError as exc:
        if day_granularity or isinstance(exc, RateLimitedError) or exc.status != 400:
            raise
        return list_changed_users(client, since, day_granularity=True)
    result = ChangedUsers(users={}, pages=[], floor=floor, day_granularity=day_granularity)
    while True:
        users = page.get("users") if isinstance(page, dict) else None
        if not isinstance(users, list):
            raise ApiError(
                with_trace_token(
                    "DocuSign Admin API returned a users page without a users list; state was kept.",
                    client.last_trace_token,
                )
            )
        result.pages.append(len(users))
        for user in users:
            if isinstance(user, dict) and user.get("id"):
                result.users.setdefault(str(user["id"]), user)
        paging = page.get("paging")
        next_url = str(paging.get("next") or "") if isinstance(paging, dict) else ""
        if not next_url or not users:
            return result
        if urlsplit(next_url)[:2] != urlsplit(client.settings.hosts.admin)[:2]:
            # The bearer token goes only where the Admin API lives.
            raise ApiError(
                f"DocuSign Admin API paging pointed to another host ({urlsplit(next_url).netloc}); not followed."
            )
        if next_url in result.followed or client.deadline.remaining() <= 0:
            raise DocusignError(
                "DocuSign Admin API paging did not finish within this run (repeated page or time budget)."
            )
        result.followed.add(next_url)
        page = get_admin_users(client, next_url=next_url)


def enrich_users(
    client: DocuSignClient, admin_users: list[dict[str, Any]], known_total: Any, delivered_before: Iterable[str] = ()
) -> tuple[dict[str, dict[str, Any] | None], int | None]:
    """eSignature records for the given users, by lower-case user id (None: eSignature does not know the user;
    absent: not read before the run's time budget ran out); also the account's user count.

    Bulk pages cost ceil(total/100) calls, per-user GETs one call each: take the cheaper. When the account
    size is unknown (first run), one bulk page reveals it. Users never delivered are read one by one first, so
    that a run cut short by its time budget still makes progress.
    """
    wanted = {str(u["id"]).lower() for u in admin_users}
    found: dict[str, dict[str, Any] | None] = {}
    if not wanted:
        return found, arg_to_number(known_total) if known_total not in (None, "") else None
    base_uri = account_base_uri(client)
    total = arg_to_number(known_total) if known_total not in (None, "") else None
    position = 0
    if total is None and len(wanted) > 1:
        page = get_esign_users(client, base_uri, 0, ESIGN_PAGE_MAX)
        position = collect_esign_page(page, wanted, found, client.last_trace_token)
        total = arg_to_number(page.get("totalSetSize")) or position
    missing = wanted - found.keys()
    bulk_pages_left = math.ceil(max(0, (total or 0) - position) / ESIGN_PAGE_MAX)
    if missing and total is not None and bulk_pages_left < len(missing):
        while missing and position < total and client.deadline.remaining() > 0:
            page = get_esign_users(client, base_uri, position, ESIGN_PAGE_MAX)
            advanced = collect_esign_page(page, wanted, found, client.last_trace_token)
            if not advanced:
                break
            position += advanced
            total = arg_to_number(page.get("totalSetSize")) or total  # keep the account size current
            missing = wanted - found.keys()
    # Users the listing did not show (closed, or changed while paging) are read one by one.
    known = set(delivered_before)
    for user_id in sorted(wanted - found.keys(), key=lambda u: (u in known, u)):
        if client.deadline.remaining() <= 0:
            break
        try:
            found[user_id] = get_esign_user(client, base_uri, user_id)
        except ApiError as exc:
            if isinstance(exc, RateLimitedError) or exc.status not in (400, 404):
                raise
            found[user_id] = None
    return found, total


def collect_esign_page(
    page: Any, wanted: set[str], found: dict[str, dict[str, Any] | None], trace_token: str = ""
) -> int:
    users = page.get("users") if isinstance(page, dict) else None
    if not isinstance(users, list):
        raise ApiError(
            with_trace_token(
                "DocuSign eSignature API returned a users page without a users list; state was kept.", trace_token
            )
        )
    for user in users:
        user_id = str(user.get("userId") or "").lower() if isinstance(user, dict) else ""
        if user_id in wanted:
            found[user_id] = user
    return len(users)


# ============================================================================ commands


def consent_urls(settings: Settings) -> tuple[str, str]:
    """Individual and admin consent links, every value URL-encoded and scopes joined by %20."""
    base = urljoin(settings.hosts.oauth, "/oauth/auth")
    scopes = " ".join(settings.scopes)
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
        f"Scopes requested: `{' '.join(settings.scopes)}`.\n\n"
        f"Organization administrators can grant consent for all users instead: [admin consent]({admin})\n"
    )
    return CommandResults(
        readable_output=readable, raw_response={"consent_url": individual, "admin_consent_url": admin}
    )


def reset_access_token_command() -> CommandResults:
    context = get_integration_context()
    removed = [k for k in (*TOKEN_CACHE_KEYS, "base_uri", "base_uri_account_id") if k in context]
    for key in removed:
        context.pop(key)
    set_integration_context(context)
    return CommandResults(
        readable_output="Access token and cached account data reset; the next command mints a new token."
    )


def check_connection(client: DocuSignClient) -> list[str]:
    """Token, userinfo, then one minimal call per selected API; returns what was checked."""
    settings = client.settings
    checked = []
    info = get_userinfo(client)
    checked.append("JWT grant and userinfo")
    if AUDIT_USERS in settings.event_types:
        accounts = {str(a.get("account_id", "")).lower() for a in info.get("accounts") or []}
        if settings.account_id.lower() not in accounts:
            raise DocusignError(
                f"The impersonated user has no access to Account ID {settings.account_id}; check the Account ID "
                "(Settings > Apps and Keys > API Account ID)."
            )
    if CUSTOMER_EVENTS in settings.event_types:
        get_monitor_stream(client, format_time(datetime.now(UTC)), 1)
        checked.append("Monitor API")
    if AUDIT_USERS in settings.event_types:
        get_admin_users(client, params={"account_id": settings.account_id, "take": 1})
        checked.append("Admin API")
    return checked


def test_module(client: DocuSignClient) -> str:
    check_connection(client)
    return "ok"


def auth_test_command(client: DocuSignClient) -> CommandResults:
    checked = check_connection(client)
    return CommandResults(readable_output="Authentication successful. Checked: " + ", ".join(checked) + ".")


def run_fetchers(
    client: DocuSignClient,
    settings: Settings,
    last_run: dict[str, Any],
    budgets: dict[str, int],
    start: datetime,
    page_interval: float,
) -> dict[str, Batch]:
    """Run each selected fetcher; one failing, however oddly, never discards what the other fetched."""
    fetchers: dict[str, Callable[[], Batch]] = {
        CUSTOMER_EVENTS: lambda: fetch_customer_events(
            client, read_state(last_run, CUSTOMER_STATE_KEY), budgets[CUSTOMER_EVENTS], start, page_interval
        ),
        AUDIT_USERS: lambda: fetch_audit_users(
            client, read_state(last_run, USERS_STATE_KEY), budgets[AUDIT_USERS], start
        ),
    }
    batches: dict[str, Batch] = {}
    for name, fetcher in fetchers.items():
        if name not in budgets:
            continue
        try:
            batches[name] = fetcher()
        except Exception as exc:  # an unforeseen reply shape: this type keeps its state, the other goes on
            demisto.debug(f"Docusign: {name} failed: {traceback.format_exc()}")
            detail = str(exc) if isinstance(exc, DocusignError) else f"unexpected {type(exc).__name__}: {exc}"
            batches[name] = Batch(events=[], state={}, stop="error", error=detail)
    return batches


def fetch_events_command(client: DocuSignClient, settings: Settings) -> None:
    """Fetch every selected type, send everything in one call, then save the state those events cover."""
    started = time.monotonic()
    last_run = demisto.getLastRun()
    budgets = {CUSTOMER_EVENTS: settings.max_customer_events, AUDIT_USERS: settings.max_user_events}
    selected = {t: budgets[t] for t in settings.event_types}
    batches = run_fetchers(client, settings, last_run, selected, settings.first_fetch_time(), settings.page_interval)
    events = [event for batch in batches.values() for event in batch.events]
    send_events_to_xsiam(events, vendor=VENDOR, product=PRODUCT)
    # Only now, with the events handed over, may the state move forward; a failed type keeps its old slice.
    next_run = dict(last_run)
    for name, key in ((CUSTOMER_EVENTS, CUSTOMER_STATE_KEY), (AUDIT_USERS, USERS_STATE_KEY)):
        batch = batches.get(name)
        if batch is None or (batch.error and not batch.events):
            continue  # nothing delivered for this type: its saved state stays exactly as it was
        next_run.pop(name, None)  # the public pack's slice, now continued under our key
        next_run[key] = batch.state
    demisto.setLastRun(next_run)
    stats = client.stats
    demisto.info(
        "Docusign fetch-events: "
        + "; ".join(batch.summary(name) for name, batch in batches.items())
        + f"; total {len(events)} events, {stats.calls} API calls, {stats.retries} retries, "
        f"{stats.waits} rate-limit waits ({stats.waited_seconds:.1f} s), {time.monotonic() - started:.1f} s"
    )
    errors = [f"{name}: {batch.error}" for name, batch in batches.items() if batch.error]
    if not errors:
        return
    if len(errors) == len(batches):
        raise DocusignError(" | ".join(errors))
    # Part of the run succeeded and its state is saved: report the failure on the instance's health rather than
    # failing the command, so no platform version can drop that state and send the same events again.
    message = f"{len(events)} events were delivered and the state they cover was saved, but: " + " | ".join(errors)
    demisto.error(message)
    demisto.updateModuleHealth(message, is_error=True)


CUSTOMER_TABLE = ("_time", "action", "object", "userId", "ipAddress", "result")
USERS_TABLE = ("_time", "userName", "email", "userStatus", "permissionProfileName", "isAdmin")


def get_events_command(client: DocuSignClient, settings: Settings, args: dict[str, Any]) -> CommandResults:
    """Fetch like fetch-events from ``from_date`` with a throw-away state; push only when asked."""
    event_type = args.get("event_type") or CUSTOMER_EVENTS
    if event_type not in EVENT_TYPES:
        raise DocusignError(f"event_type must be one of {list(EVENT_TYPES)}.")
    if event_type == AUDIT_USERS and not (settings.account_id and settings.organization_id):
        raise DocusignError("Audit Users need the Account ID and Organization ID parameters.")
    maximum = MAX_CUSTOMER_EVENTS if event_type == CUSTOMER_EVENTS else MAX_USER_EVENTS
    limit = arg_to_number(args.get("limit"), arg_name="limit") or 10
    if not 1 <= limit <= maximum:
        raise DocusignError(f"limit must be between 1 and {maximum}.")
    start = as_utc(arg_to_datetime(args.get("from_date") or "1 hour", arg_name="from_date") or datetime.now(UTC))
    batch = run_fetchers(client, settings, {}, {event_type: limit}, start, settings.page_interval)[event_type]
    if batch.error:
        raise DocusignError(batch.error)
    if argToBoolean(args.get("should_push_events") or "false"):
        send_events_to_xsiam(batch.events, vendor=VENDOR, product=PRODUCT)
    columns = CUSTOMER_TABLE if event_type == CUSTOMER_EVENTS else USERS_TABLE
    readable = tableToMarkdown(f"DocuSign {event_type}", batch.events, headers=list(columns), removeNull=False)
    if batch.warnings:
        readable += "\n" + "\n".join(f"- {w}" for w in batch.warnings)
    return CommandResults(readable_output=readable, raw_response=batch.events)


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
}


def main() -> None:
    command = demisto.command()
    try:
        settings = Settings.from_params(demisto.params())
        if command in OFFLINE_COMMANDS:
            return_results(OFFLINE_COMMANDS[command](settings))
        elif command in API_COMMANDS:
            load_private_key(settings.private_key_text)  # fail fast with the key's own message
            result = API_COMMANDS[command](DocuSignClient(settings), settings, demisto.args())
            if result is not None:
                return_results(result)
        else:
            raise NotImplementedError(f"Command {command} is not implemented.")
    except Exception as exc:
        message = str(exc) if isinstance(exc, DocusignError) else f"{type(exc).__name__}: {exc}"
        return_error(f"Failed to execute {command} command.\nError:\n{message}")


if __name__ in ("__main__", "__builtin__", "builtins"):
    main()
