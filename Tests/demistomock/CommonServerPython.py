"""Stand-in for the platform module ``CommonServerPython`` (CSP).

Written from the behaviour described in ``../shared/reference/xsiam-platform.md``
section 2.2, not copied from the platform. Only the names the pack uses exist, and
each behaves as the real one does where a collector could notice: ``return_error``
exits, ``_http_request`` mounts retries on https only and does not catch
``ReadTimeout``, ``send_events_to_xsiam`` serialises, enforces the single-entry size
limit and updates module health. Integrations import it with
``from CommonServerPython import *``, so the public names below are its interface.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from datetime import UTC, datetime, timedelta
from typing import Any

import dateparser
import demistomock as demisto
import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

__all__ = [
    "MAX_ALLOWED_ENTRY_SIZE",
    "XSIAM_EVENT_CHUNK_SIZE",
    "Any",
    "BaseClient",
    "CommandResults",
    "DemistoException",
    "EntryType",
    "add_sensitive_log_strs",
    "argToBoolean",
    "argToList",
    "arg_to_datetime",
    "arg_to_number",
    "datetime",
    "demisto",
    "get_integration_context",
    "json",
    "requests",
    "return_error",
    "return_results",
    "send_events_to_xsiam",
    "set_integration_context",
    "tableToMarkdown",
    "time",
    "timedelta",
    "traceback",
    "urljoin",
]

XSIAM_EVENT_CHUNK_SIZE = 2**20
MAX_ALLOWED_ENTRY_SIZE = 5 * (10**6)


class EntryType:
    NOTE = 1
    ERROR = 4


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
        super().__init__(message, exception, *args)
        self.message = message
        self.exception = exception
        self.res = res
        self.error_type = error_type

    def __str__(self) -> str:
        return str(self.message)


# ---------------------------------------------------------------------------- helpers


def urljoin(url: str, suffix: str = "") -> str:
    """Join with exactly one slash between the parts."""
    if not url.endswith("/"):
        url += "/"
    if suffix.startswith("/"):
        suffix = suffix[1:]
    return url + suffix


def arg_to_number(arg: Any, arg_name: str | None = None, required: bool = False) -> int | None:
    if arg is None or arg == "":
        if required:
            raise ValueError(f'Missing "{arg_name}"' if arg_name else "Missing required argument")
        return None
    if isinstance(arg, bool):
        raise ValueError(f'Invalid number: "{arg_name}"="{arg}"')
    if isinstance(arg, int):
        return arg
    if isinstance(arg, float):
        return int(arg)
    text = str(arg).strip()
    if text.isdigit():
        return int(text)
    try:
        return int(float(text))
    except ValueError:
        raise ValueError(f'Invalid number: "{arg_name}"="{arg}"') from None


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
    if isinstance(arg, list):
        result = arg
    elif isinstance(arg, str) and arg.startswith("[") and arg.endswith("]"):
        result = json.loads(arg)
    elif isinstance(arg, str):
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
    """Epoch numbers (ms above 2e9), ISO text or relative text ("3 days") to a datetime."""
    if arg is None or arg == "":
        if required:
            raise ValueError(f'Missing "{arg_name}"' if arg_name else "Missing required argument")
        return None
    if (isinstance(arg, str) and arg.isdigit()) or (isinstance(arg, int | float) and not isinstance(arg, bool)):
        number = float(arg)
        if number > 2000000000:
            number /= 1000
        return datetime.fromtimestamp(number, tz=UTC) if is_utc else datetime.fromtimestamp(number)
    if isinstance(arg, str):
        parsed = dateparser.parse(arg, settings=settings or {"TIMEZONE": "UTC"})
        if parsed is None:
            raise ValueError(f'Invalid date: "{arg_name}"="{arg}"' if arg_name else f'"{arg}" is not a valid date')
        return parsed
    raise ValueError(f'Invalid date: "{arg_name}"="{arg}"')


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
    """A markdown table titled ``### name``; ``**No entries.**`` when empty."""
    rows = [t] if isinstance(t, dict) else list(t or [])
    out = f"### {name}\n" if name else ""
    if metadata:
        out += f"{metadata}\n"
    if not rows:
        return out + "**No entries.**\n"
    if isinstance(headers, str):
        headers = [headers]
    if not headers:
        keys: list[str] = []
        for row in rows:
            keys.extend(k for k in row if k not in keys)
        headers = sorted(keys) if sort_headers else keys
    if removeNull:
        headers = [h for h in headers if any(row.get(h) not in (None, "", [], {}) for row in rows)]

    def cell(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, dict | list):
            value = json.dumps(value)
        return str(value).replace("|", "\\|").replace("\n", "<br>")

    titles = [headerTransform(h) if headerTransform else h for h in headers]
    out += "|" + "|".join(titles) + "|\n"
    out += "|" + "|".join("---" for _ in titles) + "|\n"
    for row in rows:
        out += "|" + "|".join(cell(row.get(h)) for h in headers) + "|\n"
    return out


def add_sensitive_log_strs(sensitive_str: str) -> None:
    """Register a string the platform masks in its debug log (here: recorded, so tests can check it)."""
    if sensitive_str and sensitive_str not in demisto.platform.sensitive_strings:
        demisto.platform.sensitive_strings.append(sensitive_str)


# ---------------------------------------------------------------------------- context


def get_integration_context(sync: bool = True, with_version: bool = False) -> dict[str, Any]:
    versioned = demisto.getIntegrationContextVersioned(sync)
    return versioned if with_version else versioned.get("context", {})


