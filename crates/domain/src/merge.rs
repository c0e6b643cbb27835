//! Recognising one facility in two records, and folding a record into it.
//!
//! Recognition ([`same_facility`]) uses official codes first, then the
//! normalised name with the address, the place or the phone number.
//!
//! Folding ([`merge`]) works field by field on the JSON form of
//! [`Facility`]. A field takes the incoming value when the incoming value is
//! not empty, no staff member has edited the field, and the incoming
//! dataset is at least as new as the one that set the current value.
//! Lists that grow from several sources (categories, services, codes,
//! capabilities, departments, attributes) are united instead. A point is
//! only replaced by one at least as precise. Every change is returned so the
//! caller can write it to the history.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

use crate::facility::{CodeScheme, Facility, Location, ServiceOffer, merge_offer};
use crate::normalize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchReason {
    /// Same official code (strongest).
    Code,
    /// Same name and same address.
    NameAndAddress,
    /// Same name and the same phone number.
    NameAndPhone,
    /// Same name, points close together.
    NameAndPlace,
    /// One name contains the other, and the same phone or address.
    SimilarNameAndContact,
}

/// Points further apart than this are two facilities, whatever the names say.
const FAR_APART_M: f64 = 3_000.0;
/// Published points of one facility in two lists differ by up to ~1 km.
const NEAR_M: f64 = 300.0;

/// Codes of these schemes belong to exactly one facility.
fn is_single_valued(s: CodeScheme) -> bool {
    matches!(s, CodeScheme::IryoJohoNet | CodeScheme::MedicalInstitution)
}

/// Are `a` and `b` records of one facility? `None` when they are not (or we
/// cannot tell, which we treat the same: a duplicate is easier to fix than a
/// wrong merge).
///
/// A shared official code decides, unless everything else disagrees: two
/// clinics with different addresses and phone numbers kilometres apart
/// that carry one 医療機関コード are an error in the source, not one clinic.
pub fn same_facility(a: &Facility, b: &Facility) -> Option<MatchReason> {
    let e = Evidence::of(a, b);
    if a.codes.iter().any(|c| b.codes.contains(c)) {
        return (!e.contradicts()).then_some(MatchReason::Code);
    }
    for ca in &a.codes {
        if is_single_valued(ca.scheme) && b.codes.iter().any(|cb| cb.scheme == ca.scheme && cb.value != ca.value) {
            return None;
        }
    }
    if e.distance.is_some_and(|d| d > FAR_APART_M) {
        return None;
    }
    let (na, nb) = (normalize::name_key(&a.name), normalize::name_key(&b.name));
    if na.is_empty() || nb.is_empty() {
        return None;
    }
    if na == nb {
        return if e.same_address {
            Some(MatchReason::NameAndAddress)
        } else if e.same_phone {
            Some(MatchReason::NameAndPhone)
        } else if e.distance.is_some_and(|d| d <= NEAR_M) && !e.address_conflict {
            Some(MatchReason::NameAndPlace)
        } else {
            None
        };
    }
    // 「JAおひさま下松」 and 「小規模多機能ホームJAおひさま下松」 are one office
    // in two lists; 「周東総合病院」 and 「周東総合病院訪問看護ステーションいちご」
    // at one address are two: a longer name only joins a record of the same
    // kind of place.
    let (short, long) = if na.chars().count() <= nb.chars().count() { (&na, &nb) } else { (&nb, &na) };
    let same_kind = a.categories.iter().any(|c| b.categories.contains(c));
    if short.chars().count() >= 4 && long.contains(short.as_str()) && same_kind && (e.same_phone || e.same_address) {
        return Some(MatchReason::SimilarNameAndContact);
    }
    None
}

/// What two records' contact details say about them.
struct Evidence {
    same_address: bool,
    /// Both have addresses, and neither is the start of the other.
    address_conflict: bool,
    same_phone: bool,
    phone_conflict: bool,
    /// Between published (not geocoded) points.
    distance: Option<f64>,
}

