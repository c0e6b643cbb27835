//! One listing: a clinic, a pharmacy, a care office, a 地域包括支援センター …
//!
//! [`Facility`] holds everything a listing can carry (the union of the
//! municipal, national and survey fields in DOMAIN.md). Its serialised form
//! is a JSON object whose top-level keys are the *fields* that staff edit,
//! imports update and the change history names (see [`crate::merge`]).
//! Empty values are left out of that object, so "not in this file" and
//! "empty" are the same thing and never overwrite known values.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::category::Category;
use crate::schedule::Schedule;
use crate::service::Service;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GeoPoint {
    pub lat: f64,
    pub lng: f64,
}

impl GeoPoint {
    pub fn new(lat: f64, lng: f64) -> GeoPoint {
        GeoPoint { lat, lng }
    }

    /// Great-circle distance in metres (haversine, mean Earth radius).
    pub fn distance_m(self, other: GeoPoint) -> f64 {
        let (la1, la2) = (self.lat.to_radians(), other.lat.to_radians());
        let dla = la2 - la1;
        let dlo = (other.lng - self.lng).to_radians();
        let a = (dla / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlo / 2.0).sin().powi(2);
        2.0 * 6_371_008.8 * a.sqrt().asin()
    }

    /// Inside the box that holds all of Japan (lat 20–46, lng 122–154).
    pub fn in_japan(self) -> bool {
        (20.0..=46.0).contains(&self.lat) && (122.0..=154.0).contains(&self.lng)
    }
}

/// How a facility's point was obtained, from least to most exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GeoPrecision {
    /// The municipal office: only the municipality is known.
    Municipality,
    /// The representative point of the 町字 (town block).
    Town,
    /// The coordinates published in the source file.
    Source,
    /// Placed by a staff member.
    Manual,
}

impl GeoPrecision {
    /// Plain words for the facility page.
    pub fn label(self) -> &'static str {
        match self {
            GeoPrecision::Municipality => "市町村役場の位置（おおよそ）",
            GeoPrecision::Town => "町名の代表点（おおよそ）",
            GeoPrecision::Source => "公開データの座標",
            GeoPrecision::Manual => "担当者が確認した位置",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Location {
    #[serde(flatten)]
    pub point: GeoPoint,
    pub precision: GeoPrecision,
    /// Where the point came from, e.g. 「町字: 下松市大字下谷」.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    /// The whole address as we show it (所在地_連結表記 / 住所).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefecture: Option<String>,
    /// 市区町村 name, with 郡 when it has one: 熊毛郡平生町.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub municipality: Option<String>,
    /// 町字.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub town: Option<String>,
    /// 番地以下.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block: Option<String>,
    /// 方書 (building, floor).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub building: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// 全国地方公共団体コード of the municipality, 6 digits with check digit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub municipality_code: Option<String>,
    /// 町字ID of the アドレス・ベース・レジストリ.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub town_id: Option<String>,
}

impl Address {
    pub fn is_empty(&self) -> bool {
        *self == Address::default()
    }

    /// The address line to print: the full form, with the building after it.
    pub fn line(&self) -> String {
        let mut s = self.full.clone().unwrap_or_else(|| {
            [&self.prefecture, &self.municipality, &self.town, &self.block]
                .into_iter()
                .flatten()
                .map(String::as_str)
                .collect()
        });
        if let Some(b) = &self.building
            && !s.contains(b.as_str())
        {
            s.push(' ');
            s.push_str(b);
        }
        s
    }
}

/// Official identifiers. Codes of one scheme identify one facility, which
/// is what makes re-imports idempotent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CodeScheme {
    /// 医療機関コード (10 digits: prefecture 2, 点数表 1, number 7).
    MedicalInstitution,
    /// 介護保険 事業所番号 (10 characters).
    CareProvider,
    /// 医療情報ネット ID (13 characters).
    IryoJohoNet,
    /// A publisher's own row ID, prefixed with its 全国地方公共団体コード.
    Local,
}

impl CodeScheme {
    pub fn id(self) -> &'static str {
        match self {
            CodeScheme::MedicalInstitution => "medical_institution",
            CodeScheme::CareProvider => "care_provider",
            CodeScheme::IryoJohoNet => "iryo_joho_net",
            CodeScheme::Local => "local",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CodeScheme::MedicalInstitution => "医療機関コード",
            CodeScheme::CareProvider => "介護保険事業所番号",
            CodeScheme::IryoJohoNet => "医療情報ネットID",
            CodeScheme::Local => "自治体データのID",
        }
    }

