//! The SQLite store: facilities, where each came from, and everything that
//! ever changed about them.
//!
//! diesel is used here and nowhere else. The schema lives in `migrations/`
//! (embedded, run on open); every connection has foreign keys on, WAL and a
//! busy timeout.
//!
//! Invariants:
//! - `facilities.data` (the domain [`Facility`] as JSON) is the truth; the
//!   other columns of `facilities` are projections of it written by
//!   [`Projection::of`] in the same statement.
//! - Every write to a facility bumps `meta.seq` and stores it in
//!   `facilities.seq`, so the search index can catch up with
//!   [`Store::changed_since`].
//! - Every change to a field is in `changes` with its before and after.
//! - A field in `edited_fields` is never written by an import.

mod import;
mod schema;

use chrono::{NaiveDate, SecondsFormat, Utc};
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool, PooledConnection};
use diesel::sqlite::SqliteConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use serde::Serialize;
use std::path::Path;
use std::time::Duration;

pub use import::Importer;
use schema::{changes, datasets, edited_fields, facilities, facility_codes, facility_records, meta};
use tsunagi_domain::merge::{self, FieldChange, MatchReason, Stamp};
use tsunagi_domain::{Facility, normalize};

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot open the database {path}: {reason}")]
    Open { path: String, reason: String },
    #[error("cannot bring the database schema up to date: {0}")]
    Migration(String),
    #[error("facility {0} does not exist")]
    NotFound(i64),
    #[error(transparent)]
    Edit(#[from] merge::EditError),
    #[error("database error: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("database connection pool: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    #[error("stored facility {id} cannot be read: {reason}")]
    Corrupt { id: i64, reason: String },
    /// The caller's closure failed inside a transaction (never escapes).
    #[error("transaction aborted by the caller")]
    Aborted,
}

impl Error {
    /// Errors caused by what the user asked for, as opposed to failures.
    pub fn is_user_error(&self) -> bool {
        matches!(self, Error::NotFound(_) | Error::Edit(_))
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug)]
struct Pragmas;

impl CustomizeConnection<SqliteConnection, diesel::r2d2::Error> for Pragmas {
    fn on_acquire(&self, conn: &mut SqliteConnection) -> Result<(), diesel::r2d2::Error> {
        diesel::sql_query(
            "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; \
             PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;",
        )
        .execute(conn)
        .map(|_| ())
        .map_err(diesel::r2d2::Error::QueryError)
    }
}

/// A handle on one database file. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: Pool<ConnectionManager<SqliteConnection>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").finish_non_exhaustive()
    }
}

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Today in Japan, where the listings are.
pub fn today_jst() -> NaiveDate {
    (Utc::now() + chrono::Duration::hours(9)).date_naive()
}

