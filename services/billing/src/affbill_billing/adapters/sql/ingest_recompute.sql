-- Ingest: the stat rows of a batch (in the temporary table stat_in, the last word per stat
-- key) are upserted, then the open billable item of every (customer, offer, day, currency)
-- they touched is recomputed: it holds what the source says minus what was already
-- invoiced; a difference on an invoiced day becomes a new adjustment item linked to the
-- last invoice; an open item with nothing left is removed.
-- Both sides alike: an affiliate's payout record is kept like an advertiser's revenue, so
-- payout items follow restatements and removals by the same rule. A payout of zero is kept
-- only where the row was kept before (a restatement to zero); otherwise it is no fact for
-- the affiliate (an advertiser's row is always kept, as before).
-- Python twin: affbill_billing.domain.restatements.open_item (and restate()).
insert into stat_rows (stat_key, customer_id, offer_id, offer_name, day, currency, units, revenue)
select i.stat_key, i.customer_id, i.offer_id, i.offer_name, i.day, i.currency, i.units, i.revenue
from stat_in i
where i.side = 'advertiser' or i.revenue <> 0
   or exists (select 1 from stat_rows s where (s.customer_id, s.offer_id, s.day, s.currency,
              s.stat_key) = (i.customer_id, i.offer_id, i.day, i.currency, i.stat_key))
on conflict (customer_id, offer_id, day, currency, stat_key) do update
set units = excluded.units, revenue = excluded.revenue, offer_name = excluded.offer_name,
    updated_at = now();

drop table if exists item_target;

create temporary table item_target on commit drop as
with g as (select distinct customer_id, offer_id, day, currency from stat_in),
src as (
    select s.customer_id, s.offer_id, s.day, s.currency, sum(s.revenue) as revenue,
           sum(s.units) as units, max(s.offer_name) as offer_name
    from g join stat_rows s using (customer_id, offer_id, day, currency)
    group by 1, 2, 3, 4),
inv as (
    select b.customer_id, b.offer_id, b.day, b.currency, sum(b.revenue) as revenue,
           sum(b.units) as units, (array_agg(b.invoice_id order by b.updated_at desc))[1] as last
    from g join billable_items b using (customer_id, offer_id, day, currency)
    where b.state = 'invoiced' group by 1, 2, 3, 4)
select src.customer_id, src.offer_id, src.day, src.currency, src.offer_name,
       src.revenue - coalesce(inv.revenue, 0) as revenue,
       (src.units - coalesce(inv.units, 0))::integer as units, inv.last as adjusts_invoice_id
from src left join inv using (customer_id, offer_id, day, currency);

insert into billable_items (customer_id, offer_id, offer_name, day, currency, units, revenue,
                            adjusts_invoice_id)
select customer_id, offer_id, offer_name, day, currency, units, revenue, adjusts_invoice_id
from item_target where revenue <> 0 or units <> 0
on conflict (customer_id, offer_id, day, currency) where state = 'open'
do update set units = excluded.units, revenue = excluded.revenue,
    offer_name = excluded.offer_name, updated_at = now();

delete from billable_items b using item_target t
where b.state = 'open' and t.revenue = 0 and t.units = 0
  and (b.customer_id, b.offer_id, b.day, b.currency)
    = (t.customer_id, t.offer_id, t.day, t.currency);
