//! Writing one file's records inside its transaction.
//!
//! Matching a record against every stored facility must not cost a query
//! per key: the importer reads the matching keys of all facilities once
//! (codes, name keys, phone and address keys, points) and keeps them up to
//! date as it writes, so a record costs hash lookups, the loading of the
//! few candidates that share a key, and its own writes. The write sequence
//! is counted in memory and stored once at the end.

use std::collections::{BTreeSet, HashMap, HashSet};

use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;
use tsunagi_domain::merge::{self, FieldSources, MatchReason, Stamp};
use tsunagi_domain::{Code, Facility, GeoPoint};

use crate::schema::{datasets, edited_fields, facilities, facility_codes, facility_records, meta};
use crate::{Applied, Counts, Error, Incoming, Projection, Result, record_change};

/// What a stored facility can be matched by.
#[derive(Debug, Clone)]
struct Meta {
    address_key: Option<String>,
    phone_key: Option<String>,
    point: Option<GeoPoint>,
}

#[derive(Debug, Default)]
struct Keys {
    codes: HashMap<(String, String), i64>,
    names: HashMap<String, Vec<i64>>,
    phones: HashMap<String, Vec<i64>>,
    addresses: HashMap<String, Vec<i64>>,
    meta: HashMap<i64, Meta>,
    edited: HashMap<i64, BTreeSet<String>>,
    /// Facilities that already have a record of this file.
    in_this_file: HashSet<i64>,
}

fn push(map: &mut HashMap<String, Vec<i64>>, key: Option<&str>, id: i64) {
    if let Some(k) = key.filter(|k| !k.is_empty()) {
        let ids = map.entry(k.to_string()).or_default();
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
}

impl Keys {
    fn load(conn: &mut SqliteConnection, dataset: i64) -> Result<Keys> {
        let mut k = Keys::default();
        type KeyRow = (i64, String, Option<String>, Option<String>, Option<f64>, Option<f64>);
        let rows: Vec<KeyRow> = facilities::table
            .select((
                facilities::id,
                facilities::name_key,
                facilities::address_key,
                facilities::phone_key,
                facilities::lat,
                facilities::lng,
            ))
            .load(conn)?;
        for (id, name, address_key, phone_key, lat, lng) in rows {
            push(&mut k.names, Some(&name), id);
            push(&mut k.phones, phone_key.as_deref(), id);
            push(&mut k.addresses, address_key.as_deref(), id);
            let point = lat.zip(lng).map(|(a, b)| GeoPoint::new(a, b));
            k.meta.insert(id, Meta { address_key, phone_key, point });
        }
        let codes: Vec<(String, String, i64)> = facility_codes::table
            .select((facility_codes::scheme, facility_codes::value, facility_codes::facility_id))
            .load(conn)?;
        k.codes = codes.into_iter().map(|(s, v, id)| ((s, v), id)).collect();
        let edited: Vec<(i64, String)> =
            edited_fields::table.select((edited_fields::facility_id, edited_fields::field)).load(conn)?;
        for (id, field) in edited {
            k.edited.entry(id).or_default().insert(field);
        }
        k.in_this_file = facility_records::table
            .filter(facility_records::dataset_id.eq(dataset))
            .select(facility_records::facility_id)
            .distinct()
            .load::<i64>(conn)?
            .into_iter()
            .collect();
        Ok(k)
    }

    fn add(&mut self, id: i64, f: &Facility) {
        let p = Projection::of(f);
        push(&mut self.names, Some(&p.name_key), id);
        push(&mut self.phones, p.phone_key.as_deref(), id);
        push(&mut self.addresses, p.address_key.as_deref(), id);
        for c in &f.codes {
            self.codes.entry((c.scheme.id().to_string(), c.value.clone())).or_insert(id);
        }
        self.meta.insert(id, Meta { address_key: p.address_key, phone_key: p.phone_key, point: f.point() });
    }
}

/// Published points of one facility in two lists lie within this box.
const NEAR_DEG: (f64, f64) = (0.003, 0.004);

/// Writes the records of one file inside its transaction.
pub struct Importer<'c> {
    conn: &'c mut SqliteConnection,
    stamp: Stamp,
    verified_by: String,
    now: String,
    seq: i64,
    keys: Keys,
}

impl std::fmt::Debug for Importer<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Importer").field("stamp", &self.stamp).finish_non_exhaustive()
    }
}

impl<'c> Importer<'c> {
    pub(crate) fn start(
        conn: &'c mut SqliteConnection,
        stamp: Stamp,
        verified_by: String,
        now: String,
    ) -> Result<Self> {
        let seq: i64 = meta::table.find("seq").select(meta::value).first(conn)?;
        let keys = Keys::load(conn, stamp.dataset)?;
        Ok(Importer { conn, stamp, verified_by, now, seq, keys })
    }

