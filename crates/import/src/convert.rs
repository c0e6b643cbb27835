//! One row of any layout → a [`Facility`] and the problems found in it.
//!
//! The common fields are read through [`Columns`] (by header name); the
//! layouts differ only in how they say what kind of place it is, which is
//! handled at the top of [`convert`], and in the 医療情報ネット flag
//! columns, which [`crate::mhlw`] reads.

use tsunagi_domain::normalize::{self, display, nfkc};
use tsunagi_domain::schedule::{Slot, SlotKind, parse_closed_dates, parse_days, parse_time, parse_time_ranges};
use tsunagi_domain::{
    Category, Code, CodeScheme, Facility, GeoPoint, GeoPrecision, Location, Service, ServiceOffer, codes,
};

use crate::columns::{Columns, Field};
use crate::format::Format;
use crate::mhlw;
use crate::problem::{Problem, ProblemKind as K};
use crate::reference::Reference;
use crate::table::RawRow;

/// A row being read: its cells, where the fields are, and what was found.
pub struct Row<'a> {
    pub line: u32,
    pub cells: &'a [String],
    pub cols: &'a Columns,
    pub problems: Vec<Problem>,
}

fn trimmed(s: &str) -> &str {
    let t = s.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}' || c == '\u{feff}');
    // 「-」, 「－」, 「―」 stand for "none" in many lists.
    if t.chars().all(|c| matches!(c, '-' | '－' | '―' | 'ー' | '‐' | '—' | '–')) { "" } else { t }
}

impl<'a> Row<'a> {
    pub fn new(row: &'a RawRow, cols: &'a Columns) -> Row<'a> {
        Row { line: row.line, cells: &row.cells, cols, problems: Vec::new() }
    }

    /// The trimmed, non-empty value of a field.
    pub fn get(&self, f: Field) -> Option<&'a str> {
        let i = self.cols.index(f)?;
        self.at(i)
    }

    pub fn at(&self, i: usize) -> Option<&'a str> {
        let v = trimmed(self.cells.get(i)?);
        (!v.is_empty()).then_some(v)
    }

    /// The value of a column given by its exact header.
    pub fn named(&self, header: &str) -> Option<&'a str> {
        self.at(self.cols.find(header)?)
    }

    pub fn text(&self, f: Field) -> Option<String> {
        self.get(f).and_then(display)
    }

    pub fn problem(&mut self, f: Option<Field>, kind: K, reason: impl Into<String>) {
        let column = f.and_then(|f| self.cols.header(f));
        self.problems.push(Problem::new(self.line, column, kind, reason));
    }
}

/// What a row became.
#[derive(Debug)]
pub struct Converted {
    pub facility: Facility,
    pub problems: Vec<Problem>,
    /// Only completes a facility already known (detail tables).
    pub existing_only: bool,
}

/// Converts one row, or says why it cannot be a listing.
pub fn convert(row: &RawRow, cols: &Columns, format: Format, reference: &Reference) -> Result<Converted, Problem> {
    let mut r = Row::new(row, cols);
    if format == Format::IryoHours {
        return mhlw::hours_row(&mut r).map(|facility| Converted {
            facility,
            problems: r.problems,
            existing_only: true,
        });
    }
    let Some(name) = r.text(Field::Name) else {
        let column = cols.header(Field::Name);
        return Err(Problem::new(row.line, column, K::BlankName, "名称が空のため取り込めません").skipping());
    };
    let mut f = Facility::new(name);
    f.name_kana = r.text(Field::Kana);
    f.name_en = r.text(Field::NameEn);
    f.name_short = r.text(Field::NameShort).filter(|s| *s != f.name);

    read_codes(&mut r, &mut f, format);
    read_address(&mut r, &mut f, reference);
    read_contact(&mut r, &mut f);
    read_schedule(&mut r, &mut f, format);
    read_numbers(&mut r, &mut f, format);
    f.disaster_role = r.text(Field::Disaster);
    f.status = r.text(Field::Status);
    f.image_url = r.text(Field::Image);
    f.image_licence = r.text(Field::ImageLicence);
    f.notes = r.text(Field::Notes);
    f.care_area = r.text(Field::CareArea);
    f.departments = r.get(Field::Departments).map(split_list).unwrap_or_default();

    match format {
        Format::IryoFacility | Format::IryoPharmacy => mhlw::facility_row(&mut r, &mut f, format),
        _ => read_attributes(&r, &mut f),
    }
    categorise(&mut r, &mut f, format);
    detect_home_care(&mut f);
    locate(&mut r, &mut f, reference);
    Ok(Converted { facility: f, problems: r.problems, existing_only: false })
}