impl Evidence {
    fn of(a: &Facility, b: &Facility) -> Evidence {
        let key = |f: &Facility| f.address.full.as_deref().map(normalize::address_key).unwrap_or_default();
        let (ka, kb) = (key(a), key(b));
        let both = !ka.is_empty() && !kb.is_empty();
        let phone = |f: &Facility| f.phone.as_deref().and_then(normalize::phone_key);
        let (pa, pb) = (phone(a), phone(b));
        let distance = match (a.location.as_ref(), b.location.as_ref()) {
            (Some(x), Some(y))
                if x.precision >= crate::GeoPrecision::Source && y.precision >= crate::GeoPrecision::Source =>
            {
                Some(x.point.distance_m(y.point))
            }
            _ => None,
        };
        Evidence {
            same_address: both && ka == kb,
            address_conflict: both && !ka.starts_with(&kb) && !kb.starts_with(&ka),
            same_phone: pa.is_some() && pa == pb,
            phone_conflict: pa.is_some() && pb.is_some() && pa != pb,
            distance,
        }
    }

    fn contradicts(&self) -> bool {
        self.address_conflict && self.phone_conflict && self.distance.is_none_or(|d| d > 1_000.0)
    }
}

/// Which record set a field's value, and as of when.
///
/// Stamps are ordered by (date, dataset, line): the newer list wins, and
/// between records of equal date the order is fixed by the data, not by
/// the order of imports — so importing the same files again, in any
/// order, changes nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    pub dataset: i64,
    pub date: NaiveDate,
    #[serde(default)]
    pub line: u32,
}

impl Stamp {
    fn key(self) -> (NaiveDate, i64, u32) {
        (self.date, self.dataset, self.line)
    }
}