impl Store {
    /// Opens (creating if needed) the database file and migrates it.
    pub fn open(path: &Path) -> Result<Store> {
        let open_err = |reason: String| Error::Open { path: path.display().to_string(), reason };
        if let Some(dir) = path.parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).map_err(|e| open_err(e.to_string()))?;
        }
        let manager = ConnectionManager::<SqliteConnection>::new(path.to_string_lossy());
        let pool = Pool::builder()
            .max_size(8)
            .connection_timeout(Duration::from_secs(30))
            .connection_customizer(Box::new(Pragmas))
            .build(manager)
            .map_err(|e| open_err(e.to_string()))?;
        let store = Store { pool };
        store.conn()?.run_pending_migrations(MIGRATIONS).map_err(|e| Error::Migration(e.to_string()))?;
        Ok(store)
    }

    fn conn(&self) -> Result<PooledConnection<ConnectionManager<SqliteConnection>>> {
        Ok(self.pool.get()?)
    }

    /// Imports one file in one transaction: `f` feeds records to the
    /// writer; if it fails, nothing of the file is kept.
    pub fn import<T, E: From<Error>>(
        &self,
        dataset: &NewDataset,
        f: impl FnOnce(&mut Importer<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut conn = self.conn()?;
        let mut failure: Option<E> = None;
        let result = conn.immediate_transaction::<T, Error, _>(|conn| {
            let (id, date) = upsert_dataset(conn, dataset)?;
            let verified_by = format!("公開データ: {}", dataset.title.as_deref().unwrap_or(&dataset.file_name));
            let mut importer = Importer::start(conn, Stamp { dataset: id, date, line: 0 }, verified_by, now())?;
            let out = f(&mut importer).map_err(|e| {
                failure = Some(e);
                Error::Aborted
            })?;
            importer.end()?;
            Ok(out)
        });
        match (result, failure) {
            (Ok(t), _) => Ok(t),
            (Err(_), Some(e)) => Err(e),
            (Err(e), None) => Err(E::from(e)),
        }
    }

    pub fn get(&self, id: i64) -> Result<Option<StoredFacility>> {
        let mut conn = self.conn()?;
        let row: Option<FacilityRow> =
            facilities::table.find(id).select(FacilityRow::as_select()).first(&mut conn).optional()?;
        let Some(row) = row else { return Ok(None) };
        let edited: Vec<String> = edited_fields::table
            .filter(edited_fields::facility_id.eq(id))
            .select(edited_fields::field)
            .load(&mut conn)?;
        let mut stored = row.into_stored()?;
        stored.edited_fields = edited;
        Ok(Some(stored))
    }

    /// The facilities with these ids (deleted ones left out), in id order.
    pub fn get_many(&self, ids: &[i64]) -> Result<Vec<StoredFacility>> {
        let mut conn = self.conn()?;
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let rows: Vec<FacilityRow> = facilities::table
                .filter(facilities::id.eq_any(chunk))
                .filter(facilities::deleted_at.is_null())
                .order(facilities::id)
                .select(FacilityRow::as_select())
                .load(&mut conn)?;
            for r in rows {
                out.push(r.into_stored()?);
            }
        }
        out.sort_by_key(|f| f.id);
        Ok(out)
    }

    /// Every facility that is not deleted, in id order, read a batch at a
    /// time (the whole set never sits in memory). Stops after an error.
    pub fn facilities(&self) -> Result<impl Iterator<Item = Result<StoredFacility>> + use<>> {
        let mut conn = self.conn()?;
        let mut last = 0i64;
        let mut batch = std::collections::VecDeque::new();
        let mut failed = false;
        Ok(std::iter::from_fn(move || {
            if failed {
                return None;
            }
            if batch.is_empty() {
                let rows = facilities::table
                    .filter(facilities::id.gt(last))
                    .filter(facilities::deleted_at.is_null())
                    .order(facilities::id)
                    .limit(2000)
                    .select(FacilityRow::as_select())
                    .load::<FacilityRow>(&mut conn);
                match rows {
                    Ok(rows) => batch.extend(rows),
                    Err(e) => {
                        failed = true;
                        return Some(Err(e.into()));
                    }
                }
                last = batch.back()?.id;
            }
            let row = batch.pop_front()?.into_stored();
            failed = row.is_err();
            Some(row)
        }))
    }

    /// Facilities written after `seq` (deleted ones included, so that an
    /// index can drop them), oldest change first.
    pub fn changed_since(&self, seq: i64) -> Result<Vec<StoredFacility>> {
        let mut conn = self.conn()?;
        facilities::table
            .filter(facilities::seq.gt(seq))
            .order(facilities::seq)
            .select(FacilityRow::as_select())
            .load::<FacilityRow>(&mut conn)?
            .into_iter()
            .map(FacilityRow::into_stored)
            .collect()
    }

    /// The sequence number of the latest write.
    pub fn seq(&self) -> Result<i64> {
        let mut conn = self.conn()?;
        Ok(meta::table.find("seq").select(meta::value).first(&mut conn)?)
    }

    /// Ids of all facilities that are not deleted, ascending.
    pub fn ids(&self) -> Result<Vec<i64>> {
        let mut conn = self.conn()?;
        Ok(facilities::table
            .filter(facilities::deleted_at.is_null())
            .order(facilities::id)
            .select(facilities::id)
            .load(&mut conn)?)
    }

    pub fn count(&self) -> Result<i64> {
        let mut conn = self.conn()?;
        Ok(facilities::table.filter(facilities::deleted_at.is_null()).count().get_result(&mut conn)?)
    }

    /// The source records a facility was built from, newest dataset first.
    pub fn sources(&self, id: i64) -> Result<Vec<SourceRecord>> {
        let mut conn = self.conn()?;
        let rows: Vec<(i64, i64, String, DatasetRow)> = facility_records::table
            .inner_join(datasets::table)
            .filter(facility_records::facility_id.eq(id))
            .order((datasets::dataset_date.desc(), facility_records::line))
            .select((
                facility_records::dataset_id,
                facility_records::line,
                facility_records::raw,
                DatasetRow::as_select(),
            ))
            .load(&mut conn)?;
        Ok(rows
            .into_iter()
            .map(|(_, line, raw, ds)| SourceRecord {
                dataset: ds.into(),
                line,
                raw: serde_json::from_str(&raw).unwrap_or(serde_json::Value::Null),
            })
            .collect())
    }

    /// Every dataset ever imported, newest first.
    pub fn datasets(&self) -> Result<Vec<Dataset>> {
        let mut conn = self.conn()?;
        Ok(datasets::table
            .order((datasets::dataset_date.desc(), datasets::id))
            .select(DatasetRow::as_select())
            .load::<DatasetRow>(&mut conn)?
            .into_iter()
            .map(Dataset::from)
            .collect())
    }

    /// The history of one facility, oldest first.
    pub fn history(&self, id: i64) -> Result<Vec<Change>> {
        let mut conn = self.conn()?;
        let rows: Vec<ChangeRow> = changes::table
            .filter(changes::facility_id.eq(id))
            .order(changes::id)
            .select(ChangeRow::as_select())
            .load(&mut conn)?;
        Ok(rows.into_iter().map(Change::from).collect())
    }

    /// A staff edit of one field. The field is then locked against imports.
    pub fn edit(
        &self,
        id: i64,
        field: &str,
        value: Option<serde_json::Value>,
        actor: &str,
    ) -> Result<Option<FieldChange>> {
        let mut conn = self.conn()?;
        conn.immediate_transaction(|conn| {
            let row = load_row(conn, id)?;
            let mut stored = row.into_stored()?;
            let Some(change) = merge::set_field(&mut stored.facility, field, value)? else {
                return Ok(None);
            };
            let at = now();
            let seq = next_seq(conn)?;
            diesel::update(facilities::table.find(id))
                .set((Projection::of(&stored.facility), facilities::edited_at.eq(&at), facilities::seq.eq(seq)))
                .execute(conn)?;
            diesel::replace_into(edited_fields::table)
                .values((
                    edited_fields::facility_id.eq(id),
                    edited_fields::field.eq(field),
                    edited_fields::edited_at.eq(&at),
                    edited_fields::edited_by.eq(actor),
                ))
                .execute(conn)?;
            if field == "codes" {
                insert_codes(conn, id, &stored.facility)?;
            }
            record_change(conn, id, &at, actor, None, "edit", Some(&change), None)?;
            Ok(Some(change))
        })
    }

    /// Records that a person confirmed the listing is right today.
    pub fn verify(&self, id: i64, actor: &str, on: NaiveDate) -> Result<()> {
        let mut conn = self.conn()?;
        conn.immediate_transaction(|conn| {
            load_row(conn, id)?;
            let seq = next_seq(conn)?;
            diesel::update(facilities::table.find(id))
                .set((
                    facilities::verified_on.eq(on.to_string()),
                    facilities::verified_by.eq(actor),
                    facilities::seq.eq(seq),
                ))
                .execute(conn)?;
            record_change(conn, id, &now(), actor, None, "verify", None, Some(&on.to_string()))
        })
    }

    /// Hides a facility (closed, duplicate …); it stays in the history and
    /// re-imports recognise it instead of adding it again.
    pub fn delete(&self, id: i64, actor: &str, reason: &str) -> Result<()> {
        self.set_deleted(id, actor, Some(reason))
    }

    pub fn restore(&self, id: i64, actor: &str) -> Result<()> {
        self.set_deleted(id, actor, None)
    }

    fn set_deleted(&self, id: i64, actor: &str, reason: Option<&str>) -> Result<()> {
        let mut conn = self.conn()?;
        conn.immediate_transaction(|conn| {
            load_row(conn, id)?;
            let at = now();
            let seq = next_seq(conn)?;
            diesel::update(facilities::table.find(id))
                .set((
                    facilities::deleted_at.eq(reason.map(|_| at.clone())),
                    facilities::edited_at.eq(&at),
                    facilities::seq.eq(seq),
                ))
                .execute(conn)?;
            let action = if reason.is_some() { "delete" } else { "restore" };
            record_change(conn, id, &at, actor, None, action, None, reason)
        })
    }
}

