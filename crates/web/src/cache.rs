//! ETag and Last-Modified for answers that depend only on the data and
//! the URL: the tag is the index's write sequence with the request's path
//! and query, so any import or edit changes every tag.

use std::hash::{Hash, Hasher};

use actix_web::http::header;
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