    pub fn from_id(s: &str) -> Option<CodeScheme> {
        [CodeScheme::MedicalInstitution, CodeScheme::CareProvider, CodeScheme::IryoJohoNet, CodeScheme::Local]
            .into_iter()
            .find(|c| c.id() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Code {
    pub scheme: CodeScheme,
    pub value: String,
}

impl Code {
    pub fn new(scheme: CodeScheme, value: impl Into<String>) -> Code {
        Code { scheme, value: value.into() }
    }
}

/// One service the facility offers, with what the lists say about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceOffer {
    pub service: Service,
    /// The name as the source wrote it, when it differs from the official one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_name: Option<String>,
    /// 介護保険 事業所番号 under which this service is designated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_number: Option<String>,
    /// 定員. `0` in the national files means "not entered" and is not kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<u32>,
    /// 定員 text that is not a single number (「(1) 40名、(2) 45名」, 「空床利用」).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity_note: Option<String>,
    /// 利用可能曜日 as published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<String>,
    /// 利用可能曜日特記事項.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days_note: Option<String>,
}

impl ServiceOffer {
    pub fn new(service: Service) -> ServiceOffer {
        ServiceOffer {
            service,
            published_name: None,
            provider_number: None,
            capacity: None,
            capacity_note: None,
            days: None,
            days_note: None,
        }
    }
}

/// 病床数 by type (医療情報ネット) and in total.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Beds {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<u32>,
    /// Beds by type: 一般, 療養, 精神, 結核, 感染症 …
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub by_type: BTreeMap<String, u32>,
}

impl Beds {
    pub fn is_empty(&self) -> bool {
        self.total.is_none() && self.by_type.is_empty()
    }
}

/// What a facility can do for people cared for at home, beyond its services.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Capability {
    /// 在宅療養支援診療所・病院 (在支診/在支病).
    HomeCareSupportClinic,
    /// 在宅療養後方支援病院.
    BackupHospital,
    /// 地域包括ケア病棟.
    CommunityCareWard,
    /// 認知症疾患医療センター.
    DementiaCenter,
    /// もの忘れ外来.
    MemoryClinic,
    /// 在宅での看取り.
    EndOfLife,
    /// 24時間対応.
    AroundTheClock,
    /// 無菌調剤.
    SterileCompounding,
    /// 麻薬の管理.
    Narcotics,
    /// 胃ろう.
    TubeFeeding,
    /// 在宅酸素.
    HomeOxygen,
    /// 人工呼吸器.
    Ventilator,
    /// インスリン.
    Insulin,
    /// 喀痰吸引.
    Suction,
    /// 在宅医療・介護連携の相談窓口を兼ねる.
    ConsultationDesk,
    /// サテライト事業所.
    Satellite,
}

impl Capability {
    pub const ALL: [Capability; 16] = [
        Capability::HomeCareSupportClinic,
        Capability::BackupHospital,
        Capability::CommunityCareWard,
        Capability::DementiaCenter,
        Capability::MemoryClinic,
        Capability::EndOfLife,
        Capability::AroundTheClock,
        Capability::SterileCompounding,
        Capability::Narcotics,
        Capability::TubeFeeding,
        Capability::HomeOxygen,
        Capability::Ventilator,
        Capability::Insulin,
        Capability::Suction,
        Capability::ConsultationDesk,
        Capability::Satellite,
    ];

    pub fn id(self) -> String {
        serde_json::to_value(self).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
    }

    pub fn from_id(s: &str) -> Option<Capability> {
        serde_json::from_value(serde_json::Value::String(s.to_string())).ok()
    }

    pub fn label(self) -> &'static str {
        match self {
            Capability::HomeCareSupportClinic => "在宅療養支援診療所・病院",
            Capability::BackupHospital => "在宅療養後方支援病院",
            Capability::CommunityCareWard => "地域包括ケア病棟",
            Capability::DementiaCenter => "認知症疾患医療センター",
            Capability::MemoryClinic => "もの忘れ外来",
            Capability::EndOfLife => "在宅での看取り",
            Capability::AroundTheClock => "24時間対応",
            Capability::SterileCompounding => "無菌調剤",
            Capability::Narcotics => "医療用麻薬の取り扱い",
            Capability::TubeFeeding => "胃ろう",
            Capability::HomeOxygen => "在宅酸素",
            Capability::Ventilator => "人工呼吸器",
            Capability::Insulin => "インスリン",
            Capability::Suction => "たんの吸引",
            Capability::ConsultationDesk => "在宅医療・介護の相談窓口",
            Capability::Satellite => "サテライト事業所",
        }
    }
}

/// Where a home service goes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum VisitArea {
    /// Within this distance of the facility.
    Radius { meters: u32 },
    /// These municipalities (全国地方公共団体コード or name) or 町字 names.
    Places { places: Vec<String> },
    /// A GeoJSON Polygon or MultiPolygon geometry (`[lng, lat]`).
    Polygon { geometry: serde_json::Value },
}

/// 空き: how many places are free, as of a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vacancy {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum: Option<u32>,
    pub as_of: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// How professionals reach the facility (ケアマネタイム and the like).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProContact {
    /// 相談担当者.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<String>,
    /// 連絡方法 (FAX, 電話, メール …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// 可能な曜日・時間.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Everyone sees it.
    #[default]
    Public,
    /// Only signed-in professionals see it.
    Professionals,
    /// Nobody outside the municipality's staff.
    Hidden,
}

