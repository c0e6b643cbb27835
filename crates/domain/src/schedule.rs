//! Opening hours and closed days, and whether a facility is open at a moment.
//!
//! The published forms differ (「月火水金土」 + 「09:00」 + 「18:00」 in the
//! municipal lists, day fractions such as 0.375 from Excel, per-department
//! slots and 第n週 closed flags in 医療情報ネット), so parsing helpers for all
//! of them live here, next to the type they fill.
//!
//! The answer to "open at t?" is three-valued: when a facility's hours are
//! not known, or the moment is a public holiday and the list says nothing
//! about holidays, the answer is [`OpenState::Unknown`], never `Closed`.

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use serde::{Deserialize, Serialize};
use std::fmt;

use crate::normalize::nfkc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Day {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
    Holiday,
}

impl Day {
    pub const WEEK: [Day; 7] = [Day::Mon, Day::Tue, Day::Wed, Day::Thu, Day::Fri, Day::Sat, Day::Sun];
    pub const ALL: [Day; 8] = [Day::Mon, Day::Tue, Day::Wed, Day::Thu, Day::Fri, Day::Sat, Day::Sun, Day::Holiday];

    /// The one-character Japanese name: 月 … 日, 祝.
    pub fn ja(self) -> &'static str {
        ["月", "火", "水", "木", "金", "土", "日", "祝"][self as usize]
    }

    pub fn from_ja(c: char) -> Option<Day> {
        "月火水木金土日祝".chars().position(|d| d == c).map(|i| Day::ALL[i])
    }

    pub fn of(date: NaiveDate) -> Day {
        Day::WEEK[date.weekday().num_days_from_monday() as usize]
    }

    fn bit(self) -> u8 {
        1 << self as u8
    }
}

/// A set of [`Day`]s.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Days(u8);

impl Days {
    pub const NONE: Days = Days(0);
    pub const WEEKDAYS: Days = Days(0b0001_1111);
    pub const EVERY_DAY: Days = Days(0b0111_1111);

    pub fn of(days: &[Day]) -> Days {
        Days(days.iter().fold(0, |m, d| m | d.bit()))
    }

    pub fn contains(self, d: Day) -> bool {
        self.0 & d.bit() != 0
    }

    pub fn insert(&mut self, d: Day) {
        self.0 |= d.bit();
    }

    pub fn union(self, other: Days) -> Days {
        Days(self.0 | other.0)
    }

    pub fn is_empty(&self) -> bool {
        self.0 == 0
    }

    pub fn iter(self) -> impl Iterator<Item = Day> {
        Day::ALL.into_iter().filter(move |d| self.contains(*d))
    }

    pub fn bits(self) -> u8 {
        self.0
    }
}

impl fmt::Display for Days {
    /// 「月火水金土」, as the municipal lists write it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.iter().try_for_each(|d| f.write_str(d.ja()))
    }
}

/// A time of day in minutes after midnight. Values past 24:00 (up to 48:00)
/// mean the next morning: a slot 18:00–26:00 closes at 2:00.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Time(u16);

impl Time {
    pub fn hm(h: u16, m: u16) -> Option<Time> {
        (m < 60 && h * 60 + m <= 48 * 60).then_some(Time(h * 60 + m))
    }

    pub fn minutes(self) -> u16 {
        self.0
    }

    pub fn from_minutes(m: u16) -> Option<Time> {
        (m <= 48 * 60).then_some(Time(m))
    }
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{:02}", self.0 / 60, self.0 % 60)
    }
}

impl Serialize for Time {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{:02}:{:02}", self.0 / 60, self.0 % 60))
    }
}

