-- generator_totals_apply(): the statement-level trigger on billable_items that keeps
-- generator_totals exact (migration billing_0009 creates it from this file).
-- Python twin: affbill_billing.domain.generator_totals.fold (the same totals folded from
-- the open items). Per (customer, currency) with open items: open items not in a draft
-- and their sum, items in drafts and their sum, first and last day of all open items.
-- Each branch adds the open rows that came (+1) and takes away those that went (-1);
-- a group left without open items is deleted; first/last day is read again from the
-- items only where an item on the boundary went.
-- Keep the body below byte for byte unless a new migration re-creates the function.
create or replace function generator_totals_apply() returns trigger language plpgsql as $$
begin
if TG_OP = 'INSERT' then 
    insert into generator_totals as g (customer_id, currency, items, total, draft_items,
                                       draft_total, first_day, last_day)
    select customer_id, currency,
           coalesce(sum(sign) filter (where not in_draft), 0),
           coalesce(sum(sign * revenue) filter (where not in_draft), 0),
           coalesce(sum(sign) filter (where in_draft), 0),
           coalesce(sum(sign * revenue) filter (where in_draft), 0),
           min(day) filter (where sign > 0), max(day) filter (where sign > 0)
    from (select customer_id, currency, day, revenue, draft_id is not null, 1 from new_rows where state = 'open') as c(customer_id, currency, day, revenue, in_draft, sign)
    group by customer_id, currency
    on conflict (customer_id, currency) do update set
        items = g.items + excluded.items, total = g.total + excluded.total,
        draft_items = g.draft_items + excluded.draft_items,
        draft_total = g.draft_total + excluded.draft_total,
        first_day = least(g.first_day, excluded.first_day),
        last_day = greatest(g.last_day, excluded.last_day);
 end if;
if TG_OP = 'UPDATE' then 
    insert into generator_totals as g (customer_id, currency, items, total, draft_items,
                                       draft_total, first_day, last_day)
    select customer_id, currency,
           coalesce(sum(sign) filter (where not in_draft), 0),
           coalesce(sum(sign * revenue) filter (where not in_draft), 0),
           coalesce(sum(sign) filter (where in_draft), 0),
           coalesce(sum(sign * revenue) filter (where in_draft), 0),
           min(day) filter (where sign > 0), max(day) filter (where sign > 0)
    from (select customer_id, currency, day, revenue, draft_id is not null, -1 from old_rows where state = 'open' union all select customer_id, currency, day, revenue, draft_id is not null, 1 from new_rows where state = 'open') as c(customer_id, currency, day, revenue, in_draft, sign)
    group by customer_id, currency
    on conflict (customer_id, currency) do update set
        items = g.items + excluded.items, total = g.total + excluded.total,
        draft_items = g.draft_items + excluded.draft_items,
        draft_total = g.draft_total + excluded.draft_total,
        first_day = least(g.first_day, excluded.first_day),
        last_day = greatest(g.last_day, excluded.last_day);

    delete from generator_totals g using (select distinct customer_id, currency from old_rows
                                          where state = 'open') o
    where (g.customer_id, g.currency) = (o.customer_id, o.currency)
      and g.items = 0 and g.draft_items = 0;
    update generator_totals g set first_day = d.first_day, last_day = d.last_day
    from (select o.customer_id, o.currency, min(b.day) as first_day, max(b.day) as last_day
          from (select customer_id, currency, min(day) as lo, max(day) as hi from old_rows
                where state = 'open' group by 1, 2) o
          join generator_totals t on (t.customer_id, t.currency) = (o.customer_id, o.currency)
               and (o.lo <= t.first_day or o.hi >= t.last_day)
          join billable_items b on b.customer_id = o.customer_id and b.state = 'open'
               and b.currency = o.currency
          group by 1, 2) d
    where (g.customer_id, g.currency) = (d.customer_id, d.currency);
 end if;
if TG_OP = 'DELETE' then 
    insert into generator_totals as g (customer_id, currency, items, total, draft_items,
                                       draft_total, first_day, last_day)
    select customer_id, currency,
           coalesce(sum(sign) filter (where not in_draft), 0),
           coalesce(sum(sign * revenue) filter (where not in_draft), 0),
           coalesce(sum(sign) filter (where in_draft), 0),
           coalesce(sum(sign * revenue) filter (where in_draft), 0),
           min(day) filter (where sign > 0), max(day) filter (where sign > 0)
    from (select customer_id, currency, day, revenue, draft_id is not null, -1 from old_rows where state = 'open') as c(customer_id, currency, day, revenue, in_draft, sign)
    group by customer_id, currency
    on conflict (customer_id, currency) do update set
        items = g.items + excluded.items, total = g.total + excluded.total,
        draft_items = g.draft_items + excluded.draft_items,
        draft_total = g.draft_total + excluded.draft_total,
        first_day = least(g.first_day, excluded.first_day),
        last_day = greatest(g.last_day, excluded.last_day);

    delete from generator_totals g using (select distinct customer_id, currency from old_rows
                                          where state = 'open') o
    where (g.customer_id, g.currency) = (o.customer_id, o.currency)
      and g.items = 0 and g.draft_items = 0;
    update generator_totals g set first_day = d.first_day, last_day = d.last_day
    from (select o.customer_id, o.currency, min(b.day) as first_day, max(b.day) as last_day
          from (select customer_id, currency, min(day) as lo, max(day) as hi from old_rows
                where state = 'open' group by 1, 2) o
          join generator_totals t on (t.customer_id, t.currency) = (o.customer_id, o.currency)
               and (o.lo <= t.first_day or o.hi >= t.last_day)
          join billable_items b on b.customer_id = o.customer_id and b.state = 'open'
               and b.currency = o.currency
          group by 1, 2) d
    where (g.customer_id, g.currency) = (d.customer_id, d.currency);
 end if;
return null;
end $$
