md5(string_agg(item_id::text || '/' || units || '/' || revenue, ',' order by item_id))
