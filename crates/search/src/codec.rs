//! Compact binary forms of what the index stores:
//! - [`Schedule`] for the `schedule` fast field: what "open at" needs
//!   (slots, closed days), nothing for display. Identical schedules share
//!   one dictionary entry in the column, so the decoded forms are cached
//!   per entry.
//! - [`Card`] for the stored `card`: every page of results decodes 10–20
//!   of them, and parsing them as JSON was a tenth of a rare-word search.

use chrono::NaiveDate;
use tsunagi_domain::schedule::{ClosedDays, DateSpan, Schedule, Slot, SlotKind};
use tsunagi_domain::{Category, Days, GeoPrecision, Service, Time, Vacancy};

use tantivy::schema::document::{
    DeserializeError, DocumentDeserialize, DocumentDeserializer, ValueDeserialize, ValueDeserializer, ValueVisitor,
};

use crate::schema::Card;

pub fn encode(s: &Schedule) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + s.slots.len() * 6);
    let slots: Vec<&Slot> = s.slots.iter().take(255).collect();
    out.push(slots.len() as u8);
    for slot in slots {
        out.push(slot.days.bits());
        out.push(match slot.kind {
            SlotKind::Open => 0,
            SlotKind::Reception => 1,
        });
        out.extend(slot.open.minutes().to_le_bytes());
        out.extend(slot.close.minutes().to_le_bytes());
    }
    let c = &s.closed;
    out.push(c.weekly.bits());
    out.extend(c.nth_week.iter().map(|d| d.bits()));
    out.push(match c.holidays {
        None => 0,
        Some(true) => 1,
        Some(false) => 2,
    });
    let dates: Vec<&DateSpan> = c.dates.iter().take(255).collect();
    out.push(dates.len() as u8);
    for d in dates {
        out.extend([d.from.0, d.from.1, d.to.0, d.to.1]);
    }
    out
}

pub fn decode(b: &[u8]) -> Option<Schedule> {
    let mut it = b.iter().copied();
    let mut next = || it.next();
    let mut s = Schedule::default();
    let n = next()?;
    for _ in 0..n {
        let days = days(next()?);
        let kind = if next()? == 1 { SlotKind::Reception } else { SlotKind::Open };
        let open = Time::from_minutes(u16::from_le_bytes([next()?, next()?]))?;
        let close = Time::from_minutes(u16::from_le_bytes([next()?, next()?]))?;
        s.slots.push(Slot { days, open, close, kind, label: None });
    }
    let mut closed = ClosedDays { weekly: days(next()?), ..ClosedDays::default() };
    for d in closed.nth_week.iter_mut() {
        *d = days(next()?);
    }
    closed.holidays = match next()? {
        1 => Some(true),
        2 => Some(false),
        _ => None,
    };
    for _ in 0..next()? {
        closed.dates.push(DateSpan { from: (next()?, next()?), to: (next()?, next()?) });
    }
    s.closed = closed;
    Some(s)
}

fn days(bits: u8) -> Days {
    Days::of(&tsunagi_domain::Day::ALL.into_iter().filter(|d| bits & (1 << *d as u8) != 0).collect::<Vec<_>>())
}

/// A precision as a byte; [`PRECISIONS`] is the way back.
fn precision_code(p: GeoPrecision) -> u8 {
    match p {
        GeoPrecision::Municipality => 0,
        GeoPrecision::Town => 1,
        GeoPrecision::Source => 2,
        GeoPrecision::Manual => 3,
    }
}

const PRECISIONS: [GeoPrecision; 4] =
    [GeoPrecision::Municipality, GeoPrecision::Town, GeoPrecision::Source, GeoPrecision::Manual];

