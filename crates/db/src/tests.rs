//! Store tests on a fresh temporary SQLite file each.

use super::*;
use diesel::sql_types::{BigInt, Text};
use tsunagi_domain::{GeoPoint, GeoPrecision, Location, Service, ServiceOffer};

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("t.sqlite")).unwrap();
    (dir, store)
}

fn dataset(sha: &str, date: &str) -> NewDataset {
    NewDataset {
        sha256: sha.into(),
        path: format!("{sha}.csv"),
        file_name: format!("{sha}.csv"),
        format: "test".into(),
        encoding: "UTF-8".into(),
        title: Some(format!("test {sha}")),
        publisher: None,
        licence: None,
        attribution: None,
        source_url: None,
        dataset_date: date.parse().unwrap(),
    }
}

fn office(name: &str, phone: &str, service: Service) -> Incoming {
    let mut f = Facility::new(name);
    f.phone = Some(phone.into());
    f.address.full = Some("山口県下松市瑞穂町2-21-1".into());
    f.location =
        Some(Location { point: GeoPoint::new(34.0237, 131.8519), precision: GeoPrecision::Source, source: None });
    f.add_service(ServiceOffer::new(service));
    Incoming { facility: f, records: vec![(2, "{}".into())], existing_only: false }
}

fn import(store: &Store, ds: &NewDataset, recs: &[Incoming]) -> Vec<Applied> {
    store
        .import(ds, |w| -> Result<Vec<Applied>> {
            let out = recs.iter().map(|r| w.apply(r)).collect::<Result<Vec<_>>>()?;
            w.finish(&Counts::default(), &serde_json::json!([]))?;
            Ok(out)
        })
        .unwrap()
}

#[derive(QueryableByName, Debug, PartialEq)]
struct Snapshot {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    data: String,
    #[diesel(sql_type = Text)]
    edited_at: String,
    #[diesel(sql_type = BigInt)]
    seq: i64,
}

fn snapshot(store: &Store) -> Vec<Snapshot> {
    let mut conn = store.conn().unwrap();
    diesel::sql_query("SELECT id, data, edited_at, seq FROM facilities ORDER BY id").load(&mut conn).unwrap()
}

#[test]
fn migrations_run_up_down_up() {
    let (_dir, store) = store();
    let mut conn = store.conn().unwrap();
    conn.revert_all_migrations(MIGRATIONS).unwrap();
    conn.run_pending_migrations(MIGRATIONS).unwrap();
    assert_eq!(store.count().unwrap(), 0);
}

#[derive(QueryableByName)]
struct ColumnName {
    #[diesel(sql_type = Text)]
    name: String,
}

#[test]
fn schema_matches_migrations() {
    let (_dir, store) = store();
    let mut conn = store.conn().unwrap();
    let mut columns = |table: &str| -> Vec<String> {
        diesel::sql_query(format!("SELECT name FROM pragma_table_info('{table}')"))
            .load::<ColumnName>(&mut conn)
            .unwrap()
            .into_iter()
            .map(|c| c.name)
            .collect()
    };
    fn names(sql: String) -> Vec<String> {
        let list = sql.trim_start_matches("SELECT ").split(" FROM ").next().unwrap().to_string();
        list.split(", ").map(|c| c.rsplit('.').next().unwrap().trim_matches('`').to_string()).collect()
    }
    macro_rules! check {
        ($($t:ident),*) => {$(
            let sql = diesel::debug_query::<diesel::sqlite::Sqlite, _>(&$t::table.select($t::all_columns)).to_string();
            assert_eq!(columns(stringify!($t)), names(sql), "table {}", stringify!($t));
        )*};
    }
    check!(datasets, facilities, facility_codes, facility_records, changes, edited_fields, meta);
}

#[test]
fn rows_of_one_office_fold_into_one_facility() {
    let (_dir, store) = store();
    let ds = dataset("a", "2025-01-01");
    let applied = import(
        &store,
        &ds,
        &[
            office("ニチイケアセンター下松", "0833-41-0000", Service::HomeHelp),
            office("ニチイケアセンター下松", "0833-41-0000", Service::HomeBathing),
            office("ニチイケアセンター下松", "0833-41-0000", Service::DayService),
            office("デイサービスさくら", "0833-41-0000", Service::DayService),
        ],
    );
    assert!(matches!(applied[0], Applied::Created { .. }));
    assert!(matches!(applied[1], Applied::Merged { reason: MatchReason::NameAndAddress, .. }));
    assert!(matches!(applied[2], Applied::Merged { .. }));
    assert!(matches!(applied[3], Applied::Created { .. }), "{:?}", applied[3]);
    assert_eq!(store.count().unwrap(), 2);
    let f = store.get(1).unwrap().unwrap();
    assert_eq!(f.facility.services.len(), 3);
    assert_eq!(f.verified_on, Some("2025-01-01".parse().unwrap()));
}

