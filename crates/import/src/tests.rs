//! Data-driven tests on the real files in data/ (and a few written here in
//! the same layouts), without a database.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use tsunagi_domain::{Category, CodeScheme, Day, GeoPrecision, OpenState, Service};

use super::*;

fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data").join(rel)
}

fn reference() -> &'static Reference {
    static R: OnceLock<Reference> = OnceLock::new();
    R.get_or_init(|| Reference::load(&data("reference")).unwrap())
}

struct Read {
    source: Source,
    records: Vec<Record>,
    skipped: Vec<Problem>,
}

impl Read {
    fn kinds(&self) -> BTreeMap<String, usize> {
        let mut m = BTreeMap::new();
        let all = self.records.iter().flat_map(|r| &r.problems).chain(&self.skipped);
        for p in all.chain(&self.source.file_problems()) {
            *m.entry(p.kind.id()).or_default() += 1;
        }
        m
    }

    fn rows(&self) -> usize {
        self.records.iter().map(|r| r.lines.len()).sum::<usize>() + self.skipped.len()
    }

    fn at(&self, line: u32) -> &Record {
        self.records.iter().find(|r| r.lines.contains(&line)).unwrap_or_else(|| panic!("no record at line {line}"))
    }

    fn named(&self, name: &str) -> &Record {
        self.records.iter().find(|r| r.facility.name == name).unwrap_or_else(|| panic!("no {name}"))
    }
}

fn read_bytes(path: &Path, bytes: &[u8]) -> Read {
    let source = Source::from_bytes(path, bytes).unwrap_or_else(|e| panic!("{e}"));
    let mut records = Vec::new();
    let mut skipped = Vec::new();
    for item in source.items(reference()) {
        match item {
            Item::Record(r) => records.push(*r),
            Item::Skipped(p) => skipped.push(p),
            Item::Failed(e) => panic!("{e}"),
        }
    }
    Read { source, records, skipped }
}

fn read(rel: &str) -> Read {
    let path = data(rel);
    read_bytes(&path, &std::fs::read(&path).unwrap())
}