fn read_codes(r: &mut Row, f: &mut Facility, format: Format) {
    let iryo = matches!(format, Format::IryoFacility | Format::IryoPharmacy);
    if let Some(id) = r.get(Field::Id).and_then(normalize::code) {
        if iryo {
            f.add_code(Code::new(CodeScheme::IryoJohoNet, id));
        } else if matches!(format, Format::JichitaiMedical | Format::JichitaiCare | Format::JichitaiPublicFacility) {
            // The 自治体標準 ID is meant to be stable; the 2017 「NO」 and the
            // English lists' #property are row numbers and are not codes.
            if let Some(publisher) = r.get(Field::PublisherCode).and_then(codes::municipality_code) {
                f.add_code(Code::new(CodeScheme::Local, format!("{publisher}:{id}")));
            }
        }
    }
    if let Some(code) = r.get(Field::MedicalCode).and_then(normalize::code) {
        if code.chars().all(|c| c.is_ascii_digit()) && code.len() >= 7 {
            f.add_code(Code::new(CodeScheme::MedicalInstitution, code));
        } else {
            r.problem(
                Some(Field::MedicalCode),
                K::InvalidNumber,
                format!("医療機関コード「{code}」は数字7〜10桁ではありません"),
            );
        }
    }
    if let Some(no) = r.get(Field::CareNumber).and_then(normalize::code) {
        let no = no.to_uppercase();
        if no.len() == 10 && no.chars().all(|c| c.is_ascii_alphanumeric()) {
            f.add_code(Code::new(CodeScheme::CareProvider, no));
        } else {
            r.problem(
                Some(Field::CareNumber),
                K::InvalidNumber,
                format!("事業所番号「{no}」は英数字10桁ではありません"),
            );
        }
    }
}

/// The prefecture the row is in, from whichever column says so.
fn prefecture_hint(r: &Row, reference: &Reference) -> Option<String> {
    let valid = |p: &str| normalize::PREFECTURES.contains(&p);
    if let Some(p) = r.text(Field::AddrPref).filter(|p| valid(p)) {
        return Some(p);
    }
    if let Some(p) = r.text(Field::PrefName).filter(|p| valid(p)) {
        return Some(p);
    }
    for f in [Field::PublisherCode, Field::LocationCode] {
        if let Some(v) = r.get(f) {
            // 「山口県」 in the code column (山口県's own lists).
            if valid(v) {
                return Some(v.to_string());
            }
            if let Some(code) = codes::municipality_code(v)
                && let Ok(n) = code[..2].parse::<usize>()
                && (1..=47).contains(&n)
            {
                return Some(normalize::PREFECTURES[n - 1].to_string());
            }
        }
    }
    if let Some(n) = r.get(Field::PrefCode).and_then(|v| nfkc(v).parse::<usize>().ok())
        && (1..=47).contains(&n)
    {
        return Some(normalize::PREFECTURES[n - 1].to_string());
    }
    let publisher = r.text(Field::PublisherName)?;
    normalize::split_prefecture(&publisher)
        .0
        .map(str::to_string)
        .or_else(|| reference.gazetteer.by_name(None, &publisher).map(|m| m.prefecture.clone()))
}