/// A source file about to be imported.
#[derive(Debug, Clone)]
pub struct NewDataset {
    pub sha256: String,
    pub path: String,
    pub file_name: String,
    pub format: String,
    pub encoding: String,
    pub title: Option<String>,
    pub publisher: Option<String>,
    pub licence: Option<String>,
    pub attribution: Option<String>,
    pub source_url: Option<String>,
    pub dataset_date: NaiveDate,
}

#[derive(Debug, Clone, Serialize)]
pub struct Dataset {
    pub id: i64,
    pub sha256: String,
    pub path: String,
    pub file_name: String,
    pub format: String,
    pub encoding: String,
    pub title: Option<String>,
    pub publisher: Option<String>,
    pub licence: Option<String>,
    pub attribution: Option<String>,
    pub source_url: Option<String>,
    pub dataset_date: String,
    pub rows: i64,
    pub imported: i64,
    pub merged: i64,
    pub skipped: i64,
    pub problems: serde_json::Value,
    pub first_imported_at: String,
    pub last_imported_at: String,
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = datasets, check_for_backend(diesel::sqlite::Sqlite))]
struct DatasetRow {
    id: i64,
    sha256: String,
    path: String,
    file_name: String,
    format: String,
    encoding: String,
    title: Option<String>,
    publisher: Option<String>,
    licence: Option<String>,
    attribution: Option<String>,
    source_url: Option<String>,
    dataset_date: String,
    rows: i64,
    imported: i64,
    merged: i64,
    skipped: i64,
    problems: String,
    first_imported_at: String,
    last_imported_at: String,
}

