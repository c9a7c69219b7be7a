"""A billing profile's debtor number (BT-46, "Customer no.") and document language.

Revision ID: billing_0014_docs2
Revises: billing_0014_fx
"""

import sqlalchemy as sa
from alembic import op

revision = "billing_0014_docs2"
down_revision = "billing_0014_fx"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("billing_profiles", sa.Column("debtor_number", sa.Text))
    op.add_column("billing_profiles", sa.Column("language", sa.Text, nullable=False,
                                                server_default="en"))
    op.create_check_constraint("billing_profiles_language", "billing_profiles",
                               "language in ('en', 'de')")


def downgrade() -> None:
    op.drop_constraint("billing_profiles_language", "billing_profiles")
    op.drop_column("billing_profiles", "language")
    op.drop_column("billing_profiles", "debtor_number")
