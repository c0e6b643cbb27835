//! The analysis on real names and addresses (golden tables), and the index
//! lifecycle: create, upsert, delete, reopen, check. A fresh index in a
//! temporary directory per test.

use std::path::PathBuf;
use std::sync::OnceLock;

use tsunagi_domain::{BBox, Category, Facility, GeoPoint, GeoPrecision, Location, SearchQuery, Service, ServiceOffer};

use super::*;

fn japanese() -> &'static Japanese {
    static J: OnceLock<Japanese> = OnceLock::new();
    J.get_or_init(|| {
        let dir = std::env::var_os("TSUNAGI_DICTIONARY_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../var/dict/ipadic"));
        Japanese::new(dictionary::load(&dir).unwrap_or_else(|e| panic!("{e}")))
    })
}

/// How real names and addresses (from data/) segment: word terms as
/// indexed (folded to katakana, no long vowels), and the reading.
#[test]
fn golden_segmentation_of_real_names() {
    #[rustfmt::skip]
    let table: &[(&str, &[&str], &str)] = &[
        ("下松中央病院", &["下松", "中央", "病院"], "クダマツチユウオウビヨウイン"),
        // IPADIC does not know 周南 as a word: the bigram field is what
        // lets 「周南」 match as a unit.
        ("周南記念病院", &["周", "南", "記念", "病院"], "シユウミナミキネンビヨウイン"),
        // The same 下松 reads シモマツ here: dictionary readings are a
        // fallback; 名称_カナ from the file comes first.
        ("訪問看護ステーション下松・きらら", &["訪問", "看護", "ステシヨン", "下松", "キララ"], "ホウモンカンゴステシヨンシモマツキララ"),
        ("特別養護老人ホーム松寿苑", &["特別", "養護", "老人", "ホム", "松寿", "苑"], "トクベツヨウゴロウジンホムシヨウジユエン"),
        ("地域包括支援センター", &["地域", "包括", "支援", "センタ"], "チイキホウカツシエンセンタ"),
        ("ｻｸﾗ薬局", &["サクラ", "薬局"], "サクラヤツキヨク"),
        ("デイサービスセンター", &["デイサビス", "センタ"], "デイサビスセンタ"),
    ];
    for (text, words, reading) in table {
        let ja = japanese();
        let got: Vec<String> = ja.words(text).into_iter().map(|w| w.term).collect();
        assert_eq!(got, *words, "{text}");
        assert_eq!(japanese::fold(&ja.reading(text)), *reading, "{text}");
    }
    // Addresses compare in one form whatever the digits and 丁目 spelling.
    let a = japanese::address_form("山口県下松市西柳３丁目２ー３４");
    assert_eq!(a, japanese::address_form("山口県下松市西柳三丁目2番34号"));
    assert_eq!(japanese::bigrams("西柳3丁目")[..2], ["西柳".to_string(), "柳3".to_string()]);
}

fn facility(name: &str, kana: Option<&str>, service: Service, lat: f64, lng: f64) -> Facility {
    let mut f = Facility::new(name);
    f.name_kana = kana.map(str::to_string);
    f.add_service(ServiceOffer::new(service));
    f.address.full = Some(format!("山口県下松市{name}町1-1"));
    f.address.municipality_code = Some("352071".into());
    f.address.municipality = Some("下松市".into());
    f.location = Some(Location { point: GeoPoint::new(lat, lng), precision: GeoPrecision::Source, source: None });
    f
}

fn doc(id: i64, f: Facility) -> IndexDoc {
    IndexDoc { id, facility: f, verified_on: None }
}

fn text(index: &SearchIndex, q: &str) -> Vec<i64> {
    let query = SearchQuery { text: Some(q.into()), limit: 20, ..SearchQuery::default() };
    index.search(&query).unwrap().hits.iter().map(|h| h.card.id).collect()
}

#[test]
fn lifecycle_create_upsert_delete_reopen_check() {
    let dir = tempfile::tempdir().unwrap();
    let index = SearchIndex::open(dir.path(), japanese().clone(), Areas::default()).unwrap();
    assert!(index.is_empty());
    let docs = vec![
        doc(
            1,
            facility(
                "さくら訪問看護ステーション",
                Some("サクラホウモンカンゴステーション"),
                Service::HomeNursing,
                34.01,
                131.87,
            ),
        ),
        doc(2, facility("桜町クリニック", None, Service::HouseCall, 34.02, 131.88)),
        doc(3, facility("あおば歯科", None, Service::HomeDental, 34.03, 131.86)),
    ];
    assert_eq!(index.rebuild(docs.into_iter().map(Ok::<_, String>), 3).unwrap(), 3);
    assert_eq!(index.ids(), vec![1, 2, 3]);
    assert_eq!(index.seq(), 3);
    index.check(&[1, 2, 3], 3).unwrap();
    assert!(index.check(&[1, 2], 3).is_err());
    assert_eq!(text(&index, "訪看"), vec![1], "synonym");
    assert_eq!(text(&index, "さくらまち"), vec![2], "reading from the dictionary");

    // An update replaces, a delete removes; the sequence follows.
    let mut renamed = facility("あおばデンタル", None, Service::HomeDental, 34.03, 131.86);
    renamed.add_category(Category::Dental);
    index
        .apply(vec![doc(3, renamed), doc(4, facility("ひかり薬局", None, Service::HomePharmacy, 34.0, 131.9))], &[1], 5)
        .unwrap();
    assert_eq!(index.ids(), vec![2, 3, 4]);
    assert_eq!(index.seq(), 5);
    assert_eq!(text(&index, "あおば"), vec![3], "renamed, still found by the unchanged part");
    assert_eq!(text(&index, "デンタル"), vec![3]);
    assert!(text(&index, "訪看").is_empty());
    // A refresh that finds nothing new keeps the side tables; one after a
    // commit (by any process) builds them anew.
    let before = index.current();
    index.refresh().unwrap();
    index.refresh().unwrap();
    assert!(Arc::ptr_eq(&before, &index.current()), "nothing changed, nothing rebuilt");
    index.apply(vec![doc(5, facility("みどり薬局", None, Service::HomePharmacy, 34.0, 131.9))], &[], 6).unwrap();
    index.refresh().unwrap();
    assert!(!Arc::ptr_eq(&before, &index.current()));
    assert_eq!(text(&index, "みどり"), vec![5]);
    index.apply(Vec::new(), &[5], 7).unwrap();
    drop(before);
    drop(index);

    // Reopened: the same ids, tokenizers registered again.
    let index = SearchIndex::open(dir.path(), japanese().clone(), Areas::default()).unwrap();
    index.check(&[2, 3, 4], 7).unwrap();
    assert_eq!(text(&index, "ひかり"), vec![4]);
    let near = SearchQuery { near: Some(GeoPoint::new(34.0, 131.9)), limit: 3, ..SearchQuery::default() };
    assert_eq!(index.search(&near).unwrap().hits[0].card.id, 4);
}