impl From<DatasetRow> for Dataset {
    fn from(r: DatasetRow) -> Dataset {
        Dataset {
            id: r.id,
            sha256: r.sha256,
            path: r.path,
            file_name: r.file_name,
            format: r.format,
            encoding: r.encoding,
            title: r.title,
            publisher: r.publisher,
            licence: r.licence,
            attribution: r.attribution,
            source_url: r.source_url,
            dataset_date: r.dataset_date,
            rows: r.rows,
            imported: r.imported,
            merged: r.merged,
            skipped: r.skipped,
            problems: serde_json::from_str(&r.problems).unwrap_or_default(),
            first_imported_at: r.first_imported_at,
            last_imported_at: r.last_imported_at,
        }
    }
}

/// One published record behind a facility.
#[derive(Debug, Clone, Serialize)]
pub struct SourceRecord {
    pub dataset: Dataset,
    pub line: i64,
    /// Column header → value as published.
    pub raw: serde_json::Value,
}

/// A facility as stored, with its bookkeeping.
#[derive(Debug, Clone, Serialize)]
pub struct StoredFacility {
    pub id: i64,
    pub facility: Facility,
    pub created_at: String,
    pub edited_at: String,
    pub verified_on: Option<NaiveDate>,
    pub verified_by: Option<String>,
    pub deleted: bool,
    pub seq: i64,
    /// Fields a person edited (filled by [`Store::get`] only).
    pub edited_fields: Vec<String>,
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = facilities, check_for_backend(diesel::sqlite::Sqlite))]
struct FacilityRow {
    id: i64,
    data: String,
    created_at: String,
    edited_at: String,
    verified_on: Option<String>,
    verified_by: Option<String>,
    deleted_at: Option<String>,
    seq: i64,
}

