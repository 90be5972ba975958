-- 0006: nothing to add on PostgreSQL: every primary key is (council_id, id),
-- which is what store_list walks. Kept so both backends number alike.
SELECT 1;
