//! From a [`SearchQuery`] to ranked facility ids.
//!
//! Ranking is by *where* the text matched, in fixed tiers: exact name >
//! name prefix > name words > name characters > reading > services and
//! categories > address > notes. Each tier is a constant-score clause and
//! a query word scores the best tier it reached; the words' scores add up.
//! Among equal scores the nearer facility comes first when a point is
//! given, then by reading, then by id (stable).
//!
//! Text and exact-term filters run in tantivy; geography, opening hours and
//! visit areas are checked against the side tables ([`crate::side`]).
//! Queries without text do not touch the inverted index at all: they walk
//! the k-d trees (nearest, radius, box) or the attribute table.

use std::cell::Cell;
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::index::SegmentId;
use tantivy::postings::TermInfo;
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, ConstScorer, DisjunctionMaxQuery, Occur, PhraseQuery, Query, TermQuery,
    Weight,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Score, SegmentOrdinal, SegmentReader, TERMINATED, Term};
use tsunagi_domain::schedule::Moment;
use tsunagi_domain::{CategoryFilter, OpenState, SearchQuery, Sort};

use crate::areas::{AreaKind, Areas};
use crate::japanese::{self, Japanese, bigrams, fold, fold_whole};
use crate::points::{EARTH_RADIUS_M, chord2, xyz};
use crate::schema::{
    Fields, INDEXED_PREFIX_CHARS, PREFIX_CHARS, READING_MARK, capability_bit, category_bit, flag, service_bit,
};
use crate::side::{DOC_ENTRY, DOC_HIDDEN, DOC_PROFESSIONAL, NONE, Side, VisitShape};
use crate::synonyms::Synonyms;

/// Tier weights, best first. A part scores the best tier it reached, and
/// the parts' scores add up.
pub mod tier {
    pub const EXACT: f32 = 1000.0;
    pub const PREFIX: f32 = 300.0;
    pub const NAME_WORDS: f32 = 100.0;
    pub const NAME_CHARS: f32 = 50.0;
    pub const READING_EXACT: f32 = 40.0;
    pub const READING_PREFIX: f32 = 30.0;
    pub const READING: f32 = 20.0;
    /// A kana query as it sounds within a reading (voicing, long vowels).
    pub const READING_SOUND: f32 = 10.0;
    pub const TOPICS: f32 = 8.0;
    pub const ADDRESS: f32 = 3.0;
    /// The address tier of a part beside others: a place among the words
    /// of a text (「ケアマネ 由宇」, 「眼科 下松」) outweighs how the other
    /// words matched (a name's 居宅介護支援 or a service's).
    pub const PLACE: f32 = 45.0;
    /// Added to each part matched when all parts but one need match: the
    /// more parts, the better, whatever their tiers.
    pub const PART: f32 = 1000.0;
    /// The dictionary's reading of a kanji query as the start of a name's
    /// reading: 「桜町」 finds さくらまち病院, but 「宮崎市」 (ミヤザキシ…)
    /// must not bury the facilities in 宮崎市 under every 宮崎歯科.
    pub const KANJI_READING_PREFIX: f32 = 2.0;
    pub const NOTES: f32 = 1.0;
}

/// How a facility answers "who visits this address".
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Visits {
    /// Its recorded visit area contains the point.
    Area,
    /// No visit area is recorded; it visits homes and is in the point's municipality.
    Municipality,
}

#[derive(Debug, Clone)]
pub struct Ranked {
    pub entry: u32,
    pub score: f32,
    pub distance_m: Option<f64>,
    pub visits: Option<Visits>,
    /// The entry's name-order rank, copied here so sorting never touches
    /// the side table.
    order: u32,
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Count {
    pub id: String,
    pub label: String,
    pub count: usize,
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Facets {
    pub groups: Vec<Count>,
    pub categories: Vec<Count>,
    pub services: Vec<Count>,
    pub municipalities: Vec<Count>,
    pub care_areas: Vec<Count>,
    /// Of the results, how many are open / closed / of unknown hours at
    /// `open_at` (only when asked for).
    pub open: Option<BTreeMap<String, usize>>,
}

/// The attribute filters checked on side-table entries.
struct Filter<'a> {
    categories: u64,
    services: u64,
    capabilities: u64,
    required_flags: u64,
    excluded_flags: u64,
    municipalities: Vec<u64>,
    care_areas: HashSet<u32>,
    care_areas_wanted: bool,
    moment: Option<Moment>,
    q: &'a SearchQuery,
    visit_municipality: Option<u64>,
}

fn category_mask(filters: &[CategoryFilter]) -> u64 {
    filters
        .iter()
        .flat_map(|f| tsunagi_domain::Category::ALL.iter().copied().filter(move |c| f.matches(*c)))
        .fold(0, |m, c| m | category_bit(c))
}

impl<'a> Filter<'a> {
    fn new(q: &'a SearchQuery, side: &Side, areas: &Areas) -> Filter<'a> {
        let mut excluded_flags = flag::HIDDEN;
        if !q.include_professional {
            excluded_flags |= flag::PROFESSIONAL;
        }
        let mut required_flags = 0;
        if q.home_visits {
            required_flags |= flag::HOME_VISITS;
        }
        if q.vacancy {
            required_flags |= flag::VACANCY;
        }
        let care_areas: HashSet<u32> =
            q.care_areas.iter().filter_map(|a| side.strings.iter().position(|s| s == a).map(|i| i as u32)).collect();
        Filter {
            categories: category_mask(&q.categories),
            services: q.services.iter().fold(0, |m, s| m | service_bit(*s)),
            capabilities: q.capabilities.iter().fold(0, |m, c| m | capability_bit(*c)),
            required_flags,
            excluded_flags,
            municipalities: q.municipalities.iter().filter_map(|c| c.parse().ok()).collect(),
            care_areas,
            care_areas_wanted: !q.care_areas.is_empty(),
            moment: q.open_at.map(Moment::new),
            q,
            visit_municipality: q
                .visits
                .and_then(|p| areas.locate(p, AreaKind::Municipality))
                .and_then(|a| a.code.as_deref())
                .and_then(|c| c.parse().ok()),
        }
    }

    /// Everything but the geographic bounds.
    fn attributes(&self, side: &Side, i: u32) -> bool {
        // Categories and services first, from their own columns: most
        // matches of a common word fail there, and the entry is not read.
        if self.categories != 0 && side.categories[i as usize] & self.categories == 0 {
            return false;
        }
        if self.services != 0 && side.services[i as usize] & self.services == 0 {
            return false;
        }
        let flags = side.flags[i as usize];
        if flags & self.excluded_flags != 0 || flags & self.required_flags != self.required_flags {
            return false;
        }
        if self.capabilities == 0 && self.municipalities.is_empty() && !self.care_areas_wanted && self.moment.is_none()
        {
            return true;
        }
        let e = &side.entries[i as usize];
        if e.capabilities & self.capabilities != self.capabilities {
            return false;
        }
        if !self.municipalities.is_empty() && !self.municipalities.contains(&e.municipality) {
            return false;
        }
        if self.care_areas_wanted && !self.care_areas.contains(&e.care_area) {
            return false;
        }
        if let Some(m) = &self.moment
            && side.schedule(e).is_none_or(|s| s.state_at(m) != OpenState::Open)
        {
            return false;
        }
        true
    }

    /// What the index's term filters (see [`term_filters`]) leave to
    /// check after a text match: required flags, opening hours, bounds.
    fn after_text(&self, side: &Side, i: u32) -> bool {
        if self.required_flags == 0 && self.moment.is_none() && self.q.bbox.is_none() && self.q.radius_m.is_none() {
            return true;
        }
        let e = &side.entries[i as usize];
        side.flags[i as usize] & self.required_flags == self.required_flags
            && self.moment.as_ref().is_none_or(|m| side.schedule(e).is_some_and(|s| s.state_at(m) == OpenState::Open))
            && self.bounds(side, i)
    }

    fn bounds(&self, side: &Side, i: u32) -> bool {
        let e = &side.entries[i as usize];
        if let Some(b) = &self.q.bbox
            && e.point.is_none_or(|p| !b.contains(p))
        {
            return false;
        }
        if let (Some(r), Some(c)) = (self.q.radius_m, self.q.near)
            && e.point.is_none_or(|p| p.distance_m(c) > r)
        {
            return false;
        }
        true
    }

    fn visits(&self, side: &Side, i: u32) -> Option<Visits> {
        let point = self.q.visits?;
        if side.flags[i as usize] & flag::HOME_VISITS == 0 {
            return None;
        }
        let e = &side.entries[i as usize];
        match side.visit_areas.get(&i) {
            Some(VisitShape::Radius(m)) => e.point.filter(|p| p.distance_m(point) <= *m).map(|_| Visits::Area),
            Some(VisitShape::Polygon(shape)) => {
                use geo::Contains;
                shape.contains(&geo::Point::new(point.lng, point.lat)).then_some(Visits::Area)
            }
            Some(VisitShape::Places(places)) => {
                let code = self.visit_municipality?.to_string();
                let name = side.string(e.municipality_name).unwrap_or_default();
                places
                    .iter()
                    .any(|p| *p == code || p.starts_with(&code[..5.min(code.len())]) || p == name)
                    .then_some(Visits::Area)
            }
            None => (self.visit_municipality.is_some() && self.visit_municipality == Some(e.municipality))
                .then_some(Visits::Municipality),
        }
    }
}

pub(crate) fn term(field: Field, text: &str) -> Term {
    Term::from_field_text(field, text)
}

fn term_query(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(term(field, text), IndexRecordOption::Basic))
}

/// A phrase of positional bigrams: matches `text` as a substring.
fn bigram_query(field: Field, text: &str) -> Option<Box<dyn Query>> {
    let grams = bigrams(text);
    match grams.len() {
        0 => None,
        1 => Some(term_query(field, &grams[0])),
        _ => Some(Box::new(PhraseQuery::new(grams.iter().map(|g| term(field, g)).collect()))),
    }
}

fn all_words(field: Field, words: &[String]) -> Option<Box<dyn Query>> {
    match words.len() {
        0 => None,
        1 => Some(term_query(field, &words[0])),
        _ => Some(Box::new(BooleanQuery::new(words.iter().map(|w| (Occur::Must, term_query(field, w))).collect()))),
    }
}

fn any(queries: Vec<Box<dyn Query>>) -> Option<Box<dyn Query>> {
    match queries.len() {
        0 => None,
        1 => queries.into_iter().next(),
        _ => Some(Box::new(BooleanQuery::new(queries.into_iter().map(|q| (Occur::Should, q)).collect()))),
    }
}

/// One tier of a text part: its weight, and the queries any of which
/// reaches it.
type Tier = (f32, Vec<Box<dyn Query>>);

/// Matched entries with their scores.
type Scored = Vec<(u32, Score)>;

/// The text of a query, tier by tier, before it becomes one tantivy query.
struct Text {
    /// Every part must match, and scores the best tier it reached.
    parts: Vec<Vec<Tier>>,
    /// Scored where they match, not required: the whole text as one name.
    bonus: Vec<(f32, Box<dyn Query>)>,
    /// All parts but one need match, more parts first (a question's words
    /// cut apart that match nothing all together).
    all_but_one: bool,
}

impl Text {
    /// One query, for tantivy to match and score document at a time.
    fn into_query(self) -> Box<dyn Query> {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let (occur, matched) = if self.all_but_one { (Occur::Should, tier::PART) } else { (Occur::Must, 0.0) };
        let need = self.parts.len().saturating_sub(1);
        for tiers in self.parts {
            let scored = tiers
                .into_iter()
                .filter_map(|(weight, alternatives)| any(alternatives).map(|q| const_score(q, weight + matched)))
                .collect();
            clauses.push((occur, Box::new(DisjunctionMaxQuery::new(scored))));
        }
        if self.all_but_one {
            return Box::new(BooleanQuery::with_minimum_required_clauses(clauses, need));
        }
        clauses.extend(self.bonus.into_iter().map(|(weight, q)| (Occur::Should, const_score(q, weight))));
        Box::new(BooleanQuery::new(clauses))
    }

