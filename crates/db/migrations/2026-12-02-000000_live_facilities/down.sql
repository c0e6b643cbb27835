DROP INDEX facilities_live;
