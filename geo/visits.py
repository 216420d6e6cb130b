"""Visit records: the one write path for a visit.

Every page and command that records a door's outcome calls :func:`record_visit`; it validates the
row with the model's rules and writes it in one transaction through the store.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from geo._errors import InputError, NotFoundError
from geo.model import OUTCOMES, validate

__all__ = ["record_visit"]


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
    import sqlalchemy as sa

    from geo.store import SQL_TABLES

    with store.transaction() as conn:
        for table_name, ident in (("households", household_id), ("officers", officer_id)):
            sql = SQL_TABLES[table_name]
            found = conn.execute(sa.select(sql.c.id).where(sql.c.id == int(ident))).first()
            if found is None:
                raise NotFoundError(f"{table_name[:-1]} {ident!r} does not exist")
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
        ids = store.write("visits", validate("visits", df, file="visit"), conn=conn)
    return int(ids[0])