/// A card as bytes: the id, then one bit per optional field that is
/// present, then the fields in order (strings as a varint length and
/// UTF-8, categories and services as their index in `ALL`, dates as days
/// from the common era).
pub fn encode_card(c: &Card) -> Vec<u8> {
    let mut w = Writer(Vec::with_capacity(256));
    w.0.extend(c.id.to_le_bytes());
    let strings = [
        &c.name_short,
        &c.kana,
        &c.address,
        &c.municipality_code,
        &c.municipality,
        &c.care_area,
        &c.tel,
        &c.fax,
        &c.url,
    ];
    let mut present = 0u16;
    for (i, s) in strings.iter().enumerate() {
        present |= u16::from(s.is_some()) << i;
    }
    let point = c.lat.zip(c.lng);
    present |= u16::from(point.is_some()) << 9
        | u16::from(c.precision.is_some()) << 10
        | u16::from(c.last_verified.is_some()) << 11
        | u16::from(c.vacancy.is_some()) << 12;
    w.0.extend(present.to_le_bytes());
    w.str(&c.name);
    for s in strings.into_iter().flatten() {
        w.str(s);
    }
    w.list(c.categories.iter().map(|x| Category::ALL.iter().position(|a| a == x)));
    w.list(c.services.iter().map(|x| Service::ALL.iter().position(|a| a == x)));
    if let Some((lat, lng)) = point {
        w.0.extend(lat.to_le_bytes());
        w.0.extend(lng.to_le_bytes());
    }
    if let Some(p) = c.precision {
        w.0.push(precision_code(p));
    }
    if let Some(d) = c.last_verified {
        w.date(d);
    }
    if let Some(v) = &c.vacancy {
        let flags =
            u8::from(v.available.is_some()) | u8::from(v.maximum.is_some()) << 1 | u8::from(v.note.is_some()) << 2;
        w.0.push(flags);
        for n in [v.available, v.maximum].into_iter().flatten() {
            w.varint(n as usize);
        }
        w.date(v.as_of);
        if let Some(n) = &v.note {
            w.str(n);
        }
    }
    w.0
}

pub fn decode_card(b: &[u8]) -> Option<Card> {
    let mut r = Reader(b);
    let id = i64::from_le_bytes(r.take(8)?.try_into().ok()?);
    let present = u16::from_le_bytes(r.take(2)?.try_into().ok()?);
    let has = |i: u16| present & (1 << i) != 0;
    let name = r.str()?;
    let mut strings: [Option<String>; 9] = Default::default();
    for (i, s) in strings.iter_mut().enumerate() {
        if has(i as u16) {
            *s = Some(r.str()?);
        }
    }
    let categories = r.list(Category::ALL)?;
    let services = r.list(Service::ALL)?;
    let (lat, lng) = if has(9) { (Some(r.f64()?), Some(r.f64()?)) } else { (None, None) };
    let precision = if has(10) { Some(*PRECISIONS.get(r.byte()? as usize)?) } else { None };
    let last_verified = if has(11) { Some(r.date()?) } else { None };
    let vacancy = if has(12) {
        let flags = r.byte()?;
        let available = if flags & 1 != 0 { Some(r.varint()? as u32) } else { None };
        let maximum = if flags & 2 != 0 { Some(r.varint()? as u32) } else { None };
        let as_of = r.date()?;
        let note = if flags & 4 != 0 { Some(r.str()?) } else { None };
        Some(Vacancy { available, maximum, as_of, note })
    } else {
        None
    };
    let [name_short, kana, address, municipality_code, municipality, care_area, tel, fax, url] = strings;
    Some(Card {
        id,
        name,
        name_short,
        kana,
        categories,
        services,
        address,
        municipality_code,
        municipality,
        care_area,
        lat,
        lng,
        precision,
        tel,
        fax,
        url,
        last_verified,
        vacancy,
    })
}

/// A document's stored card, read without building the whole document:
/// the card is its one stored bytes value (the visit area, stored as text,
/// is skipped).
pub struct StoredCard(pub Option<Vec<u8>>);

impl DocumentDeserialize for StoredCard {
    fn deserialize<'de, D: DocumentDeserializer<'de>>(mut d: D) -> Result<Self, DeserializeError> {
        while let Some((_, BytesOnly(bytes))) = d.next_field::<BytesOnly>()? {
            if bytes.is_some() {
                return Ok(StoredCard(bytes));
            }
        }
        Ok(StoredCard(None))
    }
}

struct BytesOnly(Option<Vec<u8>>);

impl ValueDeserialize for BytesOnly {
    fn deserialize<'de, D: ValueDeserializer<'de>>(d: D) -> Result<Self, DeserializeError> {
        d.deserialize_any(BytesOnlyVisitor)
    }
}

struct BytesOnlyVisitor;

impl ValueVisitor for BytesOnlyVisitor {
    type Value = BytesOnly;
    fn visit_bytes(&self, b: Vec<u8>) -> Result<BytesOnly, DeserializeError> {
        Ok(BytesOnly(Some(b)))
    }
    fn visit_string(&self, _: String) -> Result<BytesOnly, DeserializeError> {
        Ok(BytesOnly(None))
    }
}

struct Writer(Vec<u8>);