/// 掲載同意.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Consent {
    /// Official open data: publishing needs no consent of its own.
    #[default]
    NotRequired,
    Given,
    Refused,
    Pending,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Facility {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_kana: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_en: Option<String>,
    /// 略称 / 通称.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_short: Option<String>,
    /// Names and readings that another dataset published for the same
    /// facility, replaced by a newer one when they were merged: found by
    /// search, shown as such, never as its name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_names: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_kana: Vec<String>,
    /// What kind of place it is; the first is the primary category.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<Category>,
    /// 医療機関の種類 as published (病院 / 有床診療所 / 無床診療所 / 歯科 …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub medical_kind: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<ServiceOffer>,
    #[serde(default, skip_serializing_if = "Address::is_empty")]
    pub address: Address,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_ext: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fax: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_form_url: Option<String>,
    /// 連絡先備考 (SNS and the like).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub corporation_name: Option<String>,
    /// 法人番号 (13 digits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub corporate_number: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub codes: Vec<Code>,
    /// 診療科目.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub departments: Vec<String>,
    #[serde(default, skip_serializing_if = "Schedule::is_empty")]
    pub schedule: Schedule,
    #[serde(default, skip_serializing_if = "Beds::is_empty")]
    pub beds: Beds,
    /// 定員 of the facility as a whole (per-service 定員 is on the service).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<u32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capabilities: Vec<Capability>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visit_area: Option<VisitArea>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vacancy: Option<Vacancy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub professional_contact: Option<ProContact>,
    /// 日常生活圏域.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub care_area: Option<String>,
    /// 災害拠点分類.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disaster_role: Option<String>,
    /// 状況 (休止中 …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_licence: Option<String>,
    /// 備考.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    #[serde(default, skip_serializing_if = "is_default")]
    pub consent: Consent,
    #[serde(default, skip_serializing_if = "is_default")]
    pub visibility: Visibility,
    /// Other published columns worth showing (開設者, 共生型 …), by header.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, String>,
}

fn is_default<T: Default + PartialEq>(t: &T) -> bool {
    *t == T::default()
}

impl Facility {
    pub fn new(name: impl Into<String>) -> Facility {
        Facility { name: name.into(), ..Facility::default() }
    }

    pub fn primary_category(&self) -> Option<Category> {
        self.categories.first().copied()
    }

    pub fn add_category(&mut self, c: Category) {
        if !self.categories.contains(&c) {
            self.categories.push(c);
        }
    }

    /// Adds a service, and the category it implies. A service already listed
    /// takes the new offer's non-empty details.
    pub fn add_service(&mut self, offer: ServiceOffer) {
        self.add_category(offer.service.category());
        match self.services.iter_mut().find(|s| s.service == offer.service) {
            Some(s) => merge_offer(s, offer),
            None => self.services.push(offer),
        }
    }

    pub fn has_service(&self, s: Service) -> bool {
        self.services.iter().any(|o| o.service == s)
    }

    pub fn add_code(&mut self, code: Code) {
        if !self.codes.contains(&code) {
            self.codes.push(code);
        }
    }

    pub fn code(&self, scheme: CodeScheme) -> Option<&str> {
        self.codes.iter().find(|c| c.scheme == scheme).map(|c| c.value.as_str())
    }

    pub fn add_capability(&mut self, c: Capability) {
        if !self.capabilities.contains(&c) {
            self.capabilities.push(c);
        }
    }

    /// Services in which someone comes to the person's home.
    pub fn home_services(&self) -> impl Iterator<Item = Service> + '_ {
        self.services.iter().map(|o| o.service).filter(|s| s.def().visits_home)
    }

    pub fn point(&self) -> Option<GeoPoint> {
        self.location.as_ref().map(|l| l.point)
    }
}

pub(crate) fn merge_offer(into: &mut ServiceOffer, from: ServiceOffer) {
    macro_rules! take {
        ($($f:ident),*) => { $( if from.$f.is_some() { into.$f = from.$f; } )* };
    }
    take!(published_name, provider_number, capacity, capacity_note, days, days_note);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        // 下松市役所 to 周南市役所 is about 7 km.
        let a = GeoPoint::new(34.015, 131.870);
        let b = GeoPoint::new(34.055, 131.806);
        let d = a.distance_m(b);
        assert!((7_000.0..7_600.0).contains(&d), "{d}");
        assert!(a.in_japan());
        assert!(!GeoPoint::new(131.87, 34.01).in_japan());
    }

    #[test]
    fn empty_fields_are_left_out_of_the_json() {
        let f = Facility::new("あいクリニック");
        assert_eq!(serde_json::to_string(&f).unwrap(), r#"{"name":"あいクリニック"}"#);
    }

    #[test]
    fn services_imply_categories() {
        let mut f = Facility::new("x");
        f.add_service(ServiceOffer::new(Service::DayService));
        f.add_service(ServiceOffer { capacity: Some(30), ..ServiceOffer::new(Service::DayService) });
        f.add_service(ServiceOffer::new(Service::HomeHelp));
        assert_eq!(f.categories, vec![Category::DayCare, Category::HomeCare]);
        assert_eq!(f.services.len(), 2);
        assert_eq!(f.services[0].capacity, Some(30));
        assert_eq!(f.home_services().collect::<Vec<_>>(), vec![Service::HomeHelp]);
    }
}
