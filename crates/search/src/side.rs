//! In-memory tables beside the index: per facility its point and filter
//! attributes, k-d trees of their points (on the unit sphere for nearest
//! and radius, on lng/lat for boxes), the distinct opening schedules and
//! the visit areas.
//!
//! They are a pure function of one searcher: rebuilt from its fast fields
//! whenever the index generation changes, never updated on their own.

use std::collections::HashMap;
use std::sync::Arc;

use tantivy::postings::{BlockSegmentPostings, TermInfo};
use tantivy::schema::Value;
use tantivy::{DocAddress, Searcher, TantivyDocument};
use tsunagi_domain::{GeoPoint, Schedule, VisitArea};

use crate::codec;
use crate::points::Points;
use crate::schema::{Fields, flag};

pub const NONE: u32 = u32::MAX;

/// In [`Side::by_doc`], beside the entry: its visibility, so that text
/// matches of hidden or professional-only facilities are dropped without
/// reading their entries. [`NONE`] has both set.
pub const DOC_HIDDEN: u32 = 1 << 31;
pub const DOC_PROFESSIONAL: u32 = 1 << 30;
pub const DOC_ENTRY: u32 = DOC_PROFESSIONAL - 1;

#[derive(Debug, Clone)]
pub struct Entry {
    pub id: u64,
    pub doc: DocAddress,
    pub point: Option<GeoPoint>,
    pub capabilities: u64,
    pub municipality: u64,
    /// Interned strings (see [`Side::strings`]).
    pub municipality_name: u32,
    pub care_area: u32,
    /// Index into [`Side::schedules`], or [`NONE`].
    pub schedule: u32,
}

#[derive(Debug, Clone)]
pub enum VisitShape {
    Radius(f64),
    Places(Vec<String>),
    Polygon(geo::MultiPolygon<f64>),
}

#[derive(Default)]
struct Interner {
    strings: Vec<String>,
    ids: HashMap<String, u32>,
}

impl Interner {
    fn id(&mut self, s: &str) -> u32 {
        if let Some(i) = self.ids.get(s) {
            return *i;
        }
        self.strings.push(s.to_string());
        let i = (self.strings.len() - 1) as u32;
        self.ids.insert(s.to_string(), i);
        i
    }
}

/// The string of a doc in a str column, interned, with a per-segment cache.
fn str_at(
    col: Option<&tantivy::columnar::StrColumn>,
    doc: tantivy::DocId,
    cache: &mut HashMap<u64, u32>,
    interner: &mut Interner,
    buf: &mut String,
) -> u32 {
    let Some(col) = col else { return NONE };
    let Some(ord) = col.term_ords(doc).next() else { return NONE };
    if let Some(i) = cache.get(&ord) {
        return *i;
    }
    buf.clear();
    let i = match col.ord_to_str(ord, buf) {
        Ok(true) => interner.id(buf),
        _ => NONE,
    };
    cache.insert(ord, i);
    i
}

/// The distinct topic terms, with the terms each character occurs in, so
/// that finding the ones containing a word reads only the terms sharing
/// its rarest character instead of every term; and per term the others
/// held by every facility holding it (歯科 by every 小児歯科 and 矯正歯科:
/// a query reaching both needs read only the postings of 歯科).
#[derive(Debug, Default)]
pub struct TopicTerms {
    terms: Vec<String>,
    by_char: HashMap<char, Vec<u32>>,
    /// Per term, sorted: the terms whose facilities include all of its.
    supersets: Vec<Box<[u32]>>,
    /// Sorted: the words of the topics (as the word field holds them)
    /// whose every facility has a term containing the word.
    covered: Vec<String>,
}

impl TopicTerms {
    /// `terms` sorted and distinct, none known to include another.
    pub fn new(terms: Vec<String>) -> TopicTerms {
        let supersets = vec![Box::default(); terms.len()];
        TopicTerms::with_cover(terms, supersets, Vec::new())
    }