fn read_address(r: &mut Row, f: &mut Facility, reference: &Reference) {
    let a = &mut f.address;
    a.building = r.text(Field::Building);
    a.town = r.text(Field::AddrTown);
    a.block = r.get(Field::AddrBlock).and_then(normalize::address);
    a.town_id = r.text(Field::TownId);
    a.postal_code = r.get(Field::Postal).map(nfkc).map(|p| {
        let d: String = p.chars().filter(char::is_ascii_digit).collect();
        if d.len() == 7 { format!("{}-{}", &d[..3], &d[3..]) } else { p }
    });
    let parts = || -> Option<String> {
        let s: String = [Field::AddrPref, Field::AddrCity, Field::AddrTown, Field::AddrBlock]
            .into_iter()
            .filter_map(|x| r.get(x))
            .collect();
        normalize::address(&s)
    };
    let mut full = r.get(Field::Address).and_then(normalize::address).or_else(parts);
    // National care files repeat 方書 at the end of 住所.
    if let (Some(addr), Some(b)) = (full.as_mut(), a.building.as_deref())
        && let Some(b) = normalize::address(b)
    {
        let compact_b: String = b.split_whitespace().collect();
        for suffix in [b.as_str(), compact_b.as_str()] {
            if addr.len() > suffix.len() && addr.ends_with(suffix) {
                addr.truncate(addr.len() - suffix.len());
                *addr = addr.trim_end().to_string();
                break;
            }
        }
    }
    let pref = prefecture_hint(r, reference);
    let from_address =
        full.as_deref().and_then(|s| reference.gazetteer.split(pref.as_deref(), s)).map(|(m, _)| m.clone());
    let from_columns = r
        .get(Field::LocationCode)
        .and_then(|v| reference.gazetteer.by_code(v))
        .or_else(|| mhlw_code(r).and_then(|c| reference.gazetteer.by_code(&c)))
        .cloned();
    let from_name = r
        .text(Field::AddrCity)
        .or_else(|| r.text(Field::CityName))
        .and_then(|n| reference.gazetteer.by_name(pref.as_deref(), &n))
        .cloned();
    let from_publisher = r.get(Field::PublisherCode).and_then(|v| reference.gazetteer.by_code(v)).cloned();
    if let (Some(a), Some(b)) = (&from_columns, &from_address)
        && a.code != b.code
    {
        r.problem(
            Some(Field::LocationCode),
            K::MunicipalityMismatch,
            format!("所在地のコードは{}ですが、住所は{}です（住所を採用）", a.name, b.name),
        );
    }
    let m = from_address.or(from_columns).or(from_name).or(from_publisher);
    let a = &mut f.address;
    if let Some(m) = &m {
        a.municipality_code = Some(m.code.clone());
        a.municipality = r.text(Field::AddrCity).or_else(|| Some(m.name.clone()));
        a.prefecture = Some(m.prefecture.clone());
        if let Some(addr) = full.as_mut()
            && normalize::split_prefecture(addr).0.is_none()
        {
            // 「岩国市川西3-5-40」 → 「山口県岩国市川西3-5-40」.
            *addr = format!("{}{addr}", m.prefecture);
        }
    } else {
        a.prefecture = pref;
    }
    a.full = full;
}

/// 医療情報ネット writes 都道府県コード (2 digits) and 市区町村コード (3 digits).
fn mhlw_code(r: &Row) -> Option<String> {
    let city = nfkc(r.get(Field::CityCode)?);
    match city.len() {
        5 | 6 => Some(city),
        1..=3 => {
            let pref: u32 = nfkc(r.get(Field::PrefCode)?).parse().ok()?;
            let city: u32 = city.parse().ok()?;
            Some(format!("{pref:02}{city:03}"))
        }
        _ => None,
    }
}

fn read_contact(r: &mut Row, f: &mut Facility) {
    if let Some(p) = r.get(Field::Phone) {
        match normalize::phone(p).or_else(|| first_phone(p)) {
            Some(n) => {
                // 「【耳鼻咽喉科】(083)934-3800 【眼科】(083)934-3801」: the first
                // number is dialled, the whole text is shown.
                if normalize::phone(p).is_none() {
                    f.attributes.insert("電話番号（詳細）".into(), display(p).unwrap_or_default());
                }
                f.phone = Some(n);
            }
            None => {
                r.problem(
                    Some(Field::Phone),
                    K::InvalidPhone,
                    format!("電話番号「{p}」は番号として読めません（原文を別に保存）"),
                );
                f.attributes.insert("電話番号（原文）".into(), p.to_string());
            }
        }
    }
    if let Some(p) = r.get(Field::Fax) {
        match normalize::phone(p) {
            Some(p) => f.fax = Some(p),
            None => {
                r.problem(Some(Field::Fax), K::InvalidFax, format!("FAX番号「{p}」は番号として読めません"));
                f.attributes.insert("FAX番号（原文）".into(), p.to_string());
            }
        }
    }
    f.phone_ext = r.text(Field::Ext);
    if let Some(e) = r.get(Field::Email).map(nfkc) {
        if is_email(&e) {
            f.email = Some(e);
        } else {
            r.problem(Some(Field::Email), K::InvalidEmail, format!("メールアドレス「{e}」は正しくありません"));
        }
    }
    f.contact_form_url = r.get(Field::FormUrl).map(nfkc);
    f.contact_note = r.text(Field::ContactNote);
    if let Some(u) = r.get(Field::Url) {
        read_url(r, f, u);
    }
    if let Some(n) = r.get(Field::CorpNumber).map(|s| nfkc(s).trim().to_string()) {
        if codes::corporate_number_valid(&n) {
            f.corporate_number = Some(n);
        } else {
            r.problem(
                Some(Field::CorpNumber),
                K::InvalidCorporateNumber,
                format!("法人番号「{n}」は13桁の正しい番号ではありません"),
            );
        }
    }
    f.corporation_name = r.text(Field::CorpName);
}