    /// The tiers of a text of one part, matched term at a time.
    fn single_part(&self) -> Option<&[Tier]> {
        match self.parts.as_slice() {
            [tiers] if self.bonus.is_empty() && !self.all_but_one => Some(tiers),
            _ => None,
        }
    }
}

fn const_score(q: Box<dyn Query>, weight: f32) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(q, weight))
}

/// At most this many topic terms per query part (a one-character part
/// such as 「科」 is contained in most of them).
const MAX_TOPIC_TERMS: usize = 128;

/// The digits of a part that looks like a phone number (six digits or
/// more, with hyphens or brackets at most): 「0833-41-3030」, 「41-3030」.
fn phone_digits(part: &str) -> Option<String> {
    let digits: String = part.chars().filter(char::is_ascii_digit).collect();
    let only = part.chars().all(|c| c.is_ascii_digit() || matches!(c, '-' | '(' | ')' | '‐' | '−' | 'ー'));
    (only && digits.len() >= 6).then_some(digits)
}

/// Only kana (and long vowel marks): a reading typed as such.
fn is_kana(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| matches!(c, '\u{3041}'..='\u{30FF}'))
}

/// The text part of the query: every whitespace-separated part must match
/// somewhere; the score is the sum of the tiers each part matched.
///
/// With a point to measure from, a part naming a service or category
/// (「訪問看護」, 「歯科」, 「病院」) scores every facility it matches alike,
/// by name or by what it offers, so that the nearest come first: who
/// looks for 訪問看護 near home wants the nearest station, whatever its
/// name. Only the exact name still ranks above.
fn text_query(cx: &Context<'_>, text: &str, near: bool) -> tantivy::Result<Option<Text>> {
    let (f, ja, syn, topic_terms) = (cx.fields, cx.ja, cx.synonyms, &cx.side.topic_terms);
    let text = tsunagi_domain::normalize::nfkc(text);
    // 「083 934 0556」 is one number.
    let spaced = text.split_whitespace().collect::<String>();
    let parts: Vec<&str> = if text.contains(char::is_whitespace) && phone_digits(&spaced).is_some() {
        vec![spaced.as_str()]
    } else {
        text.split_whitespace().take(8).collect()
    };
    if parts.is_empty() {
        return Ok(None);
    }
    let mut out = Text { parts: Vec::new(), bonus: Vec::new(), all_but_one: false };
    for part in &parts {
        let variants = syn.variants(part);
        let folded = fold(part);
        // Symbols alone (「※」 pasted with a name) say nothing to match.
        if !folded.chars().any(char::is_alphanumeric) {
            continue;
        }
        // One analysis gives the words and the reading.
        let analysed = ja.words(part);
        let reading: String = analysed.iter().map(|w| w.reading.as_str()).collect();
        let words: Vec<String> = analysed.into_iter().map(|w| w.term).collect();
        // Names and readings compare as wholes or beginnings (exact,
        // prefix), where a vowel after a syllable may stand for ー.
        let as_whole = fold_whole(part);
        let mut tiers: Vec<Tier> = Vec::new();
        let alike = near && variants.iter().any(|v| topic_terms.has(v));
        let tiered = |alternatives: Vec<Box<dyn Query>>, weight: f32| {
            let weight = if alike && weight != tier::EXACT { weight.min(tier::TOPICS) } else { weight };
            (!alternatives.is_empty()).then_some((weight, alternatives))
        };
        // Exact and prefix tiers take the words as typed: 「歯科」 is not a
        // prefix of 「デンタルクリニック」, though it is a synonym.
        if parts.len() == 1 {
            tiers.extend(tiered(vec![term_query(f.name_exact, &as_whole)], tier::EXACT));
        }
        tiers.extend(tiered(beginning(cx, &as_whole)?, tier::PREFIX));
        // Readings are indexed in the same fields behind a marker.
        let typed = if is_kana(part) { as_whole.clone() } else { fold_whole(&reading) };
        if !typed.is_empty() {
            let marked = format!("{READING_MARK}{typed}");
            if parts.len() == 1 {
                tiers.extend(tiered(vec![term_query(f.name_exact, &marked)], tier::READING_EXACT));
            }
            let weight = if is_kana(part) { tier::READING_PREFIX } else { tier::KANJI_READING_PREFIX };
            tiers.extend(tiered(beginning(cx, &marked)?, weight));
        }
        tiers.extend(tiered(all_words(f.name, &words).into_iter().collect(), tier::NAME_WORDS));
        // Characters of the name: a part that is a synonym group's word
        // matches the group's term, which a name holding any of its words
        // has; other parts, each variant as a phrase of bigrams. As
        // substrings, a variant containing another adds no match
        // (「歯科医院」 beside 「歯科」): leave it out rather than read its
        // positions for every dental clinic.
        let chars = match syn.group_of(part) {
            Some(g) => vec![term_query(f.name_group, &g.to_string())],
            None => variants
                .iter()
                .filter(|v| !variants.iter().any(|u| u != *v && v.contains(u.as_str())))
                .filter_map(|v| bigram_query(f.name_bigram, v))
                .collect(),
        };
        tiers.extend(tiered(chars, tier::NAME_CHARS));
        // A reading typed in kana may be any part of a name's reading. The
        // reading of a kanji query only counts as the whole reading or its
        // start (above): 「々木病院」 is not 鈴木病院 just because both read
        // …キビョウイン.
        if is_kana(part) {
            tiers.extend(tiered(bigram_query(f.reading, &folded).into_iter().collect(), tier::READING));
            let sound = tsunagi_domain::normalize::sound(part);
            if sound.chars().nth(2).is_some() {
                let mut sounds: Vec<Box<dyn Query>> = bigram_query(f.reading_sound, &sound).into_iter().collect();
                // A vowel it begins with is left out in a reading where the
                // syllable before ends in it (ホーム + うたい鳥 sounds ホムタイトリ).
                if let Some(rest) = sound.strip_prefix(['ア', 'イ', 'ウ', 'エ', 'オ'])
                    && rest.chars().nth(2).is_some()
                {
                    sounds.extend(bigram_query(f.reading_sound, rest));
                }
                tiers.extend(tiered(sounds, tier::READING_SOUND));
            }
        }
        let (reaching, all) = topic_terms.reaching(&variants, MAX_TOPIC_TERMS);
        let mut topics: Vec<Box<dyn Query>> = reaching.into_iter().map(|t| term_query(f.topics_exact, t)).collect();
        // A word whose facilities those terms all reach adds none.
        if !(all && matches!(words.as_slice(), [w] if topic_terms.covers(&variants, w))) {
            topics.extend(all_words(f.topics, &words));
        }
        tiers.extend(tiered(topics, tier::TOPICS));
        // A phone or FAX number, typed with or without hyphens.
        if let Some(digits) = phone_digits(part) {
            let found = cx.side.phones.ending_in(&digits);
            if !found.is_empty() {
                tiers.extend(tiered(vec![Box::new(DocsQuery::of(cx, &found))], tier::EXACT));
            }
        }
        let mut address: Vec<Box<dyn Query>> =
            bigram_query(f.address, &japanese::address_form(part)).into_iter().collect();
        // 「やない市」: a municipality typed in kana, matched by its reading.
        if part.ends_with(['市', '町', '村', '区']) && part.chars().any(|c| matches!(c, '\u{3041}'..='\u{30FF}')) {
            address.extend(bigram_query(f.address, &reading));
        }
        // Beside other words, a place narrows: 「ケアマネ 由宇」 wants the
        // offices in 由宇 before one in 防府 whose name has 居宅介護支援 and
        // reads ゆう….
        tiers.extend(tiered(address, if parts.len() > 1 { tier::PLACE } else { tier::ADDRESS }));
        tiers.extend(tiered(bigram_query(f.notes, part).into_iter().collect(), tier::NOTES));
        if tiers.is_empty() {
            continue;
        }
        tiers.sort_by(|a, b| b.0.total_cmp(&a.0));
        // The best tier a part reached counts, not the sum of all it
        // touched: a corporation name in the notes must not lift a clinic
        // 200 km away above one round the corner.
        out.parts.push(tiers);
    }
    if parts.len() > 1 {
        // The whole text as one name, for 「さくら 薬局」 = さくら薬局.
        let whole: String = parts.concat();
        out.bonus.push((tier::EXACT, term_query(f.name_exact, &fold_whole(&whole))));
        if let Some(q) = bigram_query(f.name_bigram, &whole) {
            out.bonus.push((tier::NAME_CHARS, q));
        }
    }
    Ok((!out.parts.is_empty()).then_some(out))
}

/// The names (or, behind [`READING_MARK`], readings) that begin with
/// `typed`, folded as a whole: one prefix term for a short beginning; for
/// one longer than [`INDEXED_PREFIX_CHARS`], the indexed wholes that start
/// with it (each name's only prefix term that long). None past
/// [`PREFIX_CHARS`].
fn beginning(cx: &Context<'_>, typed: &str) -> tantivy::Result<Vec<Box<dyn Query>>> {
    let field = cx.fields.name_prefix;
    let chars = typed.strip_prefix(READING_MARK).unwrap_or(typed).chars().count();
    if chars <= INDEXED_PREFIX_CHARS {
        return Ok(vec![term_query(field, typed)]);
    }
    if chars > PREFIX_CHARS {
        return Ok(Vec::new());
    }
    let mut wholes: Vec<String> = Vec::new();
    for reader in cx.searcher.segment_readers() {
        let index = reader.inverted_index(field)?;
        let mut terms = index.terms().range().ge(typed.as_bytes()).into_stream()?;
        while terms.advance() && terms.key().starts_with(typed.as_bytes()) {
            wholes.extend(std::str::from_utf8(terms.key()).ok().map(str::to_string));
        }
    }
    wholes.sort_unstable();
    wholes.dedup();
    Ok(wholes.iter().map(|w| term_query(field, w)).collect())
}

