// The diesel view of migrations/; kept in step with them by the
// `schema_matches_migrations` test.

diesel::table! {
    datasets (id) {
        id -> BigInt,
        sha256 -> Text,
        path -> Text,
        file_name -> Text,
        format -> Text,
        encoding -> Text,
        title -> Nullable<Text>,
        publisher -> Nullable<Text>,
        licence -> Nullable<Text>,
        attribution -> Nullable<Text>,
        source_url -> Nullable<Text>,
        dataset_date -> Text,
        rows -> BigInt,
        imported -> BigInt,
        merged -> BigInt,
        skipped -> BigInt,
        problems -> Text,
        first_imported_at -> Text,
        last_imported_at -> Text,
    }
}

diesel::table! {
    facilities (id) {
        id -> BigInt,
        data -> Text,
        name -> Text,
        name_key -> Text,
        primary_category -> Nullable<Text>,
        address_key -> Nullable<Text>,
        phone_key -> Nullable<Text>,
        municipality_code -> Nullable<Text>,
        care_area -> Nullable<Text>,
        lat -> Nullable<Double>,
        lng -> Nullable<Double>,
        visibility -> Text,
        field_sources -> Text,
        created_at -> Text,
        edited_at -> Text,
        verified_on -> Nullable<Text>,
        verified_by -> Nullable<Text>,
        deleted_at -> Nullable<Text>,
        seq -> BigInt,
    }
}

diesel::table! {
    facility_codes (scheme, value) {
        scheme -> Text,
        value -> Text,
        facility_id -> BigInt,
    }
}

diesel::table! {
    facility_records (dataset_id, line) {
        dataset_id -> BigInt,
        line -> BigInt,
        facility_id -> BigInt,
        raw -> Text,
    }
}

diesel::table! {
    changes (id) {
        id -> BigInt,
        facility_id -> BigInt,
        at -> Text,
        actor -> Text,
        dataset_id -> Nullable<BigInt>,
        action -> Text,
        field -> Nullable<Text>,
        before -> Nullable<Text>,
        after -> Nullable<Text>,
        note -> Nullable<Text>,
    }
}

diesel::table! {
    edited_fields (facility_id, field) {
        facility_id -> BigInt,
        field -> Text,
        edited_at -> Text,
        edited_by -> Text,
    }
}

diesel::table! {
    meta (key) {
        key -> Text,
        value -> BigInt,
    }
}

diesel::joinable!(facility_codes -> facilities (facility_id));
diesel::joinable!(facility_records -> facilities (facility_id));
diesel::joinable!(facility_records -> datasets (dataset_id));
diesel::joinable!(changes -> facilities (facility_id));
diesel::joinable!(edited_fields -> facilities (facility_id));

diesel::allow_tables_to_appear_in_same_query!(
    datasets,
    facilities,
    facility_codes,
    facility_records,
    changes,
    edited_fields,
    meta,
);
