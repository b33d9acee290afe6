"""Tokens (made, checked, revoked) and the audit log."""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
import time
from collections.abc import Callable, Collection

import sqlalchemy as sa
import sqlalchemy.orm
from sqlalchemy.orm import Session

from api.core.security import Principal, Role, hash_token, new_token, token_lookup, token_matches
from api.crud.lookup import by_id
from api.errors import InvalidInput
from api.models import (
    AuditRow,
    TokenRow,
    WebSessionRow,
    utcnow,
)
from api.schemas.common import NAME_PATTERN
from planner.i18n import N_, _


def create_token(session: Session, name: str, role: str, regions: Collection[str],
                 lifetime: dt.timedelta | None = None, institution: str | None = None) -> tuple[TokenRow, str]:
    """Store a new token, expiring after ``lifetime`` (None: never); returns the row and the token text
    (shown once, only its hash is stored). A ``school`` token names one region and its ``institution``."""
    name = name.strip()
    if not name or len(name) > 200 or not re.match(NAME_PATTERN, name):
        raise InvalidInput.one("name", _("must be 1 to 200 characters without control characters"))
    if role not in Role.__members__:
        raise InvalidInput.one("role", _("{value} is not one of {allowed}").format(value=repr(role),
                                                                                  allowed=", ".join(Role)))
    cleaned = sorted({r.strip() for r in regions})
    if any(not r or len(r) > 200 or not re.match(NAME_PATTERN, r) for r in cleaned):
        raise InvalidInput.one("region", _("every region must be 1 to 200 characters without control characters"))
    if role in (Role.reader, Role.editor, Role.school) and not cleaned:
        raise InvalidInput.one("region", _("a {role} token needs at least one region").format(role=role))
    institution = (institution or "").strip() or None
    if role == Role.school:
        if len(cleaned) != 1:
            raise InvalidInput.one("region", _("a school token is given exactly one region"))
        if institution is None or len(institution) > 200 or not re.match(NAME_PATTERN, institution):
            raise InvalidInput.one("institution", _("a school token needs its institution: the institution id "
                                                    "as in the scenario, e.g. roc-oost"))
    elif institution is not None:
        raise InvalidInput.one("institution", _("only a school token has an institution"))
    made = new_token()
    row = TokenRow(lookup=made.lookup, token_hash=made.token_hash, name=name, role=role, regions=json.dumps(cleaned),
                   expires_at=utcnow() + lifetime if lifetime is not None else None, institution=institution)
    session.add(row)
    session.flush()
    return row, made.token


def token_regions(row: TokenRow) -> list[str]:
    """The regions a token is given."""
    return json.loads(row.regions or "[]")


#: Compared against when no token has the lookup id, so an unknown token costs what a wrong one does.
_NO_TOKEN_HASH = hash_token("")


def token_principal(row: TokenRow, now: dt.datetime) -> Principal | None:
    """The caller a token row stands for, or None when it is revoked or expired at ``now``."""
    if row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= now):
        return None
    return Principal(row.id, row.name, Role(row.role), frozenset(token_regions(row)), row.institution)


def _checked(session: Session, token: str, now: dt.datetime) -> tuple[Principal | None, dt.datetime | None]:
    """The caller behind ``token`` (None when malformed, unknown, revoked or expired) and its token's expiry."""
    lookup = token_lookup(token)
    if lookup is None:
        return None, None
    row = session.scalar(sa.select(TokenRow).where(TokenRow.lookup == lookup))
    if not token_matches(token, row.token_hash if row is not None else _NO_TOKEN_HASH) or row is None:
        return None, None
    return token_principal(row, now), row.expires_at


def authenticate(session: Session, token: str, now: dt.datetime | None = None) -> Principal | None:
    """The caller behind ``token``, or None when it is malformed, unknown, revoked or expired."""
    return _checked(session, token, now or utcnow())[0]


#: How long a valid token's caller is reused without reading the database, in seconds. A revocation made in
#: this process takes effect at once (:func:`revoke_token` forgets every caller); one made on another server
#: sharing the database, within this time. Why: under 200 clients the token read was a tenth of the server's
#: work (docs/reliability.md).
RECENT_CALLER_SECONDS = 2.0


class _RecentCallers:
    """Valid callers checked in the last :data:`RECENT_CALLER_SECONDS`, by database and token hash.

    Only valid tokens are kept, so unknown tokens cannot fill it; an entry ends at its token's expiry too.
    """

    def __init__(self, seconds: float = RECENT_CALLER_SECONDS, size: int = 10_000):
        self.seconds, self.size = seconds, size
        self._items: dict[tuple[str, str], tuple[Principal, float, dt.datetime | None]] = {}
        self._lock = threading.Lock()

    def caller(self, sessions: Callable[[], Session], database: str, token: str) -> Principal | None:
        """The caller behind ``token``, read with a session from ``sessions`` unless checked just now."""
        key, now = (database, hash_token(token)), utcnow()
        with self._lock:
            kept = self._items.get(key)
        if kept is not None and time.monotonic() < kept[1] and (kept[2] is None or now < kept[2]):
            return kept[0]
        with sessions() as session:
            principal, expires_at = _checked(session, token, now)
        with self._lock:
            if principal is None:
                self._items.pop(key, None)
            else:
                if len(self._items) >= self.size:
                    self._items.clear()
                self._items[key] = (principal, time.monotonic() + self.seconds, expires_at)
        return principal

    def forget(self) -> None:
        """Forget every caller (a token was revoked)."""
        with self._lock:
            self._items.clear()


recent_callers = _RecentCallers()


def list_tokens(session: Session) -> list[TokenRow]:
    """Every token (revoked ones too), oldest first."""
    return list(session.scalars(sa.select(TokenRow).order_by(TokenRow.id)))


def revoke_token(session: Session, token_id: int) -> TokenRow:
    """Revoke a token at once (it stays listed, marked revoked) and end its web sessions."""
    row = by_id(session, TokenRow, token_id, N_("token {id} does not exist"))
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    session.execute(sa.delete(WebSessionRow).where(WebSessionRow.token_id == row.id))
    return row


def record(session: Session, actor: Principal | None, action: str, target_type: str, target_id: int | None,
           region: str | None, detail: str = "") -> AuditRow:
    """Add an audit entry (committed with the change it describes); ``actor`` None means the command line."""
    row = AuditRow(token_id=actor.token_id if actor else None, actor=actor.name if actor else "command line",
                   action=action, target_type=target_type, target_id=target_id, region=region, detail=detail)
    session.add(row)
    session.flush()
    return row


def list_audit(session: Session, region: str | None, action: str | None, limit: int, offset: int) -> list[AuditRow]:
    """Audit entries, newest first, optionally of one region or action."""
    query = sa.select(AuditRow)
    if region is not None:
        query = query.where(AuditRow.region == region)
    if action is not None:
        query = query.where(AuditRow.action == action)
    return list(session.scalars(query.order_by(AuditRow.id.desc()).limit(limit).offset(offset)))