/// The first phone number written inside a longer text.
fn first_phone(s: &str) -> Option<String> {
    let n = nfkc(s);
    n.split(|c: char| !(c.is_ascii_digit() || matches!(c, '-' | '(' | ')' | '‐' | '−'))).find_map(normalize::phone)
}

fn is_email(s: &str) -> bool {
    let s = s.trim();
    matches!(s.split_once('@'), Some((a, b)) if !a.is_empty() && b.contains('.') && !s.contains(char::is_whitespace))
}

/// The URL column also holds e-mail addresses, phone numbers, bare domains
/// and typos (「hppt://」, a full-width 「ｊｐ」).
fn read_url(r: &mut Row, f: &mut Facility, raw: &str) {
    let u = nfkc(raw).trim().to_string();
    if is_email(&u) && !u.contains("://") {
        r.problem(
            Some(Field::Url),
            K::UrlIsEmail,
            format!("URL欄の「{u}」はメールアドレスなので、メールとして保存しました"),
        );
        f.email.get_or_insert(u);
        return;
    }
    if normalize::phone(&u).is_some() {
        r.problem(Some(Field::Url), K::InvalidUrl, format!("URL欄の「{u}」は電話番号です"));
        return;
    }
    let lower = u.to_lowercase();
    let fixed = if lower.starts_with("http://") || lower.starts_with("https://") {
        u.clone()
    } else if let Some(rest) = ["hppt://", "htpp://", "htp://", "ttp://", "http//", "https//", "http:/"]
        .iter()
        .find_map(|t| lower.starts_with(t).then(|| &u[t.len()..]))
    {
        format!("http://{}", rest.trim_start_matches('/'))
    } else if u.contains('.') && !u.contains(char::is_whitespace) && u.chars().all(|c| c.is_ascii_graphic()) {
        format!("http://{u}")
    } else {
        r.problem(Some(Field::Url), K::InvalidUrl, format!("「{u}」はURLとして読めません"));
        f.attributes.insert("URL（原文）".into(), u);
        return;
    };
    if fixed != u {
        r.problem(Some(Field::Url), K::FixedUrl, format!("URL「{u}」を「{fixed}」として保存しました"));
    }
    f.url = Some(fixed);
}

/// 「内科、外科」, 「内科, 呼吸器内科」, 「内科;緩和」, 「内科・外科」.
fn split_list(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in nfkc(s).split(['、', ',', ';', '・', '/', '\n', ' ', '，']) {
        if let Some(p) = display(part)
            && !out.contains(&p)
        {
            out.push(p);
        }
    }
    out
}

fn read_schedule(r: &mut Row, f: &mut Facility, format: Format) {
    let days_text = r.text(Field::Days);
    let days = days_text.as_deref().and_then(parse_days);
    let s = &mut f.schedule;
    s.note = r.text(Field::HoursNote);
    s.after_hours = r.text(Field::AfterHours);
    let open = r.get(Field::Open);
    let close = r.get(Field::Close);
    let mut ranges: Vec<(tsunagi_domain::Time, tsunagi_domain::Time)> = Vec::new();
    let mut unread_times: Option<String> = None;
    match (open, close) {
        (Some(o), Some(c)) => match (parse_time(o), parse_time(c)) {
            (Some(a), Some(b)) => ranges.push((a, b)),
            _ => {
                if let Some(rs) = parse_time_ranges(&format!("{o}~{c}")) {
                    ranges = rs;
                } else {
                    r.problem(
                        Some(Field::Open),
                        K::InvalidTime,
                        format!("時間「{o}」〜「{c}」を読めません（特記事項として保存）"),
                    );
                    unread_times = Some(format!("診療時間: {o}〜{c}"));
                }
            }
        },
        (Some(o), None) => match parse_time_ranges(o) {
            Some(rs) => ranges = rs,
            None => r.problem(Some(Field::Open), K::InvalidTime, format!("開始時間「{o}」に終了時間がありません")),
        },
        (None, Some(c)) => {
            r.problem(Some(Field::Close), K::InvalidTime, format!("終了時間「{c}」に開始時間がありません"))
        }
        (None, None) => {}
    }
    let s = &mut f.schedule;
    if let Some(t) = unread_times {
        s.note = Some(match s.note.take() {
            Some(n) => format!("{t}\n{n}"),
            None => t,
        });
    }
    if format.is_care() {
        // 利用可能曜日 belongs to the service (see `categorise`).
        return;
    }
    if let Some(text) = &days_text
        && days.is_none()
    {
        // Unreadable days are kept with the notes, not guessed.
        s.note = Some(match s.note.take() {
            Some(n) => format!("{text}\n{n}"),
            None => text.clone(),
        });
    }
    if let Some(d) = days {
        // The days it opens tell the days it is closed.
        for day in tsunagi_domain::Day::WEEK {
            if !d.contains(day) {
                s.closed.weekly.insert(day);
            }
        }
        if d.contains(tsunagi_domain::Day::Holiday) {
            s.closed.holidays = Some(false);
        }
        for (open, mut close) in ranges {
            if close <= open {
                if close == open {
                    r.problem(Some(Field::Open), K::PlaceholderHours, format!("開始と終了が同じ時刻（{open}）です"));
                    continue;
                }
                close = tsunagi_domain::Time::from_minutes(close.minutes() + 24 * 60).unwrap_or(close);
            }
            s.add_slot(Slot { days: d, open, close, kind: SlotKind::Open, label: None });
        }
    }
    let note = s.note.clone().unwrap_or_default();
    read_closures_from_note(&mut f.schedule, &note);
}

