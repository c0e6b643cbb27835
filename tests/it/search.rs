//! `tsunagi search` on the bundled real data: a judged query set over every
//! kind of query people type, with recall@10 and MRR printed.

use std::sync::OnceLock;

use super::{Tsunagi, bundled_files};

/// The bundled data imported and indexed once for all search tests.
pub fn fixture() -> &'static Tsunagi {
    static T: OnceLock<Tsunagi> = OnceLock::new();
    T.get_or_init(|| {
        let t = Tsunagi::new();
        let report = t.import(&bundled_files());
        assert!(report["files"].as_array().unwrap().iter().all(|f| f.get("error").is_none()));
        let out = t.run(&["index", "check"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        t
    })
}

pub fn search(args: &[&str]) -> serde_json::Value {
    let mut a = vec!["search", "--json"];
    a.extend_from_slice(args);
    fixture().json(&a)
}

fn names(v: &serde_json::Value) -> Vec<String> {
    v["items"].as_array().unwrap().iter().map(|i| i["name"].as_str().unwrap().to_string()).collect()
}

/// (arguments, a part of the expected facility's name, must be within the top n).
#[rustfmt::skip]
const JUDGED: &[(&[&str], &str, usize)] = &[
    // Names in kanji, whole and in part.
    (&["下松中央病院"], "下松中央病院", 1),
    (&["周南記念病院"], "周南記念病院", 1),
    (&["もみのき病院"], "もみのき病院", 1),
    (&["高知医療センター"], "高知医療センター", 1),
    (&["美祢市立病院"], "美祢市立病院", 1),
    (&["山口赤十字病院"], "山口赤十字病院", 1),
    (&["特別養護老人ホーム松寿苑"], "特別養護老人ホーム松寿苑", 1),
    (&["ニチイケアセンター下松"], "ニチイケアセンター下松", 1),
    (&["高松医療センター"], "高松医療センター", 1),
    (&["新南陽市民病院"], "新南陽市民病院", 1),
    (&["吉南病院"], "吉南病院", 1),
    (&["浅上内科"], "浅上内科胃腸科医院", 1),
    (&["あいクリニック"], "あいクリニック", 1),
    (&["はこざき歯科"], "はこざき歯科", 1),
    (&["三条山下内科"], "三条山下内科医院", 1),
    (&["ゆめ風車"], "ゆめ風車", 3),
    (&["生成脳神経クリニック"], "生成脳神経クリニック", 1),
    (&["和田巡回診療所"], "和田巡回診療所", 1),
    // Readings typed in ひらがな.
    (&["しゅうなんきねん"], "周南記念病院", 1),
    (&["くだまつちゅうおう"], "下松中央病院", 1),
    (&["あさかみないか"], "浅上内科", 1),
    (&["みつやまいいん"], "光山医院", 3),
    (&["ゆめかざぐるま"], "ゆめ風車", 1),
    (&["わだじゅんかい"], "和田巡回診療所", 1),
    (&["さくらまち"], "桜町", 3),
    (&["もみのき"], "もみのき病院", 1),
    (&["とくやまびょういん"], "徳山病院", 1),
    // 半角カナ.
    (&["ｼｭｳﾅﾝｷﾈﾝ"], "周南記念病院", 1),
    (&["ﾐﾈｼﾘﾂ"], "美祢市立病院", 3),
    (&["ﾆﾁｲｹｱｾﾝﾀｰ下松"], "ニチイケアセンター下松", 1),
    (&["ｱｲﾝ薬局"], "アイン薬局", 3),
    (&["ｻﾆｰひこばえ"], "サニーひこばえ薬局", 1),
    // Two-character terms, alone and with a place.
    (&["歯科", "--municipality", "下松市"], "歯科", 1),
    (&["眼科 柳井"], "眼科", 3),
    (&["内科 美祢"], "美祢市立病院", 3),
    (&["薬局 高知"], "薬局", 3),
    (&["皮膚科 山口"], "皮ふ科", 10),
    (&["小児科 下松"], "小児科", 10),
    (&["眼科", "--near", "34.0151,131.8703"], "くだまつ眼科", 3),
    (&["歯科", "--near", "34.0146,131.8634", "--category", "dental"], "歯科", 1),
    // Synonyms: the words people use for services.
    (&["デイサービス 下松"], "デイサービス", 3),
    (&["ケアマネ 下松"], "居宅介護支援", 3),
    (&["包括 下松"], "下松市地域包括支援センター", 1),
    (&["特養 下松"], "特別養護老人ホーム", 3),
    (&["老健 下松"], "介護老人保健施設ふくしの里", 3),
    (&["グループホーム 下松"], "グループホーム", 3),
    (&["ショートステイ 下松"], "ショートステイ", 3),
    (&["デイケア 下松"], "ふくしの里", 3),
    (&["歯医者 下松"], "歯科", 3),
    (&["訪看 下松"], "訪問看護ステーション", 3),
    (&["往診"], "在宅", 3),
    (&["薬屋 高知"], "薬局", 3),
    (&["小多機 下松"], "小規模多機能", 10),
    (&["ケアハウス"], "ケアハウス", 3),
    // Address fragments with 丁目/番地/漢数字/全角数字.
    (&["西柳３丁目"], "あいクリニック", 3),
    (&["古川町3丁目1"], "下松中央病院", 3),
    (&["生野屋南1丁目10"], "周南記念病院", 10),
    (&["塚ノ原"], "もみのき病院", 3),
    (&["大字来巻944"], "松寿苑", 3),
    (&["高知市池2125"], "高知医療センター", 1),
    (&["山口市糸米二丁目"], "保健センター", 3),
    (&["新川二丁目1番1号"], "下松病院", 3),
    // Near a point, with filters.
    (&["--near", "34.0075,131.8722", "--category", "hospital"], "下松中央病院", 1),
    (&["--near", "33.5483,133.5482", "--category", "pharmacy"], "アイン薬局 桟橋店", 1),
    (&["--near", "34.0151,131.8703", "--service", "home_nursing", "--radius-m", "5000"], "訪問看護", 3),
    (&["訪問看護", "--municipality", "下松市"], "きらら", 3),
    (&["--category", "community_support", "--municipality", "352071"], "下松市地域包括支援センター", 1),
    (&["クリニック", "--category", "clinic", "--near", "34.3366,134.0473"], "クリニック", 3),
    (&["--visits", "34.0151,131.8703", "--service", "home_nursing"], "訪問看護", 3),
    // From an independent review's set (written without this one in view):
    // a reading's earlier parts, long vowels and old kanji however typed,
    // places in kana, symbols pasted with a name.
    (&["はなぶさ"], "ケアセンター華房", 1),
    (&["ﾊｸｼﾞｭｳｼﾞﾔｯｷｮｸ"], "白十字薬局", 1),
    (&["ひらおほうもんかんご"], "平生訪問看護ステーション", 1),
    (&["りょくざんかい"], "周南高原病院", 3),
    (&["サンフラワークリニック"], "さんふらわあクリニック", 1),
    (&["時沢医院"], "時澤医院", 1),
    (&["恵愛会 防府"], "防府保養院", 1),
    (&["アリビオ げんきむら"], "アリヴィオげんきむら", 1),
    (&["やない 眼科"], "志熊眼科", 3),
    (&["あん樹苑 ※"], "あん樹苑", 1),
    // A service word near a point: the nearest that offer it, named for
    // it or not.
    (&["居宅介護支援", "--near", "34.194065,132.225128"], "わきあいあい苑", 1),
    (&["訪問看護", "--near", "34.086681,131.464523"], "さきがけ訪問看護ステーション", 1),
    (&["歯科", "--near", "34.088651,131.398689"], "アイベックスデンタルクリニック", 1),
    (&["病院", "--near", "34.037639,131.84925"], "鼓ケ浦こども医療福祉センター", 3),
];

#[test]
fn judged_queries_find_the_expected_facility() {
    let mut found_at_10 = 0;
    let mut reciprocal = 0.0;
    let mut failures = Vec::new();
    for (args, expect, top) in JUDGED {
        let mut a: Vec<&str> = args.to_vec();
        a.extend(["--limit", "10"]);
        let r = search(&a);
        let names = names(&r);
        let rank = names.iter().position(|n| n.contains(expect)).map(|p| p + 1);
        if let Some(k) = rank {
            found_at_10 += 1;
            reciprocal += 1.0 / k as f64;
        }
        if rank.is_none_or(|k| k > *top) {
            failures.push(format!(
                "{args:?}: wanted 「{expect}」 in the top {top}, got {rank:?} in {:?}",
                &names[..names.len().min(5)]
            ));
        }
    }
    let n = JUDGED.len() as f64;
    println!(
        "judged queries: {}; recall@10 = {:.3}; MRR = {:.3}",
        JUDGED.len(),
        found_at_10 as f64 / n,
        reciprocal / n
    );
    assert!(JUDGED.len() >= 60);
    assert!(
        failures.is_empty(),
        "{} of {} judged queries failed:\n{}",
        failures.len(),
        JUDGED.len(),
        failures.join("\n")
    );
}

/// The independent reviews' sets (tests/it/review-queries.tsv,
/// tests/it/blind2- … blind10-queries.tsv): every
/// expected facility in the top 10,
/// recall@10 and MRR printed per style.
#[test]
fn review_queries_find_the_expected_facility() {
    judged_file("review-queries.tsv", include_str!("review-queries.tsv"), 150);
}

#[test]
fn blind_queries_find_the_expected_facility() {
    judged_file("blind2-queries.tsv", include_str!("blind2-queries.tsv"), 149);
    judged_file("blind3-queries.tsv", include_str!("blind3-queries.tsv"), 157);
    judged_file("blind4-queries.tsv", include_str!("blind4-queries.tsv"), 149);
    judged_file("blind5-queries.tsv", include_str!("blind5-queries.tsv"), 140);
    judged_file("blind6-queries.tsv", include_str!("blind6-queries.tsv"), 137);
    judged_file("blind7-queries.tsv", include_str!("blind7-queries.tsv"), 139);
    judged_file("blind8-queries.tsv", include_str!("blind8-queries.tsv"), 102);
    judged_file("blind9-queries.tsv", include_str!("blind9-queries.tsv"), 120);
    judged_file("blind10-queries.tsv", include_str!("blind10-queries.tsv"), 120);
}

/// Runs a judged set: lines of (JSON arguments, expected name, style).
/// Names compare as the product shows them (NFKC) without their spaces,
/// so a name copied from a file with full-width spaces, or from another
/// list that writes it without them, is the same name.
fn judged_file(file: &str, tsv: &str, at_least: usize) {
    let shown = |s: &str| {
        let s = tsunagi_domain::normalize::display(s).unwrap_or_default();
        s.split_whitespace().collect::<String>()
    };
    let mut by_style: std::collections::BTreeMap<&str, (usize, usize, f64)> = Default::default();
    let mut failures = Vec::new();
    for (n, line) in tsv.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        let [args, expect, style] = cols[..] else { panic!("{file}:{}: want 3 columns", n + 1) };
        let mut args: Vec<String> = serde_json::from_str(args).unwrap_or_else(|e| panic!("{file}:{}: {e}", n + 1));
        args.extend(["--limit".into(), "10".into()]);
        let names = names(&search(&args.iter().map(String::as_str).collect::<Vec<_>>()));
        let rank = names.iter().position(|x| shown(x) == shown(expect)).map(|p| p + 1);
        let s = by_style.entry(style.trim_end_matches("_typo")).or_default();
        s.0 += 1;
        if let Some(k) = rank {
            s.1 += 1;
            s.2 += 1.0 / k as f64;
        } else {
            failures.push(format!("{args:?}: wanted 「{expect}」, got {:?}", &names[..names.len().min(5)]));
        }
    }
    for (style, (n, found, rr)) in &by_style {
        println!("{file} {style}: {n} queries, recall@10 {:.3}, MRR {:.3}", *found as f64 / *n as f64, rr / *n as f64);
    }
    assert!(by_style.values().map(|s| s.0).sum::<usize>() >= at_least);
    assert!(failures.is_empty(), "{file}: {} queries failed:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn exact_name_outranks_prefix_reading_service_and_address() {
    // 「下松病院」 is a name; others contain 下松 or 病院 in name, reading or address.
    let r = search(&["下松病院", "--limit", "10"]);
    assert_eq!(names(&r)[0], "下松病院");
    // Equal matches are ordered nearest first when a point is given.
    let r = search(&["歯科", "--near", "34.0146,131.8634", "--limit", "30"]);
    let items = r["items"].as_array().unwrap();
    for w in items.windows(2) {
        let (a, b) = (&w[0], &w[1]);
        assert!(a["score"].as_f64() >= b["score"].as_f64(), "tiers first");
        if a["score"] == b["score"] {
            assert!(a["distance_m"].as_f64() <= b["distance_m"].as_f64(), "then distance: {a} {b}");
        }
    }
    assert!(items[0]["distance_m"].as_f64().unwrap() < 5000.0, "a 歯科 in 下松 comes first");
    // Stable: the same query gives the same order.
    assert_eq!(names(&search(&["内科", "--limit", "20"])), names(&search(&["内科", "--limit", "20"])));
}

#[test]
fn words_run_together_are_also_searched_apart() {
    let ids = |v: &serde_json::Value| -> std::collections::BTreeSet<u64> {
        v["items"].as_array().unwrap().iter().map(|i| i["id"].as_u64().unwrap()).collect()
    };
    // A question's particles and verbs: 「下松の訪問看護」 finds what 「下松 訪問看護」
    // does, not only the one name holding 下松, の and 訪問看護.
    let apart = search(&["下松 訪問看護", "--limit", "100"]);
    let asked = search(&["下松で訪問看護をしているところ", "--limit", "100"]);
    assert_eq!(asked["searched_as"], "下松 訪問看護");
    assert!(ids(&apart).is_subset(&ids(&asked)) && apart["total"].as_u64() >= Some(5), "{asked}");
    let asked = search(&["下松の訪問看護", "--limit", "100"]);
    assert!(ids(&apart).is_subset(&ids(&asked)), "{asked}");
    // A name with の that matches as typed is not searched again.
    let r = search(&["胡蝶の夢", "--limit", "10"]);
    assert!(r.get("searched_as").is_none() && r["total"] == 1, "{r}");
    // Words with no space between them, when nothing matches as typed; and
    // the words as separate arguments.
    let r = search(&["眼科柳井", "--limit", "10"]);
    assert_eq!(r["searched_as"], "眼科 柳井");
    assert_eq!(names(&r)[0], "志熊眼科");
    assert_eq!(ids(&search(&["眼科", "柳井", "--limit", "10"])), ids(&r));
}

#[test]
fn one_mistyped_character() {
    // A service word one character off (an IME's wrong kanji), near a point.
    let r = search(&["訪門看護", "--near", "33.9932,131.2410", "--limit", "10"]);
    assert_eq!(r["searched_as"], "訪問看護", "{r}");
    assert_eq!(names(&r)[0], "訪問看護ステーション私の家");
    // A synonym's word (包括 = 地域包括支援センター) beside a place.
    let r = search(&["包活", "萩", "--limit", "10"]);
    assert_eq!(r["searched_as"], "包括 萩", "{r}");
    assert!(names(&r).iter().any(|n| n == "萩市地域包括支援センター"), "{r}");
    // An address with one wrong character: the rest of it.
    let r = search(&["大峰町東分290-1", "--limit", "10"]);
    assert_eq!((r["searched_as"].as_str(), names(&r)), (Some("町東分290-1"), vec!["藤村内科クリニック".to_string()]));
    // Not when the text matches as typed, nor when a filter is what left
    // nothing.
    let r = search(&["訪問看護", "--near", "33.9932,131.2410", "--limit", "10"]);
    assert!(r.get("searched_as").is_none(), "{r}");
    // Nor a reading: one with a syllable left out is another name.
    let r = search(&["だいじゅえん", "--limit", "10"]);
    assert!(r.get("searched_as").is_none() && r["total"] == 0, "{r}");
    let r = search(&["大峰町東分290-1", "--category", "dental", "--limit", "10"]);
    assert_eq!((r["total"].as_u64(), r.get("searched_as")), (Some(0), None), "{r}");
}

#[test]
fn a_text_with_nothing_to_search_matches_nothing() {
    // Long-vowel marks, iteration marks and symbols alone are a text, not
    // the absence of one: they do not list every facility.
    for q in ["ー", "ーー", "ｰ", "※", "・", "〜", "ゝ", "！？"] {
        let r = search(&[q, "--limit", "3"]);
        assert_eq!(r["total"], 0, "{q}: {r}");
    }
    // Beside a word, they are left out.
    let r = search(&["あん樹苑 ※", "--limit", "3"]);
    assert!(names(&r).first().is_some_and(|n| n.contains("あん樹苑")), "{r}");
}

#[test]
fn phone_and_fax_numbers_however_typed() {
    // 下松中央病院's number; the FAX of a home-nursing station in 下関.
    for q in ["0833-41-3030", "0833413030", "（０８３３）４１－３０３０", "41-3030"] {
        let r = search(&[q, "--limit", "3"]);
        assert!(names(&r).first().is_some_and(|n| n.contains("下松中央病院")), "{q}: {r}");
    }
    let r = search(&["083-224-2886", "--limit", "3"]);
    assert!(names(&r).first().is_some_and(|n| n.contains("あかね老人訪問看護ステーション")), "{r}");
}

#[test]
fn readings_typed_as_they_sound() {
    // 診療所 reads シンリョウショ in the dictionary; people type じょ.
    let r = search(&["めぎ しんりょうじょ", "--limit", "10"]);
    assert!(names(&r).iter().any(|n| n.contains("女木診療所")), "{r}");
    // A long vowel written う for お, a missing ウ, a dakuten left off.
    for (q, want) in [("おごうり", "小郡第一総合病院"), ("ｿｳﾖｳﾋﾞｮｲﾝ", "桑陽病院"), ("ｼｸﾏｶﾝｶ", "志熊眼科")]
    {
        let r = search(&[q, "--limit", "10"]);
        assert!(names(&r).iter().any(|n| n.contains(want)), "{q}: {r}");
    }
    // The loose match ranks below a reading typed right.
    let r = search(&["しくまがんか", "--limit", "10"]);
    let loose = search(&["しくまかんか", "--limit", "10"]);
    let score = |v: &serde_json::Value| v["items"][0]["score"].as_f64().unwrap_or_else(|| panic!("no match: {v}"));
    assert!(score(&r) > score(&loose), "{r} {loose}");
}

#[test]
fn filters_and_facets() {
    let r = search(&["--category", "dental", "--municipality", "下松市", "--facets", "--limit", "100"]);
    let total = r["total"].as_u64().unwrap();
    assert!(total >= 10, "{total}");
    assert!(
        r["items"].as_array().unwrap().iter().all(|i| i["categories"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == "dental"))
    );
    let facets = &r["facets"];
    assert_eq!(facets["municipalities"][0]["id"], "352071");
    assert_eq!(facets["municipalities"][0]["count"].as_u64(), Some(total));
    // A group filter takes its members.
    let medical =
        search(&["--category", "medical", "--municipality", "352071", "--limit", "1"])["total"].as_u64().unwrap();
    assert!(medical > total);
    // Open at: a pharmacy open on Saturday 09:30 but not on Sunday.
    let sat = search(&["--category", "pharmacy", "--open-at", "2026-12-05T09:30", "--limit", "50"]);
    let sun = search(&["--category", "pharmacy", "--open-at", "2026-12-06T09:30", "--limit", "50"]);
    assert!(names(&sat).iter().any(|n| n.contains("病院通薬局みさと店")), "{:?}", names(&sat));
    assert!(!names(&sun).iter().any(|n| n.contains("病院通薬局みさと店")));
    assert!(sat["items"].as_array().unwrap().iter().all(|i| i["open"] == "open"));
    // Bad parameters are refused with the parameter named.
    let out = fixture().cmd().args(["search", "--json", "--near", "34.0"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("near"));
}

#[test]
fn radius_and_box_agree_with_brute_force() {
    let all = search(&["--limit", "500", "--near", "34.0151,131.8703", "--sort", "distance"]);
    let within: Vec<String> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["distance_m"].as_f64().is_some_and(|d| d <= 3000.0))
        .map(|i| i["id"].to_string())
        .collect();
    let radius = search(&["--limit", "500", "--near", "34.0151,131.8703", "--radius-m", "3000"]);
    let mut got: Vec<String> = radius["items"].as_array().unwrap().iter().map(|i| i["id"].to_string()).collect();
    let mut want = within.clone();
    got.sort();
    want.sort();
    assert_eq!(got, want);
    assert!(!got.is_empty());
    let bbox = search(&["--limit", "500", "--bbox", "131.85,34.00,131.89,34.03"]);
    for i in bbox["items"].as_array().unwrap() {
        let (lat, lng) = (i["lat"].as_f64().unwrap(), i["lng"].as_f64().unwrap());
        assert!((34.00..=34.03).contains(&lat) && (131.85..=131.89).contains(&lng));
    }
    assert!(bbox["total"].as_u64().unwrap() > 10);
}

#[test]
fn who_visits_this_address() {
    // A point in 下松市: home-visiting services of 下松市 come first, marked.
    let r = search(&["--visits", "34.0300,131.8700", "--limit", "30"]);
    let items = r["items"].as_array().unwrap();
    assert_eq!(items[0]["visits"], "municipality");
    let first_plain = items.iter().position(|i| i.get("visits").is_none()).unwrap_or(items.len());
    assert!(first_plain > 5, "several facilities visit 下松市");
    assert!(items[..first_plain].iter().all(|i| i["address"].as_str().unwrap().contains("下松市")));
}

#[test]
fn an_explicit_visit_area_wins_over_the_municipality() {
    let t = Tsunagi::new();
    t.import(&[super::data("jichitai/yamaguchi/352071_kudamatsu/352071_care_service.csv")]);
    let visits =
        |t: &Tsunagi| t.json(&["search", "--json", "--visits", "34.0300,131.8700", "--service", "home_nursing"]);
    let r = visits(&t);
    let items = r["items"].as_array().unwrap();
    assert_eq!(items.len(), 3, "下松市's three 訪問看護 stations");
    assert!(items.iter().all(|i| i["visits"] == "municipality"));
    let id = items[0]["id"].as_i64().unwrap();
    let edit = t.run(&["edit", &id.to_string(), "visit_area", r#"{"type":"radius","meters":500}"#]);
    assert!(edit.status.success(), "{}", String::from_utf8_lossy(&edit.stderr));
    let r = visits(&t);
    let it = r["items"].as_array().unwrap().iter().find(|i| i["id"] == id).unwrap().clone();
    assert!(it.get("visits").is_none(), "500 m around the station does not reach the point: {it}");
    let edit = t.run(&["edit", &id.to_string(), "visit_area", r#"{"type":"places","places":["352071"]}"#]);
    assert!(edit.status.success());
    let r = visits(&t);
    assert_eq!(r["items"][0]["id"], id);
    assert_eq!(r["items"][0]["visits"], "area");
}

#[test]
fn hidden_and_professional_listings_stay_out_of_every_search() {
    let t = Tsunagi::new();
    t.import(&[super::data("jichitai/yamaguchi/352071_kudamatsu/352071_care_service.csv")]);
    let ids = |r: &serde_json::Value| -> Vec<i64> {
        r["items"].as_array().unwrap().iter().map(|i| i["id"].as_i64().unwrap()).collect()
    };
    let nursing = t.json(&["search", "--json", "--service", "home_nursing", "--limit", "100"]);
    let all = ids(&nursing);
    assert_eq!(all.len(), 3, "下松市's three 訪問看護 stations");
    let before = t.json(&["search", "--json", "--limit", "1"])["total"].as_u64().unwrap();
    let hidden = nursing["items"][0].clone();
    let professional = nursing["items"][1].clone();
    for (it, v) in [(&hidden, r#""hidden""#), (&professional, r#""professionals""#)] {
        let out = t.run(&["edit", &it["id"].to_string(), "visibility", v]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let gone = [hidden["id"].as_i64().unwrap(), professional["id"].as_i64().unwrap()];
    let near = format!("{},{}", hidden["lat"], hidden["lng"]);
    let name = hidden["name"].as_str().unwrap();
    let in_place = format!("下松市 {name}");
    let queries: &[&[&str]] = &[
        &["--service", "home_nursing"],
        &["訪問看護"],
        &[name],
        &[&in_place],
        &["--near", &near],
        &["--near", &near, "--radius-m", "100000"],
        &["訪問看護", "--near", &near],
        &["--visits", &near],
        &["--bbox", "131.7,33.9,132.0,34.2"],
    ];
    for args in queries {
        let mut a = vec!["search", "--json", "--limit", "500"];
        a.extend_from_slice(args);
        let r = t.json(&a);
        let got = ids(&r);
        assert!(gone.iter().all(|g| !got.contains(g)), "{args:?} shows a hidden listing: {got:?}");
        assert_eq!(r["total"].as_u64().unwrap() as usize, got.len(), "{args:?}: the total counts what is shown");
    }
    assert_eq!(t.json(&["search", "--json", "--limit", "1"])["total"].as_u64().unwrap(), before - 2);
    let out = t.run(&["index", "rebuild"]);
    assert!(out.status.success());
    let r = t.json(&["search", "--json", "--service", "home_nursing"]);
    assert_eq!(ids(&r), vec![all[2]], "still hidden after a rebuild");
}

#[test]
fn output_into_a_closed_pipe_ends_quietly() {
    // `tsunagi search 歯科 | head -1`: the reader is gone before the output.
    let mut child = fixture()
        .cmd()
        .args(["search", "--json", "歯科", "--limit", "100"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}