    /// `terms` sorted and distinct, per term the ones including it, and
    /// the words their terms cover (see [`Self::covers`]).
    pub fn with_cover(terms: Vec<String>, supersets: Vec<Box<[u32]>>, covered: Vec<String>) -> TopicTerms {
        let mut by_char: HashMap<char, Vec<u32>> = HashMap::new();
        for (i, t) in terms.iter().enumerate() {
            let mut seen: Vec<char> = t.chars().collect();
            seen.sort_unstable();
            seen.dedup();
            for c in seen {
                by_char.entry(c).or_default().push(i as u32);
            }
        }
        TopicTerms { terms, by_char, supersets, covered }
    }

    /// Whether the terms containing one of `words` reach every facility
    /// whose topics hold the word `word`: it holds a term containing
    /// the word, which contains one of `words` when the word does.
    pub fn covers(&self, words: &[String], word: &str) -> bool {
        self.covered.binary_search_by(|w| w.as_str().cmp(word)).is_ok()
            && words.iter().any(|w| word.contains(w.as_str()))
    }

    /// Every term, sorted.
    pub fn terms(&self) -> &[String] {
        &self.terms
    }

    /// Whether `word` is one of the terms.
    pub fn has(&self, word: &str) -> bool {
        self.terms.binary_search_by(|t| t.as_str().cmp(word)).is_ok()
    }

    /// The terms containing any of `words`, in term order, at most `limit`.
    pub fn containing(&self, words: &[String], limit: usize) -> Vec<&str> {
        self.found(words).into_iter().take(limit).map(|i| self.terms[i as usize].as_str()).collect()
    }

    /// [`Self::containing`], less the terms whose facilities another of
    /// them all has (of terms held by the same facilities, the first):
    /// the same facilities, from fewer postings; and whether that is all
    /// of them (none left out past `limit`).
    pub fn reaching(&self, words: &[String], limit: usize) -> (Vec<&str>, bool) {
        let found = self.found(words);
        let includes = |j: u32, i: u32| self.supersets[i as usize].binary_search(&j).is_ok();
        let needed = |&&i: &&u32| !found.iter().any(|&j| j != i && includes(j, i) && (j < i || !includes(i, j)));
        let mut out: Vec<&str> = found.iter().filter(needed).map(|&i| self.terms[i as usize].as_str()).collect();
        let all = out.len() <= limit;
        out.truncate(limit);
        (out, all)
    }

    fn found(&self, words: &[String]) -> Vec<u32> {
        let mut found: Vec<u32> = Vec::new();
        for w in words {
            let rarest =
                w.chars().map(|c| self.by_char.get(&c).map_or(&[][..], |v| v.as_slice())).min_by_key(|v| v.len());
            let Some(candidates) = rarest else { continue };
            found.extend(candidates.iter().filter(|&&i| self.terms[i as usize].contains(w.as_str())));
        }
        found.sort_unstable();
        found.dedup();
        found
    }
}