/// A small deterministic generator (no extra dependency).
fn xorshift(mut state: u64) -> impl FnMut() -> u64 {
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    }
}

/// Random sequences of upserts and deletes leave the index holding
/// exactly the ids a plain map says it should.
#[test]
fn random_upserts_and_deletes_keep_index_and_model_agreeing() {
    let dir = tempfile::tempdir().unwrap();
    let index = SearchIndex::open(dir.path(), japanese().clone(), Areas::default()).unwrap();
    let mut model: std::collections::BTreeSet<i64> = std::collections::BTreeSet::new();
    let mut next = xorshift(0x2545_f491_4f6c_dd1d);
    let names = ["さくら", "あおば", "ひかり", "みどり", "つばさ"];
    for seq in 1..=30 {
        let mut upserts = Vec::new();
        let mut deletes = Vec::new();
        for _ in 0..(next() % 4) {
            let id = (next() % 12) as i64 + 1;
            if next().is_multiple_of(3) {
                deletes.push(id);
                model.remove(&id);
                upserts.retain(|d: &IndexDoc| d.id != id);
            } else {
                let n = names[(next() % 5) as usize];
                upserts.retain(|d: &IndexDoc| d.id != id);
                upserts.push(doc(id, facility(&format!("{n}{id}"), None, Service::DayService, 34.0, 131.8)));
                model.insert(id);
                deletes.retain(|d| *d != id);
            }
        }
        index.apply(upserts, &deletes, seq).unwrap();
        let want: Vec<i64> = model.iter().copied().collect();
        index.check(&want, seq).unwrap_or_else(|e| panic!("after step {seq}: {e}"));
    }
}

/// A query part matches inside a topic word, as a substring: 「内科」 finds
/// a clinic whose only 診療科目 is 心療内科, 「リハビリ」 one offering
/// リハビリテーション科.
#[test]
fn topics_match_as_substrings() {
    let dir = tempfile::tempdir().unwrap();
    let index = SearchIndex::open(dir.path(), japanese().clone(), Areas::default()).unwrap();
    let mut a = facility("こころのクリニック", None, Service::HouseCall, 34.01, 131.87);
    a.departments = vec!["心療内科".into()];
    let mut b = facility("みどり整形", None, Service::HouseCall, 34.02, 131.88);
    b.departments = vec!["リハビリテーション科".into()];
    index.rebuild(vec![doc(1, a), doc(2, b)].into_iter().map(Ok::<_, String>), 2).unwrap();
    assert_eq!(text(&index, "内科"), vec![1]);
    assert_eq!(text(&index, "心療内科"), vec![1]);
    assert_eq!(text(&index, "リハビリ"), vec![2]);
    assert!(text(&index, "眼科").is_empty());
}

/// The plain map's precomputed cells agree with grouping the matches on
/// demand: the same clusters for a box holding everything, at every zoom.
#[test]
fn plain_map_cells_agree_with_grouping_on_demand() {
    let dir = tempfile::tempdir().unwrap();
    let index = SearchIndex::open(dir.path(), japanese().clone(), Areas::default()).unwrap();
    let docs: Vec<IndexDoc> = (0..200)
        .map(|i| {
            let (lat, lng) = (33.0 + (i % 20) as f64 * 0.17, 130.0 + (i / 20) as f64 * 0.23);
            doc(i + 1, facility(&format!("施設{i}"), None, Service::HomeNursing, lat, lng))
        })
        .collect();
    index.rebuild(docs.into_iter().map(Ok::<_, String>), 200).unwrap();
    let japan = tsunagi_domain::BBox { west: 122.0, south: 20.0, east: 154.0, north: 46.0 };
    let plain = SearchQuery { bbox: Some(japan), ..SearchQuery::default() };
    assert!(grid::is_plain(&plain));
    // Every category group selected: the same facilities, but not "plain".
    let all = SearchQuery {
        categories: tsunagi_domain::Group::ALL.iter().map(|g| tsunagi_domain::CategoryFilter::Group(*g)).collect(),
        ..plain.clone()
    };
    assert!(!grid::is_plain(&all));
    let key = |c: &Cluster| (c.count, (c.lat * 1e6).round() as i64, (c.lng * 1e6).round() as i64, c.id, c.category);
    for zoom in 0..=grid::MAX_ZOOM + 1 {
        // As sets: centroids summed in another order may differ in the
        // last bits, and so swap places among equals.
        let mut a: Vec<_> = index.clusters(&plain, zoom).unwrap().iter().map(key).collect();
        let mut b: Vec<_> = index.clusters(&all, zoom).unwrap().iter().map(key).collect();
        a.sort_unstable();
        b.sort_unstable();
        assert_eq!(a, b, "zoom {zoom}");
        assert_eq!(a.iter().map(|c| c.0).sum::<usize>(), 200);
    }
}

