"""What the integration relies on in the platform modules, stated as facts and checked on the loaded ones.

Each fact was observed in demisto/content's ``CommonServerPython.py`` at commit 00428964 and
``demistomock.py`` at 0176c294 (see ``devkit.platform_modules.PINNED``). With the stand-ins these tests
keep them honest; with ``XSIAM_PLATFORM_DIR`` pointing at the real modules the same tests check the
facts themselves. A fact that changes on the platform fails here first, not on a tenant.
"""

from __future__ import annotations

import ast
import builtins
import importlib.util
import inspect
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import cast

import CommonServerPython as csp
import demistomock as demisto
import pytest
import requests
from requests.adapters import HTTPAdapter

from devkit.platform_modules import STAND_IN_DIR, activate
from devkit.platform_modules import platform as PLATFORM

INTEGRATION = Path(__file__).resolve().parents[1] / "Packs" / "Docusign" / "Integrations" / "Docusign" / "Docusign.py"
URL = "https://api.example.test"


@pytest.fixture(autouse=True)
def fresh_platform():
    PLATFORM.reset(command="docusign-get-events")
    yield PLATFORM
    PLATFORM.reset()


def star_exports(module) -> set[str]:
    """What ``from module import *`` binds."""
    names = getattr(module, "__all__", None)
    return set(names) if names is not None else {n for n in vars(module) if not n.startswith("_")}