/// The distinct terms of `exact` (the topics whole) and what their
/// postings imply, over all live documents: per term, the other terms
/// held by every document holding it; and the words of `words` (the
/// topics cut into words) whose every document holds a term containing
/// the word (so that the terms containing it reach all its documents).
/// Each segment's documents are listed with their terms once, then each
/// term's set is the meet of its documents' lists.
fn topic_terms(
    searcher: &Searcher,
    exact: tantivy::schema::Field,
    words: tantivy::schema::Field,
) -> tantivy::Result<TopicTerms> {
    // Each segment's terms of a field with their postings' places.
    let dictionary = |reader: &tantivy::SegmentReader, field| -> tantivy::Result<_> {
        let inverted = reader.inverted_index(field)?;
        let mut out: Vec<(String, TermInfo)> = Vec::new();
        let mut stream = inverted.terms().stream()?;
        while stream.advance() {
            if let Ok(t) = std::str::from_utf8(stream.key()) {
                out.push((t.to_string(), stream.value().clone()));
            }
        }
        Ok((inverted, out))
    };
    let exacts =
        searcher.segment_readers().iter().map(|r| dictionary(r, exact)).collect::<tantivy::Result<Vec<_>>>()?;
    let terms: std::collections::BTreeSet<&String> =
        exacts.iter().flat_map(|(_, d)| d.iter().map(|(t, _)| t)).collect();
    let terms: Vec<String> = terms.into_iter().cloned().collect();
    let mut sets: Vec<Option<Vec<u32>>> = vec![None; terms.len()];
    let mut done = vec![false; terms.len()];
    // Per word: the terms containing it, and whether it is still covered.
    let mut covered: std::collections::BTreeMap<String, (Vec<u32>, bool)> = Default::default();
    for (reader, (inverted, found)) in searcher.segment_readers().iter().zip(exacts) {
        let alive = reader.alive_bitset();
        let each_doc = |inverted: &tantivy::InvertedIndexReader,
                        info: &TermInfo,
                        f: &mut dyn FnMut(u32) -> bool|
         -> tantivy::Result<()> {
            let mut block: BlockSegmentPostings =
                inverted.read_block_postings_from_terminfo(info, tantivy::schema::IndexRecordOption::Basic)?;
            while !block.docs().is_empty() {
                for &d in block.docs() {
                    if alive.is_none_or(|a| a.is_alive(d)) && !f(d) {
                        return Ok(());
                    }
                }
                block.advance();
            }
            Ok(())
        };
        let infos: Vec<(u32, TermInfo)> =
            found.into_iter().filter_map(|(t, info)| Some((terms.binary_search(&t).ok()? as u32, info))).collect();
        // Each document's terms, in term order (compressed rows).
        let mut start = vec![0u32; reader.max_doc() as usize + 1];
        for (_, info) in &infos {
            each_doc(&inverted, info, &mut |d| {
                start[d as usize + 1] += 1;
                true
            })?;
        }
        for d in 1..start.len() {
            start[d] += start[d - 1];
        }
        let mut fill = start.clone();
        let mut held = vec![0u32; *start.last().unwrap_or(&0) as usize];
        for (i, info) in &infos {
            each_doc(&inverted, info, &mut |d| {
                held[fill[d as usize] as usize] = *i;
                fill[d as usize] += 1;
                true
            })?;
        }
        drop(fill);
        let row = |d: u32| &held[start[d as usize] as usize..start[d as usize + 1] as usize];
        for (i, info) in &infos {
            let i = *i as usize;
            if done[i] {
                continue;
            }
            let mut set = sets[i].take();
            each_doc(&inverted, info, &mut |d| {
                match &mut set {
                    None => set = Some(row(d).iter().copied().filter(|&j| j as usize != i).collect()),
                    Some(s) => s.retain(|j| row(d).binary_search(j).is_ok()),
                }
                set.as_ref().is_some_and(|s| !s.is_empty())
            })?;
            done[i] = set.as_ref().is_some_and(Vec::is_empty);
            sets[i] = set;
        }
        let (inverted, found) = dictionary(reader, words)?;
        for (word, info) in found {
            let (holders, ok) = covered.entry(word).or_insert_with_key(|w| {
                let holders = (0..terms.len() as u32).filter(|&j| terms[j as usize].contains(w.as_str())).collect();
                (holders, true)
            });
            if !*ok {
                continue;
            }
            each_doc(&inverted, &info, &mut |d| {
                *ok = row(d).iter().any(|j| holders.binary_search(j).is_ok());
                *ok
            })?;
        }
    }
    let supersets = sets.into_iter().map(|s| s.unwrap_or_default().into_boxed_slice()).collect();
    let covered = covered.into_iter().filter(|(_, (_, ok))| *ok).map(|(w, _)| w).collect();
    Ok(TopicTerms::with_cover(terms, supersets, covered))
}

