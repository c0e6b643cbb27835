//! Which published layout a file is in, decided from its header alone.

use serde::Serialize;

use crate::columns::{Columns, Field};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// 自治体標準オープンデータセット 医療機関一覧 (42 columns, 所在地_連結表記).
    JichitaiMedical,
    /// 推奨データセット (2017) 医療機関一覧 (26 columns, 住所).
    JichitaiMedicalOld,
    /// 自治体標準 介護サービス事業所一覧 (36 columns).
    JichitaiCare,
    /// 推奨データセット 介護サービス事業所一覧 (22 columns).
    JichitaiCareOld,
    /// 自治体標準 公共施設一覧 (保健センター, 市立診療所 …).
    JichitaiPublicFacility,
    /// 厚生労働省 介護サービス情報公表システム (24 columns).
    MhlwCare,
    /// 医療情報ネット 施設票 (病院・診療所・歯科・助産所).
    IryoFacility,
    /// 医療情報ネット 診療科・診療時間票.
    IryoHours,
    /// 医療情報ネット 薬局.
    IryoPharmacy,
    /// English-keyed lists (高松市: #property, name, address, latitude …).
    EnglishKeyed,
}

impl Format {
    pub fn id(self) -> &'static str {
        match self {
            Format::JichitaiMedical => "jichitai-medical",
            Format::JichitaiMedicalOld => "jichitai-medical-2017",
            Format::JichitaiCare => "jichitai-care",
            Format::JichitaiCareOld => "jichitai-care-2017",
            Format::JichitaiPublicFacility => "jichitai-public-facility",
            Format::MhlwCare => "mhlw-kaigo-kouhyou",
            Format::IryoFacility => "iryo-joho-net-facility",
            Format::IryoHours => "iryo-joho-net-hours",
            Format::IryoPharmacy => "iryo-joho-net-pharmacy",
            Format::EnglishKeyed => "english-keyed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Format::JichitaiMedical => "自治体標準 医療機関一覧",
            Format::JichitaiMedicalOld => "推奨データセット 医療機関一覧（2017年版）",
            Format::JichitaiCare => "自治体標準 介護サービス事業所一覧",
            Format::JichitaiCareOld => "推奨データセット 介護サービス事業所一覧（2017年版）",
            Format::JichitaiPublicFacility => "自治体標準 公共施設一覧",
            Format::MhlwCare => "介護サービス情報公表システム オープンデータ",
            Format::IryoFacility => "医療情報ネット 施設票",
            Format::IryoHours => "医療情報ネット 診療科・診療時間票",
            Format::IryoPharmacy => "医療情報ネット 薬局",
            Format::EnglishKeyed => "英字見出しの施設一覧（高松市形式）",
        }
    }

    pub fn is_care(self) -> bool {
        matches!(self, Format::JichitaiCare | Format::JichitaiCareOld | Format::MhlwCare)
    }

    pub fn is_medical(self) -> bool {
        matches!(
            self,
            Format::JichitaiMedical | Format::JichitaiMedicalOld | Format::IryoFacility | Format::IryoPharmacy
        )
    }
}

const EXPECTED: &str = "自治体標準・推奨データセットの医療機関一覧（名称, 医療機関の種類, 所在地_連結表記 または 住所 …）、\
介護サービス事業所一覧（介護サービス事業所名称, 実施サービス …）、公共施設一覧（名称, 名称_通称, POIコード …）、\
介護サービス情報公表システム（事業所名, サービスの種類, 事業所番号 …）、\
医療情報ネット（正式名称, 機関区分 / 診療科目コード, 診療時間帯 / 名称, 機関区分, 開店時間帯 …）、\
英字見出しの一覧（#property, name, address, latitude …）";

