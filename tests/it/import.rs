//! `tsunagi import` end to end: every record accounted for, re-imports
//! idempotent, newer files updating, staff edits kept, bad files refused.

use std::collections::BTreeMap;

use super::{Tsunagi, bundled_files, data};

fn by_name(report: &serde_json::Value) -> BTreeMap<String, serde_json::Value> {
    report["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let p = f["path"].as_str().unwrap();
            (p.rsplit('/').next().unwrap().to_string(), f.clone())
        })
        .collect()
}

fn n(v: &serde_json::Value, k: &str) -> i64 {
    v[k].as_i64().unwrap_or_else(|| panic!("{k} in {v}"))
}

#[test]
fn bundled_files_import_with_every_record_accounted_for() {
    let t = Tsunagi::new();
    let files = bundled_files();
    assert!(files.len() >= 21, "{files:?}");
    let report = t.import(&files);
    let files = by_name(&report);
    for (name, f) in &files {
        assert!(f.get("error").is_none(), "{name}: {}", f["error"]);
        let skipped_problems = f["problems"].as_array().unwrap().iter().filter(|p| p["skipped"] == true).count() as i64;
        assert_eq!(n(f, "rows"), n(f, "imported") + n(f, "merged") + skipped_problems, "{name}");
        for p in f["problems"].as_array().unwrap() {
            assert!(p["line"].as_u64().is_some() && p["reason"].as_str().is_some_and(|r| !r.is_empty()), "{name}: {p}");
        }
    }
    #[rustfmt::skip]
    let rows: &[(&str, i64)] = &[
        ("【下松市】医療機関一覧.csv", 68), ("352071_care_service.csv", 90), ("医療機関一覧(令和6年4月1日時点) .csv", 145),
        ("医療機関歯科一覧(令和6年4月1日時点).csv", 76), ("健康・医療・福祉その他施設(令和6年4月1日時点).csv", 10),
        ("352152_hospital.csv", 12), ("【柳井市】医療機関一覧（令和5年4月1日時点）.csv", 35), ("【美祢市】医療機関一覧（令和3年10月1日時点）.csv", 26),
        ("03_医療機関一覧_353418_hospital.csv", 6), ("2_医療機関一覧.csv", 3), ("350001_care_service_pref.csv", 1378),
        ("350001_care_service_city_town.csv", 1575), ("data.xlsx", 7), ("jigyosho_155.csv", 54), ("jigyosho_730.csv", 71),
        ("01-2_hospital_speciality_hours_20260601.csv", 36), ("05_pharmacy_20260601.csv", 21),
    ];
    for (name, expect) in rows {
        assert_eq!(n(&files[*name], "rows"), *expect, "{name}");
    }
    // All 71 山口県 小規模多機能 offices of the national file are already in
    // the prefecture's list: they merge, nothing is added.
    assert_eq!(n(&files["jigyosho_730.csv"], "imported"), 0);
    assert_eq!(n(&files["jigyosho_730.csv"], "merged"), 71);
    // The hours table completes もみのき病院, imported from the 施設票 first
    // even though it comes later on the command line.
    assert_eq!(n(&files["01-2_hospital_speciality_hours_20260601.csv"], "merged"), 36);

    let status = t.json(&["status", "--json"]);
    let facilities = n(&status, "facilities");
    assert!((3500..3800).contains(&facilities), "{facilities}");
    assert_eq!(status["datasets"].as_array().unwrap().len(), 21);
}

#[test]
fn reimport_changes_nothing() {
    let t = Tsunagi::new();
    let files = bundled_files();
    t.import(&files);
    let before = t.json(&["status", "--json"]);
    let again = t.import(&files);
    for (name, f) in by_name(&again) {
        assert_eq!(n(&f, "imported"), 0, "{name}: a second import adds nothing");
    }
    let after = t.json(&["status", "--json"]);
    assert_eq!(before["facilities"], after["facilities"]);
    assert_eq!(before["seq"], after["seq"], "no facility was written at all");
}