/// Per segment ordinal, per term ordinal of the str column `field`, the
/// term's rank among the terms of every segment (equal terms, equal ranks;
/// the empty term and a document without one rank 0): the segments'
/// sorted dictionaries merged, so that documents compare by rank as they
/// would by term, without holding the terms.
fn name_ranks(searcher: &Searcher, field: &str) -> tantivy::Result<Vec<Vec<u32>>> {
    let mut columns = Vec::new();
    for reader in searcher.segment_readers() {
        columns.push(reader.fast_fields().str(field)?);
    }
    let mut streams = Vec::new();
    for col in columns.iter().flatten() {
        streams.push(col.dictionary().stream()?);
    }
    let mut ranks: Vec<Vec<u32>> = columns.iter().map(|_| Vec::new()).collect();
    let segments: Vec<usize> = (0..columns.len()).filter(|&i| columns[i].is_some()).collect();
    let mut live: Vec<bool> = streams.iter_mut().map(|s| s.advance()).collect();
    let (mut rank, mut last): (u32, Vec<u8>) = (0, Vec::new());
    loop {
        let least = (0..streams.len()).filter(|&i| live[i]).min_by(|&a, &b| streams[a].key().cmp(streams[b].key()));
        let Some(i) = least else { break };
        if streams[i].key() != last.as_slice() {
            rank += 1;
            last = streams[i].key().to_vec();
        }
        ranks[segments[i]].push(if last.is_empty() { 0 } else { rank });
        live[i] = streams[i].advance();
    }
    Ok(ranks)
}

pub struct Side {
    /// The snapshot the tables were read from; documents are fetched from it.
    pub searcher: Searcher,
    pub generation: u64,
    pub entries: Vec<Entry>,
    /// Per entry, its categories', services' and flags' bits: apart from
    /// `entries`, so that checking a category filter on every match of a
    /// common word reads a few bytes a match, not the whole entry.
    pub categories: Vec<u64>,
    pub services: Vec<u64>,
    pub flags: Vec<u64>,
    /// The entries in id order, for [`Self::entry_of`].
    by_id: Vec<u32>,
    /// Per segment ordinal, doc id → entry and visibility bits
    /// ([`DOC_HIDDEN`], [`DOC_PROFESSIONAL`]; [`NONE`] for deleted docs).
    pub by_doc: Vec<Vec<u32>>,
    /// Per segment ordinal, a bit per doc: alive and not hidden; and also
    /// not for professionals only (the docs a text match may count
    /// without reading [`Self::by_doc`], a word of 64 at a time).
    shown: Vec<Vec<u64>>,
    public: Vec<Vec<u64>>,
    /// Per segment ordinal, per category bit (of [`Self::categories`]), a
    /// bit per doc of that category (empty for a category none there has).
    category_docs: Vec<Vec<Vec<u64>>>,
    /// Every flag some entry has.
    pub any_flags: u64,
    /// Per entry, its rank in name order (then id): the stable tie-break,
    /// compared as a number, kept apart from `entries` so ranking many
    /// matches stays in cache.
    pub orders: Vec<u32>,
    /// The entries in name order (then id): `orders` inverted.
    pub ranked: Vec<u32>,
    /// Per entry, its latitude as f32 (NaN without a point), apart from
    /// `entries` for the same reason: the lower bound on the distance of
    /// every match of a common word near a point is read from here.
    pub lats: Vec<f32>,
    /// Every distinct folded topic (service, category, 診療科目 …) in the
    /// index: a query part is matched against them as a substring
    /// (「内科」 in 「心療内科」) and searched as exact terms.
    pub topic_terms: TopicTerms,
    pub schedules: Vec<Schedule>,
    pub strings: Vec<String>,
    /// The places of [`Self::strings`] (municipalities, 日常生活圏域) written
    /// with hiragana, without 市/町/村/区: 「南あわじ」, 「東かがわ」. The
    /// dictionary reads their kana as verbs and particles (あわ|じ,
    /// か|が|わ), which a query is not cut at.
    pub kana_places: Vec<String>,
    /// The entries' points, in the trees of [`crate::points`].
    pub points: Points,
    pub phones: Phones,
    pub visit_areas: HashMap<u32, VisitShape>,
    /// The plain map's clusters, computed on the first request for them.
    pub grid: std::sync::OnceLock<crate::grid::Grid>,
    /// Per municipality counts, computed on the first request for them.
    pub area_counts: std::sync::OnceLock<Vec<crate::query::AreaCount>>,
    /// Per term that many documents hold, per segment ordinal, the bits of
    /// its documents: filled as the tiers only counted ask for them, up to
    /// [`DENSE_BYTES`] (see [`Side::dense`]).
    dense: std::sync::Mutex<HashMap<tantivy::Term, Arc<Vec<Vec<u64>>>>>,
}

