//! Writing facilities back out in the 自治体標準オープンデータセット layouts
//! (UTF-8 with BOM, CRLF), so that a municipality can publish its list on
//! its open-data catalogue. One 医療機関一覧 row per facility; one
//! 介護サービス事業所一覧 row per (facility, service), as the standard has it.

use std::io::Write;

use tsunagi_domain::{CodeScheme, Day, Facility, Group};

pub const MEDICAL_HEADER: [&str; 42] = [
    "全国地方公共団体コード",
    "ID",
    "地方公共団体名",
    "名称",
    "名称_カナ",
    "名称_英字",
    "医療機関の種類",
    "所在地_全国地方公共団体コード",
    "町字ID",
    "所在地_連結表記",
    "所在地_都道府県",
    "所在地_市区町村",
    "所在地_町字",
    "所在地_番地以下",
    "建物名等(方書)",
    "緯度",
    "経度",
    "高度の種別",
    "高度の値",
    "電話番号",
    "内線番号",
    "FAX番号",
    "連絡先メールアドレス",
    "連絡先FormURL",
    "連絡先備考（その他、SNSなど）",
    "郵便番号",
    "法人番号",
    "法人の名称",
    "医療機関コード",
    "診療曜日",
    "診療開始時間",
    "診療終了時間",
    "診療日時特記事項",
    "時間外における対応",
    "診療科目",
    "病床数",
    "災害拠点分類",
    "状況",
    "URL",
    "画像",
    "画像_ライセンス",
    "備考",
];

pub const CARE_HEADER: [&str; 36] = [
    "全国地方公共団体コード",
    "ID",
    "地方公共団体名",
    "介護サービス事業所名称",
    "介護サービス事業所名称_カナ",
    "介護サービス事業所名称_英字",
    "実施サービス",
    "所在地_全国地方公共団体コード",
    "町字ID",
    "所在地_連結表記",
    "所在地_都道府県",
    "所在地_市区町村",
    "所在地_町字",
    "所在地_番地以下",
    "建物名等(方書)",
    "緯度",
    "経度",
    "高度の種別",
    "高度の値",
    "電話番号",
    "内線番号",
    "FAX番号",
    "連絡先メールアドレス",
    "連絡先FormURL",
    "連絡先備考（その他、SNSなど）",
    "郵便番号",
    "法人番号",
    "法人の名称",
    "事業所番号",
    "利用可能曜日",
    "利用可能曜日特記事項",
    "定員",
    "URL",
    "画像",
    "画像_ライセンス",
    "備考",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    Medical,
    Care,
}