/// Closed days written in the notes: 「毎月第２土曜日休診」, 「祝日、1月1日、
/// 1月2日は休診」, 「日曜・祝日は休診」. Clauses joined by 、 share the verb
/// at their end, so 「祝日も診療、日曜休診」 closes Sundays only.
fn read_closures_from_note(s: &mut tsunagi_domain::Schedule, note: &str) {
    const CLOSED: [&str; 7] = ["休診", "休業", "休み", "休日", "休館", "利用不可", "閉所"];
    const OPEN: [&str; 4] = ["診療", "営業", "開院", "受付"];
    let n = nfkc(note);
    for sentence in n.split(['。', '\n']) {
        let mut group = String::new();
        for clause in sentence.split(['、', ',', '，']) {
            group.push_str(clause);
            group.push('、');
            let closed = CLOSED.iter().any(|w| clause.contains(w));
            let open = OPEN.iter().any(|w| clause.contains(w)) && !closed;
            if open {
                group.clear();
            } else if closed {
                read_closed_group(s, &group);
                group.clear();
            }
        }
    }
    s.closed.dates.dedup();
}

fn read_closed_group(s: &mut tsunagi_domain::Schedule, text: &str) {
    if text.contains('祝') {
        s.closed.holidays = Some(true);
    }
    let chars: Vec<char> = text.chars().collect();
    let mut weeks = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '第'
            && let Some(w) = chars.get(i + 1).and_then(|c| c.to_digit(10))
            && (1..=5).contains(&w)
        {
            weeks.push(w as usize);
            i += 2;
            continue;
        }
        if let Some(day) = tsunagi_domain::Day::from_ja(chars[i])
            && day != tsunagi_domain::Day::Holiday
            && !weeks.is_empty()
            && chars.get(i + 1).is_some_and(|c| *c == '曜')
        {
            for w in weeks.drain(..) {
                s.closed.nth_week[w - 1].insert(day);
            }
        }
        i += 1;
    }
    s.closed.dates.extend(parse_closed_dates(text));
}

/// 「50名」, 「ユニット型 29名」 → 29; 「(1) 40名、(2) 45名」, 「空床利用」 → note only.
pub fn parse_capacity(s: &str) -> (Option<u32>, Option<String>) {
    let n = nfkc(s);
    let numbers: Vec<u32> =
        n.split(|c: char| !c.is_ascii_digit()).filter(|p| !p.is_empty()).filter_map(|p| p.parse().ok()).collect();
    let plain = n.trim().trim_end_matches(['名', '人']).trim();
    match numbers.as_slice() {
        [x] if plain.chars().all(|c| c.is_ascii_digit()) => ((*x > 0).then_some(*x), None),
        [x] if !n.contains('(') => ((*x > 0).then_some(*x), display(&n)),
        _ => (None, display(&n)),
    }
}

