//! 医療情報ネット specifics: closed-day flags (1 = open, 0 = closed — the
//! reverse of what 「休診」 in their names suggests), beds by type, the
//! pharmacies' hours on the facility row, and the 診療科・診療時間票 rows.
//!
//! The flags contradict each other in many rows (毎週（土）closed but every
//! 第n週（土） open). We never turn a contradiction into "closed": a day that
//! any flag says is open is open on the weeks that say so, and the
//! contradiction is reported.

use tsunagi_domain::normalize::{display, nfkc};
use tsunagi_domain::schedule::{Slot, SlotKind, parse_closed_dates, parse_time};
use tsunagi_domain::{Code, CodeScheme, Day, Days, Facility};

use crate::columns::Field;
use crate::convert::Row;
use crate::format::Format;
use crate::problem::{Problem, ProblemKind as K};

const WEEK_JA: [&str; 7] = ["月", "火", "水", "木", "金", "土", "日"];
const FULL_WIDTH_DIGITS: [&str; 5] = ["１", "２", "３", "４", "５"];

/// The facility-row columns of 施設票 and 薬局.
pub fn facility_row(r: &mut Row, f: &mut Facility, format: Format) {
    let pharmacy = format == Format::IryoPharmacy;
    let weekly_header = |d: &str| {
        if pharmacy { format!("営業日（{d}）") } else { format!("毎週決まった曜日に休診（{d}）") }
    };
    let nth_header = |n: usize, d: &str| {
        if pharmacy {
            format!("定期閉店第{}週（{d}）", FULL_WIDTH_DIGITS[n])
        } else {
            format!("決まった週に休診（定期週）第{}週（{d}）", n + 1)
        }
    };
    let closed = &mut f.schedule.closed;
    for (i, d) in WEEK_JA.iter().enumerate() {
        let day = Day::WEEK[i];
        let mut weekly = r.named(&weekly_header(d)).map(nfkc);
        if pharmacy && weekly.is_none() {
            weekly = r.named(&format!("定期閉店毎週（{d}）")).map(nfkc);
        }
        let nth: Vec<Option<String>> = (0..5).map(|n| r.named(&nth_header(n, d)).map(nfkc)).collect();
        let any_nth_open = nth.iter().any(|v| v.as_deref() == Some("1"));
        match weekly.as_deref() {
            Some("0") if any_nth_open => {
                let header = weekly_header(d);
                r.problems.push(Problem::new(
                    r.line,
                    Some(&header),
                    K::ContradictoryFlags,
                    format!(
                        "{header} は休みですが、第n週の欄では{d}曜日に開いている週があります（開いている週を採用）"
                    ),
                ));
                for (n, v) in nth.iter().enumerate() {
                    if v.as_deref() != Some("1") {
                        closed.nth_week[n].insert(day);
                    }
                }
            }
            Some("0") => closed.weekly.insert(day),
            _ => {
                for (n, v) in nth.iter().enumerate() {
                    if v.as_deref() == Some("0") {
                        closed.nth_week[n].insert(day);
                    }
                }
            }
        }
    }
    let holiday =
        if pharmacy { r.named("営業日（祝）").or_else(|| r.named("祝日")) } else { r.named("祝日に休診") };
    match holiday.map(nfkc).as_deref() {
        Some("0") => closed.holidays = Some(true),
        Some("1") => closed.holidays = Some(false),
        _ => {}
    }
    let other = if pharmacy {
        "その他の閉店日（gw、お盆等）"
    } else {
        "その他の休診日（gw、お盆等）"
    };
    if let Some(text) = r.named(other) {
        closed.dates = parse_closed_dates(text);
        closed.note = display(text);
    }
    if pharmacy {
        pharmacy_hours(r, f);
    } else {
        beds(r, f);
    }
}

