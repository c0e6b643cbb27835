//! The index schema, and how a facility becomes a document.
//!
//! Text is indexed several ways (see [`crate::japanese`]) so that a query
//! can be scored by *where* it matched: the exact name, a name prefix, the
//! name's words or characters, the reading, the services and categories,
//! the address, the notes. Filters are exact terms; the attributes the
//! geographic and open-at filters need are fast fields; the `card` is the
//! stored summary a result list shows.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use tantivy::TantivyDocument;
use tantivy::schema::{FAST, Field, INDEXED, IndexRecordOption, STORED, Schema, TextFieldIndexing, TextOptions};
use tsunagi_domain::{Capability, Category, Facility, GeoPrecision, Service, Visibility, normalize};

use crate::codec;
use crate::japanese::{self, BIGRAM, Japanese, WORD, fold, fold_whole};
use crate::synonyms::Synonyms;

/// What the index needs of a facility.
#[derive(Debug, Clone)]
pub struct IndexDoc {
    pub id: i64,
    pub facility: Facility,
    pub verified_on: Option<NaiveDate>,
}

/// The summary stored with each document: enough for a result list, a map
/// popup or the API's list items without touching the database.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Card {
    pub id: i64,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_short: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kana: Option<String>,
    pub categories: Vec<Category>,
    pub services: Vec<Service>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub municipality_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub municipality: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub care_area: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lat: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lng: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precision: Option<GeoPrecision>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tel: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fax: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_verified: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vacancy: Option<tsunagi_domain::Vacancy>,
}

pub mod flag {
    pub const HOME_VISITS: u64 = 1;
    pub const VACANCY: u64 = 1 << 1;
    pub const PROFESSIONAL: u64 = 1 << 2;
    pub const HIDDEN: u64 = 1 << 3;
    pub const VISIT_AREA: u64 = 1 << 4;
    pub const LOCATED: u64 = 1 << 5;
}

pub fn category_bit(c: Category) -> u64 {
    1 << Category::ALL.iter().position(|x| *x == c).unwrap_or(63)
}

pub fn service_bit(s: Service) -> u64 {
    1 << Service::ALL.iter().position(|x| *x == s).unwrap_or(63)
}

pub fn capability_bit(c: Capability) -> u64 {
    1 << Capability::ALL.iter().position(|x| *x == c).unwrap_or(63)
}

#[derive(Debug, Clone)]
pub struct Fields {
    pub id: Field,
    pub name: Field,
    pub name_bigram: Field,
    /// The synonym groups a word of which the name contains
    /// ([`Synonyms::groups_in`]).
    pub name_group: Field,
    pub name_exact: Field,
    pub name_prefix: Field,
    pub reading: Field,
    /// The readings as they sound ([`normalize::sound`]), for a reading
    /// typed from memory.
    pub reading_sound: Field,
    pub topics: Field,
    pub topics_exact: Field,
    pub address: Field,
    /// The phone and FAX numbers, as [`crate::side::Phones::key`]s (a
    /// fast field, not terms: searched in [`crate::side::Phones`]).
    pub phone: Field,
    pub notes: Field,
    pub category: Field,
    pub service: Field,
    pub municipality: Field,
    pub care_area: Field,
    pub capability: Field,
    pub lat: Field,
    pub lng: Field,
    pub categories_mask: Field,
    pub services_mask: Field,
    pub capabilities_mask: Field,
    pub flags: Field,
    pub municipality_code: Field,
    pub care_area_name: Field,
    pub municipality_name: Field,
    pub name_order: Field,
    pub schedule: Field,
    pub card: Field,
    pub visit_area: Field,
}

/// Readings share the exact and prefix fields with names, marked so that
/// a reading match ranks below a name match.
pub const READING_MARK: char = '~';

/// Notes are indexed up to this many characters each.
pub const NOTES_CHARS: usize = 120;

/// A name or reading matches by its beginning when the beginning typed
/// has at most this many characters.
pub const PREFIX_CHARS: usize = 12;

/// Beginnings are indexed term by term up to this many characters; a
/// longer one typed is looked up among the indexed wholes (cut at
/// [`PREFIX_CHARS`]) that start with it. Most beginnings longer than this
/// belong to one name: as terms they were half the field's postings and
/// nine in ten of its terms, the bulk of building the index.
pub const INDEXED_PREFIX_CHARS: usize = 6;

