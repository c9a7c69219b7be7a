-- One customer, one statement (its own transaction): invoice the customer's open items
-- and insert the pending document, on the premise that they are exactly the items read
-- before (same ids, units and revenue: the same fingerprint, $16). If they are not —
-- restated, reserved by a draft, gone — require() fails the statement (SQLSTATE AF001),
-- nothing is written, and the customer takes the locking path. Items that appeared after
-- the read are not seen by the statement either and stay open for the next run.
-- Python twin of the fingerprint: affbill_billing.domain.fingerprint.fingerprint;
-- of require(): affbill_billing.domain.runs.require.
with invoiced as (
    update billable_items set state = 'invoiced', invoice_id = $1, updated_at = now()
    where customer_id = $2 and state = 'open' and draft_id is null
      and ($15::date is null or day <= $15::date)
      and ($17::text is null or currency = $17::text)
    returning item_id, units, revenue)
insert into invoices (invoice_id, customer_id, series, status, document_type, currency,
    issue_date, due_date, period_start, period_end, net_total, tax_total, gross_total,
    snapshot, run_id)
select $1::uuid, $2::text, $3::text, 'pending', $4::text, $5::text, $6::date, $7::date,
       $8::date, $9::date, $10::numeric, $11::numeric, $12::numeric, $13::jsonb, $14::uuid
where require((select /*items_fingerprint*/ from invoiced) = $16::text,
              'the open items changed since they were read')