/// One line per bundled file: layout, encoding, records and problems by kind.
#[test]
fn every_bundled_file_is_read_and_accounted_for() {
    #[rustfmt::skip]
    type Case<'a> = (&'a str, &'a str, &'a str, usize, &'a [(&'a str, usize)]);
    let cases: &[Case] = &[
        ("jichitai/yamaguchi/352071_kudamatsu/【下松市】医療機関一覧.csv", "jichitai-medical", "UTF-8 (BOM)", 68, &[]),
        ("jichitai/yamaguchi/352071_kudamatsu/352071_care_service.csv", "jichitai-care", "CP932", 90, &[]),
        (
            "jichitai/yamaguchi/352039_yamaguchi-shi/医療機関一覧(令和6年4月1日時点) .csv",
            "jichitai-medical",
            "CP932",
            145,
            &[],
        ),
        (
            "jichitai/yamaguchi/352039_yamaguchi-shi/医療機関歯科一覧(令和6年4月1日時点).csv",
            "jichitai-medical",
            "CP932",
            76,
            &[],
        ),
        (
            "jichitai/yamaguchi/352039_yamaguchi-shi/健康・医療・福祉その他施設(令和6年4月1日時点).csv",
            "jichitai-public-facility",
            "CP932",
            10,
            &[],
        ),
        (
            "jichitai/yamaguchi/352152_shunan/352152_hospital.csv",
            "jichitai-medical",
            "UTF-8 (BOM)",
            12,
            &[("invalid_time", 1)],
        ),
        (
            "jichitai/yamaguchi/352128_yanai/【柳井市】医療機関一覧（令和5年4月1日時点）.csv",
            "jichitai-medical-2017",
            "CP932",
            35,
            &[("missing_coordinates", 35)],
        ),
        (
            "jichitai/yamaguchi/352136_mine/【美祢市】医療機関一覧（令和3年10月1日時点）.csv",
            "jichitai-medical-2017",
            "CP932",
            26,
            &[],
        ),
        (
            "jichitai/yamaguchi/353418_kaminoseki/03_医療機関一覧_353418_hospital.csv",
            "jichitai-medical-2017",
            "CP932",
            6,
            &[],
        ),
        (
            "jichitai/yamaguchi/355020_abu/2_医療機関一覧.csv",
            "jichitai-medical-2017",
            "UTF-8 (BOM)",
            3,
            &[("located_at_municipality", 1), ("missing_coordinates", 2)],
        ),
        (
            "jichitai/yamaguchi/350001_yamaguchi-ken/350001_care_service_pref.csv",
            "jichitai-care-2017",
            "UTF-8 (BOM)",
            1378,
            &[("implausible_capacity", 1)],
        ),
        (
            "jichitai/yamaguchi/350001_yamaguchi-ken/350001_care_service_city_town.csv",
            "jichitai-care-2017",
            "UTF-8 (BOM)",
            1575,
            &[("invalid_fax", 4), ("invalid_phone", 2)],
        ),
        (
            "jichitai/kagawa/372013_takamatsu/hospital/data.csv",
            "english-keyed",
            "UTF-8",
            628,
            &[("missing_coordinates", 1)],
        ),
        ("jichitai/kagawa/372013_takamatsu/elderly_welfare_facility/data.csv", "english-keyed", "UTF-8", 47, &[]),
        (
            "jichitai/kagawa/372013_takamatsu/regional_comprehensive_support_center/data.xlsx",
            "english-keyed",
            "XLSX",
            7,
            &[],
        ),
        (
            "mhlw/kaigo-kouhyou/jigyosho_155.csv",
            "mhlw-kaigo-kouhyou",
            "UTF-8 (BOM)",
            54,
            &[("fixed_url", 3), ("invalid_corporate_number", 1), ("url_is_email", 1)],
        ),
        (
            "mhlw/kaigo-kouhyou/excerpt_35_yamaguchi/jigyosho_730.csv",
            "mhlw-kaigo-kouhyou",
            "UTF-8 (BOM)",
            71,
            &[("fixed_url", 10), ("url_is_email", 1)],
        ),
        (
            "mhlw/iryo-joho-net/excerpt_35_yamaguchi_20250601/01-1_hospital_facility_info_20250601.csv",
            "iryo-joho-net-facility",
            "UTF-8 (BOM)",
            25,
            &[("bed_total_mismatch", 1), ("contradictory_flags", 21), ("fixed_url", 2)],
        ),
        (
            "mhlw/iryo-joho-net/excerpt_39_kochi_20250601/01-1_hospital_facility_info_20250601.csv",
            "iryo-joho-net-facility",
            "UTF-8 (BOM)",
            20,
            &[("contradictory_flags", 12)],
        ),
        (
            "mhlw/iryo-joho-net/excerpt_39_kochi_20260601_reconstructed/01-2_hospital_speciality_hours_20260601.csv",
            "iryo-joho-net-hours",
            "UTF-8 (BOM)",
            36,
            &[],
        ),
        (
            "mhlw/iryo-joho-net/excerpt_39_kochi_20260601_reconstructed/05_pharmacy_20260601.csv",
            "iryo-joho-net-pharmacy",
            "UTF-8 (BOM)",
            21,
            &[("contradictory_flags", 9), ("located_at_municipality", 1), ("placeholder_hours", 7)],
        ),
    ];
    for (rel, format, encoding, rows, kinds) in cases {
        let r = read(rel);
        assert_eq!(r.source.format.id(), *format, "{rel}");
        assert_eq!(r.source.encoding, *encoding, "{rel}");
        assert_eq!(r.rows(), *rows, "{rel}: every non-blank record is read");
        let expect: BTreeMap<String, usize> = kinds.iter().map(|(k, n)| (k.to_string(), *n)).collect();
        assert_eq!(r.kinds(), expect, "{rel}: problems by kind");
        assert!(r.skipped.is_empty(), "{rel}: {:?}", r.skipped);
        for rec in &r.records {
            assert!(!rec.facility.categories.is_empty() || rec.existing_only, "{rel}:{:?} has no category", rec.lines);
            assert!(rec.facility.location.is_some() || rec.existing_only, "{rel}:{:?} not placed", rec.lines);
        }
    }
}