/// A rebuild whose source fails part-way (a database error after 600
/// facilities) is abandoned: the index keeps what it held before.
#[test]
fn a_failed_rebuild_leaves_the_index_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let index = SearchIndex::open(dir.path(), japanese().clone(), Areas::default()).unwrap();
    let before = vec![doc(1, facility("さくら訪問看護", None, Service::HomeNursing, 34.01, 131.87))];
    index.rebuild(before.into_iter().map(Ok::<_, String>), 1).unwrap();
    let failing = (0..1000).map(|i| match i {
        600 => Err("disk I/O error"),
        _ => Ok(doc(i + 10, facility(&format!("施設{i}"), None, Service::HomeNursing, 34.0, 131.8))),
    });
    let err = index.rebuild(failing, 2).unwrap_err().to_string();
    assert!(err.contains("disk I/O error") && err.contains("unchanged"), "{err}");
    index.check(&[1], 1).unwrap();
    assert_eq!(text(&index, "さくら"), vec![1]);
}

#[test]
fn topic_terms_containing_a_word_as_a_scan_would_find_them() {
    let mut terms: Vec<String> =
        ["内科", "心療内科", "歯科", "小児歯科", "訪問看護", "眼科"].map(String::from).to_vec();
    terms.sort();
    let t = side::TopicTerms::new(terms.clone());
    for words in [&["内科"][..], &["科"], &["歯科", "看護"], &["外科"], &["心療内科", "内科"]] {
        let words: Vec<String> = words.iter().map(|w| w.to_string()).collect();
        let scan: Vec<&str> =
            terms.iter().filter(|t| words.iter().any(|w| t.contains(w.as_str()))).map(|t| t.as_str()).collect();
        assert_eq!(t.containing(&words, 100), scan, "{words:?}");
    }
    assert_eq!(t.containing(&["科".to_string()], 2).len(), 2);
}

/// Of the terms containing a word, one whose facilities another of them
/// all has is left out; of two held by the same facilities, the first stays.
#[test]
fn topic_terms_reaching_a_word_leave_out_the_ones_another_includes() {
    // 0 小児歯科 ⊆ 2 歯科 = 3 歯科医院 (the same facilities); 1 歯医者 stands alone.
    let terms: Vec<String> = ["小児歯科", "歯医者", "歯科", "歯科医院"].map(String::from).to_vec();
    let supersets: Vec<Box<[u32]>> = vec![vec![2, 3].into(), Box::default(), vec![3].into(), vec![2].into()];
    let t = side::TopicTerms::with_cover(terms, supersets, vec!["歯科".into()]);
    let words = |w: &[&str]| w.iter().map(|w| w.to_string()).collect::<Vec<_>>();
    assert_eq!(t.reaching(&words(&["歯科"]), 10), (vec!["歯科"], true));
    assert_eq!(t.reaching(&words(&["歯"]), 10), (vec!["歯医者", "歯科"], true));
    assert_eq!(t.reaching(&words(&["歯"]), 1), (vec!["歯医者"], false));
    assert_eq!(t.reaching(&words(&["小児"]), 10), (vec!["小児歯科"], true));
    assert!(t.covers(&words(&["歯科"]), "歯科"));
    assert!(!t.covers(&words(&["歯科医院"]), "歯科"), "a word shorter than the query's");
    assert!(!t.covers(&words(&["歯医者"]), "歯医者"), "a word not covered");
}

