//! The tsunagi domain: what a medical and care resource directory knows.
//!
//! Facilities ([`Facility`]) with their categories ([`Category`]), services
//! ([`Service`]), opening hours ([`Schedule`]), places and codes; the text
//! normalisation that makes two spellings of one name or address compare
//! equal ([`normalize`]); and the rules that recognise one facility in two
//! records and fold them together ([`merge`]).
//!
//! This crate does no I/O: no files, no database, no network, no clock
//! (callers pass dates in). Everything here is a pure function of its
//! arguments, which is what lets the importer, the store, the search index
//! and the web pages agree.

pub mod category;
pub mod codes;
pub mod facility;
pub mod merge;
pub mod normalize;
pub mod query;
pub mod schedule;
pub mod service;

pub use category::{Category, CategoryFilter, Group};
pub use facility::{
    Address, Beds, Capability, Code, CodeScheme, Consent, Facility, GeoPoint, GeoPrecision, Location, ProContact,
    ServiceOffer, Vacancy, Visibility, VisitArea,
};
pub use merge::{FieldChange, FieldSources, MatchReason, Stamp};
pub use query::{BBox, ParamError, QueryParams, SearchQuery, Sort};
pub use schedule::{Day, Days, OpenState, Schedule, Slot, SlotKind, Time};
pub use service::Service;
