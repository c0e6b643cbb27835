//! Columns are found by header name, never by position. Each field we read
//! has the names it goes by in the 自治体標準 (new and 2017), the national
//! files, and the English keys of 高松市; headers are compared after NFKC,
//! without spaces, brackets or underscores (so 「telephone　number」,
//! 「方書（ビル名等）」 and 「建物名等(方書)」 are found).

use std::collections::HashMap;

use tsunagi_domain::normalize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    Name,
    Kana,
    NameEn,
    NameShort,
    Kind,
    Service,
    PublisherCode,
    PrefCode,
    CityCode,
    LocationCode,
    PublisherName,
    CityName,
    PrefName,
    Id,
    SeqNo,
    Address,
    AddrPref,
    AddrCity,
    AddrTown,
    AddrBlock,
    Building,
    TownId,
    Lat,
    Lng,
    Phone,
    Ext,
    Fax,
    Email,
    FormUrl,
    ContactNote,
    Postal,
    CorpNumber,
    CorpName,
    MedicalCode,
    CareNumber,
    Days,
    Open,
    Close,
    HoursNote,
    AfterHours,
    Departments,
    Beds,
    Capacity,
    Disaster,
    Status,
    Url,
    Image,
    ImageLicence,
    Notes,
    Description,
    CareArea,
}

/// Header names by field. The first name is the one reports use.
const ALIASES: &[(Field, &[&str])] = &[
    (
        Field::Name,
        &[
            "名称",
            "介護サービス事業所名称",
            "事業所名",
            "正式名称",
            "事業所名称",
            "施設名",
            "施設名称",
            "医療機関名",
            "医療機関名称",
            "介護サービス事業所名",
            "病院名",
            "診療所名",
            "薬局名",
            "name",
        ],
    ),
    (
        Field::Kana,
        &[
            "名称_カナ",
            "介護サービス事業所名称_カナ",
            "事業所名カナ",
            "正式名称（フリガナ）",
            "フリガナ",
            "名称カナ",
            "ふりがな",
            "よみがな",
            "カナ",
            "名称_かな",
            "kana",
        ],
    ),
    (
        Field::NameEn,
        &["名称_英字", "介護サービス事業所名称_英字", "英語表記（ローマ字表記）", "ローマ字", "名称_英語", "英語名"],
    ),
    (Field::NameShort, &["略称", "名称_通称", "通称"]),
    (Field::Kind, &["医療機関の種類", "機関区分", "種別", "施設種別", "施設の種類", "医療機関種別", "alternativeName"]),
    (Field::Service, &["実施サービス", "サービスの種類", "サービス種類", "サービス種別", "service"]),
    (
        Field::PublisherCode,
        &[
            "全国地方公共団体コード",
            "都道府県コード又は市区町村コード",
            "都道府県コード又は市町村コード",
            "地方公共団体コード",
            "prefCode",
        ],
    ),
    (Field::PrefCode, &["都道府県コード"]),
    (Field::CityCode, &["市区町村コード", "市町村コード"]),
    (Field::LocationCode, &["所在地_全国地方公共団体コード"]),
    (Field::PublisherName, &["地方公共団体名"]),
    (Field::CityName, &["市区町村名", "市町村名", "city"]),
    (Field::PrefName, &["都道府県名", "pref"]),
    (Field::Id, &["ID"]),
    (Field::SeqNo, &["NO", "No", "番号", "#property"]),
    (Field::Address, &["所在地_連結表記", "住所", "所在地", "address"]),
    (Field::AddrPref, &["所在地_都道府県"]),
    (Field::AddrCity, &["所在地_市区町村"]),
    (Field::AddrTown, &["所在地_町字"]),
    (Field::AddrBlock, &["所在地_番地以下", "所在地_ｰ以下"]),
    (Field::Building, &["建物名等(方書)", "方書", "方書（ビル名等）", "建物名"]),
    (Field::TownId, &["町字ID"]),
    (Field::Lat, &["緯度", "所在地座標（緯度）", "latitude", "lat", "Y座標"]),
    (Field::Lng, &["経度", "所在地座標（経度）", "longitude", "lng", "lon", "X座標"]),
    (Field::Phone, &["電話番号", "telephoneNumber", "telephone　number", "tel", "電話"]),
    (Field::Ext, &["内線番号"]),
    (Field::Fax, &["FAX番号", "ファックス番号", "ＦＡＸ", "fax", "faxNumber"]),
    (Field::Email, &["連絡先メールアドレス", "メールアドレス", "email"]),
    (Field::FormUrl, &["連絡先FormURL"]),
    (Field::ContactNote, &["連絡先備考（その他、SNSなど）"]),
    (Field::Postal, &["郵便番号", "postalCode"]),
    (Field::CorpNumber, &["法人番号"]),
    (Field::CorpName, &["法人の名称", "法人名", "法人名称", "団体名", "establisher"]),
    (Field::MedicalCode, &["医療機関コード"]),
    (Field::CareNumber, &["事業所番号", "介護保険事業所番号"]),
    (Field::Days, &["診療曜日", "利用可能曜日", "営業曜日", "availableDate"]),
    (Field::Open, &["診療開始時間", "開始時間", "利用開始時間", "startTime"]),
    (Field::Close, &["診療終了時間", "終了時間", "利用終了時間", "endTime"]),
    (Field::HoursNote, &["診療日時特記事項", "利用可能曜日特記事項", "利用可能時間特記事項", "availableDateNote"]),
    (Field::AfterHours, &["時間外における対応"]),
    (Field::Departments, &["診療科目", "診療科", "medicalSubjects"]),
    (Field::Beds, &["病床数", "合計病床数", "numberOfBeds"]),
    (Field::Capacity, &["定員", "capacity"]),
    (Field::Disaster, &["災害拠点分類"]),
    (Field::Status, &["状況"]),
    (
        Field::Url,
        &[
            "URL",
            "案内用ホームページアドレス",
            "薬局のホームページアドレス",
            "ホームページ",
            "ホームページアドレス",
            "referenceObject",
        ],
    ),
    (Field::Image, &["画像"]),
    (Field::ImageLicence, &["画像_ライセンス"]),
    (Field::Notes, &["備考", "note"]),
    (Field::Description, &["説明"]),
    (Field::CareArea, &["日常生活圏域", "圏域"]),
];

