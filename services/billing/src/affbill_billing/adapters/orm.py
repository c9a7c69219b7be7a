"""Tables of the billing schema. Migrations in ../migrations create them."""

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Integer,
    MetaData,
    Numeric,
    Table,
    Text,
    Uuid,
)
from sqlalchemy.dialects.postgresql import JSONB

from affbill_runtime.tables import inbox_table, outbox_table

metadata = MetaData()
outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
MONEY = Numeric(28, 10)

customers = Table(
    "customers", metadata,
    Column("customer_id", Text, primary_key=True),
    Column("connector", Text), Column("kind", Text), Column("partner_id", Text),
    Column("name", Text), Column("status", Text), Column("account_manager_id", Text),
    Column("default_currency", Text), Column("address", JSONB), Column("vat_id", Text),
    Column("email", Text), Column("updated_at", DateTime(timezone=True)),
)

billable_items = Table(
    "billable_items", metadata,
    Column("item_id", Uuid, primary_key=True),
    Column("customer_id", Text), Column("offer_id", Text), Column("offer_name", Text),
    Column("day", Date), Column("currency", Text), Column("units", Integer),
    Column("revenue", MONEY), Column("state", Text), Column("invoice_id", Uuid),
    Column("adjusts_invoice_id", Uuid),
    Column("created_at", DateTime(timezone=True)), Column("updated_at", DateTime(timezone=True)),
)