#[test]
fn kudamatsu_medical_golden_row() {
    let r = read("jichitai/yamaguchi/352071_kudamatsu/【下松市】医療機関一覧.csv");
    let f = &r.at(2).facility;
    assert_eq!(f.name, "医療法人社団 あいクリニック");
    assert_eq!(f.name_en.as_deref(), Some("Ai Clinic"));
    assert_eq!(
        f.address.full.as_deref(),
        Some("山口県下松市西柳3丁目2-34"),
        "full-width digits and 「ー」 as a hyphen"
    );
    assert_eq!(f.address.municipality_code.as_deref(), Some("352071"));
    assert_eq!(f.phone.as_deref(), Some("0833-48-1111"));
    assert_eq!(f.fax.as_deref(), Some("0833-48-1112"));
    assert_eq!(f.corporate_number.as_deref(), Some("9250005005861"), "trailing space in the source");
    assert_eq!(f.code(CodeScheme::MedicalInstitution), Some("3510711140"));
    assert_eq!(f.code(CodeScheme::Local), Some("352071:KD0000100001"));
    assert_eq!(f.categories, vec![Category::Clinic]);
    let loc = f.location.as_ref().unwrap();
    assert_eq!((loc.point.lat, loc.precision), (34.0146665, GeoPrecision::Source));
    // The 診療日時特記事項 holds line breaks inside the quoted field.
    let note = f.schedule.note.as_deref().unwrap();
    assert!(
        note.starts_with("皮膚科は午前中と月曜日、水曜日、金曜日の午後、一般診療しています。\n火曜日と土曜日に予約制"),
        "{note}"
    );
    assert_eq!(f.schedule.slots.len(), 1);
    assert_eq!(f.schedule.slots[0].days.to_string(), "月火水金土");
    assert_eq!(
        (f.schedule.slots[0].open.to_string(), f.schedule.slots[0].close.to_string()),
        ("9:00".into(), "18:00".into())
    );
    assert!(f.schedule.closed.weekly.contains(Day::Thu) && f.schedule.closed.weekly.contains(Day::Sun));
    // Records after multi-line ones keep their own line numbers.
    assert!(r.records.iter().map(|r| r.lines[0]).is_sorted());
    assert!(r.records.last().unwrap().lines[0] > 68 + 1, "lines count the breaks inside quoted fields");
}

#[test]
fn cp932_names_with_full_width_spaces() {
    let r = read("jichitai/yamaguchi/352039_yamaguchi-shi/医療機関一覧(令和6年4月1日時点) .csv");
    let f = &r.named("医療法人社団青藍会 あんの循環器内科").facility;
    assert_eq!(tsunagi_domain::normalize::name_key(&f.name), "アンノ循環器内科");
    let raw: serde_json::Value =
        serde_json::from_str(&r.named("医療法人社団青藍会 あんの循環器内科").raw[0].1).unwrap();
    assert_eq!(raw["名称"], "医療法人社団青藍会\u{3000}あんの循環器内科", "the source value is kept as published");
    // 山口市's dental list leaves 医療機関の種類 empty: the departments tell.
    let dental = read("jichitai/yamaguchi/352039_yamaguchi-shi/医療機関歯科一覧(令和6年4月1日時点).csv");
    let n = dental.records.iter().filter(|r| r.facility.categories.first() == Some(&Category::Dental)).count();
    assert!(n >= 70, "{n} of 76 are dental clinics");
}

#[test]
fn care_rows_carry_their_service() {
    let r = read("jichitai/yamaguchi/352071_kudamatsu/352071_care_service.csv");
    let services: BTreeMap<Service, usize> = r.records.iter().fold(BTreeMap::new(), |mut m, rec| {
        *m.entry(rec.facility.services[0].service).or_default() += 1;
        m
    });
    assert_eq!(services[&Service::HomeNursing], 3);
    assert_eq!(services[&Service::CareManagement], 15);
    assert_eq!(services[&Service::PreventionSupport], 4);
    let center = r.records.iter().find(|r| r.facility.name.contains("地域包括支援センター")).unwrap();
    assert!(center.facility.categories.contains(&Category::CommunitySupport));
    // National file: 定員 0 means "not entered"; 方書 is repeated in 住所.
    let n = read("mhlw/kaigo-kouhyou/jigyosho_155.csv");
    let f = &n.at(2).facility;
    assert_eq!(f.address.full.as_deref(), Some("群馬県沼田市久屋原町345-1"));
    assert_eq!(f.address.building.as_deref(), Some("内田病院 5階"));
    assert_eq!(f.services[0].service, Service::MedicalDayService);
    assert_eq!(f.services[0].capacity, Some(3));
    assert_eq!(f.code(CodeScheme::CareProvider), Some("1070600927"));
    let email = n.records.iter().find(|r| r.facility.email.as_deref() == Some("care-village@necess.jp"));
    assert!(email.is_some_and(|r| r.facility.url.is_none()), "an e-mail in the URL column becomes the e-mail");
    // 住所 without 「山口県」 gets it from the municipality.
    let pref = read("jichitai/yamaguchi/350001_yamaguchi-ken/350001_care_service_pref.csv");
    let f = &pref.at(2).facility;
    assert_eq!(f.address.full.as_deref(), Some("山口県岩国市川西3-5-40"));
    assert_eq!(f.address.municipality_code.as_deref(), Some("352080"));
}

