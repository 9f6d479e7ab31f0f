"""DocuSign event collector for Cortex XSIAM.

Collects customer events (Monitor API) and audit users (Admin + eSignature APIs)
into the ``docusign_docusign_raw`` dataset. One file by platform rule; sections:
constants, errors, settings, keys and JWT, token source, HTTP policy and client,
endpoints, event shaping, state, fetchers, commands, main.
"""

import ipaddress
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
DEDUP_MEMORY = 2000  # boundary ids remembered per type; bounded so last run stays small

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
        if (
            cached.get("access_token")
            and expires_at
            and wanted <= set(cached.get("token_scopes") or [])
            and as_utc(date_parser.isoparse(expires_at)) - now > timedelta(seconds=TOKEN_RENEW_MARGIN)
        ):
            return str(cached["access_token"])
        return self._mint(sorted(wanted, key=_scope_order), now)

    def _mint(self, scopes: list[str], now: datetime) -> str:
        reply = self._post_token(build_assertion(self.settings, scopes, now))
        token = reply.get("access_token")
        if not token or not isinstance(token, str):
            raise DocusignError("DocuSign's token reply had no access_token.")
        lifetime = arg_to_number(reply.get("expires_in")) or JWT_LIFETIME
        context = get_integration_context()
        context.update(
            access_token=token,
            token_expires_at=(now + timedelta(seconds=lifetime)).isoformat(),
            token_scopes=scopes,
        )
        set_integration_context(context)
        return token

    @staticmethod
    def invalidate() -> None:
        context = get_integration_context()
        for name in ("access_token", "token_expires_at", "token_scopes"):
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

    @staticmethod
    def rate_limit_wait(headers: Any, now_epoch: float) -> float | None:
        """Seconds DocuSign asks us to wait, from ``Retry-After`` or ``X-RateLimit-Reset``; None if unsaid."""
        retry_after = headers.get("Retry-After")
        if retry_after:
            try:
                return max(0.0, float(retry_after))
            except ValueError:
                try:
                    return max(0.0, parsedate_to_datetime(retry_after).timestamp() - now_epoch)
                except (TypeError, ValueError):
                    pass
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
        super().__init__(settings.hosts.oauth, verify=settings.verify, proxy=settings.proxy, timeout=(10, 60))
        self.settings = settings
        self.policy = policy or RetryPolicy()
        self.sleep = sleep or time.sleep
        self.deadline = deadline or Deadline(settings.time_budget)
        self.stats = CallStats()
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
            token = self.tokens.get(self.settings.scopes)
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
            return body

    def _send(self, method: str, url: str, endpoint: str, **kwargs: Any) -> requests.Response:
        """One logical request: transient failures retried, rate limits waited out when the budget allows."""
        transient = rate_waits = 0
        while True:
            self.stats.calls += 1
            self.stats.by_endpoint[endpoint] = self.stats.by_endpoint.get(endpoint, 0) + 1
            try:
                res = self._http_request(method, full_url=url, resp_type="response", ok_codes=ALL_STATUSES, **kwargs)
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
                wait = self.policy.rate_limit_wait(res.headers, time.time())
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
                self._pause(wait, endpoint, "rate limit")
                continue
            if res.status_code >= 500 and transient < self.policy.transient_retries:
                transient += 1
                self._pause(self.policy.backoff(transient), endpoint, f"HTTP {res.status_code}")
                continue
            return res

    def _pause(self, seconds: float, endpoint: str, reason: str) -> None:
        if seconds > self.deadline.remaining():
            raise DocusignError(f"Out of time for this run while retrying {endpoint} ({reason}).")
        if reason == "rate limit":
            self.stats.waits += 1
            self.stats.waited_seconds += seconds
        else:
            self.stats.retries += 1
        demisto.debug(f"Docusign: {reason} on {endpoint}; waiting {seconds:.1f} s")
        self.sleep(seconds)


ALL_STATUSES = tuple(range(100, 600))


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
    token = trace_token_of(res)
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


FRACTION_RE = re.compile(r"(\.\d+)")


def parse_time(text: Any) -> datetime | None:
    """Parse DocuSign's date forms (ISO with 0-7 fractional digits, Z or ±hh:mm, or US-style); None if unparsable."""
    if not isinstance(text, str) or not text.strip():
        return None
    value = text.strip()
    # Python handles at most 6 fractional digits; DocuSign sends 7 (100 ns ticks).
    value = FRACTION_RE.sub(lambda m: m.group(1)[:7], value, count=1)
    try:
        parsed = date_parser.isoparse(value)
    except (ValueError, OverflowError):
        try:
            parsed = date_parser.parse(value)
        except (ValueError, OverflowError):
            return None
    return as_utc(parsed)


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
    removed = [
        k
        for k in ("access_token", "token_expires_at", "token_scopes", "base_uri", "base_uri_account_id")
        if k in context
    ]
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


# ============================================================================ main


def main() -> None:  # pragma: no cover - dispatch only, exercised through the engine tests
    command = demisto.command()
    try:
        settings = Settings.from_params(demisto.params())
        if command == "docusign-generate-consent-url":
            return_results(generate_consent_url_command(settings))
            return
        if command == "docusign-reset-access-token":
            return_results(reset_access_token_command())
            return
        load_private_key(settings.private_key_text)  # fail fast with the key's own message
        client = DocuSignClient(settings)
        if command == "test-module":
            return_results(test_module(client))
        elif command == "docusign-auth-test":
            return_results(auth_test_command(client))
        else:
            raise NotImplementedError(f"Command {command} is not implemented.")
    except Exception as exc:
        message = str(exc) if isinstance(exc, DocusignError) else f"{type(exc).__name__}: {exc}"
        return_error(f"Failed to execute {command} command.\nError:\n{message}")


if __name__ in ("__main__", "__builtin__", "builtins"):
    main()
