//! ETag and Last-Modified for answers that depend only on the data and
//! the URL: the tag is the index's write sequence with the request's path
//! and query, so any import or edit changes every tag.

use std::hash::{Hash, Hasher};

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder};

pub struct Validators {
    pub etag: String,
}

pub fn validators(req: &HttpRequest, seq: i64) -> Validators {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    req.path().hash(&mut h);
    req.query_string().hash(&mut h);
    Validators { etag: format!("W/\"{seq}-{:x}\"", h.finish()) }
}

/// `304 Not Modified` when the client already has this version.
pub fn not_modified(req: &HttpRequest, v: &Validators) -> Option<HttpResponse> {
    let inm = req.headers().get(header::IF_NONE_MATCH)?.to_str().ok()?;
    inm.split(',')
        .any(|t| t.trim() == v.etag || t.trim() == "*")
        .then(|| HttpResponse::NotModified().insert_header((header::ETAG, v.etag.clone())).finish())
}

pub fn apply(b: &mut HttpResponseBuilder, v: &Validators, last_modified: Option<&str>) {
    b.insert_header((header::ETAG, v.etag.clone()));
    b.insert_header((header::CACHE_CONTROL, "public, max-age=60"));
    if let Some(lm) = last_modified {
        b.insert_header((header::LAST_MODIFIED, lm.to_string()));
    }
}

/// An RFC 3339 timestamp as an HTTP date.
pub fn http_date(rfc3339: &str) -> Option<String> {
    let t = chrono::DateTime::parse_from_rfc3339(rfc3339).ok()?;
    Some(t.with_timezone(&chrono::Utc).format("%a, %d %b %Y %H:%M:%S GMT").to_string())
}

/// Answers kept in memory for the next client asking the same: the body of
/// an API answer by its path and query, valid for one index sequence (any
/// import or edit empties the whole cache), bounded in bytes, the least
/// recently used evicted first. Many residents and care managers ask the
/// same few questions of a municipality's data, which changes a few times
/// a day. A request with `Cache-Control: no-cache` is answered afresh.
pub struct Responses {
    budget: usize,
    kept: std::sync::Mutex<Kept>,
}

struct Kept {
    seq: i64,
    bytes: usize,
    lru: lru::LruCache<String, Body>,
}

/// A kept answer, and once a client has asked for it so, its gzip form
/// (made once, shared by every clone).
#[derive(Clone)]
pub struct Body {
    pub content_type: &'static str,
    pub bytes: Bytes,
    gzipped: std::sync::Arc<std::sync::OnceLock<Bytes>>,
}

impl Body {
    pub fn new(content_type: &'static str, bytes: Bytes) -> Body {
        Body { content_type, bytes, gzipped: Default::default() }
    }

    pub fn gzipped(&self) -> &Bytes {
        self.gzipped.get_or_init(|| {
            use std::io::Write;
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            e.write_all(&self.bytes).and_then(|_| e.finish()).map(Bytes::from).unwrap_or_default()
        })
    }

    fn size(&self) -> usize {
        // The gzip form, when made, is a fraction of the body: counted as a
        // half so the budget holds either way.
        self.bytes.len() + self.bytes.len() / 2 + ENTRY_OVERHEAD
    }
}

/// The client takes gzip (`Accept-Encoding: gzip`, not `gzip;q=0`).
pub fn accepts_gzip(req: &HttpRequest) -> bool {
    req.headers().get_all(header::ACCEPT_ENCODING).filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).any(|t| {
        let mut parts = t.split(';').map(str::trim);
        let refused = |p: &str| p.strip_prefix("q=").and_then(|q| q.trim().parse::<f32>().ok()) == Some(0.0);
        parts.next().is_some_and(|c| c.eq_ignore_ascii_case("gzip")) && !parts.any(refused)
    })
}

/// What an entry costs besides its key and body (map slot, pointers).
const ENTRY_OVERHEAD: usize = 96;

impl Responses {
    /// At most `budget` bytes; 0 keeps nothing.
    pub fn new(budget: usize) -> Responses {
        Responses { budget, kept: std::sync::Mutex::new(Kept { seq: 0, bytes: 0, lru: lru::LruCache::unbounded() }) }
    }