def free_names(path: Path) -> set[str]:
    """Names the file reads but never binds: they come from ``from CommonServerPython import *``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    read: set[str] = set()
    bound: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (read if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.ClassDef):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.alias):
            bound.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
    return read - bound - set(dir(builtins))


# ---------------------------------------------------------------------------- names


def test_every_name_the_integration_takes_from_the_star_import_exists():
    needed = free_names(INTEGRATION)
    assert {"BaseClient", "send_events_to_xsiam", "tableToMarkdown", "return_error"} <= needed
    assert needed - star_exports(csp) == set()


def test_stand_in_offers_no_name_the_real_module_lacks():
    if Path(csp.__file__).parent == STAND_IN_DIR:
        pytest.skip("compares the stand-in with the real module: run with XSIAM_PLATFORM_DIR")
    spec = importlib.util.spec_from_file_location("stand_in_csp", STAND_IN_DIR / "CommonServerPython.py")
    assert spec and spec.loader
    stand_in = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(stand_in)
    assert star_exports(stand_in) - star_exports(csp) == set()
    for name in star_exports(stand_in):
        assert callable(getattr(stand_in, name)) == callable(getattr(csp, name)), name


# ---------------------------------------------------------------------------- BaseClient


def test_base_client_timeout_is_one_number():
    assert csp.BaseClient(URL, timeout=30).timeout == 30.0
    assert isinstance(csp.BaseClient(URL).timeout, float)
    with pytest.raises(TypeError):
        csp.BaseClient(URL, timeout=(10, 60))  # type: ignore[arg-type]  # the wrong type is the point


def test_requests_timeout_environment_overrides_the_constructor(monkeypatch):
    monkeypatch.setenv("REQUESTS_TIMEOUT", "90")
    assert csp.BaseClient(URL, timeout=30).timeout == 90.0
    monkeypatch.setenv("REQUESTS_TIMEOUT.Docusign", "45")
    assert csp.BaseClient(URL, timeout=30).timeout == 45.0


def test_http_request_per_call_timeout_may_be_a_tuple(requests_mock):
    requests_mock.get(f"{URL}/x", json={})
    client = csp.BaseClient(URL)
    client._http_request("GET", "/x", timeout=(10, 60))
    client._http_request("GET", "/x")
    assert [r.timeout for r in requests_mock.request_history] == [(10, 60), 60.0]


def test_http_request_response_type_and_ok_codes(requests_mock):
    requests_mock.get(f"{URL}/x", status_code=503, json={"errorCode": "X"})
    res = csp.BaseClient(URL)._http_request("GET", full_url=f"{URL}/x", resp_type="response", ok_codes=(200, 503))
    assert isinstance(res, requests.Response) and res.status_code == 503


def test_http_request_error_message_carries_the_body_as_json_text(requests_mock):
    requests_mock.get(f"{URL}/x", status_code=400, reason="Bad Request", json={"errorCode": "E", "n": 1})
    with pytest.raises(csp.DemistoException) as caught:
        csp.BaseClient(URL)._http_request("GET", "/x")
    assert str(caught.value) == 'Error in API call [400] - Bad Request\n{"errorCode": "E", "n": 1}'
    assert caught.value.res is not None and caught.value.res.status_code == 400


def test_http_request_headers_given_replace_the_client_headers(requests_mock):
    requests_mock.get(f"{URL}/x", json={})
    client = csp.BaseClient(URL, headers={"A": "client"})
    client._http_request("GET", "/x")
    client._http_request("GET", "/x", headers={"B": "call"})
    first, second = requests_mock.request_history
    assert first.headers.get("A") == "client"
    assert second.headers.get("B") == "call" and "A" not in second.headers


def test_read_timeout_is_not_caught(requests_mock):
    requests_mock.get(f"{URL}/x", exc=requests.exceptions.ReadTimeout)
    with pytest.raises(requests.exceptions.ReadTimeout):
        csp.BaseClient(URL)._http_request("GET", "/x")


@pytest.mark.parametrize(
    ("raised", "starts"),
    [
        (requests.exceptions.ConnectTimeout, "Connection Timeout Error"),
        (requests.exceptions.ConnectionError, "Verify that the server URL parameter is correct"),
        (requests.exceptions.ProxyError, "Proxy Error"),
        (requests.exceptions.SSLError, "SSL Certificate Verification Failed"),
    ],
)
def test_transport_errors_become_demisto_exceptions_with_the_cause(requests_mock, raised, starts):
    requests_mock.get(f"{URL}/x", exc=raised("boom"))
    with pytest.raises(csp.DemistoException) as caught:
        csp.BaseClient(URL)._http_request("GET", "/x")
    assert str(caught.value).startswith(starts)
    assert isinstance(caught.value.exception, raised)
    assert caught.value.res is None


def test_retries_are_mounted_on_https_only():
    client = csp.BaseClient(URL)
    client._implement_retry(retries=2, status_list_to_retry=[500])
    https, http = (cast(HTTPAdapter, client._session.get_adapter(f"{scheme}://h/")) for scheme in ("https", "http"))
    assert https.max_retries.total == 2
    assert http.max_retries.total == 0


# ---------------------------------------------------------------------------- errors and results


def test_demisto_exception_shape():
    error = csp.DemistoException("m")
    assert error.args == ("m", None, None)
    assert str(error) == "m"
    assert error.res is None and error.exception is None


def test_return_error_emits_a_masked_error_entry_logs_through_log_and_exits_zero():
    csp.add_sensitive_log_strs("s3cr3t-value")
    with pytest.raises(SystemExit) as exited:
        csp.return_error("Failed: s3cr3t-value was refused")
    assert exited.value.code == 0
    entry = PLATFORM.results[-1]
    assert entry["Type"] == 4 and entry["ContentsFormat"] == "text"
    assert entry["Contents"] == "Failed: <XX_REPLACED> was refused"
    assert ("info", "Full Integration Log:\nFailed: <XX_REPLACED> was refused") in PLATFORM.logs


def test_return_error_keeps_both_ends_of_a_long_message():
    with pytest.raises(SystemExit):
        csp.return_error("a" * 30_000 + "b" * 30_000)
    contents = PLATFORM.results[-1]["Contents"]
    assert contents == "a" * 25_000 + "...This error body was truncated..." + "b" * 25_000


def test_return_error_raises_for_commands_the_server_handles():
    PLATFORM.command = "fetch-incidents"
    with pytest.raises(Exception, match="^broken$"):
        csp.return_error("broken")


def test_sensitive_strings_are_masked_in_log_not_in_demisto_debug():
    csp.add_sensitive_log_strs("tok-123456")
    assert csp.LOG("Bearer tok-123456") == "Bearer <XX_REPLACED>"
    demisto.debug("Bearer tok-123456")
    assert ("debug", "Bearer tok-123456") in PLATFORM.logs


def test_log_masks_secret_parameters_it_finds_when_created():
    PLATFORM.params = {"credentials": {"identifier": "", "password": "-----PEM-----"}, "integration_key": "ik-1"}
    logger = csp.IntegrationLogger()
    assert logger("key -----PEM----- ik-1") == "key <XX_REPLACED> <XX_REPLACED>"


def test_command_results_entry():
    entry = csp.CommandResults(readable_output="## hi", raw_response=[{"a": 1}]).to_context()
    assert {k: entry[k] for k in ("Type", "ContentsFormat", "Contents", "HumanReadable")} == {
        "Type": 1,
        "ContentsFormat": "json",
        "Contents": [{"a": 1}],
        "HumanReadable": "## hi",
    }
    csp.return_results(csp.CommandResults(readable_output="ok"))
    assert PLATFORM.results[-1]["HumanReadable"] == "ok"


def test_command_results_with_outputs_under_key_fields_and_an_error_type():
    """The response commands: context under ``Prefix(val.k && val.k == obj.k && ...)``, raw response = outputs,
    and an error entry that keeps its outputs (a membership DocuSign did not close)."""
    outputs = [{"user_id": "u", "account_id": "a", "action": "close", "result": "failed"}]
    entry = csp.CommandResults(
        outputs_prefix="Docusign.MembershipAction",
        outputs_key_field=["user_id", "account_id", "action"],
        outputs=outputs,
        readable_output="r",
        entry_type=csp.EntryType.ERROR,
    ).to_context()
    key = (
        "Docusign.MembershipAction(val.user_id && val.user_id == obj.user_id && val.account_id && "
        "val.account_id == obj.account_id && val.action && val.action == obj.action)"
    )
    assert entry["Type"] == 4 and entry["EntryContext"] == {key: outputs} and entry["Contents"] == outputs
    one = csp.CommandResults(outputs_prefix="Docusign.User", outputs_key_field="id", outputs={"id": "u"}).to_context()
    assert one["EntryContext"] == {"Docusign.User(val.id && val.id == obj.id)": {"id": "u"}}


def test_calling_context_names_the_instance():
    """The response actions log the instance that acted (the recorder fills callingContext as the platform does)."""
    assert demisto.callingContext["context"]["IntegrationInstance"] == PLATFORM.instance


def test_table_to_markdown_cells():
    row = {"a": "x|y", "b": None, "c": ["p", "q"], "d": {"k": 1}, "e": True, "f": "`t`", "g": "l1\nl2"}
    assert csp.tableToMarkdown("T", [row], headers=list("abcdefg")) == (
        "### T\n|a|b|c|d|e|f|g|\n|---|---|---|---|---|---|---|\n"
        "| x\\|y |  | p,<br>q | k: 1 | true | \\`t\\` | l1<br>l2 |\n"
    )
    assert csp.tableToMarkdown("T", []) == "### T\n**No entries.**\n"
    assert csp.tableToMarkdown("T", [{"a": 1, "b": None}], headers=["a", "b"], removeNull=True) == (
        "### T\n|a|\n|---|\n| 1 |\n"
    )


# ---------------------------------------------------------------------------- arguments


def test_arg_to_number():
    assert csp.arg_to_number("12") == 12
    assert csp.arg_to_number("12.7") == 12
    assert csp.arg_to_number(7) == 7
    assert csp.arg_to_number(None) is None and csp.arg_to_number("") is None
    assert csp.arg_to_number(True) is True  # a bool is an int to the platform
    with pytest.raises(ValueError, match=r'^Invalid number: "limit"="1.5"$'):
        csp.arg_to_number(1.5, arg_name="limit")
    with pytest.raises(ValueError, match=r'^Invalid number: "limit"="ten"$'):
        csp.arg_to_number("ten", arg_name="limit")


def test_arg_to_datetime():
    relative = csp.arg_to_datetime("3 days")
    assert relative is not None
    assert relative.tzinfo is None  # relative text: naive, in UTC
    assert abs(relative - (datetime.now(UTC).replace(tzinfo=None) - timedelta(days=3))) < timedelta(minutes=1)
    iso = csp.arg_to_datetime("2024-01-31T00:00:00Z")
    assert iso is not None
    assert iso.utcoffset() == timedelta(0) and iso.replace(tzinfo=None) == datetime(2024, 1, 31)
    assert csp.arg_to_datetime(1706659200) == datetime(2024, 1, 31, tzinfo=UTC)
    assert csp.arg_to_datetime(1706659200000) == datetime(2024, 1, 31, tzinfo=UTC)
    assert csp.arg_to_datetime(None) is None
    with pytest.raises(ValueError, match=r'^"" is not a valid date$'):
        csp.arg_to_datetime("")
    with pytest.raises(ValueError, match=r'^Invalid date: "first_fetch"="not a date"$'):
        csp.arg_to_datetime("not a date", arg_name="first_fetch")


def test_arg_to_list_and_boolean():
    assert csp.argToList(["Customer events", "Audit Users"]) == ["Customer events", "Audit Users"]
    assert csp.argToList("Customer events, Audit Users") == ["Customer events", "Audit Users"]
    assert csp.argToList('["a", "b"]') == ["a", "b"]
    assert csp.argToList(None) == []
    assert csp.argToBoolean("True") is True and csp.argToBoolean("no") is False and csp.argToBoolean(False) is False
    with pytest.raises(ValueError, match="valid boolean-like value"):
        csp.argToBoolean("maybe")


def test_urljoin_puts_one_slash_between():
    assert csp.urljoin("https://h/base", "/oauth/token") == "https://h/base/oauth/token"
    assert csp.urljoin("https://h/", "x") == "https://h/x"


# ---------------------------------------------------------------------------- state and events


def test_integration_context_uses_the_versioned_api_on_xsiam(mocker):
    versioned = mocker.spy(demisto, "setIntegrationContextVersioned")
    csp.set_integration_context({"access_token": "t"})
    assert versioned.call_count == 1
    assert csp.get_integration_context() == {"access_token": "t"}


def test_send_events_signature():
    parameters = list(inspect.signature(csp.send_events_to_xsiam).parameters)
    assert parameters == [
        "events",
        "vendor",
        "product",
        "data_format",
        "url_key",
        "num_of_attempts",
        "chunk_size",
        "should_update_health_module",
        "add_proxy_to_request",
    ]
    with pytest.raises(TypeError):
        csp.send_events_to_xsiam(  # type: ignore[call-arg]  # the newer CSP's argument, absent here
            [{"a": 1}], vendor="docusign", product="docusign", multiple_threads=True
        )


def test_send_events_serialises_and_reports_health():
    csp.send_events_to_xsiam([{"a": 1}, {"b": 2}], vendor="docusign", product="docusign")
    assert PLATFORM.sent == [{"vendor": "docusign", "product": "docusign", "events": [{"a": 1}, {"b": 2}]}]
    assert PLATFORM.module_health[-1] == ({"eventsPulled": 2}, False)
    csp.send_events_to_xsiam([], vendor="docusign", product="docusign")
    assert PLATFORM.module_health[-1] == ({"eventsPulled": 0}, False)
    with pytest.raises(TypeError):
        csp.send_events_to_xsiam([{"when": datetime.now(UTC)}], vendor="docusign", product="docusign")
    assert json.dumps(PLATFORM.sent_events) == '[{"a": 1}, {"b": 2}]'


def test_activate_again_keeps_the_loaded_modules():
    loaded = activate(params={"url": URL})
    assert loaded.csp is sys.modules["CommonServerPython"] is csp
    assert demisto.params() == {"url": URL}
