"""Visit records: the one write path for a visit.

Every page and command that records a door's outcome calls :func:`record_visit`; it validates the
row with the model's rules and writes it in one transaction through the store. The id comes from
the database; a client-made ``request_id`` makes the write idempotent, so a double tap or a retry
after a dropped connection writes one row. A busy database (another writer, a locked SQLite file,
a dropped server connection) is waited for and retried inside the write path.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import sqlalchemy as sa

from geo._errors import InputError, NotFoundError
from geo.model import OUTCOMES, validate
from geo.store import REQUEST_ID_LENGTH, SQL_TABLES, refresh_days, refresh_status

__all__ = ["UNDO_MINUTES", "record_visit", "undo_visit"]

FLAGS = (
    "card_given",
    "register_updated",
    "rental_letter_signed",
    "camera_leaflet_given",
    "camera_install_accepted",
)


def record_visit(
    store: Any,
    *,
    household_id: int,
    officer_id: int,
    outcome: str,
    visited_at: Any,
    card_given: bool = False,
    register_updated: bool = False,
    rental_letter_signed: bool = False,
    camera_leaflet_given: bool = False,
    camera_install_accepted: bool = False,
    notes: str | None = None,
    request_id: str | None = None,
) -> int:
    """Write one visit record (one transaction) and return its id.

    Parameters
    ----------
    store : geo.store.Store
    household_id, officer_id : int
    outcome : str
        One of ``visited``, ``not_home``, ``refused``, ``moved_away``.
    visited_at : datetime-like
    card_given, register_updated, rental_letter_signed, camera_leaflet_given,
    camera_install_accepted : bool
        What was done at the door ("one card, one register, one letter, one promotion").
    notes : str, optional
    request_id : str, optional
        A client-made id of this write (a UUID made when the officer taps). The same request
        id twice writes one row and returns the first write's id.

    Returns
    -------
    int
        The visit's id (the first write's, for a repeated ``request_id``).

    Raises
    ------
    InputError
        Unknown outcome (the message lists the allowed ones).
    NotFoundError
        Unknown household or officer.
    """
    if outcome not in OUTCOMES:
        allowed = ", ".join(f"{k} ({v[0]})" for k, v in OUTCOMES.items())
        raise InputError(f"outcome must be one of {allowed}; got {outcome!r}")
    if request_id is not None:
        request_id = str(request_id).strip()
        if not request_id or len(request_id) > REQUEST_ID_LENGTH:
            raise InputError(
                f"request_id must be 1 to {REQUEST_ID_LENGTH} characters (a UUID); "
                f"got {request_id!r}"
            )
    df = pd.DataFrame(
        {
            "household_id": [int(household_id)],
            "officer_id": [int(officer_id)],
            "visited_at": [pd.Timestamp(visited_at)],
            "outcome": [outcome],
            "card_given": [bool(card_given)],
            "register_updated": [bool(register_updated)],
            "rental_letter_signed": [bool(rental_letter_signed)],
            "camera_leaflet_given": [bool(camera_leaflet_given)],
            "camera_install_accepted": [bool(camera_install_accepted)],
            "notes": [notes],
        }
    )
    row = validate("visits", df, file="visit").iloc[0]
    values = {
        "household_id": int(household_id),
        "officer_id": int(officer_id),
        "visited_at": pd.Timestamp(row["visited_at"]).to_pydatetime(),
        "outcome": row["outcome"],
        "notes": None if pd.isna(row["notes"]) else str(row["notes"]),
        "request_id": request_id,
    }
    for flag in FLAGS:
        values[flag] = None if pd.isna(row[flag]) else bool(row[flag])
    visits = SQL_TABLES["visits"]
    earlier = sa.select(visits.c.id).where(visits.c.request_id == request_id)
    insert = sa.insert(visits).values(values).returning(visits.c.id)

    def write(conn) -> int:
        # everything is prepared above: the write lock is held for a few short statements
        if request_id is not None:
            found = conn.execute(earlier).scalar()
            if found is not None:
                return int(found)
        vid = int(conn.execute(insert).scalar_one())
        refresh_status(conn, [int(household_id)])
        return vid

    try:
        return store.write_transaction(write)
    except sa.exc.IntegrityError:
        with store.engine.connect() as conn:
            if request_id is not None:
                # the same request id written at the same moment through another server
                found = conn.execute(earlier).scalar()
                if found is not None:
                    return int(found)
            for table_name, ident in (("households", household_id), ("officers", officer_id)):
                sql = SQL_TABLES[table_name]
                exists = conn.execute(sa.select(sql.c.id).where(sql.c.id == int(ident))).first()
                if exists is None:
                    raise NotFoundError(
                        f"{table_name[:-1]} {ident!r} does not exist; pick one from the "
                        f"{table_name} table"
                    ) from None
        raise


#: minutes after a visit was recorded during which its recorder may take it back
UNDO_MINUTES = 5.0


def undo_visit(
    store: Any,
    visit_id: int,
    *,
    officer_id: int,
    now: Any = None,
    within_min: float = UNDO_MINUTES,
) -> None:
    """Take back a visit just recorded by mistake (one transaction).

    Only the officer who recorded it may, and only within ``within_min`` minutes of the time it
    was recorded for (``visited_at``, the moment of the tap). The caller writes the audit row
    (``visit_undone``).

    Raises
    ------
    NotFoundError
        No visit with that id.
    InputError
        Recorded by someone else, or longer ago than ``within_min`` minutes.
    """
    visits = SQL_TABLES["visits"]
    now = pd.Timestamp.now() if now is None else pd.Timestamp(now)

    def delete(conn) -> None:
        row = conn.execute(
            sa.select(visits.c.officer_id, visits.c.visited_at, visits.c.household_id).where(
                visits.c.id == int(visit_id)
            )
        ).first()
        if row is None:
            raise NotFoundError(f"visit {visit_id!r} does not exist")
        if int(row.officer_id) != int(officer_id):
            raise InputError(
                f"visit {visit_id} was recorded by officer {int(row.officer_id)}, not "
                f"{int(officer_id)}; only its recorder may undo it"
            )
        age = (now - pd.Timestamp(row.visited_at)).total_seconds() / 60
        if age > within_min:
            raise InputError(
                f"visit {visit_id} was recorded {age:.0f} min ago; a visit can be undone "
                f"within {within_min:g} min only"
            )
        conn.execute(visits.delete().where(visits.c.id == int(visit_id)))
        refresh_status(conn, [row.household_id])
        refresh_days(conn, pairs=[(row.officer_id, row.visited_at)])

    store.write_transaction(delete)