pub fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    // Every text clause scores a constant (its tier), so no field keeps
    // norms or frequencies; only the bigram fields, matched as phrases,
    // keep positions.
    let text = |tokenizer: &str, positions: bool| {
        let record = if positions { IndexRecordOption::WithFreqsAndPositions } else { IndexRecordOption::Basic };
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default().set_tokenizer(tokenizer).set_index_option(record).set_fieldnorms(false),
        )
    };
    let exact = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("raw")
            .set_index_option(IndexRecordOption::Basic)
            .set_fieldnorms(false),
    );
    let fields = Fields {
        id: b.add_u64_field("id", INDEXED | FAST),
        name: b.add_text_field("name", text(WORD, false)),
        name_bigram: b.add_text_field("name_bigram", text(BIGRAM, true)),
        name_group: b.add_text_field("name_group", exact.clone()),
        name_exact: b.add_text_field("name_exact", exact.clone()),
        name_prefix: b.add_text_field("name_prefix", exact.clone()),
        reading: b.add_text_field("reading", text(BIGRAM, true)),
        reading_sound: b.add_text_field("reading_sound", text(BIGRAM, true)),
        topics: b.add_text_field("topics", text(WORD, false)),
        topics_exact: b.add_text_field("topics_exact", exact.clone()),
        address: b.add_text_field("address", text(BIGRAM, true)),
        phone: b.add_u64_field("phone", FAST),
        notes: b.add_text_field("notes", text(BIGRAM, true)),
        category: b.add_text_field("category", exact.clone()),
        service: b.add_text_field("service", exact.clone()),
        municipality: b.add_text_field("municipality", exact.clone()),
        care_area: b.add_text_field("care_area", exact.clone()),
        capability: b.add_text_field("capability", exact.clone()),
        lat: b.add_f64_field("lat", FAST),
        lng: b.add_f64_field("lng", FAST),
        categories_mask: b.add_u64_field("categories_mask", FAST),
        services_mask: b.add_u64_field("services_mask", FAST),
        capabilities_mask: b.add_u64_field("capabilities_mask", FAST),
        flags: b.add_u64_field("flags", FAST),
        municipality_code: b.add_u64_field("municipality_code", FAST),
        care_area_name: b.add_text_field("care_area_name", FAST),
        municipality_name: b.add_text_field("municipality_name", FAST),
        name_order: b.add_text_field("name_order", FAST),
        schedule: b.add_bytes_field("schedule", FAST),
        card: b.add_bytes_field("card", STORED),
        visit_area: b.add_text_field("visit_area", STORED),
    };
    (b.build(), fields)
}

/// The prefix terms of `s`: its beginnings up to [`INDEXED_PREFIX_CHARS`]
/// characters, and itself cut at [`PREFIX_CHARS`] (see
/// [`crate::query`]'s `beginning`).
fn prefixes(s: &str) -> impl Iterator<Item = String> + '_ {
    let chars: Vec<char> = s.chars().take(PREFIX_CHARS).collect();
    let whole = Some(chars.len()).filter(|&n| n > INDEXED_PREFIX_CHARS);
    (1..=chars.len().min(INDEXED_PREFIX_CHARS)).chain(whole).map(move |n| chars[..n].iter().collect())
}

/// The prefix terms of a reading (as published or from the dictionary,
/// not yet folded): those of [`prefixes`] of its folding, less the
/// beginnings that end inside a syllable. Folded, シ is the start of
/// シヨウワ, which is ショウワ with its small kana made large; but 「勝浦市」
/// (カツウラシ) does not begin 勝浦昭和町 (カツウラショウワチョウ).
fn reading_prefixes(reading: &str) -> Vec<String> {
    let reading = normalize::nfkc(reading);
    let folded = fold_whole(&reading);
    let mut out: Vec<String> = prefixes(&folded).filter(|p| p.chars().count() > INDEXED_PREFIX_CHARS).collect();
    let chars: Vec<char> = reading.chars().collect();
    for end in 1..=chars.len() {
        if chars.get(end).is_some_and(|&c| normalize::continues_syllable(c)) {
            continue;
        }
        let p = fold_whole(&chars[..end].iter().collect::<String>());
        if p.chars().count() > INDEXED_PREFIX_CHARS {
            break;
        }
        if !p.is_empty() && !out.contains(&p) {
            out.push(p);
        }
    }
    out
}

/// The words for what a facility does: service and category names and
/// their aliases, capabilities, 診療科目. Synonyms are not indexed: a query
/// is expanded with them instead ([`crate::synonyms`]).
fn topics(f: &Facility) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |w: &str| {
        if !out.iter().any(|x| x == w) {
            out.push(w.to_string());
        }
    };
    for c in &f.categories {
        let d = c.def();
        // The label before its explanation: 「通いの介護（デイサービス・デイケア）」.
        add(d.name.split('（').next().unwrap_or(d.name));
        add(c.group().name());
        d.aliases.iter().for_each(|a| add(a));
    }
    for o in &f.services {
        let d = o.service.def();
        add(d.name);
        d.aliases.iter().for_each(|a| add(a));
        if let Some(p) = &o.published_name {
            add(p);
        }
    }
    for c in &f.capabilities {
        add(c.label());
    }
    for d in &f.departments {
        add(d);
    }
    if let Some(k) = &f.medical_kind {
        add(k);
    }
    out
}

