"""Stand-in for the platform module ``CommonServerPython`` (CSP).

Written from the behaviour of demisto/content's ``CommonServerPython.py`` (checked at commit
00428964), not copied from it. Only the names the pack uses exist, each behaving as the real one
does where a collector could notice: ``BaseClient`` takes one number as timeout, ``_http_request``
mounts retries on https only and does not catch ``ReadTimeout``, ``return_error`` logs through
``LOG`` (masking registered secrets) and exits, ``tableToMarkdown`` escapes cells the same way.
Where it differs on purpose, a comment says why; ``Tests/test_platform_conformance.py`` pins the
facts the integration relies on and checks them here and, with ``XSIAM_PLATFORM_DIR``, on the real
module. ``send_events_to_xsiam`` has no server to POST to: ``devkit.platform_modules`` replaces it,
here as in the real module, with a recorder.
"""

from __future__ import annotations

import base64
import json
import os
import re
import sys
import time
import traceback
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List, Optional  # noqa: UP035  (re-exported, as the real module does)
from urllib.parse import quote_plus, urlencode

import dateparser
import demistomock as demisto
import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

# What ``from CommonServerPython import *`` gives: a subset of the real module's names (which has no
# __all__ and so exports everything public), so the integration can use no name the platform lacks.
__all__ = [
    "LOG",
    "MASK",
    "MAX_ERROR_MESSAGE_LENGTH",
    "XSIAM_EVENT_CHUNK_SIZE",
    "Any",
    "BaseClient",
    "CommandResults",
    "DemistoException",
    "Dict",
    "EntryType",
    "IntegrationLogger",
    "List",
    "Optional",
    "add_sensitive_log_strs",
    "argToBoolean",
    "argToList",
    "arg_to_datetime",
    "arg_to_number",
    "dateparser",
    "datetime",
    "demisto",
    "entryTypes",
    "formats",
    "get_integration_context",
    "is_demisto_version_ge",
    "json",
    "os",
    "re",
    "requests",
    "return_error",
    "return_results",
    "send_events_to_xsiam",
    "set_integration_context",
    "stringEscapeMD",
    "sys",
    "tableToMarkdown",
    "time",
    "timedelta",
    "timezone",
    "traceback",
    "urljoin",
]

XSIAM_EVENT_CHUNK_SIZE = 2**20
MAX_ERROR_MESSAGE_LENGTH = 50000
MASK = "<XX_REPLACED>"
MARKDOWN_CHARS = r"\`*_{}[]()#+-!|"
entryTypes = {"note": 1, "error": 4, "warning": 11}
formats = {"html": "html", "table": "table", "json": "json", "text": "text", "markdown": "markdown"}
SENSITIVE_PARAM_NAMES = ("key", "private", "password", "secret", "token", "credentials", "service_account")


class EntryType:
    NOTE = 1
    ERROR = 4
    WARNING = 11


class DemistoException(Exception):
    """The platform's error type; ``res`` is the HTTP response when there was one."""

    def __init__(
        self,
        message: str,
        exception: BaseException | None = None,
        res: requests.Response | None = None,
        error_type: str | None = None,
        *args: Any,
    ) -> None:
        self.res = res
        self.message = message
        self.exception = exception
        self.error_type = error_type
        super().__init__(message, exception, error_type, *args)

    def __str__(self) -> str:
        return str(self.message)


# ---------------------------------------------------------------------------- LOG