/// The layout of a file with these columns, or why it is not one we read.
pub fn detect(c: &Columns) -> Result<Format, String> {
    let has = |k: &str| c.has_key(k);
    if has("診療科目コード") && has("診療時間帯") {
        return Ok(Format::IryoHours);
    }
    if has("機関区分") && has("正式名称") {
        return Ok(Format::IryoFacility);
    }
    if has("機関区分") && (has("月_開店時間帯1_開始時間") || has("営業日（月）")) {
        return Ok(Format::IryoPharmacy);
    }
    if has("事業所名") && has("サービスの種類") {
        return Ok(Format::MhlwCare);
    }
    let new_address = has("所在地_連結表記");
    // Lists that use other spellings: a name column and a column only a
    // care list or a medical list has.
    let care = [
        "介護サービス事業所名称",
        "介護サービス事業所名",
        "実施サービス",
        "サービス種類",
        "サービス種別",
        "事業所番号",
    ];
    let medical = [
        "医療機関の種類",
        "診療科目",
        "診療科",
        "病床数",
        "医療機関コード",
        "医療機関名",
        "医療機関名称",
        "病院名",
        "診療所名",
        "薬局名",
    ];
    if c.has(Field::Name) && care.iter().any(|k| has(k)) {
        return Ok(if new_address { Format::JichitaiCare } else { Format::JichitaiCareOld });
    }
    if c.has(Field::Name) && medical.iter().any(|k| has(k)) && (c.has(Field::Address) || c.has(Field::Lat)) {
        return Ok(if new_address { Format::JichitaiMedical } else { Format::JichitaiMedicalOld });
    }
    let aed = c.headers.iter().any(|h| h.contains("AED") || h.contains("設置位置") || h.contains("設置場所"));
    if c.has(Field::Name) && !aed && (has("名称_通称") || has("POIコード")) {
        return Ok(Format::JichitaiPublicFacility);
    }
    if has("#property") && has("name") && (has("address") || has("latitude")) {
        return Ok(Format::EnglishKeyed);
    }
    let found: Vec<&str> = c.headers.iter().take(12).map(String::as_str).collect();
    let hint = if aed {
        "AED（自動体外式除細動器）の設置場所一覧のようです。医療・介護の施設一覧ではないため取り込みません。"
    } else {
        ""
    };
    Err(format!(
        "医療・介護の施設一覧として読める見出しがありません。{hint}期待する形式: {EXPECTED}。この見出し: {}",
        found.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(header: &str, expect: Result<Format, &str>) {
        let cols = Columns::new(&header.split(',').map(str::to_string).collect::<Vec<_>>());
        match (detect(&cols), expect) {
            (Ok(f), Ok(e)) => assert_eq!(f, e, "{header}"),
            (Err(msg), Err(part)) => assert!(msg.contains(part), "{msg}"),
            (got, want) => panic!("{header}: got {got:?}, want {want:?}"),
        }
    }

    #[test]
    fn layouts() {
        check(
            "全国地方公共団体コード,ID,地方公共団体名,名称,名称_カナ,医療機関の種類,所在地_連結表記,緯度,経度",
            Ok(Format::JichitaiMedical),
        );
        check(
            "市区町村コード,NO,都道府県名,市区町村名,名称,名称_カナ,医療機関の種類,住所,方書,緯度,経度",
            Ok(Format::JichitaiMedicalOld),
        );
        check(
            "全国地方公共団体コード,ID,介護サービス事業所名称,実施サービス,所在地_連結表記",
            Ok(Format::JichitaiCare),
        );
        check(
            "都道府県コード又は市区町村コード,NO,介護サービス事業所名称,実施サービス,住所",
            Ok(Format::JichitaiCareOld),
        );
        check(
            "都道府県コード又は市町村コード,No,事業所名,事業所名カナ,サービスの種類,住所,事業所番号",
            Ok(Format::MhlwCare),
        );
        check("ID,正式名称,機関区分,所在地", Ok(Format::IryoFacility));
        check("ID,診療科目コード,診療科目名,診療時間帯", Ok(Format::IryoHours));
        check("ID,名称,フリガナ,機関区分,営業日（月）", Ok(Format::IryoPharmacy));
        check("全国地方公共団体コード,ID,名称,名称_通称,POIコード,所在地_連結表記", Ok(Format::JichitaiPublicFacility));
        check("#property,latitude,longitude,name,address", Ok(Format::EnglishKeyed));
        check("医療機関名,所在地,電話番号", Ok(Format::JichitaiMedicalOld));
        check("薬局名,住所,電話番号,FAX番号", Ok(Format::JichitaiMedicalOld));
        check("事業所名称,サービス種別,住所,電話番号", Ok(Format::JichitaiCareOld));
        check("全国地方公共団体コード,ID,地方公共団体名,名称,設置位置,緯度,経度", Err("AED"));
        check("全国地方公共団体コード,ID,名称,名称_通称,POIコード,設置位置,緯度,経度", Err("AED"));
        check("a,b,c", Err("期待する形式"));
    }
}
