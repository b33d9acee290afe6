"""Who may do what: API tokens, roles per region, and the rate limit per token.

Tokens look like ``spt_<lookup>_<secret>``: ``lookup`` (8 hex characters) finds the token's
row, ``secret`` is 32 random bytes (URL-safe base64). Only the SHA-256 of the whole token is
stored; a presented token is hashed and compared with :func:`hmac.compare_digest`. A fast hash
is enough because the secret is random and long (nothing to guess from a dictionary).

Roles (each token has one, and a set of regions):

==========  ==============================================================================
role        may
==========  ==============================================================================
``reader``  read scenarios, jobs, plans, agreements and hotspots of its regions
``editor``  what a reader may, and create/update/delete scenarios, start and cancel solves,
            adopt agreements in its regions
``analyst`` read everything in every region (SBB); change nothing
``admin``   everything in every region, and read the audit log
``school``  an institution's editor inside one region: what a reader may, and approve or
            reject its own institution's part of a proposed agreement
==========  ==============================================================================

A token may expire (``--expires-in 90d`` on the command line, :func:`parse_lifetime`); an
expired token is refused like a revoked one. The web workbench's browser sessions get their own
random id (:func:`new_session_id`), stored hashed like tokens (:mod:`api.services.web_sessions`).
Failed sign-ins are counted per client address and overall (:class:`FailureWindow`).

This module holds the rules; :mod:`api.deps` applies them to requests.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from planner.i18n import _

TOKEN_PREFIX = "spt"
LOOKUP_HEX = 8
SECRET_BYTES = 32
_TOKEN_PATTERN = re.compile(rf"^{TOKEN_PREFIX}_([0-9a-f]{{{LOOKUP_HEX}}})_([A-Za-z0-9_-]{{20,100}})$")


class Role(StrEnum):
    """What a token may do (see the module documentation)."""

    reader = "reader"
    editor = "editor"
    analyst = "analyst"
    admin = "admin"
    school = "school"


#: Roles that see every region, whatever regions the token names.
ALL_REGION_ROLES = frozenset({Role.analyst, Role.admin})
#: Roles that may change scenarios, jobs and agreements.
WRITE_ROLES = frozenset({Role.editor, Role.admin})


class AccessDenied(Exception):
    """The token may not do this (HTTP 403); the message says why."""


@dataclass(frozen=True)
class NewToken:
    """A freshly made token: the text to hand out once, and what to store."""

    token: str
    lookup: str
    token_hash: str


def hash_token(token: str) -> str:
    """The stored form of a token: SHA-256, hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> NewToken:
    """A new random token (``spt_<lookup>_<secret>``) with its lookup id and hash."""
    lookup = secrets.token_hex(LOOKUP_HEX // 2)
    token = f"{TOKEN_PREFIX}_{lookup}_{secrets.token_urlsafe(SECRET_BYTES)}"
    return NewToken(token, lookup, hash_token(token))


def new_session_id() -> str:
    """A random web session id (32 bytes, URL-safe): the cookie's value; only its hash is stored."""
    return secrets.token_urlsafe(SECRET_BYTES)


#: A token's lifetime on the command line: a whole number and d (days), h (hours) or m (minutes).
_LIFETIME_PATTERN = re.compile(r"^\s*([1-9][0-9]{0,5})\s*([dhm])\s*$")
_LIFETIME_UNITS = {"d": timedelta(days=1), "h": timedelta(hours=1), "m": timedelta(minutes=1)}
#: The longest lifetime a token may be given (ten years).
MAX_LIFETIME = timedelta(days=3650)


def parse_lifetime(text: str) -> timedelta:
    """A lifetime such as ``90d``, ``12h`` or ``30m``; :class:`ValueError` with a message otherwise."""
    match = _LIFETIME_PATTERN.match(text)
    lifetime = int(match.group(1)) * _LIFETIME_UNITS[match.group(2)] if match else None
    if lifetime is None or lifetime > MAX_LIFETIME:
        raise ValueError(_("{value} is not a lifetime: give a whole number with d (days), h (hours) or m (minutes), "
                           "e.g. 90d, 12h or 30m, at most 3650d").format(value=repr(text)))
    return lifetime


def token_lookup(token: str) -> str | None:
    """The lookup id of a well-formed token, else None (nothing to look up)."""
    match = _TOKEN_PATTERN.match(token)
    return match.group(1) if match else None


def token_matches(token: str, stored_hash: str) -> bool:
    """Whether ``token`` hashes to ``stored_hash`` (constant-time comparison)."""
    return hmac.compare_digest(hash_token(token), stored_hash)


@dataclass(frozen=True)
class Principal:
    """The caller behind a valid token.

    Attributes
    ----------
    token_id, name
        The token's id and name (the name is who the audit log and agreements record).
    role
        Its role.
    regions
        The regions it is given; ignored by roles that see every region.
    institution
        The institution a ``school`` token decides for (None for the other roles).
    """

    token_id: int
    name: str
    role: Role
    regions: frozenset[str]
    institution: str | None = None

    @property
    def visible_regions(self) -> frozenset[str] | None:
        """The regions this caller may read, or None for every region."""
        return None if self.role in ALL_REGION_ROLES else self.regions

    def may_read(self, region: str) -> bool:
        """Whether the caller may read records of ``region``."""
        return self.role in ALL_REGION_ROLES or region in self.regions

    def may_write(self, region: str) -> bool:
        """Whether the caller may change records of ``region``."""
        return self.role == Role.admin or (self.role == Role.editor and region in self.regions)

    def check_read(self, region: str) -> None:
        """Raise :class:`AccessDenied` unless the caller may read ``region``."""
        if not self.may_read(region):
            raise AccessDenied(_("token {name} ({role}) may not read region {region}").format(
                name=repr(self.name), role=self.role, region=repr(region)))

    def check_write(self, region: str) -> None:
        """Raise :class:`AccessDenied` unless the caller may change ``region``."""
        if self.role not in WRITE_ROLES:
            raise AccessDenied(_("token {name} has role {role}, which may not change anything").format(
                name=repr(self.name), role=self.role))
        if not self.may_write(region):
            raise AccessDenied(_("token {name} ({role}) may not change region {region}").format(
                name=repr(self.name), role=self.role, region=repr(region)))

    def check_writer(self) -> None:
        """Raise :class:`AccessDenied` unless the role may change anything at all (before reading a body)."""
        if self.role not in WRITE_ROLES:
            raise AccessDenied(_("token {name} has role {role}, which may not change anything").format(
                name=repr(self.name), role=self.role))

    def may_decide(self, region: str, institution: str) -> bool:
        """Whether the caller may approve or reject ``institution``'s part of a proposal in ``region``."""
        if self.role == Role.admin:
            return True
        return self.role == Role.school and region in self.regions and institution == self.institution

    def check_decide(self, region: str, institution: str) -> None:
        """Raise :class:`AccessDenied` unless the caller may decide for ``institution`` in ``region``."""
        if self.role not in (Role.school, Role.admin):
            raise AccessDenied(_("token {name} has role {role}, which may not approve or reject an institution's "
                                 "part").format(name=repr(self.name), role=self.role))
        if not self.may_decide(region, institution):
            raise AccessDenied(_("token {name} ({role}) may not decide for institution {institution} in region "
                                 "{region}").format(name=repr(self.name), role=self.role,
                                                    institution=repr(institution), region=repr(region)))

    def check_admin(self) -> None:
        """Raise :class:`AccessDenied` unless the caller is an admin."""
        if self.role != Role.admin:
            raise AccessDenied(_("token {name} ({role}) may not do this: admin tokens only").format(
                name=repr(self.name), role=self.role))


class RateLimiter:
    """A token bucket per key (token id), in the memory of one process.

    Each key may make ``burst`` requests at once and ``per_second`` on average after that.

    Parameters
    ----------
    per_second
        Refill rate (requests per second).
    burst
        Bucket size.
    """

    def __init__(self, per_second: float, burst: int, max_keys: int = 10_000):
        self.per_second = per_second
        self.burst = float(burst)
        self.max_keys = max_keys
        self._buckets: dict[int, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def acquire(self, key: int, now: float | None = None) -> float:
        """Take one request from ``key``'s bucket: 0.0 when allowed, else the seconds until one is free."""
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.per_second)
            if tokens >= 1.0:
                if key not in self._buckets and len(self._buckets) >= self.max_keys:
                    self._buckets.clear()  # bounded memory; forgetting buckets only lets callers burst again
                self._buckets[key] = (tokens - 1.0, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.per_second


class FailureWindow:
    """Failures per key (a client address) in the last ``window`` seconds, in the memory of one process.

    A key with ``per_key`` failures in the window, or all keys together with ``total``, must wait
    until the oldest of them leaves the window.

    Parameters
    ----------
    per_key, total
        Failures allowed in the window per key and over all keys.
    window
        Seconds a failure counts.
    """

    #: The key under which every failure is counted as well.
    ALL = "\x00all"

    def __init__(self, per_key: int, total: int, window: float = 60.0, max_keys: int = 10_000):
        self.per_key, self.total, self.window, self.max_keys = per_key, total, window, max_keys
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        failures = self._failures.get(key, deque())
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures

    def retry_after(self, key: str, now: float | None = None) -> float:
        """0.0 when ``key`` may try again, else the seconds until it may."""
        now = time.monotonic() if now is None else now
        with self._lock:
            waits = [0.0]
            for name, limit in ((key, self.per_key), (self.ALL, self.total)):
                failures = self._recent(name, now)
                if len(failures) >= limit:
                    waits.append(failures[-limit] + self.window - now)
            return max(waits)

    def record(self, key: str, now: float | None = None) -> None:
        """Count a failure of ``key``."""
        now = time.monotonic() if now is None else now
        with self._lock:
            if key not in self._failures and len(self._failures) >= self.max_keys:
                self._failures = {self.ALL: self._failures.get(self.ALL, deque())}  # bounded memory
            for name in (key, self.ALL):
                self._failures[name] = self._recent(name, now)
                self._failures[name].append(now)