/// The phone and FAX numbers, their digits read backwards: a number typed
/// whole, or without its area code, or any last six digits or more, is the
/// beginning of the numbers it ends, found by binary search. A fast field
/// and this table rather than terms: a number is nearly always its
/// facility's alone, and as terms (whole and local part) they were half
/// the index's distinct terms, which building it sorts and compiles.
pub struct Phones {
    /// (key, entry), sorted.
    keyed: Vec<(u64, u32)>,
}

impl Phones {
    /// The digits of a number (its last 16), last first, one to a
    /// nibble from the top, as the digit plus one; the nibbles after them
    /// zero. So keys sort as their reversed digits do, and the keys
    /// beginning with a number's last digits are one range.
    pub fn key(digits: &str) -> u64 {
        digits
            .bytes()
            .rev()
            .filter(u8::is_ascii_digit)
            .take(16)
            .enumerate()
            .fold(0, |k, (i, d)| k | u64::from(d - b'0' + 1) << (60 - 4 * i))
    }

    pub(crate) fn new(mut keyed: Vec<(u64, u32)>) -> Phones {
        keyed.sort_unstable();
        keyed.dedup();
        Phones { keyed }
    }

    /// The entries with a number ending in `digits` (of which the last 16
    /// count), in entry order.
    pub fn ending_in(&self, digits: &str) -> Vec<u32> {
        let n = digits.bytes().filter(u8::is_ascii_digit).count().min(16);
        if n == 0 {
            return Vec::new();
        }
        let low = Self::key(digits);
        let high = low | u64::MAX.checked_shr(4 * n as u32).unwrap_or(0);
        let from = self.keyed.partition_point(|&(k, _)| k < low);
        let to = self.keyed.partition_point(|&(k, _)| k <= high);
        let mut found: Vec<u32> = self.keyed[from..to].iter().map(|&(_, e)| e).collect();
        found.sort_unstable();
        found.dedup();
        found
    }
}

/// How much [`Side::dense`] keeps: 256 terms of 500,000 documents.
const DENSE_BYTES: usize = 16 << 20;

impl std::fmt::Debug for Side {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Side").field("generation", &self.generation).field("entries", &self.entries.len()).finish()
    }
}

impl Side {
    pub fn string(&self, i: u32) -> Option<&str> {
        (i != NONE).then(|| self.strings[i as usize].as_str())
    }

    /// The entry of the facility with this id.
    pub fn entry_of(&self, id: u64) -> Option<u32> {
        let at = self.by_id.binary_search_by_key(&id, |&i| self.entries[i as usize].id).ok()?;
        Some(self.by_id[at])
    }

    pub fn schedule(&self, e: &Entry) -> Option<&Schedule> {
        (e.schedule != NONE).then(|| &self.schedules[e.schedule as usize])
    }

    /// The bits of the docs of segment `ord` that no bit of `exclude`
    /// ([`DOC_HIDDEN`], [`DOC_PROFESSIONAL`]) leaves out.
    pub fn visible(&self, ord: usize, exclude: u32) -> &[u64] {
        if exclude & DOC_PROFESSIONAL != 0 { &self.public[ord] } else { &self.shown[ord] }
    }

    /// Whether a term held by `doc_freq` documents is one [`Self::dense`]
    /// gives the bits of: one in 64 documents or more hold it, so OR-ing
    /// its bits into a tier's costs no more than reading its postings (a
    /// few nanoseconds a document; 歯科 and 内科 are held by more than
    /// 100,000 each, a word of bits covers 64).
    pub fn is_dense(&self, doc_freq: u64) -> bool {
        let max_doc: usize = self.by_doc.iter().map(Vec::len).sum();
        doc_freq > 0 && doc_freq as usize >= max_doc / 64
    }