pub type FieldSources = BTreeMap<String, Stamp>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// The fields of a facility as a JSON object (empty ones left out: an
/// empty name is a record that only completes a facility, such as a row
/// of the 診療科・診療時間票).
pub fn fields(f: &Facility) -> Map<String, Value> {
    match serde_json::to_value(f) {
        Ok(Value::Object(m)) => m.into_iter().filter(|(_, v)| !is_empty(v)).collect(),
        _ => Map::new(),
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// The names every field can have, for validating edits.
pub const FIELD_NAMES: &[&str] = &[
    "name",
    "name_kana",
    "name_en",
    "name_short",
    "other_names",
    "other_kana",
    "categories",
    "medical_kind",
    "services",
    "address",
    "location",
    "phone",
    "phone_ext",
    "fax",
    "email",
    "url",
    "contact_form_url",
    "contact_note",
    "corporation_name",
    "corporate_number",
    "codes",
    "departments",
    "schedule",
    "beds",
    "capacity",
    "capabilities",
    "visit_area",
    "vacancy",
    "professional_contact",
    "care_area",
    "disaster_role",
    "status",
    "image_url",
    "image_licence",
    "notes",
    "consent",
    "visibility",
    "attributes",
];

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum EditError {
    #[error("unknown field `{0}` (known: {known})", known = FIELD_NAMES.join(", "))]
    UnknownField(String),
    #[error("invalid value for `{field}`: {reason}")]
    InvalidValue { field: String, reason: String },
}

/// Sets one field from JSON (a staff edit). Returns the change, or `None`
/// when the value is the one already there.
pub fn set_field(f: &mut Facility, field: &str, value: Option<Value>) -> Result<Option<FieldChange>, EditError> {
    if !FIELD_NAMES.contains(&field) {
        return Err(EditError::UnknownField(field.to_string()));
    }
    let mut map = fields(f);
    let before = map.get(field).cloned();
    match value.clone() {
        Some(v) if !v.is_null() => map.insert(field.to_string(), v),
        _ => map.remove(field),
    };
    let updated: Facility = serde_json::from_value(Value::Object(map))
        .map_err(|e| EditError::InvalidValue { field: field.to_string(), reason: e.to_string() })?;
    if updated.name.trim().is_empty() {
        return Err(EditError::InvalidValue { field: field.to_string(), reason: "a facility needs a name".into() });
    }
    let after = fields(&updated).get(field).cloned();
    *f = updated;
    Ok((before != after).then(|| FieldChange { field: field.to_string(), before, after }))
}

/// Folds `incoming` (from the dataset `stamp`) into `current`. Fields in
/// `locked` were edited by staff and are left alone.
pub fn merge(
    current: &mut Facility,
    sources: &mut FieldSources,
    incoming: &Facility,
    stamp: Stamp,
    locked: &BTreeSet<String>,
) -> Vec<FieldChange> {
    let mut changes = Vec::new();
    let mut cur = fields(current);
    for (field, new) in fields(incoming) {
        if locked.contains(&field) {
            continue;
        }
        let old = cur.get(&field).cloned();
        let newer = sources.get(&field).is_none_or(|s| stamp.key() >= s.key()) || old.is_none();
        let value = match field.as_str() {
            "categories" | "codes" | "capabilities" | "departments" => union(old.as_ref(), &new),
            "attributes" => {
                let mut m = old.as_ref().and_then(Value::as_object).cloned().unwrap_or_default();
                for (k, v) in new.as_object().into_iter().flatten() {
                    if newer || !m.contains_key(k) {
                        m.insert(k.clone(), v.clone());
                    }
                }
                Value::Object(m)
            }
            "services" => merge_services(&current.services, &incoming.services, newer),
            "location" => {
                let better = match (current.location.as_ref(), incoming.location.as_ref()) {
                    (Some(c), Some(i)) => i.precision > c.precision || (i.precision == c.precision && newer),
                    _ => true,
                };
                if !better {
                    continue;
                }
                new
            }
            _ => {
                if !newer {
                    continue;
                }
                new
            }
        };
        // A name or reading replaced stays findable (「キチナン」 of the city's
        // list beside 「キツナン」 of the national one).
        let other = match field.as_str() {
            "name" => Some("other_names"),
            "name_kana" => Some("other_kana"),
            _ => None,
        };
        if let (Some(other), Some(Value::String(o)), Value::String(n)) = (other, old.as_ref(), &value)
            && normalize::compact(o) != normalize::compact(n)
        {
            let before = cur.get(other).cloned();
            let mut list: Vec<Value> = before.as_ref().and_then(Value::as_array).cloned().unwrap_or_default();
            list.retain(|v| v != &value);
            if !list.iter().any(|v| v.as_str() == Some(o)) {
                list.push(Value::String(o.clone()));
            }
            let after = Value::Array(list);
            if before.as_ref() != Some(&after) {
                changes.push(FieldChange { field: other.to_string(), before, after: Some(after.clone()) });
                cur.insert(other.to_string(), after);
            }
        }
        if old.as_ref() != Some(&value) {
            changes.push(FieldChange { field: field.clone(), before: old, after: Some(value.clone()) });
            cur.insert(field.clone(), value);
        }
        // The newest dataset confirming a value owns it, changed or not.
        if newer {
            sources.insert(field, stamp);
        }
    }
    if !changes.is_empty() {
        match serde_json::from_value::<Facility>(Value::Object(cur)) {
            Ok(f) => *current = f,
            // Unreachable for values that came from a Facility; keep the old state.
            Err(_) => changes.clear(),
        }
    }
    changes
}

fn union(old: Option<&Value>, new: &Value) -> Value {
    let mut items: Vec<Value> = old.and_then(Value::as_array).cloned().unwrap_or_default();
    for v in new.as_array().into_iter().flatten() {
        if !items.contains(v) {
            items.push(v.clone());
        }
    }
    Value::Array(items)
}

fn merge_services(current: &[ServiceOffer], incoming: &[ServiceOffer], newer: bool) -> Value {
    let mut out = current.to_vec();
    for offer in incoming {
        match out.iter_mut().find(|o| o.service == offer.service) {
            Some(o) if newer => merge_offer(o, offer.clone()),
            Some(_) => {}
            None => out.push(offer.clone()),
        }
    }
    serde_json::to_value(out).unwrap_or(Value::Null)
}

/// Keeps `location` only if it is at least as precise as what `f` has.
pub fn better_location(f: &Facility, location: &Location) -> bool {
    f.location.as_ref().is_none_or(|l| location.precision >= l.precision)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facility::{Code, GeoPoint, GeoPrecision};
    use crate::service::Service;

    fn fac(name: &str, addr: &str, phone: &str) -> Facility {
        let mut f = Facility::new(name);
        f.address.full = Some(addr.into());
        f.phone = Some(phone.into());
        f
    }

    fn at(f: &mut Facility, lat: f64, lng: f64) {
        f.location = Some(Location { point: GeoPoint::new(lat, lng), precision: GeoPrecision::Source, source: None });
    }

    #[test]
    fn recognition() {
        let a = fac("医療法人緑山会　下松中央病院", "山口県下松市大字生野屋南1-10-1", "0833-44-3555");
        let b = fac("下松中央病院", "下松市生野屋南1丁目10番1号", "");
        assert_eq!(same_facility(&a, &b), Some(MatchReason::NameAndAddress));

        let c = fac("ニチイケアセンター下松", "下松市東豊井1-1", "0833-41-0000");
        let d = fac("ニチイケアセンター下松", "下松市東豊井1-1", "0833-41-0000");
        assert_eq!(same_facility(&c, &d), Some(MatchReason::NameAndAddress));

        let e = fac("デイサービスさくら", "下松市東豊井1-1", "0833-41-0000");
        assert_eq!(same_facility(&c, &e), None, "other name at the same address");

        let mut f1 = fac("さくら薬局", "", "");
        let mut f2 = fac("さくら薬局", "", "");
        at(&mut f1, 34.0, 131.8);
        at(&mut f2, 34.001, 131.8);
        assert_eq!(same_facility(&f1, &f2), Some(MatchReason::NameAndPlace));
        at(&mut f2, 34.2, 131.8);
        assert_eq!(same_facility(&f1, &f2), None, "same chain name, 20 km apart");

        let mut g1 = fac("A", "", "");
        let mut g2 = fac("B", "", "");
        g1.add_code(Code::new(CodeScheme::CareProvider, "3570800015"));
        g2.add_code(Code::new(CodeScheme::CareProvider, "3570800015"));
        assert_eq!(same_facility(&g1, &g2), Some(MatchReason::Code));

        let mut k1 = fac("池田歯科", "山口県山口市下竪小路24番地", "(083)922-1225");
        let mut k2 = fac("池田歯科医院", "山口県山口市大内御堀一丁目6ｰ23", "(083)923-0108");
        k1.add_code(Code::new(CodeScheme::MedicalInstitution, "3530330566"));
        k2.add_code(Code::new(CodeScheme::MedicalInstitution, "3530330566"));
        at(&mut k1, 34.182854, 131.478888);
        at(&mut k2, 34.166754, 131.483919);
        assert_eq!(same_facility(&k1, &k2), None, "one code on two clinics 2 km apart is a data error");

        let mut n1 = fac("藤井歯科医院", "山口県山口市小郡下郷1184", "(083)973-2767");
        let mut n2 = fac("藤井歯科医院", "山口県山口市中河原2ｰ30", "(083)925-6640");
        at(&mut n1, 34.17, 131.47);
        at(&mut n2, 34.1705, 131.4705);
        assert_eq!(same_facility(&n1, &n2), None, "same name close by, but other address and phone");

        let mut h1 = fac("JAおひさま下松", "下松市大字末武上400", "0833-46-1234");
        let mut h2 = fac("小規模多機能ホーム JAおひさま下松", "山口県下松市大字末武上400-1", "0833-46-1234");
        h1.add_service(ServiceOffer::new(Service::SmallMulti));
        assert_eq!(same_facility(&h1, &h2), None, "not known to be the same kind of place");
        h2.add_service(ServiceOffer::new(Service::SmallMulti));
        assert_eq!(same_facility(&h1, &h2), Some(MatchReason::SimilarNameAndContact));

        let mut i1 = fac("山口県厚生農業協同組合連合会 周東総合病院", "柳井市古開作1000－1", "0820-22-3456");
        let mut i2 = fac("周東総合病院訪問看護ステーション いちご", "柳井市古開作1000－1", "0820-22-3715");
        i1.add_service(ServiceOffer::new(Service::CareManagement));
        i2.add_service(ServiceOffer::new(Service::HomeNursing));
        assert_eq!(same_facility(&i1, &i2), None, "the hospital's nursing station is its own listing");
    }

    fn stamp(dataset: i64, date: &str) -> Stamp {
        Stamp { dataset, date: date.parse().unwrap(), line: 2 }
    }

    #[test]
    fn merging_respects_dates_edits_and_unions() {
        let mut cur = fac("さくら苑", "下松市瑞穂町2-21-1", "0833-43-8123");
        cur.add_service(ServiceOffer::new(Service::CareManagement));
        let mut sources = FieldSources::new();
        let locked = BTreeSet::new();
        let first = cur.clone();
        let mut base = Facility::new("さくら苑");
        assert!(!merge(&mut base, &mut sources, &first, stamp(1, "2024-02-01"), &locked).is_empty());
        cur = base;

        // Re-importing the same record changes nothing.
        assert!(merge(&mut cur, &mut sources, &first, stamp(1, "2024-02-01"), &locked).is_empty());

        // An older file does not overwrite; it still adds a service.
        let mut old = fac("さくら苑", "下松市瑞穂町2-21-1", "0833-43-0000");
        old.add_service(ServiceOffer::new(Service::DayService));
        let ch = merge(&mut cur, &mut sources, &old, stamp(2, "2020-01-01"), &locked);
        assert_eq!(cur.phone.as_deref(), Some("0833-43-8123"));
        assert!(cur.has_service(Service::DayService));
        assert!(ch.iter().any(|c| c.field == "services"));

        // A newer file updates, except where staff edited.
        let newer = fac("さくら苑", "下松市瑞穂町2-21-1", "0833-43-9999");
        let mut locked = BTreeSet::new();
        locked.insert("phone".to_string());
        merge(&mut cur, &mut sources, &newer, stamp(3, "2025-01-01"), &locked);
        assert_eq!(cur.phone.as_deref(), Some("0833-43-8123"));
        merge(&mut cur, &mut sources, &newer, stamp(3, "2025-01-01"), &BTreeSet::new());
        assert_eq!(cur.phone.as_deref(), Some("0833-43-9999"));

        // An empty incoming field never erases.
        let blank = Facility::new("さくら苑");
        assert!(merge(&mut cur, &mut sources, &blank, stamp(4, "2026-01-01"), &BTreeSet::new()).is_empty());
        assert!(cur.phone.is_some());
    }

    #[test]
    fn a_replaced_name_or_reading_is_kept_as_another() {
        let mut cur = Facility::new("医療法人和同会　吉南病院");
        cur.name_kana = Some("キチナンビョウイン".into());
        let mut sources = FieldSources::new();
        merge(&mut cur.clone(), &mut sources, &cur.clone(), stamp(1, "2024-04-01"), &BTreeSet::new());
        let mut national = Facility::new("医療法人和同会 吉南病院");
        national.name_kana = Some("キツナンビョウイン".into());
        let ch = merge(&mut cur, &mut sources, &national, stamp(2, "2026-06-01"), &BTreeSet::new());
        assert_eq!(cur.name_kana.as_deref(), Some("キツナンビョウイン"));
        assert_eq!(cur.other_kana, ["キチナンビョウイン"]);
        assert!(cur.other_names.is_empty(), "the same name, spaced otherwise: {:?}", cur.other_names);
        assert!(ch.iter().any(|c| c.field == "other_kana"), "in the history");
        // Back again: the current one is not also another.
        let mut city = national.clone();
        city.name_kana = Some("キチナンビョウイン".into());
        merge(&mut cur, &mut sources, &city, stamp(3, "2026-07-01"), &BTreeSet::new());
        assert_eq!(cur.other_kana, ["キツナンビョウイン"]);
    }

    #[test]
    fn a_geocoded_point_never_replaces_a_published_one() {
        let mut cur = Facility::new("x");
        at(&mut cur, 34.0, 131.8);
        let mut geo = Facility::new("x");
        geo.location =
            Some(Location { point: GeoPoint::new(34.1, 131.9), precision: GeoPrecision::Town, source: None });
        let mut s = FieldSources::new();
        assert!(merge(&mut cur, &mut s, &geo, stamp(9, "2030-01-01"), &BTreeSet::new()).is_empty());
        assert_eq!(cur.point(), Some(GeoPoint::new(34.0, 131.8)));
    }

    #[test]
    fn edits_are_validated() {
        let mut f = Facility::new("x");
        let ch = set_field(&mut f, "fax", Some(Value::String("0833-00-0000".into()))).unwrap().unwrap();
        assert_eq!(ch.before, None);
        assert_eq!(f.fax.as_deref(), Some("0833-00-0000"));
        assert!(set_field(&mut f, "fax", Some(Value::String("0833-00-0000".into()))).unwrap().is_none());
        assert!(matches!(set_field(&mut f, "colour", None), Err(EditError::UnknownField(_))));
        assert!(matches!(
            set_field(&mut f, "capacity", Some(Value::String("many".into()))),
            Err(EditError::InvalidValue { .. })
        ));
        assert!(set_field(&mut f, "name", Some(Value::String(" ".into()))).is_err());
    }

    #[test]
    fn field_names_cover_the_struct() {
        let mut f = Facility::new("x");
        f.phone = Some("1".into());
        f.other_names = vec!["y".into()];
        f.other_kana = vec!["ワイ".into()];
        for k in fields(&f).keys() {
            assert!(FIELD_NAMES.contains(&k.as_str()), "{k}");
        }
    }
}
