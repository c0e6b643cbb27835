//! Text normalisation shared by the importer (matching, geocoding) and the
//! search analyser. Every function here is pure and idempotent:
//! `f(f(x)) == f(x)` (property-tested below).
//!
//! Two kinds of output:
//! - *display* forms (`display`, `address`, `phone`) are what we show: NFKC
//!   (full-width ASCII → ASCII, half-width kana → full-width), trimmed,
//!   whitespace collapsed, dashes unified between digits;
//! - *keys* (`compact`, `name_key`, `address_key`, `phone_key`) are for
//!   comparing: no spaces or punctuation, kana folded to katakana, numbers in
//!   Arabic digits, corporate prefixes and 大字 dropped.

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

/// Characters that NFKC leaves alone whatever surrounds them (starters
/// without decompositions that nothing composes with): printable ASCII,
/// hiragana, katakana, the long-vowel mark and the CJK unified ideographs.
/// Checked before the general quick check, which looks each one up.
fn stays_nfkc(c: char) -> bool {
    matches!(c, ' '..='~' | '\u{3041}'..='\u{3096}' | '\u{30A1}'..='\u{30FC}' | '\u{4E00}'..='\u{9FFF}')
}

/// NFKC plus the few foldings NFKC leaves out that matter in Japanese lists.
pub fn nfkc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    nfkc_chars(s, |c| out.push(c));
    out
}

/// The characters of [`nfkc`]`(s)`, one by one. Most Japanese text is
/// already NFKC: the quick check spares it the decomposition.
fn nfkc_chars(s: &str, mut f: impl FnMut(char)) {
    let wave = |c| match c {
        // Wave dashes used in ranges: 9:00〜12:00.
        '〜' | '～' | '∼' => '~',
        _ => c,
    };
    if s.chars().all(stays_nfkc) || is_nfkc_quick(s.chars()) == IsNormalized::Yes {
        s.chars().for_each(|c| f(wave(c)));
    } else {
        s.nfkc().for_each(|c| f(wave(c)));
    }
}

fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{3000}' || c == '\u{feff}'
}

/// A published text as we show it: NFKC, trimmed, runs of spaces collapsed,
/// the literal 「（改行）」 placeholder of national files turned into a line
/// break, and line breaks kept. Returns `None` for blank input.
pub fn display(s: &str) -> Option<String> {
    let s = nfkc(s).replace("(改行)", "\n");
    let mut out = String::with_capacity(s.len());
    for line in s.split(['\n', '\r']) {
        let mut words = line.split(is_space).filter(|w| !w.is_empty());
        let Some(first) = words.next() else { continue };
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(first);
        for w in words {
            out.push(' ');
            out.push_str(w);
        }
    }
    (!out.is_empty()).then_some(out)
}

/// Hiragana → katakana (ゔ and the small letters included).
pub fn to_katakana(s: &str) -> String {
    s.chars().map(katakana).collect()
}

fn katakana(c: char) -> char {
    match c {
        '\u{3041}'..='\u{3096}' | '\u{309D}' | '\u{309E}' => char::from_u32(c as u32 + 0x60).unwrap_or(c),
        _ => c,
    }
}

