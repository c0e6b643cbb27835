-- Counting the live facilities (health checks, status) reads this index,
-- not every row of a national table.
CREATE INDEX facilities_live ON facilities (deleted_at);
