"""Server-side sessions of the web workbench.

A browser that signs in gets a random session id (:func:`api.core.security.new_session_id`) in
its cookie; the database keeps only the id's SHA-256 (``web_sessions``) with the token the
session acts for, so the pages' principal and the audit log's name are the token's. A session
ends, and its cookie is refused from then on, when

* the browser signs out (:func:`end`: the row is deleted),
* it had no request for ``STAGEPLANNER_SESSION_IDLE_MINUTES`` (idle expiry),
* it is ``STAGEPLANNER_SESSION_MAX_HOURS`` old (absolute expiry),
* its token is revoked (:func:`api.crud.revoke_token` deletes its rows) or expires.

The time of the last request is written at most once per :data:`TOUCH_INTERVAL`, so pages do not
each write to the database; the idle expiry is therefore exact to within that interval.
Every function takes the current time (``now``) so that tests can move the clock.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from api import crud
from api.core.config import Settings
from api.core.security import Principal, hash_token, new_session_id
from api.models import TokenRow, WebSessionRow

#: The last-seen time is written at most this often per session.
TOUCH_INTERVAL = dt.timedelta(minutes=1)


def start(session: Session, token_id: int, settings: Settings, now: dt.datetime) -> str:
    """Start a session for token ``token_id``; returns the session id for the cookie (only its hash is stored).

    Sessions that have ended by ``now`` are removed on the way, so the table does not grow.
    """
    end_expired(session, now)
    session_id = new_session_id()
    session.add(WebSessionRow(session_hash=hash_token(session_id), token_id=token_id, created_at=now,
                              last_seen_at=now, idle_expires_at=now + settings.session_idle,
                              expires_at=now + settings.session_max))
    session.flush()
    return session_id


def principal(session: Session, session_id: str, settings: Settings, now: dt.datetime) -> Principal | None:
    """The caller behind a session cookie, or None when the session is unknown or has ended.

    An ended session's row is deleted; a live one's last-seen time is moved on (at most once per
    :data:`TOUCH_INTERVAL`). The caller commits.
    """
    found = session.execute(sa.select(WebSessionRow, TokenRow).join(TokenRow, TokenRow.id == WebSessionRow.token_id)
                            .where(WebSessionRow.session_hash == hash_token(session_id))).first()
    if found is None:
        return None
    row, token = found
    caller = crud.token_principal(token, now)
    if caller is None or now >= row.idle_expires_at or now >= row.expires_at:
        session.delete(row)
        return None
    if now - row.last_seen_at >= TOUCH_INTERVAL:
        row.last_seen_at, row.idle_expires_at = now, now + settings.session_idle
    return caller


def end(session: Session, session_id: str) -> None:
    """End a session (sign-out): its cookie is refused from now on."""
    session.execute(sa.delete(WebSessionRow).where(WebSessionRow.session_hash == hash_token(session_id)))


def end_expired(session: Session, now: dt.datetime) -> int:
    """Remove every session that has ended by ``now``; returns how many."""
    result = session.execute(sa.delete(WebSessionRow).where(
        sa.or_(WebSessionRow.expires_at <= now, WebSessionRow.idle_expires_at <= now)))
    return result.rowcount or 0