/// Documents the side tables found (a phone number's), as a query that
/// tantivy ORs, scores and counts like any other.
#[derive(Clone, Debug)]
struct DocsQuery(Arc<Vec<(SegmentId, Vec<DocId>)>>);

impl DocsQuery {
    fn of(cx: &Context<'_>, entries: &[u32]) -> DocsQuery {
        let readers = cx.searcher.segment_readers();
        let mut docs: Vec<(SegmentId, Vec<DocId>)> = readers.iter().map(|r| (r.segment_id(), Vec::new())).collect();
        for &e in entries {
            let at = cx.side.entries[e as usize].doc;
            docs[at.segment_ord as usize].1.push(at.doc_id);
        }
        docs.retain_mut(|(_, d)| {
            d.sort_unstable();
            !d.is_empty()
        });
        DocsQuery(Arc::new(docs))
    }
}

/// Sorted documents as a [`DocSet`].
struct Listed {
    docs: Vec<DocId>,
    at: usize,
}

impl DocSet for Listed {
    fn advance(&mut self) -> DocId {
        self.at = (self.at + 1).min(self.docs.len());
        self.doc()
    }
    fn doc(&self) -> DocId {
        self.docs.get(self.at).copied().unwrap_or(TERMINATED)
    }
    fn size_hint(&self) -> u32 {
        self.docs.len() as u32
    }
}

impl Query for DocsQuery {
    fn weight(&self, _: tantivy::query::EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }
}