fn read_numbers(r: &mut Row, f: &mut Facility, format: Format) {
    if let Some(b) = r.get(Field::Beds) {
        let n = nfkc(b);
        let digits: String = n.trim().chars().take_while(char::is_ascii_digit).collect();
        match digits.parse::<u32>() {
            // 「19（休床中）」: the number, and the words beside it.
            Ok(x) => {
                f.beds.total = Some(x);
                if digits.len() < n.trim().trim_end_matches('床').len() {
                    f.attributes.insert("病床数（備考）".into(), display(b).unwrap_or_default());
                }
            }
            Err(_) => r.problem(Some(Field::Beds), K::InvalidNumber, format!("病床数「{b}」は数ではありません")),
        }
    }
    if !format.is_care()
        && let Some(c) = r.get(Field::Capacity)
    {
        let (n, note) = parse_capacity(c);
        f.capacity = n;
        if n.is_none() && note.is_some() {
            f.attributes.insert("定員".into(), note.unwrap_or_default());
        }
    }
}

fn read_attributes(r: &Row, f: &mut Facility) {
    for i in r.cols.unclaimed() {
        if let Some(v) = r.at(i).and_then(display) {
            f.attributes.insert(r.cols.headers[i].clone(), v);
        }
    }
}

fn is_dental_department(d: &str) -> bool {
    d.contains("歯科")
}

/// 医療機関の種類 (病院 / 有床診療所 / 無床診療所 / 歯科 …), with the
/// departments and the name for lists that leave it empty.
fn medical_category(kind: Option<&str>, departments: &[String], name: &str) -> Category {
    let kind = kind.map(nfkc).unwrap_or_default();
    let all_dental = !departments.is_empty() && departments.iter().all(|d| is_dental_department(d));
    let dental_name = name.contains("歯科") || name.contains("デンタル");
    if kind.contains("歯科") {
        return Category::Dental;
    }
    for (word, c) in [
        ("病院", Category::Hospital),
        ("薬局", Category::Pharmacy),
        ("助産", Category::Midwife),
        ("訪問看護", Category::HomeNursing),
    ] {
        if kind.contains(word) {
            return c;
        }
    }
    if all_dental || (dental_name && departments.iter().all(|d| is_dental_department(d))) {
        return Category::Dental;
    }
    if kind.is_empty()
        && let Some(c) = Category::guess_from_name(name).filter(|c| c.group() == tsunagi_domain::Group::Medical)
    {
        return c;
    }
    Category::Clinic
}

fn categorise(r: &mut Row, f: &mut Facility, format: Format) {
    let kind = r.text(Field::Kind);
    match format {
        Format::JichitaiMedical | Format::JichitaiMedicalOld => {
            f.add_category(medical_category(kind.as_deref(), &f.departments, &f.name));
            f.medical_kind = kind;
        }
        Format::IryoFacility => {
            let c = match kind.as_deref() {
                Some("1") => Category::Hospital,
                Some("3") => Category::Dental,
                Some("4") => Category::Midwife,
                Some("5") => Category::Pharmacy,
                _ => Category::Clinic,
            };
            f.medical_kind = Some(c.name().to_string());
            f.add_category(c);
        }
        Format::IryoPharmacy => {
            f.medical_kind = Some("薬局".into());
            f.add_category(Category::Pharmacy);
        }
        Format::IryoHours => {}
        Format::JichitaiCare | Format::JichitaiCareOld | Format::MhlwCare => add_service(r, f),
        Format::EnglishKeyed => {
            if r.cols.has(Field::Service) {
                add_service(r, f);
            } else if let Some(k) = kind {
                f.add_category(medical_category(Some(&k), &f.departments, &f.name));
                f.medical_kind = Some(k);
            }
        }
        Format::JichitaiPublicFacility => {
            let c = Category::guess_from_name(&f.name).unwrap_or(Category::PublicFacility);
            if matches!(c, Category::Clinic | Category::Hospital | Category::Dental)
                && f.departments.is_empty()
                && let Some(d) = f.attributes.remove("説明")
            {
                f.departments = split_list(&d);
            }
            f.add_category(c);
        }
    }
    if f.categories.is_empty() {
        match Category::guess_from_name(&f.name) {
            Some(c) => f.add_category(c),
            None => r.problem(
                Some(Field::Name),
                K::UnknownCategory,
                "施設の種類がわかりません（一覧の種類・名称から判断できません）",
            ),
        }
    }
}

