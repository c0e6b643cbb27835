//! What can be wrong with a record, said so that a person can fix it.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// No name: the record cannot be a listing (skipped).
    BlankName,
    /// 診療科・診療時間票 row for a facility not in the database (skipped).
    NoSuchFacility,
    /// 緯度 and 経度 were the wrong way round; swapped.
    SwappedCoordinates,
    /// The point is outside Japan; the address was geocoded instead.
    OutsideJapan,
    /// 緯度/経度 are not numbers.
    InvalidCoordinates,
    /// No coordinates in the record; placed by its address.
    MissingCoordinates,
    /// Placed only at the municipal office: the 町字 was not found.
    LocatedAtMunicipality,
    /// Neither coordinates nor a usable address.
    NotLocated,
    /// The file has no 緯度/経度 columns at all (reported once).
    NoCoordinateColumns,
    InvalidPhone,
    InvalidFax,
    InvalidEmail,
    /// The URL column holds an e-mail address (moved to e-mail).
    UrlIsEmail,
    /// The URL column holds something that is not a web address.
    InvalidUrl,
    /// The URL lacked http:// or had a typo in it; fixed.
    FixedUrl,
    InvalidCorporateNumber,
    /// 実施サービス not one of the 介護保険 services we know.
    UnknownService,
    /// Neither the layout nor the name tells what kind of place it is.
    UnknownCategory,
    InvalidTime,
    /// A time slot such as 00:00–00:00 that means "not entered".
    PlaceholderHours,
    /// Weekly and n-th-week closed-day flags disagree.
    ContradictoryFlags,
    /// 合計病床数 differs from the sum of the bed types.
    BedTotalMismatch,
    InvalidNumber,
    ImplausibleCapacity,
    /// More cells than header columns, with values in them.
    ExtraColumns,
    /// The municipality in the code column and in the address differ.
    MunicipalityMismatch,
    /// An official code already belongs to a facility this record is not.
    CodeConflict,
    /// A line above the header (a title, a date): not data.
    TitleRow,
}

impl ProblemKind {
    pub fn id(self) -> String {
        serde_json::to_value(self).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub line: u32,
    /// The header of the column concerned, as published.
    pub column: Option<String>,
    pub kind: ProblemKind,
    pub reason: String,
    /// True when the record was not imported because of it.
    pub skipped: bool,
}

impl Problem {
    pub fn new(line: u32, column: Option<&str>, kind: ProblemKind, reason: impl Into<String>) -> Problem {
        Problem { line, column: column.map(str::to_string), kind, reason: reason.into(), skipped: false }
    }

    pub fn skipping(mut self) -> Problem {
        self.skipped = true;
        self
    }
}
