//! Search: here is a query, give me facilities.
//!
//! A tantivy index on disk, derived from the store and rebuildable from it
//! at any time ([`SearchIndex::rebuild`]), kept current incrementally
//! ([`SearchIndex::apply`], following the store's write sequence), and
//! checked against the store's ids ([`SearchIndex::check`]).
//!
//! tantivy and lindera are used here and nowhere else. The index only
//! knows domain values: callers turn stored facilities into [`IndexDoc`]s.

mod areas;
mod codec;
pub mod dictionary;
mod directory;
pub mod grid;
pub mod japanese;
mod points;
mod query;
mod schema;
mod side;
mod synonyms;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use serde::{Deserialize, Serialize};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, TantivyDocument, Term};
use tsunagi_domain::schedule::Moment;
use tsunagi_domain::{OpenState, SearchQuery};

pub use areas::{Area, AreaKind, Areas};
pub use grid::Cluster;
pub use japanese::Japanese;
pub use query::{AreaCount, Count, Facets, Visits, tier};
pub use schema::{Card, IndexDoc};
pub use synonyms::Synonyms;

use directory::IndexDirectory;
use schema::Fields;
use side::Side;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Dictionary(String),
    #[error("search index at {path}: {reason}")]
    Index { path: String, reason: String },
    #[error("the search index is busy (another tsunagi process is writing it); try again")]
    Locked,
    #[error("search index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("the index is not in step with the database: {0}")]
    Inconsistent(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// One result.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    #[serde(flatten)]
    pub card: Card,
    pub score: f32,
    pub distance_m: Option<f64>,
    /// Set when the query asked who visits a point and this facility does.
    pub visits: Option<Visits>,
    /// Open, closed or unknown at the query's `open_at`.
    pub open: Option<OpenState>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Results {
    pub total: usize,
    pub hits: Vec<Hit>,
    pub facets: Option<Facets>,
    /// The text also searched: the query's words cut apart (「下松の訪問看護」
    /// → 「下松 訪問看護」; 「眼科柳井」, which matches nothing, → 「眼科 柳井」).
    pub searched_as: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Payload {
    /// The store's write sequence this index reflects.
    seq: i64,
    /// The [`ANALYSIS`] its terms were made with.
    #[serde(default)]
    analysis: u32,
    /// The [`Synonyms::fingerprint`] of the table its group terms are of.
    #[serde(default)]
    synonyms: u64,
}

/// The version of how text becomes terms (folding, readings, tokenizers).
/// An index made with another is recreated on open, like one with another
/// schema: the same field can hold terms the queries no longer make.
pub const ANALYSIS: u32 = 10;

/// The payload of the index's last commit, if it has one.
fn payload(index: &Index) -> Option<Payload> {
    index.load_metas().ok()?.payload.and_then(|p| serde_json::from_str::<Payload>(&p).ok())
}

/// The [`ANALYSIS`] and synonym table of the index's last commit (None:
/// never committed; zeros: a payload from before there were these).
fn made_with(index: &Index) -> Option<(u32, u64)> {
    let p = index.load_metas().ok()?.payload?;
    Some(serde_json::from_str::<Payload>(&p).map_or((0, 0), |p| (p.analysis, p.synonyms)))
}

pub struct SearchIndex {
    dir: PathBuf,
    index: Index,
    reader: IndexReader,
    fields: Fields,
    ja: Japanese,
    synonyms: Synonyms,
    areas: Areas,
    side: RwLock<Arc<Side>>,
    /// The commit's store sequence number, read from the index's meta file
    /// when the reader moves to a new commit (not per request: it is in
    /// every response's ETag).
    seq: std::sync::atomic::AtomicI64,
    writing: Mutex<()>,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex").field("dir", &self.dir).finish_non_exhaustive()
    }
}

/// The sequence number recorded with the index's last commit (0 when none).
fn committed_seq(index: &Index) -> i64 {
    payload(index).map_or(0, |p| p.seq)
}

/// A new empty index. Stored cards (a few hundred bytes each) are read a
/// few at a time from all over the store (a page of results), so its
/// blocks are small: each fetch reads and decompresses 1 KB rather than
/// tantivy's default 16 KB (at 500k: a map view's ten cards in about 0.7
/// of the time 4 KB blocks took, for a store 14% larger on disk).
fn create(dir: &Path, schema: tantivy::schema::Schema) -> Result<Index> {
    let settings = tantivy::IndexSettings { docstore_blocksize: 1024, ..tantivy::IndexSettings::default() };
    let directory = IndexDirectory::open(dir).map_err(|e| index_err(dir, e))?;
    Index::create(directory, schema, settings).map_err(|e| index_err(dir, e))
}

fn index_err(dir: &Path, e: impl std::fmt::Display) -> Error {
    Error::Index { path: dir.display().to_string(), reason: e.to_string() }
}

impl SearchIndex {
    /// Opens the index in `dir`, creating an empty one if there is none.
    /// `areas` (municipal and 日常生活圏域 boundaries) fill in a facility's
    /// municipality or care area from its point when the data lacks them.
    pub fn open(dir: &Path, ja: Japanese, areas: Areas) -> Result<SearchIndex> {
        let (schema, fields) = schema::build();
        let synonyms = Synonyms::default();
        std::fs::create_dir_all(dir).map_err(|e| index_err(dir, e))?;
        let index = if dir.join("meta.json").exists() {
            let directory = IndexDirectory::open(dir).map_err(|e| index_err(dir, e))?;
            let index = Index::open(directory).map_err(|e| index_err(dir, e))?;
            if index.schema() == schema && made_with(&index).is_none_or(|a| a == (ANALYSIS, synonyms.fingerprint())) {
                index
            } else {
                // Built by another version: the index is derived data, so
                // start it afresh and let the caller fill it from the store.
                tracing::warn!("search index at {} was made by another version; recreating it", dir.display());
                std::fs::remove_dir_all(dir).map_err(|e| index_err(dir, e))?;
                std::fs::create_dir_all(dir).map_err(|e| index_err(dir, e))?;
                create(dir, schema)?
            }
        } else {
            create(dir, schema)?
        };
        japanese::register(&index, &ja);
        // No cache of decompressed store blocks: a page's cards come from
        // blocks all over the store, so one is rarely read twice, and
        // keeping each costs more than reading it again would.
        let reader =
            index.reader_builder().reload_policy(ReloadPolicy::Manual).doc_store_cache_num_blocks(0).try_into()?;
        let searcher = reader.searcher();
        let side = Side::build(&searcher, &fields, generation(&searcher))?;
        let seq = std::sync::atomic::AtomicI64::new(committed_seq(&index));
        Ok(SearchIndex {
            dir: dir.to_path_buf(),
            index,
            reader,
            fields,
            ja,
            synonyms,
            areas,
            side: RwLock::new(Arc::new(side)),
            seq,
            writing: Mutex::new(()),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn japanese(&self) -> &Japanese {
        &self.ja
    }

    pub fn areas(&self) -> &Areas {
        &self.areas
    }

    /// The store sequence number the index reflects.
    pub fn seq(&self) -> i64 {
        self.seq.load(std::sync::atomic::Ordering::Acquire)
    }

    fn writer(&self, threads: usize, heap: usize) -> Result<IndexWriter> {
        match self.index.writer_with_num_threads(threads, heap) {
            Ok(w) => Ok(w),
            Err(tantivy::TantivyError::LockFailure(..)) => Err(Error::Locked),
            Err(e) => Err(e.into()),
        }
    }

    /// Fills in what the boundaries tell about a facility's place.
    fn complete(&self, mut d: IndexDoc) -> IndexDoc {
        if let Some(p) = d.facility.point() {
            if d.facility.care_area.is_none()
                && let Some(a) = self.areas.locate(p, AreaKind::CareArea)
            {
                d.facility.care_area = Some(a.name.clone());
            }
            if d.facility.address.municipality_code.is_none()
                && let Some(a) = self.areas.locate(p, AreaKind::Municipality)
            {
                d.facility.address.municipality_code = a.code.clone();
                d.facility.address.municipality = Some(a.name.clone());
            }
        }
        d
    }

    fn document(&self, d: IndexDoc) -> TantivyDocument {
        let d = self.complete(d);
        let place = d.facility.address.municipality_code.as_deref().and_then(|c| self.areas.reading(c));
        schema::document(&self.fields, &self.ja, &self.synonyms, place, &d)
    }

    fn commit(&self, mut writer: IndexWriter, seq: i64) -> Result<()> {
        let payload =
            serde_json::to_string(&Payload { seq, analysis: ANALYSIS, synonyms: self.synonyms.fingerprint() })
                .unwrap_or_default();
        let mut prepared = writer.prepare_commit()?;
        prepared.set_payload(&payload);
        prepared.commit()?;
        writer.wait_merging_threads()?;
        self.refresh()
    }

    /// Replaces the whole index with `docs` (the store's facilities as of
    /// `seq`). The first error in `docs` abandons the rebuild and leaves the
    /// index as it was.
    pub fn rebuild<E: std::fmt::Display>(
        &self,
        docs: impl Iterator<Item = std::result::Result<IndexDoc, E>>,
        seq: i64,
    ) -> Result<usize> {
        const THREADS: usize = 2;
        let _guard = self.writing.lock().unwrap_or_else(|e| e.into_inner());
        // One indexing thread with room for the whole country in memory
        // writes one segment: every query term is then looked up once, not
        // once per segment (a rare-word query at 500k: 580 → 350 µs), for
        // less than merging segments afterwards would cost.
        let writer = self.writer(1, 2_000_000_000)?;
        writer.delete_all_documents()?;
        // `docs` is read on this thread while documents are built on two
        // others (the analysis is most of the work) and the writer's
        // thread indexes them.
        let read = std::thread::scope(|s| -> Result<std::result::Result<usize, String>> {
            let (senders, workers): (Vec<_>, Vec<_>) = (0..THREADS)
                .map(|_| {
                    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<IndexDoc>>(4);
                    let writer = &writer;
                    let worker = s.spawn(move || -> Result<()> {
                        for d in rx.into_iter().flatten() {
                            writer.add_document(self.document(d))?;
                        }
                        Ok(())
                    });
                    (tx, worker)
                })
                .unzip();
            // Handed out in batches: one wake-up per document costs more
            // than the channel saves.
            const BATCH: usize = 256;
            let mut read = Ok(0);
            let mut docs = docs.fuse();
            for sender in senders.iter().cycle() {
                let batch = match docs.by_ref().take(BATCH).collect::<std::result::Result<Vec<_>, E>>() {
                    Ok(batch) if !batch.is_empty() => batch,
                    Ok(_) => break,
                    Err(e) => {
                        read = Err(e.to_string());
                        break;
                    }
                };
                read = read.map(|r| r + batch.len());
                // A send fails only when its worker stopped with an error, reported below.
                if sender.send(batch).is_err() {
                    break;
                }
            }
            drop(senders);
            for w in workers {
                w.join().map_err(|_| index_err(&self.dir, "an indexing thread panicked"))??;
            }
            Ok(read)
        })?;
        let n = read.map_err(|e| index_err(&self.dir, format!("rebuild abandoned, index unchanged: {e}")))?;
        self.commit(writer, seq)?;
        Ok(n)
    }

    /// Adds or replaces `upserts` and removes `deletes`, then records `seq`.
    pub fn apply(&self, upserts: Vec<IndexDoc>, deletes: &[i64], seq: i64) -> Result<()> {
        let _guard = self.writing.lock().unwrap_or_else(|e| e.into_inner());
        let writer = self.writer(1, 50_000_000)?;
        for id in deletes.iter().chain(upserts.iter().map(|d| &d.id)) {
            writer.delete_term(Term::from_field_u64(self.fields.id, *id as u64));
        }
        for d in upserts {
            writer.add_document(self.document(d))?;
        }
        self.commit(writer, seq)
    }

    /// Picks up commits made by another process.
    pub fn refresh(&self) -> Result<()> {
        self.reader.reload()?;
        let seq = committed_seq(&self.index);
        let searcher = self.reader.searcher();
        let g = generation(&searcher);
        if self.side.read().unwrap_or_else(|e| e.into_inner()).generation != g {
            let side = Side::build(&searcher, &self.fields, g)?;
            *self.side.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(side);
        }
        // After the swap: whoever reads the new sequence searches the new
        // data (answers kept per sequence depend on it).
        self.seq.store(seq, std::sync::atomic::Ordering::Release);
        Ok(())
    }

    fn current(&self) -> Arc<Side> {
        self.side.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Ids of every indexed facility, ascending.
    pub fn ids(&self) -> Vec<i64> {
        let mut ids: Vec<i64> = self.current().entries.iter().map(|e| e.id as i64).collect();
        ids.sort_unstable();
        ids
    }

    pub fn len(&self) -> usize {
        self.current().entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Checks that the index holds exactly the store's facilities.
    pub fn check(&self, store_ids: &[i64], store_seq: i64) -> Result<()> {
        let ids = self.ids();
        if ids == store_ids && self.seq() == store_seq {
            return Ok(());
        }
        let a: std::collections::BTreeSet<i64> = ids.iter().copied().collect();
        let b: std::collections::BTreeSet<i64> = store_ids.iter().copied().collect();
        let missing: Vec<i64> = b.difference(&a).take(5).copied().collect();
        let extra: Vec<i64> = a.difference(&b).take(5).copied().collect();
        Err(Error::Inconsistent(format!(
            "index has {} facilities (as of write {}), the database {} (write {}); missing {:?}, extra {:?}. Run `tsunagi index rebuild`",
            ids.len(),
            self.seq(),
            store_ids.len(),
            store_seq,
            missing,
            extra
        )))
    }

    fn card_of(searcher: &Searcher, addr: tantivy::DocAddress) -> Option<Card> {
        let stored: codec::StoredCard = searcher.doc(addr).ok()?;
        codec::decode_card(&stored.0?)
    }

    /// The stored summary of one facility.
    pub fn card(&self, id: i64) -> Option<Card> {
        let side = self.current();
        let i = side.entry_of(id as u64)?;
        Self::card_of(&side.searcher, side.entries[i as usize].doc)
    }

    /// What a query needs, over one snapshot of the side tables.
    fn context<'a>(&'a self, side: &'a Arc<Side>) -> query::Context<'a> {
        query::Context {
            searcher: &side.searcher,
            fields: &self.fields,
            ja: &self.ja,
            synonyms: &self.synonyms,
            side: side.clone(),
            areas: &self.areas,
        }
    }

    pub fn search(&self, q: &SearchQuery) -> Result<Results> {
        let side = self.current();
        let cx = self.context(&side);
        let found = query::run(&cx, q)?;
        let moment = q.open_at.map(Moment::new);
        let hits = found
            .hits
            .into_iter()
            .filter_map(|r| {
                let e = &side.entries[r.entry as usize];
                let card = Self::card_of(&side.searcher, e.doc)?;
                let open = moment.map(|m| side.schedule(e).map_or(OpenState::Unknown, |s| s.state_at(&m)));
                Some(Hit { card, score: r.score, distance_m: r.distance_m, visits: r.visits, open })
            })
            .collect();
        Ok(Results { total: found.total, hits, facets: found.facets, searched_as: found.searched_as })
    }
}

impl SearchIndex {
    /// The query's matches inside `q.bbox`, grouped into cells of about
    /// 60 screen pixels at `zoom` (see [`grid`]), so that a whole country is
    /// a few hundred clusters; from zoom 16 on, every facility. The plain
    /// map up to [`grid::MAX_ZOOM`] comes from cells computed once per
    /// searcher (whole cells overlapping the box).
    pub fn clusters(&self, q: &SearchQuery, zoom: u32) -> Result<Vec<Cluster>> {
        let side = self.current();
        let cx = self.context(&side);
        if let (true, Some(b)) = (grid::is_plain(q) && zoom <= grid::MAX_ZOOM, &q.bbox) {
            let grid = match side.grid.get() {
                Some(g) => g,
                None => {
                    let public = query::matching(&cx, &SearchQuery::default())?;
                    side.grid.get_or_init(|| grid::Grid::build(&side, &public))
                }
            };
            if let Some(out) = grid.clusters(b, zoom) {
                return Ok(out);
            }
        }
        let entries = query::matching(&cx, q)?;
        Ok(grid::sorted(grid::group(&side, entries.into_iter(), zoom).values().map(|a| a.cluster()).collect()))
    }

    /// Every municipality with its public facilities, per category group,
    /// largest first; computed once per searcher.
    pub fn area_counts(&self) -> Vec<AreaCount> {
        let side = self.current();
        side.area_counts.get_or_init(|| query::area_counts(&side, &self.areas)).clone()
    }

    /// Ids of every match of `q` (no paging), for exports.
    pub fn all_ids(&self, q: &SearchQuery) -> Result<Vec<i64>> {
        let side = self.current();
        let cx = self.context(&side);
        let mut ids: Vec<i64> =
            query::matching(&cx, q)?.into_iter().map(|i| side.entries[i as usize].id as i64).collect();
        ids.sort_unstable();
        Ok(ids)
    }
}

/// What a searcher holds: its segments and their deletes. (tantivy's
/// `generation_id` counts reloads, so it changes on every reload, even one
/// that found nothing new, and the side tables would be rebuilt each time.)
fn generation(s: &Searcher) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    s.generation().segments().hash(&mut h);
    h.finish()
}

#[cfg(test)]
mod tests;
