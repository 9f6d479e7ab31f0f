"""Time representations used by DocuSign's APIs, and the 100 ns ticks the event stream counts in."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

TICKS_PER_SECOND = 10_000_000
DOTNET_EPOCH_OFFSET = 621_355_968_000_000_000
"""Ticks between 0001-01-01 and 1970-01-01: Monitor cursors carry .NET ticks."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ISO = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?"
    r"\s*(Z|z|[+-]\d{2}:?\d{2})?$"
)


def seconds_to_ticks(epoch: float) -> int:
    return round(epoch * TICKS_PER_SECOND)


def ticks_to_seconds(ticks: int) -> float:
    return ticks / TICKS_PER_SECOND


def to_dotnet_ticks(ticks: int) -> int:
    return ticks + DOTNET_EPOCH_OFFSET


def _utc(seconds: int) -> datetime:
    # timedelta arithmetic avoids fromtimestamp's platform limits and float rounding
    return _EPOCH + timedelta(seconds=seconds)


def event_timestamp(ticks: int, digits: int = 7) -> str:
    """Monitor's `timestamp`: `2023-03-03T09:10:06.0512813Z` (digits=7, .NET round-trip format)."""
    seconds, frac = divmod(ticks, TICKS_PER_SECOND)
    text = _utc(seconds).strftime("%Y-%m-%dT%H:%M:%S")
    if digits > 0:
        text += "." + f"{frac:07d}"[:digits]
    return text + "Z"


def admin_date(ms: int) -> str:
    """Admin API dates: `2019-04-01T22:11:56.457`, no zone."""
    seconds, millis = divmod(ms, 1000)
    return _utc(seconds).strftime("%Y-%m-%dT%H:%M:%S") + f".{millis:03d}"


def esign_datetime(ms: int) -> str:
    """eSignature `createdDateTime`: `2019-04-01T22:11:56.4570000Z`."""
    seconds, millis = divmod(ms, 1000)
    return _utc(seconds).strftime("%Y-%m-%dT%H:%M:%S") + f".{millis:03d}0000Z"


def us_datetime(ms: int) -> str:
    """eSignature `userSettings.modifiedDate` as seen in the wild: `1/24/2024 3:15:42 PM`."""
    moment = _utc(ms // 1000)
    hour12 = moment.hour % 12 or 12
    meridiem = "AM" if moment.hour < 12 else "PM"
    return f"{moment.month}/{moment.day}/{moment.year} {hour12}:{moment.minute:02d}:{moment.second:02d} {meridiem}"


def parse_iso(text: str) -> float:
    """Epoch seconds from an ISO 8601 date or date-time; naive values are UTC.

    Accepts any number of fractional digits (DocuSign writes 7, `datetime.fromisoformat`
    in 3.11 rounds them silently), `Z` and numeric offsets. Raises ValueError otherwise.
    """
    match = _ISO.match(text.strip())
    if not match:
        raise ValueError(f"not an ISO 8601 date-time: {text!r}")
    year, month, day, hour, minute, second, frac, zone = match.groups()
    moment = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0), tzinfo=UTC)
    epoch = (moment - _EPOCH).total_seconds()
    if frac:
        epoch += int(frac) / 10 ** len(frac)
    if zone and zone not in ("Z", "z"):
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        epoch -= sign * (int(digits[:2]) * 3600 + int(digits[2:]) * 60)
    return epoch
