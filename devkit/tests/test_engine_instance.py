"""Instance files: parameters the integration does not define are warned about."""

from __future__ import annotations

from pathlib import Path

from devkit.engine import Instance


def test_an_unknown_parameter_is_warned_about_with_the_closest_name(tmp_path: Path) -> None:
    instance = Instance.from_mapping(
        {"name": "x", "params": {"url": "https://localhost", "max_user_event_per_fetch": "10"}}, base=tmp_path
    )
    assert instance.warnings() == [
        "instance 'x': parameter 'max_user_event_per_fetch' is not one of the integration's; "
        "did you mean 'max_user_events_per_fetch'?"
    ]
