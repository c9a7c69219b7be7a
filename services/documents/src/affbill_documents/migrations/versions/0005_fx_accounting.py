"""A document's amounts in the accounting currency (rate, date, source, net, VAT, gross).

Revision ID: documents_0005_fx
Revises: documents_0004_trust
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "documents_0005_fx"
down_revision = "documents_0004_trust"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("documents", sa.Column("accounting", JSONB))


def downgrade() -> None:
    op.drop_column("documents", "accounting")
