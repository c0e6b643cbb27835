//! Japanese text analysis: how names, services and addresses become terms,
//! and how a query becomes the same terms.
//!
//! - Every text is folded the same way ([`fold`]): NFKC (ｻｸﾗ → サクラ,
//!   full-width digits → ASCII), lower case, hiragana → katakana, long
//!   vowels and small kana tolerated (ケアセンター = ケアセンタ, ショ = シヨ).
//! - `ja_word`: lindera (IPADIC) word tokens, folded.
//! - `ja_bigram`: overlapping character bigrams *with positions*, so a
//!   phrase of bigrams matches a substring: 2-character terms (歯科, 眼科)
//!   and words the dictionary does not know always match. (tantivy's
//!   NgramTokenizer puts every gram at position 0, which turns phrases into
//!   "these bigrams in any order": 東京都 would match 京都.)
//! - readings: the official 名称_カナ and lindera's readings, folded to
//!   katakana, indexed as bigrams, so さくらまち finds 桜町病院.
//!
//! [`register`] is the one place tokenizers are registered; tantivy does
//! not persist them, so index creation and opening both call it.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use lindera::dictionary::Dictionary;
use lindera::mode::Mode;
use lindera::segmenter::Segmenter;
use tantivy::Index;
use tantivy::tokenizer::{PreTokenizedString, TextAnalyzer, Token, TokenStream, Tokenizer};
use tsunagi_domain::normalize;

pub const WORD: &str = "ja_word";
pub const BIGRAM: &str = "ja_bigram";

/// The folding shared by index and query terms (substrings fold to
/// substrings: see [`normalize::loose`]).
pub fn fold(s: &str) -> String {
    normalize::loose(s)
}

/// The folding of whole names and readings and their beginnings, also
/// tolerant of long vowels written as vowels (see [`normalize::loose_whole`]).
pub fn fold_whole(s: &str) -> String {
    normalize::loose_whole(s)
}

/// An address in the form both sides are compared in: 丁目/番地 as `-`,
/// kanji numerals before 丁目 as digits, no 大字, ヶ folded, then [`fold`].
pub fn address_form(s: &str) -> String {
    let a = normalize::address(s).unwrap_or_default();
    let a = a.replace("大字", "");
    let mut out = String::new();
    let chars: Vec<char> = a.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if "〇一二三四五六七八九十".contains(c) {
            let start = i;
            while i < chars.len() && "〇一二三四五六七八九十百".contains(chars[i]) {
                i += 1;
            }
            let run: String = chars[start..i].iter().collect();
            let unit = chars.get(i).copied();
            match (normalize::kanji_number(&run), unit) {
                (Some(n), Some('丁' | '番' | '号')) => out.push_str(&n.to_string()),
                _ => out.push_str(&run),
            }
            continue;
        }
        out.push(c);
        i += 1;
    }
    let out = out.replace("丁目", "-").replace("番地の", "-").replace("番地", "-").replace('番', "-").replace('号', "");
    // 「705の4」 = 705-4; 「上ノ関」 = 上関 (a ノ or の between kanji of a
    // place name is written or left out).
    let chars: Vec<char> = out.chars().collect();
    let at = |j: Option<usize>, test: fn(&char) -> bool| j.and_then(|j| chars.get(j)).is_some_and(test);
    let kanji = |c: &char| matches!(c, '\u{4E00}'..='\u{9FFF}' | '々');
    let out: String = chars
        .iter()
        .enumerate()
        .filter_map(|(i, &c)| {
            let (before, after) = (i.checked_sub(1), Some(i + 1));
            match c {
                'の' if at(before, char::is_ascii_digit) && at(after, char::is_ascii_digit) => Some('-'),
                'ノ' | 'の' if at(before, kanji) && at(after, kanji) => None,
                _ => Some(c),
            }
        })
        .collect();
    fold(&out)
}

/// A word of a text: its folded term and katakana reading (as the
/// dictionary gives it, not folded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub surface: String,
    pub term: String,
    pub reading: String,
    /// A particle, auxiliary, verb, adjective or conjunction, or a noun
    /// suffix in hiragana: the words a question wraps round what it asks
    /// for (「往診してくれる近い歯医者さん」).
    pub function: bool,
}

/// The morphological analyser (lindera over IPADIC).
#[derive(Clone)]
pub struct Japanese {
    segmenter: Arc<Segmenter>,
    /// Terms of short texts seen before: service names, 診療科目 and
    /// synonyms repeat in every document of their kind.
    cache: Arc<RwLock<HashMap<String, Arc<[String]>>>>,
}

const CACHE_ENTRIES: usize = 100_000;
const CACHE_CHARS: usize = 24;

impl std::fmt::Debug for Japanese {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Japanese")
    }
}

impl Japanese {
    pub fn new(dictionary: Dictionary) -> Japanese {
        Japanese {
            segmenter: Arc::new(Segmenter::new(Mode::Normal, dictionary, None)),
            cache: Arc::new(RwLock::new(HashMap::new())),
        }
    }

    /// The folded word terms of `text`, cached for short texts.
    pub fn terms(&self, text: &str) -> Arc<[String]> {
        let short = text.chars().count() <= CACHE_CHARS;
        if short && let Some(t) = self.cache.read().unwrap_or_else(|e| e.into_inner()).get(text) {
            return t.clone();
        }
        let terms: Arc<[String]> = self.words(text).into_iter().map(|w| w.term).collect();
        if short {
            let mut c = self.cache.write().unwrap_or_else(|e| e.into_inner());
            if c.len() < CACHE_ENTRIES {
                c.insert(text.to_string(), terms.clone());
            }
        }
        terms
    }