/// A newer edition of 下松市's care list: one phone changed, one office added.
#[test]
fn a_newer_file_updates_without_duplicating_and_keeps_staff_edits() {
    let t = Tsunagi::new();
    let original = data("jichitai/yamaguchi/352071_kudamatsu/352071_care_service.csv");
    t.import(std::slice::from_ref(&original));
    let count = n(&t.json(&["status", "--json"]), "facilities");

    let bytes = std::fs::read(&original).unwrap();
    let (text, _, _) = encoding_rs::SHIFT_JIS.decode(&bytes);
    let mut lines: Vec<String> = text.split("\r\n").map(str::to_string).collect();
    // Line 2: さくら苑指定居宅介護支援事業所, 0833-43-8123 → a new number.
    assert!(lines[1].contains("さくら苑指定居宅介護支援事業所"));
    lines[1] = lines[1].replace("0833-43-8123", "0833-43-9999");
    // Line 3: げんき — a staff member corrects its phone first; the new file must not undo it.
    let genki = lines[2].clone();
    assert!(genki.contains("0833-45-2200"));
    let mut added = lines[3]
        .replace("JA介護支援センター下松", "新しい居宅介護支援事業所しもまつ")
        .replace("ジェイエイカイゴシエンセンタークダマツ", "アタラシイ");
    added = added
        .replace("0833-45-2340", "0833-45-7777")
        .replace("KD0000900003", "KD0000909999")
        .replace("1933-1", "1933-9");
    lines[2] = genki.replace("0833-45-2200", "0833-45-2211");
    lines.insert(4, added);
    let newer_text = lines.join("\r\n");
    let (newer, _, _) = encoding_rs::SHIFT_JIS.encode(&newer_text);
    let path = t.dir.path().join("352071_care_service_202601.csv");
    std::fs::write(&path, &newer).unwrap();

    let show = |id: i64| t.json(&["show", &id.to_string()]);
    let find = |name: &str| -> i64 {
        (1..=count + 2)
            .find(|id| {
                let out = t.run(&["show", &id.to_string()]);
                out.status.success() && String::from_utf8_lossy(&out.stdout).contains(name)
            })
            .unwrap_or_else(|| panic!("{name} not found"))
    };
    let genki_id = find("指定居宅介護支援事業所げんき");
    let edit = t.run(&["edit", &genki_id.to_string(), "phone", "0833-45-0000", "--by", "tester"]);
    assert!(edit.status.success(), "{}", String::from_utf8_lossy(&edit.stderr));

    let report = t.import(&[path]);
    let f = &report["files"][0];
    assert_eq!(n(f, "imported"), 1, "{f}");
    assert_eq!(n(f, "merged"), 90);
    assert_eq!(n(&t.json(&["status", "--json"]), "facilities"), count + 1);

    let sakura = show(find("さくら苑指定居宅介護支援事業所"));
    assert_eq!(sakura["facility"]["facility"]["phone"], "0833-43-9999", "the newer file updates");
    let history = sakura["history"].as_array().unwrap();
    let last = history.last().unwrap();
    assert_eq!((last["action"].as_str(), last["field"].as_str()), (Some("update"), Some("phone")));
    assert_eq!(last["before"], "0833-43-8123");

    let genki = show(genki_id);
    assert_eq!(genki["facility"]["facility"]["phone"], "0833-45-0000", "the staff edit stays");
    assert_eq!(genki["facility"]["edited_fields"][0], "phone");
}

#[test]
fn an_unreadable_file_fails_alone_and_writes_nothing() {
    let t = Tsunagi::new();
    let bad = t.dir.path().join("aed.csv");
    std::fs::write(&bad, "名称,設置位置,緯度,経度\n市役所,1階,34.0,131.8\n").unwrap();
    let good = data("jichitai/yamaguchi/355020_abu/2_医療機関一覧.csv");
    let out = t.cmd().args(["import", "--json"]).arg(&bad).arg(&good).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "a failed file makes the command fail");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let files = by_name(&report);
    assert!(files["aed.csv"]["error"].as_str().unwrap().contains("aed.csv"));
    assert_eq!(n(&files["2_医療機関一覧.csv"], "imported"), 3);
    let status = t.json(&["status", "--json"]);
    assert_eq!(status["datasets"].as_array().unwrap().len(), 1, "nothing of the bad file");
    assert_eq!(n(&status, "facilities"), 3);
}