impl FacilityRow {
    fn into_stored(self) -> Result<StoredFacility> {
        let facility =
            serde_json::from_str(&self.data).map_err(|e| Error::Corrupt { id: self.id, reason: e.to_string() })?;
        Ok(StoredFacility {
            id: self.id,
            facility,
            created_at: self.created_at,
            edited_at: self.edited_at,
            verified_on: self.verified_on.and_then(|d| d.parse().ok()),
            verified_by: self.verified_by,
            deleted: self.deleted_at.is_some(),
            seq: self.seq,
            edited_fields: Vec::new(),
        })
    }
}

/// The columns of `facilities` derived from its `data`.
#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = facilities, treat_none_as_null = true)]
pub(crate) struct Projection {
    data: String,
    name: String,
    pub(crate) name_key: String,
    primary_category: Option<String>,
    pub(crate) address_key: Option<String>,
    pub(crate) phone_key: Option<String>,
    municipality_code: Option<String>,
    care_area: Option<String>,
    lat: Option<f64>,
    lng: Option<f64>,
    visibility: String,
}

impl Projection {
    pub(crate) fn of(f: &Facility) -> Projection {
        let visibility = serde_json::to_value(f.visibility)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_else(|| "public".into());
        Projection {
            data: serde_json::to_string(f).unwrap_or_default(),
            name: f.name.clone(),
            name_key: normalize::name_key(&f.name),
            primary_category: f.primary_category().map(|c| c.id().to_string()),
            address_key: f.address.full.as_deref().map(normalize::address_key).filter(|k| !k.is_empty()),
            phone_key: f.phone.as_deref().and_then(normalize::phone_key),
            municipality_code: f.address.municipality_code.clone(),
            care_area: f.care_area.clone(),
            lat: f.point().map(|p| p.lat),
            lng: f.point().map(|p| p.lng),
            visibility,
        }
    }
}

/// One record to fold into the store.
#[derive(Debug, Clone)]
pub struct Incoming {
    pub facility: Facility,
    /// The source lines it was read from, with their published values
    /// (a JSON object of header → value).
    pub records: Vec<(u32, String)>,
    /// Only complete a facility already known (detail tables such as the
    /// 診療科・診療時間票); never create one.
    pub existing_only: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// A new facility. `code_conflicts` are codes it shares with another
    /// facility that it was found not to be (an error in the source).
    Created {
        id: i64,
        code_conflicts: Vec<(tsunagi_domain::Code, i64)>,
    },
    Merged {
        id: i64,
        reason: MatchReason,
        changed: usize,
    },
    /// `existing_only` and nothing matched.
    NoMatch,
}

/// Totals of one file's import, written to its dataset row.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Counts {
    pub rows: i64,
    pub imported: i64,
    pub merged: i64,
    pub skipped: i64,
}