#[test]
fn reimport_changes_nothing_and_newer_file_updates() {
    let (_dir, store) = store();
    let recs = [office("さくら苑", "0833-43-8123", Service::CareManagement)];
    import(&store, &dataset("a", "2024-02-01"), &recs);
    let before = snapshot(&store);
    let seq = store.seq().unwrap();
    import(&store, &dataset("a", "2024-02-01"), &recs);
    assert_eq!(snapshot(&store), before);
    assert_eq!(store.seq().unwrap(), seq);
    assert_eq!(store.datasets().unwrap().len(), 1);

    let mut newer = office("さくら苑", "0833-43-8123", Service::CareManagement);
    newer.facility.fax = Some("0833-43-8124".into());
    let applied = import(&store, &dataset("b", "2025-01-01"), &[newer]);
    assert!(matches!(applied[0], Applied::Merged { changed: 1, .. }), "{applied:?}");
    assert_eq!(store.count().unwrap(), 1);
    let f = store.get(1).unwrap().unwrap();
    assert_eq!(f.facility.fax.as_deref(), Some("0833-43-8124"));
    assert_eq!(f.verified_on, Some("2025-01-01".parse().unwrap()));
    let history = store.history(1).unwrap();
    assert_eq!(history[0].action, "create");
    let last = history.last().unwrap();
    assert_eq!((last.action.as_str(), last.field.as_deref()), ("update", Some("fax")));
    assert_eq!(last.after, Some(serde_json::json!("0833-43-8124")));
    assert_eq!(store.sources(1).unwrap().len(), 2);
    assert!(store.changed_since(seq).unwrap().iter().any(|f| f.id == 1));
}

#[test]
fn staff_edits_survive_reimports() {
    let (_dir, store) = store();
    let recs = [office("さくら苑", "0833-43-8123", Service::CareManagement)];
    import(&store, &dataset("a", "2024-02-01"), &recs);
    let change = store.edit(1, "phone", Some(serde_json::json!("0833-43-0000")), "staff-a").unwrap().unwrap();
    assert_eq!(change.before, Some(serde_json::json!("0833-43-8123")));
    let mut newer = office("さくら苑", "0833-43-9999", Service::CareManagement);
    newer.facility.fax = Some("0833-43-8124".into());
    import(&store, &dataset("b", "2026-01-01"), &[newer]);
    let f = store.get(1).unwrap().unwrap();
    assert_eq!(f.facility.phone.as_deref(), Some("0833-43-0000"));
    assert_eq!(f.facility.fax.as_deref(), Some("0833-43-8124"));
    assert_eq!(f.edited_fields, vec!["phone".to_string()]);
    let actions: Vec<_> = store.history(1).unwrap().into_iter().map(|c| (c.action, c.actor)).collect();
    assert!(actions.contains(&("edit".into(), "staff-a".into())));

    assert!(matches!(store.edit(1, "colour", None, "x"), Err(Error::Edit(_))));
    assert!(matches!(store.edit(99, "phone", None, "x"), Err(Error::NotFound(99))));
}

#[test]
fn verify_and_delete_are_recorded() {
    let (_dir, store) = store();
    import(&store, &dataset("a", "2024-02-01"), &[office("さくら苑", "0833-43-8123", Service::CareManagement)]);
    store.verify(1, "staff-a", "2026-12-01".parse().unwrap()).unwrap();
    assert_eq!(store.get(1).unwrap().unwrap().verified_by.as_deref(), Some("staff-a"));
    store.delete(1, "staff-a", "閉鎖").unwrap();
    assert_eq!(store.count().unwrap(), 0);
    // A re-import recognises the deleted facility instead of adding it again.
    import(&store, &dataset("b", "2025-01-01"), &[office("さくら苑", "0833-43-8123", Service::CareManagement)]);
    assert_eq!(store.count().unwrap(), 0);
    store.restore(1, "staff-a").unwrap();
    assert_eq!(store.count().unwrap(), 1);
}

#[test]
fn existing_only_records_never_create() {
    let (_dir, store) = store();
    let mut rec = office("x", "0833-43-8123", Service::CareManagement);
    rec.existing_only = true;
    assert_eq!(import(&store, &dataset("a", "2024-02-01"), &[rec]), vec![Applied::NoMatch]);
    assert_eq!(store.count().unwrap(), 0);
}

#[test]
fn a_failed_import_writes_nothing() {
    let (_dir, store) = store();
    let result: Result<(), Error> = store.import(&dataset("a", "2024-02-01"), |w| {
        w.apply(&office("さくら苑", "0833-43-8123", Service::CareManagement))?;
        Err(Error::NotFound(0))
    });
    assert!(result.is_err());
    assert_eq!(store.count().unwrap(), 0);
    assert!(store.datasets().unwrap().is_empty());
}
