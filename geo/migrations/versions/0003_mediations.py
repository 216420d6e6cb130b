"""mediations: disputes settled at neighbour meetings or at the beat office

Revision ID: 0003_mediations
Revises: 0002_accounts
Create Date: 2026-12-05 13:05:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_mediations"
down_revision = "0002_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mediations",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("beat_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=True),
        sa.Column("other_household_id", sa.Integer(), nullable=True),
        sa.Column("parties", sa.Text(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("meeting", sa.String(length=32), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("follow_up_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["beat_id"], ["beats.id"]),
        sa.ForeignKeyConstraint(["household_id"], ["households.id"]),
        sa.ForeignKeyConstraint(["other_household_id"], ["households.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("mediations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mediations_beat_id"), ["beat_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_mediations_household_id"), ["household_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_mediations_other_household_id"), ["other_household_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("mediations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mediations_other_household_id"))
        batch_op.drop_index(batch_op.f("ix_mediations_household_id"))
        batch_op.drop_index(batch_op.f("ix_mediations_beat_id"))
    op.drop_table("mediations")
