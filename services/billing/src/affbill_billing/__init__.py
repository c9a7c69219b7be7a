"""affbill billing: Customers, billing profiles, billable items, the generator, batch runs,
drafts and invoices."""