/// The service of a care-list row, with its 定員 and 利用可能曜日.
fn add_service(r: &mut Row, f: &mut Facility) {
    let Some(text) = r.text(Field::Service) else {
        return;
    };
    let Some(service) = Service::recognize(&text) else {
        r.problem(
            Some(Field::Service),
            K::UnknownService,
            format!("サービス「{text}」は介護保険のサービスとして知られていません（備考として保存）"),
        );
        f.attributes.insert("サービス".into(), text);
        return;
    };
    let mut offer = ServiceOffer::new(service);
    if text != service.name() {
        offer.published_name = Some(text.replace('\n', ""));
    }
    offer.provider_number = f.code(CodeScheme::CareProvider).map(str::to_string);
    if let Some(c) = r.get(Field::Capacity) {
        let (n, note) = parse_capacity(c);
        if n.is_some_and(|n| n > 300) {
            r.problem(
                Some(Field::Capacity),
                K::ImplausibleCapacity,
                format!("定員「{c}」は大きすぎるようです（そのまま保存）"),
            );
        }
        offer.capacity = n;
        offer.capacity_note = note;
    }
    offer.days = r.text(Field::Days);
    offer.days_note = f.schedule.note.take();
    f.add_service(offer);
    if service == Service::PreventionSupport && f.name.contains("包括") {
        f.add_category(Category::CommunitySupport);
    }
}

/// Home visits that a medical list mentions only in its notes or name
/// (「在宅診療14:00～18:00」, 「木14:00～16:30は訪問診療」, 「さくら在宅クリニック」).
fn detect_home_care(f: &mut Facility) {
    if !f
        .categories
        .iter()
        .any(|c| matches!(c, Category::Hospital | Category::Clinic | Category::Dental | Category::Pharmacy))
    {
        return;
    }
    let text = [Some(&f.name), f.notes.as_ref(), f.schedule.note.as_ref(), f.schedule.after_hours.as_ref()]
        .into_iter()
        .flatten()
        .map(|s| nfkc(s))
        .collect::<Vec<_>>()
        .join("\n");
    let negated = |word: &str| {
        text.split(['\n', '。', '、']).filter(|s| s.contains(word)).all(|s| {
            [
                "なし",
                "無し",
                "不可",
                "行っていません",
                "行っておりません",
                "していません",
                "しておりません",
                "対応していない",
                "対応なし",
            ]
            .iter()
            .any(|n| s.contains(n))
        })
    };
    let dental = f.categories.contains(&Category::Dental);
    for (words, service) in [
        (&["往診"][..], if dental { Service::HomeDental } else { Service::HouseCall }),
        (
            &["訪問診療", "在宅診療", "在宅医療", "在宅クリニック"][..],
            if dental { Service::HomeDental } else { Service::HomeVisitMedical },
        ),
        (&["訪問歯科", "歯科訪問"][..], Service::HomeDental),
        (&["在宅訪問", "訪問薬剤", "在宅患者訪問薬剤"][..], Service::HomePharmacy),
    ] {
        if words.iter().any(|w| text.contains(w) && !negated(w)) {
            if service == Service::HomePharmacy && !f.categories.contains(&Category::Pharmacy) {
                continue;
            }
            // A visiting service, not another kind of place: no category.
            if !f.has_service(service) {
                f.services.push(ServiceOffer::new(service));
            }
        }
    }
}

