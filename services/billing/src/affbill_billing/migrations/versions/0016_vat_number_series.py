"""Number series as data: a yearly or never reset, and separate series for credit notes and
cancellations per profile (null: the invoice series with its correction suffix).

Revision ID: billing_0016_vat
Revises: billing_0015_vat
"""

import sqlalchemy as sa
from alembic import op

revision = "billing_0016_vat"
down_revision = "billing_0015_vat"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("number_series", sa.Column("reset", sa.Text, nullable=False,
                                             server_default="never"))
    op.create_check_constraint("number_series_reset", "number_series",
                               "reset in ('never', 'yearly')")
    # the year the counter counts in (a yearly series starts again in a later year)
    op.add_column("number_series", sa.Column("counter_year", sa.Integer))
    for column in ("credit_note_series", "cancellation_series"):
        op.add_column("billing_profiles", sa.Column(
            column, sa.Text, sa.ForeignKey("number_series.series")))


def downgrade() -> None:
    for column in ("credit_note_series", "cancellation_series"):
        op.drop_column("billing_profiles", column)
    op.drop_column("number_series", "counter_year")
    op.drop_constraint("number_series_reset", "number_series")
    op.drop_column("number_series", "reset")
