//! The merged category taxonomy: what kind of place a facility is.
//!
//! Two levels: a [`Group`] (医療, 介護, 相談窓口, 生活支援, 障害福祉) and a
//! [`Category`] inside it. A facility has one or more categories; the first is
//! its primary one. Every category carries a plain-words explanation because
//! residents do not know what 居宅介護支援 means.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    Medical,
    Care,
    Consultation,
    LifeSupport,
    Disability,
}

impl Group {
    pub const ALL: [Group; 5] =
        [Group::Medical, Group::Care, Group::Consultation, Group::LifeSupport, Group::Disability];

    pub fn id(self) -> &'static str {
        match self {
            Group::Medical => "medical",
            Group::Care => "care",
            Group::Consultation => "consultation",
            Group::LifeSupport => "life_support",
            Group::Disability => "disability",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Group::Medical => "医療",
            Group::Care => "介護",
            Group::Consultation => "相談窓口",
            Group::LifeSupport => "生活支援",
            Group::Disability => "障害福祉",
        }
    }

    pub fn from_id(id: &str) -> Option<Group> {
        Group::ALL.into_iter().find(|g| g.id() == id)
    }

    pub fn categories(self) -> impl Iterator<Item = Category> {
        Category::ALL.iter().copied().filter(move |c| c.group() == self)
    }
}

/// Static description of one category.
#[derive(Debug)]
pub struct CategoryDef {
    pub id: &'static str,
    pub group: Group,
    /// The label used in lists and filters.
    pub name: &'static str,
    /// One sentence in plain words for residents.
    pub plain: &'static str,
    /// Other words people use for it (search synonyms start here).
    pub aliases: &'static [&'static str],
}

macro_rules! categories {
    ($($variant:ident => $id:literal, $group:ident, $name:literal, $plain:literal, [$($alias:literal),*];)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Category { $($variant),* }

        impl Category {
            pub const ALL: &'static [Category] = &[$(Category::$variant),*];

            pub fn def(self) -> &'static CategoryDef {
                match self {
                    $(Category::$variant => &CategoryDef {
                        id: $id,
                        group: Group::$group,
                        name: $name,
                        plain: $plain,
                        aliases: &[$($alias),*],
                    }),*
                }
            }
        }
    };
}

categories! {
    Hospital => "hospital", Medical, "病院", "入院のためのベッドが20床以上ある医療機関です。", ["総合病院"];
    Clinic => "clinic", Medical, "診療所・クリニック", "まちのお医者さん（医院・クリニック）です。", ["医院", "クリニック", "診療所"];
    Dental => "dental", Medical, "歯科", "歯医者さんです。", ["歯科診療所", "歯科医院", "歯医者"];
    Pharmacy => "pharmacy", Medical, "薬局", "処方せんのお薬を出す薬局です。", ["調剤薬局", "薬屋"];
    HomeNursing => "home_nursing", Medical, "訪問看護ステーション", "看護師が自宅に来て、医療的なケアをします。", ["訪問看護", "訪看"];
    Midwife => "midwife", Medical, "助産所", "助産師によるお産や相談の場所です。", ["助産院"];
    CareManagement => "care_management", Care, "ケアマネジャー（居宅介護支援）", "介護サービスの計画（ケアプラン）を作り、相談にのります。", ["居宅介護支援", "ケアマネ", "ケアプランセンター"];
    HomeCare => "home_care", Care, "自宅に来てくれる介護", "ヘルパーの訪問や訪問入浴、訪問リハビリなどです。", ["訪問系サービス", "在宅サービス"];
    DayCare => "day_care", Care, "通いの介護（デイサービス・デイケア）", "日帰りで通い、食事・入浴・リハビリなどを受けます。", ["通いの介護", "通所系サービス"];
    ShortStay => "short_stay", Care, "短期間の泊まり（ショートステイ）", "数日から泊まって介護を受けられます。", ["ショートステイ", "短期入所"];
    MultiFunction => "multi_function", Care, "通い・泊まり・訪問の組み合わせ", "小規模多機能型居宅介護など、ひとつの事業所で通い・泊まり・訪問を組み合わせます。", ["小規模多機能", "看護小規模多機能"];
    NursingHome => "nursing_home", Care, "介護施設（特養・老健・介護医療院）", "介護保険で入所して暮らす施設です。", ["介護保険施設", "入所施設"];
    Residence => "residence", Care, "高齢者の住まい（グループホーム・有料老人ホームなど）", "介護や見守りのある住まいです。", ["高齢者の住まい", "高齢者住宅"];
    WelfareEquipment => "welfare_equipment", Care, "福祉用具", "車いすや介護ベッドなどの貸し出し・販売です。", ["介護用品"];
    CommunitySupport => "community_support", Consultation, "地域包括支援センター", "高齢者の暮らしの困りごとを何でも相談できる窓口です。", ["包括", "地域包括", "高齢者相談センター"];
    HomeCareSupport => "home_care_support", Consultation, "在宅医療・介護の相談窓口", "自宅での医療と介護について相談できる窓口です。", ["在宅医療・介護連携支援センター", "連携支援センター"];
    MunicipalOffice => "municipal_office", Consultation, "市町村の窓口", "市役所・町村役場の介護や福祉の担当です。", ["市役所", "役場"];
    HealthCenter => "health_center", Consultation, "保健所・保健センター", "健康づくりや健診、子育ての相談をします。", ["保健所", "保健センター"];
    SocialWelfareCouncil => "social_welfare_council", Consultation, "社会福祉協議会", "地域の福祉活動やボランティアの拠点です。", ["社協"];
    PublicFacility => "public_facility", Consultation, "公共施設", "市町村の施設です。", [];
    MealDelivery => "meal_delivery", LifeSupport, "配食サービス", "お弁当を自宅に届けます。", ["配食", "宅配弁当"];
    Shopping => "shopping", LifeSupport, "買い物支援", "移動販売や買い物の手伝いです。", ["移動販売"];
    HomeBarber => "home_barber", LifeSupport, "訪問理美容", "自宅や施設に来て髪を切ります。", ["訪問理容", "訪問美容"];
    Transport => "transport", LifeSupport, "移動支援・介護タクシー", "通院などの移動を手伝います。", ["介護タクシー", "福祉タクシー"];
    Watching => "watching", LifeSupport, "見守り", "見守りや安否確認のサービスです。", ["安否確認"];
    Salon => "salon", LifeSupport, "サロン・通いの場", "地域で集まれる居場所です。", ["居場所", "通いの場"];
    DementiaCafe => "dementia_cafe", LifeSupport, "認知症カフェ", "認知症の人や家族が気軽に集まれる場所です。", ["オレンジカフェ"];
    DisabilityService => "disability_service", Disability, "障害福祉サービス", "障害のある方への福祉サービスです。", ["障害福祉"];
}

