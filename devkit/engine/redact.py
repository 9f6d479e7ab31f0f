"""What the engine's CLI never prints: the access token and what is cached with it (``token_*``), secret
parameters (a type-9 credential's password holds the private key) and the strings an integration
registered with ``add_sensitive_log_strs``.

Only output for people is redacted; the engine keeps every value (the state store holds the token, as
the platform's integration context does). Two ways, because a secret shows up in two shapes:

- by name: wherever the integration context is shown, a secret key's value becomes ``<redacted>``;
- by value: a known credential is cut out of every string of a result (a ``demisto.debug`` line, which
  the platform does not mask, an entry echoing the params, a traceback).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping
from typing import Any

from devkit.engine.runner import RunResult

REDACTED = "<redacted>"
_CREDENTIAL_WORDS = ("password", "secret", "private")
# Shorter strings would blank out ordinary words, and no credential is that short.
MIN_SECRET_LENGTH = 8
# The parts of a result that carry text from the run.
_TEXT_FIELDS = ("args", "entries", "error", "logs", "module_health", "last_run", "traceback", "stdout", "stderr")


def secret_name(name: str) -> bool:
    """A key whose value is not shown: credentials, and the token with everything cached about it."""
    lowered = name.lower()
    return "token" in lowered or any(word in lowered for word in _CREDENTIAL_WORDS)


def credential_name(name: str) -> bool:
    """A key whose value is a credential itself. ``token_*`` metadata is not: cutting the token owner's
    GUID or a scope name out of every message would hide what the messages are about."""
    lowered = name.lower()
    return lowered.endswith("token") or any(word in lowered for word in _CREDENTIAL_WORDS)


def by_name(value: Any) -> Any:
    """``value`` with the value of every :func:`secret_name` key replaced, at any depth."""
    if isinstance(value, Mapping):
        return {key: REDACTED if secret_name(str(key)) else by_name(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [by_name(item) for item in value]
    return value


def credentials(value: Any) -> set[str]:
    """The strings held under :func:`credential_name` keys in ``value`` (params, an integration context)."""
    found: set[str] = set()
    if isinstance(value, Mapping):
        for key, item in value.items():
            if isinstance(item, str) and credential_name(str(key)):
                found.add(item)
            else:
                found |= credentials(item)
    elif isinstance(value, list | tuple):
        for item in value:
            found |= credentials(item)
    return found


class Redactor:
    """Cuts known secret strings out of text and out of every string in a structure."""

    def __init__(self, secrets: Iterable[str]) -> None:
        forms: set[str] = set()
        for secret in secrets:
            if len(secret) >= MIN_SECRET_LENGTH:
                # As written, and as it reads inside JSON (a PEM key's newlines become \n).
                forms.update((secret, json.dumps(secret)[1:-1]))
        # Longest first: a secret containing another is cut whole, not around the shorter one.
        self._forms = sorted(forms, key=len, reverse=True)

    def text(self, text: str) -> str:
        for form in self._forms:
            text = text.replace(form, REDACTED)
        return text

    def data(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {key: self.data(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [self.data(item) for item in value]
        return value

    def result(self, result: RunResult) -> RunResult:
        """A copy of ``result`` fit to print: context redacted by name, every text by value."""
        changes: dict[str, Any] = {name: self.data(getattr(result, name)) for name in _TEXT_FIELDS}
        if result.integration_context is not None:
            changes["integration_context"] = self.data(by_name(result.integration_context))
        return dataclasses.replace(result, **changes)


def redactor_for(params: Mapping[str, Any], stored_context: Mapping[str, Any], result: RunResult) -> Redactor:
    """Every secret a run could print: the instance's, the stored token, the run's own token and registrations."""
    return Redactor(
        {
            *credentials(params),
            *credentials(stored_context),
            *credentials(result.integration_context or {}),
            *result.registered_secrets,
        }
    )
