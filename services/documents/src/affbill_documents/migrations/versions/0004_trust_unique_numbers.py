"""Document numbers are unique in the invoice list.

Before the index, a number held by several documents keeps its earliest rendered one; the
others (events billing never issued, such as test traffic on a shared topic) leave the
list and are kept in rejected_messages with their XML and the reason.

Revision ID: documents_0004_trust
Revises: documents_0004_ops
"""

from alembic import op

revision = "documents_0004_trust"
down_revision = "documents_0004_ops"
branch_labels = None
depends_on = None

LATER_DUPLICATES = """
select invoice_id from (
    select invoice_id, row_number() over (partition by number
                                          order by rendered_at, invoice_id) as nth
    from documents) d where nth > 1
"""


def upgrade() -> None:
    op.execute(f"""
        insert into rejected_messages (topic, reason, raw)
        select 'billing.invoices',
               'number: ' || number || ' is already the number of another document '
               || '(moved out of the invoice list by migration documents_0004_trust)', xml
        from documents where invoice_id in ({LATER_DUPLICATES})""")
    op.execute(f"update documents set cancelled_by_invoice_id = null "
               f"where cancelled_by_invoice_id in ({LATER_DUPLICATES})")
    op.execute(f"delete from documents where invoice_id in ({LATER_DUPLICATES})")
    op.create_index("documents_number", "documents", ["number"], unique=True)


def downgrade() -> None:
    op.drop_index("documents_number", table_name="documents")