fn quote(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

fn row(w: &mut impl Write, cells: &[String]) -> std::io::Result<()> {
    let line: Vec<String> = cells.iter().map(|c| quote(c)).collect();
    w.write_all(line.join(",").as_bytes())?;
    w.write_all(b"\r\n")
}

/// The opening days and the first slot's times, as the standard's three columns.
fn hours(f: &Facility) -> (String, String, String) {
    let s = &f.schedule;
    let days = s.slots.iter().fold(tsunagi_domain::Days::NONE, |d, x| d.union(x.days));
    let first = s.slots.iter().filter(|x| x.kind == tsunagi_domain::SlotKind::Open).min_by_key(|x| x.open);
    let days: String = Day::WEEK.into_iter().filter(|d| days.contains(*d)).map(|d| d.ja()).collect();
    match first {
        Some(x) => (days, format!("{:02}:{:02}", x.open.minutes() / 60, x.open.minutes() % 60), {
            let last = s.slots.iter().filter(|y| y.kind == x.kind).map(|y| y.close).max().unwrap_or(x.close);
            format!("{:02}:{:02}", last.minutes() / 60, last.minutes() % 60)
        }),
        None => (days, String::new(), String::new()),
    }
}

/// The 28 columns both layouts begin with (the type column, 7th, left empty).
fn common(id: i64, f: &Facility, publisher: &(String, String)) -> Vec<String> {
    let a = &f.address;
    let o = |x: &Option<String>| x.clone().unwrap_or_default();
    let point = f.point();
    vec![
        publisher.0.clone(),
        id.to_string(),
        publisher.1.clone(),
        f.name.clone(),
        o(&f.name_kana),
        o(&f.name_en),
        String::new(),
        o(&a.municipality_code),
        o(&a.town_id),
        a.full.clone().unwrap_or_else(|| a.line()),
        o(&a.prefecture),
        o(&a.municipality),
        o(&a.town),
        o(&a.block),
        o(&a.building),
        point.map(|p| p.lat.to_string()).unwrap_or_default(),
        point.map(|p| p.lng.to_string()).unwrap_or_default(),
        String::new(),
        String::new(),
        o(&f.phone),
        o(&f.phone_ext),
        o(&f.fax),
        o(&f.email),
        o(&f.contact_form_url),
        o(&f.contact_note),
        o(&a.postal_code),
        o(&f.corporate_number),
        o(&f.corporation_name),
    ]
}

/// Writes the 医療機関一覧 (medical facilities) or the
/// 介護サービス事業所一覧 (care services) of `facilities`. `publisher` is the
/// (全国地方公共団体コード, 地方公共団体名) of whoever publishes the file.
pub fn write_csv(
    w: &mut impl Write,
    layout: Layout,
    publisher: &(String, String),
    facilities: impl Iterator<Item = (i64, Facility)>,
) -> std::io::Result<usize> {
    w.write_all("\u{feff}".as_bytes())?;
    let header: Vec<String> = match layout {
        Layout::Medical => MEDICAL_HEADER.iter().map(|s| s.to_string()).collect(),
        Layout::Care => CARE_HEADER.iter().map(|s| s.to_string()).collect(),
    };
    row(w, &header)?;
    let mut n = 0;
    for (id, f) in facilities {
        let o = |x: &Option<String>| x.clone().unwrap_or_default();
        match layout {
            Layout::Medical => {
                if !f.categories.iter().any(|c| c.group() == Group::Medical) {
                    continue;
                }
                let mut cells = common(id, &f, publisher);
                cells[6] = f
                    .medical_kind
                    .clone()
                    .unwrap_or_else(|| f.primary_category().map(|c| c.name().to_string()).unwrap_or_default());
                let (days, open, close) = hours(&f);
                cells.extend([
                    f.code(CodeScheme::MedicalInstitution).unwrap_or_default().to_string(),
                    days,
                    open,
                    close,
                    o(&f.schedule.note),
                    o(&f.schedule.after_hours),
                    f.departments.join("、"),
                    f.beds.total.map(|b| b.to_string()).unwrap_or_default(),
                    o(&f.disaster_role),
                    o(&f.status),
                    o(&f.url),
                    o(&f.image_url),
                    o(&f.image_licence),
                    o(&f.notes),
                ]);
                row(w, &cells)?;
                n += 1;
            }
            Layout::Care => {
                // 介護保険 services (they have a service code) and the homes
                // outside it; not 往診 and the like.
                let care = |s: &&tsunagi_domain::ServiceOffer| {
                    !s.service.def().codes.is_empty() || s.service.category().group() != Group::Medical
                };
                for s in f.services.iter().filter(care) {
                    let mut cells = common(id, &f, publisher);
                    cells[6] = s.published_name.clone().unwrap_or_else(|| s.service.name().to_string());
                    cells.extend([
                        s.provider_number
                            .clone()
                            .or_else(|| f.code(CodeScheme::CareProvider).map(str::to_string))
                            .unwrap_or_default(),
                        s.days.clone().unwrap_or_default(),
                        s.days_note.clone().unwrap_or_default(),
                        s.capacity.map(|c| format!("{c}")).or_else(|| s.capacity_note.clone()).unwrap_or_default(),
                        o(&f.url),
                        o(&f.image_url),
                        o(&f.image_licence),
                        o(&f.notes),
                    ]);
                    row(w, &cells)?;
                    n += 1;
                }
            }
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference::Reference;
    use crate::{Item, Source};

    #[test]
    fn exported_rows_read_back_as_the_same_facilities() {
        let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data");
        let reference = Reference::load(&data.join("reference")).unwrap();
        let path = data.join("jichitai/yamaguchi/352071_kudamatsu/【下松市】医療機関一覧.csv");
        let source = Source::open(&path).unwrap();
        let facilities: Vec<Facility> = source
            .items(&reference)
            .filter_map(|i| match i {
                Item::Record(r) => Some(r.facility),
                _ => None,
            })
            .collect();
        let mut out = Vec::new();
        let n = write_csv(
            &mut out,
            Layout::Medical,
            &("352071".into(), "山口県下松市".into()),
            facilities.iter().cloned().enumerate().map(|(i, f)| (i as i64 + 1, f)),
        )
        .unwrap();
        assert_eq!(n, 68);
        assert!(out.starts_with("\u{feff}全国地方公共団体コード,ID".as_bytes()));
        let back = Source::from_bytes(std::path::Path::new("export.csv"), &out).unwrap();
        assert_eq!(back.format, crate::Format::JichitaiMedical);
        let again: Vec<Facility> = back
            .items(&reference)
            .filter_map(|i| match i {
                Item::Record(r) => Some(r.facility),
                _ => None,
            })
            .collect();
        assert_eq!(again.len(), 68);
        for (a, b) in facilities.iter().zip(&again) {
            assert_eq!(
                (&a.name, &a.phone, &a.address.full, a.point()),
                (&b.name, &b.phone, &b.address.full, b.point())
            );
            assert_eq!(a.categories, b.categories, "{}", a.name);
        }
    }
}