impl Weight for DocsQuery {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn tantivy::query::Scorer>> {
        let docs = self.0.iter().find(|(s, _)| *s == reader.segment_id()).map(|(_, d)| d.clone()).unwrap_or_default();
        Ok(Box::new(ConstScorer::new(Listed { docs, at: 0 }, boost)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<tantivy::query::Explanation> {
        let found = self.0.iter().any(|(s, d)| *s == reader.segment_id() && d.binary_search(&doc).is_ok());
        match found {
            true => Ok(tantivy::query::Explanation::new("found in the side tables", 1.0)),
            false => Err(tantivy::TantivyError::InvalidArgument(format!("document {doc} does not match"))),
        }
    }
}

/// The exact-term filters tantivy can apply while matching text. Hidden
/// and professional-only entries are left out by the collector, from the
/// visibility bits in [`Side::by_doc`]: excluding them here would seek
/// through their postings beside every text match.
fn term_filters(f: &Fields, q: &SearchQuery) -> Vec<(Occur, Box<dyn Query>)> {
    let mut out: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let zero = |q: Box<dyn Query>| -> Box<dyn Query> { Box::new(BoostQuery::new(q, 0.0)) };
    if let Some(c) = any(q.categories.iter().map(|c| term_query(f.category, c.id())).collect()) {
        out.push((Occur::Must, zero(c)));
    }
    if let Some(s) = any(q.services.iter().map(|s| term_query(f.service, s.id())).collect()) {
        out.push((Occur::Must, zero(s)));
    }
    if let Some(m) = any(q.municipalities.iter().map(|m| term_query(f.municipality, m)).collect()) {
        out.push((Occur::Must, zero(m)));
    }
    if let Some(a) = any(q.care_areas.iter().map(|a| term_query(f.care_area, a)).collect()) {
        out.push((Occur::Must, zero(a)));
    }
    for c in &q.capabilities {
        out.push((Occur::Must, zero(term_query(f.capability, &c.id()))));
    }
    out
}

/// Collects (entry, score) of every match, mapped through the side table,
/// leaving out documents with any of the `exclude` visibility bits.
struct Matches {
    side: Arc<Side>,
    exclude: u32,
}

struct SegmentMatches {
    side: Arc<Side>,
    exclude: u32,
    segment: usize,
    out: Vec<(u32, Score)>,
}

impl Collector for Matches {
    type Fruit = Vec<(u32, Score)>;
    type Child = SegmentMatches;
    fn for_segment(&self, ord: SegmentOrdinal, _: &SegmentReader) -> tantivy::Result<Self::Child> {
        Ok(SegmentMatches { side: self.side.clone(), exclude: self.exclude, segment: ord as usize, out: Vec::new() })
    }
    fn requires_scoring(&self) -> bool {
        true
    }
    fn merge_fruits(&self, fruits: Vec<Vec<(u32, Score)>>) -> tantivy::Result<Self::Fruit> {
        Ok(fruits.into_iter().flatten().collect())
    }
}

impl SegmentCollector for SegmentMatches {
    type Fruit = Vec<(u32, Score)>;
    fn collect(&mut self, doc: DocId, score: Score) {
        if let Some(&e) = self.side.by_doc[self.segment].get(doc as usize)
            && e & self.exclude == 0
        {
            self.out.push((e & DOC_ENTRY, score));
        }
    }
    fn harvest(self) -> Self::Fruit {
        self.out
    }
}

/// The order results are shown in.
fn order(sort: Sort, a: &Ranked, b: &Ranked) -> std::cmp::Ordering {
    let by_dist = |x: &Ranked, y: &Ranked| {
        x.distance_m.unwrap_or(f64::INFINITY).total_cmp(&y.distance_m.unwrap_or(f64::INFINITY))
    };
    let visits_first = b.visits.is_some().cmp(&a.visits.is_some());
    let rest = || a.order.cmp(&b.order);
    match sort {
        Sort::Relevance => visits_first.then(b.score.total_cmp(&a.score)).then(by_dist(a, b)).then_with(rest),
        Sort::Distance => visits_first.then(by_dist(a, b)).then_with(rest),
        Sort::Name => rest(),
    }
}

pub struct Found {
    pub total: usize,
    pub hits: Vec<Ranked>,
    pub facets: Option<Facets>,
    /// The text also searched, its words cut apart (see
    /// [`text_matches_or_words`]).
    pub searched_as: Option<String>,
}

pub struct Context<'a> {
    pub searcher: &'a tantivy::Searcher,
    pub fields: &'a Fields,
    pub ja: &'a Japanese,
    pub synonyms: &'a Synonyms,
    pub side: Arc<Side>,
    pub areas: &'a Areas,
}

/// Every entry the query matches, unordered (for maps and exports).
pub fn matching(cx: &Context<'_>, q: &SearchQuery) -> tantivy::Result<Vec<u32>> {
    let side: &Side = &cx.side;
    let filter = Filter::new(q, side, cx.areas);
    if let Some(t) = text_matches_or_words(cx, q, &filter, false, None)? {
        return Ok(t.matches.into_iter().map(|(e, _)| e).collect());
    }
    let all = SearchQuery { near: if q.radius_m.is_some() { q.near } else { None }, visits: None, ..q.clone() };
    Ok(match geo_candidates(side, &all, &filter, usize::MAX) {
        Candidates::List(list) | Candidates::Nearest(list, _) => list,
    })
}

pub fn run(cx: &Context<'_>, q: &SearchQuery) -> tantivy::Result<Found> {
    let side: &Side = &cx.side;
    let filter = Filter::new(q, side, cx.areas);
    let origin = q.origin();
    let rank = |entry: u32, score: f32| -> Ranked {
        Ranked {
            entry,
            score,
            distance_m: origin.and_then(|o| side.entries[entry as usize].point.map(|p| o.distance_m(p))),
            visits: filter.visits(side, entry),
            order: side.orders[entry as usize],
        }
    };
    let need = q.offset + q.limit;
    let mut searched_as = None;
    // Ranked by score first, only matches that score well enough to place
    // need be listed; the rest are counted.
    let keep = (q.sort == Sort::Relevance && q.visits.is_none() && !q.facets).then_some(need);
    let mut total = None;
    let matches: Vec<(u32, Score)> = if let Some(t) = text_matches_or_words(cx, q, &filter, origin.is_some(), keep)? {
        searched_as = t.also;
        total = Some(t.total);
        t.matches
    } else {
        let candidates = geo_candidates(side, q, &filter, need);
        match candidates {
            Candidates::Nearest(list, total) => {
                let hits: Vec<Ranked> = list.into_iter().map(|e| rank(e, 0.0)).collect();
                let facets = q.facets.then(|| {
                    facets(side, &filter, (0..side.entries.len() as u32).filter(|&i| filter.attributes(side, i)))
                });
                return Ok(Found { total, hits: page(hits, q), facets, searched_as });
            }
            Candidates::List(list) => list.into_iter().map(|e| (e, 0.0)).collect(),
        }
    };
    let facets = q.facets.then(|| facets(side, &filter, matches.iter().map(|&(e, _)| e)));
    // The best `need` in one pass: a match is ranked (its distance
    // measured, its visit area tested) only when it could place, as far
    // as its score and name order tell.
    let by_score = q.sort == Sort::Relevance && q.visits.is_none();
    let by_order = q.visits.is_none() && (q.sort == Sort::Name || origin.is_none());
    // With a point, the difference in latitude alone bounds the distance
    // from below (haversine): far matches are passed over unmeasured.
    let by_distance = q.visits.is_none() && q.sort != Sort::Name;
    // (The f32 latitude is within 2e-6° of the true one, so less 1e-5° the
    // bound is still a lower bound; without a point it is NaN: never farther.)
    let farther = |e: u32, w: &Ranked| match (origin, w.distance_m) {
        (Some(o), Some(d)) => {
            let dlat = (f64::from(side.lats[e as usize]) - o.lat).abs() - 1e-5;
            EARTH_RADIUS_M * dlat.to_radians() > d * (1.0 + 1e-9) + 1e-6
        }
        _ => false,
    };
    let worse = |e: u32, s: Score, w: &Ranked| {
        if by_score && s != w.score {
            s < w.score
        } else if by_order {
            side.orders[e as usize] > w.order
        } else {
            by_distance && farther(e, w)
        }
    };
    let mut best: std::collections::BinaryHeap<Best> = std::collections::BinaryHeap::with_capacity(need);
    for &(e, s) in &matches {
        if best.len() < need {
            best.push(Best(rank(e, s), q.sort));
            continue;
        }
        let Some(mut worst) = best.peek_mut() else { break };
        if worse(e, s, &worst.0) {
            continue;
        }
        let r = rank(e, s);
        if order(q.sort, &r, &worst.0).is_lt() {
            worst.0 = r;
        }
    }
    let hits = best.into_sorted_vec().into_iter().map(|b| b.0).collect();
    Ok(Found { total: total.unwrap_or(matches.len()), hits: page(hits, q), facets, searched_as })
}

/// A ranked match in the heap of the best: the greatest is the worst shown.
struct Best(Ranked, Sort);

impl Ord for Best {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        order(self.1, &self.0, &other.0)
    }
}

impl PartialOrd for Best {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Best {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == std::cmp::Ordering::Equal
    }
}

impl Eq for Best {}

/// The query text's matches, or `None` without a text, and the
/// text also searched, if any. A part that runs words together with
/// particles or verbs between them (「下松の訪問看護」, 「往診してくれる病院」)
/// is also searched cut there ([`words_apart`]), a facility scoring the
/// better of the two; a text that matches nothing at all, also cut between
/// its words (「眼科柳井」 → 「眼科 柳井」).
fn text_matches_or_words(
    cx: &Context<'_>,
    q: &SearchQuery,
    filter: &Filter<'_>,
    near: bool,
    keep: Option<usize>,
) -> tantivy::Result<Option<TextMatches>> {
    let Some(t) = q.text.as_deref() else { return Ok(None) };
    // A text with nothing to search in it (「ー」, 「※」) matches nothing:
    // it is not the absence of a text, which lists everything.
    let Some(text) = text_query(cx, t, near)? else {
        return Ok(Some(TextMatches { matches: Vec::new(), total: 0, also: None }));
    };
    let at_particles = words_apart(cx.ja, &cx.side.kana_places, t, false);
    // Matches merged with another text's must all be there.
    let (mut matches, total) = text_matches_keeping(cx, q, filter, text, keep.filter(|_| at_particles.is_none()))?;
    if at_particles.is_none() && !matches.is_empty() {
        return Ok(Some(TextMatches { matches, total, also: None }));
    }
    let mut also = None;
    if let Some(cut) = &at_particles
        && let Some(text) = text_query(cx, cut, near)?
    {
        let more = text_matches(cx, q, filter, text)?;
        let mut best: std::collections::HashMap<u32, Score> = matches.iter().copied().collect();
        if more.iter().any(|(e, _)| !best.contains_key(e)) {
            for (e, s) in more {
                let b = best.entry(e).or_insert(s);
                *b = b.max(s);
            }
            matches = best.into_iter().collect();
            also = Some(cut.clone());
        }
    }
    let at_words = if matches.is_empty() { words_apart(cx.ja, &cx.side.kana_places, t, true) } else { None };
    if matches.is_empty()
        && let Some(cut) = at_words.as_ref().filter(|c| at_particles.as_ref() != Some(*c))
        && let Some(text) = text_query(cx, cut, near)?
    {
        matches = text_matches(cx, q, filter, text)?;
        also = (!matches.is_empty()).then(|| cut.clone());
    }
    // 「阿知須で入院できる病院」: of three words or more, all but one.
    if matches.is_empty()
        && let Some(cut) = at_words.or(at_particles)
        && cut.split_whitespace().count() >= 3
        && let Some(mut text) = text_query(cx, &cut, near)?
    {
        text.all_but_one = true;
        matches = text_matches(cx, q, filter, text)?;
        also = (!matches.is_empty()).then_some(cut);
    }
    // A text that still matches nothing and asks nothing else, with one
    // character mistyped (an IME's wrong kanji): a word of the services,
    // categories or synonyms but for one character taken for it
    // (「訪門看護」 → 訪問看護, 「包活」 → 包括), or else one character of a
    // part left out (「大峰町東分290-1」 → 町東分290-1); of the ways that
    // match, the best, more of the text matched first, then fewer
    // facilities.
    if matches.is_empty() && filter.asks_nothing() {
        for slips in [one_word_off(cx, t), one_character_off(t)] {
            let mut best: Option<(Score, usize, String, Scored)> = None;
            for slip in slips {
                let Some(text) = text_query(cx, &slip, near)? else { continue };
                let found = text_matches(cx, q, filter, text)?;
                let Some(top) = found.iter().map(|m| m.1).reduce(Score::max) else { continue };
                if best.as_ref().is_none_or(|b| top > b.0 || (top == b.0 && found.len() < b.1)) {
                    best = Some((top, found.len(), slip, found));
                }
            }
            if let Some((_, _, slip, found)) = best {
                (matches, also) = (found, Some(slip));
                break;
            }
        }
    }
    let total = if also.is_some() { matches.len() } else { total.max(matches.len()) };
    Ok(Some(TextMatches { matches, total, also }))
}

/// `text` with a word of the topics or synonyms put in for what differs
/// from it in one character (of a word of three characters or more; of
/// two, when only one word is that close); the rest as typed.
fn one_word_off(cx: &Context<'_>, text: &str) -> Vec<String> {
    let text = tsunagi_domain::normalize::nfkc(text);
    let parts: Vec<&str> = text.split_whitespace().collect();
    // Characters compare folded (さ = サ); one that folds to none or to
    // several, as itself.
    let folded = |c: char| {
        let f = fold(c.encode_utf8(&mut [0; 4]));
        let mut chars = f.chars();
        match (chars.next(), chars.next()) {
            (Some(one), None) => one,
            _ => c,
        }
    };
    let mut vocabulary: Vec<&str> = cx.side.topic_terms.terms().iter().map(String::as_str).collect();
    vocabulary.extend(cx.synonyms.words());
    vocabulary.sort_unstable();
    vocabulary.dedup();
    let mut out: Vec<String> = Vec::new();
    let mut two: Vec<String> = Vec::new();
    for (j, part) in parts.iter().enumerate() {
        let typed: Vec<char> = part.chars().collect();
        let chars: Vec<char> = typed.iter().map(|&c| folded(c)).collect();
        for word in &vocabulary {
            let w: Vec<char> = word.chars().collect();
            if w.len() < 2 || w.len() > chars.len() {
                continue;
            }
            for at in 0..=chars.len() - w.len() {
                let here = &chars[at..at + w.len()];
                if here.iter().zip(&w).filter(|(a, b)| a != b).count() != 1
                    || vocabulary.binary_search(&here.iter().collect::<String>().as_str()).is_ok()
                {
                    continue;
                }
                let mut fixed: Vec<String> = parts.iter().map(|p| p.to_string()).collect();
                fixed[j] = typed[..at].iter().chain(&w).chain(&typed[at + w.len()..]).collect();
                let fixed = fixed.join(" ");
                let into = if w.len() == 2 { &mut two } else { &mut out };
                if !into.contains(&fixed) {
                    into.push(fixed);
                }
            }
        }
    }
    if two.len() == 1 {
        out.append(&mut two);
    }
    out.truncate(MAX_SLIPS);
    out
}

/// At most this many ways of [`one_character_off`] are searched.
const MAX_SLIPS: usize = 24;

/// `text` with one character of a part of three or more left out, the
/// pieces it leaves searched as parts of their own (a piece of one
/// character, which would match nearly anything or nothing, dropped). Not
/// of a part all in kana: a reading typed is no IME's wrong kanji, and one
/// with a syllable left out reads as another name (だいじゅえん → いじゅえん,
/// 恵寿苑); readings typed loosely are matched as they sound.
fn one_character_off(text: &str) -> Vec<String> {
    let text = tsunagi_domain::normalize::nfkc(text);
    let parts: Vec<&str> = text.split_whitespace().collect();
    let mut out: Vec<String> = Vec::new();
    for (j, part) in parts.iter().enumerate() {
        let chars: Vec<char> = part.chars().collect();
        for i in (0..chars.len()).filter(|_| chars.len() >= 3 && !is_kana(part)) {
            let pieces = [&chars[..i], &chars[i + 1..]].into_iter().filter(|p| p.len() >= 2);
            let pieces: Vec<String> = pieces.map(|p| p.iter().collect()).collect();
            if pieces.is_empty() {
                continue;
            }
            let mut slip: Vec<String> = parts.iter().map(|p| p.to_string()).collect();
            slip.splice(j..=j, pieces);
            let slip = slip.join(" ");
            if !out.contains(&slip) {
                out.push(slip);
            }
        }
    }
    out.truncate(MAX_SLIPS);
    out
}

struct TextMatches {
    /// Every match, or with `keep`, at least every one that can be among
    /// the best `keep`.
    matches: Vec<(u32, Score)>,
    total: usize,
    /// The text also searched ([`Found::searched_as`]).
    also: Option<String>,
}

/// The text cut where the dictionary finds a particle, verb or the like,
/// which are left out (「下松市の訪問看護」 → 「下松市 訪問看護」, 「周南市で往診
/// してくれる病院」 → 「周南市 往診 病院」), or, `at_words`, also between its
/// words (「眼科柳井」 → 「眼科 柳井」); `None` if that changes nothing. A
/// word of one character, a number and 丁目, 番地, 番 or 号 stay with the
/// word before (柳井市, 大手町2丁目); hiragana before the first kanji or
/// katakana are a word, not particles (「やない市の眼科」); a part in
/// hiragana only stays whole: the dictionary cuts a reading anywhere. An
/// island is its name (「女木島」 → 女木, as in 高松市女木町). A place of the
/// index written with kana ([`Side::kana_places`]: 南あわじ, not 南 and the
/// verb あわ) is one word.
pub(crate) fn words_apart(ja: &Japanese, places: &[String], text: &str, at_words: bool) -> Option<String> {
    let hiragana = tsunagi_domain::normalize::is_hiragana;
    let island = |w: &str| match w.strip_suffix('島') {
        Some(name) if name.chars().count() >= 2 => name.to_string(),
        _ => w.to_string(),
    };
    let text = tsunagi_domain::normalize::nfkc(text);
    let mut out: Vec<String> = Vec::new();
    for part in text.split_whitespace() {
        // Particles and verbs are written in hiragana: without any, a part
        // has none to cut at.
        if part.chars().all(|c| hiragana(c) || c == 'ー') || (!at_words && !part.chars().any(hiragana)) {
            out.push(part.to_string());
            continue;
        }
        // Where the part names a place written with kana (「南あわじ」):
        // its words are one word, never particles.
        let spans: Vec<(usize, usize)> =
            places.iter().flat_map(|p| part.match_indices(p.as_str()).map(|(at, p)| (at, at + p.len()))).collect();
        let (mut open, mut leading, mut at, mut in_place) = (false, true, 0, None);
        for w in ja.words(part) {
            leading &= w.surface.chars().all(hiragana);
            let start = part[at..].find(&w.surface).map_or(at, |i| at + i);
            at = start + w.surface.len();
            let place = spans.iter().copied().find(|&(s, e)| s < at && start < e);
            if let Some(p) = place {
                match out.last_mut() {
                    Some(last) if in_place == Some(p) || (open && !at_words) => last.push_str(&w.surface),
                    _ => out.push(w.surface),
                }
                (open, in_place) = (true, Some(p));
                continue;
            }
            in_place = None;
            if w.function && !leading {
                open = false;
                continue;
            }
            let short = w.surface.chars().nth(1).is_none();
            let number = w.surface.chars().all(|c| c.is_ascii_digit() || c == '-');
            let unit = matches!(w.surface.as_str(), "丁目" | "番地" | "番" | "号");
            match out.last_mut() {
                Some(last) if open && (short || number || unit || !at_words) => last.push_str(&w.surface),
                _ => out.push(w.surface),
            }
            open = true;
        }
    }
    let apart = out.iter().map(|w| island(w)).collect::<Vec<_>>().join(" ");
    (apart != text.split_whitespace().collect::<Vec<_>>().join(" ")).then_some(apart)
}

/// The text's matches, with their scores, that pass the filters too.
fn text_matches(cx: &Context<'_>, q: &SearchQuery, filter: &Filter<'_>, text: Text) -> tantivy::Result<Scored> {
    Ok(text_matches_keeping(cx, q, filter, text, None)?.0)
}

/// [`text_matches`], and how many there are. With `keep`, the matches
/// that cannot be among the best `keep` by score may be counted only.
fn text_matches_keeping(
    cx: &Context<'_>,
    q: &SearchQuery,
    filter: &Filter<'_>,
    text: Text,
    keep: Option<usize>,
) -> tantivy::Result<(Vec<(u32, Score)>, usize)> {
    let places = places(&cx.side, q);
    if let Some(tiers) = text.single_part() {
        return match places {
            None => tier_matches(cx, filter, tiers, keep, None),
            Some(places) => {
                let matches = tier_among(cx, filter, tiers, places)?;
                let total = matches.len();
                Ok((matches, total))
            }
        };
    }
    let matches = match places {
        None if !text.all_but_one => parts_matches(cx, filter, text)?,
        places => merged_matches(cx, q, filter, text, places)?,
    };
    let total = matches.len();
    Ok((matches, total))
}

/// The matches of a text of several parts, every one required, part by
/// part, each tier by tier as a part alone is ([`tier_matches`]): the part
/// reaching the fewest documents first, each next one among the matches
/// so far only, their scores added; then the bonus of the whole text among
/// those. The score of [`Text::into_query`], without tantivy intersecting
/// the unions of every part's tiers document by document (「整形外科
/// クリニック」 at 500k: 53 ms that way).
fn parts_matches(cx: &Context<'_>, filter: &Filter<'_>, text: Text) -> tantivy::Result<Scored> {
    let side: &Side = &cx.side;
    let readers = cx.searcher.segment_readers();
    // How many documents a part's postings hold at most: a phrase's or
    // conjunction's rarest term's, a term's own.
    let reach = |tiers: &[Tier]| -> tantivy::Result<u64> {
        let scoring = tantivy::query::EnableScoring::disabled_from_searcher(cx.searcher);
        let mut n = 0;
        for q in tiers.iter().flat_map(|t| &t.1) {
            let p = Postings::of(q.as_ref(), scoring)?;
            let mut least = if matches!(p, Postings::Query(_)) { 0 } else { u64::MAX };
            for t in p.terms() {
                let mut df = 0;
                for reader in readers {
                    df += reader.inverted_index(t.field())?.get_term_info(t)?.map_or(0, |i| u64::from(i.doc_freq));
                }
                least = least.min(df);
            }
            n += least;
        }
        Ok(n)
    };
    let mut parts: Vec<(u64, &Vec<Tier>)> = Vec::with_capacity(text.parts.len());
    for tiers in &text.parts {
        parts.push((reach(tiers)?, tiers));
    }
    parts.sort_by_key(|p| p.0);
    let bits_of = |matches: &Scored| {
        let mut bits: Vec<Vec<u64>> = readers.iter().map(|r| vec![0u64; (r.max_doc() as usize).div_ceil(64)]).collect();
        for &(e, _) in matches {
            let d = side.entries[e as usize].doc;
            bits[d.segment_ord as usize][(d.doc_id / 64) as usize] |= 1 << (d.doc_id % 64);
        }
        bits
    };
    let mut all: Option<Scored> = None;
    for (_, tiers) in parts {
        let among = all.as_ref().map(bits_of);
        let mut part = tier_matches(cx, filter, tiers, None, among.as_deref())?.0;
        part.sort_unstable_by_key(|m| m.0);
        all = Some(match all {
            None => part,
            // (The part's matches are among those before.)
            Some(before) => {
                let mut part = part.into_iter().peekable();
                before.into_iter().filter_map(|(e, s)| part.next_if(|p| p.0 == e).map(|p| (e, s + p.1))).collect()
            }
        });
        if all.as_ref().is_some_and(Vec::is_empty) {
            return Ok(Vec::new());
        }
    }
    let mut all = all.unwrap_or_default();
    let among = bits_of(&all);
    for (weight, query) in text.bonus {
        let mut reached = tier_matches(cx, filter, &[(weight, vec![query])], None, Some(&among))?.0;
        reached.sort_unstable_by_key(|m| m.0);
        let mut reached = reached.into_iter().map(|m| m.0).peekable();
        for m in &mut all {
            if reached.next_if_eq(&m.0).is_some() {
                m.1 += weight;
            }
        }
    }
    Ok(all)
}

/// A text of several parts matched both ways, each sorted (for the test
/// that they agree): merged by tantivy, and part by part.
#[cfg(test)]
pub fn parts_both_ways(cx: &Context<'_>, q: &SearchQuery) -> Option<[Scored; 2]> {
    let filter = Filter::new(q, &cx.side, cx.areas);
    let text = || q.text.as_deref().and_then(|t| text_query(cx, t, q.origin().is_some()).unwrap());
    if text()?.parts.len() < 2 {
        return None;
    }
    let mut ways =
        [merged_matches(cx, q, &filter, text()?, None).unwrap(), parts_matches(cx, &filter, text()?).unwrap()];
    ways.iter_mut().for_each(|w| w.sort_by_key(|m| m.0));
    Some(ways)
}

/// The text's matches as one tantivy query with the term filters, scored
/// document at a time; among `places` only, when given.
fn merged_matches(
    cx: &Context<'_>,
    q: &SearchQuery,
    filter: &Filter<'_>,
    text: Text,
    places: Option<Vec<u32>>,
) -> tantivy::Result<Scored> {
    let mut clauses = vec![(Occur::Must, text.into_query())];
    clauses.extend(term_filters(cx.fields, q));
    let query = BooleanQuery::new(clauses);
    let mut matches = match places {
        Some(mut entries) => {
            entries.retain(|&e| cx.side.flags[e as usize] & filter.excluded_flags == 0);
            text_among(cx, &query, entries)?
        }
        None => cx.searcher.search(&query, &Matches { side: cx.side.clone(), exclude: filter.excluded_docs() })?,
    };
    matches.retain(|(e, _)| filter.after_text(&cx.side, *e));
    Ok(matches)
}

/// A one-part text's matches every way, each sorted (for the test that
/// they agree): merged by tantivy, term at a time, and among the query's
/// places (its box or radius) merged and tier by tier; and how many term
/// at a time counts when it lists only what can be among the best 3, with
/// the best 3 of all matches and of those it lists (as [`run`] ranks them).
#[cfg(test)]
pub fn one_part_every_way(cx: &Context<'_>, q: &SearchQuery) -> Option<(Vec<Scored>, usize, [Vec<u32>; 2])> {
    let filter = Filter::new(q, &cx.side, cx.areas);
    let text = || q.text.as_deref().and_then(|t| text_query(cx, t, q.origin().is_some()).unwrap());
    let tiers = text()?;
    let tiers = tiers.single_part()?;
    let mut ways = vec![
        merged_matches(cx, q, &filter, text()?, None).unwrap(),
        tier_matches(cx, &filter, tiers, None, None).unwrap().0,
    ];
    if let Some(places) = places(&cx.side, q) {
        ways.push(merged_matches(cx, q, &filter, text()?, Some(places.clone())).unwrap());
        ways.push(tier_among(cx, &filter, tiers, places).unwrap());
    }
    ways.iter_mut().for_each(|w| w.sort_by_key(|m| m.0));
    let (kept, counted) = tier_matches(cx, &filter, tiers, Some(3), None).unwrap();
    let side = &cx.side;
    let best3 = |m: &Scored| {
        let ranked = |&(entry, score): &(u32, Score)| Ranked {
            entry,
            score,
            distance_m: q.origin().and_then(|o| side.entries[entry as usize].point.map(|p| o.distance_m(p))),
            visits: None,
            order: side.orders[entry as usize],
        };
        let mut all: Vec<Ranked> = m.iter().map(ranked).collect();
        all.sort_by(|a, b| order(q.sort, a, b));
        all.iter().take(3).map(|r| r.entry).collect::<Vec<_>>()
    };
    let best = [best3(&ways[0]), best3(&kept)];
    Some((ways, counted, best))
}

/// The matches of a text of one part, term at a time: each tier's
/// postings are read straight through, best tier first, and a document
/// scores the first tier that reaches it. That is the score of the
/// disjunction [`Text::into_query`] makes, without merging the tiers'
/// postings and scoring them document by document (歯科 reaches tens of
/// thousands of facilities through names, groups and services alike).
/// The filters are checked on the side table instead of intersecting
/// their postings. With `keep`, once that many matches score above a tier,
/// its own matches are counted, not listed: they cannot place. With
/// `among` (bits per segment; not with `keep`), only those documents.
/// Returns the listed matches and how many there are in all.
fn tier_matches(
    cx: &Context<'_>,
    filter: &Filter<'_>,
    tiers: &[Tier],
    keep: Option<usize>,
    among: Option<&[Vec<u64>]>,
) -> tantivy::Result<(Vec<(u32, Score)>, usize)> {
    debug_assert!(among.is_none() || keep.is_none());
    let side: &Side = &cx.side;
    let scoring = tantivy::query::EnableScoring::disabled_from_searcher(cx.searcher);
    let mut best_first: Vec<(f32, Vec<Postings<'_>>)> = Vec::new();
    for (weight, alternatives) in tiers {
        let postings =
            alternatives.iter().map(|q| Postings::of(q.as_ref(), scoring)).collect::<tantivy::Result<_>>()?;
        best_first.push((*weight, postings));
    }
    // Stable: tiers of equal weight keep their order (any gives the same).
    best_first.sort_by(|a, b| b.0.total_cmp(&a.0));
    let exclude = filter.excluded_docs();
    let bounded = filter.q.bbox.is_some() || filter.q.radius_m.is_some();
    let readers = cx.searcher.segment_readers();
    let mut seen: Vec<Vec<u64>> = readers.iter().map(|r| vec![0u64; (r.max_doc() as usize).div_ceil(64)]).collect();
    // A filter of categories alone is checked on their docs' bits.
    let by_bits = filter.categories_only();
    let of_categories = (by_bits && filter.categories != 0).then(|| side.docs_of_categories(filter.categories));
    let passes = |e: u32| (by_bits || filter.attributes(side, e)) && (!bounded || filter.bounds(side, e));
    // With the filter all in bits, every document seen that passes them
    // is a match, listed or not: counted at the end, a word at a time.
    let counted_by_bits = by_bits && !bounded;
    let mut out = Vec::new();
    let mut count_only = false;
    // Otherwise, the documents seen by the listed tiers, once a tier is
    // only counted: the others are checked one by one at the end; and how
    // many of the listed are not among those.
    let mut listed_seen: Option<Vec<Vec<u64>>> = None;
    let mut uncounted = 0;
    // The lowest tier listed so far.
    let mut last = f32::INFINITY;
    // Matches of equal score rank by name order alone (no point to measure from).
    let by_order = filter.q.origin().is_none();
    for (i, (score, postings)) in best_first.iter().enumerate() {
        // Once `keep` matches score more than this tier, none of its own
        // (nor of any tier below) can place: they are only counted, their
        // documents marked now and checked once at the end, however many
        // tiers reach them (歯科 reaches its 140,000 facilities through
        // 1.2 million postings).
        let listed = !count_only && keep.is_none_or(|k| out.len() < k || *score >= last);
        if !listed && !count_only {
            count_only = true;
            listed_seen = (!counted_by_bits).then(|| seen.clone());
            uncounted = out.len();
        }
        // A tier listed below every better one and above the next, whose
        // matches rank among themselves by name order alone: when it is all
        // in bits, the few of it that can place are picked in name order
        // ([`pick_in_name_order`]) and the rest only counted.
        let picking = listed
            && by_order
            && *score < last
            && keep.is_some_and(|k| out.len() < k)
            && best_first.get(i + 1).is_none_or(|next| next.0 < *score);
        last = last.min(*score);
        // Each posting's terms' infos per segment, looked up once.
        let mut infos: Vec<Vec<Vec<Option<TermInfo>>>> = Vec::with_capacity(readers.len());
        for reader in readers {
            let mut of_segment = Vec::with_capacity(postings.len());
            for p in postings {
                // A phrase or conjunction with a term the segment lacks
                // matches nothing there: the rest are not looked up.
                let mut of_posting = Vec::new();
                for t in p.terms() {
                    let info = reader.inverted_index(t.field())?.get_term_info(t)?;
                    let missing = info.is_none();
                    of_posting.push(info);
                    if missing {
                        break;
                    }
                }
                of_segment.push(of_posting);
            }
            infos.push(of_segment);
        }
        // Postings of terms many documents hold: their bits, OR-ed in when
        // the tier is only marked, or all of a tier picked from. (Read only
        // then: a tier listed with one posting not in bits lists them all.)
        let doc_freq = |j: usize, k: usize| -> u64 {
            infos.iter().map(|s| s[j].get(k).and_then(Option::as_ref).map_or(0, |t| u64::from(t.doc_freq))).sum()
        };
        let in_bits = |j: usize| match &postings[j] {
            Postings::Term(_) => side.is_dense(doc_freq(j, 0)),
            Postings::All(terms) => (0..terms.len()).all(|k| side.is_dense(doc_freq(j, k))),
            _ => false,
        };
        let picking = picking && (0..postings.len()).all(in_bits);
        let mut dense = Vec::with_capacity(postings.len());
        if !listed || picking {
            for (j, p) in postings.iter().enumerate() {
                dense.push(if in_bits(j) { Some(postings_bits(side, p)?) } else { None });
            }
        }
        if picking && !dense.is_empty() {
            // The tier's documents no better tier reached, of those that
            // can match at all (shown, of the categories asked): 調剤薬局
            // reaches 127,000 facilities, and none of them is a dentist's.
            let mut new: Vec<Vec<u64>> = seen.iter().map(|s| s.iter().map(|&w| !w).collect()).collect();
            for (ord, n) in new.iter_mut().enumerate() {
                let (visible, allowed) = (side.visible(ord, exclude), of_categories.as_ref().map(|c| &c[ord]));
                let tier = n.iter_mut().zip(&mut seen[ord]);
                for (w, (n, s)) in tier.enumerate() {
                    let all = dense.iter().flatten().fold(0, |a, bits| a | bits[ord][w]);
                    *n &= all & visible[w] & allowed.map_or(u64::MAX, |a| a[w]);
                    *s |= all;
                }
            }
            let ok = |ord: usize, doc: usize| {
                let e = side.by_doc[ord][doc] & DOC_ENTRY;
                passes(e).then_some(e)
            };
            let need = keep.unwrap_or(0) - out.len();
            let listed_before = out.len();
            if pick_in_name_order(side, &new, need, &ok, &mut |e| out.push((e, *score))) {
                count_only = true;
                listed_seen = (!counted_by_bits).then(|| {
                    seen.iter().zip(&new).map(|(s, n)| s.iter().zip(n).map(|(&s, &n)| s & !n).collect()).collect()
                });
                uncounted = listed_before;
            } else {
                // Too few to pick faster than listing them all.
                for (ord, new) in new.iter().enumerate() {
                    let docs = set_bits(new.iter().copied()).filter_map(|doc| ok(ord, doc));
                    out.extend(docs.map(|e| (e, *score)));
                }
            }
            continue;
        }
        let marking = !listed;
        for (ord, reader) in readers.iter().enumerate() {
            let by_doc = &side.by_doc[ord];
            let seen = Cell::from_mut(seen[ord].as_mut_slice()).as_slice_of_cells();
            let allowed = of_categories.as_ref().map(|c| c[ord].as_slice());
            let visible = side.visible(ord, exclude);
            // What a document must be to matter here, before a phrase's
            // positions are read for it: not seen by a better tier, and
            // where the filter is all in bits (or the tier is listed),
            // shown and of the categories asked. (Bits, not `by_doc`: a
            // rare phrase's rarest term can still have thousands of
            // documents, and the bits of them all stay in the cache.)
            let among = among.map(|a| a[ord].as_slice());
            let wanted = |doc: DocId| {
                let (word, bit) = ((doc / 64) as usize, 1u64 << (doc % 64));
                seen[word].get() & bit == 0
                    && among.is_none_or(|a| a[word] & bit != 0)
                    && (!(listed || counted_by_bits)
                        || visible[word] & bit != 0 && allowed.is_none_or(|a| a[word] & bit != 0))
            };
            for (j, p) in postings.iter().enumerate() {
                if let Some(Some(bits)) = dense.get(j).filter(|_| marking) {
                    seen.iter().zip(&bits[ord]).for_each(|(s, &b)| s.set(s.get() | b));
                    continue;
                }
                p.for_each(reader, &infos[ord][j], &wanted, &mut |docs: &[DocId]| {
                    if marking {
                        mark(seen, docs);
                        return;
                    }
                    for &doc in docs {
                        let (word, bit) = ((doc / 64) as usize, 1u64 << (doc % 64));
                        if seen[word].get() & bit != 0 || among.is_some_and(|a| a[word] & bit == 0) {
                            continue;
                        }
                        seen[word].set(seen[word].get() | bit);
                        let e = by_doc[doc as usize];
                        if e & exclude == 0 && allowed.is_none_or(|a| a[word] & bit != 0) && passes(e & DOC_ENTRY) {
                            out.push((e & DOC_ENTRY, *score));
                        }
                    }
                })?;
            }
        }
    }
    if !count_only {
        let total = out.len();
        return Ok((out, total));
    }
    let mut total = 0;
    for (ord, now) in seen.iter().enumerate() {
        if counted_by_bits {
            let visible = now.iter().zip(side.visible(ord, exclude)).map(|(&n, &v)| n & v);
            total += match &of_categories {
                Some(c) => visible.zip(&c[ord]).map(|(n, &a)| (n & a).count_ones() as usize).sum::<usize>(),
                None => visible.map(|n| n.count_ones() as usize).sum::<usize>(),
            };
            continue;
        }
        let (by_doc, before) = (&side.by_doc[ord], listed_seen.as_ref().map_or(&[][..], |b| &b[ord]));
        // (The categories, when in bits, are not among what `passes` checks.)
        let allowed = |w: usize| of_categories.as_ref().map_or(u64::MAX, |c| c[ord][w]);
        let new = now.iter().zip(before).enumerate().map(|(w, (&now, &before))| now & !before & allowed(w));
        total += set_bits(new).filter(|&doc| by_doc[doc] & exclude == 0 && passes(by_doc[doc] & DOC_ENTRY)).count();
    }
    if !counted_by_bits {
        total += uncounted;
    }
    Ok((out, total))
}

/// Of the documents in `new` (bits per segment), the first `need` in name
/// order that `ok` keeps (giving their entries), to `pick`: the entries
/// are walked in name order, so when one document in five is new, 10 are
/// found in about 50 steps rather than by listing and ranking a hundred
/// thousand. `false`, having picked nothing, when there are too few new
/// documents for the walk to beat listing them (or the filter keeps so
/// few that it goes on too long).
fn pick_in_name_order(
    side: &Side,
    new: &[Vec<u64>],
    need: usize,
    ok: &dyn Fn(usize, usize) -> Option<u32>,
    pick: &mut dyn FnMut(u32),
) -> bool {
    let count: usize = new.iter().flatten().map(|n| n.count_ones() as usize).sum();
    let all = side.ranked.len().max(1);
    // A step of the walk costs about what listing and ranking eight
    // matches does; it takes about need × all / count steps.
    let steps = need.saturating_mul(all) / count.max(1);
    if need == 0 || steps.saturating_mul(8) > count {
        return false;
    }
    // Past the cost of listing them (the names holding a word may be
    // anything but spread evenly in name order), they are listed instead.
    let budget = count / 8;
    let mut picked = Vec::with_capacity(need);
    for &e in side.ranked.iter().take(budget) {
        let d = side.entries[e as usize].doc;
        let (ord, doc) = (d.segment_ord as usize, d.doc_id as usize);
        if new[ord][doc / 64] >> (doc % 64) & 1 == 0 {
            continue;
        }
        if let Some(e) = ok(ord, doc) {
            picked.push(e);
            if picked.len() == need {
                picked.into_iter().for_each(pick);
                return true;
            }
        }
    }
    // Fewer than `need` within the budget: all of them, if the walk ended.
    if side.ranked.len() <= budget {
        picked.into_iter().for_each(pick);
        return true;
    }
    false
}

/// The documents of a posting (a term, or a conjunction of terms) as bits
/// per segment, from the ones [`Side::dense`] keeps.
fn postings_bits(side: &Side, p: &Postings<'_>) -> tantivy::Result<Arc<Vec<Vec<u64>>>> {
    let terms = p.terms();
    let first = side.dense(&terms[0])?;
    if terms.len() == 1 {
        return Ok(first);
    }
    let mut all = first.as_ref().clone();
    for t in &terms[1..] {
        let bits = side.dense(t)?;
        all.iter_mut().flatten().zip(bits.iter().flatten()).for_each(|(a, b)| *a &= b);
    }
    Ok(Arc::new(all))
}

/// The positions of the set bits of `words`, in order.
fn set_bits(words: impl Iterator<Item = u64>) -> impl Iterator<Item = usize> {
    words.enumerate().flat_map(|(w, mut bits)| {
        std::iter::from_fn(move || {
            (bits != 0).then(|| {
                let at = w * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                at
            })
        })
    })
}

/// Sets the bits of `docs` (in order) in `seen`, a word at a time: the
/// bits of one word gather in a register rather than in memory.
pub(crate) fn mark(seen: &[Cell<u64>], docs: &[DocId]) {
    let Some(&first) = docs.first() else { return };
    let or = |word: u32, bits: u64| seen[word as usize].set(seen[word as usize].get() | bits);
    let (mut word, mut bits) = (first / 64, 0u64);
    for &doc in docs {
        if doc / 64 != word {
            or(word, bits);
            (word, bits) = (doc / 64, 0);
        }
        bits |= 1u64 << (doc % 64);
    }
    or(word, bits);
}

/// The entries inside the query's box or radius, when there are few enough
/// of them that checking each against the text beats scoring every text
/// match in the country (「調剤薬局」 in a town's box).
fn places(side: &Side, q: &SearchQuery) -> Option<Vec<u32>> {
    let most = side.entries.len() / 16;
    let mut out = Vec::new();
    for e in in_place(side, q)? {
        out.push(e);
        if out.len() > most {
            return None;
        }
    }
    Some(out)
}

/// The entries within the query's radius (a point and a distance) or else
/// its box, from the k-d tree; `None` when it has neither. Both are exact:
/// the tree's chord test is, up to float rounding, so only a point in the
/// radius' outer millionth is measured again by the haversine.
fn in_place<'a>(side: &'a Side, q: &'a SearchQuery) -> Option<Box<dyn Iterator<Item = u32> + 'a>> {
    if let (Some(c), Some(r)) = (q.near, q.radius_m) {
        let sure = chord2(r * (1.0 - 1e-6));
        let inside = move |&(e, d): &(u32, f64)| {
            d < sure || side.entries[e as usize].point.is_some_and(|pt| pt.distance_m(c) <= r)
        };
        return Some(Box::new(side.points.within(xyz(c), chord2(r)).filter(inside).map(|(e, _)| e)));
    }
    let b = q.bbox.as_ref()?;
    Some(Box::new(side.points.inside(b)))
}

/// [`tier_matches`] among `places` (from [`places`]): each tier's
/// queries, best tier first, are moved to the places no better tier has
/// reached (skipping through their postings), so a word in a town's box
/// reads a few blocks of each, not every match in the country nor the
/// merged disjunction of them all.
fn tier_among(cx: &Context<'_>, filter: &Filter<'_>, tiers: &[Tier], places: Vec<u32>) -> tantivy::Result<Scored> {
    let side: &Side = &cx.side;
    let scoring = tantivy::query::EnableScoring::disabled_from_searcher(cx.searcher);
    let mut left: Vec<(tantivy::DocAddress, u32)> = places
        .into_iter()
        .filter(|&e| filter.attributes(side, e) && filter.after_text(side, e))
        .map(|e| (side.entries[e as usize].doc, e))
        .collect();
    left.sort_unstable_by_key(|(d, _)| (d.segment_ord, d.doc_id));
    let mut best_first: Vec<&Tier> = tiers.iter().collect();
    // Stable: tiers of equal weight keep their order (any gives the same).
    best_first.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut out = Vec::new();
    for (score, alternatives) in best_first {
        for query in alternatives {
            if left.is_empty() {
                return Ok(out);
            }
            let mut reached = vec![false; left.len()];
            seek_each(cx, query.weight(scoring)?.as_ref(), &left, &mut |i, _| {
                reached[i] = true;
                out.push((left[i].1, *score));
            })?;
            let mut reached = reached.into_iter();
            left.retain(|_| !reached.next().unwrap_or(false));
        }
    }
    Ok(out)
}

/// The text matches among `entries`, with their scores: the query's scorer
/// is moved to each of their documents in order (skipping through the
/// postings) instead of visiting every match.
fn text_among(cx: &Context<'_>, query: &dyn Query, entries: Vec<u32>) -> tantivy::Result<Scored> {
    let weight = query.weight(tantivy::query::EnableScoring::enabled_from_searcher(cx.searcher))?;
    let mut docs: Vec<(tantivy::DocAddress, u32)> =
        entries.into_iter().map(|e| (cx.side.entries[e as usize].doc, e)).collect();
    docs.sort_unstable_by_key(|(d, _)| (d.segment_ord, d.doc_id));
    let mut out = Vec::new();
    seek_each(cx, weight.as_ref(), &docs, &mut |i, scorer| out.push((docs[i].1, scorer.score())))?;
    Ok(out)
}

/// Moves `weight`'s scorer through `docs` (documents and their entries,
/// in segment and document order), calling `f` with the index in `docs`
/// of each it matches and the scorer there.
fn seek_each(
    cx: &Context<'_>,
    weight: &dyn tantivy::query::Weight,
    docs: &[(tantivy::DocAddress, u32)],
    f: &mut dyn FnMut(usize, &mut dyn tantivy::query::Scorer),
) -> tantivy::Result<()> {
    use tantivy::DocSet;
    let mut at = 0;
    for segment in docs.chunk_by(|a, b| a.0.segment_ord == b.0.segment_ord) {
        let mut scorer = weight.scorer(cx.searcher.segment_reader(segment[0].0.segment_ord), 1.0)?;
        for (i, &(addr, _)) in segment.iter().enumerate() {
            let mut doc = scorer.doc();
            if doc < addr.doc_id {
                doc = scorer.seek(addr.doc_id);
            }
            if doc == tantivy::TERMINATED {
                break;
            }
            if doc == addr.doc_id {
                f(at + i, scorer.as_mut());
            }
        }
        at += segment.len();
    }
    Ok(())
}

/// Where a tier's documents come from: a term's postings, read block by
/// block, or any other query's matches.
enum Postings<'q> {
    Term(&'q Term),
    /// Terms at consecutive positions (a text's bigrams), matched here so
    /// that only the documents wanted have their positions read.
    Phrase(Vec<Term>),
    /// Terms of one field all in a document (a text's words), matched here
    /// so that the others' postings are moved only to documents wanted.
    All(Vec<Term>),
    Query(Box<dyn tantivy::query::Weight>),
}

impl<'q> Postings<'q> {
    fn of(q: &'q dyn Query, scoring: tantivy::query::EnableScoring<'_>) -> tantivy::Result<Postings<'q>> {
        if let Some(t) = q.downcast_ref::<TermQuery>() {
            return Ok(Postings::Term(t.term()));
        }
        // Every phrase here is a text's bigrams ([`bigram_query`]), without slop.
        if let Some(p) = q.downcast_ref::<PhraseQuery>() {
            return Ok(Postings::Phrase(p.phrase_terms()));
        }
        if let Some(terms) = q.downcast_ref::<BooleanQuery>().and_then(conjunction) {
            return Ok(Postings::All(terms));
        }
        Ok(Postings::Query(q.weight(scoring)?))
    }

    /// The terms whose postings are read (none for another query's).
    fn terms(&self) -> &[Term] {
        match self {
            Postings::Term(t) => std::slice::from_ref(*t),
            Postings::Phrase(terms) | Postings::All(terms) => terms,
            Postings::Query(_) => &[],
        }
    }

    /// Calls `f` with the documents of one segment, in order, a block at
    /// a time (deleted ones too: [`Side::by_doc`] leaves them out); a
    /// phrase's or conjunction's, only those `wanted` says may matter.
    /// `infos` are those of [`Self::terms`] in the segment.
    fn for_each(
        &self,
        reader: &SegmentReader,
        infos: &[Option<TermInfo>],
        wanted: &dyn Fn(DocId) -> bool,
        f: &mut dyn FnMut(&[DocId]),
    ) -> tantivy::Result<()> {
        match self {
            Postings::Term(term) => {
                let Some(Some(info)) = infos.first() else { return Ok(()) };
                let index = reader.inverted_index(term.field())?;
                let mut block = index.read_block_postings_from_terminfo(info, IndexRecordOption::Basic)?;
                while !block.docs().is_empty() {
                    f(block.docs());
                    block.advance();
                }
                Ok(())
            }
            Postings::Phrase(terms) => all_for_each(reader, terms, infos, true, wanted, f),
            Postings::All(terms) => all_for_each(reader, terms, infos, false, wanted, f),
            Postings::Query(weight) => weight.for_each_no_score(reader, f),
        }
    }
}

/// The terms of a conjunction of term queries of one field (what
/// [`all_words`] makes).
fn conjunction(q: &BooleanQuery) -> Option<Vec<Term>> {
    let terms: Option<Vec<Term>> = q
        .clauses()
        .iter()
        .map(|(occur, q)| {
            (*occur == Occur::Must).then(|| q.downcast_ref::<TermQuery>()).flatten().map(|t| t.term().clone())
        })
        .collect();
    terms.filter(|t| t.len() > 1 && t.iter().all(|x| x.field() == t[0].field()))
}

/// The documents of one segment holding all `terms` (one field's), and
/// with `phrase` at consecutive positions (what tantivy's phrase query of
/// them matches), among those `wanted`: the rarest term's documents are
/// taken one by one, the others' postings moved only to the ones wanted,
/// and a document's positions read only if it holds every term.
fn all_for_each(
    reader: &SegmentReader,
    terms: &[Term],
    infos: &[Option<TermInfo>],
    phrase: bool,
    wanted: &dyn Fn(DocId) -> bool,
    f: &mut dyn FnMut(&[DocId]),
) -> tantivy::Result<()> {
    use tantivy::DocSet;
    use tantivy::postings::Postings as _;
    let Some(field) = terms.first().map(Term::field) else { return Ok(()) };
    let index = reader.inverted_index(field)?;
    // (offset in the phrase, its term's info), the rarest first.
    let option = if phrase { IndexRecordOption::WithFreqsAndPositions } else { IndexRecordOption::Basic };
    let mut by_freq = Vec::with_capacity(terms.len());
    for (offset, info) in infos.iter().enumerate() {
        let Some(info) = info else { return Ok(()) };
        by_freq.push((offset as u32, info));
    }
    if by_freq.len() < terms.len() {
        return Ok(());
    }
    by_freq.sort_by_key(|(_, info)| info.doc_freq);
    // The rarest term's postings; the others' are opened at the first
    // document wanted (often none is: a better tier reached them all).
    let (first, info) = by_freq[0];
    let mut postings = vec![(first, index.read_postings_from_terminfo(info, option)?)];
    let mut found = Vec::new();
    let mut positions: Vec<Vec<u32>> = vec![Vec::new(); by_freq.len()];
    let mut doc = postings[0].1.doc();
    'candidates: while doc != tantivy::TERMINATED {
        if !wanted(doc) {
            doc = postings[0].1.advance();
            continue;
        }
        if postings.len() < by_freq.len() {
            for &(offset, info) in &by_freq[1..] {
                postings.push((offset, index.read_postings_from_terminfo(info, option)?));
            }
        }
        for (_, p) in &mut postings[1..] {
            let at = if p.doc() < doc { p.seek(doc) } else { p.doc() };
            if at > doc {
                doc = postings[0].1.seek(at);
                continue 'candidates;
            }
        }
        let matched = !phrase || {
            for ((_, p), out) in postings.iter_mut().zip(&mut positions) {
                p.positions(out);
            }
            // A start the rarest term's positions give that every other
            // term's follow at its offset.
            let (first, rest) = (postings[0].0, &postings[1..]);
            positions[0].iter().filter_map(|&p| p.checked_sub(first)).any(|start| {
                rest.iter().zip(&positions[1..]).all(|((offset, _), at)| at.binary_search(&(start + offset)).is_ok())
            })
        };
        if matched {
            found.push(doc);
            if found.len() == 128 {
                f(&found);
                found.clear();
            }
        }
        doc = postings[0].1.advance();
    }
    if !found.is_empty() {
        f(&found);
    }
    Ok(())
}