#[test]
fn iryo_joho_net_flags_and_hours() {
    let r = read("mhlw/iryo-joho-net/excerpt_35_yamaguchi_20250601/01-1_hospital_facility_info_20250601.csv");
    let f = &r.named("下松病院").facility;
    assert_eq!(f.categories, vec![Category::Hospital]);
    assert!(f.schedule.closed.weekly.contains(Day::Sun) && !f.schedule.closed.weekly.contains(Day::Sat));
    assert_eq!(f.schedule.closed.holidays, Some(true));
    assert!(f.schedule.closed.dates.iter().any(|d| d.from == (8, 14)));
    assert_eq!(f.beds.total, Some(51));
    // 徳山病院: weekly flag says closed on Saturday, every 第n週 says open.
    let t = &r.named("徳山病院").facility;
    assert!(!t.schedule.closed.weekly.contains(Day::Sat), "a contradiction never becomes 'closed'");

    let p = read("mhlw/iryo-joho-net/excerpt_39_kochi_20260601_reconstructed/05_pharmacy_20260601.csv");
    let f = &p.named("病院通薬局みさと店").facility;
    assert_eq!(f.categories, vec![Category::Pharmacy]);
    let at = |s: &str| {
        tsunagi_domain::schedule::Moment::new(chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap())
    };
    assert_eq!(f.schedule.state_at(&at("2026-12-05T13:00")), OpenState::Open, "Saturday until 13:30");
    assert_eq!(f.schedule.state_at(&at("2026-12-05T14:00")), OpenState::Closed);
    assert_eq!(f.schedule.state_at(&at("2026-12-06T10:00")), OpenState::Closed, "Sunday");
    assert_eq!(f.schedule.state_at(&at("2026-12-31T10:00")), OpenState::Closed, "その他の閉店日");
    let zero = p.records.iter().find(|r| r.facility.name.contains("ヨコハマ")).unwrap();
    assert_eq!(zero.facility.location.as_ref().unwrap().precision, GeoPrecision::Municipality, "0.0,0.0 is missing");

    // The hours table: 36 rows of one hospital become one patch.
    let h =
        read("mhlw/iryo-joho-net/excerpt_39_kochi_20260601_reconstructed/01-2_hospital_speciality_hours_20260601.csv");
    assert_eq!(h.records.len(), 1);
    let patch = &h.records[0];
    assert_eq!(patch.lines.len(), 36);
    assert!(patch.existing_only);
    assert_eq!(patch.facility.code(CodeScheme::IryoJohoNet), Some("3911393100120"));
    assert_eq!(patch.facility.departments.len(), 12);
    assert!(
        patch
            .facility
            .schedule
            .slots
            .iter()
            .any(|s| s.label.as_deref() == Some("小児科") && s.open.to_string() == "18:00")
    );
}

#[test]
fn takamatsu_english_keys_and_xlsx() {
    let r = read("jichitai/kagawa/372013_takamatsu/hospital/data.csv");
    let f = &r.at(2).facility;
    assert_eq!(f.name, "独立行政法人国立病院機構高松医療センター");
    assert_eq!(f.phone.as_deref(), Some("087-841-2146"), "header 「telephone　number」 has a full-width space");
    assert_eq!(f.categories, vec![Category::Hospital]);
    assert_eq!(f.beds.total, Some(232));
    let dental = r.records.iter().filter(|r| r.facility.categories == [Category::Dental]).count();
    assert_eq!(dental, 231);
    let x = read("jichitai/kagawa/372013_takamatsu/regional_comprehensive_support_center/data.xlsx");
    assert!(x.records.iter().all(|r| r.facility.categories.contains(&Category::CommunitySupport)));
    let f = &x.at(2).facility;
    assert_eq!(f.schedule.slots[0].open.to_string(), "8:30");
    assert_eq!(f.schedule.closed.holidays, Some(true));
    let e = read("jichitai/kagawa/372013_takamatsu/elderly_welfare_facility/data.csv");
    let f = &e.at(2).facility;
    assert_eq!(f.services[0].service, Service::NursingHome);
    assert_eq!(f.services[0].capacity, Some(70));
}

