"""Tables of the documents schema. Migrations in ../migrations create them."""

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    Table,
    Text,
    Uuid,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from affbill_runtime.tables import inbox_table, outbox_table, rejected_messages_table

metadata = MetaData()
outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
MONEY = Numeric(28, 10)

# One row per issued document (invoice, cancellation, credit note), keyed by billing's id:
# the natural key that makes rendering happen once however often the event arrives.
documents = Table(
    "documents", metadata,
    Column("invoice_id", Uuid, primary_key=True),
    Column("number", Text, nullable=False, unique=True),  # index documents_number
    Column("document_type", Text, nullable=False),  # 380 invoice, 381 credit note/cancellation
    Column("customer_id", Text, nullable=False),
    Column("buyer_name", Text, nullable=False),
    Column("issue_date", Date, nullable=False),
    Column("due_date", Date, nullable=False),
    Column("currency", Text, nullable=False),
    Column("net_total", MONEY, nullable=False),
    Column("tax_total", MONEY, nullable=False),
    Column("gross_total", MONEY, nullable=False),
    Column("amount_due", MONEY, nullable=False),
    Column("cancels_invoice_id", Uuid),  # a cancellation: the invoice it cancels
    Column("cancels_number", Text),
    Column("cancelled_by_invoice_id", Uuid),  # an invoice: the cancellation that cancelled it
    Column("profile", Text, nullable=False),
    Column("pdf", LargeBinary, nullable=False),
    Column("pdf_sha256", Text, nullable=False),
    Column("pdf_size", Integer, nullable=False),
    Column("xml", LargeBinary, nullable=False),
    Column("xml_sha256", Text, nullable=False),
    Column("xml_size", Integer, nullable=False),
    Column("valid", Boolean, nullable=False),
    Column("failed_rules", ARRAY(Text), nullable=False),
    Column("findings", JSONB, nullable=False),
    Column("render_ms", Integer, nullable=False),
    Column("validate_ms", Integer, nullable=False),
    Column("event_id", Uuid, nullable=False),  # the billing.invoices event it was rendered from
    Column("issuing_job_id", Uuid),  # billing's job (run) that issued it
    Column("rendering_job_id", Uuid, nullable=False),
    Column("rendered_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("e_invoice_format", Text, nullable=False, server_default="factur-x"),
    Column("xrechnung", LargeBinary),  # the XRechnung XML, for buyers who require it
    Column("xrechnung_sha256", Text),
    Column("xrechnung_size", Integer),
    Column("accounting", JSONB),  # amounts in the accounting currency (domain/accounting.py)
)

# Messages on billing.invoices that could not be applied: the one shape of every service.
rejected_messages = rejected_messages_table(metadata)
