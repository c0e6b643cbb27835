//! Services a facility offers: the 介護保険 service types (with the codes the
//! 介護サービス情報公表システム uses in its file names), residences outside the
//! insurance, and the medical home-care services residents ask about.
//!
//! The care CSVs name services in many ways (「通所介護」, 「指定療養通所介護」,
//! 「居宅介護支援事業所」, 「複合型サービス（看護小規模多機能型居宅介護）」); [`Service::recognize`]
//! maps those spellings to one service.

use crate::category::Category;
use crate::normalize;
use serde::{Deserialize, Serialize};

#[derive(Debug)]
pub struct ServiceDef {
    pub id: &'static str,
    /// 介護サービス情報公表システム service code(s); the first is canonical.
    pub codes: &'static [u16],
    /// The official name.
    pub name: &'static str,
    /// Other names used in files and by people, most specific first.
    pub aliases: &'static [&'static str],
    pub category: Category,
    /// Someone comes to the person's home (the visit-area search uses this).
    pub visits_home: bool,
}

macro_rules! services {
    ($($variant:ident => $id:literal, [$($code:literal),*], $name:literal, [$($alias:literal),*], $cat:ident, $home:literal;)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Service { $($variant),* }

        impl Service {
            pub const ALL: &'static [Service] = &[$(Service::$variant),*];

            pub fn def(self) -> &'static ServiceDef {
                match self {
                    $(Service::$variant => &ServiceDef {
                        id: $id,
                        codes: &[$($code),*],
                        name: $name,
                        aliases: &[$($alias),*],
                        category: Category::$cat,
                        visits_home: $home,
                    }),*
                }
            }
        }
    };
}

services! {
    HomeHelp => "home_help", [110], "訪問介護", ["ホームヘルプ", "ホームヘルパー", "ヘルパー"], HomeCare, true;
    HomeBathing => "home_bathing", [120], "訪問入浴介護", ["訪問入浴"], HomeCare, true;
    HomeNursing => "home_nursing", [130], "訪問看護", ["訪看", "訪問看護ステーション"], HomeNursing, true;
    HomeRehab => "home_rehab", [140], "訪問リハビリテーション", ["訪問リハビリ", "訪問リハ"], HomeCare, true;
    DayService => "day_service", [150], "通所介護", ["デイサービス"], DayCare, false;
    MedicalDayService => "medical_day_service", [155], "療養通所介護", [], DayCare, false;
    DayCareRehab => "day_care_rehab", [160], "通所リハビリテーション", ["デイケア", "通所リハビリ", "通所リハ"], DayCare, false;
    EquipmentRental => "equipment_rental", [170], "福祉用具貸与", ["福祉用具レンタル"], WelfareEquipment, false;
    ShortStay => "short_stay", [210], "短期入所生活介護", ["ショートステイ"], ShortStay, false;
    MedicalShortStay => "medical_short_stay", [220, 230, 551], "短期入所療養介護", ["医療型ショートステイ"], ShortStay, false;
    GroupHome => "group_home", [320], "認知症対応型共同生活介護", ["認知症グループホーム", "グループホーム"], Residence, false;
    SpecifiedFacility => "specified_facility", [331, 332, 333, 334, 335, 336, 337], "特定施設入居者生活介護", ["介護付有料老人ホーム", "介護付き有料老人ホーム", "特定施設"], Residence, false;
    EquipmentSales => "equipment_sales", [410], "特定福祉用具販売", ["福祉用具販売"], WelfareEquipment, false;
    CareManagement => "care_management", [430], "居宅介護支援", ["ケアプラン", "ケアマネジャー", "ケアマネ"], CareManagement, false;
    PreventionSupport => "prevention_support", [], "介護予防支援", ["介護予防ケアマネジメント"], CareManagement, false;
    NursingHome => "nursing_home", [510], "介護老人福祉施設", ["特別養護老人ホーム", "特養"], NursingHome, false;
    HealthFacility => "health_facility", [520], "介護老人保健施設", ["老人保健施設", "老健"], NursingHome, false;
    Sanatorium => "sanatorium", [530], "介護療養型医療施設", ["療養型医療施設"], NursingHome, false;
    CommunityNursingHome => "community_nursing_home", [540], "地域密着型介護老人福祉施設入所者生活介護", ["地域密着型介護老人福祉施設", "地域密着型特養", "小規模特養"], NursingHome, false;
    CareHospital => "care_hospital", [550], "介護医療院", [], NursingHome, false;
    CommunitySpecified => "community_specified", [361, 362, 363, 364], "地域密着型特定施設入居者生活介護", ["地域密着型特定施設"], Residence, false;
    NightHomeHelp => "night_home_help", [710], "夜間対応型訪問介護", [], HomeCare, true;
    DementiaDay => "dementia_day", [720], "認知症対応型通所介護", ["認知症デイサービス", "認知症デイ"], DayCare, false;
    SmallMulti => "small_multi", [730], "小規模多機能型居宅介護", ["小規模多機能", "小多機"], MultiFunction, true;
    PeriodicVisit => "periodic_visit", [760], "定期巡回・随時対応型訪問介護看護", ["定期巡回"], HomeCare, true;
    NursingSmallMulti => "nursing_small_multi", [770], "看護小規模多機能型居宅介護", ["複合型サービス", "看護小規模多機能", "看多機"], MultiFunction, true;
    CommunityDayService => "community_day_service", [780], "地域密着型通所介護", ["地域密着型デイサービス"], DayCare, false;
    PaidHome => "paid_home", [], "住宅型有料老人ホーム", ["有料老人ホーム"], Residence, false;
    ElderlyHousing => "elderly_housing", [], "サービス付き高齢者向け住宅", ["サ高住", "サービス付高齢者向け住宅"], Residence, false;
    CareHouse => "care_house", [], "軽費老人ホーム", ["ケアハウス"], Residence, false;
    ElderlyHome => "elderly_home", [], "養護老人ホーム", [], Residence, false;
    HouseCall => "house_call", [], "往診", [], Clinic, true;
    HomeVisitMedical => "home_visit_medical", [], "訪問診療", ["在宅医療", "在宅診療"], Clinic, true;
    HomeDental => "home_dental", [], "訪問歯科診療", ["訪問歯科", "歯科訪問診療"], Dental, true;
    HomePharmacy => "home_pharmacy", [], "訪問薬剤管理指導", ["在宅訪問薬剤管理指導", "訪問服薬指導", "在宅対応薬局", "在宅患者訪問薬剤管理指導"], Pharmacy, true;
    DisabilityWelfare => "disability_welfare", [], "障害福祉サービス", [], DisabilityService, false;
}