fn page(mut hits: Vec<Ranked>, q: &SearchQuery) -> Vec<Ranked> {
    if q.offset >= hits.len() {
        return Vec::new();
    }
    hits.drain(..q.offset);
    hits.truncate(q.limit);
    hits
}

enum Candidates {
    /// Already the nearest `need` in order, and the total count.
    Nearest(Vec<u32>, usize),
    List(Vec<u32>),
}

/// Candidates of a query without text, from the k-d trees when it has a
/// place, else from the whole table.
fn geo_candidates(side: &Side, q: &SearchQuery, filter: &Filter<'_>, need: usize) -> Candidates {
    let trivial = filter.is_trivial(side);
    let attributes = |i: u32| trivial || filter.attributes(side, i);
    let ok = |i: u32| attributes(i) && filter.bounds(side, i);
    if let Some(inside) = in_place(side, q) {
        // A radius or a box alone is exactly what the trees returned; with
        // both, the box is checked too.
        let exact = q.bbox.is_none() || q.near.is_none() || q.radius_m.is_none();
        return Candidates::List(if exact {
            inside.filter(|&i| attributes(i)).collect()
        } else {
            inside.filter(|&i| ok(i)).collect()
        });
    }
    let distance_order = q.origin().is_some() && q.sort != Sort::Name && q.visits.is_none();
    if let (Some(o), true) = (q.origin(), distance_order) {
        // Nearest first: walk the k-d tree outwards until enough pass,
        // and on through those as far as the last (facilities at one
        // point, a building or a 町字's representative point), which are
        // then ordered like every other tie.
        let mut near: Vec<(f64, u32)> = Vec::new();
        for (entry, d) in side.points.nearest(xyz(o)) {
            if near.len() >= need && near.last().is_none_or(|&(last, _)| d > last) {
                break;
            }
            if ok(entry) {
                near.push((d, entry));
            }
        }
        near.sort_by(|a, b| a.0.total_cmp(&b.0).then(side.orders[a.1 as usize].cmp(&side.orders[b.1 as usize])));
        let list: Vec<u32> = near.into_iter().take(need).map(|(_, e)| e).collect();
        // (No place: every facility the filter keeps, wherever it is; a
        // filter of categories alone counted in their docs' bits, not an
        // entry at a time: 「clinic」 near a point counts 200,000 at 500k.)
        let total = if filter.is_trivial(side) {
            side.entries.len()
        } else if filter.categories_only() {
            side.count_visible(filter.categories, filter.excluded_docs())
        } else {
            (0..side.entries.len() as u32).filter(|&i| ok(i)).count()
        };
        return Candidates::Nearest(list, total);
    }
    Candidates::List((0..side.entries.len() as u32).filter(|&i| ok(i)).collect())
}

