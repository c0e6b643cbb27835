DROP TABLE meta;
DROP TABLE edited_fields;
DROP TABLE changes;
DROP TABLE facility_records;
DROP TABLE facility_codes;
DROP TABLE facilities;
DROP TABLE datasets;