#[test]
fn yanai_without_coordinates_is_geocoded_to_towns() {
    let r = read("jichitai/yamaguchi/352128_yanai/【柳井市】医療機関一覧（令和5年4月1日時点）.csv");
    let towns =
        r.records.iter().filter(|r| r.facility.location.as_ref().unwrap().precision == GeoPrecision::Town).count();
    assert!(towns >= 30, "{towns} of 35 placed at their 町字");
    let f = &r.named("優クリニック").facility;
    assert_eq!(f.address.municipality_code.as_deref(), Some("352128"));
    assert!(f.location.as_ref().unwrap().source.as_deref().unwrap().contains("中央一丁目"));
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn other_encodings_delimiters_and_quirks() {
    let dir = tempfile::tempdir().unwrap();
    let text = "市区町村コード,NO,都道府県名,市区町村名,名称,名称_カナ,医療機関の種類,住所,方書,緯度,経度,電話番号,診療曜日,診療開始時間,診療終了時間,診療科目,,\r\n\
                ,,,,さくら医院,ｻｸﾗｲｲﾝ,無床診療所,山口県下松市大字下谷179,,131.872165,34.089304,0833-11-2222,月～金,0.375,0.75,内科,,\r\n\
                ,,,,,,,,,,,,,,,,,\r\n\
                ,,,,,,,住所だけ,,,,,,,,,,\r\n\
                ,,,,あおば歯科,,,下松市大字末武上400,,0,0.0,\"0833\r\n-22-3333\",,,,歯科,,\r\n\
                ,,,,遠い診療所,,,,,51.5,-0.12,,,,,内科,,extra\r\n";
    // The same rows as CP932 with TABs, and as UTF-16LE with a BOM.
    let tsv = text.replace(',', "\t");
    let (cp932, _, _) = encoding_rs::SHIFT_JIS.encode(&tsv);
    let mut utf16 = vec![0xff, 0xfe];
    utf16.extend(text.encode_utf16().flat_map(|u| u.to_le_bytes()));
    for (name, bytes, encoding) in [
        ("a.csv", text.as_bytes().to_vec(), "UTF-8"),
        ("b.csv", cp932.into_owned(), "CP932"),
        ("c.txt", utf16, "UTF-16LE"),
    ] {
        let p = write(dir.path(), name, &bytes);
        let r = read_bytes(&p, &bytes);
        assert_eq!(r.source.encoding, encoding);
        assert_eq!(r.source.format, Format::JichitaiMedicalOld);
        assert_eq!(r.rows(), 4, "{name}: the wholly blank record is not a row");
        let kinds = r.kinds();
        assert_eq!(kinds.get("swapped_coordinates"), Some(&1), "{name}: {kinds:?}");
        assert_eq!(kinds.get("blank_name"), Some(&1));
        assert_eq!(kinds.get("outside_japan"), Some(&1));
        assert_eq!(kinds.get("missing_coordinates"), Some(&1), "0 / 0.0 are missing");
        assert_eq!(kinds.get("extra_columns"), Some(&1));
        assert_eq!(r.skipped[0].line, 4);
        let f = &r.named("さくら医院").facility;
        assert_eq!(f.name_kana.as_deref(), Some("サクライイン"));
        let slot = &f.schedule.slots[0];
        assert_eq!(
            (slot.open.to_string(), slot.close.to_string()),
            ("9:00".into(), "18:00".into()),
            "Excel day fractions"
        );
        assert_eq!(f.location.as_ref().unwrap().point.lat, 34.089304);
        let a = &r.named("あおば歯科").facility;
        assert_eq!(a.categories, vec![Category::Dental]);
        assert_eq!(a.location.as_ref().unwrap().precision, GeoPrecision::Town);
        assert_eq!(r.named("あおば歯科").lines, vec![5], "{name}");
    }
}

#[test]
fn unknown_files_are_refused_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let aed = "全国地方公共団体コード,ID,地方公共団体名,名称,名称_カナ,所在地_連結表記,緯度,経度,設置位置\n352071,1,山口県下松市,市役所,,山口県下松市大手町3-3-3,34.0,131.8,1階\n";
    let p = write(dir.path(), "aed.csv", aed.as_bytes());
    let e = Source::open(&p).unwrap_err().to_string();
    assert!(e.contains("aed.csv") && e.contains("AED") && e.contains("期待する形式"), "{e}");
    let p = write(dir.path(), "empty.csv", b"");
    assert!(Source::open(&p).unwrap_err().to_string().contains("empty"));
    let p = write(dir.path(), "bin.csv", &[0x00, 0x9f, 0x92, 0x96, 0xff, 0xfe, 0xfd, 0x81, 0x00, 0x01]);
    assert!(Source::open(&p).is_err());
    let p = write(dir.path(), "x.geojson", r#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[131.87,34.01]},"properties":{"名称":"さくら","医療機関の種類":"無床診療所","住所":"下松市大手町1-1"}}]}"#.as_bytes());
    let r = read_bytes(&p, &std::fs::read(&p).unwrap());
    assert_eq!(r.source.container, Container::GeoJson);
    assert_eq!(r.records[0].facility.location.as_ref().unwrap().point.lng, 131.87);
}