impl Service {
    pub fn id(self) -> &'static str {
        self.def().id
    }

    pub fn name(self) -> &'static str {
        self.def().name
    }

    pub fn category(self) -> Category {
        self.def().category
    }

    pub fn from_id(id: &str) -> Option<Service> {
        Service::ALL.iter().copied().find(|s| s.id() == id)
    }

    pub fn from_code(code: u16) -> Option<Service> {
        Service::ALL.iter().copied().find(|s| s.def().codes.contains(&code))
    }

    /// Recognises a service as a care CSV or a person writes it.
    ///
    /// Exact names and aliases first; then the longest official name or alias
    /// contained in the text (「指定療養通所介護」 → 療養通所介護, 「居宅介護支援事業所」
    /// → 居宅介護支援). Longest wins so that 地域密着型通所介護 is not read as 通所介護.
    pub fn recognize(text: &str) -> Option<Service> {
        let key = normalize::compact(text);
        if key.is_empty() {
            return None;
        }
        if let Some(s) = Service::from_id(text.trim()) {
            return Some(s);
        }
        let mut best: Option<(usize, Service)> = None;
        for &s in Service::ALL {
            let def = s.def();
            for name in std::iter::once(&def.name).chain(def.aliases) {
                let n = normalize::compact(name);
                if n == key {
                    return Some(s);
                }
                if key.contains(&n) && best.is_none_or(|(len, _)| n.len() > len) {
                    best = Some((n.len(), s));
                }
            }
        }
        best.map(|(_, s)| s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognizes_spellings_from_real_files() {
        let check = |text: &str, expect: Service| {
            assert_eq!(Service::recognize(text), Some(expect), "{text}");
        };
        check("通所介護", Service::DayService);
        check("地域密着型通所介護", Service::CommunityDayService);
        check("指定療養通所介護", Service::MedicalDayService);
        check("居宅介護支援事業所", Service::CareManagement);
        check("介護予防支援", Service::PreventionSupport);
        check("短期入所生活介護", Service::ShortStay);
        check("短期入所療養介護", Service::MedicalShortStay);
        check("複合型サービス（看護小規模多機能型居宅介護）", Service::NursingSmallMulti);
        check("小規模多機能型居宅介護", Service::SmallMulti);
        check("地域密着型介護老人福祉施設", Service::CommunityNursingHome);
        check("介護老人福祉施設", Service::NursingHome);
        check("介護老人福祉施設（特別養護老人ホーム）", Service::NursingHome);
        check("認知症対応型共同生活介護", Service::GroupHome);
        check("特定施設入居者生活介護", Service::SpecifiedFacility);
        check("地域密着型特定施設入居者生活介護", Service::CommunitySpecified);
        check("定期巡回・随時対応型訪問介護看護", Service::PeriodicVisit);
        check("訪問看護", Service::HomeNursing);
        check("デイケア", Service::DayCareRehab);
        check("軽費老人ホーム（ケアハウス）", Service::CareHouse);
        assert_eq!(Service::recognize("AED"), None);
    }

    #[test]
    fn codes_and_ids_are_unique() {
        let mut ids = std::collections::HashSet::new();
        let mut codes = std::collections::HashSet::new();
        for &s in Service::ALL {
            assert!(ids.insert(s.id()));
            for &c in s.def().codes {
                assert!(codes.insert(c), "code {c} twice");
                assert_eq!(Service::from_code(c), Some(s));
            }
        }
    }
}
