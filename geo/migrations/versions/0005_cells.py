"""cells: each household's H3 cell, and households per cell and status kept up to date

Revision ID: 0005_cells
Revises: 0004_store
Create Date: 2026-12-05 16:20:00

* ``households.h3``: the household's H3 cell at resolution 10 (``geo.hexes``), indexed;
  filled here from the stored points and by the store on every write of households.
* ``cell_status``: households per cell, beat, rental or not, and visit status, kept up to date
  by the store with ``visit_status``, so the Coverage map counts its hexagons in SQL.
* ``visit_days``: visits per officer, day, beat, rental or not and outcome with the first and
  last visit time, kept up to date likewise: visits per evening and officer hours in SQL.
* ``visit_status`` indexes for the households first reached in a window and by an officer;
  a ``visits`` index for the status rule (a household's last and first successful visit).
"""

import numpy as np
import sqlalchemy as sa
from alembic import op

revision = "0005_cells"
down_revision = "0004_store"
branch_labels = None
depends_on = None

#: households read and updated per round of the fill
BATCH = 50_000


def upgrade() -> None:
    with op.batch_alter_table("households", schema=None) as batch_op:
        batch_op.add_column(sa.Column("h3", sa.BigInteger(), nullable=True))
        batch_op.create_index("ix_households_h3", ["h3"])
    op.create_table(
        "cell_status",
        sa.Column("cell", sa.BigInteger(), nullable=False),
        sa.Column("beat_id", sa.Integer(), nullable=True),
        sa.Column("rental", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("households", sa.Integer(), nullable=False),
    )
    op.create_index("ix_cell_status_cell", "cell_status", ["cell"])
    op.create_index("ix_cell_status_beat", "cell_status", ["beat_id"])
    op.create_table(
        "visit_days",
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("beat_id", sa.Integer(), nullable=True),
        sa.Column("rental", sa.Boolean(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("visits", sa.Integer(), nullable=False),
        sa.Column("first_s", sa.Float(), nullable=False),
        sa.Column("last_s", sa.Float(), nullable=False),
    )
    op.create_index(
        "ix_visit_days_officer",
        "visit_days",
        ["officer_id", "week", "day", "visits", "first_s", "last_s"],
    )
    op.create_index("ix_visit_days_day", "visit_days", ["day", "outcome", "visits"])
    op.create_index("ix_visit_days_beat_day", "visit_days", ["beat_id", "day", "outcome", "visits"])
    op.create_index(
        "ix_visit_days_beat_officer",
        "visit_days",
        ["beat_id", "officer_id", "week", "day", "visits", "first_s", "last_s"],
    )
    op.create_index(
        "ix_visit_status_first", "visit_status", ["first_visited_at", "beat_id", "visited_by"]
    )
    op.create_index("ix_visit_status_by", "visit_status", ["visited_by", "first_visited_at"])
    # the status rule's seeks: a household's last attempt and first successful visit
    op.create_index(
        "ix_visits_household_time",
        "visits",
        ["household_id", "visited_at", "id", "outcome", "officer_id"],
    )
    bind = op.get_bind()
    from shapely import from_wkb

    from geo.store import household_cells, refresh_cells, refresh_days

    pg = bind.dialect.name == "postgresql"
    geom = "ST_AsBinary(geometry)" if pg else "geometry"
    last = 0
    while True:
        rows = bind.exec_driver_sql(
            f"SELECT id, {geom} FROM households WHERE id > {int(last)} ORDER BY id LIMIT {BATCH}"
        ).all()
        if not rows:
            break
        ids = [int(r[0]) for r in rows]
        points = from_wkb(np.array([bytes(r[1]) for r in rows], dtype=object))
        cells = household_cells(points)
        bind.execute(
            sa.text("UPDATE households SET h3 = :h3 WHERE id = :id"),
            [{"h3": c, "id": i} for i, c in zip(ids, cells, strict=True)],
        )
        last = ids[-1]
    refresh_cells(bind, None)
    refresh_days(bind, None)


def downgrade() -> None:
    op.drop_index("ix_visits_household_time", table_name="visits")
    op.drop_index("ix_visit_status_by", table_name="visit_status")
    op.drop_index("ix_visit_status_first", table_name="visit_status")
    op.drop_index("ix_visit_days_beat_officer", table_name="visit_days")
    op.drop_index("ix_visit_days_beat_day", table_name="visit_days")
    op.drop_index("ix_visit_days_day", table_name="visit_days")
    op.drop_index("ix_visit_days_officer", table_name="visit_days")
    op.drop_table("visit_days")
    op.drop_index("ix_cell_status_beat", table_name="cell_status")
    op.drop_index("ix_cell_status_cell", table_name="cell_status")
    op.drop_table("cell_status")
    op.drop_index("ix_households_h3", table_name="households")
    # in place (SQLite >= 3.35 and PostgreSQL): a batch copy of households would trip the
    # foreign keys of the tables that refer to it
    op.get_bind().exec_driver_sql("ALTER TABLE households DROP COLUMN h3")