fn pharmacy_hours(r: &mut Row, f: &mut Facility) {
    for (i, d) in WEEK_JA.iter().chain(["祝"].iter()).enumerate() {
        let day = Day::ALL[i];
        for n in 1..=4 {
            let (hs, he) = (format!("{d}_開店時間帯{n}_開始時間"), format!("{d}_開店時間帯{n}_終了時間"));
            let (Some(a), Some(b)) = (r.named(&hs), r.named(&he)) else {
                continue;
            };
            let (Some(open), Some(mut close)) = (parse_time(a), parse_time(b)) else {
                r.problems.push(Problem::new(
                    r.line,
                    Some(&hs),
                    K::InvalidTime,
                    format!("時間「{a}」〜「{b}」を読めません"),
                ));
                continue;
            };
            if open == close {
                r.problems.push(Problem::new(
                    r.line,
                    Some(&hs),
                    K::PlaceholderHours,
                    format!("{d}曜日の開店時間帯{n}は「{a}〜{b}」（未入力の印）なので使いません"),
                ));
                continue;
            }
            if close.minutes() == 23 * 60 + 59 {
                close = tsunagi_domain::Time::hm(24, 0).unwrap_or(close);
            }
            if close < open {
                close = tsunagi_domain::Time::from_minutes(close.minutes() + 24 * 60).unwrap_or(close);
            }
            f.schedule.add_slot(Slot { days: Days::of(&[day]), open, close, kind: SlotKind::Open, label: None });
        }
    }
}

const BED_TYPES: [(&str, &str); 7] = [
    ("一般病床", "一般"),
    ("療養病床", "療養"),
    ("療養病床のうち医療保険適用", "療養（医療保険）"),
    ("療養病床のうち介護保険適用", "療養（介護保険）"),
    ("精神病床", "精神"),
    ("結核病床", "結核"),
    ("感染症病床", "感染症"),
];

fn beds(r: &mut Row, f: &mut Facility) {
    let mut sum = 0;
    for (header, label) in BED_TYPES {
        if let Some(n) = r.named(header).and_then(|v| nfkc(v).parse::<u32>().ok())
            && n > 0
        {
            f.beds.by_type.insert(label.to_string(), n);
            if !header.contains("のうち") {
                sum += n;
            }
        }
    }
    if let Some(total) = f.beds.total
        && !f.beds.by_type.is_empty()
        && total != sum
    {
        let column = r.cols.header(Field::Beds).map(str::to_string);
        r.problems.push(Problem::new(
            r.line,
            column.as_deref(),
            K::BedTotalMismatch,
            format!("合計病床数 {total} が、種類ごとの病床数の合計 {sum} と合いません（そのまま保存）"),
        ));
    }
}

/// A 診療科・診療時間票 row: one department's times in one 時間帯, as a
/// patch for the facility with that 医療情報ネット ID.
pub fn hours_row(r: &mut Row) -> Result<Facility, Problem> {
    let Some(id) = r.get(Field::Id).and_then(tsunagi_domain::normalize::code) else {
        let column = r.cols.header(Field::Id);
        return Err(Problem::new(r.line, column, K::NoSuchFacility, "IDが空のため、どの施設の診療時間かわかりません")
            .skipping());
    };
    let mut f = Facility::new("");
    f.add_code(Code::new(CodeScheme::IryoJohoNet, id));
    let department = r.named("診療科目名").and_then(display);
    if let Some(d) = &department {
        f.departments.push(d.clone());
    }
    for (i, d) in WEEK_JA.iter().chain(["祝"].iter()).enumerate() {
        let day = Day::ALL[i];
        for (kind, what) in [(SlotKind::Open, "診療"), (SlotKind::Reception, "外来受付")] {
            let (hs, he) = (format!("{d}_{what}開始時間"), format!("{d}_{what}終了時間"));
            let (a, b) = (r.named(&hs), r.named(&he));
            let (open, close) = match (a.map(parse_time), b.map(parse_time)) {
                (None, None) => continue,
                (Some(Some(o)), Some(Some(c))) => (o, c),
                _ => {
                    r.problems.push(Problem::new(
                        r.line,
                        Some(&hs),
                        K::InvalidTime,
                        format!("{d}曜日の{what}時間「{}」〜「{}」を読めません", a.unwrap_or(""), b.unwrap_or("")),
                    ));
                    continue;
                }
            };
            if open >= close {
                r.problems.push(Problem::new(
                    r.line,
                    Some(&hs),
                    K::PlaceholderHours,
                    format!("{d}曜日の{what}時間「{open}〜{close}」は使えません"),
                ));
                continue;
            }
            f.schedule.add_slot(Slot { days: Days::of(&[day]), open, close, kind, label: department.clone() });
        }
    }
    Ok(f)
}