impl Category {
    pub fn id(self) -> &'static str {
        self.def().id
    }

    pub fn name(self) -> &'static str {
        self.def().name
    }

    pub fn group(self) -> Group {
        self.def().group
    }

    pub fn from_id(id: &str) -> Option<Category> {
        Category::ALL.iter().copied().find(|c| c.id() == id)
    }

    /// What a name says a place is, for lists that do not say it otherwise
    /// (公共施設一覧, 高松市's 地域包括支援センター sheet). Most specific words first.
    pub fn guess_from_name(name: &str) -> Option<Category> {
        const WORDS: &[(&str, Category)] = &[
            ("地域包括支援センター", Category::CommunitySupport),
            ("高齢者相談センター", Category::CommunitySupport),
            ("在宅医療・介護連携", Category::HomeCareSupport),
            ("在宅医療介護連携", Category::HomeCareSupport),
            ("社会福祉協議会", Category::SocialWelfareCouncil),
            ("保健センター", Category::HealthCenter),
            ("保健所", Category::HealthCenter),
            ("訪問看護", Category::HomeNursing),
            ("歯科", Category::Dental),
            ("薬局", Category::Pharmacy),
            ("病院", Category::Hospital),
            ("診療所", Category::Clinic),
            ("クリニック", Category::Clinic),
            ("医院", Category::Clinic),
            ("助産", Category::Midwife),
            ("市役所", Category::MunicipalOffice),
            ("役場", Category::MunicipalOffice),
            ("認知症カフェ", Category::DementiaCafe),
            ("オレンジカフェ", Category::DementiaCafe),
            ("配食", Category::MealDelivery),
            ("介護タクシー", Category::Transport),
        ];
        let n = crate::normalize::nfkc(name);
        WORDS.iter().find(|(w, _)| n.contains(w)).map(|&(_, c)| c)
    }
}

/// A category filter as users give it: a group (`medical`) or a leaf (`dental`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CategoryFilter {
    Group(Group),
    Category(Category),
}

impl CategoryFilter {
    /// Accepts ids (`dental`, `medical`) and Japanese names or aliases (`歯科`, `介護`).
    pub fn parse(s: &str) -> Option<CategoryFilter> {
        let s = s.trim();
        if let Some(g) = Group::from_id(s) {
            return Some(CategoryFilter::Group(g));
        }
        if let Some(c) = Category::from_id(s) {
            return Some(CategoryFilter::Category(c));
        }
        if let Some(g) = Group::ALL.into_iter().find(|g| g.name() == s) {
            return Some(CategoryFilter::Group(g));
        }
        Category::ALL
            .iter()
            .copied()
            .find(|c| c.name() == s || c.def().aliases.contains(&s))
            .map(CategoryFilter::Category)
    }

    pub fn matches(self, c: Category) -> bool {
        match self {
            CategoryFilter::Group(g) => c.group() == g,
            CategoryFilter::Category(x) => x == c,
        }
    }

    pub fn id(self) -> &'static str {
        match self {
            CategoryFilter::Group(g) => g.id(),
            CategoryFilter::Category(c) => c.id(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for &c in Category::ALL {
            assert!(seen.insert(c.id()), "duplicate id {}", c.id());
            assert_eq!(Category::from_id(c.id()), Some(c));
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.id()));
        }
        for g in Group::ALL {
            assert!(g.categories().count() > 0, "{g:?} has no categories");
        }
    }

    #[test]
    fn filters_parse_ids_names_and_aliases() {
        let check = |s: &str, expect: &str| {
            assert_eq!(CategoryFilter::parse(s).map(|f| f.id()), Some(expect), "{s}");
        };
        check("medical", "medical");
        check("医療", "medical");
        check("dental", "dental");
        check("歯医者", "dental");
        check("包括", "community_support");
        check("通いの介護", "day_care");
        assert_eq!(CategoryFilter::parse("aed"), None);
    }

    #[test]
    fn names_tell_the_kind_of_place() {
        assert_eq!(
            Category::guess_from_name("高松市地域包括支援センター 香川サブセンター"),
            Some(Category::CommunitySupport)
        );
        assert_eq!(Category::guess_from_name("保健センター"), Some(Category::HealthCenter));
        assert_eq!(Category::guess_from_name("山口市柚野診療所"), Some(Category::Clinic));
        assert_eq!(Category::guess_from_name("わかば歯科医院"), Some(Category::Dental));
        assert_eq!(Category::guess_from_name("市民会館"), None);
    }
}
