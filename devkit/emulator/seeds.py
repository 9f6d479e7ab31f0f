"""Deterministic randomness: every generated value derives from (seed, stream, index), nothing is stored."""

from __future__ import annotations

import random
import uuid

_MASK = (1 << 64) - 1

# Streams keep unrelated sequences independent even for the same index.
ORG = 1
USERS = 2
EVENT = 3
EVENT_JITTER = 4
EVENT_ID = 5
LIVE_USER_CHANGE = 6
MANUAL_USER_CHANGE = 7
HOME = 8
ATTACK = 9


def splitmix64(value: int) -> int:
    value = (value + 0x9E3779B97F4A7C15) & _MASK
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & _MASK
    return value ^ (value >> 31)


def mix(seed: int, stream: int, index: int = 0) -> int:
    """A 64-bit value that depends on all three inputs and nothing else (unlike `hash()`)."""
    return splitmix64(splitmix64(splitmix64(seed & _MASK) ^ stream) ^ (index & _MASK))


def rng(seed: int, stream: int, index: int = 0) -> random.Random:
    return random.Random(mix(seed, stream, index))


def guid(high: int, low: int) -> str:
    """A version-4-shaped GUID from two 64-bit values."""
    # UUID(version=4) sets the version and variant bits itself.
    return str(uuid.UUID(int=((high & _MASK) << 64) | (low & _MASK), version=4))


def rng_guid(generator: random.Random) -> str:
    return str(uuid.UUID(int=generator.getrandbits(128), version=4))
