"""Self-billed credit notes to affiliates (EN 16931 type 389) are documents too.

Revision ID: documents_0006_aff
Revises: documents_0005_fx
"""

from alembic import op

revision = "documents_0006_aff"
down_revision = "documents_0005_fx"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_constraint("documents_type", "documents")
    op.create_check_constraint("documents_type", "documents",
                               "document_type in ('380', '381', '389')")


def downgrade() -> None:
    op.drop_constraint("documents_type", "documents")
    op.create_check_constraint("documents_type", "documents",
                               "document_type in ('380', '381')")