pub fn card(d: &IndexDoc) -> Card {
    let f = &d.facility;
    Card {
        id: d.id,
        name: f.name.clone(),
        name_short: f.name_short.clone(),
        kana: f.name_kana.clone(),
        categories: f.categories.clone(),
        services: f.services.iter().map(|o| o.service).collect(),
        address: Some(f.address.line()).filter(|s| !s.is_empty()),
        municipality_code: f.address.municipality_code.clone(),
        municipality: f.address.municipality.clone(),
        care_area: f.care_area.clone(),
        lat: f.point().map(|p| p.lat),
        lng: f.point().map(|p| p.lng),
        precision: f.location.as_ref().map(|l| l.precision),
        tel: f.phone.clone(),
        fax: f.fax.clone(),
        url: f.url.clone(),
        last_verified: d.verified_on,
        vacancy: f.vacancy.clone(),
    }
}

/// `place` is the reading of the facility's municipality (「くだまつし」).
pub fn document(
    fields: &Fields,
    ja: &Japanese,
    synonyms: &Synonyms,
    place: Option<&str>,
    d: &IndexDoc,
) -> TantivyDocument {
    let f = &d.facility;
    let x = fields;
    let mut doc = TantivyDocument::default();
    doc.add_u64(x.id, d.id as u64);

    let stripped = normalize::strip_corporation(&f.name).to_string();
    let mut names = vec![f.name.clone()];
    if stripped != f.name {
        names.push(stripped.clone());
    }
    for s in f.name_short.iter().chain(&f.other_names) {
        if !names.contains(s) {
            names.push(s.clone());
        }
    }
    // The words and characters of a name variant contained in another (the
    // name without its corporation) are matched through the longer one. The
    // words are worked out here, not by the field's tokenizer, so that the
    // reading comes from the same analysis.
    let mut stripped_reading = None;
    let mut groups: Vec<usize> = Vec::new();
    for n in names.iter().filter(|n| !names.iter().any(|m| m != *n && m.contains(n.as_str()))) {
        let words = ja.words(n);
        if *n == stripped {
            stripped_reading = Some(words.iter().map(|w| w.reading.as_str()).collect::<String>());
        }
        doc.add_pre_tokenized_text(x.name, japanese::pre_words(n, words));
        doc.add_text(x.name_bigram, n);
        groups.extend(synonyms.groups_in(&fold(n)));
    }
    groups.sort_unstable();
    groups.dedup();
    for g in groups {
        doc.add_text(x.name_group, g.to_string());
    }
    // Whole names and readings (and their prefixes, below) are folded as
    // wholes, substrings (the reading field) character by character.
    let mut exact: Vec<String> = names.iter().map(|n| fold_whole(n)).filter(|n| !n.is_empty()).collect();
    let mut readings: Vec<&str> = Vec::new();
    if let Some(k) = &f.name_kana {
        // The published reading whole, and its last part: the reading
        // without the corporation's (「イリョウホウジン… クダマツチュウオウビョウイン」).
        readings.push(k);
        if let Some(last) = k.split([' ', '\u{3000}']).rfind(|p| !p.is_empty()) {
            readings.push(last);
        }
    }
    readings.extend(f.other_kana.iter().map(String::as_str));
    let stripped_reading = stripped_reading.unwrap_or_else(|| ja.reading(&stripped));
    readings.push(&stripped_reading);
    exact
        .extend(readings.iter().map(|r| fold_whole(r)).filter(|r| !r.is_empty()).map(|r| format!("{READING_MARK}{r}")));
    exact.sort();
    exact.dedup();
    for e in &exact {
        doc.add_text(x.name_exact, e);
    }
    // Prefixes of the name people use and of its readings; the full name
    // with its corporation only matches whole.
    let full = fold_whole(&f.name);
    let mut seen = std::collections::HashSet::new();
    let name_prefixes = exact.iter().filter(|e| !e.starts_with(READING_MARK) && (**e != full || stripped == f.name));
    let reading_prefixes = readings.iter().flat_map(|r| reading_prefixes(r)).map(|p| format!("{READING_MARK}{p}"));
    for p in name_prefixes.flat_map(|e| prefixes(e)).chain(reading_prefixes) {
        if seen.insert(p.clone()) {
            doc.add_text(x.name_prefix, &p);
        }
    }
    // As substrings, a reading inside another (the last part inside the
    // whole) adds nothing; a one-character one is its own term.
    let mut folded: Vec<String> = readings.iter().map(|r| fold(r)).filter(|r| !r.is_empty()).collect();
    folded.sort();
    folded.dedup();
    for r in folded
        .iter()
        .filter(|r| r.chars().nth(1).is_none() || !folded.iter().any(|o| o != *r && o.contains(r.as_str())))
    {
        doc.add_text(x.reading, r);
    }
    let mut sounds: Vec<String> = readings.iter().map(|r| normalize::sound(r)).filter(|r| !r.is_empty()).collect();
    sounds.sort();
    sounds.dedup();
    for r in sounds.iter().filter(|r| !sounds.iter().any(|o| o != *r && o.contains(r.as_str()))) {
        doc.add_text(x.reading_sound, r);
    }

    let t = topics(f);
    for w in &t {
        doc.add_text(x.topics, w);
        doc.add_text(x.topics_exact, fold(w));
    }

    // A FAX that came in, a number on a note: whose is it?
    let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
    for number in [&f.phone, &f.fax].into_iter().flatten() {
        let digits = digits(number);
        if !digits.is_empty() {
            doc.add_u64(x.phone, crate::side::Phones::key(&digits));
        }
    }
    let mut address = Vec::new();
    if let Some(a) = &f.address.full {
        address.push(japanese::address_form(a));
    }
    for part in [&f.address.building, &f.address.municipality, &f.care_area, &f.address.town].into_iter().flatten() {
        address.push(fold(part));
    }
    if let Some(m) = &f.address.municipality {
        // 「下松」 finds 下松市 facilities.
        let bare = m.trim_end_matches(['市', '町', '村', '区']);
        address.push(fold(bare));
    }
    // 「やない 眼科」: the place typed in kana.
    address.extend(place.map(fold));
    // A part the full address already contains (the municipality, the
    // town) would only repeat its bigrams; a one-character part (萩) is
    // its own term.
    for (i, a) in address.iter().enumerate() {
        if !a.is_empty() && (i == 0 || a.chars().nth(1).is_none() || !address[0].contains(a.as_str())) {
            doc.add_text(x.address, a);
        }
    }
    for n in
        [&f.notes, &f.schedule.note, &f.schedule.after_hours, &f.corporation_name, &f.name_en].into_iter().flatten()
    {
        // Long notes are searched by their beginning only.
        let cut: String = n.chars().take(NOTES_CHARS).collect();
        doc.add_text(x.notes, &cut);
    }

    let mut cats = 0u64;
    for c in &f.categories {
        cats |= category_bit(*c);
        doc.add_text(x.category, c.id());
        doc.add_text(x.category, c.group().id());
    }
    let mut svcs = 0u64;
    for o in &f.services {
        svcs |= service_bit(o.service);
        doc.add_text(x.service, o.service.id());
    }
    let mut caps = 0u64;
    for c in &f.capabilities {
        caps |= capability_bit(*c);
        doc.add_text(x.capability, c.id());
    }
    let mut flags = 0u64;
    let mut set = |bit: u64| flags |= bit;
    if f.home_services().next().is_some() {
        set(flag::HOME_VISITS);
    }
    if f.vacancy.as_ref().is_some_and(|v| v.available.is_some_and(|n| n > 0)) {
        set(flag::VACANCY);
    }
    match f.visibility {
        Visibility::Public => {}
        Visibility::Professionals => set(flag::PROFESSIONAL),
        Visibility::Hidden => set(flag::HIDDEN),
    }
    if let Some(area) = &f.visit_area {
        set(flag::VISIT_AREA);
        doc.add_text(x.visit_area, serde_json::to_string(area).unwrap_or_default());
    }
    if let Some(p) = f.point() {
        set(flag::LOCATED);
        doc.add_f64(x.lat, p.lat);
        doc.add_f64(x.lng, p.lng);
    }
    doc.add_u64(x.categories_mask, cats);
    doc.add_u64(x.services_mask, svcs);
    doc.add_u64(x.capabilities_mask, caps);
    doc.add_u64(x.flags, flags);
    if let Some(code) = &f.address.municipality_code {
        doc.add_text(x.municipality, code);
        doc.add_u64(x.municipality_code, code.parse().unwrap_or(0));
    }
    if let Some(m) = &f.address.municipality {
        doc.add_text(x.municipality_name, m);
    }
    if let Some(a) = &f.care_area {
        doc.add_text(x.care_area, a);
        doc.add_text(x.care_area_name, a);
    }
    let order = f.name_kana.as_deref().map(fold).filter(|k| !k.is_empty()).unwrap_or_else(|| fold(&stripped));
    doc.add_text(x.name_order, &order);
    if !f.schedule.is_empty() {
        doc.add_bytes(x.schedule, &codec::encode(&f.schedule));
    }
    doc.add_bytes(x.card, &crate::codec::encode_card(&card(d)));
    doc
}