impl Filter<'_> {
    /// The [`Side::by_doc`] visibility bits of the entries left out.
    fn excluded_docs(&self) -> u32 {
        DOC_HIDDEN | if self.excluded_flags & flag::PROFESSIONAL != 0 { DOC_PROFESSIONAL } else { 0 }
    }

    /// Whether the filter asks nothing but categories (if any) and the
    /// visibility that [`Side::by_doc`] and [`Side::visible`] carry.
    fn categories_only(&self) -> bool {
        self.services == 0
            && self.capabilities == 0
            && self.required_flags == 0
            && self.municipalities.is_empty()
            && !self.care_areas_wanted
            && self.moment.is_none()
    }

    /// Whether the query asks nothing of the facilities but its text
    /// (visibility aside).
    fn asks_nothing(&self) -> bool {
        self.categories == 0 && self.categories_only() && self.q.bbox.is_none() && self.q.radius_m.is_none()
    }

    fn is_trivial(&self, side: &Side) -> bool {
        side.any_flags & self.excluded_flags == 0 && self.categories == 0 && self.categories_only()
    }
}

/// Per category group (in `Group::ALL` order), the bits of its categories.
fn group_masks() -> Vec<u64> {
    tsunagi_domain::Group::ALL.iter().map(|g| g.categories().fold(0u64, |m, c| m | category_bit(c))).collect()
}

