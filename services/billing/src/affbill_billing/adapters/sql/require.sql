-- require(ok, message): a statement that finds its premise false fails as a whole with
-- SQLSTATE AF001 (SQL has no RAISE). Created by migration billing_0011 from this file.
-- Python twin: affbill_billing.domain.runs.require.
create or replace function require(ok boolean, message text) returns boolean
        language plpgsql as $$
        begin
            if ok is not true then
                raise exception '%', message using errcode = 'AF001';
            end if;
            return true;
        end $$
