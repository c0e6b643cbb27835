-- One row per distinct source file (by content). Re-importing the same
-- bytes reuses the row; a changed file is a new dataset.
CREATE TABLE datasets (
    id INTEGER PRIMARY KEY NOT NULL,
    sha256 TEXT NOT NULL UNIQUE,
    path TEXT NOT NULL,
    file_name TEXT NOT NULL,
    format TEXT NOT NULL,
    encoding TEXT NOT NULL,
    title TEXT,
    publisher TEXT,
    licence TEXT,
    attribution TEXT,
    source_url TEXT,
    -- As of when the list is true (YYYY-MM-DD).
    dataset_date TEXT NOT NULL,
    rows INTEGER NOT NULL DEFAULT 0,
    imported INTEGER NOT NULL DEFAULT 0,
    merged INTEGER NOT NULL DEFAULT 0,
    skipped INTEGER NOT NULL DEFAULT 0,
    -- JSON array of the problems found in the last import.
    problems TEXT NOT NULL DEFAULT '[]',
    first_imported_at TEXT NOT NULL,
    last_imported_at TEXT NOT NULL
);

CREATE TABLE facilities (
    id INTEGER PRIMARY KEY NOT NULL,
    -- The domain Facility as JSON: the source of truth. The columns after
    -- it are projections of it, rewritten on every write, for lookups.
    data TEXT NOT NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    primary_category TEXT,
    address_key TEXT,
    phone_key TEXT,
    municipality_code TEXT,
    care_area TEXT,
    lat DOUBLE,
    lng DOUBLE,
    visibility TEXT NOT NULL DEFAULT 'public',
    -- JSON object: field -> {dataset, date} that set its current value.
    field_sources TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL,
    -- Last change of any field, by an import or a person.
    edited_at TEXT NOT NULL,
    -- Last day the listing was confirmed right (YYYY-MM-DD): the date of the
    -- newest dataset that lists it, or the day a staff member checked it.
    verified_on TEXT,
    verified_by TEXT,
    deleted_at TEXT,
    -- Bumped from meta.seq on every write; the search index follows it.
    seq BIGINT NOT NULL
);
CREATE INDEX facilities_name_key ON facilities (name_key);
CREATE INDEX facilities_address_key ON facilities (address_key);
CREATE INDEX facilities_phone_key ON facilities (phone_key);
CREATE INDEX facilities_municipality ON facilities (municipality_code);
CREATE INDEX facilities_seq ON facilities (seq);

-- Official codes; one code belongs to one facility.
CREATE TABLE facility_codes (
    scheme TEXT NOT NULL,
    value TEXT NOT NULL,
    facility_id INTEGER NOT NULL REFERENCES facilities (id) ON DELETE CASCADE,
    PRIMARY KEY (scheme, value)
);
CREATE INDEX facility_codes_facility ON facility_codes (facility_id);

-- Provenance: every source record folded into a facility, as published.
CREATE TABLE facility_records (
    dataset_id INTEGER NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    line INTEGER NOT NULL,
    facility_id INTEGER NOT NULL REFERENCES facilities (id) ON DELETE CASCADE,
    -- JSON object: column header -> published value (non-empty ones).
    raw TEXT NOT NULL,
    PRIMARY KEY (dataset_id, line)
);
CREATE INDEX facility_records_facility ON facility_records (facility_id);

-- The history: who changed what, when, from what to what.
CREATE TABLE changes (
    id INTEGER PRIMARY KEY NOT NULL,
    facility_id INTEGER NOT NULL REFERENCES facilities (id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    -- 'import' or the staff member's name.
    actor TEXT NOT NULL,
    dataset_id INTEGER REFERENCES datasets (id),
    -- create | update | edit | verify | delete | restore
    action TEXT NOT NULL,
    field TEXT,
    before TEXT,
    after TEXT,
    note TEXT
);
CREATE INDEX changes_facility ON changes (facility_id, id);

-- Fields a person edited: imports never overwrite them.
CREATE TABLE edited_fields (
    facility_id INTEGER NOT NULL REFERENCES facilities (id) ON DELETE CASCADE,
    field TEXT NOT NULL,
    edited_at TEXT NOT NULL,
    edited_by TEXT NOT NULL,
    PRIMARY KEY (facility_id, field)
);

CREATE TABLE meta (
    key TEXT PRIMARY KEY NOT NULL,
    value BIGINT NOT NULL
);
INSERT INTO meta (key, value) VALUES ('seq', 0);