    fn kept(&self, seq: i64) -> std::sync::MutexGuard<'_, Kept> {
        let mut k = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        if seq > k.seq {
            k.lru.clear();
            k.bytes = 0;
            k.seq = seq;
        }
        k
    }

    pub fn get(&self, seq: i64, key: &str) -> Option<Body> {
        if self.budget == 0 {
            return None;
        }
        let mut k = self.kept(seq);
        if k.seq != seq {
            return None;
        }
        k.lru.get(key).cloned()
    }

    /// Keeps `body` unless it would take more than a sixteenth of the budget.
    pub fn put(&self, seq: i64, key: String, body: Body) {
        let size = key.len() + body.size();
        if size > self.budget / 16 {
            return;
        }
        let mut k = self.kept(seq);
        if k.seq != seq {
            return;
        }
        if let Some(old) = k.lru.put(key.clone(), body) {
            k.bytes -= key.len() + old.size();
        }
        k.bytes += size;
        while k.bytes > self.budget {
            let Some((key, old)) = k.lru.pop_lru() else { break };
            k.bytes -= key.len() + old.size();
        }
    }

    /// Entries and bytes kept now.
    pub fn usage(&self) -> (usize, usize) {
        let k = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        (k.lru.len(), k.bytes)
    }
}

/// The request's path and query: what its answer depends on.
pub fn key(req: &HttpRequest) -> String {
    format!("{}?{}", req.path(), req.query_string())
}

/// The client asked for an answer not taken from a cache.
pub fn no_cache(req: &HttpRequest) -> bool {
    req.headers()
        .get_all(header::CACHE_CONTROL)
        .chain(req.headers().get_all(header::PRAGMA))
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|d| matches!(d.trim().to_ascii_lowercase().as_str(), "no-cache" | "no-store" | "max-age=0"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(n: usize) -> Body {
        Body::new("application/json", vec![b'x'; n].into())
    }

    #[test]
    fn answers_are_kept_per_sequence_within_the_budget() {
        let r = Responses::new(16 * 1000);
        r.put(1, "/a".into(), body(100));
        assert_eq!(r.get(1, "/a").map(|b| b.bytes.len()), Some(100));
        assert!(r.get(1, "/b").is_none());
        // a newer sequence empties everything; an older one is never kept
        assert!(r.get(2, "/a").is_none());
        r.put(1, "/a".into(), body(100));
        assert!(r.get(2, "/a").is_none());
        assert_eq!(r.usage(), (0, 0));
        // too big for one entry
        r.put(2, "/big".into(), body(1000));
        assert!(r.get(2, "/big").is_none());
        // the least recently used goes first
        for i in 0..40 {
            r.put(2, format!("/{i}"), body(400));
            assert!(r.get(2, "/0").is_some(), "/0 is used at every step");
        }
        let (n, bytes) = r.usage();
        assert!(bytes <= 16 * 1000 && n < 40, "{n} entries, {bytes} bytes");
        assert!(r.get(2, "/1").is_none() && r.get(2, "/39").is_some());
        // replacing an entry does not count it twice
        r.put(2, "/39".into(), body(400));
        assert_eq!(r.usage(), (n, bytes));
        assert!(Responses::new(0).get(0, "/a").is_none());
    }

    #[test]
    fn the_gzip_form_is_the_body_and_made_once() {
        use std::io::Read;
        let b = body(5000);
        let kept = b.clone();
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&b.gzipped()[..]).read_to_end(&mut out).unwrap();
        assert_eq!(out, b.bytes);
        assert!(b.gzipped().len() < 100);
        assert_eq!(kept.gzipped().as_ptr(), b.gzipped().as_ptr(), "shared by clones");
    }

    #[test]
    fn gzip_is_sent_to_clients_that_take_it() {
        let ask = |v: &str| {
            accepts_gzip(
                &actix_web::test::TestRequest::default().insert_header((header::ACCEPT_ENCODING, v)).to_http_request(),
            )
        };
        assert!(ask("gzip") && ask("gzip, deflate, br") && ask("br;q=1.0, GZIP;q=0.5") && ask("gzip; q=1"));
        assert!(!ask("gzip;q=0") && !ask("br") && !ask("identity") && !ask("x-gzip2"));
        assert!(!accepts_gzip(&actix_web::test::TestRequest::default().to_http_request()));
    }
}