/// The comparison form of a header.
pub fn header_key(h: &str) -> String {
    normalize::compact(h.trim_start_matches('\u{feff}'))
}

/// Where each field is in one file's header, and which headers no field uses.
#[derive(Debug, Clone)]
pub struct Columns {
    index: HashMap<Field, usize>,
    pub headers: Vec<String>,
    keys: Vec<String>,
}

impl Columns {
    pub fn new(headers: &[String]) -> Columns {
        let keys: Vec<String> = headers.iter().map(|h| header_key(h)).collect();
        let mut index = HashMap::new();
        for (field, names) in ALIASES {
            // The earliest alias wins, so 所在地_連結表記 beats 所在地.
            if let Some(i) = names.iter().find_map(|n| keys.iter().position(|k| *k == header_key(n))) {
                index.insert(*field, i);
            }
        }
        Columns { index, headers: headers.to_vec(), keys }
    }

    pub fn has(&self, f: Field) -> bool {
        self.index.contains_key(&f)
    }

    pub fn index(&self, f: Field) -> Option<usize> {
        self.index.get(&f).copied()
    }

    /// Header as published for a field (for problem reports).
    pub fn header(&self, f: Field) -> Option<&str> {
        self.index(f).map(|i| self.headers[i].as_str())
    }

    /// Position of a header given by exact name (after [`header_key`]).
    pub fn find(&self, name: &str) -> Option<usize> {
        let k = header_key(name);
        self.keys.iter().position(|x| *x == k)
    }

    pub fn has_key(&self, name: &str) -> bool {
        self.find(name).is_some()
    }

    /// Headers no field claims: their values are kept as attributes.
    pub fn unclaimed(&self) -> impl Iterator<Item = usize> + '_ {
        let used: std::collections::HashSet<usize> = self.index.values().copied().collect();
        (0..self.headers.len()).filter(move |i| !used.contains(i) && !self.headers[*i].is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_found_in_their_published_spellings() {
        let h: Vec<String> = [
            "\u{feff}名称",
            "telephone　number",
            "方書（ビル名等）",
            "所在地座標（緯度）",
            "所在地",
            "所在地_連結表記",
            "所在地_ｰ以下",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let c = Columns::new(&h);
        assert_eq!(c.index(Field::Name), Some(0));
        assert_eq!(c.index(Field::Phone), Some(1));
        assert_eq!(c.index(Field::Building), Some(2));
        assert_eq!(c.index(Field::Lat), Some(3));
        assert_eq!(c.index(Field::Address), Some(5), "所在地_連結表記 is preferred");
        assert_eq!(c.index(Field::AddrBlock), Some(6));
        assert_eq!(c.unclaimed().collect::<Vec<_>>(), vec![4]);
    }
}
