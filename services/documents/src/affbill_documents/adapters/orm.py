"""Tables of the documents schema. Migrations in ../migrations create them."""

from sqlalchemy import MetaData

from affbill_runtime.tables import inbox_table, outbox_table

metadata = MetaData()
outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