/// Coordinates as published, checked; or a point from the address.
fn locate(r: &mut Row, f: &mut Facility, reference: &Reference) {
    let has_columns = r.cols.has(Field::Lat) && r.cols.has(Field::Lng);
    let lat = r.get(Field::Lat).map(nfkc);
    let lng = r.get(Field::Lng).map(nfkc);
    let zero = |s: &Option<String>| s.as_deref().is_none_or(|v| v.trim().parse::<f64>().is_ok_and(|x| x == 0.0));
    if !(zero(&lat) && zero(&lng)) {
        match (
            lat.as_deref().map(str::trim).map(str::parse::<f64>),
            lng.as_deref().map(str::trim).map(str::parse::<f64>),
        ) {
            (Some(Ok(la)), Some(Ok(lo))) if la.is_finite() && lo.is_finite() => {
                // Seven decimals are a centimetre; the national files' 15
                // decimals are float noise (130.92081510000003).
                let round = |x: f64| (x * 1e7).round() / 1e7;
                let (la, lo) = (round(la), round(lo));
                let p = GeoPoint::new(la, lo);
                let swapped = GeoPoint::new(lo, la);
                if p.in_japan() {
                    f.location = Some(Location { point: p, precision: GeoPrecision::Source, source: None });
                    return;
                }
                if swapped.in_japan() {
                    r.problem(
                        Some(Field::Lat),
                        K::SwappedCoordinates,
                        format!("緯度 {la} と経度 {lo} が逆のため入れ替えました"),
                    );
                    f.location = Some(Location { point: swapped, precision: GeoPrecision::Source, source: None });
                    return;
                }
                r.problem(
                    Some(Field::Lat),
                    K::OutsideJapan,
                    format!("緯度 {la}・経度 {lo} は日本の外です。住所から位置を求めます"),
                );
            }
            _ => r.problem(
                Some(Field::Lat),
                K::InvalidCoordinates,
                format!(
                    "緯度「{}」・経度「{}」を数として読めません。住所から位置を求めます",
                    lat.unwrap_or_default(),
                    lng.unwrap_or_default()
                ),
            ),
        }
    }
    let found = f.address.full.as_deref().and_then(|a| reference.geocode(f.address.prefecture.as_deref(), a));
    let found = found.map(|(l, _)| l).or_else(|| {
        let m = reference.gazetteer.by_code(f.address.municipality_code.as_deref()?)?;
        Some(reference.geocoder.locate(m, ""))
    });
    match found {
        Some(loc) => {
            let whom = loc.source.clone().unwrap_or_default();
            if loc.precision == GeoPrecision::Municipality {
                r.problem(
                    Some(Field::Address),
                    K::LocatedAtMunicipality,
                    format!("住所の町字が見つからないため、{whom}に置きました（おおよその位置）"),
                );
            } else if has_columns
                && r.problems.iter().all(|p| p.kind != K::InvalidCoordinates && p.kind != K::OutsideJapan)
            {
                r.problem(Some(Field::Lat), K::MissingCoordinates, format!("緯度・経度がないため、{whom}に置きました"));
            }
            f.location = Some(loc);
        }
        None => r.problem(
            Some(Field::Address),
            K::NotLocated,
            "座標がなく、住所からも位置がわかりません（地図に表示されません）",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capacities() {
        assert_eq!(parse_capacity("50名"), (Some(50), None));
        assert_eq!(parse_capacity("0"), (None, None));
        assert_eq!(parse_capacity("ユニット型 29名"), (Some(29), Some("ユニット型 29名".into())));
        assert_eq!(parse_capacity("(1) 40名、(2) 45名").0, None);
        assert_eq!(parse_capacity("空床利用"), (None, Some("空床利用".into())));
    }

    #[test]
    fn lists() {
        assert_eq!(split_list("内科、外科"), ["内科", "外科"]);
        assert_eq!(split_list("内科, 呼吸器内科"), ["内科", "呼吸器内科"]);
        assert_eq!(split_list("内科;緩和"), ["内科", "緩和"]);
    }

    #[test]
    fn medical_categories() {
        let d = |s: &str| split_list(s);
        assert_eq!(medical_category(Some("無床診療所"), &d("歯科、小児歯科"), "x"), Category::Dental);
        assert_eq!(medical_category(Some("無床診療所"), &d("内科、歯科"), "x"), Category::Clinic);
        assert_eq!(medical_category(None, &d("歯科"), "藤井歯科医院"), Category::Dental);
        assert_eq!(medical_category(None, &[], "藤井歯科医院"), Category::Dental);
        assert_eq!(medical_category(Some("歯科"), &[], "x"), Category::Dental);
        assert_eq!(medical_category(Some("病院"), &[], "x"), Category::Hospital);
        assert_eq!(medical_category(None, &[], "齋藤医院"), Category::Clinic);
    }

    #[test]
    fn closures_in_notes() {
        let mut s = tsunagi_domain::Schedule::default();
        read_closures_from_note(&mut s, "土曜日は診療終了時間１２時００分。毎月第２土曜日休診");
        assert!(s.closed.nth_week[1].contains(tsunagi_domain::Day::Sat));
        let mut s = tsunagi_domain::Schedule::default();
        read_closures_from_note(&mut s, "日曜・祝日は休診");
        assert_eq!(s.closed.holidays, Some(true));
        let mut s = tsunagi_domain::Schedule::default();
        read_closures_from_note(&mut s, "祝日、1月1日、1月2日、1月3日、12月31日は休診。");
        assert_eq!(s.closed.holidays, Some(true));
        assert_eq!(s.closed.dates.len(), 4);
        let mut s = tsunagi_domain::Schedule::default();
        read_closures_from_note(&mut s, "祝日も診療、第3日曜休診");
        assert_eq!(s.closed.holidays, None);
        assert!(s.closed.nth_week[2].contains(tsunagi_domain::Day::Sun));
    }
}