fn upsert_dataset(conn: &mut SqliteConnection, d: &NewDataset) -> Result<(i64, NaiveDate)> {
    let at = now();
    let existing: Option<(i64, String)> = datasets::table
        .filter(datasets::sha256.eq(&d.sha256))
        .select((datasets::id, datasets::dataset_date))
        .first(conn)
        .optional()?;
    if let Some((id, date)) = existing {
        diesel::update(datasets::table.find(id))
            .set((datasets::last_imported_at.eq(&at), datasets::path.eq(&d.path)))
            .execute(conn)?;
        return Ok((id, date.parse().unwrap_or(d.dataset_date)));
    }
    let id = diesel::insert_into(datasets::table)
        .values((
            datasets::sha256.eq(&d.sha256),
            datasets::path.eq(&d.path),
            datasets::file_name.eq(&d.file_name),
            datasets::format.eq(&d.format),
            datasets::encoding.eq(&d.encoding),
            datasets::title.eq(&d.title),
            datasets::publisher.eq(&d.publisher),
            datasets::licence.eq(&d.licence),
            datasets::attribution.eq(&d.attribution),
            datasets::source_url.eq(&d.source_url),
            datasets::dataset_date.eq(d.dataset_date.to_string()),
            datasets::first_imported_at.eq(&at),
            datasets::last_imported_at.eq(&at),
        ))
        .returning(datasets::id)
        .get_result(conn)?;
    Ok((id, d.dataset_date))
}

fn load_row(conn: &mut SqliteConnection, id: i64) -> Result<FacilityRow> {
    facilities::table.find(id).select(FacilityRow::as_select()).first(conn).optional()?.ok_or(Error::NotFound(id))
}

fn next_seq(conn: &mut SqliteConnection) -> Result<i64> {
    Ok(diesel::update(meta::table.find("seq"))
        .set(meta::value.eq(meta::value + 1))
        .returning(meta::value)
        .get_result(conn)?)
}

fn insert_codes(conn: &mut SqliteConnection, id: i64, f: &Facility) -> Result<()> {
    for c in &f.codes {
        diesel::insert_or_ignore_into(facility_codes::table)
            .values((
                facility_codes::scheme.eq(c.scheme.id()),
                facility_codes::value.eq(&c.value),
                facility_codes::facility_id.eq(id),
            ))
            .execute(conn)?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn record_change(
    conn: &mut SqliteConnection,
    id: i64,
    at: &str,
    actor: &str,
    dataset: Option<i64>,
    action: &str,
    change: Option<&FieldChange>,
    note: Option<&str>,
) -> Result<()> {
    let json = |v: &Option<serde_json::Value>| v.as_ref().map(|v| v.to_string());
    diesel::insert_into(changes::table)
        .values((
            changes::facility_id.eq(id),
            changes::at.eq(at),
            changes::actor.eq(actor),
            changes::dataset_id.eq(dataset),
            changes::action.eq(action),
            changes::field.eq(change.map(|c| c.field.as_str())),
            changes::before.eq(change.and_then(|c| json(&c.before))),
            changes::after.eq(change.and_then(|c| json(&c.after))),
            changes::note.eq(note),
        ))
        .execute(conn)?;
    Ok(())
}

/// One entry of a facility's history.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub dataset_id: Option<i64>,
    pub action: String,
    pub field: Option<String>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub note: Option<String>,
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = changes, check_for_backend(diesel::sqlite::Sqlite))]
struct ChangeRow {
    id: i64,
    at: String,
    actor: String,
    dataset_id: Option<i64>,
    action: String,
    field: Option<String>,
    before: Option<String>,
    after: Option<String>,
    note: Option<String>,
}

impl From<ChangeRow> for Change {
    fn from(r: ChangeRow) -> Change {
        let parse = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
        Change {
            id: r.id,
            at: r.at,
            actor: r.actor,
            dataset_id: r.dataset_id,
            action: r.action,
            field: r.field,
            before: parse(r.before),
            after: parse(r.after),
            note: r.note,
        }
    }
}

#[cfg(test)]
mod tests;