    /// Per segment ordinal, the bits of the documents of `term` (deleted
    /// ones too), read from its postings once and kept for the next query,
    /// up to [`DENSE_BYTES`]; for terms [`Self::is_dense`].
    pub fn dense(&self, term: &tantivy::Term) -> tantivy::Result<Arc<Vec<Vec<u64>>>> {
        if let Some(bits) = self.lock_dense().get(term) {
            return Ok(bits.clone());
        }
        let mut bits = Vec::new();
        for reader in self.searcher.segment_readers() {
            let mut of_segment = vec![0u64; (reader.max_doc() as usize).div_ceil(64)];
            let index = reader.inverted_index(term.field())?;
            if let Some(mut block) = index.read_block_postings(term, tantivy::schema::IndexRecordOption::Basic)? {
                let cells = std::cell::Cell::from_mut(of_segment.as_mut_slice()).as_slice_of_cells();
                while !block.docs().is_empty() {
                    crate::query::mark(cells, block.docs());
                    block.advance();
                }
            }
            bits.push(of_segment);
        }
        let bits = Arc::new(bits);
        let max_doc: usize = self.by_doc.iter().map(Vec::len).sum();
        let mut dense = self.lock_dense();
        if (dense.len() + 1) * max_doc.div_ceil(8) <= DENSE_BYTES {
            dense.insert(term.clone(), bits.clone());
        }
        Ok(bits)
    }

    fn lock_dense(&self) -> std::sync::MutexGuard<'_, HashMap<tantivy::Term, Arc<Vec<Vec<u64>>>>> {
        self.dense.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// How many docs are visible (no bit of `exclude`) and, unless `mask`
    /// is 0, of a category of `mask`: counted a word of 64 docs at a time.
    pub fn count_visible(&self, mask: u64, exclude: u32) -> usize {
        let of_categories = (mask != 0).then(|| self.docs_of_categories(mask));
        let words = |ord: usize| -> usize {
            let visible = self.visible(ord, exclude).iter();
            match &of_categories {
                Some(c) => visible.zip(&c[ord]).map(|(v, c)| (v & c).count_ones() as usize).sum(),
                None => visible.map(|v| v.count_ones() as usize).sum(),
            }
        };
        (0..self.by_doc.len()).map(words).sum()
    }

    /// Per segment ordinal, the bits of the docs having any category of
    /// `mask` (a text match's category checked a word of 64 docs at a time).
    pub fn docs_of_categories(&self, mask: u64) -> Vec<Vec<u64>> {
        let segments = self.by_doc.iter().zip(&self.category_docs);
        segments
            .map(|(map, of_category)| {
                let mut out = vec![0u64; map.len().div_ceil(64)];
                let asked = of_category.iter().enumerate().filter(|(bit, _)| mask & (1 << bit) != 0);
                for (_, docs) in asked {
                    out.iter_mut().zip(docs).for_each(|(o, d)| *o |= d);
                }
                out
            })
            .collect()
    }