/// Katakana → hiragana (for showing readings in plain hiragana).
pub fn to_hiragana(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{30A1}'..='\u{30F6}' | '\u{30FD}' | '\u{30FE}' => char::from_u32(c as u32 - 0x60).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// True for characters that carry no meaning in a comparison key.
fn is_key_punct(c: char) -> bool {
    is_space(c)
        || matches!(
            c,
            '・' | '･'
                | '('
                | ')'
                | '['
                | ']'
                | '{'
                | '}'
                | '「'
                | '」'
                | '『'
                | '』'
                | '【'
                | '】'
                | '〔'
                | '〕'
                | '<'
                | '>'
                | '〈'
                | '〉'
                | '《'
                | '》'
                | ','
                | '、'
                | '。'
                | '.'
                | '\''
                | '"'
                | '“'
                | '”'
                | '‘'
                | '’'
                | '/'
                | '\\'
                | ':'
                | ';'
                | '!'
                | '?'
                | '&'
                | '＆'
                | '*'
                | '#'
                | '_'
                | '='
                | '+'
                | '|'
                | '~'
                | '-'
                | '‐'
                | '‑'
                | '‒'
                | '–'
                | '—'
                | '―'
                | '−'
                | '○'
                | '◯'
                | '☆'
                | '★'
                | '♪'
        )
}

/// Folds small kana and the ヶ/ケ family so that spelling variants compare equal.
fn fold_kana_variant(c: char) -> char {
    match c {
        'ヶ' | 'ヵ' | 'ｹ' => 'ケ',
        'ァ' => 'ア',
        'ィ' => 'イ',
        'ゥ' => 'ウ',
        'ェ' => 'エ',
        'ォ' => 'オ',
        'ッ' => 'ツ',
        'ャ' => 'ヤ',
        'ュ' => 'ユ',
        'ョ' => 'ヨ',
        'ヮ' => 'ワ',
        'ヴ' => 'ブ',
        _ => c,
    }
}

/// A comparison key: NFKC, lower case, no spaces or punctuation, katakana.
pub fn compact(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    key_chars(s, |c| out.push(c));
    out
}

/// The characters of [`compact`]`(s)`, in one pass.
fn key_chars(s: &str, mut f: impl FnMut(char)) {
    nfkc_chars(s, |c| {
        let c = katakana(c);
        if !is_key_punct(c) {
            match c {
                // Kana and kanji have no case: skip the case tables.
                '\u{3000}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' => f(c),
                _ if c.is_ascii() => f(c.to_ascii_lowercase()),
                _ => c.to_lowercase().for_each(&mut f),
            }
        }
    });
}

/// Whether `c` is hiragana (ぁ … ゟ, with the voicing marks and ゝゞ).
pub fn is_hiragana(c: char) -> bool {
    matches!(c, '\u{3041}'..='\u{309F}')
}

/// Whether `c` (after [`nfkc`]) goes on the syllable of the kana before
/// it: a small ャュョァィゥェォヮ (ショ, ティ) or a voicing mark. A beginning
/// that stops before it stops inside a syllable.
pub fn continues_syllable(c: char) -> bool {
    "ァィゥェォャュョヮぁぃぅぇぉゃゅょゎ\u{3099}\u{309A}゛゜".contains(c)
}

/// Like [`compact`] but also tolerant of how people spell what they hear:
/// small kana, ヶ/ケ, ヴ/ブ, long vowels written with ー or not at all, and
/// the old forms of kanji (澤/沢, 髙/高). Each character folds on its own,
/// so a part of a text folds to a part of the folded text: for substrings.
pub fn loose(s: &str) -> String {
    loose_with(s, false)
}

/// [`loose`], and also tolerant of long vowels written as a vowel
/// (さんふらわあ = サンフラワー, ぱあく = パーク) and of ヴァ/バ. Whether a
/// vowel only lengthens depends on the syllable before it, so this is for
/// whole texts and their beginnings (names, readings, their prefixes), not
/// for substrings: 「ウ」 alone is not the end of 「トウ」.
pub fn loose_whole(s: &str) -> String {
    loose_with(s, true)
}

fn loose_with(s: &str, whole: bool) -> String {
    let mut out = String::with_capacity(s.len());
    let mut last: Option<char> = None;
    key_chars(s, |c| {
        if c == 'ー' {
            return;
        }
        let folded = fold_kana_variant(c);
        if whole {
            let voiced = match c {
                'ァ' => Some('バ'),
                'ィ' => Some('ビ'),
                'ェ' => Some('ベ'),
                'ォ' => Some('ボ'),
                _ => None,
            };
            if last == Some('ヴ')
                && let Some(v) = voiced
            {
                out.pop();
                out.push(v);
                last = Some(v);
                return;
            }
            if last.is_some_and(|l| lengthens(l, folded)) {
                return;
            }
            last = Some(if c == 'ヴ' { c } else { folded });
        }
        out.push(if c == 'ヴ' { 'ブ' } else { fold_old_kanji(folded) });
    });
    out
}

/// How a reading sounds to someone typing it from memory: [`loose`], with
/// voiced and plain kana alike (診療所, read シンリョウショ, is typed
/// しんりょうじょ; ｶﾞﾝｶ typed ｶﾝｶ), ヅ = ズ and ヂ = ジ, and a vowel that only
/// draws out the syllable before it left out, オウ and エイ included
/// (おごうり = オゴオリ, びょいん = ビョウイン), and no ッ (アイベクス =
/// アイベックス). Much looser than
/// [`loose_whole`]: it backs a tier of its own, below the readings.
pub fn sound(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut last: Option<char> = None;
    for c in loose(&s.replace(['ッ', 'っ'], "")).chars() {
        let c = unvoiced(c);
        if let Some(v) = last
            && matches!((v, c), ('ア', 'ア') | ('イ', 'イ') | ('ウ', 'ウ') | ('エ', 'エ' | 'イ') | ('オ', 'オ' | 'ウ'))
        {
            continue;
        }
        last = vowel(c);
        out.push(c);
    }
    out
}

/// The plain kana of a voiced or half-voiced one (ヅ → ス, ヂ → シ: as
/// they sound).
fn unvoiced(c: char) -> char {
    match c {
        'ヂ' => 'シ',
        'ヅ' => 'ス',
        'ヴ' => 'フ',
        'ガ' | 'ギ' | 'グ' | 'ゲ' | 'ゴ' | 'ザ' | 'ジ' | 'ズ' | 'ゼ' | 'ゾ' | 'ダ' | 'デ' | 'ド' | 'バ' | 'ビ'
        | 'ブ' | 'ベ' | 'ボ' => char::from_u32(c as u32 - 1).unwrap_or(c),
        'パ' | 'ピ' | 'プ' | 'ペ' | 'ポ' => char::from_u32(c as u32 - 2).unwrap_or(c),
        _ => c,
    }
}

/// The vowel a katakana syllable ends in.
fn vowel(c: char) -> Option<char> {
    Some(match c {
        'ア' | 'カ' | 'ガ' | 'サ' | 'ザ' | 'タ' | 'ダ' | 'ナ' | 'ハ' | 'バ' | 'パ' | 'マ' | 'ヤ' | 'ラ' | 'ワ'
        | 'ァ' | 'ャ' | 'ヮ' => 'ア',
        'イ' | 'キ' | 'ギ' | 'シ' | 'ジ' | 'チ' | 'ヂ' | 'ニ' | 'ヒ' | 'ビ' | 'ピ' | 'ミ' | 'リ' | 'ヰ' | 'ィ' => {
            'イ'
        }
        'ウ' | 'ク' | 'グ' | 'ス' | 'ズ' | 'ツ' | 'ヅ' | 'ヌ' | 'フ' | 'ブ' | 'プ' | 'ム' | 'ユ' | 'ル' | 'ヴ'
        | 'ゥ' | 'ュ' => 'ウ',
        'エ' | 'ケ' | 'ゲ' | 'セ' | 'ゼ' | 'テ' | 'デ' | 'ネ' | 'ヘ' | 'ベ' | 'ペ' | 'メ' | 'レ' | 'ヱ' | 'ェ' => {
            'エ'
        }
        'オ' | 'コ' | 'ゴ' | 'ソ' | 'ゾ' | 'ト' | 'ド' | 'ノ' | 'ホ' | 'ボ' | 'ポ' | 'モ' | 'ヨ' | 'ロ' | 'ヲ'
        | 'ォ' | 'ョ' => 'オ',
        _ => return None,
    })
}

/// Whether the vowel `c` after the syllable `prev` only lengthens it, as
/// ー would: ワア (さんふらわあ), ヌウ, ネエ. Not イイ, オオ, オウ or エイ: in
/// names those are as often two sounds (ふじい ≠ ふじ, おおの ≠ おの,
/// さとう ≠ さと), and folding them made a reading prefix match others.
fn lengthens(prev: char, c: char) -> bool {
    let Some(v) = vowel(prev) else { return false };
    matches!((v, c), ('ア', 'ア') | ('ウ', 'ウ') | ('エ', 'エ'))
}

/// Old and variant forms of kanji common in names and places, as the
/// everyday form people type (NFKC leaves them apart). Sorted by the old
/// form: every kanji of every indexed text is looked up here.
const OLD_KANJI: &[(char, char)] = &[
    ('佛', '仏'),
    ('來', '来'),
    ('兒', '児'),
    ('冨', '富'),
    ('國', '国'),
    ('圓', '円'),
    ('團', '団'),
    ('埜', '野'),
    ('增', '増'),
    ('壹', '壱'),
    ('壽', '寿'),
    ('學', '学'),
    ('實', '実'),
    ('峯', '峰'),
    ('嵜', '崎'),
    ('嶋', '島'),
    ('嶌', '島'),
    ('嶽', '岳'),
    ('巖', '巌'),
    ('廣', '広'),
    ('彌', '弥'),
    ('德', '徳'),
    ('惠', '恵'),
    ('戶', '戸'),
    ('晉', '晋'),
    ('曾', '曽'),
    ('會', '会'),
    ('桒', '桑'),
    ('條', '条'),
    ('榮', '栄'),
    ('槇', '槙'),
    ('樂', '楽'),
    ('檜', '桧'),
    ('櫻', '桜'),
    ('淸', '清'),
    ('淺', '浅'),
    ('澁', '渋'),
    ('澤', '沢'),
    ('濱', '浜'),
    ('濵', '浜'),
    ('瀧', '滝'),
    ('瀨', '瀬'),
    ('眞', '真'),
    ('禮', '礼'),
    ('禰', '祢'),
    ('穗', '穂'),
    ('籠', '篭'),
    ('綠', '緑'),
    ('縣', '県'),
    ('聰', '聡'),
    ('舘', '館'),
    ('莊', '荘'),
    ('萬', '万'),
    ('藏', '蔵'),
    ('藥', '薬'),
    ('蘆', '芦'),
    ('遙', '遥'),
    ('邉', '辺'),
    ('邊', '辺'),
    ('邨', '村'),
    ('醫', '医'),
    ('靑', '青'),
    ('靜', '静'),
    ('驒', '騨'),
    ('髙', '高'),
    ('鷗', '鴎'),
    ('黑', '黒'),
    ('齊', '斉'),
    ('齋', '斎'),
    ('齒', '歯'),
    ('龍', '竜'),
    ('﨑', '崎'),
];

fn fold_old_kanji(c: char) -> char {
    if (c as u32) < 0x4E00 {
        return c;
    }
    OLD_KANJI.binary_search_by_key(&c, |(old, _)| *old).map_or(c, |i| OLD_KANJI[i].1)
}

/// Words that mark the first part of a name as the operating corporation.
const CORPORATE_MARKERS: &[&str] = &[
    "法人",
    "株式会社",
    "有限会社",
    "合同会社",
    "合資会社",
    "(株)",
    "(有)",
    "(医)",
    "(社福)",
    "(福)",
    "組合",
    "連合会",
    "機構",
    "事業団",
    "生活協同",
];

/// The facility part of a name whose first word is its corporation:
/// 「医療法人社団　あいクリニック」 → 「あいクリニック」. Names without such a
/// first word are returned unchanged (「社会福祉法人下松市社会福祉協議会」 is
/// the corporation itself).
pub fn strip_corporation(name: &str) -> &str {
    let trimmed = name.trim_matches(is_space);
    if !trimmed.contains(is_space) {
        return strip_joined_medical_corporation(trimmed);
    }
    let mut rest = trimmed;
    while let Some((head, tail)) = rest.split_once(is_space) {
        let tail = tail.trim_start_matches(is_space);
        if tail.is_empty() || !CORPORATE_MARKERS.iter().any(|m| nfkc(head).contains(m)) {
            break;
        }
        rest = tail;
    }
    rest
}

/// 「医療法人社団恵生会生成脳神経クリニック」 → 「生成脳神経クリニック」: a 医療法人
/// name written without a space ends at the first 会 or 団 after its prefix.
fn strip_joined_medical_corporation(name: &str) -> &str {
    for prefix in ["医療法人社団", "医療法人財団", "社会医療法人", "医療法人"] {
        let Some(rest) = name.strip_prefix(prefix) else { continue };
        let chars: Vec<(usize, char)> = rest.char_indices().collect();
        for (n, &(i, c)) in chars.iter().enumerate().take(9) {
            if (c == '会' || c == '団') && n >= 1 {
                let tail = &rest[i + c.len_utf8()..];
                if tail.chars().count() >= 2 {
                    return tail;
                }
            }
        }
        return name;
    }
    name
}

/// The key two spellings of one facility name share.
pub fn name_key(name: &str) -> String {
    compact(strip_corporation(name)).chars().map(fold_kana_variant).collect()
}

/// Value of a kanji numeral such as 三, 十二, 二十三, 百五. `None` if `s`
/// holds anything else.
pub fn kanji_number(s: &str) -> Option<u32> {
    if s.is_empty() {
        return None;
    }
    let digit = |c: char| "〇一二三四五六七八九".chars().position(|d| d == c);
    // Positional form: 一〇五 = 105.
    if !s.contains(['十', '百', '千']) {
        return s.chars().try_fold(0u32, |acc, c| Some(acc * 10 + digit(c)? as u32));
    }
    let (mut total, mut current) = (0u32, 0u32);
    for c in s.chars() {
        match c {
            '十' | '百' | '千' => {
                let unit = match c {
                    '十' => 10,
                    '百' => 100,
                    _ => 1000,
                };
                total += if current == 0 { 1 } else { current } * unit;
                current = 0;
            }
            _ => current = current * 10 + digit(c)? as u32,
        }
    }
    Some(total + current)
}

fn is_kanji_digit(c: char) -> bool {
    "〇一二三四五六七八九十百千".contains(c)
}

fn is_dash(c: char) -> bool {
    matches!(c, '-' | '‐' | '‑' | '‒' | '–' | '—' | '―' | '−' | 'ー' | 'ｰ' | '─' | '━' | '－')
}

/// Kanji numerals directly before 丁目/番/号 become Arabic digits:
/// 糸米二丁目 → 糸米2丁目. Place names keep theirs: 三条市, 一番町.
fn arabic_block_numbers(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        if is_kanji_digit(chars[i]) {
            let start = i;
            while i < chars.len() && is_kanji_digit(chars[i]) {
                i += 1;
            }
            let run: String = chars[start..i].iter().collect();
            let next = chars.get(i).copied();
            let after = chars.get(i + 1).copied();
            let before_unit = match next {
                Some('丁') => after == Some('目'),
                Some('番') => after != Some('町'),
                Some('号') => true,
                _ => false,
            };
            match kanji_number(&run) {
                Some(n) if before_unit => out.push_str(&n.to_string()),
                _ => out.push_str(&run),
            }
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// An address as we show it: NFKC, no spaces between the parts, dashes
/// between numbers written as `-` (「２ー３４」, 「708―2」 → 「2-34」, 「708-2」).
pub fn address(s: &str) -> Option<String> {
    let s = display(s)?;
    // Spaces first: 「下関市　冨任91」 loses its space; one between a lot
    // number and a building name stays.
    let chars: Vec<char> = s.chars().collect();
    let mut spaced = Vec::with_capacity(chars.len());
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' {
            let prev = chars[i - 1];
            let next = chars.get(i + 1).copied().unwrap_or(' ');
            let keep = (prev.is_ascii_digit() && !next.is_ascii_digit())
                || (prev.is_ascii_alphabetic() && next.is_ascii_alphabetic());
            if !keep {
                continue;
            }
        }
        spaced.push(c);
    }
    let mut out = String::with_capacity(s.len());
    for (i, &c) in spaced.iter().enumerate() {
        let prev_digit = i > 0 && spaced[i - 1].is_ascii_digit();
        let next_digit = spaced.get(i + 1).is_some_and(|c| c.is_ascii_digit());
        if is_dash(c) && prev_digit && (next_digit || c != 'ー') {
            out.push('-');
        } else {
            out.push(c);
        }
    }
    Some(out)
}

pub const PREFECTURES: [&str; 47] = [
    "北海道",
    "青森県",
    "岩手県",
    "宮城県",
    "秋田県",
    "山形県",
    "福島県",
    "茨城県",
    "栃木県",
    "群馬県",
    "埼玉県",
    "千葉県",
    "東京都",
    "神奈川県",
    "新潟県",
    "富山県",
    "石川県",
    "福井県",
    "山梨県",
    "長野県",
    "岐阜県",
    "静岡県",
    "愛知県",
    "三重県",
    "滋賀県",
    "京都府",
    "大阪府",
    "兵庫県",
    "奈良県",
    "和歌山県",
    "鳥取県",
    "島根県",
    "岡山県",
    "広島県",
    "山口県",
    "徳島県",
    "香川県",
    "愛媛県",
    "高知県",
    "福岡県",
    "佐賀県",
    "長崎県",
    "熊本県",
    "大分県",
    "宮崎県",
    "鹿児島県",
    "沖縄県",
];

/// Splits a leading prefecture name off an address (already NFKC).
pub fn split_prefecture(s: &str) -> (Option<&'static str>, &str) {
    for p in PREFECTURES {
        if let Some(rest) = s.strip_prefix(p) {
            return (Some(p), rest);
        }
    }
    (None, s)
}

/// Drops a 郡 from the start of a municipality part: 熊毛郡平生町 → 平生町.
/// Names with 郡 in them (郡山市, 大和郡山市, 蒲郡市, 赤穂郡上郡町) survive:
/// a county name has two or more characters and is followed by a 町 or 村.
pub fn strip_county(mut s: &str) -> &str {
    while let Some(pos) = s.find('郡') {
        let head = &s[..pos];
        let rest = &s[pos + '郡'.len_utf8()..];
        let town_first = match (rest.find(['町', '村']), rest.find(['市', '区'])) {
            (Some(t), Some(c)) => t < c,
            (Some(_), None) => true,
            _ => false,
        };
        let n = head.chars().count();
        if !(2..=4).contains(&n) || !town_first {
            break;
        }
        s = rest;
    }
    s
}

fn remove_all(mut s: String, pat: &str) -> String {
    while s.contains(pat) {
        s = s.replace(pat, "");
    }
    s
}

/// The part of an address two spellings share: no prefecture or 郡, no 大字,
/// 丁目/番地/番/号 as `-`, kana variants folded, and nothing after the lot
/// number (a building name or a repeated 方書).
pub fn address_key(s: &str) -> String {
    let Some(s) = address(s) else {
        return String::new();
    };
    let (_, rest) = split_prefecture(&s);
    let rest = strip_county(rest);
    let s = arabic_block_numbers(&remove_all(rest.to_string(), "大字"));
    // 番 is a lot number except in the town names 一番町, 三番町 ….
    let s = s.replace("丁目", "-").replace("番地の", "-").replace("番地", "-").replace("番町", "\u{0}");
    let s = s.replace('番', "-").replace('\u{0}', "番町").replace('号', "");
    let mut out = String::with_capacity(s.len());
    let chars: Vec<char> = s.chars().filter(|&c| !is_space(c)).collect();
    let mut in_number = false;
    for (i, &c) in chars.iter().enumerate() {
        let c = fold_kana_variant(c);
        let c = if matches!(c, 'が' | 'ガ') { 'ケ' } else { c };
        if c.is_ascii_digit() {
            in_number = true;
            out.push(c);
        } else if (c == '-' || c == 'の') && in_number {
            if chars.get(i + 1).is_some_and(|n| n.is_ascii_digit()) {
                out.push('-');
            }
        } else if in_number && matches!(c, '条' | '線') {
            // 札幌市中央区北1条西2丁目: numbered streets are part of the town.
            in_number = false;
            out.push(c);
        } else if in_number {
            // The lot number ended: the rest is a building or a note.
            break;
        } else {
            out.push(c);
        }
    }
    out.trim_end_matches('-').to_string()
}

/// Only the digits of a phone number, or `None` if it is not one.
pub fn phone_key(s: &str) -> Option<String> {
    let d: String = nfkc(s).chars().filter(char::is_ascii_digit).collect();
    ((d.len() == 10 || d.len() == 11) && d.starts_with('0') && !d.starts_with("00")).then_some(d)
}

/// A phone number as we show it: 「(0833)48-1111」 → 「0833-48-1111」,
/// 「０８７９－８２－５１２７」 → 「0879-82-5127」. `None` when the text is not
/// a phone number (「0834-51?7730」, 「0827-80-316」).
pub fn phone(s: &str) -> Option<String> {
    let n = nfkc(s);
    let n = n.trim();
    phone_key(n)?;
    if n.chars().any(|c| !(c.is_ascii_digit() || is_dash(c) || "() ".contains(c))) {
        return None;
    }
    let mut out = String::new();
    let mut last_sep = true;
    for c in n.chars() {
        if c.is_ascii_digit() {
            out.push(c);
            last_sep = false;
        } else if !last_sep {
            out.push('-');
            last_sep = true;
        }
    }
    let out = out.trim_end_matches('-').to_string();
    // A number written without any grouping stays as digits.
    Some(out)
}

/// Digits only, keeping leading zeros (codes such as 医療機関コード).
pub fn code(s: &str) -> Option<String> {
    let s: String = nfkc(s).chars().filter(|c| !is_space(*c)).collect();
    (!s.is_empty()).then_some(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn readings_alike_in_sound() {
        assert_eq!(sound("しんりょうじょ"), sound("シンリョウショ"));
        assert_eq!(sound("おごうり"), sound("オゴオリ"));
        assert_eq!(sound("つずみがうら"), sound("ツヅミガウラ"));
        assert_eq!(sound("ｿｳﾖｳﾋﾞｮｲﾝ"), sound("ソウヨウビョウイン"));
        assert_eq!(sound("ｼｸﾏｶﾝｶ"), sound("シクマガンカ"));
        assert_eq!(sound("けんこう"), sound("ケンコー"));
        assert_eq!(sound("アイベクス"), sound("アイベックス"));
        assert_eq!(sound("ぱーく"), "ハク");
        assert_ne!(sound("さくら"), sound("さかい"));
    }

    #[test]
    fn display_cleans_published_text() {
        let check = |s: &str, expect: Option<&str>| assert_eq!(display(s).as_deref(), expect, "{s:?}");
        check("  医療法人社団　あいクリニック ", Some("医療法人社団 あいクリニック"));
        check(
            "青藍会　在宅医療支援センター山口福祉用具事業所　",
            Some("青藍会 在宅医療支援センター山口福祉用具事業所"),
        );
        check("ｻｸﾗ", Some("サクラ"));
        check("Ｇｒａｃｅｆul唯心", Some("Graceful唯心"));
        check("月曜日（改行）火曜日", Some("月曜日\n火曜日"));
        check("a\r\n\r\nb", Some("a\nb"));
        check(" \u{3000} ", None);
    }

    #[test]
    fn corporations_are_stripped_only_when_they_are_a_separate_word() {
        let check = |s: &str, expect: &str| assert_eq!(strip_corporation(s), expect, "{s}");
        check("医療法人社団　あいクリニック", "あいクリニック");
        check("医療法人緑山会　下松中央病院", "下松中央病院");
        check("社会医療法人同仁会　周南記念病院", "周南記念病院");
        check("社会福祉法人下松市社会福祉協議会", "社会福祉法人下松市社会福祉協議会");
        check("株式会社 ＪОＩＹＡＳ", "ＪОＩＹＡＳ");
        check("ニチイケアセンター下松", "ニチイケアセンター下松");
        check("デイサービス さくら", "デイサービス さくら");
        check("医療法人社団恵生会生成脳神経クリニック", "生成脳神経クリニック");
        check("医療法人社団耕彩会三条山下内科医院", "三条山下内科医院");
        check("医療法人緑山会", "医療法人緑山会");
    }

    #[test]
    fn name_keys_match_spelling_variants() {
        assert_eq!(name_key("医療法人緑山会　下松中央病院"), name_key("下松中央病院"));
        assert_eq!(name_key("ｻｸﾗ苑"), name_key("さくら苑"));
        assert_eq!(name_key("桜ヶ丘クリニック"), name_key("桜ケ丘クリニック"));
        assert_ne!(name_key("下松病院"), name_key("下松中央病院"));
    }

    #[test]
    fn kanji_numbers() {
        for (s, n) in [("三", 3), ("十", 10), ("十二", 12), ("二十三", 23), ("百五", 105), ("一〇五", 105)]
        {
            assert_eq!(kanji_number(s), Some(n), "{s}");
        }
        assert_eq!(kanji_number("三a"), None);
    }

    #[test]
    fn addresses_as_shown() {
        let check = |s: &str, expect: &str| assert_eq!(address(s).as_deref(), Some(expect), "{s}");
        check("山口県下松市西柳３丁目２ー３４", "山口県下松市西柳3丁目2-34");
        check("山口市大内長野708―2", "山口市大内長野708-2");
        check("岩国市川西3－5－40", "岩国市川西3-5-40");
        check("宇部市大字西岐波1540‐1", "宇部市大字西岐波1540-1");
        check("下関市　冨任91", "下関市冨任91");
        check("高松市センター町1-2", "高松市センター町1-2");
    }

    #[test]
    fn address_keys_agree_across_spellings() {
        let check = |a: &str, b: &str| assert_eq!(address_key(a), address_key(b), "{a} vs {b}");
        check("下松市大字下谷179", "山口県下松市大字下谷179");
        check("山口県下松市西柳３丁目２ー３４", "下松市西柳3-2-34");
        check("柳井市中央１丁目８番８号", "柳井市中央1-8-8");
        check("山口県山口市糸米二丁目6ｰ6", "山口市糸米2-6-6");
        check("山口県熊毛郡平生町平生村618－2", "平生町平生村618-2");
        check("宇部市西岐波1540-1 ○○ビル2F", "宇部市大字西岐波1540‐1");
        check("桜が丘1-1", "桜ヶ丘1-1");
        assert_eq!(strip_county("赤穂郡上郡町大持1"), "上郡町大持1");
        assert_eq!(strip_county("大和郡山市北郡山町1"), "大和郡山市北郡山町1");
        assert_eq!(strip_county("郡山市朝日1"), "郡山市朝日1");
        assert_eq!(strip_county("大島郡周防大島町小松1"), "周防大島町小松1");
        assert_eq!(address_key("山口県下松市西柳３丁目２ー３４"), "下松市西柳3-2-34");
        assert_eq!(address_key("香川県高松市新田町乙８番地"), "高松市新田町乙8");
        // Regressions: 三条 and 一番町 are place names, not block numbers.
        assert_eq!(address_key("新潟県三条市青葉台5丁目30-19"), "三条市青葉台5-30-19");
        assert_ne!(address_key("新潟県三条市青葉台5丁目30-19"), address_key("新潟県三条市青葉台3丁目1-4"));
        assert_eq!(address_key("宮城県仙台市青葉区一番町1丁目2-3"), "仙台市青葉区一番町1-2-3");
        assert_eq!(address_key("北海道札幌市中央区北1条西2丁目1"), "札幌市中央区北1条西2-1");
    }

    #[test]
    fn phones() {
        let check = |s: &str, expect: Option<&str>| assert_eq!(phone(s).as_deref(), expect, "{s}");
        check("(0833)48-1111", Some("0833-48-1111"));
        check("０８７９－８２－５１２７", Some("0879-82-5127"));
        check("0834‐88‐2766", Some("0834-88-2766"));
        check("0836-39ｰ6010", Some("0836-39-6010"));
        check("0820-22-0317 ", Some("0820-22-0317"));
        check("050-33177337", Some("050-33177337"));
        check("0834-51?7730", None);
        check("0827-80-316", None);
        check("00-0000-0000", None);
    }

    #[test]
    fn kana_folding() {
        assert_eq!(to_katakana("さくらまち"), "サクラマチ");
        assert_eq!(to_hiragana("サクラマチ"), "さくらまち");
        assert_eq!(loose("ショートステイ"), loose("しよおとすてい").replace('オ', ""));
        assert_eq!(compact("ｻｸﾗ"), compact("さくら"));
        // Long vowels however they are written, in whole texts.
        assert_eq!(loose_whole("サンフラワークリニック"), loose_whole("さんふらわあクリニック"));
        assert_eq!(loose_whole("ぱあく"), loose_whole("パーク"));
        assert_eq!(loose_whole("アリヴィオ"), loose_whole("アリビオ"));
        // Vowels that are as often a sound of their own in names.
        assert_ne!(loose_whole("ふじい"), loose_whole("ふじ"));
        assert_ne!(loose_whole("さとう"), loose_whole("さと"));
        assert_ne!(loose_whole("おおの"), loose_whole("おの"));
        assert_eq!(loose("時澤医院"), loose("時沢医院"));
        assert_eq!(loose("髙橋"), loose("高橋"));
        assert!(OLD_KANJI.is_sorted_by_key(|(old, _)| *old), "OLD_KANJI is looked up by binary search");
        // Not every vowel after a syllable lengthens it.
        assert_ne!(loose_whole("あい"), loose_whole("あ"));
        assert_ne!(loose_whole("かお"), loose_whole("か"));
        // Substrings fold to substrings: no vowel is dropped for what
        // comes before it.
        assert!(loose("ケイクリニック").contains(&loose("イクリニック")));
        assert_eq!(loose("とうきょう"), loose("トウキョウ"));
    }

    proptest! {
        #[test]
        fn normalisation_is_idempotent(s in "[ -~ぁ-んァ-ヶ一-龥０-９Ａ-Ｚｱ-ﾝ　ー－‐―]{0,24}") {
            if let Some(d) = display(&s) { prop_assert_eq!(display(&d), Some(d.clone())); }
            if let Some(a) = address(&s) { prop_assert_eq!(address(&a), Some(a.clone())); }
            let c = compact(&s);
            prop_assert_eq!(compact(&c), c.clone());
            let l = loose(&s);
            prop_assert_eq!(loose(&l), l.clone());
            let w = loose_whole(&s);
            prop_assert_eq!(loose_whole(&w), w.clone());
            let n = name_key(&s);
            prop_assert_eq!(name_key(&n), n.clone());
            let k = address_key(&s);
            prop_assert_eq!(address_key(&k), k.clone());
            if let Some(p) = phone(&s) { prop_assert_eq!(phone(&p), Some(p.clone())); }
        }

        /// A part of a text folds to a part of the folded text, so that a
        /// substring search on folded text misses nothing.
        #[test]
        fn loose_folds_substrings_to_substrings(s in "[a-zA-Zぁ-んァ-ヶー一-龥澤髙惠]{1,16}", a in 0usize..16, n in 1usize..16) {
            let chars: Vec<char> = s.chars().collect();
            let a = a.min(chars.len() - 1);
            let part: String = chars[a..(a + n).min(chars.len())].iter().collect();
            prop_assert!(loose(&s).contains(&loose(&part)), "{} in {}", part, s);
        }

        /// Lower-casing only what has case gives what lower-casing every
        /// character gives.
        #[test]
        fn case_folding_skips_only_caseless_characters(s in "[ -~À-ɏͰ-ϿЀ-ӿꜢ-ꞇぁ-んァ-ヶ一-龥豈-鶴Ａ-Ｚ]{0,16}") {
            let mut full = String::new();
            nfkc_chars(&s, |c| {
                let c = katakana(c);
                if !is_key_punct(c) {
                    full.extend(c.to_lowercase());
                }
            });
            prop_assert_eq!(compact(&s), full);
        }

        /// The quick path (text already NFKC) gives what full NFKC gives,
        /// with voicing marks and compatibility characters mixed in.
        #[test]
        fn quick_nfkc_agrees_with_full_nfkc(s in "[ -~ぁ-ゟァ-ヿ一-龥０-９ｱ-ﾝﾞﾟ\u{3099}\u{309A}㈱①]{0,16}") {
            let full: String = s.nfkc().map(|c| if matches!(c, '〜' | '～' | '∼') { '~' } else { c }).collect();
            prop_assert_eq!(nfkc(&s), full);
        }
    }
}