class IntegrationLogger:
    """``LOG``: buffers messages with every registered secret masked; ``print_log`` writes them to the
    server log as one ``demisto.info``. At creation it registers the values of secret-looking params
    (names containing key, private, password, secret, token...; type-9 credentials recursively)."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.replace_strs: list[str] = []
        self._register_params(demisto.params() or {})

    def _register_params(self, params: dict[str, Any]) -> None:
        for name, value in params.items():
            if isinstance(value, dict):
                self._register_params(value)
                if value.get("identifier") and value.get("password"):
                    basic = f"{value['identifier']}:{value['password']}"
                    self.add_replace_strs(base64.b64encode(basic.encode()).decode())
            elif isinstance(value, str) and any(p in name.lower() for p in SENSITIVE_PARAM_NAMES):
                self.add_replace_strs(value, base64.b64encode(value.encode()).decode())

    def encode(self, message: Any) -> str:
        text = str(message)
        for secret in self.replace_strs:
            text = text.replace(secret, MASK)
        return text

    def __call__(self, message: Any) -> str:
        text = self.encode(message)
        self.messages.append(text)
        return text

    def add_replace_strs(self, *values: str) -> None:
        """Each value is masked as written, JSON-escaped and URL-encoded (the real one adds a few more forms)."""
        for value in values:
            if value:
                text = self.encode(value)
                self.replace_strs.extend([text, json.dumps(text)[1:-1], quote_plus(text)])

    def print_log(self, verbose: bool = False) -> None:
        if self.messages:
            text = "Full Integration Log:\n" + "\n".join(self.messages)
            if verbose:
                demisto.log(text)
            demisto.info(text)
            self.messages = []


LOG = IntegrationLogger()


def add_sensitive_log_strs(sensitive_str: str) -> None:
    """Mask ``sensitive_str`` in ``LOG`` (and, in debug mode, the request log). ``demisto.debug`` is not masked."""
    LOG.add_replace_strs(sensitive_str)


# ---------------------------------------------------------------------------- helpers


def urljoin(url: str, suffix: str = "") -> str:
    """Join with exactly one slash between the parts."""
    if not url.endswith("/"):
        url += "/"
    if suffix.startswith("/"):
        suffix = suffix[1:]
    return url + suffix


def arg_to_number(arg: Any, arg_name: str | None = None, required: bool = False) -> int | None:
    """A digit or float string to int, an int (bool included, as on the platform) as is; a float raises."""
    if arg is None or arg == "":
        if required:
            raise ValueError(f'Missing "{arg_name}"' if arg_name else "Missing required argument")
        return None
    if isinstance(arg, str):
        if arg.isdigit():
            return int(arg)
        try:
            return int(float(arg))
        except Exception:
            raise ValueError(_invalid("number", arg, arg_name)) from None
    if isinstance(arg, int):
        return arg
    raise ValueError(_invalid("number", arg, arg_name))


def _invalid(kind: str, arg: Any, arg_name: str | None) -> str:
    return f'Invalid {kind}: "{arg_name}"="{arg}"' if arg_name else f'"{arg}" is not a valid {kind}'


def argToBoolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        lowered = value.lower()
        if lowered in ("true", "yes"):
            return True
        if lowered in ("false", "no"):
            return False
        raise ValueError("Argument does not contain a valid boolean-like value")
    raise ValueError("Argument is neither a string nor a boolean")


def argToList(arg: Any, separator: str = ",", transform: Any = None) -> list[Any]:
    if not arg:
        return []
    result: list[Any]
    if isinstance(arg, list):
        result = arg
    elif isinstance(arg, str):
        comma_separated = True
        if arg[0] == "[" and arg[-1] == "]":
            try:
                result = json.loads(arg)
                comma_separated = False
            except Exception:
                demisto.debug(f"Failed to load {arg} as JSON, trying to split")
        if comma_separated:
            result = [item.strip() for item in arg.split(separator)]
    else:
        result = [arg]
    return [transform(item) for item in result] if transform else result


def arg_to_datetime(
    arg: Any,
    arg_name: str | None = None,
    is_utc: bool = True,
    required: bool = False,
    settings: dict[str, Any] | None = None,
) -> datetime | None:
    """Epoch numbers (ms above 2e9) to aware UTC, other text through dateparser ('' is not a valid date)."""
    if arg is None:
        if required:
            raise ValueError(f'Missing "{arg_name}"' if arg_name else "Missing required argument")
        return None
    if (isinstance(arg, str) and arg.isdigit()) or isinstance(arg, int | float):
        number = float(arg)
        if number > 2000000000.0:
            number /= 1000.0
        return datetime.fromtimestamp(number, tz=timezone.utc) if is_utc else datetime.fromtimestamp(number)  # noqa: UP017
    if isinstance(arg, str):
        parsed = dateparser.parse(arg, settings=settings or {"TIMEZONE": "UTC"})
        if parsed is None:
            raise ValueError(_invalid("date", arg, arg_name))
        return parsed
    raise ValueError(_invalid("date", arg, arg_name))


def stringEscapeMD(st: str, minimal_escaping: bool = False, escape_multiline: bool = False) -> str:
    """Escape what would break a markdown table (minimal: ``|`` and backticks)."""
    if escape_multiline:
        st = st.replace("\r\n", "<br>").replace("\r", "<br>").replace("\n", "<br>")
    if minimal_escaping:
        for char in ("|", "`"):
            st = st.replace(char, "\\" + char)
    else:
        st = "".join("\\" + c if c in MARKDOWN_CHARS else c for c in st)
    return st


def _flat_cell(value: Any) -> str:
    """A cell as the platform flattens it: lists one item a line, dicts ``key: value`` lines."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return "\n".join(
            f"{k}: {_flat_cell(v) if isinstance(v, str | list) else _json_cell(v)}" for k, v in value.items()
        )
    if isinstance(value, list):
        return ",\n".join(str(item) for item in value)
    return _json_cell(value)