/// An index whose terms were made by another analysis is recreated empty
/// on open (the caller then rebuilds it from the store), not searched with
/// queries whose terms it does not hold.
#[test]
fn an_index_made_with_another_analysis_is_recreated() {
    let dir = tempfile::tempdir().unwrap();
    let index = SearchIndex::open(dir.path(), japanese().clone(), Areas::default()).unwrap();
    let docs = vec![doc(1, facility("あおば歯科", None, Service::HomeDental, 34.03, 131.86))];
    index.rebuild(docs.into_iter().map(Ok::<_, String>), 1).unwrap();
    drop(index);
    let index = SearchIndex::open(dir.path(), japanese().clone(), Areas::default()).unwrap();
    assert_eq!(index.ids(), vec![1], "same analysis: kept");
    // A commit as an earlier version made it: no analysis in the payload.
    let mut writer = index.writer(1, 15_000_000).unwrap();
    let mut prepared = writer.prepare_commit().unwrap();
    prepared.set_payload(r#"{"seq":1}"#);
    prepared.commit().unwrap();
    drop(writer);
    drop(index);
    let index = SearchIndex::open(dir.path(), japanese().clone(), Areas::default()).unwrap();
    assert!(index.is_empty(), "another analysis: recreated");
}

/// Text within a box or radius finds the same facilities, in the same
/// order, whether the few places inside are checked against the text or
/// every text match is checked against the place.
#[test]
fn text_in_a_place_agrees_with_text_then_place() {
    let dir = tempfile::tempdir().unwrap();
    let index = SearchIndex::open(dir.path(), japanese().clone(), Areas::default()).unwrap();
    let mut next = xorshift(0x9e37_79b9_7f4a_7c15);
    let kinds = [
        ("薬局", Service::HomePharmacy),
        ("歯科", Service::HomeDental),
        ("訪問看護ステーション", Service::HomeNursing),
    ];
    let docs: Vec<IndexDoc> = (1..=400)
        .map(|id| {
            let (kind, service) = kinds[(next() % 3) as usize];
            let lat = 33.9 + (next() % 2000) as f64 / 10_000.0;
            let lng = 131.7 + (next() % 2000) as f64 / 10_000.0;
            doc(id, facility(&format!("さくら{kind}{id}"), None, service, lat, lng))
        })
        .collect();
    index.rebuild(docs.iter().cloned().map(Ok::<_, String>), 1).unwrap();
    let point = |id: i64| docs[id as usize - 1].facility.point().unwrap();
    for text in ["薬局", "さくら", "歯医者", "訪看 さくら"] {
        let everywhere = SearchQuery { text: Some(text.into()), limit: 1000, ..SearchQuery::default() };
        let all = index.search(&everywhere).unwrap();
        for half in [0.002, 0.01, 0.03, 0.2] {
            let b = BBox { west: 131.8 - half, south: 34.0 - half, east: 131.8 + half, north: 34.0 + half };
            let q = SearchQuery { bbox: Some(b), ..everywhere.clone() };
            let got: Vec<i64> = index.search(&q).unwrap().hits.iter().map(|h| h.card.id).collect();
            let want: Vec<i64> = all.hits.iter().map(|h| h.card.id).filter(|&id| b.contains(point(id))).collect();
            assert_eq!(got, want, "{text} in a box of ±{half}°");
        }
        let c = GeoPoint::new(34.0, 131.8);
        for r in [200.0, 1500.0, 8000.0, 30_000.0] {
            let near = SearchQuery { near: Some(c), ..everywhere.clone() };
            let all = index.search(&near).unwrap();
            let q = SearchQuery { radius_m: Some(r), ..near.clone() };
            let got: Vec<i64> = index.search(&q).unwrap().hits.iter().map(|h| h.card.id).collect();
            let want: Vec<i64> =
                all.hits.iter().filter(|h| h.distance_m.is_some_and(|d| d <= r)).map(|h| h.card.id).collect();
            assert_eq!(got, want, "{text} within {r} m");
        }
    }
}

/// A one-part text matched term at a time finds the same facilities with
/// the same scores as tantivy's merged query with its term filters, under
/// every kind of filter: categories and their groups, services,
/// municipalities, flags, visibility, boxes and radii (a point also makes
/// service words score alike).
/// (And a text of several parts, part by part, agrees with the merged
/// query too.)
#[test]
fn one_part_text_term_at_a_time_agrees_with_the_merged_query() {
    use tsunagi_domain::{CategoryFilter, Visibility};
    let dir = tempfile::tempdir().unwrap();
    let index = SearchIndex::open(dir.path(), japanese().clone(), Areas::default()).unwrap();
    let mut next = xorshift(0x2545_f491_4f6c_dd1d);
    let kinds = [
        ("歯科医院", Service::HomeDental, Category::ALL[2]),
        ("薬局", Service::HomePharmacy, Category::ALL[3]),
        ("訪問看護ステーション", Service::HomeNursing, Category::ALL[4]),
        ("内科クリニック", Service::HomeHelp, Category::ALL[1]),
    ];
    let docs: Vec<IndexDoc> = (1..=300)
        .map(|id| {
            let (kind, service, category) = kinds[(next() % 4) as usize];
            let lat = 33.9 + (next() % 2000) as f64 / 10_000.0;
            let lng = 131.7 + (next() % 2000) as f64 / 10_000.0;
            let mut f = facility(&format!("さくら{kind}{id}"), None, service, lat, lng);
            f.add_category(category);
            // Some clinics also see to teeth: 歯科 reaches them through
            // their 診療科目 alone, outside the dental category.
            if kind == kinds[3].0 && next().is_multiple_of(2) {
                f.departments = vec!["歯科".into()];
            }
            if next().is_multiple_of(2) {
                f.address.municipality_code = Some("352152".into());
                f.address.municipality = Some("周南市".into());
            }
            f.visibility = match next() % 10 {
                0 => Visibility::Hidden,
                1 => Visibility::Professionals,
                _ => Visibility::Public,
            };
            doc(id, f)
        })
        .collect();
    index.rebuild(docs.iter().cloned().map(Ok::<_, String>), 1).unwrap();
    // Some documents deleted, so their postings remain in the segment.
    for id in [3, 50, 51, 120] {
        index.apply(Vec::new(), &[id], 2).unwrap();
    }
    let side = index.current();
    let cx = index.context(&side);
    let base = |text: &str| SearchQuery { text: Some(text.into()), limit: 10, ..SearchQuery::default() };
    let (mut checked, mut among_places, mut parts) = (0, 0, 0);
    let texts = ["歯科", "薬局", "さくら", "訪看", "クリニック", "下松", "ｻｸﾗ", "ステーション", "内科医院"];
    let several = ["さくら 歯科", "下松 薬局", "内科 クリニック", "訪看 周南", "ｻｸﾗ 医院 下松", "さくら 薬局1"];
    for text in texts.into_iter().chain(several) {
        let c = GeoPoint::new(34.0, 131.8);
        let queries = [
            base(text),
            SearchQuery { categories: vec![CategoryFilter::Category(kinds[0].2)], ..base(text) },
            SearchQuery { categories: vec![CategoryFilter::Group(kinds[1].2.group())], ..base(text) },
            SearchQuery { services: vec![Service::HomeNursing, Service::HomeHelp], ..base(text) },
            SearchQuery { municipalities: vec!["352152".into()], ..base(text) },
            SearchQuery { home_visits: true, include_professional: true, ..base(text) },
            SearchQuery { bbox: Some(BBox { west: 131.75, south: 33.95, east: 131.85, north: 34.05 }), ..base(text) },
            SearchQuery {
                bbox: Some(BBox { west: 131.75, south: 33.95, east: 131.85, north: 34.05 }),
                categories: vec![CategoryFilter::Category(kinds[0].2)],
                ..base(text)
            },
            SearchQuery { near: Some(c), ..base(text) },
            SearchQuery { near: Some(c), radius_m: Some(5000.0), ..base(text) },
            // Few enough places to be searched among.
            SearchQuery { bbox: Some(BBox { west: 131.78, south: 33.98, east: 131.82, north: 34.02 }), ..base(text) },
            SearchQuery { near: Some(c), radius_m: Some(2500.0), ..base(text) },
            SearchQuery {
                near: Some(c),
                radius_m: Some(2500.0),
                categories: vec![CategoryFilter::Category(kinds[0].2)],
                ..base(text)
            },
        ];
        for q in queries {
            if let Some([merged, by_parts]) = query::parts_both_ways(&cx, &q) {
                assert_eq!(merged, by_parts, "{q:?}");
                parts += usize::from(!merged.is_empty());
                continue;
            }
            let (ways, counted, [best, best_kept]) = query::one_part_every_way(&cx, &q).expect("a one-part text");
            let (merged, others) = ways.split_first().unwrap();
            assert!(others.iter().all(|w| w == merged), "{q:?}: {ways:?}");
            assert_eq!(counted, merged.len(), "{q:?}");
            assert_eq!(best_kept, best, "{q:?}");
            checked += usize::from(!merged.is_empty());
            among_places += usize::from(ways.len() == 4 && !merged.is_empty());
        }
    }
    assert!(checked >= 40, "too few queries matched anything: {checked}");
    assert!(among_places >= 8, "too few queries matched among places: {among_places}");
    assert!(parts >= 30, "too few texts of several parts matched anything: {parts}");
}

/// The topic terms kept for a word reach the same facilities as every
/// term containing it, and a word said to be covered adds none, on an
/// index of random 診療科目 over two segments with deletions.
#[test]
fn topic_terms_left_out_reach_no_facility_the_kept_ones_miss() {
    use tantivy::collector::DocSetCollector;
    let dir = tempfile::tempdir().unwrap();
    let index = SearchIndex::open(dir.path(), japanese().clone(), Areas::default()).unwrap();
    let mut next = xorshift(0x9e37_79b9_7f4a_7c15);
    let departments = ["歯科", "小児歯科", "矯正歯科", "内科", "心療内科", "消化器内科", "小児科"];
    let make = |id: i64, next: &mut dyn FnMut() -> u64| {
        let mut f = facility(&format!("医院{id}"), None, Service::HomeNursing, 34.0, 131.8);
        let bits = next();
        f.departments =
            departments.iter().enumerate().filter(|(i, _)| bits & (1 << i) != 0).map(|(_, d)| d.to_string()).collect();
        // 小児歯科 always with 歯科; 心療内科 with 内科 in the first segment only.
        for (with, also) in [("小児歯科", "歯科"), ("心療内科", "内科")] {
            let has = |d: &str| f.departments.iter().any(|x| x == d);
            if (also == "歯科" || id <= 100) && has(with) && !has(also) {
                f.departments.push(also.into());
            }
        }
        doc(id, f)
    };
    let first: Vec<IndexDoc> = (1..=100).map(|id| make(id, &mut next)).collect();
    index.rebuild(first.into_iter().map(Ok::<_, String>), 1).unwrap();
    let second: Vec<IndexDoc> = (101..=160).map(|id| make(id, &mut next)).collect();
    index.apply(second, &[5, 6, 120], 2).unwrap();
    let side = index.current();
    let cx = index.context(&side);
    assert!(cx.searcher.segment_readers().len() >= 2);
    let docs = |field, terms: &[&str]| {
        let mut all = std::collections::BTreeSet::new();
        for t in terms {
            let q = tantivy::query::TermQuery::new(query::term(field, t), tantivy::schema::IndexRecordOption::Basic);
            all.extend(cx.searcher.search(&q, &DocSetCollector).unwrap());
        }
        all
    };
    let mut left_out = 0;
    for word in ["歯科", "内科", "科", "小児", "小児歯科", "心療内科"] {
        let words = vec![japanese::fold(word)];
        let (kept, all) = side.topic_terms.reaching(&words, 1000);
        let every = side.topic_terms.containing(&words, 1000);
        assert!(all);
        left_out += every.len() - kept.len();
        assert_eq!(docs(cx.fields.topics_exact, &kept), docs(cx.fields.topics_exact, &every), "{word}");
        let word_docs = docs(cx.fields.topics, &[&words[0]]);
        if side.topic_terms.covers(&words, &words[0]) {
            assert!(word_docs.is_subset(&docs(cx.fields.topics_exact, &kept)), "{word}");
        }
    }
    assert!(left_out > 0, "no term was left out: the test shows nothing");
}

/// A phrase of bigrams matched term at a time holds only where its
/// bigrams follow one another, as tantivy's phrase query says: 「松中央下」
/// is in 「下松中央下松」, not in 「下松中央医院央下」, though all its bigrams are.
#[test]
fn bigram_phrases_term_at_a_time_agree_with_tantivy() {
    let dir = tempfile::tempdir().unwrap();
    let index = SearchIndex::open(dir.path(), japanese().clone(), Areas::default()).unwrap();
    let names = ["下松中央下松医院", "下松中央医院央下", "中央下松医院", "下松中ヶ中央医院", "下松中央医院"];
    let docs =
        names.iter().enumerate().map(|(i, n)| doc(i as i64 + 1, facility(n, None, Service::HomeNursing, 34.0, 131.8)));
    index.rebuild(docs.map(Ok::<_, String>), 1).unwrap();
    let side = index.current();
    let cx = index.context(&side);
    for t in ["松中央下", "下松中央", "松中央", "中央下松", "下松中ヶ中央", "央下松"] {
        let q = SearchQuery { text: Some(t.into()), limit: 10, ..SearchQuery::default() };
        let (ways, counted, [best, best_kept]) = query::one_part_every_way(&cx, &q).expect("a one-part text");
        assert!(ways.iter().all(|w| *w == ways[0]), "{t}: {ways:?}");
        assert_eq!(counted, ways[0].len(), "{t}");
        assert_eq!(best_kept, best, "{t}");
    }
}

/// The name order is the order of the name-order keys, then ids, across
/// segments whose dictionaries each hold a part of the names (some in
/// both, some deleted): the ranks merged from them agree with sorting the
/// keys themselves.
#[test]
fn name_order_ranks_merge_the_segments_dictionaries() {
    let dir = tempfile::tempdir().unwrap();
    let index = SearchIndex::open(dir.path(), japanese().clone(), Areas::default()).unwrap();
    let mut next = xorshift(0x2545_f491_4f6c_dd1d);
    let names = ["さくら薬局", "あおば歯科", "みどり医院", "サクラ薬局", "ひまわり訪問看護", "あおば歯科", "桜町病院"];
    let mut make = |id: i64| {
        let name = names[(next() % names.len() as u64) as usize];
        doc(id, facility(&format!("{name}{}", next() % 4), None, Service::HomeNursing, 34.0, 131.8))
    };
    let first: Vec<IndexDoc> = (1..=60).map(&mut make).collect();
    index.rebuild(first.into_iter().map(Ok::<_, String>), 1).unwrap();
    let second: Vec<IndexDoc> = (61..=90).map(&mut make).collect();
    index.apply(second, &[3, 4], 2).unwrap();
    // Ids 5–12 again, now in the newest segment beside older equal names.
    let third: Vec<IndexDoc> = (91..=100).chain(5..=12).map(&mut make).collect();
    index.apply(third, &[70], 3).unwrap();
    let side = index.current();
    assert!(side.searcher.segment_readers().len() >= 3);
    let field = side.searcher.schema().get_field_name(index.fields.name_order).to_string();
    let mut keyed: Vec<(String, u64, u32)> = Vec::new();
    for (i, e) in side.entries.iter().enumerate() {
        let reader = side.searcher.segment_reader(e.doc.segment_ord);
        let col = reader.fast_fields().str(&field).unwrap().unwrap();
        let mut key = String::new();
        let ord = col.term_ords(e.doc.doc_id).next().unwrap();
        col.ord_to_str(ord, &mut key).unwrap();
        keyed.push((key, e.id, i as u32));
    }
    assert_eq!(keyed.len(), 97);
    keyed.sort();
    let by_rank: Vec<u32> = {
        let mut r: Vec<u32> = (0..side.entries.len() as u32).collect();
        r.sort_by_key(|&i| side.orders[i as usize]);
        r
    };
    assert_eq!(by_rank, keyed.iter().map(|k| k.2).collect::<Vec<_>>());
}

/// The document stores are read, not mapped (see `directory.rs`): after
/// cards were fetched, the process maps the index's other files but no
/// store.
#[test]
fn document_stores_are_read_not_mapped() {
    let dir = tempfile::tempdir().unwrap();
    let index = SearchIndex::open(dir.path(), japanese().clone(), Areas::default()).unwrap();
    let docs =
        (1..=50).map(|id| doc(id, facility(&format!("みどり薬局{id}"), None, Service::HomeNursing, 34.0, 131.8)));
    index.rebuild(docs.map(Ok::<_, String>), 1).unwrap();
    assert_eq!(text(&index, "みどり薬局").len(), 20);
    assert_eq!(index.card(7).unwrap().name, "みどり薬局7");
    let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
    let root = dir.path().to_str().unwrap();
    let ours: Vec<&str> = maps.lines().filter(|l| l.contains(root)).collect();
    assert!(ours.iter().any(|l| l.ends_with(".idx")), "{ours:?}");
    assert!(!ours.iter().any(|l| l.ends_with(".store")), "{ours:?}");
}

/// A name or reading is found by any beginning of up to
/// [`schema::PREFIX_CHARS`] characters, short ones as prefix terms, longer
/// ones among the wholes that start with them, in every segment; a name's
/// corporation is no beginning of it (only the whole name with it is).
/// Checked against the definition for every beginning of every name and
/// reading.
#[test]
fn names_and_readings_match_by_every_beginning() {
    use japanese::fold_whole;
    let dir = tempfile::tempdir().unwrap();
    let index = SearchIndex::open(dir.path(), japanese().clone(), Areas::default()).unwrap();
    // (id, name, reading, the names a beginning of which reaches it)
    let named: &[(i64, &str, Option<&str>, &[&str])] = &[
        (1, "さくらまちクリニック本院", None, &["さくらまちクリニック本院"]),
        (2, "医療法人社団桜会さくらまち眼科", None, &["さくらまち眼科"]),
        (6, "さくらまち訪問看護ステーション", None, &["さくらまち訪問看護ステーション"]),
        (3, "さくらまちクリニック分院", None, &["さくらまちクリニック分院"]),
        (4, "さくらまちクリニック本院前薬局", None, &["さくらまちクリニック本院前薬局"]),
        (
            5,
            "桜町記念病院附属診療所",
            Some("サクラマチキネンビョウインフゾクシンリョウジョ"),
            &["桜町記念病院附属診療所"],
        ),
    ];
    let make = |&(id, name, kana, _): &(i64, &str, Option<&str>, &[&str])| {
        doc(id, facility(name, kana, Service::HouseCall, 34.0, 131.8))
    };
    // Two segments, each with long beginnings of its own.
    index.rebuild(named[..3].iter().map(make).map(Ok::<_, String>), 1).unwrap();
    index.apply(named[3..].iter().map(make).collect(), &[], 2).unwrap();
    assert!(index.current().searcher.segment_readers().len() >= 2);
    let scored = |q: &str| -> Vec<(i64, f32)> {
        let query = SearchQuery { text: Some(q.into()), limit: 20, ..SearchQuery::default() };
        index.search(&query).unwrap().hits.iter().map(|h| (h.card.id, h.score)).collect()
    };
    let beginnings = |s: &str| -> Vec<String> {
        let chars: Vec<char> = s.chars().collect();
        (1..=chars.len()).map(|n| chars[..n].iter().collect()).collect()
    };
    let mut long = 0;
    for &(_, name, _, _) in named {
        for typed in beginnings(name) {
            let t = fold_whole(&typed);
            let mut expected: Vec<i64> = named
                .iter()
                .filter(|(_, whole, _, prefixable)| {
                    fold_whole(whole) == t
                        || (t.chars().count() <= schema::PREFIX_CHARS
                            && prefixable.iter().any(|p| fold_whole(p).starts_with(&t)))
                })
                .map(|n| n.0)
                .collect();
            expected.sort();
            let mut got: Vec<i64> =
                scored(&typed).into_iter().filter(|(_, s)| *s >= tier::PREFIX).map(|(id, _)| id).collect();
            got.sort();
            assert_eq!(got, expected, "{typed}");
            long += usize::from(t.chars().count() > schema::INDEXED_PREFIX_CHARS && !expected.is_empty());
        }
    }
    assert!(long >= 20, "{long} long beginnings matched");
    // Readings typed in kana, behind their mark in the same field (the
    // whole one reaches its exact tier, above the prefix tiers).
    let reading = "サクラマチキネンビョウインフゾクシンリョウジョ";
    for typed in beginnings(reading).into_iter().skip(1) {
        let reached = scored(&typed).iter().any(|&(id, s)| id == 5 && s >= tier::READING_PREFIX);
        let whole = typed == reading;
        assert_eq!(reached, whole || fold_whole(&typed).chars().count() <= schema::PREFIX_CHARS, "{typed}");
    }
}

/// A reading's beginnings end on a syllable: 「勝浦市」 (カツウラシ) is not
/// the start of 勝浦昭和町歯科 (カツウラショウワ…), though folded for small
/// kana シ is the start of シヨウワ; 「かつうらしょ」 and 「かつうら」 are.
#[test]
fn a_reading_begins_at_a_syllable() {
    let dir = tempfile::tempdir().unwrap();
    let index = SearchIndex::open(dir.path(), japanese().clone(), Areas::default()).unwrap();
    let make = |id, name, kana| doc(id, facility(name, Some(kana), Service::HouseCall, 34.0, 131.8));
    let docs = vec![
        make(1, "勝浦昭和町歯科", "カツウラショウワチョウシカ"),
        make(2, "勝浦市民病院", "カツウラシミンビョウイン"),
    ];
    index.rebuild(docs.into_iter().map(Ok::<_, String>), 1).unwrap();
    let best = |q: &str| -> Vec<(i64, f32)> {
        let query = SearchQuery { text: Some(q.into()), limit: 20, ..SearchQuery::default() };
        index.search(&query).unwrap().hits.iter().map(|h| (h.card.id, h.score)).collect()
    };
    let reached = |q: &str, id: i64, at: f32| best(q).iter().any(|&(i, s)| i == id && s >= at);
    assert_eq!(japanese().reading("勝浦市"), "カツウラシ");
    assert!(!reached("勝浦市", 1, 0.0), "{:?}", best("勝浦市"));
    assert!(reached("勝浦市", 2, tier::KANJI_READING_PREFIX));
    assert!(reached("かつうらしょ", 1, tier::READING_PREFIX));
    assert!(reached("かつうらしよ", 1, tier::READING_PREFIX), "small kana typed large");
    assert!(reached("かつうら", 1, tier::READING_PREFIX));
    assert!(reached("ｶﾂｳﾗｼｮｳ", 1, tier::READING_PREFIX));
    // Typed in kana, a beginning inside a syllable is still a part of the reading.
    assert!(reached("かつうらし", 1, tier::READING) && !reached("かつうらし", 1, tier::READING_PREFIX));
}

/// A number is found by its last six digits or more (typed whole, without
/// the area code, or any tail of it): the binary search over reversed
/// digits agrees with checking every number's ending, for numbers of all
/// lengths (past 16 digits, only the last 16 count).
#[test]
fn phones_are_found_by_their_endings() {
    let mut next = xorshift(0x9e37_79b9_7f4a_7c15);
    let numbers: Vec<String> = (0..3000)
        .map(|i| {
            let len = [6, 9, 10, 11, 18][i % 5];
            // Few distinct endings, so that many numbers share them.
            (0..len).map(|_| char::from(b'0' + [0, 1, 3, 8][(next() % 4) as usize])).collect()
        })
        .collect();
    let phones = side::Phones::new(numbers.iter().enumerate().map(|(i, n)| (side::Phones::key(n), i as u32)).collect());
    let last16 = |s: &str| s[s.len().saturating_sub(16)..].to_string();
    let mut found = 0;
    for typed in numbers.iter().step_by(7).flat_map(|n| [n.clone(), n[n.len() - 6..].to_string(), n[2..].to_string()]) {
        let t = last16(&typed);
        let expected: Vec<u32> =
            (0..numbers.len() as u32).filter(|&i| last16(&numbers[i as usize]).ends_with(&t)).collect();
        assert_eq!(phones.ending_in(&typed), expected, "{typed}");
        found += expected.len();
    }
    assert!(found > 2000, "{found}");
    assert!(phones.ending_in("").is_empty() && phones.ending_in("999999").is_empty());
}

/// A place written with kana is one word, not a verb and particles for a
/// query to be cut at: 「南あわじ」 (南 + あわ|じ), 「東かがわ市」 (か|が|わ).
#[test]
fn places_written_with_kana_are_not_cut_at_their_kana() {
    let places = side::kana_places(&["南あわじ市".into(), "東かがわ市".into(), "下松市".into(), "いの町".into()]);
    assert_eq!(places, ["いの", "南あわじ", "東かがわ"]);
    let apart = |t: &str, at_words| query::words_apart(japanese(), &places, t, at_words);
    let without = |t: &str| query::words_apart(japanese(), &[], t, false);
    assert_eq!(without("南あわじ").as_deref(), Some("南"), "what the dictionary alone makes of it");
    assert_eq!(apart("南あわじ", false), None);
    assert_eq!(apart("兵庫県南あわじ市", false), None);
    assert_eq!(apart("南あわじ市の眼科", false).as_deref(), Some("南あわじ市 眼科"));
    assert_eq!(apart("東かがわ市で往診してくれる病院", false).as_deref(), Some("東かがわ市 往診 病院"));
    assert_eq!(apart("吾川郡いの町の訪問看護", false).as_deref(), Some("吾川郡いの町 訪問看護"));
    // Particles elsewhere are still left out.
    assert_eq!(apart("下松市の訪問看護", false).as_deref(), Some("下松市 訪問看護"));
}

/// Nearest facilities with no place to keep to count every facility the
/// filter keeps, wherever it is: counted in bits for categories alone,
/// the same as a count of the model (hidden and professional-only ones,
/// deleted and replaced ones, over two segments).
#[test]
fn nearest_with_categories_count_what_the_filter_keeps() {
    use tsunagi_domain::{CategoryFilter, Visibility};
    let dir = tempfile::tempdir().unwrap();
    let index = SearchIndex::open(dir.path(), japanese().clone(), Areas::default()).unwrap();
    let mut next = xorshift(0x9e37_79b9_7f4a_7c15);
    let mut model: std::collections::BTreeMap<i64, (Category, Visibility)> = Default::default();
    let mut make = |id: i64, next: &mut dyn FnMut() -> u64| {
        let category = Category::ALL[(next() % 5) as usize];
        let lat = 33.9 + (next() % 2000) as f64 / 10_000.0;
        let lng = 131.7 + (next() % 2000) as f64 / 10_000.0;
        let mut f = facility(&format!("あおば{id}"), None, Service::HomeNursing, lat, lng);
        f.add_category(category);
        f.visibility = match next() % 8 {
            0 => Visibility::Hidden,
            1 => Visibility::Professionals,
            _ => Visibility::Public,
        };
        model.insert(id, (category, f.visibility));
        doc(id, f)
    };
    let docs: Vec<IndexDoc> = (1..=200).map(|id| make(id, &mut next)).collect();
    index.rebuild(docs.into_iter().map(Ok::<_, String>), 1).unwrap();
    // A second segment: some replaced, some new, some deleted.
    let changed: Vec<IndexDoc> = [5, 17, 18, 99, 201, 202, 203].into_iter().map(|id| make(id, &mut next)).collect();
    index.apply(changed, &[7, 150], 2).unwrap();
    model.remove(&7);
    model.remove(&150);
    let near = GeoPoint::new(34.0, 131.8);
    let asks = [vec![], vec![Category::ALL[0]], vec![Category::ALL[1], Category::ALL[3]], Category::ALL[..5].to_vec()];
    for categories in asks {
        for include_professional in [false, true] {
            let q = SearchQuery {
                near: Some(near),
                categories: categories.iter().map(|&c| CategoryFilter::Category(c)).collect(),
                include_professional,
                limit: 5,
                ..SearchQuery::default()
            };
            let want = model
                .values()
                .filter(|(c, _)| categories.is_empty() || categories.contains(c))
                .filter(|(_, v)| *v == Visibility::Public || include_professional && *v == Visibility::Professionals)
                .count();
            let found = index.search(&q).unwrap();
            assert_eq!(found.total, want, "{categories:?}, professionals {include_professional}");
            assert_eq!(found.hits.len(), want.min(5));
        }
    }
}
