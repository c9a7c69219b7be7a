"""The invoices table and its only writers: drafts (drafts.py), a run's pending documents
and their numbering (pending.py), Create and cancellation (issued.py).

Nothing else in billing inserts or updates an invoice row.
"""
