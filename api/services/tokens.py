"""Token administration shared by ``stageplanner tokens`` and the API: making and revoking a token
(with its audit entry), and the listing's lines."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy.orm import Session

from api import crud
from api.core.security import Principal
from api.models import TokenRow
from planner.i18n import N_, _

#: The columns of ``stageplanner tokens list`` (tab-separated, like its lines), translated where shown.
LISTING_COLUMNS = (N_("id"), N_("name"), N_("role"), N_("regions"), N_("created"), N_("expires"), N_("state"))


def listing_header() -> str:
    """The header of ``stageplanner tokens list`` in the current language."""
    return "\t".join(_(column) for column in LISTING_COLUMNS)
_TIME = "%Y-%m-%d %H:%M"


def audit_detail(row: TokenRow) -> str:
    """What the audit log records of a new token: name, role, regions and expiry."""
    expiry = f", expires {row.expires_at:{_TIME}}" if row.expires_at is not None else ""
    school = f" ({row.institution})" if row.institution else ""
    return f"{row.name}: {row.role}{school} {', '.join(crud.token_regions(row)) or 'all regions'}{expiry}"


def create(session: Session, actor: Principal | None, name: str, role: str, regions: Iterable[str],
           lifetime: dt.timedelta | None = None, institution: str | None = None) -> tuple[TokenRow, str]:
    """Make a token and record it in the audit log (``actor`` None: the command line), committed;
    returns the row and the token text (shown once)."""
    row, token = crud.create_token(session, name, role, list(regions), lifetime, institution)
    crud.record(session, actor, "token.create", "token", row.id, None, audit_detail(row))
    session.commit()
    return row, token


def revoke(session: Session, actor: Principal | None, token_id: int) -> TokenRow:
    """Revoke a token and end its web sessions, recorded in the audit log and committed. Once committed,
    this process forgets every recently checked caller, so the token is refused here from now on (on other
    servers within :data:`api.crud.tokens.RECENT_CALLER_SECONDS`)."""
    row = crud.revoke_token(session, token_id)
    crud.record(session, actor, "token.revoke", "token", row.id, None, row.name)
    session.commit()
    crud.recent_callers.forget()
    return row


def state(row: TokenRow, now: dt.datetime) -> str:
    """``active``, ``revoked <time>`` or ``expired <time>``, in the current language."""
    if row.revoked_at is not None:
        return _("revoked {time}").format(time=f"{row.revoked_at:{_TIME}}")
    if row.expires_at is not None and row.expires_at <= now:
        return _("expired {time}").format(time=f"{row.expires_at:{_TIME}}")
    return _("active")


def _role(row: TokenRow) -> str:
    return f"{row.role} ({row.institution})" if row.institution else row.role


def listing(rows: Iterable[TokenRow], now: dt.datetime) -> list[str]:
    """A line per token (tab-separated): id, name, role (a school token with its institution), regions (``*``: all),
    created, expires (``never``), state."""
    return [f"{r.id}\t{r.name}\t{_role(r)}\t{','.join(crud.token_regions(r)) or '*'}\t{r.created_at:{_TIME}}\t"
            f"{f'{r.expires_at:{_TIME}}' if r.expires_at else _('never')}\t{state(r, now)}" for r in rows]