    /// Stores the write sequence reached.
    pub(crate) fn end(self) -> Result<()> {
        diesel::update(meta::table.find("seq")).set(meta::value.eq(self.seq)).execute(self.conn)?;
        Ok(())
    }

    fn next_seq(&mut self) -> i64 {
        self.seq += 1;
        self.seq
    }

    pub fn dataset_id(&self) -> i64 {
        self.stamp.dataset
    }

    pub fn dataset_date(&self) -> chrono::NaiveDate {
        self.stamp.date
    }

    /// Folds one record into the facility it belongs to, or creates one.
    pub fn apply(&mut self, rec: &Incoming) -> Result<Applied> {
        self.stamp.line = rec.records.first().map_or(0, |(line, _)| *line);
        let (found, code_conflicts) = self.find_match(&rec.facility)?;
        let (applied, id) = match found {
            Some((id, reason)) => {
                let changed = self.merge_into(id, &rec.facility)?;
                (Applied::Merged { id, reason, changed }, id)
            }
            None if rec.existing_only => return Ok(Applied::NoMatch),
            None => {
                let id = self.create(&rec.facility)?;
                (Applied::Created { id, code_conflicts }, id)
            }
        };
        for (line, raw) in &rec.records {
            diesel::replace_into(facility_records::table)
                .values((
                    facility_records::dataset_id.eq(self.stamp.dataset),
                    facility_records::line.eq(*line as i64),
                    facility_records::facility_id.eq(id),
                    facility_records::raw.eq(raw),
                ))
                .execute(self.conn)?;
        }
        self.keys.in_this_file.insert(id);
        Ok(applied)
    }

    /// Stores the totals and problems of the file.
    pub fn finish(&mut self, counts: &Counts, problems: &serde_json::Value) -> Result<()> {
        diesel::update(datasets::table.find(self.stamp.dataset))
            .set((
                datasets::rows.eq(counts.rows),
                datasets::imported.eq(counts.imported),
                datasets::merged.eq(counts.merged),
                datasets::skipped.eq(counts.skipped),
                datasets::problems.eq(problems.to_string()),
            ))
            .execute(self.conn)?;
        Ok(())
    }

    /// Facilities that share a key with `f` and could be it: by code; by
    /// name with the same address, phone or a point close by (a chain name
    /// shared by hundreds of pharmacies costs nothing); by phone or
    /// address (for names written differently).
    fn candidates(&self, f: &Facility) -> (Vec<i64>, Vec<(Code, i64)>) {
        let k = &self.keys;
        let p = Projection::of(f);
        let mut ids = Vec::new();
        let mut owners = Vec::new();
        for c in &f.codes {
            if let Some(&id) = k.codes.get(&(c.scheme.id().to_string(), c.value.clone())) {
                ids.push(id);
                owners.push((c.clone(), id));
            }
        }
        let point = f.point();
        for &id in k.names.get(&p.name_key).into_iter().flatten() {
            let Some(m) = k.meta.get(&id) else { continue };
            let same = |a: &Option<String>, b: &Option<String>| a.is_some() && a == b;
            let near = match (m.point, point) {
                (Some(a), Some(b)) => (a.lat - b.lat).abs() <= NEAR_DEG.0 && (a.lng - b.lng).abs() <= NEAR_DEG.1,
                _ => false,
            };
            if same(&m.address_key, &p.address_key) || same(&m.phone_key, &p.phone_key) || near {
                ids.push(id);
            }
        }
        for key in [&p.phone_key, &p.address_key].into_iter().flatten() {
            let map = if Some(key) == p.phone_key.as_ref() { &k.phones } else { &k.addresses };
            ids.extend(map.get(key).into_iter().flatten().take(20));
        }
        ids.sort_unstable();
        ids.dedup();
        (ids, owners)
    }