fn counts(map: BTreeMap<String, (String, usize)>) -> Vec<Count> {
    let mut v: Vec<Count> = map.into_iter().map(|(id, (label, count))| Count { id, label, count }).collect();
    v.sort_by(|a, b| b.count.cmp(&a.count).then(a.id.cmp(&b.id)));
    v
}

fn facets(side: &Side, filter: &Filter<'_>, entries: impl Iterator<Item = u32>) -> Facets {
    use tsunagi_domain::{Category, Service};
    let mut cats = [0usize; 64];
    let mut svcs = [0usize; 64];
    let mut munis: BTreeMap<u64, (u32, usize)> = BTreeMap::new();
    let mut areas: BTreeMap<u32, usize> = BTreeMap::new();
    let mut open: BTreeMap<String, usize> = BTreeMap::new();
    let group_masks = group_masks();
    let mut group_counts = [0usize; 5];
    for i in entries {
        let e = &side.entries[i as usize];
        let (categories, services) = (side.categories[i as usize], side.services[i as usize]);
        for (g, m) in group_masks.iter().enumerate() {
            group_counts[g] += (categories & m != 0) as usize;
        }
        for (b, c) in cats.iter_mut().enumerate() {
            *c += ((categories >> b) & 1) as usize;
        }
        for (b, c) in svcs.iter_mut().enumerate() {
            *c += ((services >> b) & 1) as usize;
        }
        if e.municipality != 0 {
            munis.entry(e.municipality).or_insert((e.municipality_name, 0)).1 += 1;
        }
        if e.care_area != NONE {
            *areas.entry(e.care_area).or_default() += 1;
        }
        if let Some(m) = &filter.moment {
            let state = side.schedule(e).map_or(OpenState::Unknown, |s| s.state_at(m));
            *open.entry(format!("{state:?}").to_lowercase()).or_default() += 1;
        }
    }
    let mut categories = BTreeMap::new();
    for (i, c) in Category::ALL.iter().enumerate() {
        if cats[i] > 0 {
            categories.insert(c.id().to_string(), (c.name().to_string(), cats[i]));
        }
    }
    Facets {
        groups: counts(
            tsunagi_domain::Group::ALL
                .iter()
                .zip(group_counts)
                .filter(|(_, n)| *n > 0)
                .map(|(g, n)| (g.id().to_string(), (g.name().to_string(), n)))
                .collect(),
        ),
        categories: counts(categories),
        services: counts(
            Service::ALL
                .iter()
                .enumerate()
                .filter(|(i, _)| svcs[*i] > 0)
                .map(|(i, s)| (s.id().to_string(), (s.name().to_string(), svcs[i])))
                .collect(),
        ),
        municipalities: counts(
            munis
                .into_iter()
                .map(|(code, (name, n))| (format!("{code:06}"), (side.string(name).unwrap_or_default().to_string(), n)))
                .collect(),
        ),
        care_areas: counts(
            areas
                .into_iter()
                .map(|(a, n)| {
                    (
                        side.string(a).unwrap_or_default().to_string(),
                        (side.string(a).unwrap_or_default().to_string(), n),
                    )
                })
                .collect(),
        ),
        open: filter.moment.map(|_| open),
    }
}