    /// Words of `text` (NFKC first, or half-width ｻｸﾗ would be an unknown
    /// word), symbols dropped.
    pub fn words(&self, text: &str) -> Vec<Word> {
        let n = normalize::nfkc(text);
        let Ok(mut tokens) = self.segmenter.segment(std::borrow::Cow::Borrowed(n.as_str())) else {
            return Vec::new();
        };
        let mut out = Vec::with_capacity(tokens.len());
        for t in tokens.iter_mut() {
            let surface = t.surface.to_string();
            let term = fold(&surface);
            if term.is_empty() {
                continue;
            }
            let details = t.details();
            if details.first().is_some_and(|p| *p == "記号") {
                continue;
            }
            let reading = details
                .get(7)
                .filter(|r| !r.is_empty() && **r != "*")
                .map(|r| r.to_string())
                .unwrap_or_else(|| normalize::to_katakana(&surface));
            let hiragana = surface.chars().all(normalize::is_hiragana);
            let function = match (details.first().copied(), details.get(1).copied()) {
                (Some("助詞" | "助動詞" | "動詞" | "形容詞" | "接続詞" | "感動詞"), _) => true,
                // 「…するところ」, 「歯医者さん」
                (Some("名詞"), Some("非自立" | "接尾")) => hiragana,
                _ => false,
            };
            out.push(Word { surface, term, reading, function });
        }
        out
    }

    /// The katakana reading of a whole text (not folded).
    pub fn reading(&self, text: &str) -> String {
        self.words(text).into_iter().map(|w| w.reading).collect()
    }
}

/// Terms as tokens, one position each.
fn tokens(terms: impl Iterator<Item = String>) -> Vec<Token> {
    terms
        .enumerate()
        .map(|(position, text)| Token { offset_from: 0, offset_to: 0, position, text, position_length: 1 })
        .collect()
}

/// `words` as the tokens of `text`, for a field analysed by [`WORD`].
pub fn pre_words(text: &str, words: Vec<Word>) -> PreTokenizedString {
    PreTokenizedString { text: text.to_string(), tokens: tokens(words.into_iter().map(|w| w.term)) }
}

/// Registers the tokenizers on an index (after every create and open).
pub fn register(index: &Index, ja: &Japanese) {
    index.tokenizers().register(WORD, TextAnalyzer::from(WordTokenizer { ja: ja.clone() }));
    index.tokenizers().register(BIGRAM, TextAnalyzer::from(BigramTokenizer));
}

/// Tokens worked out in advance and handed out one by one.
pub struct VecTokenStream {
    tokens: Vec<Token>,
    index: usize,
}

impl TokenStream for VecTokenStream {
    fn advance(&mut self) -> bool {
        self.index += 1;
        self.index <= self.tokens.len()
    }
    fn token(&self) -> &Token {
        &self.tokens[self.index - 1]
    }
    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.index - 1]
    }
}

#[derive(Clone)]
pub struct WordTokenizer {
    ja: Japanese,
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = VecTokenStream;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        VecTokenStream { tokens: tokens(self.ja.terms(text).iter().cloned()), index: 0 }
    }
}

/// Bigrams of the folded text, one per position; a one-character text is
/// its own token.
pub fn bigrams(text: &str) -> Vec<String> {
    let s = fold(text);
    // Where each character starts, and the end.
    let at: Vec<usize> = s.char_indices().map(|(i, _)| i).chain([s.len()]).collect();
    match at.len() - 1 {
        0 => Vec::new(),
        1 => vec![s],
        n => (0..n - 1).map(|i| s[at[i]..at[i + 2]].to_string()).collect(),
    }
}

#[derive(Clone)]
pub struct BigramTokenizer;

impl Tokenizer for BigramTokenizer {
    type TokenStream<'a> = VecTokenStream;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        VecTokenStream { tokens: tokens(bigrams(text).into_iter()), index: 0 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding() {
        assert_eq!(fold("ｻｸﾗ"), fold("さくら"));
        assert_eq!(fold("ケアセンター"), fold("けあせんた"));
        assert_eq!(fold("ショートステイ"), fold("シヨトステイ"));
        assert_eq!(fold("Ａｉ Clinic"), "aiclinic");
    }

    #[test]
    fn addresses() {
        assert_eq!(address_form("下松市大字笠戸島705の4"), address_form("下松市笠戸島705-4"));
        let a = address_form("山口県下松市西柳３丁目２ー３４");
        assert_eq!(a, address_form("山口県下松市西柳三丁目2番34号"));
        assert!(a.contains("西柳3"), "{a}");
        assert_eq!(address_form("大字下谷179"), address_form("下谷179"));
        assert_eq!(address_form("熊毛郡上関町大字室津"), address_form("熊毛郡上ノ関町室津"));
        assert_eq!(address_form("上の町1"), address_form("上町1"));
        assert_ne!(address_form("ノ町"), address_form("町"));
    }

    #[test]
    fn bigrams_keep_positions() {
        assert_eq!(bigrams("東京都"), ["東京", "京都"]);
        assert_eq!(bigrams("歯科"), ["歯科"]);
        assert_eq!(bigrams("薬"), ["薬"]);
        assert!(bigrams("").is_empty() && bigrams("・").is_empty());
        assert_eq!(bigrams("ﾃﾞｲｻｰﾋﾞｽ"), bigrams("でいさーびす"));
    }
}