    /// The facility `f` belongs to, if any. Within one file, rows with
    /// different names (or the same name at other addresses) are the
    /// publisher's separate entries: only a code or the same name with the
    /// same address or phone joins them.
    #[allow(clippy::type_complexity)]
    fn find_match(&mut self, f: &Facility) -> Result<(Option<(i64, MatchReason)>, Vec<(Code, i64)>)> {
        let (ids, owners) = self.candidates(f);
        let mut best: Option<(MatchReason, f64, i64)> = None;
        for id in ids {
            let data: String = facilities::table.find(id).select(facilities::data).first(self.conn)?;
            let existing: Facility =
                serde_json::from_str(&data).map_err(|e| Error::Corrupt { id, reason: e.to_string() })?;
            let Some(reason) = merge::same_facility(&existing, f) else { continue };
            if reason >= MatchReason::NameAndPlace && self.keys.in_this_file.contains(&id) {
                continue;
            }
            let dist = existing.point().zip(f.point()).map_or(f64::MAX, |(a, b)| a.distance_m(b));
            if best.is_none_or(|(r, d, i)| (reason, dist, id) < (r, d, i)) {
                best = Some((reason, dist, id));
            }
        }
        let found = best.map(|(reason, _, id)| (id, reason));
        Ok((found, if found.is_some() { Vec::new() } else { owners }))
    }

    fn insert_codes(&mut self, id: i64, f: &Facility) -> Result<()> {
        for c in &f.codes {
            if self.keys.codes.contains_key(&(c.scheme.id().to_string(), c.value.clone())) {
                continue;
            }
            diesel::insert_or_ignore_into(facility_codes::table)
                .values((
                    facility_codes::scheme.eq(c.scheme.id()),
                    facility_codes::value.eq(&c.value),
                    facility_codes::facility_id.eq(id),
                ))
                .execute(self.conn)?;
        }
        Ok(())
    }

    fn create(&mut self, f: &Facility) -> Result<i64> {
        let seq = self.next_seq();
        let sources: FieldSources = merge::fields(f).keys().map(|k| (k.clone(), self.stamp)).collect();
        let id: i64 = diesel::insert_into(facilities::table)
            .values((
                Projection::of(f),
                facilities::field_sources.eq(serde_json::to_string(&sources).unwrap_or_default()),
                facilities::created_at.eq(&self.now),
                facilities::edited_at.eq(&self.now),
                facilities::verified_on.eq(self.stamp.date.to_string()),
                facilities::verified_by.eq(&self.verified_by),
                facilities::seq.eq(seq),
            ))
            .returning(facilities::id)
            .get_result(self.conn)?;
        self.insert_codes(id, f)?;
        self.keys.add(id, f);
        let now = self.now.clone();
        record_change(self.conn, id, &now, "import", Some(self.stamp.dataset), "create", None, None)?;
        Ok(id)
    }

    /// Merges `incoming` into facility `id`; returns the number of fields changed.
    fn merge_into(&mut self, id: i64, incoming: &Facility) -> Result<usize> {
        let (data, sources_json, verified_on): (String, String, Option<String>) = facilities::table
            .find(id)
            .select((facilities::data, facilities::field_sources, facilities::verified_on))
            .first(self.conn)?;
        let mut current: Facility =
            serde_json::from_str(&data).map_err(|e| Error::Corrupt { id, reason: e.to_string() })?;
        let mut sources: FieldSources = serde_json::from_str(&sources_json).unwrap_or_default();
        let empty = BTreeSet::new();
        let locked = self.keys.edited.get(&id).unwrap_or(&empty);
        let changes = merge::merge(&mut current, &mut sources, incoming, self.stamp, locked);
        let new_sources = serde_json::to_string(&sources).unwrap_or_default();
        let date = self.stamp.date.to_string();
        let newer_verification = verified_on.as_deref().is_none_or(|v| v < date.as_str());
        if changes.is_empty() && new_sources == sources_json && !newer_verification {
            return Ok(0);
        }
        let seq = self.next_seq();
        let verified_on = if newer_verification { Some(date) } else { verified_on };
        let verified_by: Option<String> = if newer_verification { Some(self.verified_by.clone()) } else { None };
        if changes.is_empty() {
            diesel::update(facilities::table.find(id))
                .set((
                    facilities::field_sources.eq(&new_sources),
                    facilities::seq.eq(seq),
                    facilities::verified_on.eq(&verified_on),
                ))
                .execute(self.conn)?;
        } else {
            diesel::update(facilities::table.find(id))
                .set((
                    Projection::of(&current),
                    facilities::field_sources.eq(&new_sources),
                    facilities::edited_at.eq(&self.now),
                    facilities::seq.eq(seq),
                    facilities::verified_on.eq(&verified_on),
                ))
                .execute(self.conn)?;
            self.insert_codes(id, &current)?;
            self.keys.add(id, &current);
            let now = self.now.clone();
            for c in &changes {
                record_change(self.conn, id, &now, "import", Some(self.stamp.dataset), "update", Some(c), None)?;
            }
        }
        if let Some(by) = verified_by {
            diesel::update(facilities::table.find(id)).set(facilities::verified_by.eq(by)).execute(self.conn)?;
        }
        Ok(changes.len())
    }
}