/// One municipality's public facilities, per category group.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AreaCount {
    pub code: String,
    pub name: String,
    pub count: usize,
    pub groups: Vec<Count>,
}

/// Every municipality's counts in one pass over the side table (a search
/// per municipality would walk it once for each of them).
pub fn area_counts(side: &Side, areas: &Areas) -> Vec<AreaCount> {
    use tsunagi_domain::Group;
    let q = SearchQuery::default();
    let filter = Filter::new(&q, side, areas);
    let masks = group_masks();
    let mut by_code: BTreeMap<u64, (u32, usize, Vec<usize>)> = BTreeMap::new();
    for (i, e) in side.entries.iter().enumerate() {
        if e.municipality == 0 || !filter.attributes(side, i as u32) {
            continue;
        }
        let acc = by_code.entry(e.municipality).or_insert_with(|| (e.municipality_name, 0, vec![0; masks.len()]));
        acc.1 += 1;
        for (g, m) in masks.iter().enumerate() {
            acc.2[g] += (side.categories[i] & m != 0) as usize;
        }
    }
    let mut out: Vec<AreaCount> = by_code
        .into_iter()
        .map(|(code, (name, count, groups))| AreaCount {
            code: format!("{code:06}"),
            name: side.string(name).unwrap_or_default().to_string(),
            count,
            groups: counts(
                Group::ALL
                    .iter()
                    .zip(groups)
                    .filter(|(_, n)| *n > 0)
                    .map(|(g, n)| (g.id().to_string(), (g.name().to_string(), n)))
                    .collect(),
            ),
        })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then(a.code.cmp(&b.code)));
    out
}