def set_integration_context(context: dict[str, Any], sync: bool = True, version: int = -1) -> None:
    demisto.setIntegrationContextVersioned(context, version, sync)


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
    """Log, then emit an error entry and exit(0); fetch-incidents style commands raise instead."""
    demisto.error(message)
    if sys.exc_info()[0] is not None:
        demisto.error(traceback.format_exc())
    if demisto.command() in ("fetch-incidents", "fetch-credentials", "long-running-execution", "fetch-indicators"):
        raise Exception(message)
    demisto.results(
        {"Type": EntryType.ERROR, "ContentsFormat": "text", "Contents": str(message)[:50000], "EntryContext": outputs}
    )
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
    multiple_threads: bool = False,
) -> Any:
    """Deliver events to the ``<vendor>_<product>_raw`` dataset (here: record them).

    As on the platform: dicts are serialised with ``json.dumps`` (so a value that does
    not serialise raises), an entry of 5 MB or more is skipped with an error log, an
    empty list sends nothing but still reports ``eventsPulled: 0``.
    """
    if not vendor or not product or not isinstance(vendor, str) or not isinstance(product, str):
        raise DemistoException("send_events_to_xsiam needs a non-empty vendor and product")
    if isinstance(events, str):
        items: list[Any] = [line for line in events.split("\n") if line]
    elif isinstance(events, list):
        items = events
    else:
        raise DemistoException(
            f"Unsupported type: {type(events)} for the events parameter, should be a string or list."
        )
    delivered: list[Any] = []
    for item in items:
        try:
            serialised = json.dumps(item) if isinstance(item, dict) else str(item)
        except (TypeError, ValueError) as exc:
            raise DemistoException(f"Failed to serialise an event to JSON: {exc}") from exc
        if len(serialised.encode()) >= MAX_ALLOWED_ENTRY_SIZE:
            demisto.error(f"Skipping an entry of {len(serialised)} bytes: over the {MAX_ALLOWED_ENTRY_SIZE} limit")
            continue
        # The platform serialises at call time; keeping the object itself (not a decoded copy) keeps memory
        # measurements close to the platform's. The integration never touches events after sending them.
        delivered.append(item)
    if delivered:
        demisto.platform.sent.append({"vendor": vendor, "product": product, "events": delivered})
        if demisto.platform.event_sink is not None:
            demisto.platform.event_sink(vendor, product, delivered)
    else:
        demisto.debug(f"send_events_to_xsiam: nothing to send for {vendor}_{product}")
    if should_update_health_module:
        demisto.updateModuleHealth({"eventsPulled": len(delivered)})
    return None


# ---------------------------------------------------------------------------- HTTP


class BaseClient:
    """The platform's requests-based HTTP client."""

    def __init__(
        self,
        base_url: str,
        verify: bool = True,
        proxy: bool = False,
        ok_codes: tuple[int, ...] = (),
        headers: dict[str, str] | None = None,
        auth: Any = None,
        timeout: float | tuple[float, float] = 60,
    ) -> None:
        self._base_url = base_url
        self._verify = verify
        self._ok_codes = ok_codes
        self._headers = headers
        self._auth = auth
        self._session = requests.Session()
        if not proxy:
            for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
                os.environ.pop(name, None)
        brand = demisto.callingContext.get("context", {}).get("IntegrationBrand", "")
        env_timeout = os.environ.get(f"REQUESTS_TIMEOUT.{brand}") or os.environ.get("REQUESTS_TIMEOUT")
        self.timeout: float | tuple[float, float] = float(env_timeout) if env_timeout else timeout

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
        if retries:
            self._implement_retry(retries, status_list_to_retry, backoff_factor, raise_on_redirect, raise_on_status)
        address = full_url or urljoin(self._base_url, url_suffix)
        if params_parser and params:
            from urllib.parse import urlencode

            params = urlencode(params, quote_via=params_parser)
        try:
            res = self._session.request(
                method,
                address,
                verify=self._verify,
                params=params,
                data=data,
                json=json_data,
                files=files,
                headers=headers if headers is not None else self._headers,
                auth=auth if auth is not None else self._auth,
                timeout=timeout if timeout is not None else self.timeout,
                **kwargs,
            )
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
                f"SSL Certificate Verification Failed - try selecting 'Trust any certificate' checkbox"
                f" in the integration configuration. {exc}",
                exc,
            ) from exc
        except requests.exceptions.ProxyError as exc:
            raise DemistoException(
                "Proxy Error - if the 'Use system proxy' checkbox in the integration configuration is"
                f" selected, try clearing the checkbox. {exc}",
                exc,
            ) from exc
        except requests.exceptions.RetryError as exc:
            raise DemistoException(
                f"Max Retries Error- Request attempts with {retries} retries failed. {exc}", exc
            ) from exc
        except requests.exceptions.ConnectionError as exc:
            errno = getattr(exc, "errno", None)
            raise DemistoException(
                f"Verify that the server URL parameter is correct and that you have access to the server"
                f" from your host.\nError Type: {type(exc).__name__}\nError Number: [{errno}]\nMessage: {exc}",
                exc,
            ) from exc

        wanted = ok_codes or self._ok_codes
        is_ok = res.status_code in wanted if wanted else res.ok
        if not is_ok:
            if error_handler:
                error_handler(res)
            else:
                self.client_error_handler(res)
        empty_codes = empty_valid_codes or [204]
        if res.status_code in empty_codes and return_empty_response:
            return res
        if resp_type == "json":
            try:
                return res.json()
            except ValueError as exc:
                raise DemistoException(f"Failed to parse json object from response: {res.content!r}", exc, res) from exc
        if resp_type == "text":
            return res.text
        if resp_type == "content":
            return res.content
        return res

    def client_error_handler(self, res: requests.Response) -> None:
        message = f"Error in API call [{res.status_code}] - {res.reason}"
        try:
            message += f"\n{res.json()}"
        except ValueError:
            message += f"\n{res.text}"
        raise DemistoException(message, res=res)
