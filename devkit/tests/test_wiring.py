"""The wiring's consent helper, without an emulator: a result with no link is a LookupError."""

from __future__ import annotations

import pytest

from devkit.engine import RunResult
from devkit.wiring import CONSENT_COMMAND, follow_consent_link


@pytest.mark.parametrize("admin, message", [(False, "returned no consent link"), (True, "returned no admin consent")])
def test_a_result_without_the_consent_link_is_a_lookup_error(admin: bool, message: str) -> None:
    result = RunResult(command=CONSENT_COMMAND, args={}, status="ok", entries=[{"HumanReadable": "no link here"}])
    with pytest.raises(LookupError, match=message):
        follow_consent_link(result, admin=admin)