    pub fn build(searcher: &Searcher, f: &Fields, generation: u64) -> tantivy::Result<Side> {
        let n = searcher.num_docs() as usize;
        let mut entries = Vec::with_capacity(n);
        let mut order_keys: Vec<u32> = Vec::with_capacity(n);
        let (mut by_doc, mut shown, mut public) = (Vec::new(), Vec::new(), Vec::new());
        let mut category_docs: Vec<Vec<Vec<u64>>> = Vec::new();
        let (mut categories, mut services, mut flag_column) =
            (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
        let mut any_flags = 0;
        let mut phones: Vec<(u64, u32)> = Vec::new();
        let mut interner = Interner::default();
        let mut schedules: Vec<Schedule> = Vec::new();
        let mut schedule_ids: HashMap<Vec<u8>, u32> = HashMap::new();
        let name = |field| searcher.schema().get_field_name(field).to_string();
        // Per entry, the rank of its name-order key among all segments'.
        let name_ranks = name_ranks(searcher, &name(f.name_order))?;
        for (seg_ord, reader) in searcher.segment_readers().iter().enumerate() {
            let ff = reader.fast_fields();
            let id = ff.u64(&name(f.id))?;
            let lat = ff.f64(&name(f.lat))?;
            let lng = ff.f64(&name(f.lng))?;
            let cats = ff.u64(&name(f.categories_mask))?;
            let svcs = ff.u64(&name(f.services_mask))?;
            let caps = ff.u64(&name(f.capabilities_mask))?;
            let flags = ff.u64(&name(f.flags))?;
            let muni = ff.u64(&name(f.municipality_code))?;
            let muni_name = ff.str(&name(f.municipality_name))?;
            let care = ff.str(&name(f.care_area_name))?;
            let order = ff.str(&name(f.name_order))?;
            let sched = ff.bytes(&name(f.schedule))?;
            let phone = ff.u64(&name(f.phone))?;
            phones.reserve_exact(phone.values.num_vals() as usize);
            // Ordinals are per segment: decode each distinct value once.
            let mut muni_cache: HashMap<u64, u32> = HashMap::new();
            let mut care_cache: HashMap<u64, u32> = HashMap::new();
            let mut sched_cache: HashMap<u64, u32> = HashMap::new();
            let alive = reader.alive_bitset();
            let mut map = vec![NONE; reader.max_doc() as usize];
            let mut buf = String::new();
            let mut bytes = Vec::new();
            for doc in 0..reader.max_doc() {
                if alive.is_some_and(|a| !a.is_alive(doc)) {
                    continue;
                }
                let point = match (lat.first(doc), lng.first(doc)) {
                    (Some(la), Some(lo)) => Some(GeoPoint::new(la, lo)),
                    _ => None,
                };
                let municipality_name = str_at(muni_name.as_ref(), doc, &mut muni_cache, &mut interner, &mut buf);
                let care_area = str_at(care.as_ref(), doc, &mut care_cache, &mut interner, &mut buf);
                let order_key = order
                    .as_ref()
                    .and_then(|col| col.term_ords(doc).next())
                    .map_or(0, |o| name_ranks[seg_ord][o as usize]);
                let schedule = match &sched {
                    Some(col) => match col.term_ords(doc).next() {
                        Some(ord) => match sched_cache.get(&ord) {
                            Some(i) => *i,
                            None => {
                                bytes.clear();
                                let i = match col.ord_to_bytes(ord, &mut bytes) {
                                    Ok(true) => match schedule_ids.get(&bytes) {
                                        Some(i) => *i,
                                        None => match codec::decode(&bytes) {
                                            Some(s) => {
                                                schedules.push(s);
                                                let i = (schedules.len() - 1) as u32;
                                                schedule_ids.insert(bytes.clone(), i);
                                                i
                                            }
                                            None => NONE,
                                        },
                                    },
                                    _ => NONE,
                                };
                                sched_cache.insert(ord, i);
                                i
                            }
                        },
                        None => NONE,
                    },
                    None => NONE,
                };
                let entry_flags = flags.first(doc).unwrap_or(0);
                any_flags |= entry_flags;
                let visibility = if entry_flags & flag::HIDDEN != 0 { DOC_HIDDEN } else { 0 }
                    | if entry_flags & flag::PROFESSIONAL != 0 { DOC_PROFESSIONAL } else { 0 };
                map[doc as usize] = entries.len() as u32 | visibility;
                phones.extend(phone.values_for_doc(doc).map(|k| (k, entries.len() as u32)));
                order_keys.push(order_key);
                categories.push(cats.first(doc).unwrap_or(0));
                flag_column.push(entry_flags);
                services.push(svcs.first(doc).unwrap_or(0));
                entries.push(Entry {
                    id: id.first(doc).unwrap_or(0),
                    doc: DocAddress::new(seg_ord as u32, doc),
                    point,
                    capabilities: caps.first(doc).unwrap_or(0),
                    municipality: muni.first(doc).unwrap_or(0),
                    municipality_name,
                    care_area,
                    schedule,
                });
            }
            let bits = |exclude: u32| {
                let mut bits = vec![0u64; map.len().div_ceil(64)];
                for (doc, &e) in map.iter().enumerate() {
                    bits[doc / 64] |= u64::from(e & exclude == 0) << (doc % 64);
                }
                bits
            };
            let mut of_category: Vec<Vec<u64>> = vec![Vec::new(); 64];
            for (doc, &e) in map.iter().enumerate().filter(|(_, e)| **e != NONE) {
                let mut mask = categories[(e & DOC_ENTRY) as usize];
                while mask != 0 {
                    let docs = &mut of_category[mask.trailing_zeros() as usize];
                    mask &= mask - 1;
                    docs.resize(map.len().div_ceil(64), 0);
                    docs[doc / 64] |= 1 << (doc % 64);
                }
            }
            category_docs.push(of_category);
            shown.push(bits(DOC_HIDDEN));
            public.push(bits(DOC_HIDDEN | DOC_PROFESSIONAL));
            by_doc.push(map);
        }
        let mut ranked: Vec<u32> = (0..entries.len() as u32).collect();
        ranked.sort_unstable_by_key(|&i| (order_keys[i as usize], entries[i as usize].id));
        let mut orders = vec![0; entries.len()];
        for (rank, &i) in ranked.iter().enumerate() {
            orders[i as usize] = rank as u32;
        }
        drop((order_keys, name_ranks));
        let lats = entries.iter().map(|e| e.point.map_or(f32::NAN, |p| p.lat as f32)).collect();
        let mut by_id: Vec<u32> = (0..entries.len() as u32).collect();
        by_id.sort_unstable_by_key(|&i| entries[i as usize].id);
        let points = Points::new(entries.iter().enumerate().filter_map(|(i, e)| e.point.map(|p| (p, i as u32))));
        let topic_terms = topic_terms(searcher, f.topics_exact, f.topics)?;
        let phones = Phones::new(phones);
        let mut visit_areas = HashMap::new();
        for (i, e) in entries.iter().enumerate() {
            if flag_column[i] & flag::VISIT_AREA == 0 {
                continue;
            }
            let doc: TantivyDocument = searcher.doc(e.doc)?;
            let Some(json) = doc.get_first(f.visit_area).and_then(|v| v.as_str()) else { continue };
            let Ok(area) = serde_json::from_str::<VisitArea>(json) else { continue };
            let shape = match area {
                VisitArea::Radius { meters } => VisitShape::Radius(meters as f64),
                VisitArea::Places { places } => VisitShape::Places(places),
                VisitArea::Polygon { geometry } => {
                    match serde_json::from_value::<geojson::Geometry>(geometry)
                        .ok()
                        .and_then(|g| crate::areas::shape(&g.value))
                    {
                        Some(s) => VisitShape::Polygon(s),
                        None => continue,
                    }
                }
            };
            visit_areas.insert(i as u32, shape);
        }
        Ok(Side {
            searcher: searcher.clone(),
            generation,
            entries,
            by_id,
            by_doc,
            shown,
            public,
            category_docs,
            categories,
            services,
            flags: flag_column,
            any_flags,
            orders,
            ranked,
            lats,
            topic_terms,
            schedules,
            kana_places: kana_places(&interner.strings),
            strings: interner.strings,
            points,
            phones,
            visit_areas,
            grid: std::sync::OnceLock::new(),
            area_counts: std::sync::OnceLock::new(),
            dense: Default::default(),
        })
    }
}

/// See [`Side::kana_places`].
pub(crate) fn kana_places(strings: &[String]) -> Vec<String> {
    let mut out: Vec<String> = strings
        .iter()
        .filter(|s| s.chars().any(tsunagi_domain::normalize::is_hiragana))
        .map(|s| {
            let s = tsunagi_domain::normalize::nfkc(s);
            match s.strip_suffix(['市', '町', '村', '区']) {
                Some(name) if name.chars().nth(1).is_some() => name.to_string(),
                _ => s,
            }
        })
        .collect();
    out.sort();
    out.dedup();
    out
}