impl Writer {
    fn varint(&mut self, mut n: usize) {
        while n >= 0x80 {
            self.0.push(n as u8 | 0x80);
            n >>= 7;
        }
        self.0.push(n as u8);
    }
    fn str(&mut self, s: &str) {
        self.varint(s.len());
        self.0.extend(s.as_bytes());
    }
    fn list(&mut self, items: impl Iterator<Item = Option<usize>>) {
        let items: Vec<u8> = items.flatten().map(|i| i as u8).collect();
        self.varint(items.len());
        self.0.extend(items);
    }
    fn date(&mut self, d: NaiveDate) {
        use chrono::Datelike;
        self.0.extend(d.num_days_from_ce().to_le_bytes());
    }
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }
    fn byte(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }
    fn varint(&mut self) -> Option<usize> {
        let mut n = 0usize;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            n |= usize::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Some(n);
            }
        }
        None
    }
    fn str(&mut self) -> Option<String> {
        let n = self.varint()?;
        std::str::from_utf8(self.take(n)?).ok().map(str::to_owned)
    }
    fn list<T: Copy>(&mut self, all: &[T]) -> Option<Vec<T>> {
        let n = self.varint()?;
        self.take(n)?.iter().map(|&i| all.get(i as usize).copied()).collect()
    }
    fn f64(&mut self) -> Option<f64> {
        Some(f64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    fn date(&mut self) -> Option<NaiveDate> {
        NaiveDate::from_num_days_from_ce_opt(i32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tsunagi_domain::schedule::{parse_closed_dates, parse_days, parse_time};

    #[test]
    fn round_trip() {
        let mut s = Schedule::default();
        s.add_slot(Slot {
            days: parse_days("月火水金土").unwrap(),
            open: parse_time("9:00").unwrap(),
            close: parse_time("翌1:30").unwrap(),
            kind: SlotKind::Open,
            label: None,
        });
        s.add_slot(Slot {
            days: parse_days("祝").unwrap(),
            open: parse_time("8:00").unwrap(),
            close: parse_time("12:00").unwrap(),
            kind: SlotKind::Reception,
            label: None,
        });
        s.closed.weekly = parse_days("日").unwrap();
        s.closed.nth_week[1] = parse_days("土").unwrap();
        s.closed.holidays = Some(true);
        s.closed.dates = parse_closed_dates("年末年始、8月15日");
        assert_eq!(decode(&encode(&s)), Some(s));
        assert_eq!(decode(&encode(&Schedule::default())), Some(Schedule::default()));
        assert_eq!(decode(&[3, 1]), None);
    }

    #[test]
    fn cards_round_trip() {
        let date = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let full = Card {
            id: 4_000_000_123,
            name: "医療法人社団　さくら会 さくら町クリニック".into(),
            name_short: Some("さくら町クリニック".into()),
            kana: Some("サクラマチクリニック".into()),
            categories: vec![Category::ALL[1], Category::ALL[0]],
            services: Service::ALL.iter().rev().take(3).copied().collect(),
            address: Some("山口県下松市末武中1-2-3".into()),
            municipality_code: Some("352071".into()),
            municipality: Some("下松市".into()),
            care_area: Some("末武".into()),
            lat: Some(34.0151),
            lng: Some(131.8701),
            precision: Some(GeoPrecision::Town),
            tel: Some("0833-41-0000".into()),
            fax: Some("0833-41-0001".into()),
            url: Some("https://example.jp/?a=1&b=\"x\"".into()),
            last_verified: Some(date("2026-11-30")),
            vacancy: Some(Vacancy {
                available: Some(2),
                maximum: None,
                as_of: date("2026-12-01"),
                note: Some("短期入所".repeat(40)),
            }),
        };
        let bare = Card {
            id: -1,
            name: String::new(),
            name_short: None,
            kana: None,
            categories: vec![],
            services: vec![],
            address: None,
            municipality_code: None,
            municipality: None,
            care_area: None,
            lat: None,
            lng: None,
            precision: None,
            tel: None,
            fax: None,
            url: None,
            last_verified: None,
            vacancy: None,
        };
        for p in PRECISIONS {
            assert_eq!(PRECISIONS[precision_code(p) as usize], p);
        }
        for card in [full, bare] {
            let bytes = encode_card(&card);
            let json = |c: &Card| serde_json::to_string(c).unwrap();
            assert_eq!(decode_card(&bytes).map(|c| json(&c)), Some(json(&card)));
            // Cut short anywhere, it is rejected rather than misread.
            for n in 0..bytes.len() {
                assert!(decode_card(&bytes[..n]).is_none(), "{n} of {} bytes", bytes.len());
            }
        }
    }
}