def _json_cell(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def tableToMarkdown(
    name: str,
    t: Any,
    headers: Any = None,
    headerTransform: Any = None,
    removeNull: bool = False,
    metadata: Any = None,
    url_keys: Any = None,
    date_fields: Any = None,
    json_transform_mapping: Any = None,
    is_auto_json_transform: bool = False,
    sort_headers: bool = True,
) -> str:
    """``### name``, then ``|h1|h2|``, ``|---|---|`` and ``| v1 | v2 |`` rows; ``**No entries.**`` when empty.

    Only what the pack uses: ``url_keys``, ``date_fields`` and JSON transforms are not implemented.
    """
    out = f"### {name}\n" if name else ""
    if metadata:
        out += f"{metadata}\n"
    if not t:
        return out + "**No entries.**\n"
    if not headers and isinstance(t, dict) and len(t) == 1:
        headers = list(t)
        t = next(iter(t.values()))
    rows = t if isinstance(t, list) else [t]
    if isinstance(headers, str):
        headers = [headers]
    if not isinstance(rows[0], dict):
        if not headers:
            raise Exception("Missing headers param for tableToMarkdown. Example: headers=['Some Header']")
        rows = [{headers[0]: item} for item in rows]
    if not headers:
        headers = list(rows[0])
        if sort_headers:
            headers.sort()
    if removeNull:
        headers = [h for h in headers if not all(row.get(h) in ("", None, [], {}) for row in rows)]
    if not headers:
        return out + "**No entries.**\n"
    titles = [headerTransform(h) if headerTransform else stringEscapeMD(h, True, True) for h in headers]
    out += "|" + "|".join(titles) + "|\n"
    out += "|" + "|".join("---" for _ in headers) + "|\n"
    for row in rows:
        cells = [stringEscapeMD(_flat_cell(row.get(h)) if row.get(h) is not None else "", True, True) for h in headers]
        out += "| " + " | ".join(cells) + " |\n"
    return out


# ---------------------------------------------------------------------------- context


def is_demisto_version_ge(version: str, build_number: str = "") -> bool:
    """Whether the server is at least ``version`` (build numbers are not compared here)."""
    server = demisto.demistoVersion().get("version", "0")

    def padded(text: str) -> tuple[str, ...]:
        return tuple(part.zfill(8) for part in text.split("."))

    return padded(server) >= padded(version)


def _versioned_context() -> bool:
    return is_demisto_version_ge("6.0.0")


def get_integration_context(sync: bool = True, with_version: bool = False) -> dict[str, Any]:
    """The versioned context's ``context`` on servers from 6.0 (XSIAM), the plain one before."""
    if _versioned_context():
        versioned = demisto.getIntegrationContextVersioned(sync)
        return versioned if with_version else versioned.get("context", {})
    return demisto.getIntegrationContext()


def set_integration_context(context: dict[str, Any], sync: bool = True, version: int = -1) -> Any:
    demisto.debug("Setting integration context")
    if _versioned_context():
        demisto.debug(f"Updating integration context with version {version}. Sync: {sync}")
        return demisto.setIntegrationContextVersioned(context, version, sync)
    return demisto.setIntegrationContext(context)


# ---------------------------------------------------------------------------- results


class CommandResults:
    def __init__(
        self,
        outputs_prefix: str | None = None,
        outputs_key_field: str | list[str] | None = None,
        outputs: Any = None,
        indicators: Any = None,
        readable_output: str | None = None,
        raw_response: Any = None,
        indicators_timeline: Any = None,
        indicator: Any = None,
        ignore_auto_extract: bool = False,
        mark_as_note: bool = False,
        tags: Any = None,
        scheduled_command: Any = None,
        relationships: Any = None,
        entry_type: int | None = None,
        content_format: str | None = None,
        execution_metrics: Any = None,
        replace_existing: bool = False,
    ) -> None:
        if outputs is not None and not isinstance(outputs, dict) and not outputs_prefix:
            raise ValueError("outputs_prefix is missing")
        self.outputs_prefix = outputs_prefix
        self.outputs_key_field = outputs_key_field
        self.outputs = outputs
        self.readable_output = readable_output
        self.raw_response = outputs if raw_response is None else raw_response
        self.entry_type = EntryType.NOTE if entry_type is None else entry_type
        self.content_format = content_format
        self.ignore_auto_extract = ignore_auto_extract
        self.mark_as_note = mark_as_note
        self.tags = tags

    def to_context(self) -> dict[str, Any]:
        raw = self.raw_response
        contents_format = self.content_format or ("text" if isinstance(raw, str | int) else "json")
        human = self.readable_output
        if human is None and self.outputs is not None:
            human = tableToMarkdown("Results", self.outputs)
        entry_context: dict[str, Any] = {}
        if self.outputs is not None:
            if self.outputs_prefix:
                key = self.outputs_prefix
                if self.outputs_key_field:
                    fields = (
                        [self.outputs_key_field] if isinstance(self.outputs_key_field, str) else self.outputs_key_field
                    )
                    key += "(" + " && ".join(f"val.{k} && val.{k} == obj.{k}" for k in fields) + ")"
                entry_context = {key: self.outputs}
            else:
                entry_context = dict(self.outputs)
        return {
            "Type": self.entry_type,
            "ContentsFormat": contents_format,
            "Contents": raw,
            "HumanReadable": human,
            "EntryContext": entry_context,
            "IndicatorTimeline": [],
            "IgnoreAutoExtract": self.ignore_auto_extract,
            "Note": self.mark_as_note,
            "Relationships": [],
        }


def return_results(results: Any) -> None:
    if results is None:
        demisto.results(None)
        return
    if isinstance(results, list):
        batch: list[Any] = []
        for item in results:
            if isinstance(item, dict | str):
                batch.append(item)
            else:
                return_results(item)
        if batch:
            demisto.results(batch)
        return
    if isinstance(results, CommandResults):
        demisto.results(results.to_context())
        return
    if hasattr(results, "to_entry"):
        demisto.results(results.to_entry())
        return
    demisto.results(results)


def return_error(message: str, error: Any = "", outputs: Any = None) -> None:
    """Log through ``LOG`` (secrets masked), then emit an error entry and exit(0); commands the server
    handles (fetch-incidents and the like, not fetch-events) raise instead. A message over 50,000
    characters keeps its beginning and its end."""
    server_handled = demisto.command() in (
        "fetch-incidents",
        "fetch-credentials",
        "long-running-execution",
        "fetch-indicators",
    )
    message = LOG(message)
    if error:
        LOG(str(error))
    if any(sys.exc_info()):
        LOG("\n" + traceback.format_exc())
    LOG.print_log()
    if server_handled:
        raise Exception(message)
    if len(message) > MAX_ERROR_MESSAGE_LENGTH:
        half = MAX_ERROR_MESSAGE_LENGTH // 2
        message = message[:half] + "...This error body was truncated..." + message[-half:]
    demisto.results({"Type": entryTypes["error"], "ContentsFormat": formats["text"], "Contents": message,
                     "EntryContext": outputs})  # fmt: skip
    sys.exit(0)


# ---------------------------------------------------------------------------- events


def send_events_to_xsiam(
    events: Any,
    vendor: str,
    product: str,
    data_format: str | None = None,
    url_key: str = "url",
    num_of_attempts: int = 3,
    chunk_size: int = XSIAM_EVENT_CHUNK_SIZE,
    should_update_health_module: bool = True,
    add_proxy_to_request: bool = False,
) -> None:
    """Deliver events to the ``<vendor>_<product>_raw`` dataset: the real one gzips and POSTs them to
    XSIAM. There is no XSIAM here; ``devkit.platform_modules.activate`` puts a recorder in its place."""
    raise DemistoException(
        "The CommonServerPython stand-in cannot send events; load it through devkit.platform_modules.activate()."
    )


# ---------------------------------------------------------------------------- HTTP


class BaseClient:
    """The platform's requests-based HTTP client."""

    REQUESTS_TIMEOUT = 60

    def __init__(
        self,
        base_url: str,
        verify: bool = True,
        proxy: bool = False,
        ok_codes: tuple[int, ...] = (),
        headers: dict[str, str] | None = None,
        auth: Any = None,
        timeout: float = REQUESTS_TIMEOUT,
    ) -> None:
        self._base_url = base_url
        self._verify = verify
        self._ok_codes = ok_codes
        self._headers = headers
        self._auth = auth
        self._session = requests.Session()
        # The real client also mounts an adapter with looser ciphers when verify is off: not needed here.
        proxy_vars = ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy")
        if not proxy:
            for name in proxy_vars:
                os.environ.pop(name, None)
        if not verify:
            for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
                os.environ.pop(name, None)
        brand = demisto.callingContext.get("context", {}).get("IntegrationBrand", "")
        entity_timeout = os.getenv(f"REQUESTS_TIMEOUT.{brand}", "")
        system_timeout = os.getenv("REQUESTS_TIMEOUT", "")
        # One number: a (connect, read) tuple raises TypeError, as on the platform.
        self.timeout = float(entity_timeout or system_timeout or timeout)

    def _implement_retry(
        self,
        retries: int = 0,
        status_list_to_retry: Any = None,
        backoff_factor: float = 5,
        raise_on_redirect: bool = False,
        raise_on_status: bool = False,
    ) -> None:
        retry = Retry(
            total=retries,
            read=retries,
            connect=retries,
            status=retries,
            backoff_factor=backoff_factor,
            status_forcelist=status_list_to_retry,
            raise_on_status=raise_on_status,
            raise_on_redirect=raise_on_redirect,
            allowed_methods=frozenset(["GET", "POST", "PUT", "PATCH", "DELETE"]),
        )
        # As on the platform: only https gets the retrying adapter.
        self._session.mount("https://", HTTPAdapter(max_retries=retry))

    def _http_request(
        self,
        method: str,
        url_suffix: str = "",
        full_url: str | None = None,
        headers: dict[str, str] | None = None,
        auth: Any = None,
        json_data: Any = None,
        params: Any = None,
        data: Any = None,
        files: Any = None,
        timeout: float | tuple[float, float] | None = None,
        resp_type: str = "json",
        ok_codes: tuple[int, ...] | None = None,
        return_empty_response: bool = False,
        retries: int = 0,
        status_list_to_retry: Any = None,
        backoff_factor: float = 5,
        raise_on_redirect: bool = False,
        raise_on_status: bool = False,
        error_handler: Any = None,
        empty_valid_codes: Any = None,
        params_parser: Any = None,
        with_metrics: bool = False,
        **kwargs: Any,
    ) -> Any:
        """One request; the per-call ``timeout`` may be a (connect, read) tuple. A ``ReadTimeout`` is not
        caught (it is not a ``ConnectionError``); the other transport errors become DemistoException."""
        try:
            address = full_url if full_url else urljoin(self._base_url, url_suffix)
            if retries:
                self._implement_retry(retries, status_list_to_retry, backoff_factor, raise_on_redirect, raise_on_status)
            if params_parser:
                params = urlencode(params, quote_via=params_parser)
            res = self._session.request(
                method,
                address,
                verify=self._verify,
                params=params,
                data=data,
                json=json_data,
                files=files,
                headers=headers if headers else self._headers,
                auth=auth if auth else self._auth,
                timeout=timeout if timeout else self.timeout,
                **kwargs,
            )
            wanted = ok_codes if ok_codes else self._ok_codes
            if not (res.status_code in wanted if wanted else res.ok):
                if error_handler:
                    error_handler(res)
                else:
                    self.client_error_handler(res)
            if res.status_code in (empty_valid_codes or [204]) and return_empty_response:
                return res
            return self.cast_response(res, resp_type)
        except requests.exceptions.ConnectTimeout as exc:
            raise DemistoException(
                "Connection Timeout Error - potential reasons might be that the Server URL parameter"
                " is incorrect or that the Server is not accessible from your host.",
                exc,
            ) from exc
        except requests.exceptions.SSLError as exc:
            if not self._verify:
                raise
            raise DemistoException(
                "SSL Certificate Verification Failed - try selecting 'Trust any certificate' checkbox in"
                " the integration configuration.",
                exc,
            ) from exc
        except requests.exceptions.ProxyError as exc:
            raise DemistoException(
                "Proxy Error - if the 'Use system proxy' checkbox in the integration configuration is"
                " selected, try clearing the checkbox.",
                exc,
            ) from exc
        except requests.exceptions.ConnectionError as exc:
            error_class = str(exc.__class__)
            message = (
                "Verify that the server URL parameter is correct and that you have access to the server from your"
                f" host.\nError Type: <{error_class[error_class.find(chr(39)) + 1 : error_class.rfind(chr(39))]}>"
            )
            if exc.errno and exc.strerror:
                message += f"\nError Number: [{exc.errno}]\nMessage: {exc.strerror}\n"
            else:
                message += f"\n{exc}"
            raise DemistoException(message, exc) from exc
        except requests.exceptions.RetryError as exc:
            raise DemistoException(
                f"Max Retries Error- Request attempts with {retries} retries failed. \n", exc
            ) from exc

    def cast_response(self, res: requests.Response, resp_type: str, raise_on_error: bool = True) -> Any:
        resp_type = resp_type.lower()
        try:
            if resp_type == "json":
                return res.json()
            if resp_type == "text":
                return res.text
            if resp_type == "content":
                return res.content
            return res
        except ValueError as exc:
            if raise_on_error:
                raise DemistoException(
                    f"Failed to parse {resp_type} object from response: {res.content!r}", exc, res
                ) from exc
            return None

    def client_error_handler(self, res: requests.Response) -> None:
        """``Error in API call [<status>] - <reason>`` and the body: as JSON text when it is JSON."""
        message = f"Error in API call [{res.status_code}] - {res.reason}"
        try:
            message += f"\n{json.dumps(res.json())}"
        except ValueError:
            message += f"\n{res.text}"
        raise DemistoException(message, res=res)