impl<'de> Deserialize<'de> for Time {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Time, D::Error> {
        let s = String::deserialize(d)?;
        parse_time(&s).ok_or_else(|| serde::de::Error::custom(format!("not a time: {s}")))
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlotKind {
    /// 診療時間 / 営業時間.
    #[default]
    Open,
    /// 外来受付時間 (reception, often starting before the doctor).
    Reception,
}

/// Open from `open` to `close` on every day in `days`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    pub days: Days,
    pub open: Time,
    pub close: Time,
    #[serde(default, skip_serializing_if = "is_default")]
    pub kind: SlotKind,
    /// What the slot is for, e.g. a department (小児科).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

fn is_default<T: Default + PartialEq>(t: &T) -> bool {
    *t == T::default()
}

/// A yearly closed period, month/day to month/day inclusive (may wrap the year).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateSpan {
    pub from: (u8, u8),
    pub to: (u8, u8),
}

impl DateSpan {
    pub fn contains(self, date: NaiveDate) -> bool {
        let md = (date.month() as u8, date.day() as u8);
        if self.from <= self.to { self.from <= md && md <= self.to } else { md >= self.from || md <= self.to }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClosedDays {
    /// Closed every week on these days (定休日).
    #[serde(default, skip_serializing_if = "Days::is_empty")]
    pub weekly: Days,
    /// Closed on these days of the n-th week of the month (第1週 … 第5週).
    #[serde(default, skip_serializing_if = "no_nth")]
    pub nth_week: [Days; 5],
    /// `Some(true)`: closed on public holidays; `Some(false)`: open as usual;
    /// `None`: the list does not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holidays: Option<bool>,
    /// Yearly closed periods read from the text (年末年始, 8月13日～8月16日 …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dates: Vec<DateSpan>,
    /// The closed-days text as published (その他の休診日).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

fn no_nth(n: &[Days; 5]) -> bool {
    n.iter().all(|d| d.is_empty())
}

impl ClosedDays {
    pub fn is_empty(&self) -> bool {
        *self == ClosedDays::default()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub slots: Vec<Slot>,
    #[serde(default, skip_serializing_if = "ClosedDays::is_empty")]
    pub closed: ClosedDays,
    /// 診療日時特記事項 / 利用可能曜日特記事項 as published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// 時間外における対応.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_hours: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpenState {
    Open,
    Closed,
    Unknown,
}

pub fn is_holiday(date: NaiveDate) -> bool {
    jpholiday::jpholiday::JPHoliday::new().is_holiday(&date)
}

pub fn holiday_name(date: NaiveDate) -> Option<String> {
    jpholiday::jpholiday::JPHoliday::new().is_holiday_name(&date)
}

/// A moment to test opening hours against, with its holidays looked up
/// once (a search tests one moment against many schedules).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Moment {
    pub at: NaiveDateTime,
    holiday: bool,
    holiday_before: bool,
}

impl Moment {
    pub fn new(at: NaiveDateTime) -> Moment {
        let date = at.date();
        Moment { at, holiday: is_holiday(date), holiday_before: date.pred_opt().is_some_and(is_holiday) }
    }

    pub fn is_holiday(&self) -> bool {
        self.holiday
    }
}

impl Schedule {
    pub fn is_empty(&self) -> bool {
        *self == Schedule::default()
    }

    /// True when we know at least on which days it opens.
    pub fn has_hours(&self) -> bool {
        !self.slots.is_empty()
    }

    /// Adds a slot, folding it into an existing one with the same times.
    pub fn add_slot(&mut self, slot: Slot) {
        if slot.days.is_empty() {
            return;
        }
        if let Some(s) = self
            .slots
            .iter_mut()
            .find(|s| s.open == slot.open && s.close == slot.close && s.kind == slot.kind && s.label == slot.label)
        {
            s.days = s.days.union(slot.days);
        } else {
            self.slots.push(slot);
        }
    }

    /// The slots that say when it is open: 診療 slots, or reception slots
    /// when nothing else is known.
    fn open_slots(&self) -> impl Iterator<Item = &Slot> {
        let has_open = self.slots.iter().any(|s| s.kind == SlotKind::Open);
        self.slots.iter().filter(move |s| s.kind == SlotKind::Open || !has_open)
    }

    /// Is it open at this moment (Japan local time)?
    pub fn state_at(&self, m: &Moment) -> OpenState {
        let date = m.at.date();
        let minute = (m.at.hour() * 60 + m.at.minute()) as u16;
        let day = self.day_state(date, m.holiday, minute);
        if day == OpenState::Open {
            return day;
        }
        // A slot from yesterday that runs past midnight.
        if let Some(prev) = date.pred_opt()
            && self.slots.iter().any(|s| s.close.minutes() > 24 * 60)
            && self.day_state(prev, m.holiday_before, minute + 24 * 60) == OpenState::Open
        {
            return OpenState::Open;
        }
        day
    }

    fn day_state(&self, date: NaiveDate, holiday: bool, minute: u16) -> OpenState {
        let c = &self.closed;
        let weekday = Day::of(date);
        let week = ((date.day() - 1) / 7) as usize;
        if c.dates.iter().any(|span| span.contains(date)) {
            return OpenState::Closed;
        }
        if holiday && c.holidays == Some(true) {
            return OpenState::Closed;
        }
        let holiday_slots = self.open_slots().any(|s| s.days.contains(Day::Holiday));
        let day = if holiday && holiday_slots { Day::Holiday } else { weekday };
        if day != Day::Holiday && (c.weekly.contains(weekday) || c.nth_week[week].contains(weekday)) {
            return OpenState::Closed;
        }
        if !self.has_hours() {
            return OpenState::Unknown;
        }
        if holiday && !holiday_slots && c.holidays != Some(false) {
            // The list gives weekday hours and says nothing about holidays.
            return OpenState::Unknown;
        }
        let open =
            self.open_slots().any(|s| s.days.contains(day) && s.open.minutes() <= minute && minute < s.close.minutes());
        if open { OpenState::Open } else { OpenState::Closed }
    }
}

/// Reads a time as lists write it: 「9:00」, 「09:00:00」, 「９：００」, 「9時30分」,
/// 「0900」, or an Excel day fraction 「0.375」 (= 9:00).
pub fn parse_time(s: &str) -> Option<Time> {
    let s = nfkc(s).trim().replace(' ', "");
    if s.is_empty() {
        return None;
    }
    if let Some(frac) = s.strip_prefix("0.").or_else(|| s.strip_prefix('.')) {
        let f: f64 = format!("0.{frac}").parse().ok()?;
        return Time::from_minutes((f * 1440.0).round() as u16);
    }
    if s == "1" || s == "1.0" {
        return Time::hm(24, 0);
    }
    let (h, m) = if let Some((h, rest)) = s.split_once(':') {
        let m = rest.split(':').next()?;
        (h.to_string(), m.to_string())
    } else if let Some((h, rest)) = s.split_once('時') {
        let m = rest.trim_end_matches('分');
        (
            h.to_string(),
            if m.is_empty() {
                "0".into()
            } else if m == "半" {
                "30".into()
            } else {
                m.to_string()
            },
        )
    } else if s.len() == 4 && s.chars().all(|c| c.is_ascii_digit()) {
        (s[..2].to_string(), s[2..].to_string())
    } else if s.len() <= 2 && s.chars().all(|c| c.is_ascii_digit()) {
        (s.clone(), "0".into())
    } else {
        return None;
    };
    let h: u16 = h.strip_prefix("翌").map_or(h.parse().ok(), |h| h.parse::<u16>().ok().map(|h| h + 24))?;
    Time::hm(h, m.parse().ok()?)
}

/// Reads one or more time ranges: 「9:00～12:00、14:00～18:00」.
pub fn parse_time_ranges(s: &str) -> Option<Vec<(Time, Time)>> {
    let s = nfkc(s);
    let mut out = Vec::new();
    for part in s.split([',', '、', '/', '・', ' ', '\n']).filter(|p| !p.trim().is_empty()) {
        let (a, b) = part.split_once(['~', '-', '－', '–', '〜'])?;
        let (a, b) = (parse_time(a)?, parse_time(b)?);
        out.push((a, b));
    }
    (!out.is_empty()).then_some(out)
}

/// Reads a set of days: 「月火水金土」, 「月～金」, 「平日,土曜日,祝日」,
/// 「月・水・金」, 「毎日」. Returns `None` when the text says something else
/// (the caller keeps it as a note).
pub fn parse_days(s: &str) -> Option<Days> {
    let s = nfkc(s);
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let mut days = Days::NONE;
    let mut rest = s
        .replace("曜日", "")
        .replace('曜', "")
        .replace("祝祭日", "祝")
        .replace("祝日", "祝")
        .replace("及び", "")
        .replace("から", "~")
        .replace('と', "");
    for (word, set) in
        [("年中無休", Days(0xff)), ("365日", Days(0xff)), ("毎日", Days::EVERY_DAY), ("平日", Days::WEEKDAYS)]
    {
        if rest.contains(word) {
            days = days.union(set);
            rest = rest.replace(word, "");
        }
    }
    let chars: Vec<char> = rest.chars().filter(|c| !matches!(c, ',' | '、' | '・' | ' ' | '/' | '.' | '。')).collect();
    let mut i = 0;
    while i < chars.len() {
        let d = Day::from_ja(chars[i])?;
        if matches!(chars.get(i + 1), Some('~' | '-'))
            && let Some(e) = chars.get(i + 2).and_then(|&c| Day::from_ja(c))
        {
            let (a, b) = (d as usize, e as usize);
            if a <= b && b < 7 {
                for x in &Day::WEEK[a..=b] {
                    days.insert(*x);
                }
                i += 3;
                continue;
            }
            return None;
        }
        days.insert(d);
        i += 1;
    }
    (!days.is_empty()).then_some(days)
}

/// Finds yearly closed periods in a closed-days text: 「12月29日～1月3日」,
/// 「1月1日，1月2日」, 「01月01日」, 年末年始 (12/29–1/3), お盆 (8/13–8/16).
pub fn parse_closed_dates(s: &str) -> Vec<DateSpan> {
    let s = nfkc(s);
    let mut out = Vec::new();
    if s.contains("年末年始") {
        out.push(DateSpan { from: (12, 29), to: (1, 3) });
    }
    if s.contains("お盆") || s.contains("盆休") {
        out.push(DateSpan { from: (8, 13), to: (8, 16) });
    }
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    let read_md = |i: &mut usize| -> Option<(u8, u8)> {
        let start = *i;
        let num = |i: &mut usize| -> Option<u8> {
            let st = *i;
            while *i < chars.len() && chars[*i].is_ascii_digit() {
                *i += 1;
            }
            chars[st..*i].iter().collect::<String>().parse().ok()
        };
        let m = num(i)?;
        if chars.get(*i) != Some(&'月') {
            *i = start;
            return None;
        }
        *i += 1;
        let d = num(i)?;
        if chars.get(*i) == Some(&'日') {
            *i += 1;
        }
        ((1..=12).contains(&m) && (1..=31).contains(&d)).then_some((m, d))
    };
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let save = i;
            if let Some(from) = read_md(&mut i) {
                let mut j = i;
                while j < chars.len() && matches!(chars[j], '~' | '-' | 'か' | 'ら' | ' ' | '翌' | '年' | 'の') {
                    j += 1;
                }
                let mut to = from;
                if j > i
                    && let Some(md) = read_md(&mut j)
                {
                    to = md;
                    i = j;
                }
                out.push(DateSpan { from, to });
                continue;
            }
            i = save;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
        } else {
            i += 1;
        }
    }
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Moment {
        Moment::new(NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap())
    }

    #[test]
    fn times() {
        let check =
            |s: &str, expect: Option<&str>| assert_eq!(parse_time(s).map(|t| t.to_string()).as_deref(), expect, "{s}");
        check("9:00", Some("9:00"));
        check("09:00:00", Some("9:00"));
        check("９：３０", Some("9:30"));
        check("0.375", Some("9:00"));
        check("0.7708333333", Some("18:30"));
        check("9時", Some("9:00"));
        check("9時30分", Some("9:30"));
        check("1830", Some("18:30"));
        check("24:00", Some("24:00"));
        check("翌2:00", Some("26:00"));
        check("", None);
        check("午前", None);
        check("9:75", None);
    }

    #[test]
    fn ranges() {
        let r = parse_time_ranges("9:00～12:00、14:00～18:00").unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(r[1].0.to_string(), "14:00");
        assert!(parse_time_ranges("午前のみ").is_none());
    }

    #[test]
    fn days() {
        let check =
            |s: &str, expect: Option<&str>| assert_eq!(parse_days(s).map(|d| d.to_string()).as_deref(), expect, "{s}");
        check("月火水金土", Some("月火水金土"));
        check("月～金", Some("月火水木金"));
        check("平日,土曜日,祝日", Some("月火水木金土祝"));
        check("月・水・金", Some("月水金"));
        check("月曜日～土曜日", Some("月火水木金土"));
        check("毎日", Some("月火水木金土日"));
        check("年中無休", Some("月火水木金土日祝"));
        check("随時", None);
    }

    #[test]
    fn closed_dates() {
        let d = parse_closed_dates("12月29日～1月3日、8月13日から8月15日");
        assert_eq!(d, vec![DateSpan { from: (12, 29), to: (1, 3) }, DateSpan { from: (8, 13), to: (8, 15) }]);
        assert_eq!(parse_closed_dates("12月29日から翌年の1月3日"), vec![DateSpan { from: (12, 29), to: (1, 3) }]);
        let d = parse_closed_dates("12月31日 ,12月30日, 1月1日（改行）01月02日");
        assert_eq!(d.len(), 4);
        assert!(
            parse_closed_dates("年末年始").iter().any(|s| s.contains(NaiveDate::from_ymd_opt(2027, 1, 2).unwrap()))
        );
    }

    fn clinic() -> Schedule {
        let mut s = Schedule::default();
        s.add_slot(Slot {
            days: parse_days("月火水金土").unwrap(),
            open: parse_time("9:00").unwrap(),
            close: parse_time("12:30").unwrap(),
            kind: SlotKind::Open,
            label: None,
        });
        s.add_slot(Slot {
            days: parse_days("月火水金").unwrap(),
            open: parse_time("14:00").unwrap(),
            close: parse_time("18:00").unwrap(),
            kind: SlotKind::Open,
            label: None,
        });
        s
    }

    #[test]
    fn open_at() {
        let s = clinic();
        // 2026-12-01 is a Tuesday.
        assert_eq!(s.state_at(&at("2026-12-01T10:00")), OpenState::Open);
        assert_eq!(s.state_at(&at("2026-12-01T13:00")), OpenState::Closed);
        assert_eq!(s.state_at(&at("2026-12-03T10:00")), OpenState::Closed, "Thursday");
        assert_eq!(s.state_at(&at("2026-12-05T15:00")), OpenState::Closed, "Saturday afternoon");
        // 2026-11-23 勤労感謝の日 is a Monday holiday: the list says nothing.
        assert_eq!(s.state_at(&at("2026-11-23T10:00")), OpenState::Unknown);
        assert_eq!(Schedule::default().state_at(&at("2026-12-01T10:00")), OpenState::Unknown);
    }

    #[test]
    fn nth_week_holidays_and_dates_close() {
        let mut s = clinic();
        s.closed.nth_week[1] = Days::of(&[Day::Sat]);
        s.closed.holidays = Some(true);
        s.closed.dates = parse_closed_dates("年末年始");
        // 2026-12-12 is the second Saturday, 12-05 the first.
        assert_eq!(s.state_at(&at("2026-12-12T10:00")), OpenState::Closed);
        assert_eq!(s.state_at(&at("2026-12-05T10:00")), OpenState::Open);
        assert_eq!(s.state_at(&at("2026-11-23T10:00")), OpenState::Closed);
        assert_eq!(s.state_at(&at("2026-12-29T10:00")), OpenState::Closed);
    }

    #[test]
    fn overnight_slots_run_past_midnight() {
        let mut s = Schedule::default();
        s.add_slot(Slot {
            days: Days::of(&[Day::Fri]),
            open: parse_time("18:00").unwrap(),
            close: parse_time("翌2:00").unwrap(),
            kind: SlotKind::Open,
            label: None,
        });
        assert_eq!(s.state_at(&at("2026-12-04T23:00")), OpenState::Open);
        assert_eq!(s.state_at(&at("2026-12-05T01:30")), OpenState::Open);
        assert_eq!(s.state_at(&at("2026-12-05T02:30")), OpenState::Closed);
    }
}
